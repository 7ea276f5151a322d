// When a buyer's or target's usage may be read from its leg counters (pure; the counters are
// read by queries/usage-counters.ts). The figures feed pre-checks (the routing plan, the RTB
// pre-filter), but a pre-check that blocked an owner wrongly would send the call elsewhere, so a
// counter answers only when it is exact (a trusted row of the window asked) or, for the open legs
// (an upper bound: stale legs included), while it is under the limit. Otherwise: null, count.
import type { LegUsage } from './queries/legs.js';

export interface UsageLimits {
  maxConcurrentCalls: number | null;
  hourlyCap: number | null;
  dailyCap: number | null;
  monthlyCap: number | null;
}

/** An owner's trusted counter values for the windows asked (null: no such row, another window, or not trusted yet). */
export interface CounterValues {
  open: number | null;
  hour: number | null;
  day: number | null;
  month: number | null;
}

/** The usage the counters give, or null when one of the owner's limits needs a count. */
export function usageFromCounters(limits: UsageLimits, counters: CounterValues | undefined): LegUsage | null {
  if (!counters) return null;
  const known = (limit: number | null, value: number | null) => limit === null || value !== null;
  if (!known(limits.maxConcurrentCalls, counters.open) || !known(limits.hourlyCap, counters.hour)) return null;
  if (!known(limits.dailyCap, counters.day) || !known(limits.monthlyCap, counters.month)) return null;
  if (limits.maxConcurrentCalls !== null && (counters.open ?? 0) >= limits.maxConcurrentCalls) return null;
  return { activeCalls: counters.open ?? 0, callsThisHour: counters.hour ?? 0, callsToday: counters.day ?? 0, callsThisMonth: counters.month ?? 0 };
}

/** The owners' usage the counters give, and the owners left to count. */
export function splitByCounters<T extends UsageLimits & { id: number }>(owners: readonly T[], counters: ReadonlyMap<number, CounterValues>): { usage: Map<number, LegUsage>; toCount: T[] } {
  const usage = new Map<number, LegUsage>();
  const toCount: T[] = [];
  for (const owner of owners) {
    const fromCounters = usageFromCounters(owner, counters.get(owner.id));
    if (fromCounters) usage.set(owner.id, fromCounters);
    else toCount.push(owner);
  }
  return { usage, toCount };
}
