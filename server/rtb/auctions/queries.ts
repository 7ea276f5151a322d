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
