// <Dial> legs of a call and their reservations against a buyer's (or RTB target's) concurrency
// limit and caps (DESIGN.md 4.3). Functions take `db` or a transaction first.
//
// reserveLeg: one call of the reserve_leg() function (migration 0014): its SELECT … FOR UPDATE of
// the buyer (or target) row serialises reservations per buyer; each statement after the lock sees
// every leg committed before it (a VOLATILE plpgsql function in READ COMMITTED takes a fresh
// snapshot per statement), so the counts are exact when the leg is inserted. Lock order:
// buyer/target → call → legs (callbacks: call → legs): no cycle.
import { sql } from 'kysely';
import type { Db } from '../../../../db/types.js';
import type { CapWindows } from '../../routing/cap-windows.js';
import { FINAL_RANK } from '../status.js';

/**
 * A leg still open this long after it started cannot be live (Twilio's <Dial timeLimit> default
 * is 4 hours, plus the ringing timeout): it no longer counts against concurrency, so that a lost
 * status callback cannot block a buyer for ever.
 */
export const STALE_OPEN_LEG_SEC = 4 * 3600 + 600;

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
  /**
   * The caller commits a write synchronously (the call's answer or routing log) before it acts on
   * the reservation: the reservation may then commit without waiting for the WAL flush, which
   * releases the owner's lock at once (see migration 0011). Ignored inside a transaction.
   */
  asyncCommit?: boolean | undefined;
} & ({ buyerId: number; rtbTargetId?: undefined } | { rtbTargetId: number; buyerId?: undefined });

export type CapReason = 'concurrency_reached' | 'hourly_cap_reached' | 'daily_cap_reached' | 'monthly_cap_reached';

