// Call records in the database (DESIGN.md 4.1): recording a call once per CallSid and keeping its
// one answer. Functions take `db` or a transaction first. Callbacks are in callbacks.ts,
// <Dial> leg reservations in legs.ts.
//
// What makes them safe with two server instances on one database (PostgreSQL, READ COMMITTED):
// - recordInboundCall: INSERT … ON CONFLICT (call_sid) DO NOTHING, then SELECT: one row per CallSid;
//   the inserting delivery holds the routing claim for a lease (routing-lease.ts).
// - recordRoutedCall: the same INSERT with the answer and the first leg in one statement.
// - saveAnswer: UPDATE … WHERE twiml IS NULL: the first answer wins, later ones get it back.
import { sql } from 'kysely';
import { PREPARED_MARK } from '../../../../db/prepared.js';
import type { CallLegRow, CallRoutingMethod, CallRow, CallSource, Db } from '../../../../db/types.js';
import { attributionColumns } from '../../../attribution/calls/held-number.js';
import { leaseUntil } from '../routing-lease.js';

export class CallSidConflictError extends Error {
  constructor(callSid: string) {
    super(`CallSid ${callSid} is already recorded for another organisation`);
    this.name = 'CallSidConflictError';
  }
}

// ---------------------------------------------------------------------------------------------
// Recording and answering

export interface InboundCallInput {
  /** null: the dialled number is unknown (the call is still recorded, DESIGN.md 4.1). */
  orgId: string | null;
  callSid: string;
  campaignId?: string | null | undefined;
  poolId?: number | null | undefined;
  phoneNumberId?: number | null | undefined;
  from?: string | null | undefined;
  to?: string | null | undefined;
  callerState?: string | null | undefined;
  callerZip?: string | null | undefined;
  /** The campaign's active call flow that answers the call. */
  flowId?: number | null | undefined;
  /** Who delivered the call: Twilio (default), or the local simulator (a demo call). */
  source?: Exclude<CallSource, 'manual'> | undefined;
  /** The AI agent (and its version) that answers the call (a number assigned to an agent). */
  aiAgentId?: string | null | undefined;
  aiAgentVersion?: number | null | undefined;
}

/**
 * One row per CallSid: a retry of the voice webhook gets the existing row and `created: false`.
 * `asyncCommit`: the caller commits the call's answer synchronously before it answers anything
 * (answerOnce), so this insert (or the caller's transaction around it) may commit without waiting
 * for the WAL flush: the answer's flush covers it (the WAL is one sequence). Only a PostgreSQL
 * crash before that can lose the row, together with everything of a call nobody was answered.
 */
