// The live figures of the dashboard that come straight from the base tables (small, recent ranges
// served by their indexes), and the counts of what is active now.
import { sql } from 'kysely';
import type { Db } from '../../db/types.js';
import { HOUR_MS, MINUTE_MS } from '../platform/common/zoned-time.js';

/** A call whose last callback was lost is not "active" forever: Twilio ends calls after 4 hours. */
const ACTIVE_CALL_HOURS = 4;

export interface LiveCounts {
  activeCalls: number;
  callsLastHour: number;
  auctionsLastMinute: number;
  bidsLastMinute: number;
  activeCampaigns: number;
  activeBuyers: number;
}

export async function liveCounts(db: Db, orgId: string, now: Date): Promise<LiveCounts> {
  const hourAgo = new Date(now.getTime() - HOUR_MS);
  const minuteAgo = new Date(now.getTime() - MINUTE_MS);
  const activeSince = new Date(now.getTime() - ACTIVE_CALL_HOURS * HOUR_MS);
  const { rows } = await sql<Record<keyof LiveCounts, string>>`
    SELECT
      (SELECT count(*) FROM calls WHERE org_id = ${orgId} AND status_rank < 4 AND created_at > ${activeSince}) AS "activeCalls",
      (SELECT count(*) FROM calls WHERE org_id = ${orgId} AND created_at > ${hourAgo} AND created_at <= ${now}) AS "callsLastHour",
      (SELECT count(*) FROM bid_requests WHERE org_id = ${orgId} AND created_at > ${minuteAgo} AND created_at <= ${now}) AS "auctionsLastMinute",
      (SELECT count(*) FROM bid_responses WHERE org_id = ${orgId} AND created_at > ${minuteAgo} AND created_at <= ${now} AND is_valid) AS "bidsLastMinute",
      (SELECT count(*) FROM campaigns WHERE org_id = ${orgId} AND status = 'active') AS "activeCampaigns",
      (SELECT count(*) FROM buyers WHERE org_id = ${orgId} AND is_active) AS "activeBuyers"`.execute(db);
  const row = rows[0]!;
  return {
    activeCalls: Number(row.activeCalls),
    callsLastHour: Number(row.callsLastHour),
    auctionsLastMinute: Number(row.auctionsLastMinute),
    bidsLastMinute: Number(row.bidsLastMinute),
    activeCampaigns: Number(row.activeCampaigns),
    activeBuyers: Number(row.activeBuyers),
  };
}

export interface BuyerLabel {
  id: number;
  name: string;
  companyName: string | null;
}

/** The organisation's buyers (id, name, company), by id. */
export async function buyersOfOrg(db: Db, orgId: string): Promise<BuyerLabel[]> {
  const rows = await db.selectFrom('buyers').select(['id', 'name', 'company_name']).where('org_id', '=', orgId).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, companyName: r.company_name }));
}
