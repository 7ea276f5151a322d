// Outbound campaigns' reads and state changes. Functions take `db` first.
import type { Db } from '../../../db/types.js';

/** Leads per campaign, for the given campaigns (absent: none). */
export async function leadCounts(db: Db, orgId: string, campaignIds: readonly string[]): Promise<Map<string, number>> {
  if (campaignIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('leads')
    .select(['campaign_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('org_id', '=', orgId)
    .where('campaign_id', 'in', [...campaignIds])
    .groupBy('campaign_id')
    .execute();
  return new Map(rows.map((r) => [r.campaign_id!, Number(r.n)]));
}
