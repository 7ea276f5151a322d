// A bidder's answer that is rejected must still be recorded: values the audit columns cannot hold
// (an amount past numeric(12,4), a duration past integer) never fail the auction or its audit.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Member, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { bid, startStubBidder, type StubBidder } from '../../helpers/stub-bidder.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
const stubs: StubBidder[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Hostile audit Org');
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});
afterAll(async () => t.close());

let phoneCounter = 300;
async function campaignWith(answers: Array<StubBidder['answer']>) {
  const ids: number[] = [];
  for (const answer of answers) {
    const s = await startStubBidder(answer);
    stubs.push(s);
    const { data } = await owner.client.POST('/api/rtb/targets', { body: { name: `T ${s.url}`, endpointUrl: s.url, minBidAmount: 1, maxBidAmount: 100, timeoutMs: 1000 } });
    ids.push(data!.id);
  }
  phoneCounter += 1;
  const campaign = await createCampaign(owner.client, {
    name: `Hostile ${phoneCounter}`,
    phoneNumber: `+1212556${String(phoneCounter).padStart(4, '0')}`,
    enableRtb: true,
    minBiddersRequired: 1,
    biddingTimeoutMs: 1000,
  });
  await owner.client.PUT('/api/campaigns/{id}/rtb-targets', {
    params: { path: { id: campaign.id } },
    body: { assignments: ids.map((targetId, i) => ({ targetId, priority: i + 1 })) },
  });
  return { campaign, ids };
}

function ping(rtbId: string, callerId: string) {
  return t.client().POST('/api/rtb/bid/{rtbId}', { params: { path: { rtbId } }, body: { callerId } });
}

describe('auction audit of out-of-range answers', () => {
  it('an amount too large for the audit column is above_max_bid, and the good bid still wins', async () => {
    const { campaign, ids } = await campaignWith([() => ({ body: bid(1e12) }), () => ({ body: bid(7) })]);
    const answer = await ping(campaign.rtbId, '+13105550301');
    expect(answer.response.status).toBe(200);
    expect(answer.data).toMatchObject({ bidAmount: 7 });
    const rows = await owner.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: await lastRequestId(campaign.id) } } });
    expect(rows.response.status).toBe(200);
    expect(rows.data!.find((r) => r.rtbTargetId === ids[0])).toMatchObject({ rejectionReason: 'above_max_bid', isValid: false, bidAmount: null });
  });

  it('a duration too large for a leg is invalid_duration, and does not fail the auction', async () => {
    const { campaign, ids } = await campaignWith([() => ({ body: bid(9, '+12125550199', { duration: 1e12 }) }), () => ({ body: bid(5, '+12125550198', { duration: 60 }) })]);
    const answer = await ping(campaign.rtbId, '+13105550302');
    expect(answer.response.status).toBe(200);
    expect(answer.data).toMatchObject({ bidAmount: 5 });
    const rows = await owner.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: await lastRequestId(campaign.id) } } });
    expect(rows.data!.find((r) => r.rtbTargetId === ids[0])).toMatchObject({ rejectionReason: 'invalid_duration', isValid: false, bidAmount: 9 });
  });

  it('a hugely negative amount is invalid_bid_amount, recorded without its amount', async () => {
    const { campaign, ids } = await campaignWith([() => ({ body: bid(-1e12) })]);
    const answer = await ping(campaign.rtbId, '+13105550303');
    expect(answer.response.status).toBe(200);
    expect(answer.data).toMatchObject({ bidAmount: 0, rejectReason: 'no_valid_bids' });
    const rows = await owner.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: await lastRequestId(campaign.id) } } });
    expect(rows.data!.find((r) => r.rtbTargetId === ids[0])).toMatchObject({ rejectionReason: 'invalid_bid_amount', bidAmount: null });
  });
});

async function lastRequestId(campaignId: string): Promise<string> {
  const row = await t.db.selectFrom('bid_requests').select('request_id').where('campaign_id', '=', campaignId).orderBy('id', 'desc').executeTakeFirstOrThrow();
  return row.request_id;
}

describe('auction audit of answers with NUL characters', () => {
  it('a NUL byte in the body, or a NUL in a value read from it, does not fail the auction', async () => {
    const { campaign, ids } = await campaignWith([
      () => ({ body: 'oops\u0000{"bidAmount": 3}' }),
      () => ({ body: '{"bidAmount": 4, "destinationNumber": "+12125550199", "currency": "US\\u0000D"}' }),
      () => ({ body: '{"bidAmount": 4, "destinationNumber": "+1212\\u00005550199"}' }),
      () => ({ body: bid(6) }),
    ]);
    const answer = await ping(campaign.rtbId, '+13105550304');
    expect(answer.response.status).toBe(200);
    expect(answer.data).toMatchObject({ bidAmount: 6 });
    const rows = await owner.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: await lastRequestId(campaign.id) } } });
    expect(rows.response.status).toBe(200);
    const reason = (id: number | undefined) => rows.data!.find((r) => r.rtbTargetId === id)?.rejectionReason;
    expect([reason(ids[0]), reason(ids[1]), reason(ids[2])]).toEqual(['invalid_json', 'currency_mismatch', 'invalid_destination']);
  });
});

describe('SIP destinations with control characters', () => {
  it('are invalid_destination, so they never win', async () => {
    const { campaign, ids } = await campaignWith([() => ({ body: bid(9, 'sip:a\u0000b@trunk.example.com') }), () => ({ body: bid(2) })]);
    const answer = await ping(campaign.rtbId, '+13105550305');
    expect(answer.response.status).toBe(200);
    expect(answer.data).toMatchObject({ bidAmount: 2 });
    const rows = await owner.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: await lastRequestId(campaign.id) } } });
    expect(rows.data!.find((r) => r.rtbTargetId === ids[0])).toMatchObject({ rejectionReason: 'invalid_destination' });
  });
});

describe('auction audit of answers with unpaired surrogates', () => {
  it('a lone surrogate escaped in a currency or destination does not fail the auction, and never wins', async () => {
    const { campaign, ids } = await campaignWith([
      () => ({ body: '{"bidAmount": 4, "destinationNumber": "+12125550199", "currency": "US\\ud800"}' }),
      () => ({ body: '{"bidAmount": 4, "destinationNumber": "+1212\\udc005550199"}' }),
      () => ({ body: '{"bidAmount": 9, "destinationNumber": "sip:a\\ud800b@trunk.example.com"}' }),
      () => ({ body: bid(6) }),
    ]);
    const answer = await ping(campaign.rtbId, '+13105550306');
    expect(answer.response.status).toBe(200);
    expect(answer.data).toMatchObject({ bidAmount: 6 });
    const rows = await owner.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: await lastRequestId(campaign.id) } } });
    expect(rows.response.status).toBe(200);
    const reason = (id: number | undefined) => rows.data!.find((r) => r.rtbTargetId === id)?.rejectionReason;
    expect([reason(ids[0]), reason(ids[1]), reason(ids[2])]).toEqual(['currency_mismatch', 'invalid_destination', 'invalid_destination']);
    expect(rows.data!.find((r) => r.rtbTargetId === ids[0])?.bidCurrency).toBe('US\uFFFD');
  });
});
