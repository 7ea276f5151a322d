// The session cookie is an ambient credential: a browser attaches it to every request to the API,
// whatever page sent it. SameSite=Lax keeps it off requests from other sites, not from another
// origin of the same site (a sibling host such as www. beside api., or another port), and a page
// there may send, without any CORS preflight, a POST with no body or a multipart form: pausing a
// campaign, uploading audio or leads, logging the user out. So a change authenticated by the
// cookie must come from a page of the API's own origin (its Host or PUBLIC_BASE_URL) or from a
// client that sends no Origin (not a browser). Reads, and API keys (never sent by a browser on its
// own), are accepted from any origin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign, type Member, PASSWORD, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { makeWav } from '../../crm/audio-fixtures.js';

let t: TestApp;
let owner: Member;
let cookie: string;
let apiKey: string;

const SIBLING = 'https://www.example.com';

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Cross Origin Org');
  apiKey = (await owner.client.POST('/api/api-keys', { body: { name: 'k', role: 'manager' } })).data!.key;
  cookie = await logIn();
});
afterAll(async () => t.close());

async function logIn(): Promise<string> {
  const res = await fetch(`${t.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: owner.email, password: PASSWORD }) });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

async function campaignStatus(id: string): Promise<string> {
  return (await t.db.selectFrom('campaigns').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
}

const pause = (id: string, headers: Record<string, string>) => fetch(`${t.url}/api/campaigns/${id}/pause`, { method: 'POST', headers });

describe('a change authenticated by the session cookie', () => {
  it('is refused from a page of another origin, even of the same site (403, nothing changed)', async () => {
    const campaign = await createCampaign(owner.client, { status: 'active' });
    for (const origin of [SIBLING, 'null', t.url.replace('127.0.0.1', 'localhost')]) {
      const res = await pause(campaign.id, { cookie, origin });
      expect(res.status, origin).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe('FORBIDDEN');
      expect(await campaignStatus(campaign.id)).toBe('active');
    }
  });

  it('is refused as a multipart upload from another origin: nothing stored', async () => {
    const form = new FormData();
    form.append('audio', new Blob([makeWav()], { type: 'audio/wav' }), 'greeting.wav');
    form.append('name', 'Planted greeting');
    const res = await fetch(`${t.url}/api/audio`, { method: 'POST', headers: { cookie, origin: SIBLING }, body: form });
    expect(res.status).toBe(403);
    const stored = await t.db.selectFrom('audio_files').select('id').where('org_id', '=', owner.orgId).execute();
    expect(stored).toEqual([]);
  });

  it('is accepted from the API’s own origin, or without an Origin (not a browser)', async () => {
    const campaign = await createCampaign(owner.client, { status: 'active' });
    expect((await pause(campaign.id, { cookie, origin: t.url })).status).toBe(200);
    const other = await createCampaign(owner.client, { status: 'active' });
    expect((await pause(other.id, { cookie })).status).toBe(200);
    expect(await campaignStatus(other.id)).toBe('paused');
  });

  it('a read by cookie and a change by API key are accepted from any origin', async () => {
    const campaign = await createCampaign(owner.client, { status: 'active' });
    expect((await fetch(`${t.url}/api/campaigns/${campaign.id}`, { headers: { cookie, origin: SIBLING } })).status).toBe(200);
    expect((await pause(campaign.id, { authorization: `Bearer ${apiKey}`, origin: SIBLING })).status).toBe(200);
  });

  it('a logout from another origin is refused and the sessions live on; from the own origin it ends them', async () => {
    const session = await logIn();
    const foreign = await fetch(`${t.url}/api/logout`, { method: 'POST', headers: { cookie: session, origin: SIBLING } });
    expect(foreign.status).toBe(403);
    expect((await fetch(`${t.url}/api/auth/user`, { headers: { cookie: session } })).status).toBe(200);
    const legacy = await fetch(`${t.url}/api/auth/logout`, { method: 'POST', headers: { cookie: session, origin: SIBLING } });
    expect(legacy.status).toBe(403);
    expect((await fetch(`${t.url}/api/auth/user`, { headers: { cookie: session } })).status).toBe(200);
    const own = await fetch(`${t.url}/api/logout`, { method: 'POST', headers: { cookie: session, origin: t.url } });
    expect(own.status).toBe(200);
    expect((await fetch(`${t.url}/api/auth/user`, { headers: { cookie: session } })).status).toBe(401);
  });
});
