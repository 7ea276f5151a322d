import { sql } from 'kysely';
import type { Db, NewUser, Role, UserRow } from '../../../db/types.js';

export function findUserInOrg(db: Db, orgId: string, userId: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('org_id', '=', orgId).where('id', '=', userId).executeTakeFirst();
}

/** Accounts a login may open: at most this many share one email or username (see logIn). */
export const MAX_ACCOUNTS_PER_LOGIN = 5;

/**
 * The accounts with this email (any organisation, or the one named), oldest first. Emails are
 * unique per organisation only, so one address may hold several accounts, and anyone may register
 * a new organisation with any address: were the most recently used first, five such registrations
 * (each logs in) would push the address's real account out of the ones a login checks.
 */
export function findUsersByEmail(db: Db, email: string, orgId?: string): Promise<UserRow[]> {
  let query = db.selectFrom('users').selectAll().where(sql<string>`lower(email)`, '=', email.toLowerCase());
  if (orgId !== undefined) query = query.where('org_id', '=', orgId);
  return query.orderBy('id').limit(MAX_ACCOUNTS_PER_LOGIN).execute();
}

/** Seed 001 logs in by `username`, which may also hold an email address (oldest accounts first, as above). */
export function findUsersByLogin(db: Db, login: string, orgId?: string): Promise<UserRow[]> {
  const value = login.toLowerCase();
  let query = db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb(sql<string>`lower(email)`, '=', value), eb(sql<string>`lower(username)`, '=', value)]));
  if (orgId !== undefined) query = query.where('org_id', '=', orgId);
  return query.orderBy('id').limit(MAX_ACCOUNTS_PER_LOGIN).execute();
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

/** A user of the organisation, its row locked until the transaction ends (role changes and removals of it wait). */
export function lockUserInOrg(db: Db, orgId: string, userId: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('org_id', '=', orgId).where('id', '=', userId).forUpdate().executeTakeFirst();
}

/**
 * Lock the organisation's owners (so two concurrent demotions cannot remove the last one), always
 * in the order of their ids: two requests taking them never hold one each while waiting for the other.
 */
export async function lockOwners(db: Db, orgId: string): Promise<number[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where('role', '=', 'owner')
    .orderBy('id')
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

/**
 * Replace the user's password hash and end every session of theirs (the version their cookies
 * carry moves on); the new session version, or undefined when no such user.
 */
export async function replacePasswordHash(db: Db, orgId: string, userId: number, passwordHash: string): Promise<number | undefined> {
  const row = await db
    .updateTable('users')
    .set((eb) => ({ password_hash: passwordHash, session_version: eb('session_version', '+', 1), updated_at: sql<Date>`now()` }))
    .where('org_id', '=', orgId)
    .where('id', '=', userId)
    .returning('session_version')
    .executeTakeFirst();
  return row?.session_version;
}
