import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type Member, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { bid, startStubBidder, type StubBidder } from '../../helpers/stub-bidder.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
const stubs: StubBidder[] = [];
const SECRET = 'sk_live_very_secret_token_123';

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Inbound RTB Org');
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});
afterAll(async () => t.close());

let phoneCounter = 100;
async function stub(answer: StubBidder['answer']) {
  const s = await startStubBidder(answer);
  stubs.push(s);
  return s;
}

async function target(client: Client, url: string, extra: Record<string, unknown> = {}) {
  const { data, response } = await client.POST('/api/rtb/targets', {
    body: { name: `T ${url}`, endpointUrl: url, minBidAmount: 1, maxBidAmount: 100, timeoutMs: 1000, ...extra },
  });
  expect(response.status).toBe(201);
  return data!;
}

async function rtbCampaign(client: Client, targetIds: number[], extra: Record<string, unknown> = {}) {
  phoneCounter += 1;
  const campaign = await createCampaign(client, {
    name: `RTB ${phoneCounter}`,
    phoneNumber: `+1212555${String(phoneCounter).padStart(4, '0')}`,
    enableRtb: true,
    minBiddersRequired: 1,
    biddingTimeoutMs: 1000,
    ...extra,
  });
  const put = await client.PUT('/api/campaigns/{id}/rtb-targets', {
    params: { path: { id: campaign.id } },
    body: { assignments: targetIds.map((targetId, i) => ({ targetId, priority: i + 1 })) },
  });
  expect(put.response.status).toBe(200);
  return campaign;
}

function ping(rtbId: string, body: Record<string, unknown>) {
  return t.client().POST('/api/rtb/bid/{rtbId}', { params: { path: { rtbId } }, body: body as never });
}

