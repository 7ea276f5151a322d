// Tracking numbers: search, purchase, list, assign, release — on the labelled local simulator,
// wrapped so that a test can make the provider fail or race a purchase.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Client, type Member, addMember, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { snapshotTables } from '../../helpers/db-snapshot.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { createSimulatorTelephony, type SimulatorTelephony } from '../../../server/telephony/simulator/simulator.js';
import { TelephonyError, type PurchaseNumberInput } from '../../../server/telephony/types.js';

type Op = 'searchNumbers' | 'purchaseNumber' | 'purchaseAnswer' | 'releaseNumber';

let t: TestApp;
let sim: SimulatorTelephony;
/** Operations the wrapped provider fails, and how. */
const failing = new Map<Op, () => Error>();
/** Runs after the simulator sold a number and before the handler gets it (a racing request). */
let afterPurchase: ((input: PurchaseNumberInput) => Promise<void>) | null = null;
/** Every number the provider was asked to sell, refused or not. */
const purchaseAttempts: string[] = [];

let owner: Member;
let other: Member;

function failable(): SimulatorTelephony {
  const fail = (op: Op) => {
    const make = failing.get(op);
    if (make) throw make();
  };
  return {
    ...sim,
    async searchNumbers(input) {
      fail('searchNumbers');
      return sim.searchNumbers(input);
    },
    async purchaseNumber(input) {
      purchaseAttempts.push(input.phoneNumber);
      fail('purchaseNumber');
      const bought = await sim.purchaseNumber(input);
      if (afterPurchase) await afterPurchase(input);
      // Bought, but the answer is lost (our request timed out).
      fail('purchaseAnswer');
      return bought;
    },
    async releaseNumber(sid) {
      fail('releaseNumber');
      return sim.releaseNumber(sid);
    },
  };
}

function attemptsFor(phoneNumber: string): number {
  return purchaseAttempts.filter((n) => n === phoneNumber).length;
}

function purchasesOf(phoneNumber: string) {
  return sim.actions().filter((a) => a.operation === 'purchase_number' && a.details.phoneNumber === phoneNumber);
}

function releasesOf(sid: string) {
  return sim.actions().filter((a) => a.operation === 'release_number' && a.numberSid === sid);
}

async function buy(client: Client, phoneNumber: string, extra: { friendlyName?: string; campaignId?: string | null } = {}) {
  const { data, response } = await client.POST('/api/phone-numbers/purchase', { body: { phoneNumber, ...extra } });
  if (response.status !== 201 || !data) throw new Error(`purchase failed: ${response.status}`);
  return data;
}

async function rowCount(phoneNumber: string): Promise<number> {
  const rows = await t.db.selectFrom('phone_numbers').select('id').where('phone_number', '=', phoneNumber).execute();
  return rows.length;
}

beforeAll(async () => {
  sim = createSimulatorTelephony();
  t = await startTestApp({ telephony: failable() });
  owner = await registerOrg(t, 'Numbers Org');
  other = await registerOrg(t, 'Other Numbers Org');
});
afterAll(async () => t.close());
beforeEach(() => {
  failing.clear();
  afterPurchase = null;
});

