import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Member, addMember, createBuyer, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

// A test may run a step right after the handler has checked the buyer (a concurrent deletion).
const race = vi.hoisted(() => ({ afterBuyerCheck: undefined as (() => Promise<void>) | undefined }));
vi.mock('../../../server/inbound/buyers/queries.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../server/inbound/buyers/queries.js')>();
  return {
    ...real,
    findBuyerInOrg: async (...args: Parameters<typeof real.findBuyerInOrg>) => {
      const row = await real.findBuyerInOrg(...args);
      await race.afterBuyerCheck?.();
      return row;
    },
  };
});

let t: TestApp;
let owner: Member;

// openapi.yaml, createBuyer, example "seed000".
const SEED_BUYER = {
  name: 'Jane Smith',
  companyName: 'Smith Solutions',
  email: 'jane@smith.example',
  phoneNumber: '+12125551234',
  priority: 2,
  maxConcurrentCalls: 3,
  isActive: true,
  operatingHours: { monday: { start: '08:00', end: '18:00' } },
} as const;

// openapi.yaml, createBuyer, example "withZoneAndCaps".
const NIGHT_DESK = {
  name: 'Night Desk',
  phoneNumber: '+442071838750',
  timeZone: 'Europe/London',
  operatingHours: { friday: { start: '22:00', end: '06:00' } },
  hourlyCap: 10,
  dailyCap: 100,
  monthlyCap: 2000,
} as const;

async function buyerRow(id: number) {
  return t.db.selectFrom('buyers').selectAll().where('id', '=', id).executeTakeFirst();
}

async function assignmentRows(filter: { campaignId?: string; buyerId?: number }) {
  let query = t.db.selectFrom('campaign_buyers').selectAll();
  if (filter.campaignId) query = query.where('campaign_id', '=', filter.campaignId);
  if (filter.buyerId !== undefined) query = query.where('buyer_id', '=', filter.buyerId);
  return query.execute();
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Buyer Org');
});
afterAll(async () => t.close());

