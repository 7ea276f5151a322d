import { sql } from 'kysely';
import type { CampaignRtbTargetsTable, Db, NewRtbTarget, RtbTargetPatch, RtbTargetRow } from '../../../db/types.js';
import type { Selectable } from 'kysely';
import type { RtbTargetConfig } from '../engine/types.js';
import { toTargetConfig } from './engine-config.js';

export function listTargetsInOrg(db: Db, orgId: string): Promise<RtbTargetRow[]> {
  return db.selectFrom('rtb_targets').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
}

export function findTargetInOrg(db: Db, orgId: string, id: number, options: { forUpdate?: boolean } = {}): Promise<RtbTargetRow | undefined> {
  let query = db.selectFrom('rtb_targets').selectAll().where('org_id', '=', orgId).where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export function insertTarget(db: Db, values: NewRtbTarget): Promise<RtbTargetRow> {
  return db.insertInto('rtb_targets').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateTargetInOrg(db: Db, orgId: string, id: number, patch: RtbTargetPatch): Promise<RtbTargetRow | undefined> {
  return db
    .updateTable('rtb_targets')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteTargetInOrg(db: Db, orgId: string, id: number): Promise<boolean> {
  const result = await db.deleteFrom('rtb_targets').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Which of `ids` are targets of the organisation. FOR SHARE: inside a transaction the targets
 * cannot be deleted before the assignments naming them are written.
 */
export async function existingTargetIds(db: Db, orgId: string, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('rtb_targets').select('id').where('org_id', '=', orgId).where('id', 'in', [...ids]).forShare().execute();
  return new Set(rows.map((r) => r.id));
}

/** Lock the campaign row (FOR UPDATE) so concurrent replacements of its set run one after another. */
export async function lockCampaignInOrg(db: Db, orgId: string, campaignId: string): Promise<boolean> {
  const row = await db.selectFrom('campaigns').select('id').where('org_id', '=', orgId).where('id', '=', campaignId).forUpdate().executeTakeFirst();
  return row !== undefined;
}

export type CampaignTargetView = Selectable<CampaignRtbTargetsTable> & { target_name: string };

export function listCampaignTargets(db: Db, orgId: string, campaignId: string): Promise<CampaignTargetView[]> {
  return db
    .selectFrom('campaign_rtb_targets')
    .innerJoin('rtb_targets', 'rtb_targets.id', 'campaign_rtb_targets.target_id')
    .selectAll('campaign_rtb_targets')
    .select('rtb_targets.name as target_name')
    .where('campaign_rtb_targets.org_id', '=', orgId)
    .where('campaign_rtb_targets.campaign_id', '=', campaignId)
    .orderBy('campaign_rtb_targets.priority')
    .orderBy('campaign_rtb_targets.target_id')
    .execute();
}

export interface AssignmentInput {
  targetId: number;
  priority?: number | undefined;
  isActive?: boolean | undefined;
}

/** The campaign's whole set becomes `assignments` (call inside a transaction). */
export async function replaceCampaignTargets(db: Db, orgId: string, campaignId: string, assignments: readonly AssignmentInput[]): Promise<void> {
  await db.deleteFrom('campaign_rtb_targets').where('org_id', '=', orgId).where('campaign_id', '=', campaignId).execute();
  if (assignments.length === 0) return;
  await db
    .insertInto('campaign_rtb_targets')
    .values(
      assignments.map((a) => ({
        org_id: orgId,
        campaign_id: campaignId,
        target_id: a.targetId,
        ...(a.priority !== undefined ? { priority: a.priority } : {}),
        ...(a.isActive !== undefined ? { is_active: a.isActive } : {}),
      })),
    )
    .execute();
}

export interface AssignedTarget {
  row: RtbTargetRow;
  priority: number;
  isActive: boolean;
}

/** The campaign's assigned targets with their assignment (same organisation on both sides), by priority then id. */
export async function loadAssignedTargets(db: Db, orgId: string, campaignId: string): Promise<AssignedTarget[]> {
  const rows = await db
    .selectFrom('campaign_rtb_targets')
    .innerJoin('rtb_targets', (join) =>
      join.onRef('rtb_targets.id', '=', 'campaign_rtb_targets.target_id').onRef('rtb_targets.org_id', '=', 'campaign_rtb_targets.org_id'),
    )
    .selectAll('rtb_targets')
    .select(['campaign_rtb_targets.priority as assignment_priority', 'campaign_rtb_targets.is_active as assignment_is_active'])
    .where('campaign_rtb_targets.org_id', '=', orgId)
    .where('campaign_rtb_targets.campaign_id', '=', campaignId)
    .orderBy('campaign_rtb_targets.priority')
    .orderBy('rtb_targets.id')
    .execute();
  return rows.map(({ assignment_priority, assignment_is_active, ...row }) => ({ row, priority: assignment_priority, isActive: assignment_is_active }));
}

/**
 * The campaign's assigned targets as the auction sees them: assignment priority, and active only
 * when both the target and the assignment are. Ordered by priority, then target id.
 */
export async function loadCampaignTargets(db: Db, orgId: string, campaignId: string): Promise<RtbTargetConfig[]> {
  const assigned = await loadAssignedTargets(db, orgId, campaignId);
  return assigned.map((a) => toTargetConfig(a.row, { priority: a.priority, isActive: a.isActive }));
}