describe('phone numbers: the seed 000 flow', () => {
  it('searches, buys with our webhooks, lists, assigns, unassigns and releases', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Flow campaign' });
    const second = await createCampaign(owner.client, { name: 'Flow campaign 2' });

    const search = await owner.client.GET('/api/phone-numbers/search', { params: { query: { areaCode: '415' } } });
    expect(search.response.status).toBe(200);
    expect(search.data).toMatchObject({ success: true, provider: 'simulator', searchParams: { country: 'US', numberType: 'local', areaCode: '415', limit: 10 } });
    expect(search.data?.numbers).toHaveLength(10);
    const offered = search.data!.numbers[0]!;
    expect(offered).toMatchObject({ isoCountry: 'US', region: 'CA', capabilities: { voice: true, SMS: true, MMS: true } });
    expect(offered.phoneNumber).toMatch(/^\+141555501\d\d$/);
    expect(offered.friendlyName).toContain('(simulator)');

    const bought = await owner.client.POST('/api/phone-numbers/purchase', {
      body: { phoneNumber: offered.phoneNumber, friendlyName: 'New Campaign Line', campaignId: campaign.id },
    });
    expect(bought.response.status).toBe(201);
    const number = bought.data!;
    expect(number).toMatchObject({
      phoneNumber: offered.phoneNumber,
      friendlyName: 'New Campaign Line (simulator)',
      provider: 'simulator',
      campaignId: campaign.id,
      poolId: null,
      status: 'assigned',
      isActive: true,
      monthlyFee: 0,
      capabilities: { voice: true, SMS: true, MMS: true },
    });
    expect(number.phoneNumberSid).toMatch(/^PNsim[0-9a-f]{29}$/);

    // The simulator recorded the webhooks the purchase set, as Twilio would receive them.
    const [purchase] = purchasesOf(offered.phoneNumber);
    expect(purchase?.numberSid).toBe(number.phoneNumberSid);
    expect(purchase?.details).toMatchObject({
      voiceUrl: `${t.config.publicBaseUrl}/api/webhooks/voice`,
      voiceMethod: 'POST',
      statusCallback: `${t.config.publicBaseUrl}/api/webhooks/call-status`,
      statusCallbackMethod: 'POST',
    });
    expect(sim.numbers().map((n) => n.sid)).toContain(number.phoneNumberSid);

    // A bought number is no longer offered.
    const again = await owner.client.GET('/api/phone-numbers/search', { params: { query: { areaCode: '415', limit: 50 } } });
    expect(again.data?.numbers.map((n) => n.phoneNumber)).not.toContain(offered.phoneNumber);

    const list = await owner.client.GET('/api/phone-numbers');
    expect(list.response.status).toBe(200);
    expect(list.data).toContainEqual(number);

    const moved = await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', {
      params: { path: { id: String(number.id) } },
      body: { campaignId: second.id },
    });
    expect(moved.response.status).toBe(200);
    expect(moved.data).toMatchObject({ id: number.id, campaignId: second.id, status: 'assigned' });

    const unassigned = await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', {
      params: { path: { id: String(number.id) } },
      body: { campaignId: null },
    });
    expect(unassigned.response.status).toBe(200);
    expect(unassigned.data).toMatchObject({ id: number.id, campaignId: null, poolId: null, status: 'unassigned' });

    const released = await owner.client.DELETE('/api/phone-numbers/{id}', { params: { path: { id: String(number.id) } } });
    expect(released.response.status).toBe(204);
    expect(releasesOf(number.phoneNumberSid)).toHaveLength(1);
    expect(sim.numbers().map((n) => n.sid)).not.toContain(number.phoneNumberSid);
    const after = await owner.client.GET('/api/phone-numbers');
    expect(after.data?.some((n) => n.id === number.id)).toBe(false);
    const twice = await owner.client.DELETE('/api/phone-numbers/{id}', { params: { path: { id: String(number.id) } } });
    expect(twice.response.status).toBe(404);
  });

  it('buys without a campaign: unassigned, the simulator name kept', async () => {
    const number = await buy(owner.client, '+13125550101');
    expect(number).toMatchObject({ campaignId: null, poolId: null, status: 'unassigned', friendlyName: '(312) 555-0101 (simulator)' });
  });
});