describe('inbound RTB', () => {
  it('bids the best valid bid, caches it for a repeat ping, and answers the GET form the same', async () => {
    const low = await stub(() => ({ body: bid(10) }));
    const high = await stub(() => ({ body: bid(20, '+13105550100') }));
    const a = await target(owner.client, low.url);
    const b = await target(owner.client, high.url, { authMethod: 'bearer', authToken: SECRET });
    const campaign = await rtbCampaign(owner.client, [a.id, b.id]);

    const first = await ping(campaign.rtbId, { callerId: '+13105551234', callerState: 'CA', callerZip: '90210' });
    expect(first.response.status).toBe(200);
    expect(first.data).toMatchObject({ bidAmount: 20, phoneNumber: campaign.phoneNumber, phoneNumberNoPlus: campaign.phoneNumber!.slice(1), warnings: [] });
    const accepted = first.data as { bidId: string; expireInSeconds: number; bidExpireEpoch: number };
    expect(accepted.expireInSeconds).toBeGreaterThan(50);
    expect(accepted.bidExpireEpoch).toBeGreaterThan(Date.now());
    expect(high.received[0]!.headers.authorization).toBe(`Bearer ${SECRET}`);

    const again = await t.client().GET('/api/rtb/bid/{rtbId}', { params: { path: { rtbId: campaign.rtbId }, query: { callerId: '3105551234' } } });
    expect(again.response.status).toBe(200);
    expect((again.data as { bidId: string }).bidId).toBe(accepted.bidId);
    expect(low.received).toHaveLength(1);
    expect(high.received).toHaveLength(1);

    // One audit row for the auction, one row per target; the secret is nowhere in them.
    const requests = await t.db.selectFrom('bid_requests').selectAll().where('campaign_id', '=', campaign.id).execute();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ source: 'inbound_rtb', status: 'won', winning_target_id: b.id, total_targets_pinged: 2, successful_responses: 2 });
    const responses = await t.db.selectFrom('bid_responses').selectAll().where('request_id', '=', requests[0]!.request_id).execute();
    expect(responses).toHaveLength(2);
    expect(JSON.stringify(requests) + JSON.stringify(responses)).not.toContain(SECRET);

    const listed = await owner.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: requests[0]!.request_id } } });
    expect(listed.data).toHaveLength(2);
    expect(JSON.stringify(listed.data)).not.toContain(SECRET);
    expect(listed.data!.find((r) => r.isWinningBid)).toMatchObject({ rtbTargetId: b.id, bidAmount: 20, destinationNumber: '310***0100' });
  });

  it('pays the second price in a second-price campaign (a sole bidder pays its minimum)', async () => {
    const s1 = await stub(() => ({ body: bid(30) }));
    const s2 = await stub(() => ({ body: bid(12.5) }));
    const a = await target(owner.client, s1.url);
    const b = await target(owner.client, s2.url);
    const campaign = await rtbCampaign(owner.client, [a.id, b.id], { auctionType: 'second_price' });
    const answer = await ping(campaign.rtbId, { callerId: '+13105550001' });
    expect(answer.data).toMatchObject({ bidAmount: 12.5 });

    const sole = await rtbCampaign(owner.client, [a.id], { auctionType: 'second_price' });
    expect((await ping(sole.rtbId, { callerId: '+13105550002' })).data).toMatchObject({ bidAmount: 1 });
  });

  it('does not quote a bid of 0: a sole second-price bidder whose minimum bid is 0 is a rejection, never reused', async () => {
    const s1 = await stub(() => ({ body: bid(30) }));
    const a = await target(owner.client, s1.url, { minBidAmount: 0 });
    const campaign = await rtbCampaign(owner.client, [a.id], { auctionType: 'second_price' });
    const answer = await ping(campaign.rtbId, { callerId: '+13105550011' });
    expect(answer.response.status).toBe(200);
    expect(answer.data).toMatchObject({ bidAmount: 0, rejectReason: 'zero_price' });
    expect(answer.data).not.toHaveProperty('phoneNumber');
    const stored = await t.db.selectFrom('inbound_bids').select(['reject_reason', 'bid_request_id']).where('campaign_id', '=', campaign.id).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.reject_reason).toBe('zero_price');
    expect(stored[0]!.bid_request_id).not.toBeNull();
    // A repeat ping runs a new auction (nothing cached), and is refused the same way.
    expect((await ping(campaign.rtbId, { callerId: '+13105550011' })).data).toMatchObject({ bidAmount: 0, rejectReason: 'zero_price' });
    expect(s1.received).toHaveLength(2);
  });

  it('rejects with a reason: no valid bids, paused campaign, RTB off; stores nothing that could be reused', async () => {
    const refusing = await stub(() => ({ body: { accepted: false } }));
    const a = await target(owner.client, refusing.url);
    const campaign = await rtbCampaign(owner.client, [a.id]);
    const none = await ping(campaign.rtbId, { callerId: '+13105550003' });
    expect(none.data).toMatchObject({ bidAmount: 0, rejectReason: 'no_valid_bids' });

    await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaign.id } }, body: { status: 'paused' } });
    expect((await ping(campaign.rtbId, { callerId: '+13105550003' })).data).toMatchObject({ bidAmount: 0, rejectReason: 'campaign_not_active' });
    await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaign.id } }, body: { status: 'active', enableRtb: false } });
    expect((await ping(campaign.rtbId, { callerId: '+13105550003' })).data).toMatchObject({ bidAmount: 0, rejectReason: 'rtb_disabled' });
    expect(refusing.received).toHaveLength(1);
  });

  it('answers 404 for an unknown or malformed RTB ID and 400 naming callerId for a bad caller', async () => {
    expect((await ping('0'.repeat(32), { callerId: '+13105550004' })).response.status).toBe(404);
    expect((await ping('not-an-rtb-id', { callerId: '+13105550004' })).response.status).toBe(404);
    const campaign = await rtbCampaign(owner.client, []);
    const bad = await ping(campaign.rtbId, { callerId: '12' });
    expect(bad.response.status).toBe(400);
    expect(bad.error?.details).toHaveProperty('callerId');
    const notPossible = await ping(campaign.rtbId, { callerId: '+999999999999' });
    expect(notPossible.response.status).toBe(400);
  });

  it('runs one auction for concurrent pings of the same caller', async () => {
    const slow = await stub(() => ({ body: bid(7), delayMs: 150 }));
    const a = await target(owner.client, slow.url);
    const campaign = await rtbCampaign(owner.client, [a.id]);
    const answers = await Promise.all(Array.from({ length: 5 }, () => ping(campaign.rtbId, { callerId: '+13105550005' })));
    const ids = new Set(answers.map((r) => (r.data as { bidId: string }).bidId));
    expect(ids.size).toBe(1);
    expect(slow.received).toHaveLength(1);
  });

  it('filters targets by caller geography and caller-ID rules, recording each reason', async () => {
    const any = await stub(() => ({ body: bid(5) }));
    const ca = await target(owner.client, any.url, { states: ['CA'] });
    const notNy = await target(owner.client, any.url, { excludedStates: ['NY'] });
    const zip = await target(owner.client, any.url, { zipCodes: ['10001'] });
    const campaign = await rtbCampaign(owner.client, [ca.id, notNy.id, zip.id]);
    await ping(campaign.rtbId, { callerId: '+12125550006', callerState: 'NY', callerZip: '10002' });
    const rows = await t.db.selectFrom('bid_responses').select(['rtb_target_id', 'status', 'rejection_reason']).where('org_id', '=', owner.orgId).where('rtb_target_id', 'in', [ca.id, notNy.id, zip.id]).execute();
    const byTarget = Object.fromEntries(rows.map((r) => [r.rtb_target_id, r.rejection_reason]));
    expect(byTarget).toEqual({ [ca.id]: 'state_not_allowed', [notNy.id]: 'state_excluded', [zip.id]: 'zip_not_allowed' });
    expect(any.received).toHaveLength(0);
  });

  it('skips a target whose hourly cap is reached by calls it took, and one at its concurrency limit', async () => {
    const s = await stub(() => ({ body: bid(9) }));
    const capped = await target(owner.client, s.url, { hourlyCap: 1 });
    const busy = await target(owner.client, s.url, { maxConcurrentCalls: 1 });
    const campaign = await rtbCampaign(owner.client, [capped.id, busy.id]);
    // One finished call to `capped` this hour, one live call to `busy`.
    for (const [targetId, live] of [
      [capped.id, false],
      [busy.id, true],
    ] as const) {
      const call = await t.db
        .insertInto('calls')
        .values({ org_id: owner.orgId, call_sid: `CAcap${targetId}x${Date.now()}`, campaign_id: campaign.id })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.db
        .insertInto('call_legs')
        .values({ call_id: call.id, attempt: 1, org_id: owner.orgId, rtb_target_id: targetId, destination: '+12125550199', ...(live ? {} : { dial_status: 'completed', ended_at: new Date() }) })
        .execute();
    }
    const answer = await ping(campaign.rtbId, { callerId: '+13105550007' });
    expect(answer.data).toMatchObject({ bidAmount: 0, rejectReason: 'no_eligible_targets' });
    const row = await t.db.selectFrom('bid_responses').select('rejection_reason').where('rtb_target_id', '=', capped.id).executeTakeFirstOrThrow();
    expect(row.rejection_reason).toBe('cap_reached');
    const busyRow = await t.db.selectFrom('bid_responses').select('rejection_reason').where('rtb_target_id', '=', busy.id).executeTakeFirstOrThrow();
    expect(busyRow.rejection_reason).toBe('concurrency_reached');
    expect(s.received).toHaveLength(0);
  });

  it('opens the circuit after repeated failures and records it', async () => {
    const failing = await stub(() => ({ status: 500, body: { error: 'boom' } }));
    const a = await target(owner.client, failing.url);
    const campaign = await rtbCampaign(owner.client, [a.id]);
    for (let i = 0; i < 5; i += 1) await ping(campaign.rtbId, { callerId: `+1310555010${i}` });
    expect(failing.received).toHaveLength(5);
    const sixth = await ping(campaign.rtbId, { callerId: '+13105550199' });
    expect(sixth.data).toMatchObject({ bidAmount: 0, rejectReason: 'no_eligible_targets' });
    expect(failing.received).toHaveLength(5);
    const last = await t.db.selectFrom('bid_responses').select('rejection_reason').where('rtb_target_id', '=', a.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(last.rejection_reason).toBe('circuit_open');
  });

  it("uses an active router's deadline instead of the campaign's", async () => {
    const slow = await stub(() => ({ body: bid(11), delayMs: 400 }));
    const a = await target(owner.client, slow.url, { timeoutMs: 2000 });
    const router = await owner.client.POST('/api/rtb/routers', { body: { name: 'Fast', biddingTimeoutMs: 150, minBiddersRequired: 1 } });
    const campaign = await rtbCampaign(owner.client, [a.id], { biddingTimeoutMs: 2000, rtbRouterId: router.data!.id });
    const started = Date.now();
    const answer = await ping(campaign.rtbId, { callerId: '+13105550008' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(answer.data).toMatchObject({ bidAmount: 0, rejectReason: 'no_valid_bids' });
    const row = await t.db.selectFrom('bid_responses').select(['status', 'rejection_reason']).where('rtb_target_id', '=', a.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'timeout', rejection_reason: 'timeout' });
  });

  it('reads a bid whose JSON starts with a UTF-8 byte order mark', async () => {
    const bom = await stub(() => ({ body: `\uFEFF${JSON.stringify(bid(14))}` }));
    const a = await target(owner.client, bom.url);
    const campaign = await rtbCampaign(owner.client, [a.id]);
    const answer = await ping(campaign.rtbId, { callerId: '+13105550009' });
    expect(answer.data).toMatchObject({ bidAmount: 14 });
  });

  it('no longer answers a cached bid once the campaign is paused or its RTB turned off', async () => {
    const s1 = await stub(() => ({ body: bid(15) }));
    const a = await target(owner.client, s1.url);
    const campaign = await rtbCampaign(owner.client, [a.id]);
    expect((await ping(campaign.rtbId, { callerId: '+13105550010' })).data).toMatchObject({ bidAmount: 15 });
    await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaign.id } }, body: { status: 'paused' } });
    expect((await ping(campaign.rtbId, { callerId: '+13105550010' })).data).toMatchObject({ bidAmount: 0, rejectReason: 'campaign_not_active' });
    await owner.client.PUT('/api/campaigns/{id}', { params: { path: { id: campaign.id } }, body: { status: 'active', enableRtb: false } });
    expect((await ping(campaign.rtbId, { callerId: '+13105550010' })).data).toMatchObject({ bidAmount: 0, rejectReason: 'rtb_disabled' });
  });
});
