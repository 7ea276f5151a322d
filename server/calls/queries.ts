// Call records and <Dial> legs in the database (DESIGN.md 4.1 / 4.3). Functions take `db` or a
// transaction first; inside a transaction only `trx` is used (PGlite is one connection).
//
// What makes them safe with two server instances on one database (PostgreSQL, READ COMMITTED):
// - recordInboundCall: INSERT … ON CONFLICT (call_sid) DO NOTHING, then SELECT: one row per CallSid.
// - saveAnswer: UPDATE … WHERE twiml IS NULL: the first answer wins, later ones get it back.
// - applyCallEvent: SELECT … FOR UPDATE of the call (then its legs) serialises the callbacks of one
//   call; the pure state machine (state.ts) computes the merge; the UPDATEs merge monotonically
//   in SQL as well (GREATEST / LEAST / CASE on status_rank) and revenue is written with
//   `WHERE revenue IS NULL`, so that its effect is reported only by the transaction that set it.
//   The calls_guard trigger (migration 0005) rejects any other writer that tries to move a call
//   backwards or to change a counted revenue.
// - reserveLeg: SELECT … FOR UPDATE of the buyer (or RTB target) row serialises reservations per
//   buyer; each statement after the lock sees every leg committed before it (READ COMMITTED takes
//   a fresh snapshot per statement), so the counts are exact when the leg is inserted.
//   Lock order: buyer/target → call → legs (applyCallEvent: call → legs): no cycle.
import { sql } from 'kysely';
import type { CallLegRow, CallRoutingMethod, CallRow, Db, DB } from '../../db/types.js';
import type { Kysely, Transaction } from 'kysely';
import type { CapWindows } from '../routing/cap-windows.js';
import { normalizeMoney } from './money.js';
import { applyEvent, type CallEvent, type CallState, type DialLeg, type Effect, type RevenuePolicy } from './state.js';
import { callStatusRank, isCallStatus, isDialCallStatus, isFinalCallStatus } from './status.js';

/**
 * A leg still open this long after it started cannot be live (Twilio's <Dial timeLimit> default
 * is 4 hours, plus the ringing timeout): it no longer counts against concurrency, so that a lost
 * status callback cannot block a buyer for ever.
 */
export const STALE_OPEN_LEG_SEC = 4 * 3600 + 600;

export class CallSidConflictError extends Error {
  constructor(callSid: string) {
    super(`CallSid ${callSid} is already recorded for another organisation`);
    this.name = 'CallSidConflictError';
  }
}

async function inTransaction<T>(db: Db, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<DB>);
  return (db as Kysely<DB>).transaction().execute(fn);
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
}

