// A user with role agent receives its agent record's events (its offers — the lead's name, number
// and notes — its calls, its presence) because it is that record's user. When the record is given
// to another user, or unlinked, while the connection is open, the check that change asks for (and,
// failing it, the next periodic one) closes the connection like one whose caller lost its rights:
// reconnecting, it gets the rooms it has now.
// The same holds for a record linked to the user after it connected and joined with agent:join.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, type Member, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient, type RecordingClient } from '../helpers/live-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
const clients: RecordingClient[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Agent Room Recheck Org');
});
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

async function agentSocket(member: Member): Promise<RecordingClient> {
  const token = (await member.client.POST('/api/events/token')).data!.token;
  const c = recordingClient(t.url, { auth: { token } });
  clients.push(c);
  await connected(c.socket);
  return c;
}

const setStatus = (agentId: string, status: 'available' | 'break') => owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agentId } }, body: { status } });

describe('an agent record taken from its user', () => {
  it('closes that user’s open connection at the next check; its events no longer reach it', async () => {
    const agentUser = await addMember(t, owner, 'agent');
    const agentId = (await owner.client.POST('/api/agents', { body: { name: 'Linked', phone: '+13125550180', userId: agentUser.id } })).data!.id;
    const c = await agentSocket(agentUser);
    await setStatus(agentId, 'available');
    await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.status === 'available');
    // Still its user: nothing to close.
    await t.app.live.connections.recheck(t.db);
    expect(c.socket.connected).toBe(true);

    expect((await owner.client.PUT('/api/agents/{id}', { params: { path: { id: agentId } }, body: { userId: null } })).response.status).toBe(200);
    // Closed by the check the change asks for (server/live/connections.ts, recheckSoon).
    for (let i = 0; i < 150 && c.socket.connected; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(c.socket.connected).toBe(false);
    await setStatus(agentId, 'break');
    await new Promise((r) => setTimeout(r, 300));
    expect(c.events.filter((e) => e.name === 'agent:status:updated').map((e) => e.payload.status)).toEqual(['available']);
  });
});

describe('an agent record given to its user after the connection opened (joined with agent:join)', () => {
  it('is checked like one it had from the start: taken away, the connection closes and its events stop', async () => {
    const agentUser = await addMember(t, owner, 'agent');
    // Connected before it has an agent record: its rooms are its user's only.
    const c = await agentSocket(agentUser);
    const agentId = (await owner.client.POST('/api/agents', { body: { name: 'Linked Later', phone: '+13125550181', userId: agentUser.id } })).data!.id;
    expect(await c.socket.emitWithAck('agent:join', { agentId })).toEqual({ ok: true });
    await setStatus(agentId, 'available');
    await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.status === 'available');
    await t.app.live.connections.recheck(t.db);
    expect(c.socket.connected).toBe(true);

    // The record goes to another user: its offers (lead names, numbers, notes) are that user's now.
    const nextUser = await addMember(t, owner, 'agent');
    expect((await owner.client.PUT('/api/agents/{id}', { params: { path: { id: agentId } }, body: { userId: nextUser.id } })).response.status).toBe(200);
    await t.app.live.connections.recheck(t.db);
    for (let i = 0; i < 50 && c.socket.connected; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(c.socket.connected).toBe(false);
    await setStatus(agentId, 'break');
    await new Promise((r) => setTimeout(r, 300));
    expect(c.events.filter((e) => e.name === 'agent:status:updated').map((e) => e.payload.status)).toEqual(['available']);
  });

  it('joining its new record leaves the room of the one it had (given to another user meanwhile)', async () => {
    const agentUser = await addMember(t, owner, 'agent');
    const first = (await owner.client.POST('/api/agents', { body: { name: 'First Record', phone: '+13125550182', userId: agentUser.id } })).data!.id;
    const c = await agentSocket(agentUser);
    // Before any check: the first record goes to another user, a second one is this user's. (The
    // check that change asks for is held back here, as when it has not reached this instance yet.)
    const hub = t.app.live.hub;
    const askedCheck = hub.onRecheck;
    hub.onRecheck = null;
    let second: string;
    try {
      const nextUser = await addMember(t, owner, 'agent');
      expect((await owner.client.PUT('/api/agents/{id}', { params: { path: { id: first } }, body: { userId: nextUser.id } })).response.status).toBe(200);
      second = (await owner.client.POST('/api/agents', { body: { name: 'Second Record', phone: '+13125550183', userId: agentUser.id } })).data!.id;
      expect(await c.socket.emitWithAck('agent:join', { agentId: second })).toEqual({ ok: true });
    } finally {
      hub.onRecheck = askedCheck;
    }
    await setStatus(first, 'available');
    await setStatus(second, 'available');
    await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.agentId === second);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.events.filter((e) => e.name === 'agent:status:updated').map((e) => e.payload.agentId)).toEqual([second]);
    // Its record is its own: the check keeps the connection.
    await t.app.live.connections.recheck(t.db);
    expect(c.socket.connected).toBe(true);
  });
});
