// ai_conversations and ai_turns: a conversation started, its turns and usage written batch by
// batch, and how it ended. Every read is scoped to the organisation. Functions take
// `db` first.
import { sql } from 'kysely';
import { PREPARED_MARK } from '../../../db/prepared.js';
import type { Db } from '../../../db/types.js';
import type { AiConversationRow, AiTurnRow } from '../../../db/types/ai.js';
import { inTransaction } from '../../platform/common/transaction.js';
import { storableText, storableValue } from './storable.js';

export interface NewConversation {
  orgId: string;
  agentId: string;
  agentVersion: number;
  channel: 'voice' | 'text';
  mode: 'model' | 'local';
  callId: number | null;
  outboundCallId: string | null;
  /** Held from the start for this long: by a text conversation's first message, or a voice conversation's socket (see holdConversation, voice-hold.ts). */
  holdSec?: number;
}

export async function insertConversation(db: Db, c: NewConversation): Promise<AiConversationRow> {
  return db
    .insertInto('ai_conversations')
    .values({
      org_id: c.orgId,
      agent_id: c.agentId,
      agent_version: c.agentVersion,
      channel: c.channel,
      mode: c.mode,
      call_id: c.callId,
      outbound_call_id: c.outboundCallId,
      ...(c.holdSec === undefined ? {} : { busy_until: sql<Date>`now() + make_interval(secs => ${c.holdSec})` }),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Takes an active text conversation for one message (migration 0053): its row, or undefined when it
 * has ended or another message holds it. The hold lapses after `holdSec` (a server that died).
 */
export async function holdConversation(db: Db, orgId: string, id: string, holdSec: number): Promise<AiConversationRow | undefined> {
  return db
    .updateTable('ai_conversations')
    .set({ busy_until: sql<Date>`now() + make_interval(secs => ${holdSec})` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('status', '=', 'active')
    .where((eb) => eb.or([eb('busy_until', 'is', null), eb('busy_until', '<', sql<Date>`now()`)]))
    .returningAll()
    .executeTakeFirst();
}

/**
 * A voice conversation's socket is still there: its hold (taken by insertConversation or
 * holdConversation) runs `holdSec` from now. False when the conversation has ended.
 */
export async function renewConversationHold(db: Db, orgId: string, id: string, holdSec: number): Promise<boolean> {
  const result = await db
    .updateTable('ai_conversations')
    .set({ busy_until: sql<Date>`now() + make_interval(secs => ${holdSec})` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The message is answered: the conversation takes the next one. */
export async function releaseConversation(db: Db, orgId: string, id: string): Promise<void> {
  await db.updateTable('ai_conversations').set({ busy_until: null }).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function findConversation(db: Db, orgId: string, id: string): Promise<AiConversationRow | undefined> {
  return db.selectFrom('ai_conversations').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/** The conversation of a call (one per call: a reconnecting session goes on with it). */
export async function findConversationOfCall(db: Db, orgId: string, callId: number): Promise<AiConversationRow | undefined> {
  return db.selectFrom('ai_conversations').selectAll().where('org_id', '=', orgId).where('call_id', '=', callId).executeTakeFirst();
}

export async function turnsOf(db: Db, conversationId: string): Promise<AiTurnRow[]> {
  return db.selectFrom('ai_turns').selectAll().where('conversation_id', '=', conversationId).orderBy('seq').execute();
}

export interface NewTurn {
  seq: number;
  role: 'user' | 'assistant' | 'tool';
  content: string;
  toolName?: string | null;
  toolCallId?: string | null;
  toolArguments?: Record<string, unknown> | null;
  interrupted?: boolean;
  startedAt: Date;
  endedAt?: Date | null;
  firstTokenMs?: number | null;
  modelFirstTokenMs?: number | null;
}

export interface UsageDelta {
  promptTokens: number;
  completionTokens: number;
  sttSeconds: number;
  ttsCharacters: number;
}

/** What a conversation has to write since its last write (server/ai/runtime/turn-writes.ts). */
export interface TurnWriteBatch {
  turns: NewTurn[];
  /** Barge-ins on turns already recorded: seq → what was spoken. */
  cuts: ReadonlyMap<number, string>;
  /** Usage counted since the last write; null when none. */
  usage: UsageDelta | null;
}

/** The batch in one round trip, in order: turns, then cuts (which may name those turns), then usage (migration 0040). */
export async function recordTurnWrites(db: Db, conversationId: string, batch: TurnWriteBatch): Promise<void> {
  const turns = batch.turns.map((t) => ({
    seq: t.seq,
    role: t.role,
    content: t.content,
    tool_name: t.toolName ?? null,
    tool_call_id: t.toolCallId ?? null,
    tool_arguments: t.toolArguments ?? null,
    interrupted: t.interrupted ?? false,
    started_at: t.startedAt.toISOString(),
    ended_at: t.endedAt ? t.endedAt.toISOString() : null,
    first_token_ms: t.firstTokenMs ?? null,
    model_first_token_ms: t.modelFirstTokenMs ?? null,
  }));
  const cuts = [...batch.cuts].map(([seq, spoken]) => ({ seq, spoken }));
  const usage = batch.usage ? JSON.stringify(batch.usage) : null;
  // A NUL or an unpaired surrogate the model wrote would fail the whole batch (storable.ts).
  await sql`${sql.raw(PREPARED_MARK)} SELECT record_ai_turn_writes(${conversationId}::uuid, ${JSON.stringify(storableValue(turns))}::jsonb, ${JSON.stringify(storableValue(cuts))}::jsonb, ${usage}::jsonb)`.execute(db);
}

export interface ConversationEnd {
  endReason: string;
  handoff: Record<string, unknown> | null;
  summary: string;
  outcome: string;
  /** The summary request's tokens, added to the conversation's usage; null when none was made. */
  usage: { promptTokens: number; completionTokens: number } | null;
}

/**
 * The conversation ended (once: an ended one is left as it is), with the summary's tokens added to
 * its usage; its summary and outcome are copied
 * to the AI outbound call it belongs to. True when this call ended it.
 */
export async function endConversation(db: Db, orgId: string, conversationId: string, end: ConversationEnd): Promise<boolean> {
  // One transaction: whoever sees the conversation ended sees its outbound call updated too.
  return inTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('ai_conversations')
      .set({
        status: 'ended',
        ended_at: new Date(),
        end_reason: end.endReason,
        handoff: end.handoff === null ? null : JSON.stringify(storableValue(end.handoff)),
        summary: storableText(end.summary),
        outcome: end.outcome,
        busy_until: null,
        ...(end.usage && {
          prompt_tokens: sql<number>`prompt_tokens + ${end.usage.promptTokens}`,
          completion_tokens: sql<number>`completion_tokens + ${end.usage.completionTokens}`,
        }),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', conversationId)
      .where('status', '=', 'active')
      .returning('outbound_call_id')
      .executeTakeFirst();
    if (!row) return false;
    if (row.outbound_call_id) {
      await trx
        .updateTable('ai_outbound_calls')
        .set({ summary: storableText(end.summary), outcome: end.outcome, updated_at: new Date() })
        .where('org_id', '=', orgId)
        .where('id', '=', row.outbound_call_id)
        .execute();
    }
    return true;
  });
}

export interface ConversationFilter {
  agentId?: string | undefined;
  channel?: 'voice' | 'text' | undefined;
  limit: number;
  offset: number;
}

export async function listConversations(db: Db, orgId: string, f: ConversationFilter): Promise<{ rows: AiConversationRow[]; total: number }> {
  let base = db.selectFrom('ai_conversations').where('org_id', '=', orgId);
  if (f.agentId) base = base.where('agent_id', '=', f.agentId);
  if (f.channel) base = base.where('channel', '=', f.channel);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('started_at', 'desc').orderBy('id').limit(f.limit).offset(f.offset).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}
