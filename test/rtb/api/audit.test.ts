import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BidResponseStatus } from '../../../db/types.js';
import { type Member, addMember, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let other: Member;
let campaignA: string;
let campaignB: string;
let targetIds: number[];

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

interface RequestSeed {
  requestId: string;
  campaignId: string | null;
  createdAt: Date;
  callId?: number;
  callerId?: string | null;
  status?: 'won' | 'no_valid_bids' | 'insufficient_bidders' | 'no_eligible_targets';
  winningBidAmount?: number | null;
  clearingPrice?: number | null;
  winningTargetId?: number | null;
}

async function insertBidRequest(orgId: string, seed: RequestSeed): Promise<string> {
  const row = await t.db
    .insertInto('bid_requests')
    .values({
      org_id: orgId,
      request_id: seed.requestId,
      campaign_id: seed.campaignId,
      call_id: seed.callId ?? null,
      caller_id: seed.callerId ?? null,
      caller_state: 'CA',
      caller_zip: '90210',
      call_start_time: seed.createdAt,
      source: 'call',
      auction_type: 'first_price',
      status: seed.status ?? 'no_valid_bids',
      total_targets_pinged: 4,
      successful_responses: 2,
      winning_bid_amount: seed.winningBidAmount ?? null,
      clearing_price: seed.clearingPrice ?? null,
      winning_target_id: seed.winningTargetId ?? null,
      destination_number: null,
      bidding_started_at: seed.createdAt,
      bidding_completed_at: new Date(seed.createdAt.getTime() + 412),
      total_response_time_ms: 412,
      ledger: '{}',
      created_at: seed.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

interface ResponseSeed {
  targetId: number | null;
  name: string;
  status: BidResponseStatus;
  httpStatus?: number | null;
  bidAmount?: number | null;
  destination?: string | null;
  isValid?: boolean;
  isWinner?: boolean;
  reason?: string | null;
}

async function insertResponses(orgId: string, requestPk: string, requestId: string, createdAt: Date, seeds: ResponseSeed[]) {
  await t.db
    .insertInto('bid_responses')
    .values(
      seeds.map((s) => ({
        org_id: orgId,
        bid_request_id: requestPk,
        request_id: requestId,
        rtb_target_id: s.targetId,
        target_name: s.name,
        status: s.status,
        http_status: s.httpStatus ?? null,
        response_time_ms: s.status === 'filtered' ? null : 120,
        bid_amount: s.bidAmount ?? null,
        bid_currency: s.bidAmount != null ? 'USD' : null,
        destination_number: s.destination ?? null,
        is_valid: s.isValid ?? false,
        is_winning_bid: s.isWinner ?? false,
        rejection_reason: s.reason ?? null,
        request_body: '{"secret":"not returned"}',
        response_body: '{}',
        created_at: createdAt,
      })),
    )
    .execute();
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Audit Org');
  other = await registerOrg(t, 'Other Audit Org');
  campaignA = (await createCampaign(owner.client, { name: 'Audited A' })).id;
  campaignB = (await createCampaign(owner.client, { name: 'Audited B' })).id;
  targetIds = [];
  for (const name of ['Winner Net', 'Runner Up', 'Picky Buyer', 'Far Away', 'Slow Buyer']) {
    const { data } = await owner.client.POST('/api/rtb/targets', { body: { name, endpointUrl: 'https://bids.example.com/' } });
    targetIds.push(data!.id);
  }
  const [winner, runnerUp, picky, farAway, slow] = targetIds as [number, number, number, number, number];

  // The auction of call 77: won by Winner Net at 25.5 (first price), every kind of outcome.
  const wonAt = minutesAgo(10);
  const won = await insertBidRequest(owner.orgId, {
    requestId: 'req_audit_won',
    campaignId: campaignA,
    createdAt: wonAt,
    callId: 77,
    callerId: '+12125551234',
    status: 'won',
    winningBidAmount: 25.5,
    clearingPrice: 25.5,
    winningTargetId: winner,
  });
  await insertResponses(owner.orgId, won, 'req_audit_won', wonAt, [
    { targetId: winner, name: 'Winner Net', status: 'success', httpStatus: 200, bidAmount: 25.5, destination: '+13105550199', isValid: true, isWinner: true },
    { targetId: runnerUp, name: 'Runner Up', status: 'success', httpStatus: 200, bidAmount: 20.25, destination: '+14155550100', isValid: true },
    { targetId: picky, name: 'Picky Buyer', status: 'rejected', httpStatus: 200, reason: 'not_accepted' },
    { targetId: farAway, name: 'Far Away', status: 'filtered', reason: 'state_not_allowed' },
    { targetId: slow, name: 'Slow Buyer', status: 'timeout', reason: 'timeout' },
  ]);

  // A second auction of the same call (a retry), with an error.
  const retryAt = minutesAgo(8);
  const retry = await insertBidRequest(owner.orgId, { requestId: 'req_audit_retry', campaignId: campaignA, createdAt: retryAt, callId: 77 });
  await insertResponses(owner.orgId, retry, 'req_audit_retry', retryAt, [
    { targetId: picky, name: 'Picky Buyer', status: 'error', httpStatus: 502, reason: 'http_502' },
  ]);

  // Two more auctions of campaign A and one of campaign B, no responses.
  await insertBidRequest(owner.orgId, { requestId: 'req_audit_a3', campaignId: campaignA, createdAt: minutesAgo(6), status: 'no_eligible_targets' });
  await insertBidRequest(owner.orgId, { requestId: 'req_audit_b1', campaignId: campaignB, createdAt: minutesAgo(4), callerId: '+442071838750' });
  await insertBidRequest(owner.orgId, { requestId: 'req_audit_a4', campaignId: campaignA, createdAt: minutesAgo(2), callerId: null });

  // Another organisation's auction, with the same call id.
  const foreignAt = minutesAgo(1);
  const foreign = await insertBidRequest(other.orgId, { requestId: 'req_audit_foreign', campaignId: null, createdAt: foreignAt, callId: 77 });
  await insertResponses(other.orgId, foreign, 'req_audit_foreign', foreignAt, [{ targetId: null, name: 'Foreign', status: 'success', bidAmount: 9, isValid: true, isWinner: true }]);
});
afterAll(async () => t.close());

describe('RTB audit: bid requests', () => {
  it('lists the organisation\'s auctions, newest first, caller ids obfuscated, money as numbers', async () => {
    const { data, response } = await owner.client.GET('/api/rtb/bid-requests');
    expect(response.status).toBe(200);
    expect(data?.pagination).toEqual({ page: 1, limit: 50, total: 5, totalPages: 1 });
    expect(data?.bidRequests.map((r) => r.requestId)).toEqual(['req_audit_a4', 'req_audit_b1', 'req_audit_a3', 'req_audit_retry', 'req_audit_won']);
    const won = data!.bidRequests.find((r) => r.requestId === 'req_audit_won');
    expect(won).toEqual({
      id: expect.any(Number),
      requestId: 'req_audit_won',
      campaignId: campaignA,
      callId: 77,
      callerId: '212***1234',
      callerState: 'CA',
      callerZip: '90210',
      callStartTime: expect.any(String),
      source: 'call',
      auctionType: 'first_price',
      status: 'won',
      totalTargetsPinged: 4,
      successfulResponses: 2,
      winningBidAmount: 25.5,
      clearingPrice: 25.5,
      winningTargetId: targetIds[0],
      biddingCompletedAt: expect.any(String),
      totalResponseTimeMs: 412,
    });
    expect(data!.bidRequests.find((r) => r.requestId === 'req_audit_b1')?.callerId).toBe('207***8750');
    expect(data!.bidRequests.find((r) => r.requestId === 'req_audit_a4')?.callerId).toBeNull();
    expect(JSON.stringify(data)).not.toMatch(/5551234|1838750/);
  });

  it('paginates with a count of the whole set', async () => {
    const page1 = await owner.client.GET('/api/rtb/bid-requests', { params: { query: { page: 1, limit: 2 } } });
    const page2 = await owner.client.GET('/api/rtb/bid-requests', { params: { query: { page: 2, limit: 2 } } });
    const page3 = await owner.client.GET('/api/rtb/bid-requests', { params: { query: { page: 3, limit: 2 } } });
    const page4 = await owner.client.GET('/api/rtb/bid-requests', { params: { query: { page: 4, limit: 2 } } });
    expect(page1.data?.pagination).toEqual({ page: 1, limit: 2, total: 5, totalPages: 3 });
    expect(page1.data?.bidRequests.map((r) => r.requestId)).toEqual(['req_audit_a4', 'req_audit_b1']);
    expect(page2.data?.bidRequests.map((r) => r.requestId)).toEqual(['req_audit_a3', 'req_audit_retry']);
    expect(page3.data?.bidRequests.map((r) => r.requestId)).toEqual(['req_audit_won']);
    expect(page4.data).toEqual({ bidRequests: [], pagination: { page: 4, limit: 2, total: 5, totalPages: 3 } });
  });

  it('filters by campaign', async () => {
    const a = await owner.client.GET('/api/rtb/bid-requests', { params: { query: { campaignId: campaignA } } });
    expect(a.data?.bidRequests.map((r) => r.requestId)).toEqual(['req_audit_a4', 'req_audit_a3', 'req_audit_retry', 'req_audit_won']);
    expect(a.data?.pagination.total).toBe(4);
    const b = await owner.client.GET('/api/rtb/bid-requests', { params: { query: { campaignId: campaignB, limit: 1 } } });
    expect(b.data).toMatchObject({ pagination: { page: 1, limit: 1, total: 1, totalPages: 1 } });
    expect(b.data?.bidRequests.map((r) => r.requestId)).toEqual(['req_audit_b1']);
  });

  it('validates page, limit and campaignId', async () => {
    for (const query of [{ limit: 101 }, { limit: 0 }, { page: 0 }, { page: 'x' }, { campaignId: 'not-a-uuid' }]) {
      const { error, response } = await owner.client.GET('/api/rtb/bid-requests', { params: { query: query as never } });
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(error?.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(error?.details as object)).toEqual([Object.keys(query)[0]]);
    }
    const max = await owner.client.GET('/api/rtb/bid-requests', { params: { query: { limit: 100 } } });
    expect(max.data?.pagination.limit).toBe(100);
  });
});

describe('RTB audit: bid responses', () => {
  it('lists every target\'s answer in one auction, destinations obfuscated', async () => {
    const { data, response } = await owner.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: 'req_audit_won' } } });
    expect(response.status).toBe(200);
    expect(data?.map((r) => [r.targetName, r.responseStatus])).toEqual([
      ['Winner Net', 'success'],
      ['Runner Up', 'success'],
      ['Picky Buyer', 'rejected'],
      ['Far Away', 'filtered'],
      ['Slow Buyer', 'timeout'],
    ]);
    expect(data?.[0]).toEqual({
      id: expect.any(Number),
      requestId: 'req_audit_won',
      rtbTargetId: targetIds[0],
      targetName: 'Winner Net',
      bidAmount: 25.5,
      bidCurrency: 'USD',
      destinationNumber: '310***0199',
      responseTimeMs: 120,
      responseStatus: 'success',
      httpStatus: 200,
      isValid: true,
      isWinningBid: true,
      rejectionReason: null,
    });
    expect(data?.[1]).toMatchObject({ bidAmount: 20.25, destinationNumber: '415***0100', isWinningBid: false });
    expect(data?.[3]).toMatchObject({ rejectionReason: 'state_not_allowed', responseTimeMs: null, bidAmount: null, destinationNumber: null });
    const text = JSON.stringify(data);
    expect(text).not.toMatch(/5550199|5550100/);
    expect(text).not.toContain('not returned');
  });

  it('answers an empty list for an unknown requestId and validates it', async () => {
    const unknown = await owner.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: 'req_nope' } } });
    expect(unknown.response.status).toBe(200);
    expect(unknown.data).toEqual([]);
    const missing = await owner.client.GET('/api/rtb/bid-responses', { params: { query: {} as never } });
    expect(missing.response.status).toBe(400);
    expect(missing.error?.details).toMatchObject({ requestId: expect.any(String) });
    const tooLong = await owner.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: 'x'.repeat(65) } } });
    expect(tooLong.response.status).toBe(400);
  });

  it('keeps rows of deleted targets, with a null target id', async () => {
    const manager = await addMember(t, owner, 'manager');
    const before = await manager.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: 'req_audit_retry' } } });
    expect(before.data?.map((r) => r.rtbTargetId)).toEqual([targetIds[2]]);
    // The organisation's auctions are not an agent's own: 403.
    const agent = await addMember(t, owner, 'agent');
    for (const path of ['/api/rtb/bid-requests', '/api/rtb/bid-responses', '/api/rtb/auction-details', '/api/visitor-sessions'] as const) {
      expect((await agent.client.GET(path as '/api/rtb/bid-requests')).response.status).toBe(403);
    }
    const { data: doomed } = await owner.client.POST('/api/rtb/targets', { body: { name: 'Doomed', endpointUrl: 'https://bids.example.com/' } });
    const pk = await insertBidRequest(owner.orgId, { requestId: 'req_audit_doomed', campaignId: null, createdAt: minutesAgo(30) });
    await insertResponses(owner.orgId, pk, 'req_audit_doomed', minutesAgo(30), [{ targetId: doomed!.id, name: 'Doomed', status: 'error', reason: 'connect_error' }]);
    await owner.client.DELETE('/api/rtb/targets/{id}', { params: { path: { id: String(doomed!.id) } } });
    const after = await owner.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: 'req_audit_doomed' } } });
    expect(after.data).toMatchObject([{ rtbTargetId: null, targetName: 'Doomed', responseStatus: 'error' }]);
    await t.db.deleteFrom('bid_requests').where('request_id', '=', 'req_audit_doomed').execute();
  });
});

