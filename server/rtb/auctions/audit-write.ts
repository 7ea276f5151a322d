// One auction's audit in one round trip: the bid_requests row (with its ledger) and one
// bid_responses row per target, in one statement (write_auction_audit(), migrations 0015, 0044),
// whatever the number of targets.
import { sql } from 'kysely';
import type { BidResponseStatus, Db } from '../../../db/types.js';
import type { AuctionResult, AuctionSettings, CallContext, OutcomeStatus, RtbTargetConfig } from '../engine/types.js';
import { withoutNul } from '../engine/audit.js';
import { buildLedger } from './ledger.js';

export interface AuctionAudit {
  orgId: string;
  source: 'call' | 'inbound_rtb';
  context: CallContext;
  settings: AuctionSettings;
  targets: readonly RtbTargetConfig[];
  result: AuctionResult;
  callId?: number | null;
  callSid?: string | null;
}

const STATUS: Record<OutcomeStatus, BidResponseStatus> = {
  bid: 'success',
  rejected: 'rejected',
  filtered: 'filtered',
  timeout: 'timeout',
  error: 'error',
};

/** write_auction_audit()'s three arguments: the bid_requests row, its ledger and its bid_responses rows, as JSON text. */
export interface AuditPayload {
  request: string;
  /** Stored as text (migration 0044): only a replay reads it. */
  ledger: string;
  responses: string;
}

export function auditPayload(audit: AuctionAudit): AuditPayload {
  const { result, context } = audit;
  const validBids = result.outcomes.filter((o) => o.isValid).length;
  const request = {
    org_id: audit.orgId,
    request_id: result.requestId,
    campaign_id: context.campaignId,
    call_id: audit.callId ?? null,
    call_sid: audit.callSid ?? null,
    caller_id: context.callerId,
    caller_state: context.callerState,
    caller_zip: context.callerZip,
    call_start_time: context.callStartTime,
    source: audit.source,
    auction_type: audit.settings.auctionType,
    status: result.status,
    total_targets_pinged: result.pinged,
    successful_responses: validBids,
    winning_bid_amount: result.winner?.bidAmount ?? null,
    clearing_price: result.winner?.price ?? null,
    winning_target_id: result.winner?.targetId ?? null,
    destination_number: result.winner?.destination ?? null,
    bidding_started_at: result.startedAt,
    bidding_completed_at: result.completedAt,
    total_response_time_ms: Math.round(result.durationMs),
  };
  const responses = result.outcomes.map((o) => ({
    org_id: audit.orgId,
    request_id: result.requestId,
    rtb_target_id: o.targetId,
    target_name: o.targetName,
    status: STATUS[o.status],
    http_status: o.httpStatus,
    response_time_ms: o.responseTimeMs === null ? null : Math.round(o.responseTimeMs),
    bid_amount: o.bidAmount,
    // Read from the bidder's answer: a NUL in them would fail the write.
    bid_currency: o.currency === null ? null : withoutNul(o.currency),
    destination_number: o.destination === null ? null : withoutNul(o.destination),
    duration_sec: o.durationSec,
    is_valid: o.isValid,
    is_winning_bid: o.isWinner,
    rejection_reason: o.rejectionReason,
    request_body: o.auditRequestBody,
    response_body: o.auditResponseBody,
  }));
  return { request: JSON.stringify(request), ledger: JSON.stringify(buildLedger(context, audit.settings, audit.targets, result)), responses: JSON.stringify(responses) };
}

/**
 * Returns the bid_requests id. One round trip (write_auction_audit(), migration 0012).
 * `asyncCommit`: the caller commits a write synchronously before it acts on the auction (see the
 * migration); ignored inside a transaction.
 */
export async function writeAuctionAudit(db: Db, audit: AuctionAudit, options: { asyncCommit?: boolean } = {}): Promise<string> {
  const { request, ledger, responses } = auditPayload(audit);
  const asyncCommit = options.asyncCommit === true && !db.isTransaction;
  const { rows } = await sql<{ id: string }>`
    SELECT write_auction_audit(${request}::jsonb, ${ledger}::text, ${responses}::jsonb, ${asyncCommit}::boolean) AS id`.execute(db);
  const id = rows[0]?.id;
  if (id === undefined || id === null) throw new Error('write_auction_audit returned nothing');
  return String(id);
}
