// What routing reads and writes besides the call record: stored bids of a call's auction, the
// campaign's buyers with their current usage, the rotation counter, unexpired inbound bids, and
// the routing log on the call. Every query is scoped to the organisation.
import { sql } from 'kysely';
import { preparedMark } from '../../../db/prepared.js';
import type { BuyerRow, CampaignRow, Db, RtbTargetRow } from '../../../db/types.js';
import { flushPendingBidsOf } from '../../rtb/auctions/pending-bids.js';
import { capWindows } from '../routing/cap-windows.js';
import { buyersUsage } from './buyer-usage.js';
import type { PlanEntry } from '../routing/plan.js';
import type { BuyerUsage } from '../routing/types.js';
import type { AuctionPricing, StoredBid } from './candidates.js';

const NO_USAGE: BuyerUsage = { activeCalls: 0, callsThisHour: 0, callsToday: 0, callsThisMonth: 0 };

/** The valid bids of a stored auction (for fall-through to the next bid); its pending bids are written by the first read. */
export async function storedBids(db: Db, orgId: string, bidRequestId: string): Promise<{ bids: StoredBid[]; pricing: AuctionPricing } | undefined> {
  const request = await db
    .selectFrom('bid_requests')
    .select(['auction_type', 'clearing_price', 'campaign_id', flushPendingBidsOf('bid_requests.id').as('flushed')])
    .where('org_id', '=', orgId)
    .where('id', '=', bidRequestId)
    .executeTakeFirst();
  if (!request) return undefined;
  const rows = await db
    .selectFrom('bid_responses as r')
    .innerJoin('rtb_targets as t', (join) => join.onRef('t.id', '=', 'r.rtb_target_id').onRef('t.org_id', '=', 'r.org_id'))
    // The assignment's priority ranks equal bids, as in the auction (a target unassigned since: last).
    .leftJoin('campaign_rtb_targets as a', (join) =>
      join.onRef('a.target_id', '=', 'r.rtb_target_id').onRef('a.org_id', '=', 'r.org_id').on('a.campaign_id', '=', request.campaign_id),
    )
    .select(['r.rtb_target_id', 'r.bid_amount', 'r.destination_number', 'r.duration_sec', 'r.response_time_ms', 'r.is_winning_bid', 't.min_bid_amount', 'a.priority'])
    .where('r.org_id', '=', orgId)
    .where('r.bid_request_id', '=', bidRequestId)
    .where('r.is_valid', '=', true)
    .execute();
  const bids: StoredBid[] = [];
  for (const r of rows) {
    if (r.rtb_target_id === null || r.bid_amount === null || r.destination_number === null) continue;
    bids.push({
      targetId: r.rtb_target_id,
      amount: r.bid_amount,
      destination: r.destination_number,
      durationSec: r.duration_sec,
      responseTimeMs: r.response_time_ms,
      isWinner: r.is_winning_bid,
      minBid: r.min_bid_amount,
      priority: r.priority,
    });
  }
  return { bids, pricing: { auctionType: request.auction_type, clearingPrice: request.clearing_price } };
}

export type BuyerEntry = PlanEntry & { row: BuyerRow };

/**
 * The campaign's assigned buyers with their usage now (counted only for buyers that have a limit:
 * the others cannot be over one). The reservation re-counts under a row lock.
 */
export async function buyerEntries(db: Db, orgId: string, campaignId: string, at: Date, options: { countUsage?: boolean } = {}): Promise<BuyerEntry[]> {
  const rows = await db
    .selectFrom('campaign_buyers as cb')
    .innerJoin('buyers as b', (join) => join.onRef('b.id', '=', 'cb.buyer_id').onRef('b.org_id', '=', 'cb.org_id'))
    .selectAll('b')
    .select(['cb.priority as assignment_priority', 'cb.weight as assignment_weight', 'cb.is_active as assignment_active'])
    .where('cb.org_id', '=', orgId)
    .where('cb.campaign_id', '=', campaignId)
    .orderBy('cb.priority')
    .orderBy('b.id')
    .execute();
  const entries = rows.map((r): BuyerEntry => {
    const { assignment_priority, assignment_weight, assignment_active, ...row } = r;
    return {
      row,
      buyer: {
        id: row.id,
        isActive: row.is_active,
        timeZone: row.time_zone,
        operatingHours: row.operating_hours,
        maxConcurrentCalls: row.max_concurrent_calls,
        hourlyCap: row.hourly_cap,
        dailyCap: row.daily_cap,
        monthlyCap: row.monthly_cap,
      },
      assignment: { priority: assignment_priority, weight: assignment_weight, isActive: assignment_active },
      usage: NO_USAGE,
    };
  });
  return options.countUsage === false ? entries : withUsage(db, entries, at);
}

/** The entries with the current usage of each limited buyer (counted in its own time zone). */
export async function withUsage(db: Db, entries: readonly BuyerEntry[], at: Date): Promise<BuyerEntry[]> {
  const limited = entries.filter(isLimited).map((e) => ({ buyer: e.buyer, windows: capWindows(e.row.time_zone, at) }));
  const orgId = entries[0]?.row.org_id;
  const usages = orgId === undefined ? new Map<number, BuyerUsage>() : await buyersUsage(db, orgId, limited);
  return entries.map((e) => ({ ...e, usage: usages.get(e.row.id) ?? NO_USAGE }));
}

function isLimited(e: BuyerEntry): boolean {
  return e.buyer.maxConcurrentCalls !== null || e.buyer.hourlyCap !== null || e.buyer.dailyCap !== null || e.buyer.monthlyCap !== null;
}

