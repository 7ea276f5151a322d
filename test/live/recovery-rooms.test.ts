// Socket.IO's connection-state recovery restores a dropped socket's rooms as they were. The
// handshake runs again on recovery; when the caller's role changed meanwhile the rooms must be those
// of the role it has now: an admin demoted to agent while its client was away must not come back
// into the organisation's room, nor be sent the organisation's events it missed; it gets `resync`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, type Member, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient } from '../helpers/live-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let agentId: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Recovery Rooms Org');
  agentId = (await owner.client.POST('/api/agents', { body: { name: 'Somebody', phone: '+13125550144' } })).data!.id;
});
afterAll(async () => t?.close());

const setStatus = (status: 'available' | 'break' | 'offline') => owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agentId } }, body: { status } });
const setRole = (member: Member, role: 'agent') => owner.client.PUT('/api/users/{id}', { params: { path: { id: String(member.id) } }, body: { role } });

describe('a recovered socket after a role change', () => {
  it('an admin demoted to agent while away does not come back into the organisation room', async () => {
    const admin = await addMember(t, owner, 'admin');
    const key = (await admin.client.POST('/api/api-keys', { body: { name: 'k', role: 'admin' } })).data!.key;
    const c = recordingClient(t.url, { auth: { token: key }, reconnection: true, reconnectionDelay: 1500, reconnectionDelayMax: 1500, randomizationFactor: 0 });
    try {
      await connected(c.socket);
      await setStatus('available');
      await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.status === 'available');
      // Away long enough for the demotion to land first (the client reconnects after 1.5 s).
      c.socket.io.engine.close();
      const reconnected = new Promise<void>((resolve) => c.socket.once('connect', () => resolve()));
      expect((await setRole(admin, 'agent')).response.status).toBe(200);
      // Missed while away, after the demotion: not for an agent.
      await setStatus('break');
      await reconnected;
      await c.waitFor((e) => e.name === 'resync');
      expect(c.socket.recovered).toBe(false);
      await setStatus('offline');
      await new Promise((r) => setTimeout(r, 500));
      expect(c.events.filter((e) => e.name === 'agent:status:updated').map((e) => e.payload.status)).toEqual(['available']);
      expect(c.violations).toEqual([]);
    } finally {
      c.close();
    }
  });
});
