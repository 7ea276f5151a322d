// Seed 002's agent:status (a presence change, its history row, its webhook event) counts against
// the caller's rate limit as the REST operation it mirrors does (PUT /api/agents/{id}/status, the
// general bucket, per API key or user): a client looping on it is answered RATE_LIMIT_EXCEEDED,
// nothing changed, instead of writing without end. agent:join (a room joined) is not counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient, type RecordingClient } from '../helpers/live-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const LIMIT = 20;
let t: TestApp;
let owner: Member;
let agentId: string;
let key: { id: string; key: string };
const clients: RecordingClient[] = [];

beforeAll(async () => {
  t = await startTestApp({ env: { RATE_LIMITS: `general=${LIMIT}` } });
  owner = await registerOrg(t, 'Client Message Rate Org');
  agentId = (await owner.client.POST('/api/agents', { body: { name: 'Somebody', phone: '+13125550191' } })).data!.id;
  key = (await owner.client.POST('/api/api-keys', { body: { name: 'looping client', role: 'manager' } })).data!;
});
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

describe('client messages and the rate limit', () => {
  it('agent:status beyond the limit is refused as RATE_LIMIT_EXCEEDED, nothing changed; the REST budget is the same one', async () => {
    const c = recordingClient(t.url, { auth: { token: key.key } });
    clients.push(c);
    await connected(c.socket);
    const statuses = ['available', 'break'] as const;
    const answers: unknown[] = [];
    for (let i = 0; i < LIMIT + 3; i += 1) answers.push(await c.socket.timeout(30_000).emitWithAck('agent:status', { agentId, status: statuses[i % 2] }));
    expect(answers.slice(0, LIMIT)).toEqual(Array.from({ length: LIMIT }, () => ({ ok: true })));
    for (const answer of answers.slice(LIMIT)) expect(answer).toMatchObject({ ok: false, error: { code: 'RATE_LIMIT_EXCEEDED' } });
    // The last change that went through stands.
    const agent = await owner.client.GET('/api/agents/{id}', { params: { path: { id: agentId } } });
    expect(agent.data!.status).toBe(statuses[(LIMIT - 1) % 2]);
    // The key's REST calls share the budget.
    const rest = await fetch(`${t.url}/api/agents/${agentId}`, { headers: { authorization: `Bearer ${key.key}` } });
    expect(rest.status).toBe(429);
    expect(c.socket.connected).toBe(true);
    // Joining a room is not counted: a dashboard may follow every agent.
    expect(await c.socket.timeout(30_000).emitWithAck('agent:join', { agentId })).toEqual({ ok: true });
  });
});