/** Advances the campaign's rotation counter once and returns the value this call uses. */
export async function nextRotation(db: Db, orgId: string, campaignId: string): Promise<number> {
  const row = await db
    .updateTable('campaigns')
    .set({ routing_rotation: sql`routing_rotation + 1` })
    .where('org_id', '=', orgId)
    .where('id', '=', campaignId)
    .returning(sql<string>`routing_rotation - 1`.as('rotation'))
    .executeTakeFirst();
  return Number(row?.rotation ?? 0);
}

/**
 * Advances the rotation counter of the campaign's priority group `priority` once and returns the
 * value this routing uses (migration 0063; a group's first routing uses 0).
 */
export async function nextGroupRotation(db: Db, orgId: string, campaignId: string, priority: number): Promise<number> {
  const row = await db
    .insertInto('campaign_priority_rotations')
    .values({ org_id: orgId, campaign_id: campaignId, priority, rotation: 1 })
    .onConflict((oc) => oc.columns(['campaign_id', 'priority']).doUpdateSet({ rotation: sql`campaign_priority_rotations.rotation + 1` }))
    .returning(sql<string>`rotation - 1`.as('rotation'))
    .executeTakeFirst();
  return Number(row?.rotation ?? 0);
}

export async function findTarget(db: Db, orgId: string, targetId: number): Promise<RtbTargetRow | undefined> {
  return db.selectFrom('rtb_targets').selectAll().where('org_id', '=', orgId).where('id', '=', targetId).executeTakeFirst();
}

/** The caller's unused, unexpired inbound bids on the campaign that carry an auction, newest first. */
function usableInboundBids(db: Db, campaign: CampaignRow, callerId: string) {
  return db
    .selectFrom('inbound_bids')
    .select('id')
    .where('org_id', '=', campaign.org_id)
    .where('campaign_id', '=', campaign.id)
    .where('caller_id', '=', callerId)
    .where('reject_reason', 'is', null)
    .where('used_at', 'is', null)
    .where('bid_request_id', 'is not', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .orderBy('created_at', 'desc')
    .limit(1);
}

/**
 * Before the call is recorded, in one read: whether the caller holds an unused, unexpired inbound
 * bid for the campaign (taken afterwards only when there is one), and whether a call with this
 * CallSid is already recorded — a repeated delivery, which must not start an auction of its own
 * (auction-prefetch.ts). The read does not see the record this delivery is writing at the same
 * time unless that commits first (then `known` is true and the routing starts its auction later).
 */
export async function auctionPrefetchFacts(db: Db, campaign: CampaignRow, callerId: string | null, callSid: string): Promise<{ inboundBid: boolean; known: boolean }> {
  const row = await db
    .selectNoFrom((eb) => [
      callerId === null ? sql<boolean>`false`.as('inbound_bid') : eb.exists(usableInboundBids(db, campaign, callerId)).as('inbound_bid'),
      eb.exists(eb.selectFrom('calls').select('calls.id').where('calls.call_sid', '=', callSid)).as('known'),
    ])
    .modifyEnd(preparedMark)
    .executeTakeFirstOrThrow();
  return { inboundBid: Boolean(row.inbound_bid), known: Boolean(row.known) };
}

/**
 * Takes the caller's unexpired inbound bid on this campaign (DESIGN.md 7: the call must arrive
 * within the expiry with the same caller ID), once: a second call gets nothing.
 */
export async function takeInboundBid(db: Db, campaign: CampaignRow, callerId: string): Promise<{ id: string; bidRequestId: string } | undefined> {
  const row = await db
    .updateTable('inbound_bids')
    .set({ used_at: sql`now()` })
    .where('id', '=', usableInboundBids(db, campaign, callerId))
    .where('used_at', 'is', null)
    .returning(['id', 'bid_request_id'])
    .executeTakeFirst();
  if (!row || row.bid_request_id === null) return undefined;
  return { id: row.id, bidRequestId: row.bid_request_id };
}

/** Appends entries to the call's routing log (`routing_plan.attempts`). */
export async function appendRoutingLog(db: Db, orgId: string, callId: number, entries: readonly unknown[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .updateTable('calls')
    .set({
      routing_plan: sql`jsonb_set(COALESCE(routing_plan, '{}'::jsonb), '{attempts}',
        COALESCE(routing_plan->'attempts', '[]'::jsonb) || ${JSON.stringify(entries)}::jsonb)`,
      updated_at: sql`now()`,
    })
    .where('org_id', '=', orgId)
    .where('id', '=', callId)
    .execute();
}

/** Links the call to the auction a flow step ran (the voice webhook stores it with its answer). */
export async function linkAuction(db: Db, orgId: string, callId: number, bidRequestId: string): Promise<void> {
  await db.updateTable('calls').set({ bid_request_id: bidRequestId }).where('org_id', '=', orgId).where('id', '=', callId).where('bid_request_id', 'is', null).execute();
}

/**
 * The call went on to a fallback after every buyer or bid it dialled refused it: it is nobody's
 * call, so it leaves the buyer's and target's figures (its legs still name who was tried). A
 * connected leg ends the routing, so no fallback follows one; revenue is decided per leg.
 */
export async function clearRefusedBuyer(db: Db, orgId: string, callId: number): Promise<void> {
  await db
    .updateTable('calls')
    .set({ buyer_id: null, rtb_target_id: null, payout: null, updated_at: sql`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', callId)
    .where((eb) => eb.or([eb('buyer_id', 'is not', null), eb('rtb_target_id', 'is not', null), eb('payout', 'is not', null)]))
    .execute();
}

/** Whether any of these buyers has a concurrency limit or a cap (then usage must be counted). */
export function anyLimited(entries: readonly BuyerEntry[]): boolean {
  return entries.some(isLimited);
}
