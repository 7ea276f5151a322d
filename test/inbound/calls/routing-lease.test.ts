// The routing lease (issue 13 item 7, server/inbound/calls/routing-lease.ts): the delivery that records a
// call holds its routing claim for the auction deadline + a margin; while it is live a retry gets
// no answer of its own (the webhook answers a pause and a redirect); after it lapses exactly one
// retry takes the claim and routes; a delivery that outlived its lease and lost the answer
// discards its auction, so reports count one auction per call. Runs on PGlite and on PostgreSQL.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../../server/inbound/calls/queries/index.js';
import { ROUTING_LEASE_MARGIN_MS } from '../../../server/inbound/calls/routing-lease.js';
import { answerOnce, type RouteContext } from '../../../server/inbound/calls/service.js';
import { createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { newCallSid } from './db-helpers.js';

let t: TestApp;
let owner: Member;
let campaignId: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Lease Org');
  campaignId = (await createCampaign(owner.client, { enableRtb: true, biddingTimeoutMs: 1500 })).id;
});

afterAll(async () => {
  await t?.close();
});

const PLAN = { mode: 'auto', order: [], skipped: [], attempts: [] };

function inputFor(sid: string, campaign = campaignId) {
  return { orgId: owner.orgId, callSid: sid, campaignId: campaign, from: '+12125550100', to: '+18005550199' };
}

/** A delivery that records the call and dies while routing it (its answer is never stored). */
async function deadDelivery(sid: string, campaign = campaignId): Promise<number> {
  const died = new Error('server killed');
  const attempt = answerOnce(t.db, inputFor(sid, campaign), async () => {
    throw died;
  });
  await expect(attempt).rejects.toBe(died);
  const row = await t.db.selectFrom('calls').select(['id', 'twiml', 'routing_claims']).where('call_sid', '=', sid).executeTakeFirstOrThrow();
  expect(row).toMatchObject({ twiml: null, routing_claims: 1 });
  return row.id;
}

async function lapse(callId: number): Promise<void> {
  await t.db.updateTable('calls').set({ routing_lease_until: sql`now() - interval '1 millisecond'` }).where('id', '=', callId).execute();
}

/** A route function that counts its runs and answers a distinct TwiML per run. */
function countingRoute(delayMs = 0) {
  const runs: RouteContext[] = [];
  const route = async (_call: unknown, context: RouteContext): Promise<Answer> => {
    runs.push(context);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return { twiml: `<Response><Dial>+1212555000${runs.length}</Dial></Response>`, routingMethod: 'priority', routingPlan: PLAN };
  };
  return { runs, route };
}

