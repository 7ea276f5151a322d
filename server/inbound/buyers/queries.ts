import { sql } from 'kysely';
import type { BuyerPatch, BuyerRow, CampaignBuyerRow, Db, NewBuyer } from '../../../db/types.js';

export function listBuyersInOrg(db: Db, orgId: string): Promise<BuyerRow[]> {
  return db.selectFrom('buyers').selectAll().where('org_id', '=', orgId).orderBy('priority').orderBy('id').execute();
}

export function findBuyerInOrg(db: Db, orgId: string, id: number): Promise<BuyerRow | undefined> {
  return db.selectFrom('buyers').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function insertBuyer(db: Db, values: NewBuyer): Promise<BuyerRow> {
  return db.insertInto('buyers').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateBuyerInOrg(db: Db, orgId: string, id: number, patch: BuyerPatch): Promise<BuyerRow | undefined> {
  return db
    .updateTable('buyers')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteBuyerInOrg(db: Db, orgId: string, id: number): Promise<boolean> {
  const result = await db.deleteFrom('buyers').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export type CampaignBuyerView = CampaignBuyerRow & { buyer_name: string; company_name: string | null };

function assignmentsQuery(db: Db, orgId: string, campaignId: string) {
  return db
    .selectFrom('campaign_buyers')
    .innerJoin('buyers', 'buyers.id', 'campaign_buyers.buyer_id')
    .selectAll('campaign_buyers')
    .select(['buyers.name as buyer_name', 'buyers.company_name as company_name'])
    .where('campaign_buyers.org_id', '=', orgId)
    .where('campaign_buyers.campaign_id', '=', campaignId);
}

export function listCampaignBuyers(db: Db, orgId: string, campaignId: string): Promise<CampaignBuyerView[]> {
  return assignmentsQuery(db, orgId, campaignId).orderBy('campaign_buyers.priority').orderBy('campaign_buyers.buyer_id').execute();
}

export function findCampaignBuyer(db: Db, orgId: string, campaignId: string, buyerId: number): Promise<CampaignBuyerView | undefined> {
  return assignmentsQuery(db, orgId, campaignId).where('campaign_buyers.buyer_id', '=', buyerId).executeTakeFirst();
}

export async function insertCampaignBuyer(
  db: Db,
  values: { orgId: string; campaignId: string; buyerId: number; priority?: number; weight?: number; isActive?: boolean },
): Promise<void> {
  await db
    .insertInto('campaign_buyers')
    .values({
      org_id: values.orgId,
      campaign_id: values.campaignId,
      buyer_id: values.buyerId,
      ...(values.priority !== undefined ? { priority: values.priority } : {}),
      ...(values.weight !== undefined ? { weight: values.weight } : {}),
      ...(values.isActive !== undefined ? { is_active: values.isActive } : {}),
    })
    .execute();
}

export async function deleteCampaignBuyer(db: Db, orgId: string, campaignId: string, buyerId: number): Promise<boolean> {
  const result = await db
    .deleteFrom('campaign_buyers')
    .where('org_id', '=', orgId)
    .where('campaign_id', '=', campaignId)
    .where('buyer_id', '=', buyerId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
