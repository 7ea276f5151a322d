// The session cookie is an ambient credential: a browser sends it with a WebSocket handshake
// whatever page opened it, and CORS does not apply to WebSockets (SameSite=Lax only stops pages
// of another site, not another origin of the same site). So a cookie authenticates a Socket.IO
// handshake only from a page of the API's own origin (or a client that sends no Origin: not a
// browser); a token or an API key is not ambient and is accepted from any origin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieOriginAllowed } from '../../server/platform/http/cookie-origin.js';
import { type Member, PASSWORD, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient, type RecordingClient } from '../helpers/live-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let cookie: string;
let apiKey: string;
const clients: RecordingClient[] = [];

function client(options: Parameters<typeof recordingClient>[1]): RecordingClient {
  const c = recordingClient(t.url, options);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Handshake Origin Org');
  apiKey = (await owner.client.POST('/api/api-keys', { body: { name: 'k', role: 'manager' } })).data!.key;
  const res = await fetch(`${t.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: owner.email, password: PASSWORD }) });
  expect(res.status).toBe(200);
  cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
});
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

describe('a Socket.IO handshake by session cookie', () => {
  it('is refused from a page of another origin', async () => {
    for (const origin of ['https://evil.example.com', 'null', `${t.url.replace('127.0.0.1', 'localhost')}`]) {
      const c = client({ extraHeaders: { cookie, origin } });
      await expect(connected(c.socket), origin).rejects.toThrow('Unauthorized');
    }
  });

  it('is accepted from the API’s own origin, or without an Origin (not a browser)', async () => {
    for (const headers of [{ cookie, origin: t.url }, { cookie }] as Record<string, string>[]) await connected(client({ extraHeaders: headers }).socket);
  });

  it('a token or an API key connects from any origin', async () => {
    await connected(client({ auth: { token: apiKey }, extraHeaders: { origin: 'https://partner.example.net' } }).socket);
  });
});

describe('cookieOriginAllowed', () => {
  it('compares the Origin with the Host and the public base URL', () => {
    expect(cookieOriginAllowed(undefined, 'api.example.com', 'https://api.example.com')).toBe(true);
    expect(cookieOriginAllowed('https://api.example.com', 'internal:3000', 'https://api.example.com')).toBe(true);
    expect(cookieOriginAllowed('https://api.example.com:443', 'API.example.com', 'http://internal:3000')).toBe(true);
    expect(cookieOriginAllowed('https://www.example.com', 'api.example.com', 'https://api.example.com')).toBe(false);
    expect(cookieOriginAllowed('null', 'api.example.com', 'https://api.example.com')).toBe(false);
  });
});
