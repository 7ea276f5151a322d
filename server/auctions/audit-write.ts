// One auction's audit in one batch: the bid_requests row (with its ledger) and one bid_responses
// row per target, in a single transaction (two statements, whatever the number of targets).
import type { Kysely } from 'kysely';
import type { BidResponseStatus, DB } from '../../db/types.js';
import type { AuctionResult, AuctionSettings, CallContext, OutcomeStatus, RtbTargetConfig } from '../rtb/types.js';
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

/** Returns the bid_requests id. */
export async function writeAuctionAudit(db: Kysely<DB>, audit: AuctionAudit): Promise<string> {
  const { result, context } = audit;
  const validBids = result.outcomes.filter((o) => o.isValid).length;
  return db.transaction().execute(async (trx) => {
    const request = await trx
      .insertInto('bid_requests')
      .values({
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
        ledger: JSON.stringify(buildLedger(context, audit.settings, audit.targets, result)),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (result.outcomes.length > 0) {
      await trx
        .insertInto('bid_responses')
        .values(
          result.outcomes.map((o) => ({
            org_id: audit.orgId,
            bid_request_id: request.id,
            request_id: result.requestId,
            rtb_target_id: o.targetId,
            target_name: o.targetName,
            status: STATUS[o.status],
            http_status: o.httpStatus,
            response_time_ms: o.responseTimeMs === null ? null : Math.round(o.responseTimeMs),
            bid_amount: o.bidAmount,
            bid_currency: o.currency,
            destination_number: o.destination,
            duration_sec: o.durationSec,
            is_valid: o.isValid,
            is_winning_bid: o.isWinner,
            rejection_reason: o.rejectionReason,
            request_body: o.auditRequestBody,
            response_body: o.auditResponseBody,
          })),
        )
        .execute();
    }
    return request.id;
  });
}
