// Two instances on one PostgreSQL: live events cross through Socket.IO's PostgreSQL adapter
// (LISTEN/NOTIFY); it has no connection-state recovery of its own, so a client that reconnects
// naming its last event (auth.lastEventId) gets the missed events from the hub's replay buffer.
import { describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient } from '../helpers/live-contract.js';
import { orgRoom } from '../../server/platform/live/rooms.js';
import { withTwoInstances } from './two-instances.js';

describe('two instances, the PostgreSQL adapter', () => {
  const instances = withTwoInstances('postgres');
  const a = () => instances.a();
  const b = () => instances.b();

  it('a client reconnecting after a drop gets what it missed by auth.lastEventId (this adapter has no recovery of its own)', async () => {
    const owner: Member = await registerOrg(a(), 'Replay Org');
    const key = (await owner.client.POST('/api/api-keys', { body: { name: 'k', role: 'manager' } })).data!.key;
    const agentId = (await owner.client.POST('/api/agents', { body: { name: 'Replay agent', phone: '+13125550141' } })).data!.id;
    let lastEventId: string | undefined;
    const c = recordingClient(a().url, {
      auth: (cb) => cb(lastEventId ? { token: key, lastEventId } : { token: key }),
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 500,
    });
    c.socket.onAny((_name: string, payload: { eventId?: string }) => {
      if (payload?.eventId) lastEventId = payload.eventId;
    });
    try {
      await connected(c.socket);
      await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agentId } }, body: { status: 'available' } });
      await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.status === 'available');
      c.socket.io.engine.close();
      // While it is away (it retries after 500 ms), on the other instance:
      const viaB = b().client();
      await viaB.POST('/api/login', { body: { email: owner.email, password: 'correct-horse-battery' } });
      await viaB.PUT('/api/agents/{id}/status', { params: { path: { id: agentId } }, body: { status: 'break' } });
      const missed = await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.status === 'break', 10_000);
      expect(missed.payload.agentId).toBe(agentId);
      expect(c.socket.recovered).not.toBe(true);
      expect(c.events.filter((e) => e.name === 'agent:status:updated' && e.payload.status === 'break')).toHaveLength(1);
      expect(c.violations).toEqual([]);
    } finally {
      c.close();
    }
  });

  it('events raised in one turn reach the other instance together: one NOTIFY per 16, every event once', async () => {
    const owner: Member = await registerOrg(a(), 'Relay Batch Org');
    const key = (await owner.client.POST('/api/api-keys', { body: { name: 'k', role: 'manager' } })).data!.key;
    const onB = recordingClient(b().url, { auth: { token: key } });
    const io = a().app.live.io;
    const relayed: number[] = [];
    const serverSideEmit = io.serverSideEmit.bind(io);
    io.serverSideEmit = ((name: string, ...rest: unknown[]) => {
      if (name === 'ccp:live-batch') relayed.push((rest[0] as unknown[]).length);
      return serverSideEmit(name, ...(rest as []));
    }) as typeof io.serverSideEmit;
    try {
      await connected(onB.socket);
      for (let callId = 1; callId <= 40; callId++) {
        a().app.live.hub.publish({
          name: 'call_started',
          orgId: owner.orgId,
          rooms: [orgRoom(owner.orgId)],
          payload: { callId, direction: 'inbound', leadId: null, agentId: null, campaignId: null, phone: null },
        });
      }
      expect(relayed).toEqual([]); // sent at the end of the turn, not one by one
      await onB.waitFor(() => onB.events.filter((e) => e.name === 'call_started').length === 40);
      expect(relayed).toEqual([16, 16, 8]);
      // Each once. Not necessarily in order across messages: the adapter sends its NOTIFYs from a
      // pool of connections (so did one message per event).
      const received = onB.events.filter((e) => e.name === 'call_started').map((e) => Number(e.payload.callId));
      expect(received.sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(onB.violations).toEqual([]);
    } finally {
      io.serverSideEmit = serverSideEmit;
      onB.close();
    }
  });

  it('a key revoked through one instance closes its socket on the other at once (not at the 30 s check)', async () => {
    const owner: Member = await registerOrg(a(), 'Revoke Across Org');
    const key = (await owner.client.POST('/api/api-keys', { body: { name: 'revoked', role: 'manager' } })).data!;
    const onB = recordingClient(b().url, { auth: { token: key.key } });
    try {
      await connected(onB.socket);
      expect((await owner.client.DELETE('/api/api-keys/{id}', { params: { path: { id: key.id } } })).response.status).toBe(204);
      for (let i = 0; i < 250 && onB.socket.connected; i += 1) await new Promise((r) => setTimeout(r, 20));
      expect(onB.socket.connected).toBe(false);
    } finally {
      onB.close();
    }
  });
});