describe('RTB audit: auction details', () => {
  it('derives won / lost / rejected / filtered / timeout per target of one auction', async () => {
    const { data, response } = await owner.client.GET('/api/rtb/auction-details', { params: { query: { requestId: 'req_audit_won' } } });
    expect(response.status).toBe(200);
    expect(data?.map((r) => [r.targetName, r.auctionStatus, r.isWinner])).toEqual([
      ['Winner Net', 'won', true],
      ['Runner Up', 'lost', false],
      ['Picky Buyer', 'rejected', false],
      ['Far Away', 'filtered', false],
      ['Slow Buyer', 'timeout', false],
    ]);
    expect(data?.[0]).toEqual({
      id: expect.any(Number),
      callId: 77,
      auctionId: 'req_audit_won',
      rtbTargetId: targetIds[0],
      targetName: 'Winner Net',
      bidAmount: 25.5,
      auctionStatus: 'won',
      responseTimeMs: 120,
      destinationNumber: '310***0199',
      isWinner: true,
      rejectionReason: null,
      createdAt: expect.any(String),
    });
    expect(data?.[2]?.rejectionReason).toBe('not_accepted');
    expect(JSON.stringify(data)).not.toMatch(/5550199|5550100/);
  });

  it('lists every auction of a call, newest auction first, and narrows by both filters', async () => {
    const byCall = await owner.client.GET('/api/rtb/auction-details', { params: { query: { callId: 77 } } });
    expect(byCall.data?.map((r) => [r.auctionId, r.auctionStatus])).toEqual([
      ['req_audit_retry', 'error'],
      ['req_audit_won', 'won'],
      ['req_audit_won', 'lost'],
      ['req_audit_won', 'rejected'],
      ['req_audit_won', 'filtered'],
      ['req_audit_won', 'timeout'],
    ]);
    expect(byCall.data?.every((r) => r.callId === 77)).toBe(true);
    const both = await owner.client.GET('/api/rtb/auction-details', { params: { query: { callId: 77, requestId: 'req_audit_retry' } } });
    expect(both.data?.map((r) => r.auctionId)).toEqual(['req_audit_retry']);
    const mismatch = await owner.client.GET('/api/rtb/auction-details', { params: { query: { callId: 78, requestId: 'req_audit_won' } } });
    expect(mismatch.data).toEqual([]);
    const limited = await owner.client.GET('/api/rtb/auction-details', { params: { query: { callId: 77, limit: 2 } } });
    expect(limited.data?.map((r) => r.auctionStatus)).toEqual(['error', 'won']);
  });

  it('validates callId and limit', async () => {
    for (const query of [{ callId: 0 }, { callId: 'abc' }, { limit: 501 }, { limit: 0 }]) {
      const { error, response } = await owner.client.GET('/api/rtb/auction-details', { params: { query: query as never } });
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(error?.code).toBe('VALIDATION_ERROR');
    }
  });
});

