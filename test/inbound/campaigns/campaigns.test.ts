import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Member, SEED_CAMPAIGN, addMember, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// A test may run a step right after the handler has checked the RTB router (a concurrent deletion).
const race = vi.hoisted(() => ({ afterRouterCheck: undefined as (() => Promise<void>) | undefined }));
vi.mock('../../../server/rtb/routers/queries.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../server/rtb/routers/queries.js')>();
  return {
    ...real,
    findRouterInOrg: async (...args: Parameters<typeof real.findRouterInOrg>) => {
      const row = await real.findRouterInOrg(...args);
      await race.afterRouterCheck?.();
      return row;
    },
  };
});

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Campaign Org');
});
afterAll(async () => t.close());

describe('campaigns', () => {
  it('creates seed 000 campaign with a 32-hex rtbId', async () => {
    const { data, response } = await owner.client.POST('/api/campaigns', { body: { ...SEED_CAMPAIGN, phoneNumber: '+1234567890' } });
    expect(response.status).toBe(201);
    expect(data?.rtbId).toMatch(/^[0-9a-f]{32}$/);
    expect(data).toMatchObject({ ...SEED_CAMPAIGN, phoneNumber: '+1234567890', direction: 'inbound' });
  });

  it('answers 400 VALIDATION_ERROR naming name for {"name": ""}', async () => {
    const { error, response } = await owner.client.POST('/api/campaigns', { body: { name: '' } });
    expect(response.status).toBe(400);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { name: expect.any(String) } });
  });

  it('answers 401 without a cookie', async () => {
    const { error, response } = await t.client().GET('/api/campaigns');
    expect(response.status).toBe(401);
    expect(error?.code).toBe('UNAUTHORIZED');
  });

  it('answers 404 for an unknown or malformed id', async () => {
    for (const id of ['invalid-id', '00000000-0000-4000-8000-000000000000', "1' OR '1'='1"]) {
      const { error, response } = await owner.client.GET('/api/campaigns/{id}', { params: { path: { id } } });
      expect(response.status).toBe(404);
      expect(error?.code).toBe('RESOURCE_NOT_FOUND');
    }
  });

  it('updates only the fields sent, and the rtb-config', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Before' });
    const updated = await owner.client.PUT('/api/campaigns/{id}', {
      params: { path: { id: campaign.id } },
      body: { name: 'Updated Campaign', status: 'paused', enableRtb: false },
    });
    expect(updated.response.status).toBe(200);
    expect(updated.data).toMatchObject({ name: 'Updated Campaign', status: 'paused', enableRtb: false, rtbId: campaign.rtbId, biddingTimeoutMs: 3000 });
    const rtb = await owner.client.PUT('/api/campaigns/{id}/rtb-config', {
      params: { path: { id: campaign.id } },
      body: { enableRtb: true, minBiddersRequired: 3, biddingTimeoutMs: 5000, callerIdRequired: true },
    });
    expect(rtb.data).toMatchObject({ enableRtb: true, minBiddersRequired: 3, biddingTimeoutMs: 5000, callerIdRequired: true, name: 'Updated Campaign' });
  });

  it('refuses mass assignment of id, orgId, rtbId and timestamps, changing nothing', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Guarded' });
    for (const extra of [{ id: '00000000-0000-4000-8000-000000000000' }, { orgId: owner.orgId }, { rtbId: 'f'.repeat(32) }, { createdAt: '2020-01-01T00:00:00Z' }]) {
      const field = Object.keys(extra)[0]!;
      const put = await owner.client.PUT('/api/campaigns/{id}', {
        params: { path: { id: campaign.id } },
        body: { name: 'Hijacked', ...extra } as never,
      });
      expect(put.response.status).toBe(400);
      expect(put.error?.details).toMatchObject({ [field]: 'is not allowed' });
      const post = await owner.client.POST('/api/campaigns', { body: { name: 'Injected', ...extra } as never });
      expect(post.response.status).toBe(400);
    }
    const after = await owner.client.GET('/api/campaigns/{id}', { params: { path: { id: campaign.id } } });
    expect(after.data).toEqual(campaign);
    const list = await owner.client.GET('/api/campaigns');
    expect(list.data?.some((c) => c.name === 'Injected' || c.name === 'Hijacked')).toBe(false);
  });

  it('does not coerce types in bodies', async () => {
    const { error, response } = await owner.client.POST('/api/campaigns', { body: { name: 5, enableRtb: 'true' } as never });
    expect(response.status).toBe(400);
    expect(error?.details).toMatchObject({ name: expect.any(String), enableRtb: expect.any(String) });
  });

  it('answers 409 naming phoneNumber when the tracking number is taken', async () => {
    await createCampaign(owner.client, { phoneNumber: '+14155550100' });
    const { error, response } = await owner.client.POST('/api/campaigns', { body: { name: 'Dup', phoneNumber: '+14155550100' } });
    expect(response.status).toBe(409);
    expect(error).toMatchObject({ code: 'CONFLICT', details: { phoneNumber: expect.any(String) } });
  });

  it('answers 400 naming rtbRouterId (not 500) when the router is deleted while a campaign is written, changing nothing', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Router race' });
    for (const write of ['create', 'update'] as const) {
      const router = await owner.client.POST('/api/rtb/routers', { body: { name: `Doomed router (${write})` } });
      expect(router.response.status).toBe(201);
      const rtbRouterId = router.data!.id;
      race.afterRouterCheck = async () => {
        race.afterRouterCheck = undefined;
        await t.db.deleteFrom('rtb_routers').where('id', '=', rtbRouterId).execute();
      };
      const answer =
        write === 'create'
          ? await owner.client.POST('/api/campaigns', { body: { name: 'With a doomed router', rtbRouterId } })
          : await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaign.id } }, body: { name: 'Renamed', rtbRouterId } });
      expect(race.afterRouterCheck).toBeUndefined();
      expect(answer.response.status).toBe(400);
      expect(answer.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { rtbRouterId: expect.any(String) } });
    }
    const after = await owner.client.GET('/api/campaigns/{id}', { params: { path: { id: campaign.id } } });
    expect(after.data).toEqual(campaign);
    expect((await owner.client.GET('/api/campaigns')).data?.some((c) => c.name === 'With a doomed router')).toBe(false);
  });

  it('lists by status and deletes', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Paused one', status: 'paused' });
    const paused = await owner.client.GET('/api/campaigns', { params: { query: { status: 'paused' } } });
    expect(paused.data?.map((c) => c.id)).toContain(campaign.id);
    expect(paused.data?.every((c) => c.status === 'paused')).toBe(true);
    const bad = await owner.client.GET('/api/campaigns', { params: { query: { status: 'bogus' as never } } });
    expect(bad.response.status).toBe(400);
    const del = await owner.client.DELETE('/api/campaigns/{id}', { params: { path: { id: campaign.id } } });
    expect(del.response.status).toBe(204);
    const gone = await owner.client.GET('/api/campaigns/{id}', { params: { path: { id: campaign.id } } });
    expect(gone.response.status).toBe(404);
  });

  it('applies the role matrix: agents read, managers write, admins delete', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Roles' });
    const agent = await addMember(t, owner, 'agent');
    const manager = await addMember(t, owner, 'manager');
    expect((await agent.client.GET('/api/campaigns')).response.status).toBe(200);
    const agentCreate = await agent.client.POST('/api/campaigns', { body: { name: 'Nope' } });
    expect(agentCreate.response.status).toBe(403);
    expect(agentCreate.error?.code).toBe('FORBIDDEN');
    expect((await manager.client.POST('/api/campaigns', { body: { name: 'Yes' } })).response.status).toBe(201);
    const managerDelete = await manager.client.DELETE('/api/campaigns/{id}', { params: { path: { id: campaign.id } } });
    expect(managerDelete.response.status).toBe(403);
    expect((await owner.client.GET('/api/campaigns/{id}', { params: { path: { id: campaign.id } } })).response.status).toBe(200);
  });
});
