import type { CampaignRow, Db, RtbTargetRow } from '../../db/types.js';

export function findCampaignByRtbId(db: Db, rtbId: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('rtb_id', '=', rtbId).executeTakeFirst();
}

export function listActiveTargets(db: Db, orgId: string | null): Promise<RtbTargetRow[]> {
  let query = db.selectFrom('rtb_targets').selectAll().where('is_active', '=', true);
  if (orgId !== null) query = query.where('org_id', '=', orgId);
  return query.orderBy('id').execute();
}