describe('phone numbers: purchase conflicts', () => {
  it('answers 409 naming phoneNumber for a number already ours, and buys it only once', async () => {
    const phoneNumber = '+15125550102';
    await buy(owner.client, phoneNumber);
    const dup = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber } });
    expect(dup.response.status).toBe(409);
    expect(dup.error).toMatchObject({ code: 'CONFLICT', details: { phoneNumber: expect.any(String) } });
    // Another organisation cannot buy it either, and the provider is not asked.
    const theirs = await other.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber } });
    expect(theirs.response.status).toBe(409);
    expect(theirs.error?.details).toMatchObject({ phoneNumber: expect.any(String) });
    expect(attemptsFor(phoneNumber)).toBe(1);
    expect(purchasesOf(phoneNumber)).toHaveLength(1);
    expect(await rowCount(phoneNumber)).toBe(1);
  });

  it('does not tell another organisation that a number was bought here: it gets the provider\'s "not available" answer', async () => {
    const mine = '+15125550105';
    await buy(owner.client, mine);
    const soldElsewhere = '+16175550105';
    await sim.purchaseNumber({ phoneNumber: soldElsewhere, voiceUrl: 'https://elsewhere.example/v', statusCallbackUrl: 'https://elsewhere.example/s' });
    const theirs = await other.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: mine } });
    const elsewhere = await other.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: soldElsewhere } });
    expect(theirs.response.status).toBe(elsewhere.response.status);
    expect(theirs.error?.details).toEqual(elsewhere.error?.details);
    expect(theirs.error?.code).toEqual(elsewhere.error?.code);
    expect(attemptsFor(mine)).toBe(1);
  });

  it('checks our table before buying: a stored number the provider does not know is not bought (409)', async () => {
    // E.g. numbers restored from the database while the simulator restarted with nothing.
    const phoneNumber = '+15125550103';
    await t.db
      .insertInto('phone_numbers')
      .values({ org_id: other.orgId, phone_number: phoneNumber, provider_sid: 'PNsim' + 'e'.repeat(29), provider: 'simulator' })
      .execute();
    const { error, response } = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber } });
    expect(response.status).toBe(409);
    expect(error?.details).toMatchObject({ phoneNumber: expect.any(String) });
    expect(attemptsFor(phoneNumber)).toBe(0);
    expect(sim.numbers().some((n) => n.phoneNumber === phoneNumber)).toBe(false);
  });

  it('answers 409 when the provider no longer has the number (sold elsewhere), storing nothing', async () => {
    const phoneNumber = '+16175550103';
    await sim.purchaseNumber({ phoneNumber, voiceUrl: 'https://elsewhere.example/v', statusCallbackUrl: 'https://elsewhere.example/s' });
    const { error, response } = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber } });
    expect(response.status).toBe(409);
    expect(error?.details).toMatchObject({ phoneNumber: expect.any(String) });
    expect(await rowCount(phoneNumber)).toBe(0);
  });

  it('releases the bought number again when a racing request stored it first, and answers 409', async () => {
    const phoneNumber = '+12125550104';
    afterPurchase = async () => {
      await t.db
        .insertInto('phone_numbers')
        .values({ org_id: other.orgId, phone_number: phoneNumber, provider_sid: 'PNsim' + 'f'.repeat(29), provider: 'simulator' })
        .execute();
    };
    const { error, response } = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber } });
    expect(response.status).toBe(409);
    expect(error).toMatchObject({ code: 'CONFLICT', details: { phoneNumber: expect.any(String) } });
    const [purchase] = purchasesOf(phoneNumber);
    expect(purchase?.numberSid).toBeDefined();
    expect(releasesOf(purchase!.numberSid!)).toHaveLength(1);
    expect(sim.numbers().some((n) => n.phoneNumber === phoneNumber)).toBe(false);
    // Only the racing row remains, untouched.
    const rows = await t.db.selectFrom('phone_numbers').select(['org_id', 'provider_sid']).where('phone_number', '=', phoneNumber).execute();
    expect(rows).toEqual([{ org_id: other.orgId, provider_sid: 'PNsim' + 'f'.repeat(29) }]);
  });

  it('answers 400 naming phoneNumber for a number the provider does not sell, and 400 for a malformed one', async () => {
    const notSold = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: '+14155551234' } });
    expect(notSold.response.status).toBe(400);
    expect(notSold.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { phoneNumber: expect.any(String) } });
    expect(await rowCount('+14155551234')).toBe(0);
    const malformed = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: '4155550105' } });
    expect(malformed.response.status).toBe(400);
    expect(malformed.error?.details).toMatchObject({ phoneNumber: expect.any(String) });
    const extra = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: '+14155550105', orgId: other.orgId } as never });
    expect(extra.response.status).toBe(400);
    expect(extra.error?.details).toMatchObject({ orgId: 'is not allowed' });
    expect(attemptsFor('+14155550105')).toBe(0);
  });
});

