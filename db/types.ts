// Hand-written table types (kysely-codegen loses CHECK unions and has no PGlite dialect).
import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';

export type Role = 'owner' | 'admin' | 'manager' | 'agent';
export type RoutingType = 'priority' | 'round_robin' | 'weighted';
export type CampaignStatus = 'active' | 'paused' | 'inactive';
export type Direction = 'inbound' | 'outbound';
export type AuctionType = 'first_price' | 'second_price';
export type HttpMethod = 'GET' | 'POST' | 'PUT';
export type BidContentType = 'application/json' | 'application/x-www-form-urlencoded' | 'text/xml' | 'text/plain';
export type AuthMethod = 'none' | 'bearer' | 'basic' | 'api_key';
export type AuctionStatus = 'won' | 'no_valid_bids' | 'insufficient_bidders' | 'no_eligible_targets';
export type BidResponseStatus = 'success' | 'rejected' | 'filtered' | 'timeout' | 'error';
/** numeric columns arrive as strings (exact); write numbers or strings. */
type Numeric = ColumnType<string, number | string, number | string>;
type NumericOrNull = ColumnType<string | null, number | string | null, number | string | null>;
type NumericWithDefault = ColumnType<string, number | string | undefined, number | string>;
/** bigint identity: read as a string, never written. */
type BigIntId = ColumnType<string, never, never>;
type JsonWithDefault<T> = ColumnType<T, string | undefined, string>;

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface DayHours {
  start: string;
  end: string;
}
export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
export type OperatingHours = Partial<Record<Weekday, DayHours>>;

export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  created_at: CreatedAt;
  /** SHA-256 (hex) of the RedTrack postback secret; null until one is made. */
  redtrack_secret_hash: ColumnType<string | null, string | null | undefined, string | null>;
  redtrack_secret_rotated_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** ISO country national lead numbers are read in (migration 0016). */
  default_country: ColumnType<string, string | undefined, string>;
}

export interface UsersTable {
  id: Generated<number>;
  org_id: string;
  email: string;
  username: string | null;
  password_hash: string;
  first_name: string | null;
  last_name: string | null;
  profile_image_url: string | null;
  role: Role;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  last_login_at: Date | null;
  session_version: Generated<number>;
}

export interface ApiKeysTable {
  id: Generated<string>;
  org_id: string;
  created_by_user_id: number | null;
  name: string;
  prefix: string;
  key_hash: string;
  role: Role;
  created_at: CreatedAt;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface CampaignsTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  description: string | null;
  phone_number: string | null;
  routing_type: Generated<RoutingType>;
  status: Generated<CampaignStatus>;
  direction: Generated<Direction>;
  enable_rtb: Generated<boolean>;
  rtb_id: string;
  min_bidders_required: Generated<number>;
  bidding_timeout_ms: Generated<number>;
  caller_id_required: Generated<boolean>;
  auction_type: Generated<AuctionType>;
  rtb_router_id: number | null;
  /** What a qualified buyer call pays unless the buyer has its own payout; null: nothing. */
  payout: NumericOrNull;
  min_call_duration_sec: Generated<number>;
  dial_timeout_sec: Generated<number>;
  max_dial_attempts: Generated<number>;
  fallback_action: Generated<FallbackAction>;
  fallback_message: string | null;
  /** An uploaded audio (audio_files) the fallback plays instead of its message. */
  fallback_audio_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** bigint: read as a string; advanced once per routed call. */
  routing_rotation: ColumnType<string, never, string | number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  /** ISO country national lead numbers are read in; null: the organisation's (migration 0016). */
  default_country: ColumnType<string | null, string | null | undefined, string | null>;
}

export type FallbackAction = 'message' | 'voicemail' | 'hangup';

