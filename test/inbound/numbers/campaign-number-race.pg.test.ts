// A campaign's own phoneNumber and the number's pool / campaign / AI agent are written by different
// requests. Each refuses what the other already did (409), but a check read before the other's
// write committed let both succeed, and the campaign got none of its calls. Deterministic on a
// PostgreSQL server: one side's write is held uncommitted while the other request runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { heldOpen } from '../../helpers/held-open.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { numberBuyer } from './buy-number.js';

let t: TestApp;
let owner: Member;
let buyNumber: ReturnType<typeof numberBuyer>;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Number Race');
  buyNumber = numberBuyer(owner, 300);
});
afterAll(async () => t.close());

const settle = () => new Promise((resolve) => setTimeout(resolve, 800));

describe("a campaign's phoneNumber against a concurrent change of the number", () => {
  it('a number pooled while the campaign update runs: the campaign gets 409 and keeps no number', async () => {
    const number = await buyNumber();
    const pool = await owner.client.POST('/api/number-pools', { body: { name: 'Racing pool' } });
    const campaign = await createCampaign(owner.client, { name: 'Racing campaign' });
    const pooling = await heldOpen(t.rawDb, async (trx) => {
      await trx.updateTable('phone_numbers').set({ pool_id: pool.data!.id }).where('id', '=', number.id).execute();
    });
    const request = owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaign.id } }, body: { phoneNumber: number.phoneNumber } });
    await settle();
    await pooling.commit();
    const answer = await request;
    expect(answer.response.status).toBe(409);
    expect(answer.error).toMatchObject({ code: 'CONFLICT', details: { phoneNumber: expect.stringContaining(`number pool ${pool.data!.id}`) } });
    const stored = await t.db.selectFrom('campaigns').select('phone_number').where('id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(stored.phone_number).toBeNull();
  });

  it('a number pointed at another campaign while a campaign is created with it: 409, no campaign', async () => {
    const number = await buyNumber();
    const elsewhere = await createCampaign(owner.client, { name: 'Elsewhere' });
    const pointing = await heldOpen(t.rawDb, async (trx) => {
      await trx.updateTable('phone_numbers').set({ campaign_id: elsewhere.id }).where('id', '=', number.id).execute();
    });
    const request = owner.client.POST('/api/campaigns', { body: { name: 'Late claimant', phoneNumber: number.phoneNumber } });
    await settle();
    await pointing.commit();
    const answer = await request;
    expect(answer.response.status).toBe(409);
    const named = await t.db.selectFrom('campaigns').select('id').where('phone_number', '=', number.phoneNumber).execute();
    expect(named).toEqual([]);
  });

  it("a campaign naming the number while it is being pooled: the pooling gets 409 naming the campaign", async () => {
    const number = await buyNumber();
    const pool = await owner.client.POST('/api/number-pools', { body: { name: 'Second pool' } });
    const campaign = await createCampaign(owner.client, { name: 'Quick namer' });
    // The campaign write as the API does it: the number's row locked, then the campaign changed.
    const naming = await heldOpen(t.rawDb, async (trx) => {
      await sql`SELECT id FROM phone_numbers WHERE id = ${number.id} FOR UPDATE`.execute(trx);
      await trx.updateTable('campaigns').set({ phone_number: number.phoneNumber }).where('id', '=', campaign.id).execute();
    });
    const request = owner.client.POST('/api/number-pools/{id}/numbers', { params: { path: { id: String(pool.data!.id) } }, body: { phoneNumberId: number.id } });
    await settle();
    await naming.commit();
    const answer = await request;
    expect(answer.response.status).toBe(409);
    expect(answer.error).toMatchObject({ details: { phoneNumberId: expect.stringContaining(campaign.id) } });
    const stored = await t.db.selectFrom('phone_numbers').select('pool_id').where('id', '=', number.id).executeTakeFirstOrThrow();
    expect(stored.pool_id).toBeNull();
  });

  it('a campaign naming the number while it is pointed at another campaign: 409 naming the campaign', async () => {
    const number = await buyNumber();
    const namer = await createCampaign(owner.client, { name: 'Namer' });
    const other = await createCampaign(owner.client, { name: 'Other' });
    const naming = await heldOpen(t.rawDb, async (trx) => {
      await sql`SELECT id FROM phone_numbers WHERE id = ${number.id} FOR UPDATE`.execute(trx);
      await trx.updateTable('campaigns').set({ phone_number: number.phoneNumber }).where('id', '=', namer.id).execute();
    });
    const assign = owner.client.POST('/api/phone-numbers/{id}/assign-campaign', { params: { path: { id: String(number.id) } }, body: { campaignId: other.id } });
    await settle();
    await naming.commit();
    const assigned = await assign;
    expect(assigned.response.status).toBe(409);
    expect(assigned.error).toMatchObject({ details: { campaignId: expect.stringContaining(namer.id) } });
    const stored = await t.db.selectFrom('phone_numbers').select(['campaign_id', 'ai_agent_id']).where('id', '=', number.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ campaign_id: null, ai_agent_id: null });
  });

  it('a campaign naming the number while it is being released: the release gets 409 and the number is kept', async () => {
    const number = await buyNumber();
    const campaign = await createCampaign(owner.client, { name: 'Namer of a released number' });
    // The campaign write as the API does it: the number's row locked, then the campaign changed.
    const naming = await heldOpen(t.rawDb, async (trx) => {
      await sql`SELECT id FROM phone_numbers WHERE id = ${number.id} FOR UPDATE`.execute(trx);
      await trx.updateTable('campaigns').set({ phone_number: number.phoneNumber }).where('id', '=', campaign.id).execute();
    });
    const request = owner.client.DELETE('/api/phone-numbers/{id}', { params: { path: { id: String(number.id) } } });
    await settle();
    await naming.commit();
    const answer = await request;
    expect(answer.response.status).toBe(409);
    expect(answer.error).toMatchObject({ details: { id: expect.stringContaining(campaign.id) } });
    const stored = await t.db.selectFrom('phone_numbers').select('id').where('id', '=', number.id).executeTakeFirst();
    expect(stored).toBeDefined();
    // Still held at the provider: a search does not offer it again.
    const areaCode = number.phoneNumber.slice(2, 5);
    const offered = await owner.client.GET('/api/phone-numbers/search', { params: { query: { areaCode, limit: 30 } } });
    expect(offered.data!.numbers.map((n) => n.phoneNumber)).not.toContain(number.phoneNumber);
  });
});
