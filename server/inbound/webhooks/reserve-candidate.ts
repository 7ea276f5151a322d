// Reserving one dial candidate of a routing (route-call.ts) for an attempt: a buyer or an RTB
// target against its concurrency and caps (reserve_leg()), or a plain number; and which candidate
// may instead be reserved and answered in one statement with the auction's audit (rtb-answer.ts).
import type { CallRow, CampaignRow, Db, RtbTargetRow } from '../../../db/types.js';
import { hasLimits, recordNumberLeg, reserveLeg, type ReserveLegResult } from '../calls/queries/index.js';
import { capWindows } from '../routing/cap-windows.js';
import { findTarget, type BuyerEntry } from './candidate-queries.js';
import type { DialCandidate } from './candidates.js';

/** Cap windows are only read for a buyer / target with limits. */
const NO_WINDOWS = { hourStart: new Date(0), dayStart: new Date(0), monthStart: new Date(0) };

/**
 * The candidate whose reservation cannot be refused for a reason worth counting (an active RTB
 * target without limits, as the auction loaded it): reserved and answered in one statement.
 */
export function answerableInOneStatement(candidate: DialCandidate | undefined, targets: ReadonlyMap<number, RtbTargetRow>): Extract<DialCandidate, { kind: 'target' }> | undefined {
  if (candidate?.kind !== 'target') return undefined;
  const target = targets.get(candidate.targetId);
  if (!target?.is_active) return undefined;
  const limited = hasLimits({ maxConcurrent: target.max_concurrent_calls, hourlyCap: target.hourly_cap, dailyCap: target.daily_cap, monthlyCap: target.monthly_cap });
  return limited ? undefined : candidate;
}

/** Reserves one candidate for `attempt`; returns the destination dialled, or why not. */
export async function reserveCandidate(
  db: Db,
  req: { call: CallRow & { org_id: string }; campaign: CampaignRow },
  candidate: DialCandidate,
  attempt: number,
  buyers: ReadonlyMap<number, BuyerEntry>,
  at: Date,
  targets: ReadonlyMap<number, RtbTargetRow>,
): Promise<{ destination: string } | { reason: string }> {
  const { call, campaign } = req;
  // Every routing stores its answer or routing log (a synchronous commit) before the TwiML is
  // sent, so the reservation itself may commit asynchronously (calls/queries/legs.ts reserveLeg).
  const base = { orgId: call.org_id, callId: call.id, attempt, asyncCommit: true };
  let result: ReserveLegResult;
  let destination: string;
  if (candidate.kind === 'number') {
    const recorded = await recordNumberLeg(db, { orgId: call.org_id, callId: call.id, attempt, destination: candidate.destination });
    return recorded.recorded ? { destination: candidate.destination } : { reason: recorded.reason };
  }
  if (candidate.kind === 'target') {
    // As this request's auction loaded it, else read (reserve_leg checks it still exists).
    const target = targets.get(candidate.targetId) ?? (await findTarget(db, call.org_id, candidate.targetId));
    if (!target || !target.is_active) return { reason: 'target_unavailable' };
    destination = candidate.destination;
    result = await reserveLeg(db, {
      ...base,
      rtbTargetId: target.id,
      destination,
      payout: candidate.price,
      minDurationSec: candidate.minDurationSec ?? campaign.min_call_duration_sec,
      limits: {
        maxConcurrent: target.max_concurrent_calls,
        hourlyCap: target.hourly_cap,
        dailyCap: target.daily_cap,
        monthlyCap: target.monthly_cap,
        windows: hasLimits({ maxConcurrent: target.max_concurrent_calls, hourlyCap: target.hourly_cap, dailyCap: target.daily_cap, monthlyCap: target.monthly_cap }) ? capWindows('UTC', at) : NO_WINDOWS,
      },
    });
  } else {
    const entry = buyers.get(candidate.buyerId);
    if (!entry) return { reason: 'buyer_unavailable' };
    const buyer = entry.row;
    destination = buyer.phone_number;
    result = await reserveLeg(db, {
      ...base,
      buyerId: buyer.id,
      destination,
      payout: buyer.payout ?? campaign.payout,
      minDurationSec: buyer.min_call_duration_sec ?? campaign.min_call_duration_sec,
      limits: {
        maxConcurrent: buyer.max_concurrent_calls,
        hourlyCap: buyer.hourly_cap,
        dailyCap: buyer.daily_cap,
        monthlyCap: buyer.monthly_cap,
        windows: hasLimits({ maxConcurrent: buyer.max_concurrent_calls, hourlyCap: buyer.hourly_cap, dailyCap: buyer.daily_cap, monthlyCap: buyer.monthly_cap }) ? capWindows(buyer.time_zone, at) : NO_WINDOWS,
      },
    });
  }
  return result.reserved ? { destination } : { reason: result.reason };
}
