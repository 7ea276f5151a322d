// A number a campaign uses — as its own phoneNumber (it answers for the campaign) or as an outbound
// campaign's callerId — is refused release (409 naming the campaigns): releasing it would silently
// take the campaign's calls away (a released number cannot be bought back at will), and the
// campaign would keep showing a number the organisation no longer holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let areaCode = 500;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Release Org');
});
afterAll(async () => t.close());

async function buyNumber(): Promise<{ id: number; phoneNumber: string }> {
  const search = await owner.client.GET('/api/phone-numbers/search', { params: { query: { areaCode: String(areaCode++) } } });
  const offered = search.data!.numbers[0]!.phoneNumber;
  const bought = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: offered } });
  expect(bought.response.status).toBe(201);
  return { id: bought.data!.id, phoneNumber: offered };
}

const release = (id: number) => owner.client.DELETE('/api/phone-numbers/{id}', { params: { path: { id: String(id) } } });
const held = async (id: number) => (await t.db.selectFrom('phone_numbers').select('id').where('id', '=', id).execute()).length === 1;

describe('releasing a number a campaign uses', () => {
  it("a campaign's own phoneNumber: 409 naming the campaign, the number kept; released once the campaign lets go", async () => {
    const number = await buyNumber();
    const campaign = await createCampaign(owner.client, { name: 'Line owner', phoneNumber: number.phoneNumber });
    const refused = await release(number.id);
    expect(refused.response.status).toBe(409);
    expect(refused.error).toMatchObject({ code: 'CONFLICT', details: { id: expect.stringContaining(`campaign ${campaign.id} (phoneNumber)`) } });
    expect(await held(number.id)).toBe(true);
    expect((await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaign.id } }, body: { phoneNumber: null } })).response.status).toBe(200);
    expect((await release(number.id)).response.status).toBe(204);
    expect(await held(number.id)).toBe(false);
  });

  it("an outbound campaign's callerId: 409 naming the campaign, the number kept", async () => {
    const number = await buyNumber();
    const campaign = await createCampaign(owner.client, { name: 'Dialer', direction: 'outbound', callerId: number.phoneNumber } as never);
    const refused = await release(number.id);
    expect(refused.response.status).toBe(409);
    expect(refused.error).toMatchObject({ details: { id: expect.stringContaining(`campaign ${campaign.id} (callerId)`) } });
    expect(await held(number.id)).toBe(true);
  });

  it('a number only pointed at a campaign (campaignId) is released as before', async () => {
    const number = await buyNumber();
    const campaign = await createCampaign(owner.client, { name: 'Pointed' });
    expect((await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', { params: { path: { id: String(number.id) } }, body: { campaignId: campaign.id } })).response.status).toBe(200);
    expect((await release(number.id)).response.status).toBe(204);
  });
});
