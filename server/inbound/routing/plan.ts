// The routing decision for one call: every assigned buyer is either in `order` (tried in that
// order) or in `skipped` with its reason. The call record stores both.
import { eligibility } from './eligibility.js';
import { orderCandidates } from './select.js';
import type { BuyerUsage, Candidate, RoutingAssignment, RoutingBuyer, RoutingMethod, SkipReason } from './types.js';

export interface PlanEntry {
  buyer: RoutingBuyer;
  assignment: RoutingAssignment;
  usage: BuyerUsage;
}

export interface RoutingPlanInput {
  method: RoutingMethod;
  buyers: readonly PlanEntry[];
  at: Date;
  /** The campaign's rotation counter (see orderCandidates). */
  rotation: number;
  /** Priority routing: tied groups' own counters (see OrderState). */
  groupRotations?: ReadonlyMap<number, number> | undefined;
  random: () => number;
}

export interface RoutingPlan {
  /** Buyer ids, first = primary, the rest = fall-backs. */
  order: number[];
  /** In input order. */
  skipped: Array<{ buyerId: number; reason: SkipReason }>;
}

export function planRouting(input: RoutingPlanInput): RoutingPlan {
  const candidates: Candidate[] = [];
  const skipped: RoutingPlan['skipped'] = [];
  for (const { buyer, assignment, usage } of input.buyers) {
    const verdict = eligibility(buyer, assignment, usage, input.at);
    if (verdict.eligible) candidates.push({ buyerId: buyer.id, priority: assignment.priority, weight: assignment.weight });
    else skipped.push({ buyerId: buyer.id, reason: verdict.reason });
  }
  const order = orderCandidates(input.method, candidates, { rotation: input.rotation, groupRotations: input.groupRotations, random: input.random }).map((c) => c.buyerId);
  return { order, skipped };
}