describe('routing lease', () => {
  it('lasts the campaign auction deadline (its active router’s when it has one) plus the margin', async () => {
    const sid = newCallSid();
    const callId = await deadDelivery(sid);
    const left = async (id: number) =>
      Number(
        (
          await sql<{ ms: string }>`SELECT EXTRACT(EPOCH FROM routing_lease_until - now()) * 1000 AS ms FROM calls WHERE id = ${id}`.execute(t.db)
        ).rows[0]!.ms,
      );
    const expected = 1500 + ROUTING_LEASE_MARGIN_MS;
    const ms = await left(callId);
    expect(ms).toBeGreaterThan(expected - 1000);
    expect(ms).toBeLessThanOrEqual(expected);

    const router = await t.db
      .insertInto('rtb_routers')
      .values({ org_id: owner.orgId, name: 'Slow router', bidding_timeout_ms: 6000, is_active: true })
      .returning('id')
      .executeTakeFirstOrThrow();
    const routed = (await createCampaign(owner.client, { enableRtb: true, biddingTimeoutMs: 1500 })).id;
    await t.db.updateTable('campaigns').set({ rtb_router_id: router.id }).where('id', '=', routed).execute();
    const viaRouter = await deadDelivery(newCallSid(), routed);
    const routerMs = await left(viaRouter);
    expect(routerMs).toBeGreaterThan(6000 + ROUTING_LEASE_MARGIN_MS - 1000);
    expect(routerMs).toBeLessThanOrEqual(6000 + ROUTING_LEASE_MARGIN_MS);
  });

  it('while the lease is live a retry routes nothing and gets no answer (the webhook answers pause + redirect)', async () => {
    const sid = newCallSid();
    const callId = await deadDelivery(sid);
    const { runs, route } = countingRoute();
    const started = Date.now();
    const retry = await answerOnce(t.db, inputFor(sid), route, { waitMs: 300, pollMs: 20 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(retry).toMatchObject({ twiml: null, replayed: true, created: false, resumed: false });
    expect(runs).toHaveLength(0);
    const row = await t.db.selectFrom('calls').select(['twiml', 'routing_claims']).where('id', '=', callId).executeTakeFirstOrThrow();
    expect(row).toEqual({ twiml: null, routing_claims: 1 });
  });

  it('after the lease lapses a retry takes the claim, routes the call (resumed) and stores the answer; later retries replay it', async () => {
    const sid = newCallSid();
    const callId = await deadDelivery(sid);
    await lapse(callId);
    const { runs, route } = countingRoute();
    const retry = await answerOnce(t.db, inputFor(sid), route, { waitMs: 300, pollMs: 20 });
    expect(retry).toMatchObject({ twiml: '<Response><Dial>+12125550001</Dial></Response>', replayed: false, created: false, resumed: true });
    expect(runs).toEqual([{ resumed: true }]);
    const row = await t.db.selectFrom('calls').select(['twiml', 'routing_claims']).where('id', '=', callId).executeTakeFirstOrThrow();
    expect(row).toEqual({ twiml: '<Response><Dial>+12125550001</Dial></Response>', routing_claims: 2 });
    const later = await answerOnce(t.db, inputFor(sid), route, { waitMs: 300, pollMs: 20 });
    expect(later).toMatchObject({ twiml: '<Response><Dial>+12125550001</Dial></Response>', replayed: true, resumed: false });
    expect(runs).toHaveLength(1);
  });

  it('a retry waiting on a live lease takes the claim as soon as it lapses', async () => {
    const sid = newCallSid();
    const callId = await deadDelivery(sid);
    await t.db.updateTable('calls').set({ routing_lease_until: sql`now() + interval '200 milliseconds'` }).where('id', '=', callId).execute();
    const { runs, route } = countingRoute();
    const retry = await answerOnce(t.db, inputFor(sid), route, { waitMs: 3000, pollMs: 20 });
    expect(retry).toMatchObject({ resumed: true, twiml: '<Response><Dial>+12125550001</Dial></Response>' });
    expect(runs).toHaveLength(1);
  });

  it('retries racing after the lapse: exactly one routes, the others replay its answer or are told to retry', async () => {
    for (let round = 0; round < 5; round++) {
      const sid = newCallSid();
      const callId = await deadDelivery(sid);
      await lapse(callId);
      const { runs, route } = countingRoute(30);
      const results = await Promise.all(Array.from({ length: 6 }, () => answerOnce(t.db, inputFor(sid), route, { waitMs: 2000, pollMs: 5 })));
      expect(runs).toHaveLength(1);
      expect(results.filter((r) => r.resumed)).toHaveLength(1);
      for (const r of results) expect([null, '<Response><Dial>+12125550001</Dial></Response>']).toContain(r.twiml);
      const row = await t.db.selectFrom('calls').select(['twiml', 'routing_claims']).where('id', '=', callId).executeTakeFirstOrThrow();
      expect(row).toEqual({ twiml: '<Response><Dial>+12125550001</Dial></Response>', routing_claims: 2 });
    }
  });

  it('a delivery that outlived its lease and lost the answer discards its auction: reports count one auction for the call', async () => {
    const sid = newCallSid();
    // What the reports read: the summaries plus the deltas not yet folded into them.
    const auctionsOfOrg = async () =>
      Number(
        (
          await sql<{ n: string }>`SELECT COALESCE(sum(auctions), 0) AS n FROM (
            SELECT auctions FROM auction_stats_deltas WHERE org_id = ${owner.orgId}
            UNION ALL SELECT auctions FROM auction_stats_h WHERE org_id = ${owner.orgId}) a`.execute(t.db)
        ).rows[0]!.n,
      );
    const before = await auctionsOfOrg();
    // Each auction as the one-statement RTB answer leaves it: its bids still a pending copy (migration 0044).
    const auction = async (callId: number, label: string) => {
      const id = (
        await t.db
          .insertInto('bid_requests')
          .values({
            org_id: owner.orgId,
            request_id: `req_lease_${label}_${sid}`,
            campaign_id: campaignId,
            call_id: callId,
            call_sid: sid,
            call_start_time: new Date(),
            source: 'call',
            auction_type: 'first_price',
            status: 'no_valid_bids',
            total_targets_pinged: 0,
            successful_responses: 0,
            bidding_started_at: new Date(),
            bidding_completed_at: new Date(),
            total_response_time_ms: 5,
            ledger: JSON.stringify({}),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
      await t.db.insertInto('bid_responses_pending').values({ bid_request_id: id, org_id: owner.orgId, responses: '[]' }).execute();
      return id;
    };

    // The first delivery is slow: while it "auctions", its lease lapses and a retry routes the call.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let slowAuction = '';
    const slow = answerOnce(t.db, inputFor(sid), async (call) => {
      await gate;
      slowAuction = await auction(call.id, 'slow');
      return { twiml: '<Response><Dial>+12125550009</Dial></Response>', routingMethod: 'rtb', routingPlan: PLAN, bidRequestId: slowAuction };
    });
    const callId = await (async () => {
      for (;;) {
        const row = await t.db.selectFrom('calls').select('id').where('call_sid', '=', sid).executeTakeFirst();
        if (row) return row.id;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await lapse(callId);
    let takerAuction = '';
    const taker = await answerOnce(
      t.db,
      inputFor(sid),
      async (call) => {
        takerAuction = await auction(call.id, 'taker');
        return { twiml: '<Response><Dial>+12125550001</Dial></Response>', routingMethod: 'rtb', routingPlan: PLAN, bidRequestId: takerAuction };
      },
      { waitMs: 1000, pollMs: 5 },
    );
    expect(taker).toMatchObject({ resumed: true, twiml: '<Response><Dial>+12125550001</Dial></Response>' });
    release();
    const late = await slow;
    // The slow delivery answers what was stored, and its auction is gone.
    expect(late).toMatchObject({ created: true, replayed: true, twiml: '<Response><Dial>+12125550001</Dial></Response>' });
    const requests = await t.db.selectFrom('bid_requests').select('id').where('call_id', '=', callId).execute();
    expect(requests.map((r) => r.id)).toEqual([takerAuction]);
    expect(slowAuction).not.toBe('');
    const call = await t.db.selectFrom('calls').select('bid_request_id').where('id', '=', callId).executeTakeFirstOrThrow();
    expect(call.bid_request_id).toBe(takerAuction);
    expect((await auctionsOfOrg()) - before).toBe(1);
    // The discarded auction's pending bids went with it; the call's stay for their writer.
    const pending = await t.db.selectFrom('bid_responses_pending').select('bid_request_id').where('bid_request_id', 'in', [slowAuction, takerAuction]).execute();
    expect(pending.map((p) => p.bid_request_id)).toEqual([takerAuction]);
  });
});
