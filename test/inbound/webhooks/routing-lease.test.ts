// The voice webhook after a delivery died mid-routing (issue 13 item 7): what the dead delivery
// left — nothing, its auction, or its auction and the leg it reserved for attempt 1 — is reused,
// never done twice: one auction (the bidders pinged once), one leg, the same <Dial>; the call then
// completes and is paid once. While the dead delivery's lease is live, a retry is told to pause and
// redirect. (The dead delivery runs the real routing code in this process and never stores its
// answer: the database is left exactly as by a server killed at that point.)
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCampaignAuction } from '../../../server/rtb/auctions/run-campaign-auction.js';
import { createRtbRuntime, type RtbRuntime } from '../../../server/rtb/auctions/runtime.js';
import { recordInboundCall } from '../../../server/inbound/calls/queries/index.js';
import { createOutboundPolicy } from '../../../server/platform/http/outbound/url-policy.js';
import { createRouteCache } from '../../../server/inbound/webhooks/route-cache.js';
import { routeCall, type OrgCall } from '../../../server/inbound/webhooks/route-call.js';
import { webhookUrls } from '../../../server/inbound/webhooks/urls.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import type { StubBidder } from '../../helpers/stub-bidder.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { XML_HEAD } from '../../helpers/twilio-webhook.js';
import { callRow, callSid, callStatus, dialStatus, dialXml, legRows, rtbCampaign as rtbCampaignOf, voice } from './helpers.js';

let t: TestApp;
let owner: Member;
let rtb: RtbRuntime;
const stubs: StubBidder[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Lease Webhook Org');
  rtb = createRtbRuntime(createOutboundPolicy(['127.0.0.1']), 10);
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await rtb?.close();
  await t?.close();
});

async function rtbCampaign(biddingTimeoutMs = 1000) {
  const answers = [
    { amount: 12, destination: '+14155550301' },
    { amount: 18, destination: '+14155550302' },
  ];
  const { campaign, targetIds } = await rtbCampaignOf(owner.client, stubs, answers, { buyerPhone: '+13125550371', dailyCap: 1000, campaign: { biddingTimeoutMs } });
  const row = await t.db.selectFrom('campaigns').selectAll().where('id', '=', campaign.id).executeTakeFirstOrThrow();
  return { campaign, row, targetIds };
}

const pings = () => stubs.reduce((n, s) => n + s.received.length, 0);

/**
 * A delivery that records the call (taking the routing claim) and gets as far as `stage` before
 * its server dies: nothing more, its auction written, or its auction and the attempt-1 leg reserved.
 */
async function deadDelivery(setup: Awaited<ReturnType<typeof rtbCampaign>>, sid: string, stage: 'recorded' | 'auction' | 'leg') {
  const { campaign, row } = setup;
  const { call } = await recordInboundCall(t.db, { orgId: owner.orgId, callSid: sid, campaignId: campaign.id, from: '+13105551234', to: campaign.phoneNumber! });
  if (stage === 'auction') {
    await runCampaignAuction(t.db, rtb, { campaign: row, caller: { callerId: '+13105551234', callerState: null, callerZip: null }, source: 'call', callId: call.id, callSid: sid });
  }
  if (stage === 'leg') {
    const deps = { db: t.db, rtb, bidRows: t.app.bidRows, urls: webhookUrls(t.config.publicBaseUrl, (id) => id), cache: createRouteCache() };
    await routeCall(deps, { call: call as OrgCall, campaign: row, mode: 'auto', attempt: 1, fresh: true, newCall: true });
  }
  return call;
}

async function lapse(callId: number) {
  await t.db.updateTable('calls').set({ routing_lease_until: sql`now() - interval '1 millisecond'` }).where('id', '=', callId).execute();
}

describe('voice webhook after a delivery died mid-routing', () => {
  it('while the dead delivery’s lease is live, a retry is told to pause and redirect to the voice webhook', async () => {
    const setup = await rtbCampaign(10_000);
    const sid = callSid();
    await deadDelivery(setup, sid, 'recorded');
    const retry = await voice(t, sid, setup.campaign.phoneNumber!);
    expect(retry.text).toBe(`${XML_HEAD}<Response><Pause length="1"/><Redirect method="POST">${t.config.publicBaseUrl}/api/webhooks/voice</Redirect></Response>`);
    expect(pings()).toBe(0);
    expect(await legRows(t, sid)).toHaveLength(0);
  });

  for (const stage of ['recorded', 'auction', 'leg'] as const) {
    it(`after the lease lapses a retry routes the call, reusing what the dead delivery left (${stage})`, async () => {
      const setup = await rtbCampaign();
      const sid = callSid();
      const call = await deadDelivery(setup, sid, stage);
      expect(pings()).toBe(stage === 'recorded' ? 0 : 2);
      await lapse(call.id);

      const answer = await voice(t, sid, setup.campaign.phoneNumber!);
      expect(answer.text).toBe(dialXml(t, '+14155550302', 1));
      // One auction in all: a dead delivery's auction is reused, not run again.
      expect(pings()).toBe(2);
      const requests = await t.db.selectFrom('bid_requests').select('id').where('call_id', '=', call.id).execute();
      expect(requests).toHaveLength(1);
      const row = await callRow(t, sid);
      expect(row).toMatchObject({ bid_request_id: requests[0]!.id, routing_method: 'rtb', rtb_target_id: setup.targetIds[1], payout: '18.0000', routing_claims: 2 });
      expect(row.routing_plan).toMatchObject({ auction: { bidRequestId: requests[0]!.id, status: 'won', ...(stage === 'recorded' ? {} : { resumed: true }) } });
      const legs = await legRows(t, sid);
      expect(legs.map((l) => [l.attempt, l.rtb_target_id])).toEqual([[1, setup.targetIds[1]]]);

      // Twilio's later retries and redirects replay the answer; the call completes and pays once.
      expect((await voice(t, sid, setup.campaign.phoneNumber!)).text).toBe(answer.text);
      for (let i = 0; i < 2; i++) {
        expect((await dialStatus(t, sid, 1, 'completed', 90)).status).toBe(200);
        expect((await callStatus(t, sid, 'completed', 95)).status).toBe(204);
      }
      expect(await callRow(t, sid)).toMatchObject({ status: 'completed', revenue: '18.0000' });
      expect(pings()).toBe(2);
    });
  }
});