export type ReserveLegResult =
  | { reserved: true }
  | {
      reserved: false;
      /**
       * A cap, or: `not_found` (buyer / target / call not in this organisation, e.g. deleted
       * meanwhile); `attempt_taken` (this attempt of the call is already reserved for someone else);
       * `call_ended` (the call's final status came first: the caller hung up; migration 0050).
       */
      reason: CapReason | 'not_found' | 'attempt_taken' | 'call_ended';
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
 *
 * One round trip: the reserve_leg() function (migration 0014) locks, counts and writes in one
 * statement, so a limited owner's row lock is held only for that statement.
 */
export async function reserveLeg(db: Db, input: ReserveLegInput): Promise<ReserveLegResult> {
  const owner: Owner = input.buyerId !== undefined ? { column: 'buyer_id', id: input.buyerId } : { column: 'rtb_target_id', id: input.rtbTargetId };
  const limited = hasLimits(input.limits);
  // Without limits there is nothing to count: one statement inserts the leg (if the attempt is
  // free and the owner exists in the organisation) and points the call at it. Anything else (the
  // attempt taken, a leg a callback created first, an unknown owner) takes reserve_leg().
  if (!limited && (await reserveUnlimited(db, input, owner))) return { reserved: true };
  const { limits } = input;
  // Asynchronous commit only in a statement of its own (inside a caller's transaction it would
  // apply to the caller's commit) and only when the caller commits a write synchronously before it
  // acts on the reservation (see the migration).
  const asyncCommit = input.asyncCommit === true && !db.isTransaction;
  const { rows } = await sql<{ result: string }>`
    SELECT reserve_leg(${input.orgId}::uuid, ${input.callId}::integer, ${input.attempt}::integer,
      ${owner.column === 'buyer_id' ? owner.id : null}::integer, ${owner.column === 'rtb_target_id' ? owner.id : null}::integer,
      ${input.destination}::text, ${input.payout}::numeric, ${input.minDurationSec ?? 0}::integer,
      ${limits.maxConcurrent}::integer, ${limits.hourlyCap}::integer, ${limits.dailyCap}::integer, ${limits.monthlyCap}::integer,
      ${limits.windows.hourStart.toISOString()}::timestamptz, ${limits.windows.dayStart.toISOString()}::timestamptz,
      ${limits.windows.monthStart.toISOString()}::timestamptz, ${input.startedAt?.toISOString() ?? null}::timestamptz,
      ${STALE_OPEN_LEG_SEC}::integer, ${asyncCommit}::boolean) AS result`.execute(db);
  const result = rows[0]?.result;
  if (result === 'reserved') return { reserved: true };
  if (result !== undefined && RESERVE_REASONS.has(result)) return { reserved: false, reason: result as ReserveFailure };
  throw new Error(`reserve_leg answered ${String(result)}`);
}

type ReserveFailure = Extract<ReserveLegResult, { reserved: false }>['reason'];
const RESERVE_REASONS: ReadonlySet<string> = new Set<ReserveFailure>([
  'not_found',
  'attempt_taken',
  'call_ended',
  'concurrency_reached',
  'hourly_cap_reached',
  'daily_cap_reached',
  'monthly_cap_reached',
]);

async function reserveUnlimited(db: Db, input: ReserveLegInput, owner: Owner): Promise<boolean> {
  const buyerId = owner.column === 'buyer_id' ? owner.id : null;
  const targetId = owner.column === 'rtb_target_id' ? owner.id : null;
  const ownerTable = owner.column === 'buyer_id' ? sql`buyers` : sql`rtb_targets`;
  // As reserve_leg(): committed without waiting for the WAL flush when the caller commits its
  // answer synchronously afterwards (set_config(..., true) lasts until this statement's commit).
  const asyncCommit = input.asyncCommit === true && !db.isTransaction;
  const commitMode = asyncCommit ? sql`AND set_config('synchronous_commit', 'off', true) = 'off'` : sql``;
  const result = await sql<{ id: number }>`
    WITH leg AS (
      INSERT INTO call_legs (call_id, attempt, org_id, buyer_id, rtb_target_id, destination, payout, min_duration_sec, started_at)
      SELECT c.id, ${input.attempt}, c.org_id, ${buyerId}::integer, ${targetId}::integer, ${input.destination}, ${input.payout}::numeric,
             ${input.minDurationSec ?? 0}::integer, COALESCE(${input.startedAt ?? null}::timestamptz, now())
      FROM calls c JOIN ${ownerTable} o ON o.org_id = c.org_id AND o.id = ${owner.id}
      WHERE c.org_id = ${input.orgId} AND c.id = ${input.callId} AND c.status_rank < ${FINAL_RANK} ${commitMode}
      FOR SHARE OF c
      ON CONFLICT (call_id, attempt) DO NOTHING
      RETURNING call_id)
    UPDATE calls SET buyer_id = ${buyerId}::integer, rtb_target_id = ${targetId}::integer, payout = ${input.payout}::numeric, updated_at = now()
    FROM leg WHERE calls.id = leg.call_id
    RETURNING calls.id`.execute(db);
  return result.rows.length > 0;
}

/**
 * A leg to a plain number (a flow's Route to a number, a transfer): nobody's limits, no payout.
 * Idempotent per attempt: `attempt_taken` when the attempt exists already; `call_ended` when the
 * call's final status came first (read under a share lock, as reserve_leg() does).
 */
export async function recordNumberLeg(
  db: Db,
  input: { orgId: string; callId: number; attempt: number; destination: string },
): Promise<{ recorded: true } | { recorded: false; reason: 'attempt_taken' | 'call_ended' }> {
  const { rows } = await sql<{ attempt: number }>`
    INSERT INTO call_legs (call_id, attempt, org_id, destination)
    SELECT c.id, ${input.attempt}::integer, c.org_id, ${input.destination}::text FROM calls c
    WHERE c.org_id = ${input.orgId} AND c.id = ${input.callId} AND c.status_rank < ${FINAL_RANK}
    FOR SHARE OF c
    ON CONFLICT (call_id, attempt) DO NOTHING
    RETURNING attempt`.execute(db);
  if (rows.length > 0) return { recorded: true };
  const taken = await db.selectFrom('call_legs').select('attempt').where('call_id', '=', input.callId).where('attempt', '=', input.attempt).executeTakeFirst();
  return { recorded: false, reason: taken ? 'attempt_taken' : 'call_ended' };
}

/**
 * Opens a leg again that its <Dial> action ended while the caller is dialled to it once more (call
 * control's resume of a held two-party call): the buyer is connected again, so the leg holds its
 * concurrency slot until the new <Dial>'s action or the call's final status ends it. Nothing when
 * the call is final: the call's row is read under a share lock, so a final status committing
 * meanwhile is seen (and that status ends every open leg).
 */
export async function reopenLeg(db: Db, input: { orgId: string; callId: number; attempt: number }): Promise<void> {
  await sql`
    WITH c AS (SELECT id FROM calls WHERE org_id = ${input.orgId} AND id = ${input.callId} AND status_rank < ${FINAL_RANK} FOR SHARE)
    UPDATE call_legs SET ended_at = NULL FROM c
    WHERE call_legs.call_id = c.id AND call_legs.attempt = ${input.attempt} AND call_legs.ended_at IS NOT NULL`.execute(db);
}


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
