// RTB pre-filter limits from the calls a target has taken (DESIGN.md 4.2): its open <Dial> legs
// against maxConcurrentCalls, and its legs started in the current UTC hour / day / month against
// its caps (a leg that failed to connect does not count, as for buyers). Read from the targets'
// leg counters (migrations 0022, 0047) where they can answer, counted otherwise, in one statement
// (inbound/calls/queries/usage-counters.ts). Before, every auction counted each limited
// target's legs since the month began. The reservation of the winner re-counts atomically
// (inbound/calls/queries/legs.ts reserveLeg), so two auctions racing for the last slot cannot both
// dial the target.
import type { Db } from '../../../db/types.js';
import { ownersUsage } from '../../inbound/calls/queries/index.js';
import { capWindows } from '../../inbound/routing/cap-windows.js';
import type { BlockReason } from '../engine/types.js';

export interface TargetLimits {
  id: number;
  maxConcurrentCalls: number | null;
  hourlyCap: number | null;
  dailyCap: number | null;
  monthlyCap: number | null;
}

function reached(count: number, limit: number | null): boolean {
  return limit !== null && count >= limit;
}

export async function capBlocks(db: Db, orgId: string, targets: readonly TargetLimits[], at = new Date()): Promise<Map<number, BlockReason>> {
  const limited = targets.filter((t) => t.maxConcurrentCalls !== null || t.hourlyCap !== null || t.dailyCap !== null || t.monthlyCap !== null);
  const blocked = new Map<number, BlockReason>();
  if (limited.length === 0) return blocked;
  // A target's windows are UTC's (as its reservation's: inbound/webhooks/reserve-candidate.ts).
  const windows = capWindows('UTC', at);
  const usage = await ownersUsage(db, orgId, 'target', limited.map((t) => ({ id: t.id, limits: t, windows })));
  for (const target of limited) {
    const u = usage.get(target.id);
    if (!u) continue;
    if (reached(u.activeCalls, target.maxConcurrentCalls)) blocked.set(target.id, 'concurrency_reached');
    else if (reached(u.callsThisHour, target.hourlyCap) || reached(u.callsToday, target.dailyCap) || reached(u.callsThisMonth, target.monthlyCap)) blocked.set(target.id, 'cap_reached');
  }
  return blocked;
}
