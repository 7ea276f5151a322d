// RTB pre-filter limits from the calls a target has taken (DESIGN.md 4.2): its open <Dial> legs
// against maxConcurrentCalls, and its legs started in the current UTC hour / day / month against
// its caps (a leg that failed to connect does not count, as for buyers). Read from the targets'
// leg counters (migrations 0022, 0047) where inbound/calls/counter-usage.ts lets them answer; the
// other targets counted in one aggregate query. Before, every auction counted each limited
// target's legs since the month began. The reservation of the winner re-counts atomically
// (inbound/calls/queries/legs.ts reserveLeg), so two auctions racing for the last slot cannot both
// dial the target.
import { sql } from 'kysely';
import type { Db } from '../../../db/types.js';
import { splitByCounters } from '../../inbound/calls/counter-usage.js';
import { type LegUsage, readUsageCounters, STALE_OPEN_LEG_SEC } from '../../inbound/calls/queries/index.js';
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
  const counters = await readUsageCounters(db, 'target', limited.map((t) => ({ id: t.id, windows })));
  const { usage, toCount } = splitByCounters(limited, counters);
  for (const [id, u] of await countedUsage(db, orgId, toCount)) usage.set(id, u);
  for (const target of limited) {
    const u = usage.get(target.id);
    if (!u) continue;
    if (reached(u.activeCalls, target.maxConcurrentCalls)) blocked.set(target.id, 'concurrency_reached');
    else if (reached(u.callsThisHour, target.hourlyCap) || reached(u.callsToday, target.dailyCap) || reached(u.callsThisMonth, target.monthlyCap)) blocked.set(target.id, 'cap_reached');
  }
  return blocked;
}

/** Counted from call_legs: open legs (not stale), and legs this UTC hour / day / month that did not fail. */
async function countedUsage(db: Db, orgId: string, targets: readonly TargetLimits[]): Promise<Map<number, LegUsage>> {
  if (targets.length === 0) return new Map();
  const counted = sql`(dial_status IS NULL OR dial_status IN ('answered', 'completed'))`;
  const rows = await db
    .selectFrom('call_legs')
    .select([
      'rtb_target_id as targetId',
      sql<string>`count(*) FILTER (WHERE ended_at IS NULL AND started_at > now() - make_interval(secs => ${STALE_OPEN_LEG_SEC}))`.as('open'),
      sql<string>`count(*) FILTER (WHERE ${counted} AND started_at >= date_trunc('hour', now(), 'UTC'))`.as('hour'),
      sql<string>`count(*) FILTER (WHERE ${counted} AND started_at >= date_trunc('day', now(), 'UTC'))`.as('day'),
      sql<string>`count(*) FILTER (WHERE ${counted} AND started_at >= date_trunc('month', now(), 'UTC'))`.as('month'),
    ])
    .where('org_id', '=', orgId)
    .where('rtb_target_id', 'in', targets.map((t) => t.id))
    .where((eb) =>
      eb.or([eb('started_at', '>=', sql<Date>`date_trunc('month', now(), 'UTC')`), eb('ended_at', 'is', null)]),
    )
    .groupBy('rtb_target_id')
    .execute();
  return new Map(
    rows.flatMap((r) =>
      r.targetId === null ? [] : [[r.targetId, { activeCalls: Number(r.open), callsThisHour: Number(r.hour), callsToday: Number(r.day), callsThisMonth: Number(r.month) }] as const],
    ),
  );
}
