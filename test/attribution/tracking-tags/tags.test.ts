// Tracking tags: CRUD scoped by organisation, generated and unique tag codes, the role matrix, and
// the public DNI snippet (headers, no-op for unknown/inactive/malformed tags, safe encoding).
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '../../../client/index.js';
import { type Member, addMember, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { NOOP_SNIPPET } from '../../../server/attribution/tracking-tags/snippet.js';

type TrackingTag = components['schemas']['TrackingTag'];

let t: TestApp;
let owner: Member;
let other: Member;

const id = (value: number | string) => ({ params: { path: { id: String(value) } } });

async function createPool(member: Member, name = 'Pool'): Promise<number> {
  const { data, response } = await member.client.POST('/api/number-pools', { body: { name } });
  if (response.status !== 201 || !data) throw new Error(`createNumberPool failed: ${response.status}`);
  return data.id;
}

async function createTag(member: Member, body: components['schemas']['TrackingTagCreate']): Promise<TrackingTag> {
  const { data, response } = await member.client.POST('/api/tracking-tags', { body });
  if (response.status !== 201 || !data) throw new Error(`createTrackingTag failed: ${response.status}`);
  return data;
}

async function snippet(tagCode: string): Promise<{ status: number; type: string | null; cache: string | null; text: string }> {
  const res = await fetch(`${t.url}/dni/${tagCode}.js`);
  return { status: res.status, type: res.headers.get('content-type'), cache: res.headers.get('cache-control'), text: await res.text() };
}

beforeAll(async () => {
  t = await startTestApp({ env: { PUBLIC_BASE_URL: 'https://calls.example.com' } });
  owner = await registerOrg(t, 'Tags Org');
  other = await registerOrg(t, 'Other Tags Org');
});
afterAll(async () => t.close());

describe('tracking tags: CRUD', () => {
  it('creates the seed 001 body (uuid campaignId) with the script line to paste', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Tag campaign' });
    const poolId = await createPool(owner);
    const seed = { name: 'Landing Page Tag', tagCode: 'landing_page_2025', campaignId: campaign.id, poolId, defaultNumber: '+12125550100', isActive: true };
    const created = await owner.client.POST('/api/tracking-tags', { body: seed });
    expect(created.response.status).toBe(201);
    expect(created.data).toEqual({
      ...seed,
      id: expect.any(Number),
      numberSelector: '[data-ccp-number]',
      javascriptCode: '<script src="https://calls.example.com/dni/landing_page_2025.js" async></script>',
      snippetUrl: 'https://calls.example.com/dni/landing_page_2025.js',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });

    const fetched = await owner.client.GET('/api/tracking-tags/{id}', id(created.data!.id));
    expect(fetched.response.status).toBe(200);
    expect(fetched.data).toEqual(created.data);
    const list = await owner.client.GET('/api/tracking-tags');
    expect(list.response.status).toBe(200);
    expect(list.data).toContainEqual(created.data);
    const otherList = await other.client.GET('/api/tracking-tags');
    expect(otherList.data).toEqual([]);
  });

  it('generates a tag code when none is given, and defaults the rest', async () => {
    const tag = await createTag(owner, { name: 'Generated' });
    expect(tag.tagCode).toMatch(/^tag_[0-9a-z]{12}$/);
    expect(tag).toMatchObject({ campaignId: null, poolId: null, defaultNumber: null, numberSelector: '[data-ccp-number]', isActive: true });
    expect(tag.snippetUrl).toBe(`https://calls.example.com/dni/${tag.tagCode}.js`);
    expect(tag.javascriptCode).toBe(`<script src="https://calls.example.com/dni/${tag.tagCode}.js" async></script>`);
    const second = await createTag(owner, { name: 'Generated too' });
    expect(second.tagCode).not.toBe(tag.tagCode);
  });

  it('answers 409 naming tagCode on a duplicate code (also across organisations)', async () => {
    await createTag(owner, { name: 'First', tagCode: 'dup_code' });
    for (const member of [owner, other]) {
      const dup = await member.client.POST('/api/tracking-tags', { body: { name: 'Second', tagCode: 'dup_code' } });
      expect(dup.response.status).toBe(409);
      expect(dup.error?.code).toBe('CONFLICT');
      expect(dup.error?.details).toMatchObject({ tagCode: expect.stringContaining('dup_code') });
    }
  });

  it('updates only the fields sent', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Update campaign' });
    const poolId = await createPool(owner, 'Update pool');
    const tag = await createTag(owner, { name: 'Before', defaultNumber: '+12125550100' });
    const changed = await owner.client.PUT('/api/tracking-tags/{id}', { ...id(tag.id), body: { name: 'After', campaignId: campaign.id, poolId, numberSelector: '.phone' } });
    expect(changed.response.status).toBe(200);
    expect(changed.data).toMatchObject({ id: tag.id, name: 'After', tagCode: tag.tagCode, campaignId: campaign.id, poolId, defaultNumber: '+12125550100', numberSelector: '.phone', isActive: true });
    const cleared = await owner.client.PUT('/api/tracking-tags/{id}', { ...id(tag.id), body: { campaignId: null, poolId: null, defaultNumber: null, isActive: false } });
    expect(cleared.data).toMatchObject({ name: 'After', campaignId: null, poolId: null, defaultNumber: null, numberSelector: '.phone', isActive: false });
    expect((await owner.client.GET('/api/tracking-tags/{id}', id(tag.id))).data).toEqual(cleared.data);
  });

  it('validates bodies', async () => {
    const bad = [
      { name: '' },
      { name: 'X', tagCode: 'a b' },
      { name: 'X', tagCode: 'ab' },
      { name: 'X', defaultNumber: '2125550100' },
      { name: 'X', campaignId: 'nope' },
      { name: 'X', orgId: other.orgId },
    ];
    for (const body of bad) {
      const res = await owner.client.POST('/api/tracking-tags', { body: body as never });
      expect(res.response.status, JSON.stringify(body)).toBe(400);
    }
    const tag = await createTag(owner, { name: 'Validated' });
    expect((await owner.client.PUT('/api/tracking-tags/{id}', { ...id(tag.id), body: {} })).response.status).toBe(400);
    expect((await owner.client.PUT('/api/tracking-tags/{id}', { ...id(tag.id), body: { tagCode: 'changed' } as never })).response.status).toBe(400);
  });

  it('deletes a tag; its snippet then changes nothing', async () => {
    const tag = await createTag(owner, { name: 'Doomed', tagCode: 'doomed_tag' });
    expect((await snippet('doomed_tag')).text).not.toBe(NOOP_SNIPPET);
    expect((await owner.client.DELETE('/api/tracking-tags/{id}', id(tag.id))).response.status).toBe(204);
    expect((await owner.client.GET('/api/tracking-tags/{id}', id(tag.id))).response.status).toBe(404);
    expect((await owner.client.DELETE('/api/tracking-tags/{id}', id(tag.id))).response.status).toBe(404);
    expect((await snippet('doomed_tag')).text).toBe(NOOP_SNIPPET);
  });
});

