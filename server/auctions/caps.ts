// Target caps: calls won in the current UTC hour / day / month (auctions for calls, not inbound
// pings), counted in one aggregate query. Concurrency needs live calls and arrives with them.
import { sql } from 'kysely';
import type { Db } from '../../db/types.js';
import type { BlockReason } from '../rtb/types.js';

export interface TargetCaps {
  id: number;
  hourlyCap: number | null;
  dailyCap: number | null;
  monthlyCap: number | null;
}

export async function capBlocks(db: Db, orgId: string, targets: readonly TargetCaps[]): Promise<Map<number, BlockReason>> {
  const capped = targets.filter((t) => t.hourlyCap !== null || t.dailyCap !== null || t.monthlyCap !== null);
  const blocked = new Map<number, BlockReason>();
  if (capped.length === 0) return blocked;
  const rows = await db
    .selectFrom('bid_requests')
    .select([
      'winning_target_id as targetId',
      sql<string>`count(*) filter (where created_at >= date_trunc('hour', now()))`.as('hour'),
      sql<string>`count(*) filter (where created_at >= date_trunc('day', now()))`.as('day'),
      sql<string>`count(*)`.as('month'),
    ])
    .where('org_id', '=', orgId)
    .where('source', '=', 'call')
    .where('winning_target_id', 'in', capped.map((t) => t.id))
    .where('created_at', '>=', sql<Date>`date_trunc('month', now())`)
    .groupBy('winning_target_id')
    .execute();
  const counts = new Map(rows.map((r) => [r.targetId, r]));
  for (const target of capped) {
    const count = counts.get(target.id);
    if (!count) continue;
    const over =
      (target.hourlyCap !== null && Number(count.hour) >= target.hourlyCap) ||
      (target.dailyCap !== null && Number(count.day) >= target.dailyCap) ||
      (target.monthlyCap !== null && Number(count.month) >= target.monthlyCap);
    if (over) blocked.set(target.id, 'cap_reached');
  }
  return blocked;
}
