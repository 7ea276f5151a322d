// The voice-webhook side of a call record: record the call once, route it once, answer the same
// TwiML to every delivery of the webhook (Twilio retries with the same CallSid) — and when the
// delivery routing it dies before storing the answer, let one retry route it after its lease.
import type { Transaction } from 'kysely';
import type { CallRow, DB, Db } from '../../../db/types.js';
import { inTransaction } from '../../platform/common/transaction.js';
import { type Answer, type InboundCallInput, recordInboundCall, saveAnswer } from './queries/index.js';
import { awaitAnswerOrClaim, discardLosingAuction } from './routing-lease.js';

export interface AnswerOnceOptions {
  /** How long a later delivery waits for the answer of the delivery routing the call (default 5 s). */
  waitMs?: number;
  pollMs?: number;
  /** Runs in the transaction that creates the call record (the call's call_started events), before routing. */
  onCreated?: (trx: Transaction<DB>, call: CallRow) => Promise<void>;
}

export interface RouteContext {
  /**
   * true: this delivery took over the routing claim of a delivery that never stored its answer
   * (its server died, or its lease lapsed): the call may already have legs and an auction of it.
   */
  resumed: boolean;
}

export interface AnswerOnceResult {
  call: CallRow;
  /**
   * The call's one answer. null only for a delivery that arrived while another was still routing
   * the call under a live lease and did not get the answer within `waitMs`: the handler answers a
   * neutral TwiML of its own then (a short pause and a redirect), and must not route the call.
   */
  twiml: string | null;
  /** true: this delivery did not route the call (a retry); the stored answer is replayed. */
  replayed: boolean;
  /** true: this delivery created the call record. */
  created: boolean;
  /** true: this delivery took over a lapsed routing claim and routed the call. */
  resumed: boolean;
}

/**
 * Records the call and routes it once: the delivery that created the record runs `route`
 * (auction, buyer routing, flow) and stores its answer; every other delivery of the same CallSid
 * gets the stored TwiML and runs nothing — unless the routing delivery's lease lapses without an
 * answer (its server died): then exactly one later delivery takes the claim and runs `route`
 * with `resumed: true` (routing-lease.ts).
 */
export async function answerOnce(
  db: Db,
  input: InboundCallInput,
  route: (call: CallRow, context: RouteContext) => Promise<Answer>,
  options: AnswerOnceOptions = {},
): Promise<AnswerOnceResult> {
  const { onCreated } = options;
  const { call, created } = onCreated
    ? await inTransaction(db, async (trx) => {
        const recorded = await recordInboundCall(trx, input);
        if (recorded.created) await onCreated(trx, recorded.call);
        return recorded;
      })
    : // Nothing but the row: it may commit without waiting for the WAL flush (the answer's flush
      // covers it). call_started events queue pixels and postbacks, which a worker may deliver at
      // once: that transaction commits synchronously.
      await recordInboundCall(db, input, { asyncCommit: true });
  if (created) return routeAndStore(db, call, route, { resumed: false, created: true });
  if (call.twiml !== null) return { call, twiml: call.twiml, replayed: true, created: false, resumed: false };
  const awaited = await awaitAnswerOrClaim(db, call, { waitMs: options.waitMs ?? 5000, pollMs: options.pollMs ?? 50 });
  if (awaited.kind === 'claimed') return routeAndStore(db, awaited.call, route, { resumed: true, created: false });
  return { call, twiml: awaited.kind === 'answer' ? awaited.twiml : null, replayed: true, created: false, resumed: false };
}

async function routeAndStore(
  db: Db,
  call: CallRow,
  route: (call: CallRow, context: RouteContext) => Promise<Answer>,
  flags: { resumed: boolean; created: boolean },
): Promise<AnswerOnceResult> {
  const answer = await route(call, { resumed: flags.resumed });
  if (answer.stored) return { call, twiml: answer.twiml, replayed: false, ...flags };
  const stored = await saveAnswer(db, call.id, answer);
  if (!stored.saved && answer.bidRequestId != null && call.org_id !== null) {
    // Another delivery stored its answer first (this one outlived its lease): its auction is the
    // call's; this one's is discarded so that reports count one auction per call.
    await discardLosingAuction(db, call.org_id, call.id, String(answer.bidRequestId));
  }
  return { call, twiml: stored.twiml, replayed: !stored.saved, ...flags };
}
