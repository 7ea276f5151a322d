// A number a campaign names as its own phoneNumber (it answers for the campaign) is refused release
// (409 naming the campaign): releasing it would silently take the campaign's calls away (a released
// number cannot be bought back at will), and the campaign would keep showing a number the
// organisation no longer holds. An outbound campaign's callerId is released as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { numberBuyer } from './buy-number.js';

let t: TestApp;
let owner: Member;
let buyNumber: ReturnType<typeof numberBuyer>;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Release Org');
  buyNumber = numberBuyer(owner, 500);
});
afterAll(async () => t.close());

const release = (id: number) => owner.client.DELETE('/api/phone-numbers/{id}', { params: { path: { id: String(id) } } });
const held = async (id: number) => (await t.db.selectFrom('phone_numbers').select('id').where('id', '=', id).execute()).length === 1;

describe('releasing a number a campaign uses', () => {
  it("a campaign's own phoneNumber: 409 naming the campaign, the number kept; released once the campaign lets go", async () => {
    const number = await buyNumber();
    const campaign = await createCampaign(owner.client, { name: 'Line owner', phoneNumber: number.phoneNumber });
    const refused = await release(number.id);
    expect(refused.response.status).toBe(409);
    expect(refused.error).toMatchObject({ code: 'CONFLICT', details: { id: expect.stringContaining(`phoneNumber of campaign ${campaign.id}`) } });
    expect(await held(number.id)).toBe(true);
    expect((await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaign.id } }, body: { phoneNumber: null } })).response.status).toBe(200);
    expect((await release(number.id)).response.status).toBe(204);
    expect(await held(number.id)).toBe(false);
  });

  it("an outbound campaign's callerId is released (the dialer then pauses that campaign: test/dialer/dial-loop.test.ts)", async () => {
    const number = await buyNumber();
    await createCampaign(owner.client, { name: 'Dialer', direction: 'outbound', status: 'paused', callerId: number.phoneNumber } as never);
    expect((await release(number.id)).response.status).toBe(204);
    expect(await held(number.id)).toBe(false);
  });

  it('a number only pointed at a campaign (campaignId) is released as before', async () => {
    const number = await buyNumber();
    const campaign = await createCampaign(owner.client, { name: 'Pointed' });
    expect((await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', { params: { path: { id: String(number.id) } }, body: { campaignId: campaign.id } })).response.status).toBe(200);
    expect((await release(number.id)).response.status).toBe(204);
  });
});