describe('phone numbers: search parameters', () => {
  it('takes seed 001 `type` as an alias of numberType', async () => {
    const byType = await owner.client.GET('/api/phone-numbers/search', { params: { query: { type: 'tollFree', limit: 3 } } });
    expect(byType.response.status).toBe(200);
    expect(byType.data?.searchParams).toEqual({ country: 'US', numberType: 'tollFree', limit: 3 });
    expect(byType.data?.numbers).toHaveLength(3);
    for (const n of byType.data!.numbers) expect(n.phoneNumber).toMatch(/^\+18\d\d55501\d\d$/);
    const byName = await owner.client.GET('/api/phone-numbers/search', { params: { query: { numberType: 'tollFree', limit: 3 } } });
    expect(byName.data).toEqual(byType.data);
    const both = await owner.client.GET('/api/phone-numbers/search', { params: { query: { numberType: 'tollFree', type: 'tollFree', limit: 3 } } });
    expect(both.data).toEqual(byType.data);
    const clash = await owner.client.GET('/api/phone-numbers/search', { params: { query: { numberType: 'local', type: 'tollFree' } } });
    expect(clash.response.status).toBe(400);
    expect(clash.error?.details).toMatchObject({ type: expect.any(String) });
    const bad = await owner.client.GET('/api/phone-numbers/search', { params: { query: { type: 'landline' as never } } });
    expect(bad.response.status).toBe(400);
  });

  it('searches other countries and filters by contains', async () => {
    const gb = await owner.client.GET('/api/phone-numbers/search', { params: { query: { country: 'GB', numberType: 'mobile', limit: 2 } } });
    expect(gb.data?.numbers.map((n) => n.phoneNumber)).toEqual(['+447700900000', '+447700900001']);
    const contains = await owner.client.GET('/api/phone-numbers/search', { params: { query: { areaCode: '212', contains: '0177' } } });
    expect(contains.data?.numbers.map((n) => n.phoneNumber)).toEqual(['+12125550177']);
    expect(contains.data?.searchParams).toEqual({ country: 'US', numberType: 'local', areaCode: '212', contains: '0177', limit: 10 });
    const none = await owner.client.GET('/api/phone-numbers/search', { params: { query: { country: 'FR' } } });
    expect(none.response.status).toBe(200);
    expect(none.data?.numbers).toEqual([]);
  });

  it('keeps limit within 1…50 (400 otherwise) and honours it', async () => {
    for (const limit of [0, 51, -1]) {
      const { error, response } = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit } } });
      expect(response.status).toBe(400);
      expect(error?.code).toBe('VALIDATION_ERROR');
      expect(JSON.stringify(error?.details)).toContain('limit');
    }
    const fifty = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 50 } } });
    expect(fifty.data?.numbers).toHaveLength(50);
    const one = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 1 } } });
    expect(one.data?.numbers).toHaveLength(1);
  });

  it('answers 400 for inputs the contract or the provider refuses', async () => {
    for (const query of [{ country: 'us' }, { areaCode: '41' }, { contains: 'abc' }]) {
      const { response } = await owner.client.GET('/api/phone-numbers/search', { params: { query } });
      expect(response.status).toBe(400);
    }
    // Valid for the contract, refused by the provider (area codes are US/CA only): 400 naming it.
    const gbArea = await owner.client.GET('/api/phone-numbers/search', { params: { query: { country: 'GB', areaCode: '415' } } });
    expect(gbArea.response.status).toBe(400);
    expect(gbArea.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { areaCode: expect.any(String) } });
  });
});