describe('tracking tags: tenancy', () => {
  it("answers 404 for another organisation's tag, unknown and malformed ids", async () => {
    const theirs = await createTag(other, { name: 'Theirs' });
    for (const raw of [String(theirs.id), 'abc', '0', '2147483647', '99999999999']) {
      expect((await owner.client.GET('/api/tracking-tags/{id}', id(raw))).response.status).toBe(404);
      expect((await owner.client.PUT('/api/tracking-tags/{id}', { ...id(raw), body: { name: 'Mine' } })).response.status).toBe(404);
      expect((await owner.client.DELETE('/api/tracking-tags/{id}', id(raw))).response.status).toBe(404);
    }
    const still = await other.client.GET('/api/tracking-tags/{id}', id(theirs.id));
    expect(still.data).toEqual(theirs);
  });

  it("answers 404 for another organisation's campaign or pool, on create and update", async () => {
    const campaign = await createCampaign(other.client, { name: 'Their campaign' });
    const poolId = await createPool(other, 'Their pool');
    const mine = await createTag(owner, { name: 'Mine' });
    const attempts = [
      { campaignId: campaign.id },
      { campaignId: '00000000-0000-4000-8000-000000000000' },
      { poolId },
      { poolId: 2147483647 },
    ];
    for (const fields of attempts) {
      const created = await owner.client.POST('/api/tracking-tags', { body: { name: 'X', ...fields } });
      expect(created.response.status, JSON.stringify(fields)).toBe(404);
      expect(created.error?.code).toBe('RESOURCE_NOT_FOUND');
      const updated = await owner.client.PUT('/api/tracking-tags/{id}', { ...id(mine.id), body: fields });
      expect(updated.response.status, JSON.stringify(fields)).toBe(404);
    }
    expect((await owner.client.GET('/api/tracking-tags/{id}', id(mine.id))).data).toEqual(mine);
  });
});

