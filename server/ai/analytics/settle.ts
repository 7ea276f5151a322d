// Settling AI call costs: every ended AI call is priced once (pricing.ts) and its cost stored.
//
// - An AI outbound call (ai_outbound_calls, ended) is priced with the usage of its conversations
//   (linked by `outbound_call_id`, or by the call both name); they get `priced_at` and no cost of
//   their own. Telephony: the attempt's `duration_sec`, else its call's, else — an answered call
//   whose final status never came — its conversations' own length (first start to last end, or to
//   the last turn of one a crash left active).
// - Any other ended conversation (an inbound call to an agent, a text test session) is priced on
//   its own row. Telephony: its call's `duration_sec`, else the conversation's own length (a text
//   session has none).
// - An agent's inbound call that never reached a conversation (the caller hung up before `setup`)
//   is priced on the call (calls.ai_cost, migration 0039): telephony only, its `duration_sec`. Every
//   other ended call of an agent gets `ai_priced_at` without a cost (its conversation or its AI
//   outbound call carries it), and a call Exotel told us about is not ours to price.
//
// Exactly once, with any number of settlers: a batch is claimed with FOR UPDATE SKIP LOCKED inside
// one short transaction, and the rows are priced and written before it commits. The row locks are
// the lease: a second settler skips the locked rows, finds them priced once the first commits,
// and a settler that dies (its connection gone) releases them to the next one. The writes also
// say `cost IS NULL` / `priced_at IS NULL`, so a row is never priced twice.
//
// A row waits `settleDelayMs` after it ended (the summary written after a call may still add
// tokens), and an outbound call waits while one of its conversations is still active — or until
// `staleAfterMs` after it ended (a conversation left active by a crash must not block it forever);
// likewise an inbound conversation waits for its call's duration until then.
import { sql } from 'kysely';
import type { Db } from '../../../db/types.js';
import type { AiRates } from '../../platform/ai-config.js';
import { inTransaction } from '../../platform/common/transaction.js';
import { type CallUsage, type CostBreakdown, priceCall } from './pricing.js';

export interface SettleOptions {
  rates: Readonly<AiRates>;
  /** Now (tests pass their own). */
  now?: Date;
  /** How long after its end a row is left alone (default 30 s). */
  settleDelayMs?: number;
  /** After this long an outbound call is priced whatever its conversations' state (default 15 min). */
  staleAfterMs?: number;
  /** Rows per transaction (default 100). */
  batchSize?: number;
}

export const DEFAULT_SETTLE_DELAY_MS = 30_000;
export const DEFAULT_STALE_AFTER_MS = 15 * 60_000;
const DEFAULT_BATCH = 100;

export interface Priced {
  id: string;
  cost: CostBreakdown;
}

interface Bounds {
  settleBefore: Date;
  staleBefore: Date;
  limit: number;
}

function boundsOf(options: SettleOptions): Bounds {
  const now = options.now?.getTime() ?? Date.now();
  return {
    settleBefore: new Date(now - (options.settleDelayMs ?? DEFAULT_SETTLE_DELAY_MS)),
    staleBefore: new Date(now - (options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS)),
    limit: options.batchSize ?? DEFAULT_BATCH,
  };
}

