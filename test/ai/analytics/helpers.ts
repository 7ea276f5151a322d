// Rows of AI calls made directly in the database (the runtime and the outbound worker write them
// in production), for the cost settler and the analytics to read.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import type { CallStatus } from '../../../server/inbound/calls/status.js';
import { callStatusRank } from '../../../server/inbound/calls/status.js';

type Db = Kysely<DB>;

export async function insertAgent(db: Db, orgId: string, name: string, extra: { isActive?: boolean; archived?: boolean } = {}): Promise<string> {
  const row = await db
    .insertInto('ai_agents')
    .values({
      org_id: orgId,
      name,
      system_prompt: 'You are helpful.',
      model: 'gpt-4o-mini',
      is_active: extra.isActive ?? true,
      archived_at: extra.archived ? new Date() : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface OutboundRow {
  status?: 'scheduled' | 'queued' | 'in-progress' | 'completed' | 'failed' | 'no-answer' | 'busy' | 'canceled';
  startedAt?: Date | null;
  endedAt?: Date | null;
  durationSec?: number | null;
  attempt?: number;
  failureReason?: string | null;
  outcome?: string | null;
  metadata?: Record<string, unknown>;
  callId?: number | null;
  scheduledFor?: Date;
  cost?: number | null;
  costBreakdown?: Record<string, number> | null;
}

export async function insertOutbound(db: Db, orgId: string, agentId: string, r: OutboundRow = {}): Promise<string> {
  const row = await db
    .insertInto('ai_outbound_calls')
    .values({
      org_id: orgId,
      agent_id: agentId,
      to_phone: '+14155550100',
      status: r.status ?? 'completed',
      started_at: r.startedAt === undefined ? new Date() : r.startedAt,
      ended_at: r.endedAt ?? null,
      duration_sec: r.durationSec ?? null,
      attempt: r.attempt ?? 1,
      failure_reason: r.failureReason ?? null,
      outcome: r.outcome ?? null,
      metadata: JSON.stringify(r.metadata ?? {}),
      call_id: r.callId ?? null,
      ...(r.scheduledFor ? { scheduled_for: r.scheduledFor } : {}),
      cost: r.cost ?? null,
      cost_breakdown: r.costBreakdown ? JSON.stringify(r.costBreakdown) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertCall(
  db: Db,
  orgId: string,
  r: {
    agentId: string | null;
    direction?: 'inbound' | 'outbound';
    status?: CallStatus;
    createdAt?: Date;
    endedAt?: Date;
    durationSec?: number | null;
    answeredBy?: 'human' | 'machine_start' | null;
    source?: 'twilio' | 'simulator' | 'exotel';
  },
): Promise<number> {
  const status = r.status ?? 'completed';
  const row = await db
    .insertInto('calls')
    .values({
      org_id: orgId,
      call_sid: `CA${randomBytes(16).toString('hex')}`,
      direction: r.direction ?? 'inbound',
      ai_agent_id: r.agentId,
      status,
      status_rank: callStatusRank(status),
      from_number: '+13105550000',
      to_number: '+14155550111',
      duration_sec: r.durationSec ?? null,
      answered_by: r.answeredBy ?? null,
      ...(r.createdAt ? { created_at: r.createdAt } : {}),
      ...(r.endedAt ? { ended_at: r.endedAt } : {}),
      ...(r.source ? { source: r.source } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface ConversationRow {
  channel?: 'voice' | 'text';
  callId?: number | null;
  outboundCallId?: string | null;
  startedAt?: Date;
  endedAt?: Date | null;
  promptTokens?: number;
  completionTokens?: number;
  sttSeconds?: number;
  ttsCharacters?: number;
  cost?: number | null;
  costBreakdown?: Record<string, number> | null;
}

export async function insertConversation(db: Db, orgId: string, agentId: string, r: ConversationRow = {}): Promise<string> {
  const row = await db
    .insertInto('ai_conversations')
    .values({
      org_id: orgId,
      agent_id: agentId,
      agent_version: 1,
      channel: r.channel ?? 'voice',
      call_id: r.callId ?? null,
      outbound_call_id: r.outboundCallId ?? null,
      mode: 'model',
      status: r.endedAt ? 'ended' : 'active',
      prompt_tokens: r.promptTokens ?? 0,
      completion_tokens: r.completionTokens ?? 0,
      stt_seconds: r.sttSeconds ?? 0,
      tts_characters: r.ttsCharacters ?? 0,
      ...(r.startedAt ? { started_at: r.startedAt } : {}),
      ended_at: r.endedAt ?? null,
      cost: r.cost ?? null,
      cost_breakdown: r.costBreakdown ? JSON.stringify(r.costBreakdown) : null,
      priced_at: r.cost !== undefined && r.cost !== null ? new Date() : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
