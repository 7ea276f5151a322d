// AI voice agents, knowledge base, conversations, outbound AI calls and schedules (server/ai, migration 0029).
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { BigIntId, CreatedAt, GeneratedColumn, Json, JsonWithDefault, NumericOrNull, NumericWithDefault, UpdatedAt } from './columns.js';

export interface AiAgentsTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  system_prompt: string;
  first_message: string | null;
  voice: string | null;
  language: Generated<string>;
  model: string;
  temperature: NumericWithDefault;
  max_tokens: Generated<number>;
  /** The agent's tools as the API answers them (an array of objects with a `type`). */
  tools: JsonWithDefault<unknown[]>;
  /** Seed 004's retry configuration: outcome → { maxAttempts, initialDelay, backoffMultiplier }. */
  retry_config: JsonWithDefault<Record<string, unknown>>;
  is_active: Generated<boolean>;
  version: Generated<number>;
  archived_at: Date | null;
  created_by_user_id: number | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** Immutable (an UPDATE raises): the agent's whole settings at one version. */
export interface AiAgentVersionsTable {
  agent_id: string;
  version: number;
  org_id: string;
  settings: Json<Record<string, unknown>>;
  created_by_user_id: number | null;
  created_at: CreatedAt;
}

export type KbDocumentStatus = 'processing' | 'ready' | 'failed';

export interface KbDocumentsTable {
  id: Generated<string>;
  org_id: string;
  agent_id: string | null;
  title: string;
  category: string | null;
  file_name: string | null;
  content_type: string;
  size_bytes: number;
  sha256: string;
  file: Buffer | null;
  status: Generated<KbDocumentStatus>;
  failure_reason: string | null;
  page_count: number | null;
  chunk_count: Generated<number>;
  /** Passages with a vector of `vector_model` (migration 0045; semantic search). */
  vector_count: Generated<number>;
  vector_model: string | null;
  attempts: Generated<number>;
  locked_until: Date | null;
  created_by_user_id: number | null;
  created_at: CreatedAt;
  processed_at: Date | null;
  updated_at: UpdatedAt;
}

export interface KbChunksTable {
  id: BigIntId;
  org_id: string;
  document_id: string;
  agent_id: string | null;
  position: number;
  page: number | null;
  content: string;
  tsv: GeneratedColumn<string>;
}

export type AiSchedulePattern = 'daily' | 'weekly' | 'monthly';
export type AiCallPriority = 'low' | 'normal' | 'high';

export interface AiSchedulesTable {
  id: Generated<string>;
  org_id: string;
  agent_id: string;
  to_phone: string;
  context: string | null;
  pattern: AiSchedulePattern;
  /** HH:MM, 24-hour, in `timezone`. */
  time_of_day: string;
  timezone: Generated<string>;
  /** A date column: written and read as YYYY-MM-DD text (see the pg / PGlite type parsers). */
  start_date: ColumnType<Date | string, string, string>;
  end_date: ColumnType<Date | string | null, string | null, string | null>;
  /** Weekly: ISO weekdays (1 = Monday … 7 = Sunday) it runs on; null: startDate's. */
  days_of_week: number[] | null;
  /** Monthly: the day of the month (1–31) it runs on; null: startDate's. */
  day_of_month: number | null;
  business_hours_only: Generated<boolean>;
  priority: Generated<AiCallPriority>;
  is_active: Generated<boolean>;
  next_run_at: Date | null;
  last_run_at: Date | null;
  locked_until: Date | null;
  created_by_user_id: number | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type AiOutboundCallStatus = 'scheduled' | 'queued' | 'in-progress' | 'completed' | 'failed' | 'no-answer' | 'busy' | 'canceled';

export interface AiOutboundCallsTable {
  id: Generated<string>;
  org_id: string;
  agent_id: string;
  agent_version: number | null;
  to_phone: string;
  context: string | null;
  scheduled_for: ColumnType<Date, Date | string | undefined, Date | string>;
  timezone: Generated<string>;
  priority: Generated<AiCallPriority>;
  status: Generated<AiOutboundCallStatus>;
  failure_reason: string | null;
  attempt: Generated<number>;
  original_call_id: string | null;
  schedule_id: string | null;
  import_id: string | null;
  call_id: number | null;
  /** The carrier's CallSid once it has the call (migration 0035). */
  call_sid: ColumnType<string | null, string | null | undefined, string | null>;
  duration_sec: number | null;
  summary: string | null;
  outcome: string | null;
  cost: NumericOrNull;
  cost_breakdown: Json<Record<string, number>> | null;
  metadata: JsonWithDefault<Record<string, unknown>>;
  locked_until: Date | null;
  created_by_user_id: number | null;
  created_at: CreatedAt;
  started_at: Date | null;
  ended_at: Date | null;
  updated_at: UpdatedAt;
}

export interface AiConversationsTable {
  id: Generated<string>;
  org_id: string;
  agent_id: string;
  agent_version: number;
  channel: 'voice' | 'text';
  call_id: number | null;
  outbound_call_id: string | null;
  /** `model`: an OpenAI-compatible endpoint answered; `local`: the knowledge base alone (no AI_BASE_URL). */
  mode: 'model' | 'local';
  status: Generated<'active' | 'ended'>;
  end_reason: string | null;
  handoff: Json<Record<string, unknown>> | null;
  summary: string | null;
  outcome: string | null;
  prompt_tokens: Generated<number>;
  completion_tokens: Generated<number>;
  stt_seconds: NumericWithDefault;
  tts_characters: Generated<number>;
  started_at: CreatedAt;
  ended_at: Date | null;
  /**
   * Migration 0034: the cost of a conversation that is not part of an AI outbound call, by
   * component (server/ai/analytics/pricing.ts); `priced_at` is set once, also (without a cost)
   * on a conversation of an outbound call, which is priced with that call.
   */
  cost: ColumnType<string | null, number | string | null | undefined, number | string | null>;
  cost_breakdown: ColumnType<Record<string, number> | null, string | null | undefined, string | null>;
  priced_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Migration 0053: a text conversation's message being answered holds it until then (its lease). */
  busy_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface AiTurnsTable {
  id: BigIntId;
  conversation_id: string;
  seq: number;
  role: 'user' | 'assistant' | 'tool';
  content: string;
  tool_name: string | null;
  tool_call_id: string | null;
  /** A tool turn: the arguments the model called the tool with. */
  tool_arguments: Json<Record<string, unknown>> | null;
  /** An assistant turn cut by barge-in: `content` holds only what was spoken. */
  interrupted: Generated<boolean>;
  started_at: Date;
  /** From the prompt to our first text token, and the model's own first token, in ms. */
  first_token_ms: number | null;
  model_first_token_ms: number | null;
  ended_at: Date | null;
}

export type AiAgentRow = Selectable<AiAgentsTable>;
export type NewAiAgent = Insertable<AiAgentsTable>;
export type AiAgentPatch = Updateable<AiAgentsTable>;
export type KbDocumentRow = Selectable<KbDocumentsTable>;
export type KbChunkRow = Selectable<KbChunksTable>;
export type AiScheduleRow = Selectable<AiSchedulesTable>;
export type AiOutboundCallRow = Selectable<AiOutboundCallsTable>;
export type AiConversationRow = Selectable<AiConversationsTable>;
export type AiTurnRow = Selectable<AiTurnsTable>;