/** One row per CallSid: a retry of the voice webhook gets the existing row and `created: false`. */
export async function recordInboundCall(db: Db, input: InboundCallInput): Promise<{ call: CallRow; created: boolean }> {
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
export async function recordRoutedCall(db: Db, input: RoutedCallInput): Promise<{ created: boolean; callId: number | null }> {
  const { answer, leg } = input;
  const result = await sql<{ id: number }>`
    WITH c AS (
      INSERT INTO calls (org_id, call_sid, direction, campaign_id, pool_id, phone_number_id, from_number, to_number, caller_state,
                         caller_zip, twiml, routing_method, routing_plan, buyer_id, payout)
      VALUES (${input.orgId}, ${input.callSid}, 'inbound', ${input.campaignId ?? null}, ${input.poolId ?? null}, ${input.phoneNumberId ?? null},
              ${input.from ?? null}, ${input.to ?? null}, ${input.callerState ?? null}, ${input.callerZip ?? null}, ${answer.twiml},
              ${answer.routingMethod}, ${JSON.stringify(answer.routingPlan ?? null)}::jsonb, ${leg.buyerId}, ${leg.payout}::numeric)
      ON CONFLICT (call_sid) DO NOTHING
      RETURNING id, org_id),
    l AS (
      INSERT INTO call_legs (call_id, attempt, org_id, buyer_id, destination, payout, min_duration_sec)
      SELECT c.id, 1, c.org_id, ${leg.buyerId}, ${leg.destination}, ${leg.payout}::numeric, ${leg.minDurationSec} FROM c
      RETURNING call_id)
    SELECT c.id FROM c LEFT JOIN l ON l.call_id = c.id`.execute(db);
  const row = result.rows[0];
  return { created: row !== undefined, callId: row?.id ?? null };
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

// ---------------------------------------------------------------------------------------------
// Status and dial callbacks

/** The pure state of a call as stored. */
export function stateFromRows(call: CallRow, legs: readonly CallLegRow[]): CallState {
  if (!isCallStatus(call.status)) throw new Error(`call ${call.id}: unknown status ${String(call.status)}`);
  const amount = call.revenue === null ? null : normalizeMoney(call.revenue);
  const ignored = Array.isArray(call.ignored_outcomes) ? call.ignored_outcomes : [];
  return {
    status: call.status,
    durationSec: call.duration_sec,
    answeredAt: call.answered_at === null ? null : new Date(call.answered_at).toISOString(),
    legs: [...legs]
      .sort((a, b) => a.attempt - b.attempt)
      .map(
        (l): DialLeg => ({
          attempt: l.attempt,
          buyerId: l.buyer_id,
          targetId: l.rtb_target_id,
          destination: l.destination,
          dialCallSid: l.dial_call_sid,
          dialStatus: l.dial_status !== null && isDialCallStatus(l.dial_status) ? l.dial_status : null,
          dialDurationSec: l.dial_duration_sec,
        }),
      ),
    connectedDurationSec: call.connected_duration_sec,
    revenue:
      amount === null
        ? null
        : { amount, qualifiedBy: call.revenue_attempt === null ? { kind: 'call' } : { kind: 'leg', attempt: call.revenue_attempt } },
    ignored: ignored.map((i) => ({ attempt: i.attempt, status: i.status as CallState['ignored'][number]['status'] })),
  };
}

export interface CallEventResult {
  callId: number;
  orgId: string | null;
  state: CallState;
  changed: boolean;
  /**
   * To carry out after the commit. Each happens once per call (per attempt for legs), even when
   * the same callback is delivered twice at the same time: the duplicate waits for the row lock,
   * then sees the first one's result and yields no effect. Leg ends (`leg_*`, `call_ended`) are
   * already written: a dial callback ends its leg, the final call status ends every open leg.
   */
  effects: Effect[];
}

/**
 * Applies one Twilio callback to the call with this CallSid in one transaction. `undefined` when
 * no such call is recorded.
 */
export async function applyCallEvent(
  db: Db,
  callSid: string,
  event: CallEvent,
  policy: RevenuePolicy | ((legs: readonly CallLegRow[]) => RevenuePolicy) = legRevenuePolicy,
): Promise<CallEventResult | undefined> {
  return inTransaction(db, async (trx) => {
    const call = await trx.selectFrom('calls').selectAll().where('call_sid', '=', callSid).forUpdate().executeTakeFirst();
    if (!call) return undefined;
    const legs = await trx.selectFrom('call_legs').selectAll().where('call_id', '=', call.id).orderBy('attempt').forUpdate().execute();
    const before = stateFromRows(call, legs);
    const transition = applyEvent(before, event, typeof policy === 'function' ? policy(legs) : policy);
    const base = { callId: call.id, orgId: call.org_id };
    if (!transition.changed) return { ...base, state: before, changed: false, effects: transition.effects };
    const next = transition.state;
    let effects = transition.effects;

    if (call.org_id !== null) {
      for (const leg of next.legs) {
        const old = before.legs.find((l) => l.attempt === leg.attempt);
        if (old && JSON.stringify(old) === JSON.stringify(leg)) continue;
        if (leg.dialStatus === null) continue;
        await trx
          .insertInto('call_legs')
          .values({
            call_id: call.id,
            attempt: leg.attempt,
            org_id: call.org_id,
            dial_call_sid: leg.dialCallSid,
            dial_status: leg.dialStatus,
            dial_duration_sec: leg.dialDurationSec,
            ended_at: sql<Date>`now()`,
          })
          .onConflict((oc) =>
            oc.columns(['call_id', 'attempt']).doUpdateSet({
              dial_call_sid: sql`COALESCE(call_legs.dial_call_sid, excluded.dial_call_sid)`,
              dial_status: sql`CASE WHEN call_legs.dial_status IS NULL
                OR (call_legs.dial_status = 'answered' AND excluded.dial_status = 'completed')
                THEN excluded.dial_status ELSE call_legs.dial_status END`,
              dial_duration_sec: sql`GREATEST(call_legs.dial_duration_sec, excluded.dial_duration_sec)`,
              ended_at: sql`COALESCE(call_legs.ended_at, excluded.ended_at)`,
            }),
          )
          .execute();
      }
    }

    const rank = callStatusRank(next.status);
    const final = isFinalCallStatus(next.status);
    await trx
      .updateTable('calls')
      .set({
        status: sql`CASE WHEN status_rank < ${rank} THEN ${next.status} ELSE status END`,
        status_rank: sql`GREATEST(status_rank, ${rank}::smallint)`,
        duration_sec: sql`GREATEST(duration_sec, ${next.durationSec}::integer)`,
        connected_duration_sec: sql`GREATEST(connected_duration_sec, ${next.connectedDurationSec}::integer)`,
        answered_at: sql`LEAST(answered_at, ${next.answeredAt}::timestamptz)`,
        ignored_outcomes: JSON.stringify(next.ignored),
        ended_at: final ? sql`COALESCE(ended_at, now())` : sql`ended_at`,
        updated_at: sql`now()`,
      })
      .where('id', '=', call.id)
      .execute();

    if (final && !isFinalCallStatus(before.status)) {
      await trx.updateTable('call_legs').set({ ended_at: sql`now()` }).where('call_id', '=', call.id).where('ended_at', 'is', null).execute();
    }

    if (before.revenue === null && next.revenue !== null) {
      const counted = await trx
        .updateTable('calls')
        .set({
          revenue: next.revenue.amount,
          revenue_qualified_at: sql`now()`,
          revenue_attempt: next.revenue.qualifiedBy.kind === 'leg' ? next.revenue.qualifiedBy.attempt : null,
        })
        .where('id', '=', call.id)
        .where('revenue', 'is', null)
        .returning('id')
        .executeTakeFirst();
      // Unreachable while the row lock is held; kept so that a revenue is never reported twice.
      if (!counted) effects = effects.filter((e) => e.type !== 'revenue_qualified');
    }
    return { ...base, state: next, changed: true, effects };
  });
}

/**
 * What the call pays, from its legs as reserved: the last leg dialled to a buyer or RTB target
 * (once a leg connects no further one is dialled, so that is the connected one) with the payout
 * and minimum fixed when it was reserved. A call that reached nobody who pays never qualifies.
 */
export function legRevenuePolicy(legs: readonly CallLegRow[]): RevenuePolicy {
  const paid = [...legs].reverse().find((l) => (l.buyer_id !== null || l.rtb_target_id !== null) && l.payout !== null);
  if (!paid || paid.payout === null) return { minDurationSec: 0, payout: null };
  return { minDurationSec: paid.min_duration_sec, payout: paid.payout };
}

// ---------------------------------------------------------------------------------------------
// Leg reservations (concurrency and caps)

export interface LegLimits {
  /** null = no limit (likewise for the caps). */
  maxConcurrent: number | null;
  hourlyCap: number | null;
  dailyCap: number | null;
  monthlyCap: number | null;
  /** From capWindows(buyer's time zone, now). */
  windows: CapWindows;
}

export type ReserveLegInput = {
  orgId: string;
  callId: number;
  attempt: number;
  destination: string | null;
  payout: string | number | null;
  /** Connected seconds the leg needs to pay (default 0). */
  minDurationSec?: number | undefined;
  limits: LegLimits;
  /** When the leg starts (default: the database's now()); tests place legs in time with it. */
  startedAt?: Date | undefined;
} & ({ buyerId: number; rtbTargetId?: undefined } | { rtbTargetId: number; buyerId?: undefined });

export type CapReason = 'concurrency_reached' | 'hourly_cap_reached' | 'daily_cap_reached' | 'monthly_cap_reached';

export type ReserveLegResult =
  | { reserved: true }
  | {
      reserved: false;
      /**
       * A cap, or: `not_found` (buyer / target / call not in this organisation, e.g. deleted
       * meanwhile); `attempt_taken` (this attempt of the call is already reserved for someone else).
       */
      reason: CapReason | 'not_found' | 'attempt_taken';
    };

export interface LegUsage {
  activeCalls: number;
  callsThisHour: number;
  callsToday: number;
  callsThisMonth: number;
}

type Owner = { column: 'buyer_id'; id: number } | { column: 'rtb_target_id'; id: number };

/**
 * Counts a buyer's (or target's) open legs and the legs started since each window start. A leg
 * that failed to connect (busy / no-answer / failed / canceled) does not count against the caps.
 */
export async function legUsage(db: Db, owner: Owner, windows: CapWindows): Promise<LegUsage> {
  const open = await db
    .selectFrom('call_legs')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(owner.column, '=', owner.id)
    .where('ended_at', 'is', null)
    .where('started_at', '>', sql<Date>`now() - make_interval(secs => ${STALE_OPEN_LEG_SEC})`)
    .executeTakeFirstOrThrow();
  const since = [windows.hourStart, windows.dayStart, windows.monthStart].reduce((a, b) => (a < b ? a : b));
  const caps = await db
    .selectFrom('call_legs')
    .select([
      sql<string>`count(*) FILTER (WHERE started_at >= ${windows.hourStart})`.as('hour'),
      sql<string>`count(*) FILTER (WHERE started_at >= ${windows.dayStart})`.as('day'),
      sql<string>`count(*) FILTER (WHERE started_at >= ${windows.monthStart})`.as('month'),
    ])
    .where(owner.column, '=', owner.id)
    .where('started_at', '>=', since)
    .where((eb) => eb.or([eb('dial_status', 'is', null), eb('dial_status', 'in', ['answered', 'completed'])]))
    .executeTakeFirstOrThrow();
  return {
    activeCalls: Number(open.n),
    callsThisHour: Number(caps.hour),
    callsToday: Number(caps.day),
    callsThisMonth: Number(caps.month),
  };
}

export function hasLimits(limits: Omit<LegLimits, 'windows'>): boolean {
  return limits.maxConcurrent !== null || limits.hourlyCap !== null || limits.dailyCap !== null || limits.monthlyCap !== null;
}

export function capReason(limits: LegLimits, usage: LegUsage): CapReason | null {
  if (limits.maxConcurrent !== null && usage.activeCalls >= limits.maxConcurrent) return 'concurrency_reached';
  if (limits.hourlyCap !== null && usage.callsThisHour >= limits.hourlyCap) return 'hourly_cap_reached';
  if (limits.dailyCap !== null && usage.callsToday >= limits.dailyCap) return 'daily_cap_reached';
  if (limits.monthlyCap !== null && usage.callsThisMonth >= limits.monthlyCap) return 'monthly_cap_reached';
  return null;
}

/**
 * Reserves attempt `attempt` of a call for a buyer (or RTB target) if it is under its limits,
 * atomically across server instances, and makes it the call's current leg. Reserving the same
 * attempt for the same buyer again (a retried webhook) answers `reserved: true` and changes
 * nothing. Must not run inside a REPEATABLE READ / SERIALIZABLE transaction.
 */
export async function reserveLeg(db: Db, input: ReserveLegInput): Promise<ReserveLegResult> {
  const owner: Owner = input.buyerId !== undefined ? { column: 'buyer_id', id: input.buyerId } : { column: 'rtb_target_id', id: input.rtbTargetId };
  const limited = hasLimits(input.limits);
  // Without limits there is nothing to count: one statement inserts the leg (if the attempt is
  // free and the owner exists in the organisation) and points the call at it. Anything else (the
  // attempt taken, a leg a callback created first, an unknown owner) takes the full path below.
  if (!limited && (await reserveUnlimited(db, input, owner))) return { reserved: true };
  return inTransaction(db, async (trx) => {
    // Only a limited buyer / target needs its row lock (it serialises the counting); without
    // limits a share lock keeps it from being deleted meanwhile and lets reservations run in parallel.
    const lock = <T extends { forUpdate(): T; forShare(): T }>(q: T): T => (limited ? q.forUpdate() : q.forShare());
    const locked =
      owner.column === 'buyer_id'
        ? await lock(trx.selectFrom('buyers').select('id').where('org_id', '=', input.orgId).where('id', '=', owner.id)).executeTakeFirst()
        : await lock(trx.selectFrom('rtb_targets').select('id').where('org_id', '=', input.orgId).where('id', '=', owner.id)).executeTakeFirst();
    if (!locked) return { reserved: false, reason: 'not_found' };
    const call = await trx.selectFrom('calls').select('id').where('org_id', '=', input.orgId).where('id', '=', input.callId).forUpdate().executeTakeFirst();
    if (!call) return { reserved: false, reason: 'not_found' };
    const existing = await trx
      .selectFrom('call_legs')
      .select(['buyer_id', 'rtb_target_id'])
      .where('call_id', '=', input.callId)
      .where('attempt', '=', input.attempt)
      .forUpdate()
      .executeTakeFirst();
    if (existing) {
      if (existing[owner.column] === owner.id) return { reserved: true };
      if (existing.buyer_id !== null || existing.rtb_target_id !== null) return { reserved: false, reason: 'attempt_taken' };
    }

    if (limited) {
      const reason = capReason(input.limits, await legUsage(trx, owner, input.limits.windows));
      if (reason !== null) return { reserved: false, reason };
    }

    const fields = {
      buyer_id: owner.column === 'buyer_id' ? owner.id : null,
      rtb_target_id: owner.column === 'rtb_target_id' ? owner.id : null,
      destination: input.destination,
      payout: input.payout,
      min_duration_sec: input.minDurationSec ?? 0,
    };
    if (existing) {
      // A dial callback created the row first (it has no owner yet): fill the routing side.
      await trx.updateTable('call_legs').set(fields).where('call_id', '=', input.callId).where('attempt', '=', input.attempt).execute();
    } else {
      await trx
        .insertInto('call_legs')
        .values({
          call_id: input.callId,
          attempt: input.attempt,
          org_id: input.orgId,
          ...fields,
          ...(input.startedAt ? { started_at: input.startedAt } : {}),
        })
        .execute();
    }
    await trx
      .updateTable('calls')
      .set({ buyer_id: fields.buyer_id, rtb_target_id: fields.rtb_target_id, payout: input.payout, updated_at: sql`now()` })
      .where('id', '=', input.callId)
      .execute();
    return { reserved: true };
  });
}

async function reserveUnlimited(db: Db, input: ReserveLegInput, owner: Owner): Promise<boolean> {
  const buyerId = owner.column === 'buyer_id' ? owner.id : null;
  const targetId = owner.column === 'rtb_target_id' ? owner.id : null;
  const ownerTable = owner.column === 'buyer_id' ? sql`buyers` : sql`rtb_targets`;
  const result = await sql<{ id: number }>`
    WITH leg AS (
      INSERT INTO call_legs (call_id, attempt, org_id, buyer_id, rtb_target_id, destination, payout, min_duration_sec, started_at)
      SELECT c.id, ${input.attempt}, c.org_id, ${buyerId}::integer, ${targetId}::integer, ${input.destination}, ${input.payout}::numeric,
             ${input.minDurationSec ?? 0}::integer, COALESCE(${input.startedAt ?? null}::timestamptz, now())
      FROM calls c JOIN ${ownerTable} o ON o.org_id = c.org_id AND o.id = ${owner.id}
      WHERE c.org_id = ${input.orgId} AND c.id = ${input.callId}
      ON CONFLICT (call_id, attempt) DO NOTHING
      RETURNING call_id)
    UPDATE calls SET buyer_id = ${buyerId}::integer, rtb_target_id = ${targetId}::integer, payout = ${input.payout}::numeric, updated_at = now()
    FROM leg WHERE calls.id = leg.call_id
    RETURNING calls.id`.execute(db);
  return result.rows.length > 0;
}

/**
 * A leg to a plain number (a flow's Route to a number, a transfer): nobody's limits, no payout.
 * Idempotent per attempt: `recorded: false` when the attempt exists already.
 */
export async function recordNumberLeg(db: Db, input: { orgId: string; callId: number; attempt: number; destination: string }): Promise<{ recorded: boolean }> {
  const row = await db
    .insertInto('call_legs')
    .values({ call_id: input.callId, attempt: input.attempt, org_id: input.orgId, destination: input.destination })
    .onConflict((oc) => oc.columns(['call_id', 'attempt']).doNothing())
    .returning('attempt')
    .executeTakeFirst();
  return { recorded: row !== undefined };
}

/** Keeps the recording of a voicemail the caller left (the first one recorded wins). */
export async function saveVoicemail(db: Db, orgId: string, callId: number, url: string): Promise<void> {
  await db.updateTable('calls').set({ voicemail_url: url, updated_at: sql`now()` }).where('org_id', '=', orgId).where('id', '=', callId).where('voicemail_url', 'is', null).execute();
}

/** Ends a leg (releases its concurrency slot). Idempotent: `ended: false` when already ended or unknown. */
export async function endLeg(db: Db, input: { orgId: string; callId: number; attempt: number }): Promise<{ ended: boolean }> {
  const row = await db
    .updateTable('call_legs')
    .set({ ended_at: sql`now()` })
    .where('org_id', '=', input.orgId)
    .where('call_id', '=', input.callId)
    .where('attempt', '=', input.attempt)
    .where('ended_at', 'is', null)
    .returning('attempt')
    .executeTakeFirst();
  return { ended: row !== undefined };
}
