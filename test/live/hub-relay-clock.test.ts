// The replay buffer holds what this instance received in the last 5 minutes (hub.ts,
// recent-events.ts). An event relayed from another instance carries that instance's clock; when
// it runs minutes ahead, its events must not age this instance's own out of the buffer (a client
// naming its last event would get `resync` instead of what it missed). Pure: a fake Socket.IO server.
import { describe, expect, it } from 'vitest';
import type { Server } from 'socket.io';
import { LiveHub } from '../../server/live/hub.js';
import type { StoredEvent } from '../../server/live/recent-events.js';

function fakeIo(): { io: Server; relayed: (events: StoredEvent[]) => void } {
  const listeners = new Map<string, (arg: never) => void>();
  const room = { emit: () => true };
  const io = {
    on: (name: string, listener: (arg: never) => void) => listeners.set(name, listener),
    to: () => room,
    local: { to: () => room },
    serverSideEmit: () => true,
  } as unknown as Server;
  return { io, relayed: (events) => listeners.get('ccp:live-batch')!(events as never) };
}

describe('events relayed from an instance whose clock runs ahead', () => {
  it("do not age this instance's events out of the replay buffer", () => {
    const { io, relayed } = fakeIo();
    const hub = new LiveHub(io, { clustered: true, relayOnly: true }, { warn: () => {} });
    hub.publish({ name: 'analytics_update', orgId: 'o1', rooms: ['org:o1'], payload: { metric: 'callsToday', value: 1, period: 'today' } });
    const ownId = `${hub.instanceId}-000000000001`;
    const ahead = Date.now() + 6 * 60_000;
    relayed([{ id: 'other-000000000001', name: 'analytics_update', rooms: ['org:o1'], payload: { eventId: 'other-000000000001' }, at: ahead }]);
    const missed = hub.recent.after(ownId, new Set(['org:o1']), Date.now());
    expect(missed?.map((e) => e.id)).toEqual(['other-000000000001']);
    hub.flushRelay();
  });
});
