// An SSE request whose client leaves while it is being authenticated (a browser navigating away, an
// EventSource closed at once) opens no stream: its connection's 'close' came before the stream
// could listen for it, and a stream opened then would be kept for ever — subscribed to the hub,
// its heartbeat timer running, tracked as an open connection.
import { connect } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let apiKey: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'SSE Abandoned Org');
  apiKey = (await owner.client.POST('/api/api-keys', { body: { name: 'k', role: 'manager' } })).data!.key;
});
afterAll(async () => t?.close());

/** The live connections the server tracks (SSE streams and sockets). */
const tracked = () => (t.app.live.connections as unknown as { open: Set<unknown> }).open.size;

it('a client gone before its stream opened leaves no stream behind', async () => {
  const { port } = new URL(t.url);
  // The API key's lookup waits behind this lock while the client leaves.
  await t.db.transaction().execute(async (trx) => {
    await sql`LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE`.execute(trx);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(`GET /api/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${apiKey}\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 200));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 200));
  });
  // The request goes on once the lock is released: time for it to reach the handler.
  await new Promise((r) => setTimeout(r, 1500));
  expect(tracked()).toBe(0);
});
