// Socket.IO's recovery restores a dropped socket's rooms and data before the handshake runs again,
// and the handshake may name another caller than the one the session was made for (the client's
// `auth` changed while it was away: a key of another organisation, a key with a lower role). The
// rooms must then be the new caller's, never the old one's: the connection is not recovered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient } from '../helpers/live-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let ownerA: Member;
let ownerB: Member;
let agentA: string;
let agentB: string;

beforeAll(async () => {
  t = await startTestApp();
  ownerA = await registerOrg(t, 'Recovery Caller Org A');
  ownerB = await registerOrg(t, 'Recovery Caller Org B');
  agentA = (await ownerA.client.POST('/api/agents', { body: { name: 'Agent A', phone: '+13125550171' } })).data!.id;
  agentB = (await ownerB.client.POST('/api/agents', { body: { name: 'Agent B', phone: '+13125550172' } })).data!.id;
});
afterAll(async () => t?.close());

const setStatus = (owner: Member, id: string, status: 'available' | 'break' | 'offline') =>
  owner.client.PUT('/api/agents/{id}/status', { params: { path: { id } }, body: { status } });
const newKey = async (owner: Member, role: 'owner' | 'agent') => (await owner.client.POST('/api/api-keys', { body: { name: `k-${role}`, role } })).data!;

describe('a socket recovered with the credentials of another caller', () => {
  it('gets the rooms of the caller that reconnected, not those of the one that dropped', async () => {
    const keyA = await newKey(ownerA, 'owner');
    const keyB = await newKey(ownerB, 'owner');
    const auth: { token: string } = { token: keyA.key };
    const c = recordingClient(t.url, { auth: (cb) => cb({ ...auth }), reconnection: true, reconnectionDelay: 300, reconnectionDelayMax: 300, randomizationFactor: 0 });
    try {
      await connected(c.socket);
      await setStatus(ownerA, agentA, 'available');
      await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.agentId === agentA);
      // The client now speaks for organisation B (its key changed while it was away).
      auth.token = keyB.key;
      const reconnected = new Promise<void>((resolve) => c.socket.once('connect', () => resolve()));
      c.socket.io.engine.close();
      await reconnected;
      await c.waitFor((e) => e.name === 'resync');
      // Organisation A's events no longer reach it, even once key A is revoked; B's do.
      expect((await ownerA.client.DELETE('/api/api-keys/{id}', { params: { path: { id: keyA.id } } })).response.status).toBe(204);
      await setStatus(ownerA, agentA, 'break');
      await setStatus(ownerB, agentB, 'available');
      await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.agentId === agentB);
      await new Promise((r) => setTimeout(r, 300));
      expect(c.events.filter((e) => e.name === 'agent:status:updated').map((e) => e.payload.agentId)).toEqual([agentA, agentB]);
      expect(c.violations).toEqual([]);
    } finally {
      c.close();
    }
  });

  it('a key of the same user with a lower role does not keep the organisation room', async () => {
    const owner = await newKey(ownerA, 'owner');
    const agentOnly = await newKey(ownerA, 'agent');
    await setStatus(ownerA, agentA, 'break');
    const auth: { token: string } = { token: owner.key };
    const c = recordingClient(t.url, { auth: (cb) => cb({ ...auth }), reconnection: true, reconnectionDelay: 300, reconnectionDelayMax: 300, randomizationFactor: 0 });
    try {
      await connected(c.socket);
      await setStatus(ownerA, agentA, 'available');
      await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.status === 'available');
      auth.token = agentOnly.key;
      const reconnected = new Promise<void>((resolve) => c.socket.once('connect', () => resolve()));
      c.socket.io.engine.close();
      await reconnected;
      await c.waitFor((e) => e.name === 'resync');
      await setStatus(ownerA, agentA, 'offline');
      await new Promise((r) => setTimeout(r, 500));
      expect(c.events.filter((e) => e.name === 'agent:status:updated').map((e) => e.payload.status)).toEqual(['available']);
    } finally {
      c.close();
    }
  });
});
