// Tracking tags, visitor sessions, conversion events, RedTrack reports, pixels (server/attribution).
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { BigIntId, CreatedAt, Json, JsonWithDefault, NumericOrNull, UpdatedAt } from './columns.js';
import type { DeliveryAttemptsTable, DeliveryQueueColumns } from './deliveries.js';

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
  /** Null once its pool was deleted (the holding is kept: attribution history, assign.ts's moved-number guard). */
  pool_id: number | null;
  phone_number_id: number;
  /** The idle time of its pool, recorded when the pool was deleted (else null: the pool's own). */
  idle_timeout_sec: ColumnType<number | null, number | null | undefined, number | null>;
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

export interface PixelDeliveriesTable extends DeliveryQueueColumns {
  pixel_id: number;
  call_id: number | null;
  method: string;
  /** Request headers of the delivery (pixels send none). */
  headers: ColumnType<Record<string, string> | null, string | null | undefined, string | null>;
  body: string | null;
}

export type PixelAttemptsTable = DeliveryAttemptsTable;

export type TrackingTagRow = Selectable<TrackingTagsTable>;
export type VisitorSessionRow = Selectable<VisitorSessionsTable>;
export type TrackingPixelRow = Selectable<TrackingPixelsTable>;
export type PixelDeliveryRow = Selectable<PixelDeliveriesTable>;