describe('buyers', () => {
  it('creates the seed 000 buyer: 201, phone obfuscated in the answer, whole in the database', async () => {
    const { data, response } = await owner.client.POST('/api/buyers', { body: SEED_BUYER });
    expect(response.status).toBe(201);
    expect(data).toEqual({
      ...SEED_BUYER,
      id: expect.any(Number),
      phoneNumber: '212***1234',
      timeZone: 'UTC',
      hourlyCap: null,
      dailyCap: null,
      monthlyCap: null,
      payout: null,
      minCallDurationSec: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const row = await buyerRow(data!.id);
    expect(row).toMatchObject({ org_id: owner.orgId, phone_number: '+12125551234', name: 'Jane Smith', time_zone: 'UTC' });
    expect(row?.operating_hours).toEqual(SEED_BUYER.operatingHours);
  });

  it('never answers the whole phone number, in the list, one buyer or an update', async () => {
    const buyer = await createBuyer(owner.client, { name: 'Hidden', phoneNumber: '+13105550199' });
    const list = await owner.client.GET('/api/buyers');
    const one = await owner.client.GET('/api/buyers/{id}', { params: { path: { id: String(buyer.id) } } });
    const put = await owner.client.PUT('/api/buyers/{id}', { params: { path: { id: String(buyer.id) } }, body: { phoneNumber: '+13105550777' } });
    expect(list.data?.find((b) => b.id === buyer.id)?.phoneNumber).toBe('310***0199');
    expect(one.data?.phoneNumber).toBe('310***0199');
    expect(put.data?.phoneNumber).toBe('310***0777');
    for (const body of [list.data, one.data, put.data]) {
      expect(JSON.stringify(body)).not.toMatch(/5550199|5550777/);
    }
    expect((await buyerRow(buyer.id))?.phone_number).toBe('+13105550777');
  });

  it('lists, gets, updates only the fields sent, and deletes', async () => {
    const first = await createBuyer(owner.client, { name: 'List A', priority: 7 });
    const second = await createBuyer(owner.client, { name: 'List B', priority: 3 });
    const list = await owner.client.GET('/api/buyers');
    expect(list.response.status).toBe(200);
    const ids = list.data!.map((b) => b.id);
    expect(ids).toEqual(expect.arrayContaining([first.id, second.id]));

    const got = await owner.client.GET('/api/buyers/{id}', { params: { path: { id: String(first.id) } } });
    expect(got.response.status).toBe(200);
    expect(got.data).toEqual(first);

    const put = await owner.client.PUT('/api/buyers/{id}', {
      params: { path: { id: String(first.id) } },
      body: { isActive: false, dailyCap: 20 },
    });
    expect(put.response.status).toBe(200);
    expect(put.data).toEqual({ ...first, isActive: false, dailyCap: 20, updatedAt: expect.any(String) });
    expect(Date.parse(put.data!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.updatedAt));
    expect(await buyerRow(first.id)).toMatchObject({ is_active: false, daily_cap: 20, name: 'List A', priority: 7, company_name: 'Smith Solutions' });

    const del = await owner.client.DELETE('/api/buyers/{id}', { params: { path: { id: String(first.id) } } });
    expect(del.response.status).toBe(204);
    expect(await buyerRow(first.id)).toBeUndefined();
    const gone = await owner.client.GET('/api/buyers/{id}', { params: { path: { id: String(first.id) } } });
    expect(gone.response.status).toBe(404);
    expect(gone.error?.code).toBe('RESOURCE_NOT_FOUND');
    const again = await owner.client.DELETE('/api/buyers/{id}', { params: { path: { id: String(first.id) } } });
    expect(again.response.status).toBe(404);
    const after = await owner.client.GET('/api/buyers');
    expect(after.data!.map((b) => b.id)).not.toContain(first.id);
    expect(after.data!.map((b) => b.id)).toContain(second.id);
  });

  it('answers 404 for an unknown or malformed buyer id', async () => {
    for (const id of ['999999', 'abc', '0', '-1', '1.5', '99999999999999999999']) {
      const { error, response } = await owner.client.GET('/api/buyers/{id}', { params: { path: { id } } });
      expect(response.status, id).toBe(404);
      expect(error?.code).toBe('RESOURCE_NOT_FOUND');
    }
  });

  it('round-trips a time zone, overnight hours and caps', async () => {
    const { data, response } = await owner.client.POST('/api/buyers', { body: NIGHT_DESK });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({ ...NIGHT_DESK, phoneNumber: '207***8750', companyName: null, email: null, priority: 1, maxConcurrentCalls: null, isActive: true });
    const got = await owner.client.GET('/api/buyers/{id}', { params: { path: { id: String(data!.id) } } });
    expect(got.data).toEqual(data);
    expect(await buyerRow(data!.id)).toMatchObject({ time_zone: 'Europe/London', operating_hours: NIGHT_DESK.operatingHours, hourly_cap: 10, daily_cap: 100, monthly_cap: 2000 });

    const hours = { sunday: { start: '20:00', end: '24:00' }, monday: { start: '00:00', end: '08:00' }, tuesday: { start: '23:30', end: '00:30' } };
    const put = await owner.client.PUT('/api/buyers/{id}', {
      params: { path: { id: String(data!.id) } },
      body: { timeZone: 'America/New_York', operatingHours: hours, hourlyCap: null, monthlyCap: 1000000 },
    });
    expect(put.response.status).toBe(200);
    expect(put.data).toMatchObject({ timeZone: 'America/New_York', operatingHours: hours, hourlyCap: null, dailyCap: 100, monthlyCap: 1000000 });
    expect((await owner.client.GET('/api/buyers/{id}', { params: { path: { id: String(data!.id) } } })).data).toEqual(put.data);
  });

  it('answers 400 naming timeZone for an unknown time zone, on create and update, storing nothing', async () => {
    const buyer = await createBuyer(owner.client, { name: 'Zoned', timeZone: 'Europe/Paris' });
    const before = await t.db.selectFrom('buyers').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    for (const timeZone of ['Mars/Olympus_Mons', 'Not a zone', 'Europe/Pariss']) {
      const post = await owner.client.POST('/api/buyers', { body: { name: 'Bad zone', phoneNumber: '+12125550000', timeZone } });
      expect(post.response.status, timeZone).toBe(400);
      expect(post.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { timeZone: expect.any(String) } });
      const put = await owner.client.PUT('/api/buyers/{id}', { params: { path: { id: String(buyer.id) } }, body: { timeZone } });
      expect(put.response.status, timeZone).toBe(400);
      expect(put.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { timeZone: expect.any(String) } });
    }
    const empty = await owner.client.POST('/api/buyers', { body: { name: 'Empty zone', phoneNumber: '+12125550000', timeZone: '' } });
    expect(empty.response.status).toBe(400);
    expect(empty.error?.details).toMatchObject({ timeZone: expect.any(String) });
    const after = await t.db.selectFrom('buyers').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect((await buyerRow(buyer.id))?.time_zone).toBe('Europe/Paris');
  });

  it('answers 400 naming the field for bad clock times and empty day ranges', async () => {
    const buyer = await createBuyer(owner.client, { name: 'Clocked', operatingHours: { monday: { start: '09:00', end: '17:00' } } });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ monday: { start: '25:00', end: '17:00' } }, 'operatingHours.monday.start'],
      [{ monday: { start: '9:00', end: '17:00' } }, 'operatingHours.monday.start'],
      [{ tuesday: { start: '09:00', end: '17:60' } }, 'operatingHours.tuesday.end'],
      [{ wednesday: { start: '09:00', end: '24:01' } }, 'operatingHours.wednesday.end'],
      [{ thursday: { start: '09:00' } }, 'operatingHours.thursday.end'],
      [{ friday: { start: '09:00', end: '17:00', lunch: '12:00' } }, 'operatingHours.friday.lunch'],
      [{ funday: { start: '09:00', end: '17:00' } }, 'operatingHours.funday'],
      [{ saturday: { start: '10:00', end: '10:00' } }, 'operatingHours.saturday'],
    ];
    for (const [operatingHours, field] of cases) {
      const post = await owner.client.POST('/api/buyers', { body: { name: 'Bad hours', phoneNumber: '+12125550001', operatingHours } as never });
      expect(post.response.status, field).toBe(400);
      expect(post.error?.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(post.error?.details as object), field).toContain(field);
      const put = await owner.client.PUT('/api/buyers/{id}', { params: { path: { id: String(buyer.id) } }, body: { operatingHours } as never });
      expect(put.response.status, field).toBe(400);
      expect(Object.keys(put.error?.details as object), field).toContain(field);
    }
    expect(await t.db.selectFrom('buyers').select('id').where('name', '=', 'Bad hours').execute()).toEqual([]);
    expect((await buyerRow(buyer.id))?.operating_hours).toEqual({ monday: { start: '09:00', end: '17:00' } });
  });

  it('clears operating hours with null (always open), leaving the rest alone', async () => {
    const buyer = await createBuyer(owner.client, { name: 'Clearable', dailyCap: 5, operatingHours: { monday: { start: '09:00', end: '17:00' } } });
    const put = await owner.client.PUT('/api/buyers/{id}', { params: { path: { id: String(buyer.id) } }, body: { operatingHours: null } });
    expect(put.response.status).toBe(200);
    expect(put.data).toMatchObject({ operatingHours: null, dailyCap: 5, name: 'Clearable' });
    expect((await buyerRow(buyer.id))?.operating_hours).toBeNull();
    const got = await owner.client.GET('/api/buyers/{id}', { params: { path: { id: String(buyer.id) } } });
    expect(got.data?.operatingHours).toBeNull();
    const created = await createBuyer(owner.client, { name: 'Always open', operatingHours: null });
    expect(created.operatingHours).toBeNull();
  });

  it('requires name and phoneNumber, checks E.164, ranges and types without coercion', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ phoneNumber: '+12125551234' }, 'name'],
      [{ name: 'No phone' }, 'phoneNumber'],
      [{ name: 'Local', phoneNumber: '2125551234' }, 'phoneNumber'],
      [{ name: 'Prio', phoneNumber: '+12125551234', priority: 0 }, 'priority'],
      [{ name: 'Prio', phoneNumber: '+12125551234', priority: 1001 }, 'priority'],
      [{ name: 'Prio', phoneNumber: '+12125551234', priority: '2' }, 'priority'],
      [{ name: 'Cap', phoneNumber: '+12125551234', dailyCap: 0 }, 'dailyCap'],
      [{ name: 'Cap', phoneNumber: '+12125551234', hourlyCap: 1.5 }, 'hourlyCap'],
      [{ name: 'Active', phoneNumber: '+12125551234', isActive: 'true' }, 'isActive'],
      [{ name: 'Mail', phoneNumber: '+12125551234', email: 'not-an-email' }, 'email'],
    ];
    for (const [body, field] of cases) {
      const { error, response } = await owner.client.POST('/api/buyers', { body: body as never });
      expect(response.status, field).toBe(400);
      expect(error?.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(error?.details as object), JSON.stringify(body)).toContain(field);
    }
    const empty = await owner.client.PUT('/api/buyers/{id}', { params: { path: { id: String((await createBuyer(owner.client)).id) } }, body: {} as never });
    expect(empty.response.status).toBe(400);
  });

  it("answers 400 naming phoneNumber for one of the organisation's own tracking numbers (each call would dial itself again), on create and update", async () => {
    const offered = await owner.client.GET('/api/phone-numbers/search', { params: { query: { areaCode: '415' } } });
    const bought = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: offered.data!.numbers[0]!.phoneNumber } });
    expect(bought.response.status).toBe(201);
    const tracked = await createCampaign(owner.client, { name: 'Tracked', phoneNumber: bought.data!.phoneNumber });
    const buyer = await createBuyer(owner.client, { name: 'Loop-free', phoneNumber: '+12125550179' });
    for (const phoneNumber of [tracked.phoneNumber!]) {
      const created = await owner.client.POST('/api/buyers', { body: { name: 'Loop', phoneNumber } });
      expect(created.response.status).toBe(400);
      expect(created.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { phoneNumber: expect.stringContaining('tracking number') } });
      const updated = await owner.client.PUT('/api/buyers/{id}', { params: { path: { id: String(buyer.id) } }, body: { phoneNumber } });
      expect(updated.response.status).toBe(400);
      expect(updated.error?.details).toMatchObject({ phoneNumber: expect.stringContaining('tracking number') });
    }
    expect(await buyerRow(buyer.id)).toMatchObject({ phone_number: '+12125550179' });
    expect((await owner.client.GET('/api/buyers')).data?.some((b) => b.name === 'Loop')).toBe(false);
    // A campaign's made-up number (the simulator's seed examples give it to a buyer too) reaches no carrier: allowed.
    await createCampaign(owner.client, { name: 'Made-up line', phoneNumber: '+14155550177' });
    expect((await owner.client.POST('/api/buyers', { body: { name: 'Seed buyer', phoneNumber: '+14155550177' } })).response.status).toBe(201);
    // Another organisation's numbers are none of this one's business (it may well buy their calls).
    const other = await registerOrg(t, 'Buyer of tracked calls');
    expect((await other.client.POST('/api/buyers', { body: { name: 'Their buyer', phoneNumber: bought.data!.phoneNumber } })).response.status).toBe(201);
  });

  it('refuses mass assignment of id, orgId and timestamps, changing nothing', async () => {
    const other = await registerOrg(t, 'Other Org');
    const buyer = await createBuyer(owner.client, { name: 'Guarded' });
    const before = await buyerRow(buyer.id);
    const countBefore = await t.db.selectFrom('buyers').select('id').execute();
    const extras = [
      { id: 424242 },
      { orgId: other.orgId },
      { org_id: other.orgId },
      { createdAt: '2020-01-01T00:00:00.000Z' },
      { updatedAt: '2020-01-01T00:00:00.000Z' },
    ];
    for (const extra of extras) {
      const field = Object.keys(extra)[0]!;
      const put = await owner.client.PUT('/api/buyers/{id}', {
        params: { path: { id: String(buyer.id) } },
        body: { name: 'Hijacked', ...extra } as never,
      });
      expect(put.response.status, field).toBe(400);
      expect(put.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { [field]: 'is not allowed' } });
      const post = await owner.client.POST('/api/buyers', { body: { name: 'Injected', phoneNumber: '+12125559999', ...extra } as never });
      expect(post.response.status, field).toBe(400);
      expect(post.error?.details).toMatchObject({ [field]: 'is not allowed' });
    }
    expect(await buyerRow(buyer.id)).toEqual(before);
    expect(await t.db.selectFrom('buyers').select('id').execute()).toEqual(countBefore);
    expect(await t.db.selectFrom('buyers').select('id').where('id', '=', 424242).execute()).toEqual([]);
    expect((await other.client.GET('/api/buyers')).data).toEqual([]);
  });
});

