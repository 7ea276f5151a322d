import { sql } from 'kysely';
import type { CampaignRow, Db, RtbTargetRow } from '../../../db/types.js';

export function findCampaignByRtbId(db: Db, rtbId: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('rtb_id', '=', rtbId).executeTakeFirst();
}

export function listActiveTargets(db: Db, orgId: string | null): Promise<RtbTargetRow[]> {
  let query = db.selectFrom('rtb_targets').selectAll().where('is_active', '=', true);
  if (orgId !== null) query = query.where('org_id', '=', orgId);
  return query.orderBy('id').execute();
}

/** The latest stored health result of each active target of the organisation (never-probed targets are absent). */
export function latestHealthChecks(db: Db, orgId: string) {
  return db
    .selectFrom('rtb_health_checks as h')
    .innerJoin('rtb_targets as t', (join) => join.onRef('t.id', '=', 'h.target_id').onRef('t.org_id', '=', 'h.org_id'))
    .distinctOn('h.target_id')
    .select(['h.target_id', 't.name', 't.endpoint_url', 'h.healthy', 'h.response_time_ms', 'h.error', 'h.checked_at'])
    .where('h.org_id', '=', orgId)
    .where('t.is_active', '=', true)
    .orderBy('h.target_id')
    .orderBy('h.checked_at', 'desc')
    .orderBy('h.id', 'desc')
    .execute();
}

export interface HealthCheckValues {
  org_id: string;
  target_id: number;
  healthy: boolean;
  response_time_ms: number;
  error: string | null;
  checked_at: string;
}

/**
 * Stores probe results, skipping those of targets deleted while they were probed (a probe may wait
 * up to a target's timeout). The targets are KEY SHARE locked, so a delete cannot slip in before
 * the foreign key check. Returns the ids of the targets whose result was stored.
 */
export async function insertHealthChecks(db: Db, values: readonly HealthCheckValues[]): Promise<Set<number>> {
  if (values.length === 0) return new Set();
  const { rows } = await sql<{ target_id: number }>`
    INSERT INTO rtb_health_checks (org_id, target_id, healthy, response_time_ms, error, checked_at)
    SELECT t.org_id, t.id, v.healthy, v.response_time_ms, v.error, v.checked_at
    FROM jsonb_to_recordset(${JSON.stringify(values)}::jsonb)
      AS v(org_id uuid, target_id integer, healthy boolean, response_time_ms integer, error text, checked_at timestamptz)
    JOIN rtb_targets AS t ON t.org_id = v.org_id AND t.id = v.target_id
    FOR KEY SHARE OF t
    RETURNING target_id`.execute(db);
  return new Set(rows.map((r) => r.target_id));
}
