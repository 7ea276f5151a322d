import { type Insertable, type Updateable, sql } from 'kysely';
import type { CallFlowRow, CallFlowsTable, Db } from '../../../db/types.js';

export type { CallFlowRow } from '../../../db/types.js';
export type NewCallFlow = Insertable<CallFlowsTable>;
export type CallFlowPatch = Updateable<CallFlowsTable>;

export function listFlowsInOrg(db: Db, orgId: string): Promise<CallFlowRow[]> {
  return db.selectFrom('call_flows').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
}

export function findFlowInOrg(db: Db, orgId: string, id: number, options: { forUpdate?: boolean } = {}): Promise<CallFlowRow | undefined> {
  const query = db.selectFrom('call_flows').selectAll().where('org_id', '=', orgId).where('id', '=', id);
  return (options.forUpdate ? query.forUpdate() : query).executeTakeFirst();
}

export function insertFlow(db: Db, values: NewCallFlow): Promise<CallFlowRow> {
  return db.insertInto('call_flows').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateFlowInOrg(db: Db, orgId: string, id: number, patch: CallFlowPatch): Promise<CallFlowRow | undefined> {
  return db
    .updateTable('call_flows')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteFlowInOrg(db: Db, orgId: string, id: number): Promise<boolean> {
  const result = await db.deleteFrom('call_flows').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
