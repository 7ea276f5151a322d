// RTB pre-filter limits from the calls a target has taken (DESIGN.md 4.2): its open <Dial> legs
// against maxConcurrentCalls, and its legs started in the current UTC hour / day / month against
// its caps (a leg that failed to connect does not count, as for buyers). One aggregate query for
// all the auction's targets. The reservation of the winner re-counts atomically (inbound/calls/queries/legs.ts
// reserveLeg), so two auctions racing for the last slot cannot both dial the target.
import { sql } from 'kysely';
import type { Db } from '../../../db/types.js';
import { STALE_OPEN_LEG_SEC } from '../../inbound/calls/queries/index.js';
import type { BlockReason } from '../engine/types.js';

export interface TargetLimits {
  id: number;
  maxConcurrentCalls: number | null;
  hourlyCap: number | null;
  dailyCap: number | null;
  monthlyCap: number | null;
}

function reached(count: string | number | undefined, limit: number | null): boolean {
  return limit !== null && Number(count ?? 0) >= limit;
}

export async function capBlocks(db: Db, orgId: string, targets: readonly TargetLimits[]): Promise<Map<number, BlockReason>> {
  const limited = targets.filter((t) => t.maxConcurrentCalls !== null || t.hourlyCap !== null || t.dailyCap !== null || t.monthlyCap !== null);
  const blocked = new Map<number, BlockReason>();
  if (limited.length === 0) return blocked;
  const counted = sql`(dial_status IS NULL OR dial_status IN ('answered', 'completed'))`;
  const rows = await db
    .selectFrom('call_legs')
    .select([
      'rtb_target_id as targetId',
      sql<string>`count(*) FILTER (WHERE ended_at IS NULL AND started_at > now() - make_interval(secs => ${STALE_OPEN_LEG_SEC}))`.as('open'),
      sql<string>`count(*) FILTER (WHERE ${counted} AND started_at >= date_trunc('hour', now(), 'UTC'))`.as('hour'),
      sql<string>`count(*) FILTER (WHERE ${counted} AND started_at >= date_trunc('day', now(), 'UTC'))`.as('day'),
      sql<string>`count(*) FILTER (WHERE ${counted})`.as('month'),
    ])
    .where('org_id', '=', orgId)
    .where('rtb_target_id', 'in', limited.map((t) => t.id))
    .where((eb) =>
      eb.or([eb('started_at', '>=', sql<Date>`date_trunc('month', now(), 'UTC')`), eb('ended_at', 'is', null)]),
    )
    .groupBy('rtb_target_id')
    .execute();
  const counts = new Map(rows.map((r) => [r.targetId, r]));
  for (const target of limited) {
    const count = counts.get(target.id);
    if (!count) continue;
    if (reached(count.open, target.maxConcurrentCalls)) blocked.set(target.id, 'concurrency_reached');
    else if (reached(count.hour, target.hourlyCap) || reached(count.day, target.dailyCap) || reached(count.month, target.monthlyCap)) blocked.set(target.id, 'cap_reached');
  }
  return blocked;
}
