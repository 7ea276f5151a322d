// The auction audit, read side: bid_requests (one row per auction) and bid_responses (one row
// per target), always within one organisation. The ledger and the audit bodies are not loaded.
// Bids an RTB answer has not yet written as rows are written before they are read (pending-bids.ts).
import { sql } from 'kysely';
import type { Db } from '../../../db/types.js';
import { flushPendingBids } from '../auctions/pending-bids.js';

const REQUEST_COLUMNS = [
  'id',
  'request_id',
  'campaign_id',
  'call_id',
  'caller_id',
  'caller_state',
  'caller_zip',
  'call_start_time',
  'source',
  'auction_type',
  'status',
  'total_targets_pinged',
  'successful_responses',
  'winning_bid_amount',
  'clearing_price',
  'winning_target_id',
  'bidding_completed_at',
  'total_response_time_ms',
] as const;

const RESPONSE_COLUMNS = [
  'id',
  'request_id',
  'rtb_target_id',
  'target_name',
  'status',
  'http_status',
  'response_time_ms',
  'bid_amount',
  'bid_currency',
  'destination_number',
  'is_valid',
  'is_winning_bid',
  'rejection_reason',
] as const;

/**
 * An auction's call: its own call_id, or — for one run for a publisher's inbound ping before the
 * call existed — the call that the bid routed (calls.bid_request_id; migration 0072's index).
 */
function callOfAuction(auction: 'bid_requests' | 'q') {
  const a = sql.table(auction);
  return sql<number | null>`COALESCE(${a}.call_id,
    (SELECT c.id FROM calls c WHERE c.org_id = ${a}.org_id AND c.bid_request_id = ${a}.id ORDER BY c.id LIMIT 1))`;
}

function bidRequestsQuery(db: Db, orgId: string, campaignId: string | undefined) {
  let query = db.selectFrom('bid_requests').where('org_id', '=', orgId);
  if (campaignId !== undefined) query = query.where('campaign_id', '=', campaignId);
  return query;
}

export async function listBidRequestsInOrg(db: Db, orgId: string, options: { campaignId?: string | undefined; limit: number; offset: number }) {
  return bidRequestsQuery(db, orgId, options.campaignId)
    .select(REQUEST_COLUMNS.filter((column) => column !== 'call_id'))
    .select(callOfAuction('bid_requests').as('call_id'))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit)
    .offset(options.offset)
    .execute();
}

export type BidRequestView = Awaited<ReturnType<typeof listBidRequestsInOrg>>[number];

export async function countBidRequestsInOrg(db: Db, orgId: string, campaignId: string | undefined): Promise<number> {
  const row = await bidRequestsQuery(db, orgId, campaignId)
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export async function listBidResponsesInOrg(db: Db, orgId: string, requestId: string) {
  await flushPendingBids(db, orgId);
  return db
    .selectFrom('bid_responses')
    .select(RESPONSE_COLUMNS)
    .where('org_id', '=', orgId)
    .where('request_id', '=', requestId)
    .orderBy('id')
    .execute();
}

export type BidResponseView = Awaited<ReturnType<typeof listBidResponsesInOrg>>[number];

/** Per-target rows with their auction's call, newest auction first (targets in answer order within one). */
export async function listAuctionDetailsInOrg(
  db: Db,
  orgId: string,
  filter: { callId?: number | undefined; requestId?: string | undefined; limit: number },
) {
  await flushPendingBids(db, orgId);
  let query = db
    .selectFrom('bid_responses as r')
    .innerJoin('bid_requests as q', 'q.id', 'r.bid_request_id')
    .select([
      'r.id',
      'r.request_id',
      'r.rtb_target_id',
      'r.target_name',
      'r.status',
      'r.bid_amount',
      'r.response_time_ms',
      'r.destination_number',
      'r.is_valid',
      'r.is_winning_bid',
      'r.rejection_reason',
      'r.created_at',
    ])
    // A call routed by the caller's inbound bid names that bid's auction (calls.bid_request_id),
    // which ran for the publisher's ping before the call existed (its call_id is null).
    .select(filter.callId === undefined ? callOfAuction('q').as('call_id') : sql<number | null>`COALESCE(q.call_id, ${filter.callId}::integer)`.as('call_id'))
    .where('r.org_id', '=', orgId)
    .where('q.org_id', '=', orgId);
  const callId = filter.callId;
  if (callId !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('q.call_id', '=', callId),
        eb('q.id', '=', eb.selectFrom('calls').select('calls.bid_request_id').where('calls.org_id', '=', orgId).where('calls.id', '=', callId)),
      ]),
    );
  }
  if (filter.requestId !== undefined) query = query.where('r.request_id', '=', filter.requestId);
  return query.orderBy('q.created_at', 'desc').orderBy('q.id', 'desc').orderBy('r.id').limit(filter.limit).execute();
}

export type AuctionDetailView = Awaited<ReturnType<typeof listAuctionDetailsInOrg>>[number];
