// Campaigns, buyers, numbers, pools and call flows (server/inbound).
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { CreatedAt, Json, JsonWithDefault, NumericOrNull, OperatingHours, UpdatedAt } from './columns.js';
import type { AuctionType } from './rtb.js';

export type RoutingType = 'priority' | 'round_robin' | 'weighted';
export type CampaignStatus = 'active' | 'paused' | 'inactive';
export type Direction = 'inbound' | 'outbound';

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
  // An outbound campaign's settings (migration 0023; null on inbound campaigns).
  caller_id: string | null;
  schedule_start: Date | null;
  schedule_end: Date | null;
  time_zone: string | null;
  calling_hours_start: string | null;
  calling_hours_end: string | null;
  /** ISO weekdays, 1 = Monday. */
  calling_days: number[] | null;
  dial_mode: DialMode | null;
  lines_per_agent: NumericOrNull;
  agent_group_id: string | null;
  /** server/dialer/schedule/retry-policy.ts RetryPolicy. */
  retry_policy: Json<unknown> | null;
  amd_enabled: Generated<boolean>;
  voicemail_drop: Json<VoicemailDrop> | null;
  record_calls: Generated<boolean>;
  max_abandon_rate: NumericOrNull;
}

export type DialMode = 'preview' | 'progressive' | 'predictive';
/** What an answering machine hears: one of the organisation's audio files, a URL, or text spoken. */
export type VoicemailDrop = { audioId: string } | { url: string } | { text: string };

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

/** A priority group's rotation counter (migration 0063): advanced once per routing that dials from a tie in it. */
export interface CampaignPriorityRotationsTable {
  org_id: string;
  campaign_id: string;
  priority: number;
  /** bigint: read as a string. */
  rotation: ColumnType<string, string | number | undefined, string | number>;
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
  /** An AI agent answers this number (migration 0029); never together with campaign_id. */
  ai_agent_id: string | null;
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

export type CampaignRow = Selectable<CampaignsTable>;
export type NewCampaign = Insertable<CampaignsTable>;
export type CampaignPatch = Updateable<CampaignsTable>;
export type BuyerRow = Selectable<BuyersTable>;
export type NewBuyer = Insertable<BuyersTable>;
export type BuyerPatch = Updateable<BuyersTable>;
export type CampaignBuyerRow = Selectable<CampaignBuyersTable>;
export type NumberPoolRow = Selectable<NumberPoolsTable>;
export type PhoneNumberRow = Selectable<PhoneNumbersTable>;
export type CallFlowRow = Selectable<CallFlowsTable>;