describe('tracking tags: role matrix', () => {
  it('lets agents read and managers write', async () => {
    const agent = await addMember(t, owner, 'agent');
    const manager = await addMember(t, owner, 'manager');
    const tag = await createTag(owner, { name: 'Roles' });
    expect((await agent.client.GET('/api/tracking-tags')).response.status).toBe(200);
    expect((await agent.client.GET('/api/tracking-tags/{id}', id(tag.id))).data).toEqual(tag);
    expect((await agent.client.POST('/api/tracking-tags', { body: { name: 'Agent' } })).response.status).toBe(403);
    expect((await agent.client.PUT('/api/tracking-tags/{id}', { ...id(tag.id), body: { name: 'Agent' } })).response.status).toBe(403);
    expect((await agent.client.DELETE('/api/tracking-tags/{id}', id(tag.id))).response.status).toBe(403);

    const created = await manager.client.POST('/api/tracking-tags', { body: { name: 'Manager' } });
    expect(created.response.status).toBe(201);
    expect((await manager.client.PUT('/api/tracking-tags/{id}', { ...id(created.data!.id), body: { name: 'Managed' } })).response.status).toBe(200);
    expect((await manager.client.DELETE('/api/tracking-tags/{id}', id(created.data!.id))).response.status).toBe(204);

    const anonymous = t.client();
    expect((await anonymous.GET('/api/tracking-tags')).response.status).toBe(401);
  });
});

describe('the DNI snippet', () => {
  it('serves an active tag as small, cacheable JavaScript that calls the track endpoint', async () => {
    await createTag(owner, { name: 'Snippet', tagCode: 'snippet_tag' });
    const res = await snippet('snippet_tag');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/javascript; charset=utf-8');
    expect(res.cache).toBe('public, max-age=300');
    expect(Buffer.byteLength(res.text)).toBeLessThan(3 * 1024);
    expect(() => new Script(res.text)).not.toThrow();
    expect(res.text).toContain('"https://calls.example.com/api/dni/track"');
    expect(res.text).toContain('"snippet_tag"');
    expect(res.text).toContain('"[data-ccp-number]"');
    expect(res.text).not.toBe(NOOP_SNIPPET);
  });

  it('serves the no-op (200, never 404) for unknown, inactive and malformed tags', async () => {
    const tag = await createTag(owner, { name: 'Inactive', tagCode: 'inactive_tag', isActive: false });
    for (const code of ['unknown_tag', tag.tagCode, 'a', 'bad%20code', 'x'.repeat(65)]) {
      const res = await snippet(code);
      expect(res.status, code).toBe(200);
      expect(res.type).toBe('application/javascript; charset=utf-8');
      expect(res.cache).toBe('public, max-age=300');
      expect(res.text, code).toBe(NOOP_SNIPPET);
    }
    expect(() => new Script(NOOP_SNIPPET)).not.toThrow();
    await owner.client.PUT('/api/tracking-tags/{id}', { ...id(tag.id), body: { isActive: true } });
    expect((await snippet(tag.tagCode)).text).not.toBe(NOOP_SNIPPET);
  });

  it('JSON-encodes a hostile selector so that it cannot end the script or inject code', async () => {
    const selector = `a[title="x"]</script><script>alert(1)</script>'\u2028\\`;
    await createTag(owner, { name: 'Hostile', tagCode: 'hostile_tag', numberSelector: selector });
    const res = await snippet('hostile_tag');
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/<\/?script/i);
    expect(res.text).not.toContain('\u2028');
    expect(() => new Script(res.text)).not.toThrow();
    // The configuration object decodes back to the very selector.
    const config = /var C=(\{.*?\}),CI=/.exec(res.text);
    expect(config).not.toBeNull();
    expect(JSON.parse(config![1]!)).toEqual({ t: 'hostile_tag', s: selector, u: 'https://calls.example.com/api/dni/track' });
  });
});
