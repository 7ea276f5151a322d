// The voice-webhook side of a call record: record the call once, route it once, answer the same
// TwiML to every delivery of the webhook (Twilio retries with the same CallSid).
import type { Transaction } from 'kysely';
import type { CallRow, DB, Db } from '../../db/types.js';
import { inTransaction } from '../common/transaction.js';
import { type Answer, type InboundCallInput, recordInboundCall, saveAnswer } from './queries.js';

export interface AnswerOnceOptions {
  /** How long a retry waits for the first delivery's answer (default 5 s). */
  waitMs?: number;
  pollMs?: number;
  /** Runs in the transaction that creates the call record (the call's call_started events), before routing. */
  onCreated?: (trx: Transaction<DB>, call: CallRow) => Promise<void>;
}

export interface AnswerOnceResult {
  call: CallRow;
  /**
   * The call's one answer. null only for a retry that arrived while the first delivery was still
   * routing and did not finish within `waitMs` (or died): the handler answers a neutral TwiML of
   * its own then (e.g. a short pause and a redirect), and must not route the call a second time.
   */
  twiml: string | null;
  /** true: this delivery did not route the call (a retry); the stored answer is replayed. */
  replayed: boolean;
  /** true: this delivery created the call record. */
  created: boolean;
}

/**
 * Records the call and, only for the delivery that created the record, runs `route` (auction,
 * buyer routing, flow) and stores its answer. Every other delivery of the same CallSid gets the
 * stored TwiML and runs nothing.
 */
export async function answerOnce(
  db: Db,
  input: InboundCallInput,
  route: (call: CallRow) => Promise<Answer>,
  options: AnswerOnceOptions = {},
): Promise<AnswerOnceResult> {
  const { onCreated } = options;
  const { call, created } = onCreated
    ? await inTransaction(db, async (trx) => {
        const recorded = await recordInboundCall(trx, input);
        if (recorded.created) await onCreated(trx, recorded.call);
        return recorded;
      })
    : await recordInboundCall(db, input);
  if (!created) {
    const twiml = call.twiml ?? (await waitForAnswer(db, call.id, options.waitMs ?? 5000, options.pollMs ?? 50));
    return { call, twiml, replayed: true, created: false };
  }
  const answer = await route(call);
  const stored = await saveAnswer(db, call.id, answer);
  return { call, twiml: stored.twiml, replayed: !stored.saved, created: true };
}

/** The stored TwiML of a call whose first delivery is still routing it; null after `waitMs`. */
export async function waitForAnswer(db: Db, callId: number, waitMs: number, pollMs: number): Promise<string | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const row = await db.selectFrom('calls').select('twiml').where('id', '=', callId).executeTakeFirst();
    if (row?.twiml != null) return row.twiml;
    if (Date.now() >= deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