describe('phone numbers: provider failures', () => {
  const outage = () => new TelephonyError('provider_error', 'Twilio could not be reached: connect ECONNREFUSED 10.0.0.7:443');

  it('answers 502 UPSTREAM_ERROR when the provider fails a search, without internal detail', async () => {
    failing.set('searchNumbers', outage);
    const { error, response } = await owner.client.GET('/api/phone-numbers/search');
    expect(response.status).toBe(502);
    expect(error?.code).toBe('UPSTREAM_ERROR');
    expect(JSON.stringify(error)).not.toContain('10.0.0.7');
    failing.set('searchNumbers', () => new TypeError('fetch failed'));
    expect((await owner.client.GET('/api/phone-numbers/search')).response.status).toBe(502);
  });

  it('answers 502 when the purchase fails at the provider, storing nothing', async () => {
    failing.set('purchaseNumber', outage);
    const { error, response } = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: '+14155550106' } });
    expect(response.status).toBe(502);
    expect(error?.code).toBe('UPSTREAM_ERROR');
    expect(await rowCount('+14155550106')).toBe(0);
  });

  it('keeps a number whose purchase went through although its answer was lost (a timeout): 201, stored', async () => {
    failing.set('purchaseAnswer', () => new TelephonyError('provider_error', 'Twilio request timed out'));
    const { data, response } = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: '+14155550130' } });
    expect(response.status).toBe(201);
    expect(data?.phoneNumber).toBe('+14155550130');
    expect(await rowCount('+14155550130')).toBe(1);
    const [purchase] = purchasesOf('+14155550130');
    expect(data?.phoneNumberSid).toBe(purchase?.numberSid);
    expect(releasesOf(purchase!.numberSid!)).toHaveLength(0);
    failing.delete('purchaseAnswer');
  });

  it('never takes for a lost purchase a number the account holds for something else (another voice URL): 502, nothing stored or released', async () => {
    sim.registerNumber({ sid: `PN${'e'.repeat(32)}`, phoneNumber: '+14155550131', voiceUrl: 'https://elsewhere.example/voice' });
    failing.set('purchaseNumber', () => new TelephonyError('provider_error', 'Twilio request timed out'));
    try {
      const { error, response } = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: '+14155550131' } });
      expect(response.status).toBe(502);
      expect(error?.code).toBe('UPSTREAM_ERROR');
      expect(await rowCount('+14155550131')).toBe(0);
      expect(releasesOf(`PN${'e'.repeat(32)}`)).toHaveLength(0);
    } finally {
      failing.delete('purchaseNumber');
    }
  });

  it('answers 502 when the release fails at the provider, keeping the number', async () => {
    const number = await buy(owner.client, '+14155550107');
    failing.set('releaseNumber', outage);
    const { error, response } = await owner.client.DELETE('/api/phone-numbers/{id}', { params: { path: { id: String(number.id) } } });
    expect(response.status).toBe(502);
    expect(error?.code).toBe('UPSTREAM_ERROR');
    expect(await rowCount('+14155550107')).toBe(1);
    failing.clear();
    expect((await owner.client.DELETE('/api/phone-numbers/{id}', { params: { path: { id: String(number.id) } } })).response.status).toBe(204);
    expect(await rowCount('+14155550107')).toBe(0);
  });

  it('deletes a number the provider no longer knows (already released)', async () => {
    const number = await buy(owner.client, '+14155550108');
    await sim.releaseNumber(number.phoneNumberSid);
    const { response } = await owner.client.DELETE('/api/phone-numbers/{id}', { params: { path: { id: String(number.id) } } });
    expect(response.status).toBe(204);
    expect(await rowCount('+14155550108')).toBe(0);
  });

  it('refuses (502) to forget a Twilio number while running on the simulator', async () => {
    const row = await t.db
      .insertInto('phone_numbers')
      .values({ org_id: owner.orgId, phone_number: '+14155550109', provider_sid: 'PN' + '0'.repeat(32), provider: 'twilio', monthly_fee: '1.15' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const list = await owner.client.GET('/api/phone-numbers');
    expect(list.data?.find((n) => n.id === row.id)).toMatchObject({ provider: 'twilio', monthlyFee: 1.15, capabilities: { voice: true, SMS: false, MMS: false } });
    const { response } = await owner.client.DELETE('/api/phone-numbers/{id}', { params: { path: { id: String(row.id) } } });
    expect(response.status).toBe(502);
    expect(await rowCount('+14155550109')).toBe(1);
  });
});