describe('campaign buyers', () => {
  it('assigns a buyer (seed 001 body), lists it, refuses a duplicate with 409 naming buyerId, and removes it', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Assign' });
    const buyer = await createBuyer(owner.client, { name: 'John Doe', companyName: 'Acme Corp' });
    const path = { id: campaign.id };

    const add = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path }, body: { buyerId: buyer.id, priority: 1 } });
    expect(add.response.status).toBe(201);
    expect(add.data).toEqual({
      campaignId: campaign.id,
      buyerId: buyer.id,
      buyerName: 'John Doe',
      companyName: 'Acme Corp',
      priority: 1,
      weight: 1,
      isActive: true,
      createdAt: expect.any(String),
    });
    expect(await assignmentRows({ campaignId: campaign.id })).toEqual([expect.objectContaining({ org_id: owner.orgId, buyer_id: buyer.id, priority: 1, weight: 1, is_active: true })]);

    const dup = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path }, body: { buyerId: buyer.id, priority: 5 } });
    expect(dup.response.status).toBe(409);
    expect(dup.error).toMatchObject({ code: 'CONFLICT', details: { buyerId: expect.any(String) } });
    expect(await assignmentRows({ campaignId: campaign.id })).toEqual([expect.objectContaining({ priority: 1 })]);

    const second = await createBuyer(owner.client, { name: 'Second', companyName: null });
    const add2 = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path }, body: { buyerId: second.id, priority: 2, weight: 40, isActive: false } });
    expect(add2.response.status).toBe(201);
    expect(add2.data).toMatchObject({ buyerId: second.id, buyerName: 'Second', companyName: null, priority: 2, weight: 40, isActive: false });

    const list = await owner.client.GET('/api/campaigns/{id}/buyers', { params: { path } });
    expect(list.response.status).toBe(200);
    expect(list.data).toEqual([add.data, add2.data]);

    const del = await owner.client.DELETE('/api/campaigns/{id}/buyers/{buyerId}', { params: { path: { id: campaign.id, buyerId: String(buyer.id) } } });
    expect(del.response.status).toBe(204);
    const delAgain = await owner.client.DELETE('/api/campaigns/{id}/buyers/{buyerId}', { params: { path: { id: campaign.id, buyerId: String(buyer.id) } } });
    expect(delAgain.response.status).toBe(404);
    expect(delAgain.error?.code).toBe('RESOURCE_NOT_FOUND');
    expect((await owner.client.GET('/api/campaigns/{id}/buyers', { params: { path } })).data).toEqual([add2.data]);
    // Removing the assignment leaves the buyer itself.
    expect((await owner.client.GET('/api/buyers/{id}', { params: { path: { id: String(buyer.id) } } })).response.status).toBe(200);
  });

  it('answers 400 for bad assignment bodies and 404 for buyers or campaigns that do not exist', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Assign errors' });
    const buyer = await createBuyer(owner.client, { name: 'Assignable' });
    const path = { id: campaign.id };
    for (const [body, field] of [
      [{}, 'buyerId'],
      [{ buyerId: String(buyer.id) }, 'buyerId'],
      [{ buyerId: 0 }, 'buyerId'],
      [{ buyerId: buyer.id, weight: 0 }, 'weight'],
      [{ buyerId: buyer.id, priority: 1001 }, 'priority'],
    ] as const) {
      const { error, response } = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path }, body: body as never });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(error?.details as object)).toContain(field);
    }
    for (const buyerId of [999999, 2147483647]) {
      const { error, response } = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path }, body: { buyerId } });
      expect(response.status, `buyerId ${buyerId}`).toBe(404);
      expect(error?.code).toBe('RESOURCE_NOT_FOUND');
    }
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const add = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id } }, body: { buyerId: buyer.id } });
      expect(add.response.status).toBe(404);
      const list = await owner.client.GET('/api/campaigns/{id}/buyers', { params: { path: { id } } });
      expect(list.response.status).toBe(404);
    }
    for (const buyerId of ['abc', '0', String(buyer.id + 100000)]) {
      const del = await owner.client.DELETE('/api/campaigns/{id}/buyers/{buyerId}', { params: { path: { id: campaign.id, buyerId } } });
      expect(del.response.status, buyerId).toBe(404);
    }
    expect(await assignmentRows({ campaignId: campaign.id })).toEqual([]);
  });

  it('answers 400 naming buyerId (not 500) for a body buyerId beyond the integer column range', async () => {
    // CampaignBuyerCreate.buyerId has the column's maximum, so these bodies are invalid input.
    const campaign = await createCampaign(owner.client, { name: 'Big ids' });
    const seen: Array<{ buyerId: number; status: number; code: string | undefined }> = [];
    for (const buyerId of [2147483648, 99999999999, Number.MAX_SAFE_INTEGER]) {
      const { error, response } = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: campaign.id } }, body: { buyerId } });
      seen.push({ buyerId, status: response.status, code: error?.code });
    }
    expect(seen).toEqual([2147483648, 99999999999, Number.MAX_SAFE_INTEGER].map((buyerId) => ({ buyerId, status: 400, code: 'VALIDATION_ERROR' })));
    expect(await assignmentRows({ campaignId: campaign.id })).toEqual([]);
  });

  it("answers 404 for another organisation's buyer or campaign, assigning nothing", async () => {
    const other = await registerOrg(t, 'Rival Org');
    const ourCampaign = await createCampaign(owner.client, { name: 'Ours' });
    const ourBuyer = await createBuyer(owner.client, { name: 'Our buyer' });
    const theirCampaign = await createCampaign(other.client, { name: 'Theirs' });
    const theirBuyer = await createBuyer(other.client, { name: 'Their buyer' });

    const foreignBuyer = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: ourCampaign.id } }, body: { buyerId: theirBuyer.id } });
    expect(foreignBuyer.response.status).toBe(404);
    expect(foreignBuyer.error?.code).toBe('RESOURCE_NOT_FOUND');
    const foreignCampaign = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: theirCampaign.id } }, body: { buyerId: ourBuyer.id } });
    expect(foreignCampaign.response.status).toBe(404);
    const foreignList = await owner.client.GET('/api/campaigns/{id}/buyers', { params: { path: { id: theirCampaign.id } } });
    expect(foreignList.response.status).toBe(404);

    const theirs = await other.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: theirCampaign.id } }, body: { buyerId: theirBuyer.id } });
    expect(theirs.response.status).toBe(201);
    const foreignRemove = await owner.client.DELETE('/api/campaigns/{id}/buyers/{buyerId}', {
      params: { path: { id: theirCampaign.id, buyerId: String(theirBuyer.id) } },
    });
    expect(foreignRemove.response.status).toBe(404);

    expect(await assignmentRows({ campaignId: ourCampaign.id })).toEqual([]);
    expect(await assignmentRows({ buyerId: ourBuyer.id })).toEqual([]);
    expect(await assignmentRows({ campaignId: theirCampaign.id })).toEqual([expect.objectContaining({ buyer_id: theirBuyer.id, org_id: other.orgId })]);
  });

  it("deleting a buyer removes its assignments (and deleting a campaign removes the campaign's)", async () => {
    const c1 = await createCampaign(owner.client, { name: 'Cascade 1' });
    const c2 = await createCampaign(owner.client, { name: 'Cascade 2' });
    const doomed = await createBuyer(owner.client, { name: 'Doomed' });
    const kept = await createBuyer(owner.client, { name: 'Kept' });
    for (const campaign of [c1, c2]) {
      for (const buyer of [doomed, kept]) {
        const add = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: campaign.id } }, body: { buyerId: buyer.id } });
        expect(add.response.status).toBe(201);
      }
    }
    expect(await assignmentRows({ buyerId: doomed.id })).toHaveLength(2);
    const del = await owner.client.DELETE('/api/buyers/{id}', { params: { path: { id: String(doomed.id) } } });
    expect(del.response.status).toBe(204);
    expect(await assignmentRows({ buyerId: doomed.id })).toEqual([]);
    for (const campaign of [c1, c2]) {
      const list = await owner.client.GET('/api/campaigns/{id}/buyers', { params: { path: { id: campaign.id } } });
      expect(list.data?.map((a) => a.buyerId)).toEqual([kept.id]);
    }
    const delCampaign = await owner.client.DELETE('/api/campaigns/{id}', { params: { path: { id: c1.id } } });
    expect(delCampaign.response.status).toBe(204);
    expect(await assignmentRows({ campaignId: c1.id })).toEqual([]);
    expect(await assignmentRows({ buyerId: kept.id })).toEqual([expect.objectContaining({ campaign_id: c2.id })]);
  });

  it('answers 404 naming the buyer or the campaign (not 500) when it is deleted while being assigned, assigning nothing', async () => {
    for (const gone of ['buyer', 'campaign'] as const) {
      const campaign = await createCampaign(owner.client, { name: `Deleted ${gone}` });
      const buyer = await createBuyer(owner.client, { name: `Assigned while ${gone} goes` });
      // The deletion lands between the handler's checks and its insert.
      race.afterBuyerCheck = async () => {
        race.afterBuyerCheck = undefined;
        if (gone === 'buyer') await t.db.deleteFrom('buyers').where('id', '=', buyer.id).execute();
        else await t.db.deleteFrom('campaigns').where('id', '=', campaign.id).execute();
      };
      const add = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: campaign.id } }, body: { buyerId: buyer.id } });
      expect(race.afterBuyerCheck).toBeUndefined();
      expect(add.response.status).toBe(404);
      expect(add.error).toMatchObject({ code: 'RESOURCE_NOT_FOUND', details: gone === 'buyer' ? `Buyer with ID '${buyer.id}' not found` : `Campaign with ID '${campaign.id}' not found` });
      expect(await assignmentRows({ buyerId: buyer.id })).toEqual([]);
    }
  });

  it('applies the role matrix: agents nothing (payouts, numbers, caps), managers read/create/update/assign, admins delete', async () => {
    const agent = await addMember(t, owner, 'agent');
    const manager = await addMember(t, owner, 'manager');
    const admin = await addMember(t, owner, 'admin');
    const campaign = await createCampaign(owner.client, { name: 'Roles' });
    const buyer = await createBuyer(owner.client, { name: 'Role buyer' });
    const id = String(buyer.id);

    expect((await agent.client.GET('/api/buyers')).response.status).toBe(403);
    expect((await agent.client.GET('/api/buyers/{id}', { params: { path: { id } } })).response.status).toBe(403);
    expect((await agent.client.GET('/api/campaigns/{id}/buyers', { params: { path: { id: campaign.id } } })).response.status).toBe(403);
    expect((await manager.client.GET('/api/buyers')).response.status).toBe(200);
    expect((await manager.client.GET('/api/buyers/{id}', { params: { path: { id } } })).response.status).toBe(200);
    expect((await manager.client.GET('/api/campaigns/{id}/buyers', { params: { path: { id: campaign.id } } })).response.status).toBe(200);
    const agentCreate = await agent.client.POST('/api/buyers', { body: { name: 'Agent made', phoneNumber: '+12125551111' } });
    expect(agentCreate.response.status).toBe(403);
    expect(agentCreate.error?.code).toBe('FORBIDDEN');
    const agentUpdate = await agent.client.PUT('/api/buyers/{id}', { params: { path: { id } }, body: { name: 'Agent edit' } });
    expect(agentUpdate.response.status).toBe(403);
    const agentAssign = await agent.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: campaign.id } }, body: { buyerId: buyer.id } });
    expect(agentAssign.response.status).toBe(403);
    expect((await agent.client.DELETE('/api/buyers/{id}', { params: { path: { id } } })).response.status).toBe(403);

    const managerCreate = await manager.client.POST('/api/buyers', { body: { name: 'Manager made', phoneNumber: '+12125552222' } });
    expect(managerCreate.response.status).toBe(201);
    const managerUpdate = await manager.client.PUT('/api/buyers/{id}', { params: { path: { id } }, body: { name: 'Manager edit' } });
    expect(managerUpdate.response.status).toBe(200);
    const managerAssign = await manager.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: campaign.id } }, body: { buyerId: buyer.id } });
    expect(managerAssign.response.status).toBe(201);
    const managerUnassign = await manager.client.DELETE('/api/campaigns/{id}/buyers/{buyerId}', { params: { path: { id: campaign.id, buyerId: id } } });
    expect(managerUnassign.response.status).toBe(204);
    const managerDelete = await manager.client.DELETE('/api/buyers/{id}', { params: { path: { id } } });
    expect(managerDelete.response.status).toBe(403);
    expect(managerDelete.error?.code).toBe('FORBIDDEN');

    expect(await buyerRow(buyer.id)).toMatchObject({ name: 'Manager edit' });
    expect(await t.db.selectFrom('buyers').select('id').where('name', 'in', ['Agent made', 'Agent edit']).execute()).toEqual([]);

    const adminDelete = await admin.client.DELETE('/api/buyers/{id}', { params: { path: { id } } });
    expect(adminDelete.response.status).toBe(204);
    expect(await buyerRow(buyer.id)).toBeUndefined();

    const anonymous = await t.client().GET('/api/buyers');
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.error?.code).toBe('UNAUTHORIZED');
  });
});