describe('RTB audit: tenancy', () => {
  it('shows another organisation nothing of these auctions', async () => {
    const requests = await other.client.GET('/api/rtb/bid-requests');
    expect(requests.data?.bidRequests.map((r) => r.requestId)).toEqual(['req_audit_foreign']);
    expect(requests.data?.pagination.total).toBe(1);
    const byCampaign = await other.client.GET('/api/rtb/bid-requests', { params: { query: { campaignId: campaignA } } });
    expect(byCampaign.data).toEqual({ bidRequests: [], pagination: { page: 1, limit: 50, total: 0, totalPages: 0 } });
    const responses = await other.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: 'req_audit_won' } } });
    expect(responses.data).toEqual([]);
    const details = await other.client.GET('/api/rtb/auction-details', { params: { query: { requestId: 'req_audit_won' } } });
    expect(details.data).toEqual([]);
    const byCall = await other.client.GET('/api/rtb/auction-details', { params: { query: { callId: 77 } } });
    expect(byCall.data?.map((r) => r.auctionId)).toEqual(['req_audit_foreign']);
    // And the owner does not see the other organisation's auction of call 77.
    const ownerByCall = await owner.client.GET('/api/rtb/auction-details', { params: { query: { callId: 77 } } });
    expect(ownerByCall.data?.some((r) => r.auctionId === 'req_audit_foreign')).toBe(false);
    const unfiltered = await owner.client.GET('/api/rtb/auction-details');
    expect(unfiltered.data?.some((r) => r.auctionId === 'req_audit_foreign')).toBe(false);
    expect(unfiltered.data?.length).toBe(6);
  });

  it('refuses, in the database, a bid naming another organisation\'s auction (one key: org_id, bid_request_id)', async () => {
    const foreign = await t.db.selectFrom('bid_requests').select('id').where('request_id', '=', 'req_audit_foreign').executeTakeFirstOrThrow();
    const before = await t.db.selectFrom('bid_responses').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    await expect(insertResponses(owner.orgId, foreign.id, 'req_audit_foreign', new Date(), [{ targetId: null, name: 'Cross', status: 'success' }])).rejects.toThrow(
      /bid_responses_org_request_fkey/,
    );
    const after = await t.db.selectFrom('bid_responses').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    // (The same auction's own bids, under its own organisation, were written in beforeAll.)
  });

  it('requires authentication', async () => {
    const anonymous = t.client();
    expect((await anonymous.GET('/api/rtb/bid-requests')).response.status).toBe(401);
    expect((await anonymous.GET('/api/rtb/bid-responses', { params: { query: { requestId: 'req_audit_won' } } })).response.status).toBe(401);
    expect((await anonymous.GET('/api/rtb/auction-details')).response.status).toBe(401);
  });
});
