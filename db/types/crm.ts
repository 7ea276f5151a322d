// Leads, do-not-call numbers, lead imports, audio, call logs and follow-ups (server/crm).
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { BigIntId, CreatedAt, GeneratedColumn, JsonWithDefault, NumericOrNull, UpdatedAt } from './columns.js';

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

// ---- Leads and CRM (migration 0016) ----------------------------------------------------------

export type LeadStage = 'new' | 'contacted' | 'follow_up' | 'qualified' | 'converted' | 'lost';
export type LeadDialStatus = 'pending' | 'queued' | 'previewing' | 'calling' | 'completed' | 'failed' | 'dnc';
export type LeadPriority = 'low' | 'normal' | 'high' | 'urgent';
export type LeadSource = 'api' | 'import';
export type LeadImportStatus = 'queued' | 'processing' | 'completed' | 'failed';
export type CustomFieldValue = string | number | boolean | null;

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
  /**
   * The furthest stage the lead has reached, as its rank (0 new … 4 converted; lost is off the
   * funnel): kept by a trigger (migration 0026), never written by the code.
   */
  furthest_stage: ColumnType<number, never, never>;
  dial_status: Generated<LeadDialStatus>;
  call_attempts: Generated<number>;
  last_call_at: Date | null;
  next_call_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The soonest open follow-up's due time (migration 0019): kept by server/crm/follow-ups/queries.ts, never inserted. */
  next_follow_up_at: ColumnType<Date | null, never, Date | null>;
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
  /** A lead in `calling` belongs to the dialer that claimed it until then (migration 0023); one in `previewing` to its agent. */
  dial_lease_until: Date | null;
  /** The call the lead is (or was last) in. */
  last_call_id: number | null;
  /** The agent looking at the lead while it is `previewing` (migration 0024). */
  preview_agent_id: string | null;
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
  /** What the rows become (migration 0035): leads, or AI outbound calls. */
  kind: Generated<LeadImportKind>;
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

export type LeadImportKind = 'leads' | 'ai_calls';

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

// ---- Call logs, follow-ups, stage history (migration 0019) -----------------------------------

export type CallLogOutcome = 'interested' | 'not_interested' | 'voicemail' | 'no_answer' | 'busy' | 'callback_requested';
export type FollowUpStatus = 'open' | 'done' | 'cancelled';

export interface CallLogsTable {
  id: Generated<string>;
  org_id: string;
  lead_id: string;
  /** The author (null once the user is deleted). */
  user_id: number | null;
  call_id: number | null;
  phone_e164: string;
  outcome: CallLogOutcome;
  duration_sec: number | null;
  notes: string | null;
  recording_url: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface FollowUpsTable {
  id: Generated<string>;
  org_id: string;
  lead_id: string;
  call_log_id: string | null;
  /** Who is to call back (the log's author). */
  user_id: number | null;
  due_at: ColumnType<Date, Date | string, Date | string>;
  status: Generated<FollowUpStatus>;
  /** Set exactly while the status is done or cancelled (a CHECK). */
  completed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface LeadStageChangesTable {
  id: BigIntId;
  org_id: string;
  lead_id: string;
  user_id: number | null;
  from_stage: LeadStage;
  to_stage: LeadStage;
  changed_at: CreatedAt;
}

export type CallLogRow = Selectable<CallLogsTable>;
export type NewCallLog = Insertable<CallLogsTable>;
export type CallLogPatch = Updateable<CallLogsTable>;
export type FollowUpRow = Selectable<FollowUpsTable>;
export type LeadStageChangeRow = Selectable<LeadStageChangesTable>;
