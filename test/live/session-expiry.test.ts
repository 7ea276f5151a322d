// A session lasts SESSION_MAX_AGE_SECONDS from its login; after that its cookie no longer
// authenticates anything. A live connection opened with it — the Socket.IO handshake's cookie, an
// events token the session asked for, an SSE stream — is a connection whose caller could no longer
// connect once the session expired: the next check closes it, and the token is refused from then.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_MAX_AGE_SECONDS } from '../../server/accounts/auth/session-expiry.js';
import { type Member, PASSWORD, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient, type RecordingClient } from '../helpers/live-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
const clients: RecordingClient[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Session Expiry Org');
});
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

/** A real login's session cookie, made to have begun SESSION_MAX_AGE_SECONDS - `leftSec` ago. */
async function expiringCookie(email: string, leftSec: number): Promise<string> {
  const res = await fetch(`${t.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  expect(res.status).toBe(200);
  const raw = res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('ccp_session='))!;
  const session = t.app.decodeSecureSession(decodeURIComponent(raw.slice('ccp_session='.length)))!;
  const data = { ...session.data(), __ts: Math.round(Date.now() / 1000) - SESSION_MAX_AGE_SECONDS + leftSec };
  return `ccp_session=${encodeURIComponent(t.app.encodeSecureSession(t.app.createSecureSession(data as never)))}`;
}

describe('a live connection of a session that expires', () => {
  it('is closed at the next check once the session expired (cookie, events token, SSE); the token is refused then', async () => {
    const cookie = await expiringCookie(owner.email, 3);
    const tokenRes = await fetch(`${t.url}/api/events/token`, { method: 'POST', headers: { cookie } });
    expect(tokenRes.status).toBe(201);
    const { token } = (await tokenRes.json()) as { token: string };
    const laterToken = (await (await fetch(`${t.url}/api/events/token`, { method: 'POST', headers: { cookie } })).json()) as { token: string };

    const byCookie = recordingClient(t.url, { extraHeaders: { cookie } });
    const byToken = recordingClient(t.url, { auth: { token } });
    clients.push(byCookie, byToken);
    await Promise.all([connected(byCookie.socket), connected(byToken.socket)]);
    const controller = new AbortController();
    const sse = await fetch(`${t.url}/api/events`, { headers: { cookie }, signal: controller.signal });
    expect(sse.status).toBe(200);
    const reader = sse.body!.getReader();
    await reader.read(); // retry: …
    let sseEnded = false;
    const drained = (async () => {
      try {
        for (;;) if ((await reader.read()).done) break;
      } catch {
        // destroyed
      }
      sseEnded = true;
    })();

    try {
      // Still within the session: nothing to close.
      await t.app.live.connections.recheck(t.db);
      expect(byCookie.socket.connected && byToken.socket.connected).toBe(true);

      await new Promise((r) => setTimeout(r, 3500));
      // The session is over: the REST API refuses its cookie …
      expect((await fetch(`${t.url}/api/auth/user`, { headers: { cookie } })).status).toBe(401);
      // … so its live connections are closed at the next check,
      expect(await t.app.live.connections.recheck(t.db)).toBe(3);
      for (let i = 0; i < 100 && (byCookie.socket.connected || byToken.socket.connected || !sseEnded); i += 1) await new Promise((r) => setTimeout(r, 20));
      expect(byCookie.socket.connected).toBe(false);
      expect(byToken.socket.connected).toBe(false);
      expect(sseEnded).toBe(true);
      // … and a token it asked for before no longer connects.
      const late = recordingClient(t.url, { auth: { token: laterToken.token } });
      clients.push(late);
      await expect(connected(late.socket)).rejects.toThrow('Unauthorized');
    } finally {
      controller.abort();
      await drained;
    }
  });
});
