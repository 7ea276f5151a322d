// Seed 002's client messages act with the rights the caller has when the message comes, as a REST
// request would: a socket whose API key was revoked, whose user logged out everywhere or was
// demoted since it connected cannot set another agent's presence or join its room before the check
// of open connections closes it (the check the change asks for is held back here, as when it has
// not reached this instance yet). The message is refused (FORBIDDEN), nothing changes, and the
// connection is closed.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addMember, type Member, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient, type RecordingClient } from '../helpers/live-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let agentId: string;
const clients: RecordingClient[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Client Message Rights Org');
  agentId = (await owner.client.POST('/api/agents', { body: { name: 'Somebody', phone: '+13125550190' } })).data!.id;
});
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

let askedCheck: (() => void) | null = null;
beforeEach(() => {
  askedCheck = t.app.live.hub.onRecheck;
  t.app.live.hub.onRecheck = null;
});
afterEach(() => {
  t.app.live.hub.onRecheck = askedCheck;
});

async function socketOf(token: string): Promise<RecordingClient> {
  const c = recordingClient(t.url, { auth: { token } });
  clients.push(c);
  await connected(c.socket);
  return c;
}

const statusOf = async () => (await owner.client.GET('/api/agents/{id}', { params: { path: { id: agentId } } })).data!.status;
const ack = (c: RecordingClient, event: string, payload: unknown) => c.socket.timeout(30_000).emitWithAck(event, payload);

async function expectRefusedAndClosed(c: RecordingClient, status: 'available' | 'break' | 'offline'): Promise<void> {
  const before = await statusOf();
  expect(await ack(c, 'agent:status', { agentId, status })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect(await statusOf()).toBe(before);
  for (let i = 0; i < 100 && c.socket.connected; i += 1) await new Promise((r) => setTimeout(r, 20));
  expect(c.socket.connected).toBe(false);
}

describe('a client message after the caller lost its rights', () => {
  it('a revoked API key: agent:status refused, nothing changed, the socket closed', async () => {
    const key = (await owner.client.POST('/api/api-keys', { body: { name: 'soon revoked', role: 'manager' } })).data!;
    const c = await socketOf(key.key);
    expect(await ack(c, 'agent:status', { agentId, status: 'available' })).toEqual({ ok: true });
    expect((await owner.client.DELETE('/api/api-keys/{id}', { params: { path: { id: key.id } } })).response.status).toBe(204);
    await expectRefusedAndClosed(c, 'break');
  });

  it('a manager demoted to agent: agent:status of another agent refused; reconnected, it has an agent\'s rights', async () => {
    const manager = await addMember(t, owner, 'manager');
    const token = (await manager.client.POST('/api/events/token')).data!.token;
    const c = await socketOf(token);
    expect((await owner.client.PUT('/api/users/{id}', { params: { path: { id: String(manager.id) } }, body: { role: 'agent' } })).response.status).toBe(200);
    await expectRefusedAndClosed(c, 'offline');
    const again = await socketOf((await manager.client.POST('/api/events/token')).data!.token);
    // Reconnected as what it is now (an agent without an agent record): no other agent's room.
    expect(await ack(again, 'agent:join', { agentId })).toMatchObject({ ok: false, error: { code: 'RESOURCE_NOT_FOUND' } });
  });

  it('a user logged out everywhere: agent:status refused', async () => {
    const manager = await addMember(t, owner, 'manager');
    const c = await socketOf((await manager.client.POST('/api/events/token')).data!.token);
    expect((await manager.client.POST('/api/logout')).response.status).toBe(200);
    await expectRefusedAndClosed(c, 'break');
  });
});
