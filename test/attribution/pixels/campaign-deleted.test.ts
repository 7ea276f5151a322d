// A pixel's campaign deleted between the campaign check and the write: the foreign key refuses the
// write, which was a 500; it is the 404 an unknown campaign gets, and nothing is stored.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Member, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// A test may run a step right after the handler has checked the campaign (a concurrent deletion).
const race = vi.hoisted(() => ({ afterCampaignCheck: undefined as (() => Promise<void>) | undefined }));
vi.mock('../../../server/inbound/campaigns/own-campaign.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../server/inbound/campaigns/own-campaign.js')>();
  return {
    ...real,
    ownCampaignId: async (...args: Parameters<typeof real.ownCampaignId>) => {
      const id = await real.ownCampaignId(...args);
      await race.afterCampaignCheck?.();
      return id;
    },
  };
});

let t: TestApp;
let owner: Member;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Pixel Race Org');
});
afterAll(async () => t.close());

const pixel = { name: 'Racing pixel', url: 'https://example.com/track?c=[Call:CallId]', fireOn: ['call_completed' as const] };

describe("a pixel's campaign deleted while the pixel is written", () => {
  it('create: 404 naming the campaign, no pixel stored', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Doomed (create)' });
    race.afterCampaignCheck = async () => {
      race.afterCampaignCheck = undefined;
      await t.db.deleteFrom('campaigns').where('id', '=', campaign.id).execute();
    };
    const answer = await owner.client.POST('/api/tracking-pixels', { body: { ...pixel, campaignId: campaign.id } });
    expect(race.afterCampaignCheck).toBeUndefined();
    expect(answer.response.status).toBe(404);
    expect(answer.error).toMatchObject({ code: 'RESOURCE_NOT_FOUND', details: expect.stringContaining(campaign.id) });
    expect(await t.db.selectFrom('tracking_pixels').select('id').where('org_id', '=', owner.orgId).execute()).toEqual([]);
  });

  it('update: 404, the pixel unchanged', async () => {
    const created = await owner.client.POST('/api/tracking-pixels', { body: pixel });
    expect(created.response.status).toBe(201);
    const campaign = await createCampaign(owner.client, { name: 'Doomed (update)' });
    race.afterCampaignCheck = async () => {
      race.afterCampaignCheck = undefined;
      await t.db.deleteFrom('campaigns').where('id', '=', campaign.id).execute();
    };
    const answer = await owner.client.PUT('/api/tracking-pixels/{id}', { params: { path: { id: String(created.data!.id) } }, body: { campaignId: campaign.id, name: 'Renamed' } });
    expect(answer.response.status).toBe(404);
    const stored = await t.db.selectFrom('tracking_pixels').select(['name', 'campaign_id']).where('id', '=', created.data!.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ name: 'Racing pixel', campaign_id: null });
  });
});
