// The voice webhook's one-round-trip path for a call whose candidate buyers have limits
// (concurrency, hourly / daily / monthly caps): the record_reserved_call() procedure (migration
// 0011) records the call, reserves the first candidate under its limits (exact across server
// instances: reserve_leg() under the buyer's row lock), stores the answer and makes it durable,
// in one CALL. The buyer's lock is held only while the procedure runs, not across round trips
// and not across the WAL flush.
import { sql } from 'kysely';
import { PREPARED_MARK } from '../../../db/prepared.js';
import type { CallRoutingMethod, Db } from '../../../db/types.js';
import type { CapWindows } from '../routing/cap-windows.js';
import { STALE_OPEN_LEG_SEC } from './queries/index.js';

export interface ReservedCallCandidate {
  buyerId: number;
  destination: string;
  payout: string | null;
  minDurationSec: number;
  maxConcurrent: number | null;
  hourlyCap: number | null;
  dailyCap: number | null;
  monthlyCap: number | null;
  /** The buyer's cap windows (its time zone). */
  windows: CapWindows;
  /** The answer when this candidate is reserved. */
  twiml: string;
}

export interface ReservedCallInput {
  orgId: string;
  callSid: string;
  campaignId: string;
  phoneNumberId: number | null;
  from: string | null;
  to: string;
  callerState: string | null;
  callerZip: string | null;
  /** Who carried the call (the simulator's calls say so, in the API and in reports). */
  source: 'twilio' | 'simulator';
  /** In the planned order. */
  candidates: readonly ReservedCallCandidate[];
  /** The routing plan as planned without usage; a buyer found at a limit moves from `order` to `skipped`. */
  plan: { mode: string; order: number[]; skipped: Array<{ buyerId: number; reason: string }> };
  /** Every assigned buyer in input order (the order of `skipped`). */
  inputOrder: readonly number[];
  /** The routing method recorded when a candidate is dialled ('none' for the fallback). */
  routingMethod: CallRoutingMethod;
  fallback: { twiml: string; to: string };
}

/** `created: false`: the CallSid is recorded already (a retry); nothing was written. `callId`: the call recorded (migration 0041). */
export async function recordReservedCall(db: Db, input: ReservedCallInput): Promise<{ created: boolean; twiml: string | null; callId: number | null }> {
  const candidates = input.candidates.map((c) => ({
    buyerId: c.buyerId,
    destination: c.destination,
    payout: c.payout,
    minDurationSec: c.minDurationSec,
    maxConcurrent: c.maxConcurrent,
    hourlyCap: c.hourlyCap,
    dailyCap: c.dailyCap,
    monthlyCap: c.monthlyCap,
    hourStart: c.windows.hourStart.toISOString(),
    dayStart: c.windows.dayStart.toISOString(),
    monthStart: c.windows.monthStart.toISOString(),
    twiml: c.twiml,
  }));
  const { rows } = await sql<{ r_created: boolean | null; r_twiml: string | null; r_call_id: number | null }>`${sql.raw(PREPARED_MARK)}
    CALL record_reserved_call(${input.orgId}::uuid, ${input.callSid}::text, ${input.campaignId}::uuid, ${input.phoneNumberId}::integer,
      ${input.from}::text, ${input.to}::text, ${input.callerState}::text, ${input.callerZip}::text, ${input.source}::text,
      ${JSON.stringify(candidates)}::jsonb, ${JSON.stringify({ ...input.plan, attempts: [] })}::jsonb, ${input.inputOrder}::integer[],
      ${input.routingMethod}::text, ${input.fallback.twiml}::text, ${input.fallback.to}::text, ${STALE_OPEN_LEG_SEC}::integer, NULL, NULL, NULL)`.execute(db);
  const row = rows[0];
  return { created: row?.r_created === true, twiml: row?.r_twiml ?? null, callId: row?.r_call_id ?? null };
}
