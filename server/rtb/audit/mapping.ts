// Audit rows -> API shapes (pure). Money as numbers; people's numbers obfuscated.
import type { components } from '../../../client/schema.js';
import type { BidResponseStatus } from '../../../db/types.js';
import { iso } from '../../platform/common/dates.js';
import { obfuscatePhone } from '../../platform/common/phone.js';
import type { AuctionDetailView, BidRequestView, BidResponseView } from './queries.js';

type BidRequest = components['schemas']['BidRequest'];
type BidResponse = components['schemas']['BidResponse'];
type AuctionDetail = components['schemas']['AuctionDetail'];
type Pagination = components['schemas']['Pagination'];

function moneyOrNull(value: string | null): number | null {
  return value === null ? null : Number(value);
}

function date(value: Date | string): string {
  return iso(value instanceof Date ? value : new Date(value));
}

export function presentBidRequest(row: BidRequestView): BidRequest {
  return {
    id: Number(row.id),
    requestId: row.request_id,
    campaignId: row.campaign_id,
    callId: row.call_id,
    callerId: obfuscatePhone(row.caller_id),
    callerState: row.caller_state,
    callerZip: row.caller_zip,
    callStartTime: date(row.call_start_time),
    source: row.source,
    auctionType: row.auction_type,
    status: row.status,
    totalTargetsPinged: row.total_targets_pinged,
    successfulResponses: row.successful_responses,
    winningBidAmount: moneyOrNull(row.winning_bid_amount),
    clearingPrice: moneyOrNull(row.clearing_price),
    winningTargetId: row.winning_target_id,
    biddingCompletedAt: date(row.bidding_completed_at),
    totalResponseTimeMs: row.total_response_time_ms,
  };
}

export function presentBidResponse(row: BidResponseView): BidResponse {
  return {
    id: Number(row.id),
    requestId: row.request_id,
    rtbTargetId: row.rtb_target_id,
    targetName: row.target_name,
    bidAmount: moneyOrNull(row.bid_amount),
    bidCurrency: row.bid_currency,
    destinationNumber: obfuscatePhone(row.destination_number),
    responseTimeMs: row.response_time_ms,
    responseStatus: row.status,
    httpStatus: row.http_status,
    isValid: row.is_valid,
    isWinningBid: row.is_winning_bid,
    rejectionReason: row.rejection_reason,
  };
}

/** won: the winning row; lost: a valid bid that did not win; otherwise the row's own status. */
export function auctionStatus(row: { status: BidResponseStatus; is_valid: boolean; is_winning_bid: boolean }): AuctionDetail['auctionStatus'] {
  if (row.is_winning_bid) return 'won';
  if (row.is_valid) return 'lost';
  // 'success' always means a valid bid; an invalid one is an answer that was not a bid.
  return row.status === 'success' ? 'rejected' : row.status;
}

export function presentAuctionDetail(row: AuctionDetailView): AuctionDetail {
  return {
    id: Number(row.id),
    callId: row.call_id,
    auctionId: row.request_id,
    rtbTargetId: row.rtb_target_id,
    targetName: row.target_name,
    bidAmount: moneyOrNull(row.bid_amount),
    auctionStatus: auctionStatus(row),
    responseTimeMs: row.response_time_ms,
    destinationNumber: obfuscatePhone(row.destination_number),
    isWinner: row.is_winning_bid,
    rejectionReason: row.rejection_reason,
    createdAt: iso(row.created_at),
  };
}

export function pagination(page: number, limit: number, total: number): Pagination {
  return { page, limit, total, totalPages: Math.ceil(total / limit) };
}
