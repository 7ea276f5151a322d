// Issue 15.7: a campaign may only use its organisation's own numbers (any free number under the
// local simulator), and the answer never tells whether another organisation holds a number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCampaignNumber } from '../../../server/inbound/campaigns/number-ownership.js';
import { createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let other: Member;
let othersNumber: string;
let ownNumber: string;
let pooledNumber: string;
let pointedNumber: string;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Number Owner');
  other = await registerOrg(t, 'Number Holder');
  async function buy(member: Member, areaCode: string): Promise<string> {
    const search = await member.client.GET('/api/phone-numbers/search', { params: { query: { areaCode } } });
    const offered = search.data!.numbers[0]!.phoneNumber;
    const bought = await member.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: offered } });
    expect(bought.response.status).toBe(201);
    return offered;
  }
  othersNumber = await buy(other, '212');
  ownNumber = await buy(owner, '415');
  pooledNumber = await buy(owner, '646');
  pointedNumber = await buy(owner, '718');
});
afterAll(async () => t.close());

const NOT_HELD = { phoneNumber: expect.stringContaining("is not one of this organisation's numbers") };

describe('campaign numbers are owned', () => {
  it("refuses another organisation's purchased number on create and update (400 naming phoneNumber), storing nothing", async () => {
    const created = await owner.client.POST('/api/campaigns', { body: { name: 'Squatter', phoneNumber: othersNumber } });
    expect(created.response.status).toBe(400);
    expect(created.error).toMatchObject({ code: 'VALIDATION_ERROR', details: NOT_HELD });
    const campaign = await createCampaign(owner.client, { name: 'Honest' });
    const updated = await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaign.id } }, body: { phoneNumber: othersNumber } });
    expect(updated.response.status).toBe(400);
    expect((await owner.client.GET('/api/campaigns/{id}', { params: { path: { id: campaign.id } } })).data?.phoneNumber).toBeNull();
    const list = await owner.client.GET('/api/campaigns');
    expect(list.data?.some((c) => c.phoneNumber === othersNumber)).toBe(false);
  });

  it("accepts the organisation's own number, and under the simulator a number nobody here holds (the seeds' +1234567890)", async () => {
    const own = await owner.client.POST('/api/campaigns', { body: { name: 'Own line', phoneNumber: ownNumber } });
    expect(own.response.status).toBe(201);
    const madeUp = await owner.client.POST('/api/campaigns', { body: { name: 'Seed line', phoneNumber: '+1234567890' } });
    expect(madeUp.response.status).toBe(201);
  });

  it('answers 409 naming phoneNumber for an own number whose calls go elsewhere (a pool, another campaign), on create and update', async () => {
    const numbers = (await owner.client.GET('/api/phone-numbers')).data!;
    const idOf = (phone: string) => numbers.find((n) => n.phoneNumber === phone)!.id;
    const pool = await owner.client.POST('/api/number-pools', { body: { name: 'Pool of one' } });
    expect((await owner.client.POST('/api/number-pools/{id}/numbers', { params: { path: { id: String(pool.data!.id) } }, body: { phoneNumberId: idOf(pooledNumber) } })).response.status).toBe(201);
    const pointedAt = await createCampaign(owner.client, { name: 'Pointed at' });
    const assign = await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', { params: { path: { id: String(idOf(pointedNumber)) } }, body: { campaignId: pointedAt.id } });
    expect(assign.response.status).toBe(200);

    const campaign = await createCampaign(owner.client, { name: 'Would get no calls' });
    for (const phoneNumber of [pooledNumber, pointedNumber]) {
      const created = await owner.client.POST('/api/campaigns', { body: { name: 'Would get no calls either', phoneNumber } });
      expect(created.response.status).toBe(409);
      expect(created.error).toMatchObject({ code: 'CONFLICT', details: { phoneNumber: expect.any(String) } });
      const updated = await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaign.id } }, body: { phoneNumber } });
      expect(updated.response.status).toBe(409);
      expect(updated.error?.details).toMatchObject({ phoneNumber: expect.any(String) });
    }
    expect((await owner.client.GET('/api/campaigns/{id}', { params: { path: { id: campaign.id } } })).data?.phoneNumber).toBeNull();
    // The campaign the number points at may carry it.
    const own = await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: pointedAt.id } }, body: { phoneNumber: pointedNumber } });
    expect(own.response.status).toBe(200);
  });

  it("with Twilio, a number nobody holds is refused with exactly the answer for another organisation's number", async () => {
    const twilio = { kind: 'twilio' as const };
    const refusals = await Promise.all(
      ['+14155550123', othersNumber].map((phone) => checkCampaignNumber(t.db, owner.orgId, phone, twilio).then(() => null, (err: unknown) => err)),
    );
    const [free, held] = refusals as Array<{ statusCode: number; details: unknown }>;
    expect(free).toMatchObject({ statusCode: 400 });
    expect(held).toEqual(free);
    await expect(checkCampaignNumber(t.db, owner.orgId, ownNumber, twilio)).resolves.toBeUndefined();
    await expect(checkCampaignNumber(t.db, owner.orgId, null, twilio)).resolves.toBeUndefined();
  });
});
