// The bids of an RTB answer made in one statement (migration 0044): committed with the answer as
// one copy, written as bid_responses rows just after it. Here the server "dies" right after the
// answer — the routing runs the real code with a writer that never writes, leaving the database
// exactly as a killed server would — and what it left must still reach every reader once: the
// sweep, the audit API, the RTB report, and a fall-through to the next bid — also when a target
// was deleted before its bids were written (migration 0049).
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordInboundCall } from '../../../server/inbound/calls/queries/index.js';
import { createRouteCache } from '../../../server/inbound/webhooks/route-cache.js';
import { routeCall, type OrgCall } from '../../../server/inbound/webhooks/route-call.js';
import { webhookUrls } from '../../../server/inbound/webhooks/urls.js';
import { flushPendingBids, sweepPendingBids, type BidRowWriter } from '../../../server/rtb/auctions/pending-bids.js';
import { createRtbRuntime, type RtbRuntime } from '../../../server/rtb/auctions/runtime.js';
import { createOutboundPolicy } from '../../../server/platform/http/outbound/url-policy.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import type { StubBidder } from '../../helpers/stub-bidder.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { callSid, dialStatus, dialXml, rtbCampaign as rtbCampaignOf, voice } from '../../inbound/webhooks/helpers.js';

let t: TestApp;
let owner: Member;
let rtb: RtbRuntime;
const stubs: StubBidder[] = [];

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Pending Bids Org');
  rtb = createRtbRuntime(createOutboundPolicy(['127.0.0.1']), 10);
});
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await rtb?.close();
  await t?.close();
});

/** An RTB campaign of three uncapped targets bidding 12, 18 and 15. */
async function rtbCampaign() {
  const answers = [
    { amount: 12, destination: '+14155550401' },
    { amount: 18, destination: '+14155550402' },
    { amount: 15, destination: '+14155550403' },
  ];
  const { campaign, targetIds } = await rtbCampaignOf(owner.client, stubs, answers, { buyerPhone: '+13125550471' });
  const row = await t.db.selectFrom('campaigns').selectAll().where('id', '=', campaign.id).executeTakeFirstOrThrow();
  return { campaign, row, targetIds };
}

/** The voice webhook's first routing of a new call, by a server that dies right after its answer committed. */
async function answeredThenKilled(setup: Awaited<ReturnType<typeof rtbCampaign>>) {
  const sid = callSid();
  const { call } = await recordInboundCall(t.db, { orgId: owner.orgId, callSid: sid, campaignId: setup.campaign.id, from: '+13105551234', to: setup.campaign.phoneNumber! });
  const scheduled: string[] = [];
  const killedWriter: BidRowWriter = { schedule: (id) => void scheduled.push(id), settled: async () => undefined };
  const deps = { db: t.db, rtb, bidRows: killedWriter, urls: webhookUrls(t.config.publicBaseUrl, (id) => id), cache: createRouteCache() };
  const outcome = await routeCall(deps, { call: call as OrgCall, campaign: setup.row, mode: 'auto', attempt: 1, fresh: true, newCall: true, storesAnswer: true });
  expect(outcome).toMatchObject({ routingMethod: 'rtb', stored: true });
  const audit = await t.db.selectFrom('bid_requests').selectAll().where('call_id', '=', call.id).executeTakeFirstOrThrow();
  expect(scheduled).toEqual([audit.id]);
  return { sid, call, audit };
}

const bidRows = (bidRequestId: string) =>
  t.db.selectFrom('bid_responses').select(['rtb_target_id', 'bid_amount', 'is_winning_bid', 'created_at']).where('bid_request_id', '=', bidRequestId).orderBy('rtb_target_id').execute();
const pendingOf = (bidRequestId: string) => t.db.selectFrom('bid_responses_pending').select('bid_request_id').where('bid_request_id', '=', bidRequestId).execute();

