// A target's uptime over a window, from stored health history: the prober's rows in
// rtb_health_checks and the target's live answers in bid_responses. One SQL query with aggregates.
import { sql } from 'kysely';
import type { components } from '../../../client/schema.js';
import type { Db } from '../../../db/types.js';
import { iso } from '../../platform/common/dates.js';
import { flushPendingBids } from '../auctions/pending-bids.js';

export const DEFAULT_UPTIME_HOURS = 24;

export interface UptimeCounts {
  totalChecks: number;
  healthyChecks: number;
}

/**
 * Counts for the organisation's target `targetId` over the last `hours` hours, or undefined when
 * the target is not one of the organisation's.
 *
 * Live answers: healthy when the target answered (`success`, or `rejected` without a 5xx status),
 * unhealthy on `timeout`, `error` or a 5xx status; `filtered` rows were never sent and do not count.
 */
export async function uptimeCounts(db: Db, orgId: string, targetId: number, hours: number): Promise<UptimeCounts | undefined> {
  await flushPendingBids(db, orgId); // an RTB answer's bids not yet written as rows count at once
  const result = await sql<{ probe_total: number; probe_healthy: number; live_total: number; live_healthy: number }>`
    SELECT probes.total AS probe_total, probes.healthy AS probe_healthy, live.total AS live_total, live.healthy AS live_healthy
    FROM rtb_targets AS t
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS total, (count(*) FILTER (WHERE hc.healthy))::int AS healthy
      FROM rtb_health_checks AS hc
      WHERE hc.target_id = t.id AND hc.org_id = t.org_id
        AND hc.checked_at >= now() - make_interval(hours => ${hours}::int)
    ) AS probes
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS total,
        (count(*) FILTER (
          WHERE br.status IN ('success', 'rejected') AND (br.http_status IS NULL OR br.http_status < 500)
        ))::int AS healthy
      FROM bid_responses AS br
      WHERE br.rtb_target_id = t.id AND br.org_id = t.org_id
        AND br.status <> 'filtered'
        AND br.created_at >= now() - make_interval(hours => ${hours}::int)
    ) AS live
    WHERE t.org_id = ${orgId} AND t.id = ${targetId}
  `.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    totalChecks: Number(row.probe_total) + Number(row.live_total),
    healthyChecks: Number(row.probe_healthy) + Number(row.live_healthy),
  };
}

/** Percent healthy, two decimals; null without any check. */
export function uptimePercent(counts: UptimeCounts): number | null {
  if (counts.totalChecks === 0) return null;
  return Math.round((counts.healthyChecks / counts.totalChecks) * 10_000) / 100;
}

/** The RtbUptime answer for one of the organisation's targets; undefined when it is not one. */
export async function getRtbTargetUptime(
  db: Db,
  orgId: string,
  targetId: number,
  hours: number = DEFAULT_UPTIME_HOURS,
  now: Date = new Date(),
): Promise<components['schemas']['RtbUptime'] | undefined> {
  const counts = await uptimeCounts(db, orgId, targetId, hours);
  if (!counts) return undefined;
  return {
    success: true,
    targetId,
    period: `${hours} hours`,
    uptime: uptimePercent(counts),
    totalChecks: counts.totalChecks,
    timestamp: iso(now),
  };
}
