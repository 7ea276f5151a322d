import { sql } from 'kysely';
import type { ApiKeyRow, Db, Role } from '../../../db/types.js';

export interface ApiKeyWithOwner {
  key: ApiKeyRow;
  ownerRole: Role;
}

/** A live (unrevoked) key by hash, with its creator's current role. */
export async function findLiveKeyByHash(db: Db, keyHash: string): Promise<ApiKeyWithOwner | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.created_by_user_id')
    .selectAll('api_keys')
    .select('users.role as owner_role')
    .where('api_keys.key_hash', '=', keyHash)
    .where('api_keys.revoked_at', 'is', null)
    .whereRef('users.org_id', '=', 'api_keys.org_id')
    .executeTakeFirst();
  if (!row) return undefined;
  const { owner_role, ...key } = row;
  return { key, ownerRole: owner_role };
}

export async function touchKeyLastUsed(db: Db, keyId: string): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: sql<Date>`now()` }).where('id', '=', keyId).execute();
}

export function listKeysInOrg(db: Db, orgId: string): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId).orderBy('created_at', 'desc').orderBy('id').execute();
}

export function insertKey(
  db: Db,
  values: { orgId: string; userId: number; name: string; prefix: string; keyHash: string; role: Role },
): Promise<ApiKeyRow> {
  return db
    .insertInto('api_keys')
    .values({
      org_id: values.orgId,
      created_by_user_id: values.userId,
      name: values.name,
      prefix: values.prefix,
      key_hash: values.keyHash,
      role: values.role,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findKeyInOrg(db: Db, orgId: string, keyId: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId).where('id', '=', keyId).executeTakeFirst();
}

export async function revokeKey(db: Db, orgId: string, keyId: string): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where('org_id', '=', orgId)
    .where('id', '=', keyId)
    .execute();
}

export async function revokeKeysOfUser(db: Db, orgId: string, userId: number): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('created_by_user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}
