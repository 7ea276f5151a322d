// An event must name where it goes. Socket.IO reads `to([])` as no filter at all — every socket of
// every organisation — so an event published with no rooms (a publisher's bug: an agent-only event
// for a call with no agent, a list computed empty) would have reached every connection. It reaches
// none: not the sockets, not the SSE streams, not the replay buffer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient } from '../helpers/live-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let ownerA: Member;
let ownerB: Member;

beforeAll(async () => {
  t = await startTestApp();
  ownerA = await registerOrg(t, 'No Rooms Org A');
  ownerB = await registerOrg(t, 'No Rooms Org B');
});
afterAll(async () => t?.close());

describe('an event published with no rooms', () => {
  it('reaches no connection of any organisation', async () => {
    const keyB = (await ownerB.client.POST('/api/api-keys', { body: { name: 'watcher', role: 'owner' } })).data!.key;
    const c = recordingClient(t.url, { auth: { token: keyB } });
    try {
      await connected(c.socket);
      const size = t.app.live.hub.recent.size;
      t.app.live.hub.publish({ name: 'analytics_update', orgId: ownerA.orgId, rooms: [], payload: { metric: 'callsToday', value: 99, period: 'today' } });
      // Then one that is for B, to know the first one had its chance to arrive.
      t.app.live.hub.publish({ name: 'analytics_update', orgId: ownerB.orgId, rooms: [`org:${ownerB.orgId}`], payload: { metric: 'callsToday', value: 1, period: 'today' } });
      await c.waitFor((e) => e.name === 'analytics_update' && e.payload.value === 1);
      expect(c.events.filter((e) => e.name === 'analytics_update').map((e) => e.payload.value)).toEqual([1]);
      expect(t.app.live.hub.recent.size).toBe(size + 1);
    } finally {
      c.close();
    }
  });
});
