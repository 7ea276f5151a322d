// May this buyer take the call now? The first reason that applies, in SKIP_REASONS order.
// Concurrency here is a pre-check; the reservation itself must be atomic in the database.
import { isOpen } from '../../platform/common/weekly-hours.js';
import type { BuyerUsage, Eligibility, RoutingAssignment, RoutingBuyer } from './types.js';

export { capWindows, type CapWindows } from './cap-windows.js';

/** A null limit is no limit; a count that has reached the limit is over it. */
function reached(count: number, limit: number | null): boolean {
  return limit !== null && count >= limit;
}

export function eligibility(buyer: RoutingBuyer, assignment: RoutingAssignment, usage: BuyerUsage, at: Date): Eligibility {
  if (!buyer.isActive) return { eligible: false, reason: 'buyer_inactive' };
  if (!assignment.isActive) return { eligible: false, reason: 'assignment_inactive' };
  if (!isOpen(buyer.operatingHours, buyer.timeZone, at)) return { eligible: false, reason: 'outside_hours' };
  if (reached(usage.activeCalls, buyer.maxConcurrentCalls)) return { eligible: false, reason: 'concurrency_reached' };
  if (reached(usage.callsThisHour, buyer.hourlyCap)) return { eligible: false, reason: 'hourly_cap_reached' };
  if (reached(usage.callsToday, buyer.dailyCap)) return { eligible: false, reason: 'daily_cap_reached' };
  if (reached(usage.callsThisMonth, buyer.monthlyCap)) return { eligible: false, reason: 'monthly_cap_reached' };
  return { eligible: true };
}
