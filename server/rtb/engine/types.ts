// Plain data in and out of the RTB auction module (section 4.2 of DESIGN.md). No HTTP routing,
// no SQL: callers load these from the database and store what comes back.

export type HttpMethod = 'GET' | 'POST' | 'PUT';
export type RtbContentType = 'application/json' | 'application/x-www-form-urlencoded' | 'text/xml' | 'text/plain';
export type AuthMethod = 'none' | 'bearer' | 'basic' | 'api_key';

export interface RtbTargetConfig {
  id: number;
  name: string;
  endpointUrl: string;
  httpMethod: HttpMethod;
  contentType: RtbContentType;
  authMethod: AuthMethod;
  /** bearer: the token; basic: 'user:password'; api_key: the key. */
  authToken: string | null;
  /** api_key only; default X-API-Key. */
  authHeaderName: string | null;
  minBidAmount: number;
  maxBidAmount: number;
  currency: string;
  timeoutMs: number;
  states: string[];
  excludedStates: string[];
  zipCodes: string[];
  excludedZipCodes: string[];
  /** Seed 001 body template ({requestId}, {campaignId}, ...); null: the default body. */
  requestBody: string | null;
  /** null: the seed 001 defaults bidAmount, destinationNumber, currency, duration, accepted. */
  bidAmountPath: string | null;
  destinationNumberPath: string | null;
  currencyPath: string | null;
  durationPath: string | null;
  acceptancePath: string | null;
  /** Campaign assignment priority, lower first (breaks ties between equal bids). */
  priority: number;
  isActive: boolean;
}

export interface CallContext {
  requestId: string;
  campaignId: string;
  callerId: string | null;
  callerState: string | null;
  callerZip: string | null;
  callStartTime: Date;
  /**
   * The organisation's own numbers known to this call (the dialled number, the campaign's number):
   * a bid sending the call to one of them would ring our own webhook again, so it is refused as
   * `own_tracking_number`. Not sent to bidders.
   */
  ownNumbers?: readonly string[];
}

export type AuctionType = 'first_price' | 'second_price';

export interface AuctionSettings {
  biddingTimeoutMs: number;
  minBiddersRequired: number;
  callerIdRequired: boolean;
  auctionType: AuctionType;
}

/** Reasons precomputed by the caller (caps and concurrency need SQL; the breaker is in memory). */
export type BlockReason = 'cap_reached' | 'concurrency_reached' | 'circuit_open' | 'predicted_no_bid';

export type FilterReason =
  | 'inactive'
  | 'caller_id_required'
  | 'state_not_allowed'
  | 'state_excluded'
  | 'zip_not_allowed'
  | 'zip_excluded'
  | BlockReason;

export type OutcomeStatus = 'bid' | 'rejected' | 'filtered' | 'timeout' | 'error';

export interface TargetOutcome {
  targetId: number;
  targetName: string;
  status: OutcomeStatus;
  isValid: boolean;
  isWinner: boolean;
  rejectionReason: string | null;
  httpStatus: number | null;
  responseTimeMs: number | null;
  bidAmount: number | null;
  currency: string | null;
  destination: string | null;
  durationSec: number | null;
  /** Redacted (auth token) and truncated to 4 KiB. */
  auditRequestBody: string | null;
  /** Truncated to 4 KiB. */
  auditResponseBody: string | null;
}

/** What the transport hands back for one request. */
export interface SendAnswer {
  ok: boolean;
  status: number | null;
  /** Capped by the transport (maxBodyBytes). */
  body: string | null;
  /** null when ok; otherwise timeout, connect_error, too_large, blocked, aborted, invalid_url, protocol_error, ... */
  errorKind: string | null;
  responseTimeMs: number | null;
}

/** One target's raw answer as the auction ledger stores it for replay. */
export interface RawAnswer extends SendAnswer {
  targetId: number;
  /** Not answered within the target's wait (or never sent before the deadline): a timeout, never a winner. */
  late: boolean;
}

export interface BidRequest {
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  body: string | undefined;
  /** The body (or, for GET, the query) with the auth token redacted, truncated to 4 KiB. */
  auditBody: string | null;
}

export type SendFn = (request: BidRequest, options: { timeoutMs: number; signal: AbortSignal }) => Promise<SendAnswer>;

export type AuctionStatus = 'won' | 'no_valid_bids' | 'insufficient_bidders' | 'no_eligible_targets';

export interface Winner {
  targetId: number;
  bidAmount: number;
  /** What is paid: the bid (first price) or the second price. */
  price: number;
  destination: string;
  currency: string;
  durationSec: number | null;
}

export interface AuctionResult {
  requestId: string;
  status: AuctionStatus;
  /** Exactly one per input target, in input order. */
  outcomes: TargetOutcome[];
  /** One per target the auction was held for (every eligible target), for the ledger. */
  answers: RawAnswer[];
  winner: Winner | null;
  startedAt: Date;
  completedAt: Date;
  durationMs: number;
  /** Targets a request was actually sent to. */
  pinged: number;
}
