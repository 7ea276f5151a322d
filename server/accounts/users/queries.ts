import { sql } from 'kysely';
import type { Db, NewUser, Role, UserRow } from '../../../db/types.js';

export function findUserInOrg(db: Db, orgId: string, userId: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('org_id', '=', orgId).where('id', '=', userId).executeTakeFirst();
}

export function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

/** Seed 001 logs in by `username`, which may also hold an email address. */
export function findUserByLogin(db: Db, login: string): Promise<UserRow | undefined> {
  const value = login.toLowerCase();
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb(sql<string>`lower(email)`, '=', value), eb(sql<string>`lower(username)`, '=', value)]))
    .orderBy('id')
    .executeTakeFirst();
}

export function listUsersInOrg(db: Db, orgId: string): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
}

export function insertUser(db: Db, user: NewUser): Promise<UserRow> {
  return db.insertInto('users').values(user).returningAll().executeTakeFirstOrThrow();
}

export interface UserChanges {
  role?: Role;
  username?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

export function updateUserInOrg(db: Db, orgId: string, userId: number, changes: UserChanges): Promise<UserRow | undefined> {
  return db
    .updateTable('users')
    .set({
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.username !== undefined ? { username: changes.username } : {}),
      ...(changes.firstName !== undefined ? { first_name: changes.firstName } : {}),
      ...(changes.lastName !== undefined ? { last_name: changes.lastName } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('org_id', '=', orgId)
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}

/** Lock the organisation's owners (so two concurrent demotions cannot remove the last one). */
export async function lockOwners(db: Db, orgId: string): Promise<number[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where('role', '=', 'owner')
    .forUpdate()
    .execute();
  return rows.map((r) => r.id);
}

export async function deleteUserInOrg(db: Db, orgId: string, userId: number): Promise<boolean> {
  const result = await db.deleteFrom('users').where('org_id', '=', orgId).where('id', '=', userId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function touchLastLogin(db: Db, userId: number): Promise<void> {
  await db.updateTable('users').set({ last_login_at: sql<Date>`now()` }).where('id', '=', userId).execute();
}

export function findOrganization(db: Db, orgId: string): Promise<{ id: string; name: string } | undefined> {
  return db.selectFrom('organizations').select(['id', 'name']).where('id', '=', orgId).executeTakeFirst();
}

/** End every session of the user (their cookies carry the old version). */
export async function bumpSessionVersion(db: Db, orgId: string, userId: number): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({ session_version: eb('session_version', '+', 1) }))
    .where('org_id', '=', orgId)
    .where('id', '=', userId)
    .execute();
}
