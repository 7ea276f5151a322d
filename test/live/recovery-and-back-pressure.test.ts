// One instance (the in-memory adapter, as on the embedded database): a client dropped for a
// moment recovers the packets it missed (Socket.IO's connection-state recovery); a client that
// stops reading is disconnected before its queue passes the limits, while a reading client on
// the same room gets every event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgRoom } from '../../server/platform/live/rooms.js';
import { MAX_QUEUED_PACKETS } from '../../server/live/socket-server.js';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient } from '../helpers/live-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let key: string;
let agentId: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Recovery Org');
  key = (await owner.client.POST('/api/api-keys', { body: { name: 'k', role: 'manager' } })).data!.key;
  agentId = (await owner.client.POST('/api/agents', { body: { name: 'Agent', phone: '+13125550143' } })).data!.id;
});
afterAll(async () => t?.close());

describe('reconnects', () => {
  it('a dropped client recovers the missed packets, in order, without a resync', async () => {
    const c = recordingClient(t.url, { auth: { token: key }, reconnection: true, reconnectionDelay: 400, reconnectionDelayMax: 400 });
    try {
      await connected(c.socket);
      // Recovery resumes after the last packet received (its offset): one first.
      await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agentId } }, body: { status: 'available' } });
      await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.status === 'available');
      c.socket.io.engine.close();
      await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agentId } }, body: { status: 'break' } });
      await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agentId } }, body: { status: 'offline' } });
      await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.status === 'offline', 10_000);
      expect(c.socket.recovered).toBe(true);
      expect(c.events.filter((e) => e.name === 'agent:status:updated').map((e) => e.payload.status)).toEqual(['available', 'break', 'offline']);
      expect(c.events.some((e) => e.name === 'resync')).toBe(false);
    } finally {
      c.close();
    }
  });
});

describe('back-pressure', () => {
  it('a client that stops reading is dropped; a reading one gets everything; the server queue stays bounded', { timeout: 90_000 }, async () => {
    const slow = recordingClient(t.url, { auth: { token: key } });
    const fast = recordingClient(t.url, { auth: { token: key } });
    await Promise.all([connected(slow.socket), connected(fast.socket)]);
    let disconnectedFromServer = false;
    slow.socket.on('disconnect', () => {
      disconnectedFromServer = true;
    });
    // Stop reading: the slow client's TCP socket is paused (its kernel buffers fill, then the server's).
    const transport = slow.socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void } } };
    transport.ws._socket.pause();
    const hub = t.app.live.hub;
    // 16 MB in 20,000 events: more than the loopback socket buffers hold, so the paused client's
    // packets pile up in the server's queue past MAX_QUEUED_PACKETS.
    const total = 20_000;
    const filler = 'x'.repeat(800);
    const batch = 200;
    // Socket.IO gives the client its server-side socket's id.
    const serverSocket = () => t.app.live.io.of('/').sockets.get(slow.socket.id!);
    expect(serverSocket()).toBeDefined();
    const received = () => fast.events.filter((e) => e.name === 'analytics_update').length;
    for (let i = 0; i < total; i += 1) {
      hub.publish({ name: 'analytics_update', orgId: owner.orgId, rooms: [orgRoom(owner.orgId)], payload: { metric: 'callsToday', value: i, period: 'today', note: filler } as never });
      if ((i + 1) % batch === 0) {
        // A reading client keeps up: the publisher waits until it is at most one batch behind
        // (on a loaded machine, publishing 1,000 events per turn of the event loop could queue
        // more than MAX_QUEUED_PACKETS for the reading client too, and drop it as well).
        const deadline = Date.now() + 60_000;
        while (received() < i + 1 - batch && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      }
    }
    // 24 MB to the reading client: seconds on a quiet machine, longer on one the whole suite loads.
    await fast.waitFor((e) => e.name === 'analytics_update' && e.payload.value === total - 1, 60_000);
    expect(fast.events.filter((e) => e.name === 'analytics_update')).toHaveLength(total);
    // The slow client's server side was closed (the sweeper runs every 500 ms).
    for (let i = 0; i < 40 && serverSocket(); i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(serverSocket()).toBeUndefined();
    slow.close();
    fast.close();
    expect(disconnectedFromServer || !slow.socket.connected).toBe(true);
    expect(MAX_QUEUED_PACKETS).toBe(1000);
  });
});
