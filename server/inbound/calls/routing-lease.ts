// The routing claim of a call (migration 0012): the delivery of the voice webhook that routes a
// call holds it for a lease — the campaign's auction deadline (its active router's, when it has
// one) plus a margin — so that a server dying mid-routing never strands the call. Until the lease
// lapses, another delivery of the same CallSid waits for the stored answer (and, if it does not
// come in time, is told to pause and redirect); after it lapses, a retry takes the claim with one
// conditional UPDATE (exactly one delivery wins) and routes the call itself.
//
// Times are the database's (`now()`), never a server's clock: two instances agree on them.
import { type ExpressionBuilder, type RawBuilder, sql } from 'kysely';
import type { CallRow, DB, Db } from '../../../db/types.js';

/** What routing may take besides the auction: reservations, the audit, the answer (under load). */
export const ROUTING_LEASE_MARGIN_MS = 1000;

/**
 * The end of a claim taken now on a call of `campaignId`: now() + the auction deadline that
 * routing would use + the margin (just the margin without a campaign).
 */
export function leaseUntil(campaignId: string | null | undefined): RawBuilder<Date> {
  const deadline =
    campaignId == null
      ? sql`0`
      : sql`COALESCE((SELECT CASE WHEN r.is_active THEN r.bidding_timeout_ms ELSE c.bidding_timeout_ms END
                        FROM campaigns c LEFT JOIN rtb_routers r ON r.org_id = c.org_id AND r.id = c.rtb_router_id
                        WHERE c.id = ${campaignId}), 0)`;
  return sql<Date>`now() + make_interval(secs => (${deadline} + ${ROUTING_LEASE_MARGIN_MS}::integer) / 1000.0)`;
}

/**
 * Takes the routing claim of a call whose answer is not stored and whose lease has lapsed (or who
 * has none); the call row when this delivery won it, undefined when the lease is live, another
 * delivery took it first, or the answer is stored.
 */
export async function claimLapsedRouting(db: Db, callId: number, campaignId: string | null): Promise<CallRow | undefined> {
  return db
    .updateTable('calls')
    .set({ routing_lease_until: leaseUntil(campaignId), routing_claims: sql`routing_claims + 1` })
    .where('id', '=', callId)
    .where('twiml', 'is', null)
    .where((eb) => eb.or([eb('routing_lease_until', 'is', null), eb('routing_lease_until', '<=', sql<Date>`now()`)]))
    .returningAll()
    .executeTakeFirst();
}

export type AwaitedAnswer =
  /** The answer another delivery stored. */
  | { kind: 'answer'; twiml: string }
  /** The lease lapsed and this delivery took the claim: it must route the call now. */
  | { kind: 'claimed'; call: CallRow }
  /** The lease is still live after `waitMs`: answer a pause and a redirect. */
  | { kind: 'waiting' };

/**
 * A later delivery of a call being routed: polls for the stored answer until `waitMs`, taking the
 * routing claim as soon as the lease lapses.
 */
export async function awaitAnswerOrClaim(
  db: Db,
  call: Pick<CallRow, 'id' | 'campaign_id'>,
  options: { waitMs: number; pollMs: number },
): Promise<AwaitedAnswer> {
  const deadline = Date.now() + options.waitMs;
  // The interval grows (up to MAX_POLL_MS) so that many waiting deliveries do not crowd out the one
  // routing; it never oversleeps a lease that is about to lapse.
  let interval = options.pollMs;
  for (;;) {
    const row = await db
      .selectFrom('calls')
      .select([
        'twiml',
        sql<string | null>`EXTRACT(EPOCH FROM routing_lease_until - now()) * 1000`.as('lease_left_ms'),
      ])
      .where('id', '=', call.id)
      .executeTakeFirst();
    if (!row) throw new Error(`call ${call.id} not found`);
    if (row.twiml !== null) return { kind: 'answer', twiml: row.twiml };
    const leaseLeft = row.lease_left_ms === null ? 0 : Number(row.lease_left_ms);
    if (leaseLeft <= 0) {
      const claimed = await claimLapsedRouting(db, call.id, call.campaign_id);
      if (claimed) return { kind: 'claimed', call: claimed };
      // Another delivery took it (or the answer was stored meanwhile): keep polling.
    }
    const now = Date.now();
    if (now >= deadline) return { kind: 'waiting' };
    const sleep = Math.min(interval, deadline - now, leaseLeft > 0 ? Math.ceil(leaseLeft) + 1 : interval);
    await new Promise((resolve) => setTimeout(resolve, sleep));
    interval = Math.min(interval * 2, Math.max(options.pollMs, MAX_POLL_MS));
  }
}

/** The longest pause between two polls of a waiting delivery. */
const MAX_POLL_MS = 250;

export interface AbandonedAuction {
  id: string;
  status: string;
}

/**
 * The auction a delivery of this call ran and wrote before it died (or lost the claim) without
 * storing the answer: the newest call auction recorded with the call's id.
 */
export async function abandonedAuction(db: Db, orgId: string, callId: number): Promise<AbandonedAuction | undefined> {
  return db
    .selectFrom('bid_requests')
    .select(['id', 'status'])
    .where('org_id', '=', orgId)
    .where('call_id', '=', callId)
    .where('source', '=', 'call')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Discards the auction a delivery ran for a call whose answer another delivery stored (the slower
 * of two deliveries that both routed: its lease had lapsed while it was still alive), unless it is
 * the auction the call is linked to. Its bid_responses go with it (ON DELETE CASCADE) and the
 * report triggers write the matching negative deltas: reports count one auction per call.
 *
 * Its bids' pending copy (migration 0044) is deleted first, in a statement of its own: a flush of
 * that copy running at the same moment locks the copy and then (its rows' key) the auction, so the
 * auction is never locked here while the copy is waited for.
 */
export async function discardLosingAuction(db: Db, orgId: string, callId: number, bidRequestId: string): Promise<boolean> {
  const losing = (eb: ExpressionBuilder<DB, 'bid_requests'>) =>
    eb.and([
      eb('bid_requests.org_id', '=', orgId),
      eb('bid_requests.id', '=', bidRequestId),
      eb('bid_requests.call_id', '=', callId),
      eb('bid_requests.source', '=', 'call'),
      eb.not(eb.exists(eb.selectFrom('calls').select('calls.id').where('calls.id', '=', callId).where('calls.bid_request_id', '=', bidRequestId))),
    ]);
  await db
    .deleteFrom('bid_responses_pending')
    .where('org_id', '=', orgId)
    .where('bid_request_id', 'in', db.selectFrom('bid_requests').select('bid_requests.id').where(losing))
    .execute();
  const result = await db.deleteFrom('bid_requests').where(losing).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
