// Call records, their <Dial> legs and corrections (server/inbound/calls, the simulator).
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, Json, JsonWithDefault, NumericOrNull, UpdatedAt } from './columns.js';
import type { Direction } from './inbound.js';
import type { CallAttribution } from './attribution.js';

export type CallStatusValue = 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'canceled' | 'failed';
export type DialStatusValue = 'completed' | 'answered' | 'busy' | 'no-answer' | 'failed' | 'canceled';
export type CallRoutingMethod = 'rtb' | 'priority' | 'round_robin' | 'weighted' | 'flow' | 'none';

/** Who made the call record: Twilio's voice webhook, the local simulator (demo figures), or POST /api/calls. */
/** `exotel`: a call reported by Exotel's incoming webhook (server/ai/agents/exotel.ts). */
export type CallSource = 'twilio' | 'simulator' | 'manual' | 'exotel';

export interface CallsTable {
  id: Generated<number>;
  /** null only for a call to a number we do not know. */
  org_id: string | null;
  call_sid: string;
  direction: Generated<Direction>;
  campaign_id: string | null;
  pool_id: number | null;
  phone_number_id: number | null;
  /** The AI agent and version that took or placed the call (migration 0029). */
  ai_agent_id: ColumnType<string | null, string | null | undefined, string | null>;
  ai_agent_version: ColumnType<number | null, number | null | undefined, number | null>;
  /**
   * Migration 0039: an agent's inbound call that never reached a conversation is priced on the call
   * (telephony only); `ai_priced_at` is set once for every ended call of an agent, with or without a cost.
   */
  ai_cost: ColumnType<string | null, number | string | null | undefined, number | string | null>;
  ai_cost_breakdown: ColumnType<Record<string, number> | null, string | null | undefined, string | null>;
  ai_priced_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
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
  /** The URL of the call's last completed recording (call control), from the recording status callback. */
  recording_url: string | null;
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
  /** Final, its completion events waiting for a <Dial> outcome (migration 0051; server/inbound/calls/completion.ts). */
  completion_pending: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  /** Outbound calls (migration 0023): the lead called and the agent it was bridged to. */
  lead_id: string | null;
  agent_id: string | null;
  /** The AMD result (Twilio's AnsweredBy). */
  answered_by: AnsweredBy | null;
  disposition: CallDisposition | null;
  talk_time_sec: number | null;
  cost: NumericOrNull;
  conference_name: string | null;
  /** Which dial of the lead this call is (1 = the first). */
  dial_attempt: number | null;
}

export type AnsweredBy = 'human' | 'machine_start' | 'machine_end_beep' | 'machine_end_silence' | 'machine_end_other' | 'fax' | 'unknown';
export type CallDisposition = 'answered' | 'voicemail' | 'no_answer' | 'busy' | 'failed' | 'abandoned' | 'canceled';

/** What the local simulator's call control changed on a call (migration 0013). */
export interface SimulatorCallsTable {
  call_sid: string;
  ended: Generated<boolean>;
  in_conference: Generated<boolean>;
  on_hold: Generated<boolean>;
  muted: Generated<boolean>;
  bridged_to: string | null;
  redirected_to: string | null;
  /** How many call updates the call has had (migration 0076); update_twiml: the last one's TwiML, null for a URL. */
  update_seq: Generated<number>;
  update_twiml: string | null;
  recordings: JsonWithDefault<Array<{ sid: string; status: 'in-progress' | 'stopped' }>>;
  updated_at: UpdatedAt;
}

/** One connected segment of a <Dial> attempt (hold and resume dial the same attempt again). */
export interface DialSegment {
  sid: string;
  sec: number;
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
  /** Each connected segment's seconds by DialCallSid, once the attempt was dialled again (migration 0071). */
  dial_segments: ColumnType<DialSegment[] | null, string | null | undefined, string | null>;
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
