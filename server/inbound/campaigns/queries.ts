import { sql } from 'kysely';
import type { CampaignPatch, CampaignRow, CampaignStatus, Db, NewCampaign } from '../../../db/types.js';

export function listCampaignsInOrg(db: Db, orgId: string, status?: CampaignStatus): Promise<CampaignRow[]> {
  let query = db.selectFrom('campaigns').selectAll().where('org_id', '=', orgId);
  if (status) query = query.where('status', '=', status);
  return query.orderBy('created_at', 'desc').orderBy('id').execute();
}

export function findCampaignInOrg(db: Db, orgId: string, id: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/** The campaign, locked (FOR UPDATE) until the transaction ends: checks made on it then stay true for the write. */
export function lockCampaignInOrg(trx: Db, orgId: string, id: string): Promise<CampaignRow | undefined> {
  return trx.selectFrom('campaigns').selectAll().where('org_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export function insertCampaign(db: Db, values: NewCampaign): Promise<CampaignRow> {
  return db.insertInto('campaigns').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateCampaignInOrg(db: Db, orgId: string, id: string, patch: CampaignPatch): Promise<CampaignRow | undefined> {
  return db
    .updateTable('campaigns')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteCampaignInOrg(db: Db, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('campaigns').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
