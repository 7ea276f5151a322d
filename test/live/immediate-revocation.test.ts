// Revoking a caller's rights reaches its open live connections at once, not at the next 30 s check:
// a key revoked, a user logged out everywhere, removed or given a lower role, a password set by an
// admin, an agent record taken from its user — each closes the connections that stood on it right
// after the change commits (server/live/connections.ts, recheckLiveCallers). No test here calls the
// periodic recheck: the connections must close on their own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, type Member, PASSWORD, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient, type RecordingClient } from '../helpers/live-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let steadyKey: string;
const clients: RecordingClient[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Immediate Revocation Org');
  steadyKey = (await owner.client.POST('/api/api-keys', { body: { name: 'Steady key', role: 'manager' } })).data!.key;
});
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

async function socketWith(token: string): Promise<RecordingClient> {
  const c = recordingClient(t.url, { auth: { token } });
  clients.push(c);
  await connected(c.socket);
  return c;
}

async function eventsToken(member: Member): Promise<string> {
  const res = await member.client.POST('/api/events/token');
  expect(res.response.status).toBe(201);
  return res.data!.token;
}

async function sessionCookie(email: string): Promise<string> {
  const res = await fetch(`${t.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

/** Waits (at most 3 s, far below the 30 s periodic check) for the socket to be closed by the server. */
async function closedSoon(c: RecordingClient): Promise<boolean> {
  for (let i = 0; i < 150 && c.socket.connected; i += 1) await new Promise((r) => setTimeout(r, 20));
  return !c.socket.connected;
}

describe('revocation reaches open live connections at once', () => {
  it('a revoked key: its socket closes; another key’s stays open', async () => {
    const key = (await owner.client.POST('/api/api-keys', { body: { name: 'Revoked now', role: 'manager' } })).data!;
    const byKey = await socketWith(key.key);
    const steady = await socketWith(steadyKey);
    expect((await owner.client.DELETE('/api/api-keys/{id}', { params: { path: { id: key.id } } })).response.status).toBe(204);
    expect(await closedSoon(byKey)).toBe(true);
    expect(steady.socket.connected).toBe(true);
  });

  it('logout everywhere: the socket and the SSE stream of that user close', async () => {
    const member = await addMember(t, owner, 'manager');
    const bySession = await socketWith(await eventsToken(member));
    const stream = await fetch(`${t.url}/api/events`, { headers: { cookie: await sessionCookie(member.email) } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    expect((await member.client.POST('/api/logout')).response.status).toBe(200);
    expect(await closedSoon(bySession)).toBe(true);
    const ended = await Promise.race([
      (async () => {
        let done = false;
        while (!done) done = (await reader.read()).done;
        return true;
      })(),
      new Promise<boolean>((r) => setTimeout(() => r(false), 3000)),
    ]);
    expect(ended).toBe(true);
  });

  it('a user removed, a role lowered, a password set by an admin: each closes that user’s socket', async () => {
    const removed = await addMember(t, owner, 'manager');
    const demoted = await addMember(t, owner, 'manager');
    const reset = await addMember(t, owner, 'manager');
    const [a, b, c] = await Promise.all([removed, demoted, reset].map(async (m) => socketWith(await eventsToken(m))));
    const steady = await socketWith(steadyKey);

    expect((await owner.client.DELETE('/api/users/{id}', { params: { path: { id: String(removed.id) } } })).response.status).toBe(204);
    expect(await closedSoon(a!)).toBe(true);
    expect((await owner.client.PUT('/api/users/{id}', { params: { path: { id: String(demoted.id) } }, body: { role: 'agent' } })).response.status).toBe(200);
    expect(await closedSoon(b!)).toBe(true);
    expect((await owner.client.PUT('/api/users/{id}/password', { params: { path: { id: String(reset.id) } }, body: { password: 'another-horse-battery' } })).response.status).toBe(204);
    expect(await closedSoon(c!)).toBe(true);
    expect(steady.socket.connected).toBe(true);
  });

  it('an agent record taken from its user closes that user’s socket', async () => {
    const agentUser = await addMember(t, owner, 'agent');
    const agentId = (await owner.client.POST('/api/agents', { body: { name: 'Taken', phone: '+13125550190', userId: agentUser.id } })).data!.id;
    const socket = await socketWith(await eventsToken(agentUser));
    // Its rooms are joined (and its own agent record known) before the record is taken.
    await new Promise((r) => setTimeout(r, 200));
    expect((await owner.client.PUT('/api/agents/{id}', { params: { path: { id: agentId } }, body: { userId: null } })).response.status).toBe(200);
    expect(await closedSoon(socket)).toBe(true);
  });
});
