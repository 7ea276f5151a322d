import type { CampaignRow, Db, RtbRouterRow, RtbTargetRow } from '../../db/types.js';

export interface AssignedTarget {
  row: RtbTargetRow;
  priority: number;
  isActive: boolean;
}

/** The campaign's assigned targets with their assignment, by priority then id. */
export async function loadAssignedTargets(db: Db, orgId: string, campaignId: string): Promise<AssignedTarget[]> {
  const rows = await db
    .selectFrom('campaign_rtb_targets as a')
    .innerJoin('rtb_targets as t', 't.id', 'a.target_id')
    .selectAll('t')
    .select(['a.priority as assignment_priority', 'a.is_active as assignment_active'])
    .where('a.org_id', '=', orgId)
    .where('a.campaign_id', '=', campaignId)
    .orderBy('a.priority')
    .orderBy('t.id')
    .execute();
  return rows.map(({ assignment_priority, assignment_active, ...row }) => ({ row, priority: assignment_priority, isActive: assignment_active }));
}

export function findRouter(db: Db, orgId: string, routerId: number | null): Promise<RtbRouterRow | undefined> {
  if (routerId === null) return Promise.resolve(undefined);
  return db.selectFrom('rtb_routers').selectAll().where('org_id', '=', orgId).where('id', '=', routerId).executeTakeFirst();
}

export function findCampaignByRtbId(db: Db, rtbId: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('rtb_id', '=', rtbId).executeTakeFirst();
}

export function findTargetInOrg(db: Db, orgId: string, id: number): Promise<RtbTargetRow | undefined> {
  return db.selectFrom('rtb_targets').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function listActiveTargets(db: Db, orgId: string | null): Promise<RtbTargetRow[]> {
  let query = db.selectFrom('rtb_targets').selectAll().where('is_active', '=', true);
  if (orgId !== null) query = query.where('org_id', '=', orgId);
  return query.orderBy('id').execute();
}
