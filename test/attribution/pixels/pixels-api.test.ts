// Tracking pixels API (issue 5): CRUD scoped by organisation, the write-only signing secret, the
// role matrix, the outbound guard's save-time check on the URL and the campaign filter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '../../../client/index.js';
import { type Member, addMember, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

type PixelCreate = components['schemas']['TrackingPixelCreate'];

// openapi.yaml, createTrackingPixel's example (seed 000).
const SEED_000 = {
  name: 'New Tracking Pixel',
  url: 'https://example.com/track?id=[tag:User:clickid]&value=[Call:ConversionPayout]',
  isActive: true,
  fireOn: ['call_completed'],
} satisfies PixelCreate;

const SECRET = 'whsec_0123456789abcdef';

let t: TestApp;
let owner: Member;
let other: Member;

const path = (id: number | string) => ({ params: { path: { id: String(id) } } });

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Pixel Org');
  other = await registerOrg(t, 'Other Pixel Org');
});
afterAll(async () => t.close());

describe('tracking pixels: CRUD', () => {
  it('creates the seed 000 pixel with defaults and reads it back, in the list too', async () => {
    const created = await owner.client.POST('/api/tracking-pixels', { body: SEED_000 });
    expect(created.response.status).toBe(201);
    const pixel = created.data!;
    expect(pixel).toMatchObject({
      ...SEED_000,
      method: 'GET',
      campaignId: null,
      hasSigningSecret: false,
      deliveries: { pending: 0, delivered: 0, failed: 0 },
    });
    const read = await owner.client.GET('/api/tracking-pixels/{id}', path(pixel.id));
    expect(read.response.status).toBe(200);
    expect(read.data).toEqual(pixel);
    const list = await owner.client.GET('/api/tracking-pixels');
    expect(list.response.status).toBe(200);
    expect(list.data!.map((p) => p.id)).toContain(pixel.id);
  });

  it('changes only the fields sent, then deletes (404 afterwards)', async () => {
    const { data: pixel } = await owner.client.POST('/api/tracking-pixels', { body: { ...SEED_000, name: 'To change' } });
    const updated = await owner.client.PUT('/api/tracking-pixels/{id}', {
      ...path(pixel!.id),
      body: { isActive: false, method: 'POST', fireOn: ['call_started', 'conversion'] },
    });
    expect(updated.response.status).toBe(200);
    expect(updated.data).toMatchObject({ name: 'To change', url: SEED_000.url, isActive: false, method: 'POST', fireOn: ['call_started', 'conversion'] });
    expect(Date.parse(updated.data!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(pixel!.updatedAt));

    const deleted = await owner.client.DELETE('/api/tracking-pixels/{id}', path(pixel!.id));
    expect(deleted.response.status).toBe(204);
    const gone = await owner.client.GET('/api/tracking-pixels/{id}', path(pixel!.id));
    expect(gone.response.status).toBe(404);
    const again = await owner.client.DELETE('/api/tracking-pixels/{id}', path(pixel!.id));
    expect(again.response.status).toBe(404);
  });

  it('keeps the signing secret write-only: stored, answered only as hasSigningSecret, removable with null', async () => {
    const created = await owner.client.POST('/api/tracking-pixels', { body: { ...SEED_000, signingSecret: SECRET } });
    expect(created.response.status).toBe(201);
    expect(created.data!.hasSigningSecret).toBe(true);
    const id = created.data!.id;
    for (const answer of [created.data, (await owner.client.GET('/api/tracking-pixels/{id}', path(id))).data, (await owner.client.GET('/api/tracking-pixels')).data]) {
      expect(JSON.stringify(answer)).not.toContain(SECRET);
    }
    const row = await t.db.selectFrom('tracking_pixels').select('signing_secret').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.signing_secret).toBe(SECRET);

    const renamed = await owner.client.PUT('/api/tracking-pixels/{id}', { ...path(id), body: { name: 'Signed' } });
    expect(renamed.data!.hasSigningSecret).toBe(true);
    const cleared = await owner.client.PUT('/api/tracking-pixels/{id}', { ...path(id), body: { signingSecret: null } });
    expect(cleared.response.status).toBe(200);
    expect(cleared.data!.hasSigningSecret).toBe(false);
  });

  it('counts deliveries by status', async () => {
    const { data: pixel } = await owner.client.POST('/api/tracking-pixels', { body: { ...SEED_000, name: 'Counted' } });
    const row = (status: 'pending' | 'delivered' | 'failed') => ({
      org_id: owner.orgId,
      pixel_id: pixel!.id,
      call_id: null,
      event: 'call_completed',
      method: 'GET',
      url: 'https://example.com/',
      status,
    });
    await t.db.insertInto('pixel_deliveries').values([row('pending'), row('delivered'), row('delivered'), row('failed')]).execute();
    const read = await owner.client.GET('/api/tracking-pixels/{id}', path(pixel!.id));
    expect(read.data!.deliveries).toEqual({ pending: 1, delivered: 2, failed: 1 });
    const listed = (await owner.client.GET('/api/tracking-pixels')).data!.find((p) => p.id === pixel!.id);
    expect(listed!.deliveries).toEqual({ pending: 1, delivered: 2, failed: 1 });
  });

  it('filters by one of the caller’s campaigns; another organisation’s campaign is a 404', async () => {
    const mine = await createCampaign(owner.client, { name: 'Pixel campaign', enableRtb: false });
    const theirs = await createCampaign(other.client, { name: 'Their campaign', enableRtb: false });
    const created = await owner.client.POST('/api/tracking-pixels', { body: { ...SEED_000, campaignId: mine.id } });
    expect(created.response.status).toBe(201);
    expect(created.data!.campaignId).toBe(mine.id);

    const foreign = await owner.client.POST('/api/tracking-pixels', { body: { ...SEED_000, campaignId: theirs.id } });
    expect(foreign.response.status).toBe(404);
    expect(foreign.error).toMatchObject({ code: 'RESOURCE_NOT_FOUND' });
    const foreignUpdate = await owner.client.PUT('/api/tracking-pixels/{id}', { ...path(created.data!.id), body: { campaignId: theirs.id } });
    expect(foreignUpdate.response.status).toBe(404);

    const everyCampaign = await owner.client.PUT('/api/tracking-pixels/{id}', { ...path(created.data!.id), body: { campaignId: null } });
    expect(everyCampaign.data!.campaignId).toBeNull();
  });
});

