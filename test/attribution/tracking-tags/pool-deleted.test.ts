// A tag's pool deleted between the pool check and the write, the body naming a campaign too: the
// foreign key refuses the write, and the 404 must name what is gone — the pool — not the campaign,
// which still exists. Nothing is stored or changed.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Member, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// A test may run a step right after the handler has checked the pool (a concurrent deletion).
const race = vi.hoisted(() => ({ afterPoolCheck: undefined as (() => Promise<void>) | undefined }));
vi.mock('../../../server/inbound/number-pools/queries.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../server/inbound/number-pools/queries.js')>();
  return {
    ...real,
    poolExistsInOrg: async (...args: Parameters<typeof real.poolExistsInOrg>) => {
      const exists = await real.poolExistsInOrg(...args);
      await race.afterPoolCheck?.();
      return exists;
    },
  };
});

let t: TestApp;
let owner: Member;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Tag Race Org');
});
afterAll(async () => t.close());

async function doomedPool(name: string): Promise<number> {
  const { data, response } = await owner.client.POST('/api/number-pools', { body: { name } });
  expect(response.status).toBe(201);
  const poolId = data!.id;
  race.afterPoolCheck = async () => {
    race.afterPoolCheck = undefined;
    await t.db.deleteFrom('number_pools').where('id', '=', poolId).execute();
  };
  return poolId;
}

describe("a tag's pool deleted while the tag is written (a campaign named too)", () => {
  it('create: 404 naming the pool, no tag stored', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Kept (create)' });
    const poolId = await doomedPool('Doomed (create)');
    const answer = await owner.client.POST('/api/tracking-tags', { body: { name: 'Racing tag', campaignId: campaign.id, poolId } });
    expect(race.afterPoolCheck).toBeUndefined();
    expect(answer.response.status).toBe(404);
    expect(answer.error).toMatchObject({ code: 'RESOURCE_NOT_FOUND', details: `Number pool with ID '${poolId}' not found` });
    expect(await t.db.selectFrom('tracking_tags').select('id').where('org_id', '=', owner.orgId).execute()).toEqual([]);
  });

  it('update: 404 naming the pool, the tag unchanged', async () => {
    const created = await owner.client.POST('/api/tracking-tags', { body: { name: 'Racing tag' } });
    expect(created.response.status).toBe(201);
    const campaign = await createCampaign(owner.client, { name: 'Kept (update)' });
    const poolId = await doomedPool('Doomed (update)');
    const answer = await owner.client.PUT('/api/tracking-tags/{id}', { params: { path: { id: String(created.data!.id) } }, body: { campaignId: campaign.id, poolId, name: 'Renamed' } });
    expect(answer.response.status).toBe(404);
    expect(answer.error).toMatchObject({ code: 'RESOURCE_NOT_FOUND', details: `Number pool with ID '${poolId}' not found` });
    const stored = await t.db.selectFrom('tracking_tags').select(['name', 'campaign_id', 'pool_id']).where('id', '=', created.data!.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ name: 'Racing tag', campaign_id: null, pool_id: null });
  });
});
