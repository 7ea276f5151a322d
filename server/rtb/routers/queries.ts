import { type Insertable, type Updateable, sql } from 'kysely';
import type { Db, RtbRouterRow, RtbRoutersTable } from '../../../db/types.js';

export type { RtbRouterRow } from '../../../db/types.js';
export type NewRtbRouter = Insertable<RtbRoutersTable>;
export type RtbRouterPatch = Updateable<RtbRoutersTable>;

export function listRoutersInOrg(db: Db, orgId: string): Promise<RtbRouterRow[]> {
  return db.selectFrom('rtb_routers').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
}

export function findRouterInOrg(db: Db, orgId: string, id: number): Promise<RtbRouterRow | undefined> {
  return db.selectFrom('rtb_routers').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function insertRouter(db: Db, values: NewRtbRouter): Promise<RtbRouterRow> {
  return db.insertInto('rtb_routers').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateRouterInOrg(db: Db, orgId: string, id: number, patch: RtbRouterPatch): Promise<RtbRouterRow | undefined> {
  return db
    .updateTable('rtb_routers')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Campaigns naming the router fall back to their own settings (FK: ON DELETE SET NULL (rtb_router_id)). */
export async function deleteRouterInOrg(db: Db, orgId: string, id: number): Promise<boolean> {
  const result = await db.deleteFrom('rtb_routers').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