describe('tracking pixels: tenancy and roles', () => {
  it('answers 404 for another organisation’s pixel, whatever the operation, and changes nothing', async () => {
    const { data: pixel } = await owner.client.POST('/api/tracking-pixels', { body: { ...SEED_000, name: 'Private' } });
    const id = pixel!.id;
    expect((await other.client.GET('/api/tracking-pixels/{id}', path(id))).response.status).toBe(404);
    expect((await other.client.PUT('/api/tracking-pixels/{id}', { ...path(id), body: { name: 'Stolen' } })).response.status).toBe(404);
    expect((await other.client.DELETE('/api/tracking-pixels/{id}', path(id))).response.status).toBe(404);
    expect((await other.client.GET('/api/tracking-pixels')).data!.map((p) => p.id)).not.toContain(id);
    expect((await owner.client.GET('/api/tracking-pixels/{id}', path(id))).data!.name).toBe('Private');
  });

  it('answers 404 for malformed ids', async () => {
    for (const id of ['abc', '0', '99999999999', '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b']) {
      expect((await owner.client.GET('/api/tracking-pixels/{id}', path(id))).response.status).toBe(404);
    }
  });

  it('lets managers read and write; agents neither (postback URLs carry the networks\' tokens)', async () => {
    const agent = await addMember(t, owner, 'agent');
    const manager = await addMember(t, owner, 'manager');
    const made = await manager.client.POST('/api/tracking-pixels', { body: { ...SEED_000, name: 'By manager' } });
    expect(made.response.status).toBe(201);
    const id = made.data!.id;
    expect((await agent.client.GET('/api/tracking-pixels')).response.status).toBe(403);
    expect((await agent.client.GET('/api/tracking-pixels/{id}', path(id))).response.status).toBe(403);
    expect((await manager.client.GET('/api/tracking-pixels')).response.status).toBe(200);
    expect((await manager.client.GET('/api/tracking-pixels/{id}', path(id))).response.status).toBe(200);
    expect((await agent.client.POST('/api/tracking-pixels', { body: SEED_000 })).response.status).toBe(403);
    expect((await agent.client.PUT('/api/tracking-pixels/{id}', { ...path(id), body: { name: 'x' } })).response.status).toBe(403);
    expect((await agent.client.DELETE('/api/tracking-pixels/{id}', path(id))).response.status).toBe(403);
    expect((await manager.client.PUT('/api/tracking-pixels/{id}', { ...path(id), body: { name: 'Renamed' } })).response.status).toBe(200);
    expect((await manager.client.DELETE('/api/tracking-pixels/{id}', path(id))).response.status).toBe(204);
  });
});

