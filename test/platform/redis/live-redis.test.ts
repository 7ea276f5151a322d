// Two instances with REDIS_URL: live events cross through Socket.IO's Redis streams adapter, which
// keeps connection-state recovery across instances — a client dropped for a moment gets the
// packets it missed, even those raised on the other instance.
import { describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { connected, recordingClient } from '../../helpers/live-contract.js';
import { withTwoInstances } from '../../live/two-instances.js';

describe('two instances, the Redis streams adapter', () => {
  const instances = withTwoInstances('redis');
  const a = () => instances.a();
  const b = () => instances.b();

  it("Socket.IO's connection-state recovery: missed packets are replayed after a drop", async () => {
    const owner: Member = await registerOrg(a(), 'Recovery Org');
    const key = (await owner.client.POST('/api/api-keys', { body: { name: 'k', role: 'manager' } })).data!.key;
    const agentId = (await owner.client.POST('/api/agents', { body: { name: 'Recovered agent', phone: '+13125550142' } })).data!.id;
    const c = recordingClient(a().url, { auth: { token: key }, reconnection: true, reconnectionDelay: 500, reconnectionDelayMax: 500 });
    try {
      await connected(c.socket);
      await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agentId } }, body: { status: 'available' } });
      await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.status === 'available');
      c.socket.io.engine.close();
      const viaB = b().client();
      await viaB.POST('/api/login', { body: { email: owner.email, password: 'correct-horse-battery' } });
      await viaB.PUT('/api/agents/{id}/status', { params: { path: { id: agentId } }, body: { status: 'break' } });
      await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.status === 'break', 10_000);
      expect(c.socket.recovered).toBe(true);
      expect(c.events.some((e) => e.name === 'resync')).toBe(false);
      expect(c.violations).toEqual([]);
    } finally {
      c.close();
    }
  });
});