export interface BuyersTable {
  id: Generated<number>;
  org_id: string;
  name: string;
  company_name: string | null;
  email: string | null;
  phone_number: string;
  priority: Generated<number>;
  max_concurrent_calls: number | null;
  is_active: Generated<boolean>;
  time_zone: Generated<string>;
  operating_hours: Json<OperatingHours | null> | null;
  hourly_cap: number | null;
  daily_cap: number | null;
  monthly_cap: number | null;
  payout: NumericOrNull;
  min_call_duration_sec: number | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CampaignBuyersTable {
  org_id: string;
  campaign_id: string;
  buyer_id: number;
  priority: Generated<number>;
  weight: Generated<number>;
  is_active: Generated<boolean>;
  created_at: CreatedAt;
}

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
  ledger: Json<unknown>;
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

export interface NumberPoolsTable {
  id: Generated<number>;
  org_id: string;
  name: string;
  description: string | null;
  campaign_id: string | null;
  is_active: Generated<boolean>;
  /** A session keeps its number while seen within this many seconds. */
  idle_timeout_sec: Generated<number>;
  when_exhausted: Generated<PoolExhaustedBehaviour>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type PoolExhaustedBehaviour = 'recycle_oldest' | 'default_number';

export interface NumberCapabilitiesJson {
  voice: boolean;
  SMS: boolean;
  MMS: boolean;
}

export interface PhoneNumbersTable {
  id: Generated<number>;
  org_id: string;
  phone_number: string;
  friendly_name: string | null;
  provider_sid: string;
  provider: 'twilio' | 'simulator';
  campaign_id: string | null;
  pool_id: number | null;
  is_active: Generated<boolean>;
  monthly_fee: NumericOrNull;
  capabilities: JsonWithDefault<NumberCapabilitiesJson>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type CallFlowStatus = 'draft' | 'active' | 'inactive';

export interface CallFlowsTable {
  id: Generated<number>;
  org_id: string;
  name: string;
  description: string | null;
  campaign_id: string | null;
  status: Generated<CallFlowStatus>;
  /** The flow graph as stored (validated as a whole when active or assigned to a campaign). */
  flow_definition: Json<unknown>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface TrackingTagsTable {
  id: Generated<number>;
  org_id: string;
  name: string;
  tag_code: string;
  campaign_id: string | null;
  pool_id: number | null;
  default_number: string | null;
  number_selector: Generated<string>;
  is_active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface VisitorSessionsTable {
  id: BigIntId;
  org_id: string;
  session_id: string;
  tag_id: number | null;
  ip_address: string | null;
  user_agent: string | null;
  landing_url: string | null;
  referrer: string | null;
  domain: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  click_ids: JsonWithDefault<Record<string, string>>;
  redtrack_data: Json<Record<string, unknown>> | null;
  created_at: CreatedAt;
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface PoolAssignmentsTable {
  id: BigIntId;
  org_id: string;
  pool_id: number;
  phone_number_id: number;
  /** visitor_sessions.id (bigint, read as a string). */
  visitor_session_id: ColumnType<string, string | number, string | number>;
  assigned_at: ColumnType<Date, Date | string | undefined, Date | string>;
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  released_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface ConversionEventsTable {
  id: BigIntId;
  org_id: string;
  visitor_session_id: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  call_id: number | null;
  event_type: string;
  event_value: NumericOrNull;
  phone_number: string | null;
  metadata: JsonWithDefault<Record<string, unknown>>;
  source: Generated<'call' | 'redtrack'>;
  created_at: CreatedAt;
}

/** calls.attribution: the visitor session's fields at the time of the call. */
export interface CallAttribution {
  sessionId: string;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmTerm: string | null;
  utmContent: string | null;
  clickIds: Record<string, string>;
  landingUrl: string | null;
  referrer: string | null;
  domain: string | null;
}

export type RedtrackKind = 'session' | 'conversion' | 'quality';

export interface RedtrackEventsTable {
  id: BigIntId;
  kind: RedtrackKind;
  clickid: string | null;
  session_id: string | null;
  org_id: string | null;
  payload: Json<Record<string, unknown>>;
  fingerprint: string;
  linked_sessions: Generated<number>;
  received_at: CreatedAt;
}

export type PixelEvent = 'call_started' | 'call_answered' | 'call_completed' | 'conversion';

export interface TrackingPixelsTable {
  id: Generated<number>;
  org_id: string;
  name: string;
  url: string;
  method: Generated<'GET' | 'POST'>;
  fire_on: JsonWithDefault<PixelEvent[]>;
  campaign_id: string | null;
  signing_secret: string | null;
  is_active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface PixelDeliveriesTable {
  id: BigIntId;
  org_id: string;
  pixel_id: number;
  call_id: number | null;
  event: string;
  method: string;
  url: string;
  body: string | null;
  status: Generated<'pending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  locked_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_error: string | null;
  created_at: CreatedAt;
  delivered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface PixelAttemptsTable {
  id: BigIntId;
  delivery_id: string | number;
  attempt: number;
  http_status: number | null;
  error: string | null;
  duration_ms: number | null;
  attempted_at: CreatedAt;
}

export interface DB {
  organizations: OrganizationsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  campaigns: CampaignsTable;
  buyers: BuyersTable;
  campaign_buyers: CampaignBuyersTable;
  rtb_targets: RtbTargetsTable;
  rtb_routers: RtbRoutersTable;
  campaign_rtb_targets: CampaignRtbTargetsTable;
  bid_requests: BidRequestsTable;
  bid_responses: BidResponsesTable;
  rtb_health_checks: RtbHealthChecksTable;
  inbound_bids: InboundBidsTable;
  number_pools: NumberPoolsTable;
  phone_numbers: PhoneNumbersTable;
  call_flows: CallFlowsTable;
  calls: CallsTable;
  simulator_calls: SimulatorCallsTable;
  call_legs: CallLegsTable;
  call_corrections: CallCorrectionsTable;
  tracking_tags: TrackingTagsTable;
  visitor_sessions: VisitorSessionsTable;
  pool_assignments: PoolAssignmentsTable;
  conversion_events: ConversionEventsTable;
  redtrack_events: RedtrackEventsTable;
  tracking_pixels: TrackingPixelsTable;
  pixel_deliveries: PixelDeliveriesTable;
  pixel_attempts: PixelAttemptsTable;
  audio_files: AudioFilesTable;
  leads: LeadsTable;
  dnc_numbers: DncNumbersTable;
  lead_imports: LeadImportsTable;
  lead_import_chunks: LeadImportChunksTable;
  lead_import_errors: LeadImportErrorsTable;
}

export type AudioFormat = 'mp3' | 'wav';
export type AudioContentType = 'audio/mpeg' | 'audio/wav';

/** Uploaded audio (migration 0017). `data` is never selected with the metadata. */
export interface AudioFilesTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  category: string | null;
  description: string | null;
  file_name: string | null;
  format: AudioFormat;
  content_type: AudioContentType;
  size_bytes: number;
  /** numeric: read as a string. */
  duration_seconds: NumericOrNull;
  sha256: string;
  data: Buffer;
  created_by: number | null;
  created_at: CreatedAt;
}

/** What query functions take first: the database or a transaction. */
export type Db = Kysely<DB> | Transaction<DB>;

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type CampaignRow = Selectable<CampaignsTable>;
export type NewCampaign = Insertable<CampaignsTable>;
export type CampaignPatch = Updateable<CampaignsTable>;
export type BuyerRow = Selectable<BuyersTable>;
export type NewBuyer = Insertable<BuyersTable>;
export type BuyerPatch = Updateable<BuyersTable>;
export type CampaignBuyerRow = Selectable<CampaignBuyersTable>;
export type RtbTargetRow = Selectable<RtbTargetsTable>;
export type NewRtbTarget = Insertable<RtbTargetsTable>;
export type RtbTargetPatch = Updateable<RtbTargetsTable>;
export type RtbRouterRow = Selectable<RtbRoutersTable>;
export type BidRequestRow = Selectable<BidRequestsTable>;
export type BidResponseRow = Selectable<BidResponsesTable>;
export type NumberPoolRow = Selectable<NumberPoolsTable>;
export type PhoneNumberRow = Selectable<PhoneNumbersTable>;
export type CallFlowRow = Selectable<CallFlowsTable>;

export type CallStatusValue = 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'canceled' | 'failed';
export type DialStatusValue = 'completed' | 'answered' | 'busy' | 'no-answer' | 'failed' | 'canceled';
export type CallRoutingMethod = 'rtb' | 'priority' | 'round_robin' | 'weighted' | 'flow' | 'none';

/** Who made the call record: Twilio's voice webhook, the local simulator (demo figures), or POST /api/calls. */
export type CallSource = 'twilio' | 'simulator' | 'manual';

export interface CallsTable {
  id: Generated<number>;
  /** null only for a call to a number we do not know. */
  org_id: string | null;
  call_sid: string;
  direction: Generated<Direction>;
  campaign_id: string | null;
  pool_id: number | null;
  phone_number_id: number | null;
  from_number: string | null;
  to_number: string | null;
  caller_state: string | null;
  caller_zip: string | null;
  status: Generated<CallStatusValue>;
  /** Tied to status by a CHECK (queued 0 … in-progress 3, final 4); never decreases (trigger). */
  status_rank: Generated<number>;
  duration_sec: number | null;
  connected_duration_sec: Generated<number>;
  answered_at: Date | null;
  buyer_id: number | null;
  rtb_target_id: number | null;
  /** bigint: read as a string. */
  bid_request_id: ColumnType<string | null, string | number | null, string | number | null>;
  routing_method: CallRoutingMethod | null;
  routing_plan: Json<unknown> | null;
  twiml: string | null;
  payout: NumericOrNull;
  revenue: NumericOrNull;
  revenue_qualified_at: Date | null;
  revenue_attempt: number | null;
  ignored_outcomes: JsonWithDefault<Array<{ attempt: number | null; status: string }>>;
  source: Generated<CallSource>;
  flow_id: number | null;
  /** A correction's revenue (PUT /api/calls/{id}); the counted `revenue` stays as it was. */
  revenue_override: NumericOrNull;
  recording_sid: string | null;
  voicemail_url: string | null;
  /** The visitor session that held the dialled pool number (DNI attribution). */
  visitor_session_id: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  /** What the call inherited from that session when it came in (a snapshot). */
  attribution: Json<CallAttribution> | null;
  /** Until when the delivery routing the call holds its claim (migration 0012); null: no live claim. */
  routing_lease_until: Date | null;
  /** How many deliveries held the routing claim (a retry that took over a lapsed one adds one). */
  routing_claims: Generated<number>;
  ended_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** What the local simulator's call control changed on a call (migration 0013). */
export interface SimulatorCallsTable {
  call_sid: string;
  ended: Generated<boolean>;
  in_conference: Generated<boolean>;
  on_hold: Generated<boolean>;
  muted: Generated<boolean>;
  bridged_to: string | null;
  redirected_to: string | null;
  recordings: JsonWithDefault<Array<{ sid: string; status: 'in-progress' | 'stopped' }>>;
  updated_at: UpdatedAt;
}

export interface CallLegsTable {
  call_id: number;
  attempt: number;
  org_id: string;
  buyer_id: number | null;
  rtb_target_id: number | null;
  destination: string | null;
  dial_call_sid: string | null;
  dial_status: DialStatusValue | null;
  dial_duration_sec: number | null;
  payout: NumericOrNull;
  min_duration_sec: Generated<number>;
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  ended_at: Date | null;
}

export interface CallCorrectionsTable {
  id: ColumnType<string, never, never>;
  org_id: string;
  call_id: number;
  user_id: number | null;
  field: 'status' | 'duration' | 'revenue';
  old_value: string | null;
  new_value: string | null;
  reason: string | null;
  created_at: CreatedAt;
}

export type CallRow = Selectable<CallsTable>;
export type CallLegRow = Selectable<CallLegsTable>;
export type CallCorrectionRow = Selectable<CallCorrectionsTable>;

export type TrackingTagRow = Selectable<TrackingTagsTable>;
export type VisitorSessionRow = Selectable<VisitorSessionsTable>;
export type TrackingPixelRow = Selectable<TrackingPixelsTable>;
export type PixelDeliveryRow = Selectable<PixelDeliveriesTable>;

// ---- Leads and CRM (migration 0016) ----------------------------------------------------------

export type LeadStage = 'new' | 'contacted' | 'follow_up' | 'qualified' | 'converted' | 'lost';
export type LeadDialStatus = 'pending' | 'queued' | 'calling' | 'completed' | 'failed' | 'dnc';
export type LeadPriority = 'low' | 'normal' | 'high' | 'urgent';
export type LeadSource = 'api' | 'import';
export type LeadImportStatus = 'queued' | 'processing' | 'completed' | 'failed';
export type CustomFieldValue = string | number | boolean | null;
/** A generated column: read, never written. */
type GeneratedColumn<T> = ColumnType<T, never, never>;

export interface LeadsTable {
  id: Generated<string>;
  org_id: string;
  campaign_id: string | null;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  /** As given. */
  phone: string;
  phone_e164: string;
  email: string | null;
  country: string | null;
  time_zone: string | null;
  priority: Generated<LeadPriority>;
  custom_fields: JsonWithDefault<Record<string, CustomFieldValue>>;
  notes: string | null;
  assigned_to: number | null;
  stage: Generated<LeadStage>;
  dial_status: Generated<LeadDialStatus>;
  call_attempts: Generated<number>;
  last_call_at: Date | null;
  next_call_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  do_not_call: Generated<boolean>;
  source: Generated<LeadSource>;
  import_id: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  /** Generated: lower-case name, company and email (trigram index). */
  search_doc: GeneratedColumn<string>;
  /** Generated: full-text vector (simple configuration). */
  search_tsv: GeneratedColumn<string>;
  /** Generated: the E.164 number without '+' (trigram index for fragments). */
  phone_digits: GeneratedColumn<string>;
}

export interface DncNumbersTable {
  id: Generated<string>;
  org_id: string;
  phone_e164: string;
  reason: string | null;
  source: Generated<LeadSource>;
  created_by_user_id: number | null;
  created_at: CreatedAt;
}

export interface LeadImportsTable {
  id: Generated<string>;
  org_id: string;
  campaign_id: string | null;
  created_by_user_id: number | null;
  file_name: string | null;
  file_bytes: ColumnType<string, number | string | undefined, number | string>;
  file_sha256: string | null;
  options: JsonWithDefault<LeadImportOptions>;
  status: Generated<LeadImportStatus>;
  total_rows: Generated<number>;
  valid_rows: Generated<number>;
  invalid_rows: Generated<number>;
  duplicate_rows: Generated<number>;
  dnc_rows: Generated<number>;
  inserted_rows: Generated<number>;
  error_count: Generated<number>;
  failure: string | null;
  attempts: Generated<number>;
  locked_until: Date | null;
  created_at: CreatedAt;
  started_at: Date | null;
  completed_at: Date | null;
  updated_at: UpdatedAt;
}

/** How an import reads its file (stored with it, so any instance can run it). */
export interface LeadImportOptions {
  /** CSV header -> lead field ('' skips the column); absent: matched by header names. */
  fieldMapping?: Record<string, string>;
  defaultCountry: string;
  /** false: the file has no header row (columns follow the template). */
  hasHeader: boolean;
}

export interface LeadImportChunksTable {
  import_id: string;
  seq: number;
  data: Buffer;
}

export interface LeadImportErrorsTable {
  import_id: string;
  seq: number;
  row_number: number;
  field: string | null;
  value: string | null;
  message: string;
}

export type LeadRow = Selectable<LeadsTable>;
export type NewLead = Insertable<LeadsTable>;
export type LeadPatch = Updateable<LeadsTable>;
export type DncNumberRow = Selectable<DncNumbersTable>;
export type LeadImportRow = Selectable<LeadImportsTable>;
export type LeadImportErrorRow = Selectable<LeadImportErrorsTable>;
