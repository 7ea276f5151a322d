// RTB targets, routers, auctions and their audit rows (server/rtb).
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { BigIntId, CreatedAt, Json, JsonWithDefault, Numeric, NumericOrNull, NumericWithDefault, UpdatedAt } from './columns.js';

export type AuctionType = 'first_price' | 'second_price';
export type HttpMethod = 'GET' | 'POST' | 'PUT';
export type BidContentType = 'application/json' | 'application/x-www-form-urlencoded' | 'text/xml' | 'text/plain';
export type AuthMethod = 'none' | 'bearer' | 'basic' | 'api_key';
export type AuctionStatus = 'won' | 'no_valid_bids' | 'insufficient_bidders' | 'no_eligible_targets';
export type BidResponseStatus = 'success' | 'rejected' | 'filtered' | 'timeout' | 'error';

export interface RtbTargetsTable {
  id: Generated<number>;
  org_id: string;
  name: string;
  company_name: string | null;
  contact_email: string | null;
  endpoint_url: string;
  http_method: Generated<HttpMethod>;
  content_type: Generated<BidContentType>;
  auth_method: Generated<AuthMethod>;
  auth_token: string | null;
  auth_header_name: string | null;
  min_bid_amount: NumericWithDefault;
  max_bid_amount: NumericWithDefault;
  currency: Generated<string>;
  timeout_ms: Generated<number>;
  is_active: Generated<boolean>;
  states: JsonWithDefault<string[]>;
  excluded_states: JsonWithDefault<string[]>;
  zip_codes: JsonWithDefault<string[]>;
  excluded_zip_codes: JsonWithDefault<string[]>;
  request_body: string | null;
  bid_amount_path: string | null;
  destination_number_path: string | null;
  currency_path: string | null;
  duration_path: string | null;
  acceptance_path: string | null;
  max_concurrent_calls: number | null;
  hourly_cap: number | null;
  daily_cap: number | null;
  monthly_cap: number | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface RtbRoutersTable {
  id: Generated<number>;
  org_id: string;
  name: string;
  description: string | null;
  bidding_timeout_ms: Generated<number>;
  min_bidders_required: Generated<number>;
  enable_predictive_routing: Generated<boolean>;
  is_active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CampaignRtbTargetsTable {
  org_id: string;
  campaign_id: string;
  target_id: number;
  priority: Generated<number>;
  is_active: Generated<boolean>;
  created_at: CreatedAt;
}

export interface BidRequestsTable {
  id: BigIntId;
  org_id: string;
  request_id: string;
  campaign_id: string | null;
  call_id: number | null;
  call_sid: string | null;
  caller_id: string | null;
  caller_state: string | null;
  caller_zip: string | null;
  call_start_time: Date | string;
  source: 'call' | 'inbound_rtb';
  auction_type: AuctionType;
  status: AuctionStatus;
  total_targets_pinged: number;
  successful_responses: number;
  winning_bid_amount: NumericOrNull;
  clearing_price: NumericOrNull;
  winning_target_id: number | null;
  destination_number: string | null;
  bidding_started_at: Date | string;
  bidding_completed_at: Date | string;
  total_response_time_ms: number;
  /** JSON text (migration 0044): server/rtb/auctions/ledger.ts. */
  ledger: string;
  created_at: CreatedAt;
}

export interface BidResponsesTable {
  id: BigIntId;
  org_id: string;
  bid_request_id: string;
  request_id: string;
  rtb_target_id: number | null;
  target_name: string;
  status: BidResponseStatus;
  http_status: number | null;
  response_time_ms: number | null;
  bid_amount: NumericOrNull;
  bid_currency: string | null;
  destination_number: string | null;
  duration_sec: number | null;
  is_valid: boolean;
  is_winning_bid: boolean;
  rejection_reason: string | null;
  request_body: string | null;
  response_body: string | null;
  created_at: CreatedAt;
}

/** An RTB answer's bids as it stored them, not yet bid_responses rows (migration 0044). */
export interface BidResponsesPendingTable {
  bid_request_id: string;
  org_id: string;
  /** The bid rows as JSON text (write_auction_audit()'s second argument). */
  responses: string;
  created_at: CreatedAt;
}

export interface RtbHealthChecksTable {
  id: BigIntId;
  org_id: string;
  target_id: number;
  checked_at: ColumnType<Date, Date | string | undefined, never>;
  healthy: boolean;
  response_time_ms: number;
  error: string | null;
}

export interface InboundBidsTable {
  id: Generated<string>;
  org_id: string;
  campaign_id: string;
  caller_id: string;
  bid_request_id: string | null;
  bid_amount: Numeric;
  reject_reason: string | null;
  winning_target_id: number | null;
  destination_number: string | null;
  expires_at: Date | string;
  used_at: Date | null;
  created_at: CreatedAt;
}

export type RtbTargetRow = Selectable<RtbTargetsTable>;
export type NewRtbTarget = Insertable<RtbTargetsTable>;
export type RtbTargetPatch = Updateable<RtbTargetsTable>;
export type RtbRouterRow = Selectable<RtbRoutersTable>;
export type BidRequestRow = Selectable<BidRequestsTable>;
export type BidResponseRow = Selectable<BidResponsesTable>;
