// A call routed by the caller's inbound bid (the auction ran for the publisher's ping, before the
// call existed): the auction-details of that call list the auction that routed it, and the
// auction, listed on its own, names the call it became (its callId is not left null).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import type { StubBidder } from '../../helpers/stub-bidder.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { callRow, callSid, dialXml, rtbCampaign, voice } from '../../inbound/webhooks/helpers.js';

let t: TestApp;
let owner: Member;
const stubs: StubBidder[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Inbound Bid Audit Org');
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});
afterAll(async () => t.close());

describe('auction details of a call routed by an inbound bid', () => {
  it('list the inbound auction under the call that used it', async () => {
    const { campaign, targetIds } = await rtbCampaign(owner.client, stubs, [
      { amount: 20, destination: '+13125550301' },
      { amount: 10, destination: '+13125550302' },
    ]);
    const ping = await t.client().POST('/api/rtb/bid/{rtbId}', { params: { path: { rtbId: campaign.rtbId } }, body: { callerId: '+13105551234' } });
    expect(ping.data).toMatchObject({ bidAmount: 20 });

    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).text).toBe(dialXml(t, '+13125550301', 1));
    const call = await callRow(t, sid);
    expect(call.bid_request_id).not.toBeNull();

    const details = await owner.client.GET('/api/rtb/auction-details', { params: { query: { callId: call.id } } });
    expect(details.response.status).toBe(200);
    expect(details.data!.map((d) => [d.callId, d.rtbTargetId, d.auctionStatus])).toEqual([
      [call.id, targetIds[0], 'won'],
      [call.id, targetIds[1], 'lost'],
    ]);
    // Listed without naming the call, the auction names the call it became too.
    const unfiltered = await owner.client.GET('/api/rtb/auction-details', { params: { query: { requestId: details.data![0]!.auctionId } } });
    expect(unfiltered.data!.map((d) => d.callId)).toEqual([call.id, call.id]);
    const requests = await owner.client.GET('/api/rtb/bid-requests', { params: { query: { campaignId: campaign.id } } });
    expect(requests.response.status).toBe(200);
    expect(requests.data!.bidRequests.map((r) => [r.source, r.callId])).toEqual([['inbound_rtb', call.id]]);
    // Another call of the organisation does not see it.
    const other = await owner.client.GET('/api/rtb/auction-details', { params: { query: { callId: call.id + 100000 } } });
    expect(other.data).toEqual([]);
  });
});

describe('an inbound ping whose campaign is deleted while its auction runs', () => {
  it('answers 404 for the RTB ID (the campaign is gone), not a 500', async () => {
    const { campaign } = await rtbCampaign(owner.client, stubs, [{ amount: 20, destination: '+13125550303', delayMs: 300 }]);
    const pinging = t.client().POST('/api/rtb/bid/{rtbId}', { params: { path: { rtbId: campaign.rtbId } }, body: { callerId: '+13105559876' } });
    for (let i = 0; i < 100 && stubs.at(-1)!.received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const del = await owner.client.DELETE('/api/campaigns/{id}', { params: { path: { id: campaign.id } } });
    expect(del.response.status).toBe(204);
    const answer = await pinging;
    expect(answer.response.status).toBe(404);
    expect(answer.error?.code).toBe('RESOURCE_NOT_FOUND');
  });
});