describe('the bids of a one-statement RTB answer', () => {
  it('are committed with the answer; a crash before their rows leaves the copy, which the sweep writes once', async () => {
    const setup = await rtbCampaign();
    const { audit } = await answeredThenKilled(setup);
    expect(await pendingOf(audit.id)).toHaveLength(1);
    expect(await bidRows(audit.id)).toEqual([]);

    // A young copy is a live server's to write: the periodic sweep leaves it.
    expect(await sweepPendingBids(t.db, 60_000)).toBe(0);
    expect(await sweepPendingBids(t.db, 0)).toBeGreaterThanOrEqual(1);
    const rows = await bidRows(audit.id);
    expect(rows.map(({ created_at: _, ...r }) => r)).toEqual([
      { rtb_target_id: setup.targetIds[0], bid_amount: '12.0000', is_winning_bid: false },
      { rtb_target_id: setup.targetIds[1], bid_amount: '18.0000', is_winning_bid: true },
      { rtb_target_id: setup.targetIds[2], bid_amount: '15.0000', is_winning_bid: false },
    ]);
    for (const r of rows) expect(r.created_at).toEqual(audit.created_at);
    expect(await pendingOf(audit.id)).toEqual([]);

    // Flushing again writes nothing more.
    expect(await sweepPendingBids(t.db, 0)).toBe(0);
    expect(await flushPendingBids(t.db, owner.orgId)).toBe(0);
    expect(await bidRows(audit.id)).toHaveLength(3);
  });

  it('are written once when several flush the same copy at once', async () => {
    const setup = await rtbCampaign();
    const { audit } = await answeredThenKilled(setup);
    const results = await Promise.all([
      flushPendingBids(t.db, owner.orgId),
      flushPendingBids(t.db, owner.orgId),
      sweepPendingBids(t.db, 0),
      t.app.bidRows.settled(),
    ]);
    expect((results[0] as number) + (results[1] as number) + (results[2] as number)).toBe(1);
    expect(await bidRows(audit.id)).toHaveLength(3);
  });

  it('are written once by overlapping batches flushed at once in opposite orders (none deadlocks)', async () => {
    const setup = await rtbCampaign();
    const ids = [(await answeredThenKilled(setup)).audit.id, (await answeredThenKilled(setup)).audit.id, (await answeredThenKilled(setup)).audit.id];
    const batches = [ids, [...ids].reverse(), [ids[1]!, ids[2]!, ids[0]!], [ids[2]!, ids[0]!]];
    const flushed = await Promise.all(
      batches.map(async (batch) => (await sql<{ n: number }>`SELECT flush_bid_responses(${batch}::bigint[]) AS n`.execute(t.db)).rows[0]!.n),
    );
    expect(flushed.reduce((a, b) => a + b, 0)).toBe(3);
    for (const id of ids) expect(await bidRows(id)).toHaveLength(3);
  });

  it('are what the audit API and the RTB report read, even before their rows are written', async () => {
    const setup = await rtbCampaign();
    const { call, audit } = await answeredThenKilled(setup);
    const details = await owner.client.GET('/api/rtb/auction-details', { params: { query: { callId: call.id } } });
    expect(details.response.status).toBe(200);
    expect(details.data!.map((d) => d.rtbTargetId).sort()).toEqual([...setup.targetIds].sort());
    const responses = await owner.client.GET('/api/rtb/bid-responses', { params: { query: { requestId: audit.request_id } } });
    expect(responses.data).toHaveLength(3);
    expect(await pendingOf(audit.id)).toEqual([]);

    // The report counts each bid once (a second crash-left auction is counted at the read).
    const second = await answeredThenKilled(setup);
    const report = await owner.client.GET('/api/reports/rtb-performance', { params: { query: { campaignId: setup.campaign.id } } });
    expect(report.response.status).toBe(200);
    const winner = report.data!.targetPerformance.find((x) => x.targetId === setup.targetIds[1]);
    expect(winner).toMatchObject({ pinged: 2, totalBids: 2, winningBids: 2 });
    expect(await pendingOf(second.audit.id)).toEqual([]);
  });

  it('a fall-through after the winner is busy dials the next bid from a copy the crash left', async () => {
    const setup = await rtbCampaign();
    const { sid } = await answeredThenKilled(setup);
    const next = await dialStatus(t, sid, 1, 'busy');
    expect(next.text).toBe(dialXml(t, '+14155550403', 2));
  });

  it('of a target deleted before they were written: written without it (its name kept); the fall-through, the sweep and the report go on', async () => {
    const setup = await rtbCampaign();
    const { sid, audit } = await answeredThenKilled(setup);
    const stale = await answeredThenKilled(setup);
    expect((await owner.client.DELETE('/api/rtb/targets/{id}', { params: { path: { id: String(setup.targetIds[0]!) } } })).response.status).toBe(204);
    const next = await dialStatus(t, sid, 1, 'busy');
    expect(next.status).toBe(200);
    expect(next.text).toBe(dialXml(t, '+14155550403', 2));
    const rows = await t.db.selectFrom('bid_responses').select(['rtb_target_id', 'target_name', 'bid_amount']).where('bid_request_id', '=', audit.id).orderBy('bid_amount').execute();
    expect(rows.map((r) => [r.rtb_target_id, r.bid_amount])).toEqual([
      [null, '12.0000'],
      [setup.targetIds[2], '15.0000'],
      [setup.targetIds[1], '18.0000'],
    ]);
    expect(rows[0]!.target_name).toBeTruthy();
    expect(await sweepPendingBids(t.db, 0)).toBeGreaterThanOrEqual(1);
    expect(await pendingOf(stale.audit.id)).toEqual([]);
    expect(await bidRows(stale.audit.id)).toHaveLength(3);
    const report = await owner.client.GET('/api/reports/rtb-performance', { params: { query: { campaignId: setup.campaign.id } } });
    expect(report.response.status).toBe(200);
  });

  it('through the voice webhook, are rows once the server has written them after the answer', async () => {
    const setup = await rtbCampaign();
    const sid = callSid();
    expect((await voice(t, sid, setup.campaign.phoneNumber!)).text).toBe(dialXml(t, '+14155550402', 1));
    await t.app.bidRows.settled();
    const audit = await t.db.selectFrom('bid_requests').select('id').where('call_sid', '=', sid).executeTakeFirstOrThrow();
    expect(await pendingOf(audit.id)).toEqual([]);
    expect(await bidRows(audit.id)).toHaveLength(3);
  });
});