describe('tracking pixels: the URL', () => {
  it.each([
    ['a metadata address', 'http://169.254.169.254/latest/meta-data?x=[Call:CallSid]'],
    ['a private address', 'https://10.0.0.8/pixel'],
    ['an internal host name', 'http://metadata.google.internal/pixel'],
    ['a non-http scheme', 'ftp://example.com/pixel'],
    ['no URL at all', 'not a url [Call:CallSid]'],
  ])('refuses %s with a 400 naming url', async (_label, url) => {
    const { response, error } = await owner.client.POST('/api/tracking-pixels', { body: { ...SEED_000, url } });
    expect(response.status).toBe(400);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { url: expect.any(String) } });
  });

  it('accepts macros anywhere in a valid URL, the host included, and refuses a private one on update', async () => {
    const url = 'https://[tag:Session:utm_source].example.com/p/[Call:CampaignId]?caller=[Call:CallerId]&t=[Call:Timestamp]';
    const created = await owner.client.POST('/api/tracking-pixels', { body: { ...SEED_000, url } });
    expect(created.response.status).toBe(201);
    expect(created.data!.url).toBe(url);
    const refused = await owner.client.PUT('/api/tracking-pixels/{id}', { ...path(created.data!.id), body: { url: 'http://192.168.1.1/p' } });
    expect(refused.response.status).toBe(400);
    expect(refused.error).toMatchObject({ details: { url: expect.any(String) } });
    expect((await owner.client.GET('/api/tracking-pixels/{id}', path(created.data!.id))).data!.url).toBe(url);
  });

  it('refuses a loopback URL when the allow-list does not include it (OUTBOUND_ALLOW_PRIVATE empty)', async () => {
    const strict = await startTestApp({ env: { OUTBOUND_ALLOW_PRIVATE: '' } });
    try {
      const member = await registerOrg(strict, 'Strict Pixel Org');
      const { response, error } = await member.client.POST('/api/tracking-pixels', {
        body: { ...SEED_000, url: 'http://127.0.0.1:8080/pixel?c=[Call:CallerId]' },
      });
      expect(response.status).toBe(400);
      expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { url: expect.stringContaining('127.0.0.1') } });
    } finally {
      await strict.close();
    }
  });

  it('accepts the same loopback URL when it is allow-listed (the test default)', async () => {
    const { response } = await owner.client.POST('/api/tracking-pixels', { body: { ...SEED_000, url: 'http://127.0.0.1:8080/pixel?c=[Call:CallerId]' } });
    expect(response.status).toBe(201);
  });
});
