// The voice webhook's fast path for a plain call whose buyers have limits (issue 13 item 2): an
// active campaign without a flow or RTB, no call_started events to record, and an order that does
// not depend on usage or on the rotation counter. The order is planned from the cached
// configuration without usage; record_reserved_call() (server/inbound/calls/reserved-call.ts) then tries
// the buyers in that order under each one's row lock — exactly as routeCall would after planning
// with usage counts: a buyer at a limit is listed in the plan's `skipped` with its reason, the
// first one under its limits is dialled, nobody → the campaign's fallback — in one round trip.
//
// Which orders qualify: weighted (a weighted random order without the buyers at a limit is a
// weighted random order of the others), priority with distinct priorities, or a single buyer.
// Priority ties and round-robin rotate among the buyers under their limits (the rotation counter
// depends on who is eligible), so they take the general path.
import type { CampaignRow } from '../../../db/types.js';
import { recordReservedCall, type ReservedCallInput } from '../calls/reserved-call.js';
import { capWindows } from '../routing/cap-windows.js';
import { planRouting } from '../routing/plan.js';
import type { BuyerEntry } from './candidate-queries.js';
import type { RouteDeps } from './route-call.js';
import { dialTwiml, fallbackTwiml } from './twiml.js';

/** The call as the voice webhook knows it (the rest of ReservedCallInput is planned here). */
export type LimitedCallInput = Pick<ReservedCallInput, 'orgId' | 'callSid' | 'campaignId' | 'phoneNumberId' | 'from' | 'to' | 'callerState' | 'callerZip'>;

function orderIsUsageFree(campaign: CampaignRow, order: readonly number[], entries: ReadonlyMap<number, BuyerEntry>): boolean {
  if (order.length <= 1 || campaign.routing_type === 'weighted') return true;
  if (campaign.routing_type !== 'priority') return false;
  const priorities = order.map((id) => entries.get(id)?.assignment.priority);
  return new Set(priorities).size === priorities.length;
}

/**
 * The answer (`created: true`), or the stored state of a retry (`created: false`), or undefined
 * when the call does not qualify (the caller takes the general path).
 */
export async function answerLimitedCall(
  deps: RouteDeps,
  campaign: CampaignRow,
  buyers: readonly BuyerEntry[],
  input: LimitedCallInput,
): Promise<{ created: boolean; twiml: string | null; callId: number | null } | undefined> {
  if (campaign.max_dial_attempts < 1) return undefined;
  const at = deps.now?.() ?? new Date();
  const entries = new Map(buyers.map((e) => [e.row.id, e]));
  const routing = planRouting({ method: campaign.routing_type, buyers, at, rotation: Number(campaign.routing_rotation), random: deps.random ?? Math.random });
  if (!orderIsUsageFree(campaign, routing.order, entries)) return undefined;
  const action = deps.urls.dialStatus({ attempt: 1, route: 'auto' });
  const candidates = routing.order.flatMap((id) => {
    const buyer = entries.get(id)?.row;
    if (!buyer) return [];
    return [
      {
        buyerId: buyer.id,
        destination: buyer.phone_number,
        payout: buyer.payout ?? campaign.payout,
        minDurationSec: buyer.min_call_duration_sec ?? campaign.min_call_duration_sec,
        maxConcurrent: buyer.max_concurrent_calls,
        hourlyCap: buyer.hourly_cap,
        dailyCap: buyer.daily_cap,
        monthlyCap: buyer.monthly_cap,
        windows: capWindows(buyer.time_zone, at),
        twiml: dialTwiml(buyer.phone_number, action, campaign.dial_timeout_sec),
      },
    ];
  });
  return recordReservedCall(deps.db, {
    ...input,
    source: deps.callSource ?? 'twilio',
    candidates,
    plan: { mode: 'auto', order: routing.order, skipped: routing.skipped },
    inputOrder: buyers.map((e) => e.row.id),
    routingMethod: campaign.routing_type,
    fallback: { twiml: fallbackTwiml(campaign, deps.urls), to: `campaign:${campaign.fallback_action}` },
  });
}
