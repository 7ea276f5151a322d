import type { Db, OrganizationRow } from '../../../db/types.js';

export function findOrganization(db: Db, orgId: string): Promise<OrganizationRow | undefined> {
  return db.selectFrom('organizations').selectAll().where('id', '=', orgId).executeTakeFirst();
}

export function updateOrganization(db: Db, orgId: string, patch: { name?: string; default_country?: string }): Promise<OrganizationRow | undefined> {
  return db.updateTable('organizations').set(patch).where('id', '=', orgId).returningAll().executeTakeFirst();
}