describe('phone numbers: roles and tenancy', () => {
  it('lets agents list only, managers search and assign, and only admins buy and release', async () => {
    const agent = await addMember(t, owner, 'agent');
    const manager = await addMember(t, owner, 'manager');
    const admin = await addMember(t, owner, 'admin');
    const campaign = await createCampaign(owner.client, { name: 'Roles' });
    const number = await buy(owner.client, '+14155550110');
    const path = { params: { path: { id: String(number.id) } } };

    expect((await agent.client.GET('/api/phone-numbers')).response.status).toBe(200);
    const agentSearch = await agent.client.GET('/api/phone-numbers/search');
    expect(agentSearch.response.status).toBe(403);
    expect(agentSearch.error?.code).toBe('FORBIDDEN');
    expect((await agent.client.POST('/api/phone-numbers/{id}/assign-campaign', { ...path, body: { campaignId: campaign.id } })).response.status).toBe(403);
    expect((await agent.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: '+14155550111' } })).response.status).toBe(403);
    expect((await agent.client.DELETE('/api/phone-numbers/{id}', path)).response.status).toBe(403);

    expect((await manager.client.GET('/api/phone-numbers/search')).response.status).toBe(200);
    const assigned = await manager.client.POST('/api/phone-numbers/{id}/assign-campaign', { ...path, body: { campaignId: campaign.id } });
    expect(assigned.response.status).toBe(200);
    expect(assigned.data?.status).toBe('assigned');
    expect((await manager.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: '+14155550111' } })).response.status).toBe(403);
    expect((await manager.client.DELETE('/api/phone-numbers/{id}', path)).response.status).toBe(403);
    expect(attemptsFor('+14155550111')).toBe(0);

    const adminBuy = await admin.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: '+14155550111' } });
    expect(adminBuy.response.status).toBe(201);
    expect((await admin.client.DELETE('/api/phone-numbers/{id}', path)).response.status).toBe(204);
    expect((await t.client().GET('/api/phone-numbers')).response.status).toBe(401);
  });

  it('treats another organisation’s numbers and campaigns as absent (404)', async () => {
    const mine = await buy(owner.client, '+14155550112');
    const myCampaign = await createCampaign(owner.client, { name: 'Mine' });
    const theirCampaign = await createCampaign(other.client, { name: 'Theirs' });
    const path = { params: { path: { id: String(mine.id) } } };

    const theirList = await other.client.GET('/api/phone-numbers');
    expect(theirList.data?.some((n) => n.id === mine.id)).toBe(false);
    const assign = await other.client.POST('/api/phone-numbers/{id}/assign-campaign', { ...path, body: { campaignId: theirCampaign.id } });
    expect(assign.response.status).toBe(404);
    expect(assign.error?.code).toBe('RESOURCE_NOT_FOUND');
    expect((await other.client.DELETE('/api/phone-numbers/{id}', path)).response.status).toBe(404);
    expect(releasesOf(mine.phoneNumberSid)).toHaveLength(0);

    // My number pointed at their campaign, or an unknown one: 404 naming the campaign, nothing changed.
    for (const campaignId of [theirCampaign.id, '00000000-0000-4000-8000-000000000000']) {
      const cross = await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', { ...path, body: { campaignId } });
      expect(cross.response.status).toBe(404);
      expect(cross.error?.details).toContain(campaignId);
    }
    const buyForThem = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: '+14155550113', campaignId: theirCampaign.id } });
    expect(buyForThem.response.status).toBe(404);
    expect(attemptsFor('+14155550113')).toBe(0);

    const ok = await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', { ...path, body: { campaignId: myCampaign.id } });
    expect(ok.data?.campaignId).toBe(myCampaign.id);
    const unchanged = await owner.client.GET('/api/phone-numbers');
    expect(unchanged.data?.find((n) => n.id === mine.id)?.campaignId).toBe(myCampaign.id);
  });

  it('answers 404 for malformed or unknown number ids, and 400 for a malformed campaignId', async () => {
    for (const id of ['abc', '0', '-1', '99999999999', '2147483647', "1' OR '1'='1"]) {
      const del = await owner.client.DELETE('/api/phone-numbers/{id}', { params: { path: { id } } });
      expect(del.response.status).toBe(404);
      const assign = await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', { params: { path: { id } }, body: { campaignId: null } });
      expect(assign.response.status).toBe(404);
    }
    const number = await buy(owner.client, '+14155550114');
    const bad = await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', {
      params: { path: { id: String(number.id) } },
      body: { campaignId: 'not-a-uuid' },
    });
    expect(bad.response.status).toBe(400);
    expect(bad.error?.details).toMatchObject({ campaignId: expect.any(String) });
    const missing = await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', { params: { path: { id: String(number.id) } }, body: {} as never });
    expect(missing.response.status).toBe(400);
    expect(missing.error?.details).toMatchObject({ campaignId: 'is required' });
  });

  it('points a number at no campaign when its campaign is deleted', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Short-lived' });
    const number = await buy(owner.client, '+14155550115', { campaignId: campaign.id });
    expect(number.status).toBe('assigned');
    expect((await owner.client.DELETE('/api/campaigns/{id}', { params: { path: { id: campaign.id } } })).response.status).toBe(204);
    const list = await owner.client.GET('/api/phone-numbers');
    expect(list.data?.find((n) => n.id === number.id)).toMatchObject({ campaignId: null, status: 'unassigned' });
  });
});