/** What is stored in cost_breakdown: the components (the total is the `cost` column). */
function breakdownJson(cost: CostBreakdown): string {
  return JSON.stringify({ telephony: cost.telephony, stt: cost.stt, llm: cost.llm, tts: cost.tts });
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

interface UsageRow {
  prompt_tokens: string | number | null;
  completion_tokens: string | number | null;
  stt_seconds: string | number | null;
  tts_characters: string | number | null;
}

function usageOf(callSeconds: number, row: UsageRow | undefined): CallUsage {
  return {
    callSeconds,
    sttSeconds: num(row?.stt_seconds),
    promptTokens: num(row?.prompt_tokens),
    completionTokens: num(row?.completion_tokens),
    ttsCharacters: num(row?.tts_characters),
  };
}

/** Prices one batch of ended AI outbound calls; returns what it priced. */
export async function settleOutboundBatch(db: Db, options: SettleOptions): Promise<Priced[]> {
  const b = boundsOf(options);
  return inTransaction(db, async (trx) => {
    const claimed = await sql<{ id: string; seconds: number | null }>`
      SELECT o.id, coalesce(o.duration_sec, c.duration_sec) AS seconds
        FROM ai_outbound_calls o
        LEFT JOIN calls c ON c.id = o.call_id
       WHERE o.cost IS NULL AND o.ended_at IS NOT NULL AND o.ended_at <= ${b.settleBefore}
         AND (o.ended_at <= ${b.staleBefore} OR NOT EXISTS (
               SELECT 1 FROM ai_conversations v
                WHERE v.ended_at IS NULL
                  AND (v.outbound_call_id = o.id OR (o.call_id IS NOT NULL AND v.call_id = o.call_id))))
       ORDER BY o.ended_at, o.id
       LIMIT ${b.limit}
       FOR UPDATE OF o SKIP LOCKED`.execute(trx);
    if (claimed.rows.length === 0) return [];
    // An array literal (a JS array parameter is not sent as one on both drivers); the ids are the database's own.
    const idArray = `{${claimed.rows.map((r) => r.id).join(',')}}`;
    const usage = await sql<UsageRow & { id: string; own_seconds: string | number | null }>`
      SELECT o.id, sum(v.prompt_tokens) AS prompt_tokens, sum(v.completion_tokens) AS completion_tokens,
             sum(v.stt_seconds) AS stt_seconds, sum(v.tts_characters) AS tts_characters,
             extract(epoch FROM max(coalesce(v.ended_at,
               (SELECT max(coalesce(t.ended_at, t.started_at)) FROM ai_turns t WHERE t.conversation_id = v.id), v.started_at))
               - min(v.started_at)) AS own_seconds
        FROM ai_outbound_calls o
        JOIN ai_conversations v ON v.outbound_call_id = o.id OR (o.call_id IS NOT NULL AND v.call_id = o.call_id)
       WHERE o.id = ANY(${idArray}::uuid[])
       GROUP BY o.id`.execute(trx);
    const byId = new Map(usage.rows.map((r) => [r.id, r]));
    const priced: Priced[] = [];
    for (const row of claimed.rows) {
      const used = byId.get(row.id);
      const seconds = row.seconds !== null ? num(row.seconds) : Math.round(num(used?.own_seconds));
      const cost = priceCall(usageOf(seconds, used), options.rates);
      const written = await sql`
        UPDATE ai_outbound_calls SET cost = ${cost.total}, cost_breakdown = ${breakdownJson(cost)}::jsonb, updated_at = now()
         WHERE id = ${row.id} AND cost IS NULL`.execute(trx);
      if (Number(written.numAffectedRows ?? 0) === 1) priced.push({ id: row.id, cost });
    }
    await sql`
      UPDATE ai_conversations v SET priced_at = now()
        FROM ai_outbound_calls o
       WHERE o.id = ANY(${idArray}::uuid[]) AND v.priced_at IS NULL
         AND (v.outbound_call_id = o.id OR (o.call_id IS NOT NULL AND v.call_id = o.call_id))`.execute(trx);
    return priced;
  });
}

/** Prices one batch of ended conversations that are not part of an AI outbound call. */
export async function settleConversationBatch(db: Db, options: SettleOptions): Promise<Priced[]> {
  const b = boundsOf(options);
  return inTransaction(db, async (trx) => {
    const claimed = await sql<UsageRow & { id: string; channel: 'voice' | 'text'; call_seconds: number | null; own_seconds: string | number }>`
      SELECT v.id, v.channel, v.prompt_tokens, v.completion_tokens, v.stt_seconds, v.tts_characters,
             c.duration_sec AS call_seconds, extract(epoch FROM v.ended_at - v.started_at) AS own_seconds
        FROM ai_conversations v
        LEFT JOIN calls c ON c.id = v.call_id
       WHERE v.priced_at IS NULL AND v.ended_at IS NOT NULL AND v.ended_at <= ${b.settleBefore}
         AND v.outbound_call_id IS NULL
         AND NOT EXISTS (SELECT 1 FROM ai_outbound_calls o WHERE v.call_id IS NOT NULL AND o.call_id = v.call_id)
         AND (v.call_id IS NULL OR c.duration_sec IS NOT NULL OR v.ended_at <= ${b.staleBefore})
       ORDER BY v.ended_at, v.id
       LIMIT ${b.limit}
       FOR UPDATE OF v SKIP LOCKED`.execute(trx);
    const priced: Priced[] = [];
    for (const row of claimed.rows) {
      const seconds = row.channel === 'text' ? 0 : row.call_seconds !== null ? num(row.call_seconds) : num(row.own_seconds);
      const cost = priceCall(usageOf(seconds, row), options.rates);
      const written = await sql`
        UPDATE ai_conversations SET cost = ${cost.total}, cost_breakdown = ${breakdownJson(cost)}::jsonb, priced_at = now()
         WHERE id = ${row.id} AND priced_at IS NULL`.execute(trx);
      if (Number(written.numAffectedRows ?? 0) === 1) priced.push({ id: row.id, cost });
    }
    return priced;
  });
}

/**
 * Looks at one batch of ended calls of an agent: prices those that never reached a conversation
 * (inbound, answered through our voice webhook) and marks the others looked at. Returns the priced.
 */
export async function settleAgentCallBatch(db: Db, options: SettleOptions): Promise<{ priced: Priced[]; seen: number }> {
  const b = boundsOf(options);
  return inTransaction(db, async (trx) => {
    const claimed = await sql<{ id: number; seconds: number | null; ours: boolean }>`
      SELECT c.id, c.duration_sec AS seconds,
             (c.direction = 'inbound' AND c.source IN ('twilio', 'simulator')
               AND NOT EXISTS (SELECT 1 FROM ai_conversations v WHERE v.call_id = c.id)
               AND NOT EXISTS (SELECT 1 FROM ai_outbound_calls o WHERE o.call_id = c.id)) AS ours
        FROM calls c
       WHERE c.ai_agent_id IS NOT NULL AND c.ai_priced_at IS NULL AND c.ended_at IS NOT NULL AND c.ended_at <= ${b.settleBefore}
       ORDER BY c.ended_at, c.id
       LIMIT ${b.limit}
       FOR UPDATE OF c SKIP LOCKED`.execute(trx);
    const priced: Priced[] = [];
    const others: number[] = [];
    for (const row of claimed.rows) {
      if (!row.ours) {
        others.push(row.id);
        continue;
      }
      const cost = priceCall(usageOf(num(row.seconds), undefined), options.rates);
      const written = await sql`
        UPDATE calls SET ai_cost = ${cost.total}, ai_cost_breakdown = ${breakdownJson(cost)}::jsonb, ai_priced_at = now()
         WHERE id = ${row.id} AND ai_priced_at IS NULL`.execute(trx);
      if (Number(written.numAffectedRows ?? 0) === 1) priced.push({ id: String(row.id), cost });
    }
    if (others.length > 0) {
      // An array literal, as above; the ids are the database's own integers.
      await sql`UPDATE calls SET ai_priced_at = now() WHERE id = ANY(${`{${others.join(',')}}`}::integer[]) AND ai_priced_at IS NULL`.execute(trx);
    }
    return { priced, seen: claimed.rows.length };
  });
}

/** Prices everything due, batch after batch, until nothing is left or `stopping()` says so. */
export async function settleCosts(db: Db, options: SettleOptions, stopping: () => boolean = () => false): Promise<{ outbound: number; conversations: number; calls: number }> {
  const done = { outbound: 0, conversations: 0, calls: 0 };
  const limit = options.batchSize ?? DEFAULT_BATCH;
  for (;;) {
    if (stopping()) return done;
    const outbound = await settleOutboundBatch(db, options);
    done.outbound += outbound.length;
    if (stopping()) return done;
    const conversations = await settleConversationBatch(db, options);
    done.conversations += conversations.length;
    if (stopping()) return done;
    const calls = await settleAgentCallBatch(db, options);
    done.calls += calls.priced.length;
    if (outbound.length < limit && conversations.length < limit && calls.seen < limit) return done;
  }
}