export async function recordInboundCall(db: Db, input: InboundCallInput, options: { asyncCommit?: boolean } = {}): Promise<{ call: CallRow; created: boolean }> {
  const attributed = attributionColumns(input);
  // set_config(…, true) lasts until the commit of this statement (or of the caller's transaction).
  const claims = options.asyncCommit ? sql<number>`(CASE WHEN set_config('synchronous_commit', 'off', true) = 'off' THEN 1 END)` : 1;
  const inserted = await db
    .insertInto('calls')
    .values({
      org_id: input.orgId,
      call_sid: input.callSid,
      direction: 'inbound',
      campaign_id: input.campaignId ?? null,
      pool_id: input.poolId ?? null,
      phone_number_id: input.phoneNumberId ?? null,
      from_number: input.from ?? null,
      to_number: input.to ?? null,
      caller_state: input.callerState ?? null,
      caller_zip: input.callerZip ?? null,
      flow_id: input.flowId ?? null,
      source: input.source ?? 'twilio',
      ai_agent_id: input.aiAgentId ?? null,
      ai_agent_version: input.aiAgentVersion ?? null,
      visitor_session_id: attributed.visitorSessionId,
      attribution: attributed.attribution,
      // The delivery that creates the record routes the call: it holds the routing claim.
      routing_lease_until: leaseUntil(input.campaignId),
      routing_claims: claims,
    })
    .onConflict((oc) => oc.column('call_sid').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { call: inserted, created: true };
  const existing = await db.selectFrom('calls').selectAll().where('call_sid', '=', input.callSid).executeTakeFirstOrThrow();
  if (existing.org_id !== input.orgId) throw new CallSidConflictError(input.callSid);
  return { call: existing, created: false };
}

export interface RoutedCallInput extends InboundCallInput {
  orgId: string;
  answer: Answer;
  /** The first leg, to a buyer without limits (nothing to count, so nothing to lock). */
  leg: { buyerId: number; destination: string; payout: string | null; minDurationSec: number };
}

/**
 * The fast path of a plain call in one statement: the call with its answer and its first leg.
 * `created: false` when the CallSid is recorded already (a retry): nothing is written, and the
 * caller replays the stored answer. Throws 23503 when the buyer was deleted meanwhile.
 */
export async function recordRoutedCall(
  db: Db,
  input: RoutedCallInput,
): Promise<{ created: boolean; callId: number | null; visitorSessionId: string | null }> {
  const { answer, leg } = input;
  const attributed = attributionColumns(input);
  const result = await sql<{ id: number; visitor_session_id: string | null }>`${sql.raw(PREPARED_MARK)}
    WITH c AS (
      INSERT INTO calls (org_id, call_sid, direction, campaign_id, pool_id, phone_number_id, from_number, to_number, caller_state,
                         caller_zip, twiml, routing_method, routing_plan, buyer_id, payout, visitor_session_id, attribution, source)
      VALUES (${input.orgId}, ${input.callSid}, 'inbound', ${input.campaignId ?? null}, ${input.poolId ?? null}, ${input.phoneNumberId ?? null},
              ${input.from ?? null}, ${input.to ?? null}, ${input.callerState ?? null}, ${input.callerZip ?? null}, ${answer.twiml},
              ${answer.routingMethod}, ${JSON.stringify(answer.routingPlan ?? null)}::jsonb, ${leg.buyerId}, ${leg.payout}::numeric,
              ${attributed.visitorSessionId}, ${attributed.attribution}, ${input.source ?? 'twilio'})
      ON CONFLICT (call_sid) DO NOTHING
      RETURNING id, org_id, visitor_session_id),
    l AS (
      INSERT INTO call_legs (call_id, attempt, org_id, buyer_id, destination, payout, min_duration_sec)
      SELECT c.id, 1, c.org_id, ${leg.buyerId}, ${leg.destination}, ${leg.payout}::numeric, ${leg.minDurationSec} FROM c
      RETURNING call_id)
    SELECT c.id, c.visitor_session_id FROM c LEFT JOIN l ON l.call_id = c.id`.execute(db);
  const row = result.rows[0];
  return { created: row !== undefined, callId: row?.id ?? null, visitorSessionId: row?.visitor_session_id == null ? null : String(row.visitor_session_id) };
}

export async function getCallBySid(db: Db, callSid: string): Promise<CallRow | undefined> {
  return db.selectFrom('calls').selectAll().where('call_sid', '=', callSid).executeTakeFirst();
}

export async function getCall(db: Db, orgId: string, callId: number): Promise<CallRow | undefined> {
  return db.selectFrom('calls').selectAll().where('org_id', '=', orgId).where('id', '=', callId).executeTakeFirst();
}

export async function listCallLegs(db: Db, callId: number): Promise<CallLegRow[]> {
  return db.selectFrom('call_legs').selectAll().where('call_id', '=', callId).orderBy('attempt').execute();
}

export interface Answer {
  twiml: string;
  routingMethod: CallRoutingMethod;
  /** Every routing decision: candidates tried, skipped ones with their reasons, auction outcome. */
  routingPlan: unknown;
  bidRequestId?: string | number | null | undefined;
  /** Stored with the call already, by the statement that routed it (webhooks/rtb-answer.ts). */
  stored?: true | undefined;
}

/**
 * Stores the first answer of a call. When one is stored already (a concurrent retry answered
 * first), nothing changes and the stored TwiML is returned with `saved: false`.
 */
export async function saveAnswer(db: Db, callId: number, answer: Answer): Promise<{ twiml: string; saved: boolean }> {
  const row = await db
    .updateTable('calls')
    .set({
      twiml: answer.twiml,
      routing_method: answer.routingMethod,
      routing_plan: JSON.stringify(answer.routingPlan ?? null),
      bid_request_id: answer.bidRequestId ?? null,
      updated_at: sql`now()`,
    })
    .where('id', '=', callId)
    .where('twiml', 'is', null)
    .returning('twiml')
    .executeTakeFirst();
  if (row?.twiml != null) return { twiml: row.twiml, saved: true };
  const stored = await db.selectFrom('calls').select('twiml').where('id', '=', callId).executeTakeFirst();
  if (!stored) throw new Error(`call ${callId} not found`);
  if (stored.twiml === null) throw new Error(`call ${callId}: answer not stored`);
  return { twiml: stored.twiml, saved: false };
}

/** A recording of the call is complete: its URL is the call's (the last one completed wins). */
export async function saveRecordingUrl(db: Db, orgId: string, callId: number, url: string): Promise<void> {
  await db.updateTable('calls').set({ recording_url: url, updated_at: sql`now()` }).where('org_id', '=', orgId).where('id', '=', callId).where('recording_url', 'is distinct from', url).execute();
}

export async function saveVoicemail(db: Db, orgId: string, callId: number, url: string): Promise<void> {
  await db.updateTable('calls').set({ voicemail_url: url, updated_at: sql`now()` }).where('org_id', '=', orgId).where('id', '=', callId).where('voicemail_url', 'is', null).execute();
}

/** Ends a leg (releases its concurrency slot). Idempotent: `ended: false` when already ended or unknown. */