describe("phone numbers: a campaign's own phoneNumber keeps its calls", () => {
  const snapshot = () => snapshotTables(t.db, { api_keys: ['last_used_at'] });

  it('refuses (409 naming campaignId) to point a number at a campaign when another campaign uses it as its phoneNumber, changing nothing', async () => {
    const number = await buy(owner.client, '+16465550171');
    const owning = await createCampaign(owner.client, { name: 'Owns the line', phoneNumber: number.phoneNumber });
    const thief = await createCampaign(owner.client, { name: 'Would take its calls' });
    const before = await snapshot();
    const moved = await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', { params: { path: { id: String(number.id) } }, body: { campaignId: thief.id } });
    expect(moved.response.status).toBe(409);
    expect(moved.error).toMatchObject({ code: 'CONFLICT' });
    expect(Object.keys(moved.error?.details as object)).toEqual(['campaignId']);
    expect((moved.error?.details as Record<string, string>).campaignId).toContain(owning.id);
    expect(await snapshot()).toEqual(before);

    // The campaign that names the number may have it pointed at itself, and unpointed again.
    const own = await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', { params: { path: { id: String(number.id) } }, body: { campaignId: owning.id } });
    expect(own.response.status).toBe(200);
    expect(own.data).toMatchObject({ campaignId: owning.id, status: 'assigned' });
    const none = await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', { params: { path: { id: String(number.id) } }, body: { campaignId: null } });
    expect(none.data).toMatchObject({ campaignId: null, status: 'unassigned' });
  });

  it('refuses (409 naming campaignId) to buy a number for a campaign when another campaign uses it as its phoneNumber, buying nothing', async () => {
    const phoneNumber = '+16465550172';
    const owning = await createCampaign(owner.client, { name: 'Names an unbought line', phoneNumber });
    const thief = await createCampaign(owner.client, { name: 'Would buy it away' });
    const before = await snapshot();
    const bought = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber, campaignId: thief.id } });
    expect(bought.response.status).toBe(409);
    expect(Object.keys(bought.error?.details as object)).toEqual(['campaignId']);
    expect((bought.error?.details as Record<string, string>).campaignId).toContain(owning.id);
    expect(attemptsFor(phoneNumber)).toBe(0);
    expect(await snapshot()).toEqual(before);

    expect(await buy(owner.client, phoneNumber, { campaignId: owning.id })).toMatchObject({ campaignId: owning.id, status: 'assigned' });
  });
});
