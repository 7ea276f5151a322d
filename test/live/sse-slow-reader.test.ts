// An SSE client that stops reading is dropped once 1 MiB waits for it: its connection is closed at
// once, its queue discarded — not ended gracefully, which would wait for a client that does not
// read to take the megabyte first, and keep the socket and its buffer for as long as it likes.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { orgRoom } from '../../server/platform/live/rooms.js';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let apiKey: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'SSE Slow Org');
  apiKey = (await owner.client.POST('/api/api-keys', { body: { name: 'k', role: 'manager' } })).data!.key;
});
afterAll(async () => t?.close());

const tracked = () => (t.app.live.connections as unknown as { open: Set<unknown> }).open.size;

it('a reader that stops reading is disconnected, its socket closed', { timeout: 60_000 }, async () => {
  const { port } = new URL(t.url);
  const accepted: Socket[] = [];
  const onConnection = (s: Socket) => accepted.push(s);
  t.app.server.on('connection', onConnection);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  t.app.server.off('connection', onConnection);
  const serverSide = accepted.find((s) => s.remotePort === socket.localPort)!;
  expect(serverSide).toBeDefined();
  socket.write(`GET /api/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${apiKey}\r\n\r\n`);
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.pause();
  expect(tracked()).toBe(1);
  // Far more than the loopback buffers hold: the server's own buffer passes 1 MiB.
  const filler = 'x'.repeat(1000);
  for (let i = 0; i < 20_000 && tracked() > 0; i += 1) {
    t.app.live.hub.publish({ name: 'analytics_update', orgId: owner.orgId, rooms: [orgRoom(owner.orgId)], payload: { metric: 'callsToday', value: i, period: 'today', note: filler } as never });
    if (i % 100 === 0) await new Promise((r) => setImmediate(r));
  }
  expect(tracked()).toBe(0);
  for (let i = 0; i < 50 && !serverSide.destroyed; i += 1) await new Promise((r) => setTimeout(r, 100));
  expect(serverSide.destroyed).toBe(true);
  socket.destroy();
});
