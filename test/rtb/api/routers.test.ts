import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type Member, addMember, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let other: Member;

// openapi.yaml, createRtbRouter, example "seed001".
const SEED_ROUTER = {
  name: 'Main Router',
  description: 'Primary RTB router',
  biddingTimeoutMs: 5000,
  minBiddersRequired: 2,
  enablePredictiveRouting: true,
  isActive: true,
} as const;

async function createRouter(client: Client, overrides: Record<string, unknown> = {}) {
  const { data, response } = await client.POST('/api/rtb/routers', { body: { name: 'Router', ...overrides } });
  if (response.status !== 201 || !data) throw new Error(`createRtbRouter failed: ${response.status}`);
  return data;
}

async function routerRow(id: number) {
  return t.db.selectFrom('rtb_routers').selectAll().where('id', '=', id).executeTakeFirst();
}

const path = (id: number | string) => ({ params: { path: { id: String(id) } } });

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Router Org');
  other = await registerOrg(t, 'Other Router Org');
});
afterAll(async () => t.close());

describe('RTB routers', () => {
  it('creates the seed 001 router: 201', async () => {
    const { data, response } = await owner.client.POST('/api/rtb/routers', { body: SEED_ROUTER });
    expect(response.status).toBe(201);
    expect(data).toEqual({ ...SEED_ROUTER, id: expect.any(Number), createdAt: expect.any(String), updatedAt: expect.any(String) });
    expect(await routerRow(data!.id)).toMatchObject({ org_id: owner.orgId, name: 'Main Router', bidding_timeout_ms: 5000 });
  });

  it('applies the migration defaults to a minimal body', async () => {
    const router = await createRouter(owner.client, { name: 'Minimal' });
    expect(router).toMatchObject({
      name: 'Minimal',
      description: null,
      biddingTimeoutMs: 3000,
      minBiddersRequired: 1,
      enablePredictiveRouting: false,
      isActive: true,
    });
  });

  it('validates bodies: names, bounds, unknown fields, empty updates', async () => {
    for (const body of [{ name: '' }, { name: 'X', biddingTimeoutMs: 50 }, { name: 'X', minBiddersRequired: 0 }, { name: 'X', orgId: other.orgId }]) {
      const { error, response } = await owner.client.POST('/api/rtb/routers', { body: body as never });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(error?.code).toBe('VALIDATION_ERROR');
    }
    const bad = await owner.client.POST('/api/rtb/routers', { body: { name: 'X', biddingTimeoutMs: 50 } });
    expect(bad.error?.details).toMatchObject({ biddingTimeoutMs: expect.any(String) });
    const router = await createRouter(owner.client);
    const empty = await owner.client.PUT('/api/rtb/routers/{id}', { ...path(router.id), body: {} as never });
    expect(empty.response.status).toBe(400);
  });

  it('lists only the organisation\'s routers', async () => {
    const mine = await createRouter(owner.client, { name: 'Mine' });
    const theirs = await createRouter(other.client, { name: 'Theirs' });
    const { data, response } = await owner.client.GET('/api/rtb/routers');
    expect(response.status).toBe(200);
    const ids = data!.map((r) => r.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
  });

  it('updates only the fields sent', async () => {
    const router = await createRouter(owner.client, SEED_ROUTER);
    const { data, response } = await owner.client.PUT('/api/rtb/routers/{id}', { ...path(router.id), body: { biddingTimeoutMs: 1500, description: null } });
    expect(response.status).toBe(200);
    expect(data).toEqual({ ...router, biddingTimeoutMs: 1500, description: null, updatedAt: expect.any(String) });
    expect(Date.parse(data!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(router.updatedAt));
  });

  it('answers 404 for a malformed id or another organisation\'s router, and leaves it untouched', async () => {
    const theirs = await createRouter(other.client, { name: 'Not yours' });
    for (const id of ['abc', '0', '1e3', '99999999999', String(theirs.id)]) {
      const put = await owner.client.PUT('/api/rtb/routers/{id}', { ...path(id), body: { name: 'Hijacked' } });
      expect(put.response.status, id).toBe(404);
      expect(put.error?.code).toBe('RESOURCE_NOT_FOUND');
      const del = await owner.client.DELETE('/api/rtb/routers/{id}', path(id));
      expect(del.response.status, id).toBe(404);
    }
    expect(await routerRow(theirs.id)).toMatchObject({ name: 'Not yours', org_id: other.orgId });
  });

  it('lets a campaign name its own router, not another organisation\'s', async () => {
    const router = await createRouter(owner.client, { name: 'Campaign router' });
    const theirs = await createRouter(other.client, { name: 'Foreign router' });
    const campaign = await createCampaign(owner.client, { name: 'Routed' });
    const campaignPath = { params: { path: { id: campaign.id } } };

    const named = await owner.client.PUT('/api/campaigns/{id}', { ...campaignPath, body: { rtbRouterId: router.id } });
    expect(named.response.status).toBe(200);
    expect(named.data?.rtbRouterId).toBe(router.id);

    const foreign = await owner.client.PUT('/api/campaigns/{id}', { ...campaignPath, body: { rtbRouterId: theirs.id } });
    expect(foreign.response.status).toBe(400);
    expect(foreign.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { rtbRouterId: expect.any(String) } });
    const createForeign = await owner.client.POST('/api/campaigns', { body: { name: 'Foreign routed', rtbRouterId: theirs.id } });
    expect(createForeign.response.status).toBe(400);
    expect(createForeign.error?.details).toMatchObject({ rtbRouterId: expect.any(String) });
    expect((await owner.client.GET('/api/campaigns/{id}', campaignPath)).data?.rtbRouterId).toBe(router.id);
  });

  it('deletes a router; campaigns naming it fall back to null', async () => {
    const router = await createRouter(owner.client, { name: 'Doomed router' });
    const campaign = await createCampaign(owner.client, { name: 'Orphaned', rtbRouterId: router.id });
    expect(campaign.rtbRouterId).toBe(router.id);
    const del = await owner.client.DELETE('/api/rtb/routers/{id}', path(router.id));
    expect(del.response.status).toBe(204);
    expect(await routerRow(router.id)).toBeUndefined();
    const after = await owner.client.GET('/api/campaigns/{id}', { params: { path: { id: campaign.id } } });
    expect(after.response.status).toBe(200);
    expect(after.data).toMatchObject({ name: 'Orphaned', rtbRouterId: null });
    const again = await owner.client.DELETE('/api/rtb/routers/{id}', path(router.id));
    expect(again.response.status).toBe(404);
    const list = await owner.client.GET('/api/rtb/routers');
    expect(list.data?.map((r) => r.id)).not.toContain(router.id);
  });

  it('applies the role matrix: agents nothing, managers read and write, admins delete', async () => {
    const router = await createRouter(owner.client, { name: 'Roles' });
    const agent = await addMember(t, owner, 'agent');
    const manager = await addMember(t, owner, 'manager');
    const admin = await addMember(t, owner, 'admin');
    expect((await agent.client.GET('/api/rtb/routers')).response.status).toBe(403);
    const managerList = await manager.client.GET('/api/rtb/routers');
    expect(managerList.response.status).toBe(200);
    expect(managerList.data?.map((r) => r.id)).toContain(router.id);
    const agentCreate = await agent.client.POST('/api/rtb/routers', { body: { name: 'Nope' } });
    expect(agentCreate.response.status).toBe(403);
    expect(agentCreate.error?.code).toBe('FORBIDDEN');
    expect((await agent.client.PUT('/api/rtb/routers/{id}', { ...path(router.id), body: { name: 'Nope' } })).response.status).toBe(403);
    expect((await manager.client.POST('/api/rtb/routers', { body: { name: 'Yes' } })).response.status).toBe(201);
    expect((await manager.client.PUT('/api/rtb/routers/{id}', { ...path(router.id), body: { name: 'Managed' } })).data?.name).toBe('Managed');
    expect((await manager.client.DELETE('/api/rtb/routers/{id}', path(router.id))).response.status).toBe(403);
    expect((await admin.client.DELETE('/api/rtb/routers/{id}', path(router.id))).response.status).toBe(204);
    expect((await t.client().GET('/api/rtb/routers')).response.status).toBe(401);
  });
});
