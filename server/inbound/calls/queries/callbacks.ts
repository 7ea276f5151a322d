// Twilio's callbacks applied to a call record (DESIGN.md 4.1). Functions take `db` or a
// transaction first.
//
// applyCallEvent: SELECT … FOR UPDATE of the call (then its legs) serialises the callbacks of one
// call; the pure state machine (state.ts) computes the merge; the UPDATEs merge monotonically in
// SQL as well (GREATEST / LEAST / CASE on status_rank) and revenue is written with
// `WHERE revenue IS NULL`, so that its effect is reported only by the transaction that set it.
// The calls_guard trigger (migration 0005) rejects any other writer that tries to move a call
// backwards or to change a counted revenue. Lock order: call → legs (reservations: buyer/target →
// call → legs): no cycle.
import { sql, type Transaction } from 'kysely';
import type { CallLegRow, CallRow, DB, Db } from '../../../../db/types.js';
import { normalizeMoney } from '../money.js';
import { completionOf } from '../completion.js';
import { applyEvent, type CallEvent, type CallState, type DialLeg, type Effect, type RevenuePolicy } from '../state.js';
import { callStatusRank, isCallStatus, isDialCallStatus, isFinalCallStatus } from '../status.js';
import { inTransaction } from '../../../platform/common/transaction.js';

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
          ...(Array.isArray(l.dial_segments) ? { dialSegments: l.dial_segments.map((s) => ({ sid: s.sid, sec: s.sec })) } : {}),
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
  campaignId: string | null;
  /** The call's status before this event. */
  previousStatus: CallState['status'];
  /** The visitor session the call is attributed to (DNI), if any. */
  visitorSessionId: string | null;
  state: CallState;
  changed: boolean;
  /**
   * What the transition did (for `withTransition`, inside the transaction, or for the caller after
   * the commit). Each happens once per call (per attempt for legs), even when
   * the same callback is delivered twice at the same time: the duplicate waits for the row lock,
   * then sees the first one's result and yields no effect. Leg ends (`leg_*`, `call_ended`) are
   * already written: a dial callback ends its leg, the final call status ends every open leg.
   */
  effects: Effect[];
}

/**
 * Applies one Twilio callback to the call with this CallSid in one transaction. `undefined` when
 * no such call is recorded. `withTransition` runs in that transaction after a change is written
 * (the call's events: written with the change or not at all).
 */
export async function applyCallEvent(
  db: Db,
  callSid: string,
  event: CallEvent,
  policy: RevenuePolicy | ((legs: readonly CallLegRow[]) => RevenuePolicy) = legRevenuePolicy,
  withTransition?: (trx: Transaction<DB>, result: CallEventResult) => Promise<void>,
): Promise<CallEventResult | undefined> {
  return inTransaction(db, async (trx) => {
    const call = await trx.selectFrom('calls').selectAll().where('call_sid', '=', callSid).forUpdate().executeTakeFirst();
    if (!call) return undefined;
    const legs = await trx.selectFrom('call_legs').selectAll().where('call_id', '=', call.id).orderBy('attempt').forUpdate().execute();
    const before = stateFromRows(call, legs);
    const transition = applyEvent(before, event, typeof policy === 'function' ? policy(legs) : policy);
    const base = { callId: call.id, orgId: call.org_id, campaignId: call.campaign_id, previousStatus: before.status, visitorSessionId: call.visitor_session_id === null ? null : String(call.visitor_session_id) };
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
            dial_segments: leg.dialSegments === undefined ? null : JSON.stringify(leg.dialSegments),
            ended_at: sql<Date>`now()`,
          })
          .onConflict((oc) =>
            oc.columns(['call_id', 'attempt']).doUpdateSet({
              dial_call_sid: sql`COALESCE(call_legs.dial_call_sid, excluded.dial_call_sid)`,
              dial_status: sql`CASE WHEN call_legs.dial_status IS NULL
                OR (call_legs.dial_status = 'answered' AND excluded.dial_status = 'completed')
                THEN excluded.dial_status ELSE call_legs.dial_status END`,
              dial_duration_sec: sql`GREATEST(call_legs.dial_duration_sec, excluded.dial_duration_sec)`,
              // Written under the call's lock from the segments read under it: the newer list holds the older one.
              dial_segments: sql`COALESCE(excluded.dial_segments, call_legs.dial_segments)`,
              ended_at: sql`COALESCE(call_legs.ended_at, excluded.ended_at)`,
            }),
          )
          .execute();
      }
    }

    const rank = callStatusRank(next.status);
    const final = isFinalCallStatus(next.status);
    const completion = completionOf(before, next, call.completion_pending);
    if (completion.record && isFinalCallStatus(next.status)) effects = [...effects, { type: 'completion_recorded', status: next.status }];
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
        completion_pending: completion.pending,
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
    const result = { ...base, state: next, changed: true, effects };
    if (withTransition) await withTransition(trx, result);
    return result;
  });
}

/**
 * What the call pays, from its legs as reserved: the last leg dialled (once a leg connects no
 * further one is dialled, so that is the one that connects) with the payout and minimum fixed when
 * it was reserved. A leg to a plain number pays nothing, even after a buyer's leg that did not
 * connect; a leg whose buyer or target was deleted since still pays what it was reserved at. A row
 * a dial callback wrote before its reservation (no destination yet) was not dialled by us.
 */
export function legRevenuePolicy(legs: readonly CallLegRow[]): RevenuePolicy {
  const dialled = [...legs].reverse().find((l) => l.destination !== null);
  if (!dialled || dialled.payout === null) return { minDurationSec: 0, payout: null };
  return { minDurationSec: dialled.min_duration_sec, payout: dialled.payout };
}
