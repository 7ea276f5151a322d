// A winning bid whose destination is one of the organisation's own tracking numbers would send
// the call back into our voice webhook (a loop that runs another auction for the same caller, and
// pays nobody). Such a bid is refused as `own_tracking_number`; the next valid bid wins.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import type { StubBidder } from '../../helpers/stub-bidder.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { callRow, callSid, dialXml, rtbCampaign, trackingNumber, voice } from '../../inbound/webhooks/helpers.js';

let t: TestApp;
let owner: Member;
const stubs: StubBidder[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Own Number Org');
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});
afterAll(async () => t.close());

async function outcomes(requestId: string) {
  return t.db.selectFrom('bid_responses').select(['rtb_target_id', 'status', 'is_valid', 'is_winning_bid', 'rejection_reason']).where('request_id', '=', requestId).orderBy('rtb_target_id').execute();
}

describe('a bid whose destination is our own tracking number', () => {
  it('is refused on the call path: the next bid is dialled, the audit names the reason', async () => {
    const number = trackingNumber();
    const { campaign, targetIds } = await rtbCampaign(
      owner.client,
      stubs,
      [
        { amount: 50, destination: number },
        { amount: 10, destination: '+13125550188' },
      ],
      { campaign: { phoneNumber: number } },
    );
    expect(campaign.phoneNumber).toBe(number);
    const sid = callSid();
    expect((await voice(t, sid, number)).text).toBe(dialXml(t, '+13125550188', 1));
    const call = await callRow(t, sid);
    const request = await t.db.selectFrom('bid_requests').selectAll().where('id', '=', call.bid_request_id!).executeTakeFirstOrThrow();
    expect(request).toMatchObject({ status: 'won', winning_target_id: targetIds[1], successful_responses: 1 });
    const listed = await owner.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: request.request_id } } });
    expect(listed.data!.map((r) => [r.rtbTargetId, r.responseStatus, r.isValid, r.isWinningBid, r.rejectionReason])).toEqual([
      [targetIds[0], 'rejected', false, false, 'own_tracking_number'],
      [targetIds[1], 'success', true, true, null],
    ]);
    // The replay of the ledger agrees with the recorded decision.
    const replay = await owner.client.POST('/api/rtb/auctions/{id}/replay', { params: { path: { id: request.request_id } } });
    expect(replay.data).toMatchObject({ matches: true });
  });

  it('is refused on inbound RTB: the publisher is quoted the next bid, never a bid that dials our own number', async () => {
    const number = trackingNumber();
    const { campaign, targetIds } = await rtbCampaign(
      owner.client,
      stubs,
      [
        { amount: 50, destination: number },
        { amount: 10, destination: '+13125550189' },
      ],
      { campaign: { phoneNumber: number } },
    );
    const answer = await t.client().POST('/api/rtb/bid/{rtbId}', { params: { path: { rtbId: campaign.rtbId } }, body: { callerId: '+13105550777' } });
    expect(answer.response.status).toBe(200);
    expect(answer.data).toMatchObject({ bidAmount: 10, phoneNumber: number });
    const bidRow = await t.db.selectFrom('inbound_bids').selectAll().where('campaign_id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(bidRow).toMatchObject({ winning_target_id: targetIds[1], destination_number: '+13125550189' });
    const request = await t.db.selectFrom('bid_requests').select('request_id').where('id', '=', bidRow.bid_request_id!).executeTakeFirstOrThrow();
    expect((await outcomes(request.request_id)).map((o) => [o.rtb_target_id, o.rejection_reason])).toEqual([
      [targetIds[0], 'own_tracking_number'],
      [targetIds[1], null],
    ]);
  });
});
