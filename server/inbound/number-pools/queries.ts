import { type Insertable, type Updateable, type ExpressionBuilder, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DB, Db, NumberPoolRow, NumberPoolsTable, PhoneNumberRow } from '../../../db/types.js';
import { inTransaction } from '../../platform/common/transaction.js';
import { notNamedByOtherCampaign } from '../numbers/queries.js';

export type NewNumberPool = Insertable<NumberPoolsTable>;
export type NumberPoolPatch = Updateable<NumberPoolsTable>;
export type PoolNumberRow = Pick<PhoneNumberRow, 'id' | 'phone_number' | 'is_active'>;
export type NumberPoolWithNumbers = NumberPoolRow & { numbers: PoolNumberRow[] };

/** The pool's numbers as a JSON array in the same statement (no query per pool). */
function poolNumbers(eb: ExpressionBuilder<DB, 'number_pools'>) {
  return jsonArrayFrom(
    eb
      .selectFrom('phone_numbers')
      .select(['phone_numbers.id', 'phone_numbers.phone_number', 'phone_numbers.is_active'])
      .whereRef('phone_numbers.org_id', '=', 'number_pools.org_id')
      .whereRef('phone_numbers.pool_id', '=', 'number_pools.id')
      .orderBy('phone_numbers.id'),
  ).as('numbers');
}

/** Every pool of the organisation with its numbers: one query. */
export function listPoolsInOrg(db: Db, orgId: string): Promise<NumberPoolWithNumbers[]> {
  return db
    .selectFrom('number_pools')
    .selectAll('number_pools')
    .select(poolNumbers)
    .where('number_pools.org_id', '=', orgId)
    .orderBy('number_pools.id')
    .execute();
}

export function findPoolInOrg(db: Db, orgId: string, id: number): Promise<NumberPoolWithNumbers | undefined> {
  return db
    .selectFrom('number_pools')
    .selectAll('number_pools')
    .select(poolNumbers)
    .where('number_pools.org_id', '=', orgId)
    .where('number_pools.id', '=', id)
    .executeTakeFirst();
}

export function poolExistsInOrg(db: Db, orgId: string, id: number): Promise<boolean> {
  return db
    .selectFrom('number_pools')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst()
    .then((row) => row !== undefined);
}

export function insertPool(db: Db, values: NewNumberPool): Promise<NumberPoolRow> {
  return db.insertInto('number_pools').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updatePoolInOrg(db: Db, orgId: string, id: number, patch: NumberPoolPatch): Promise<NumberPoolRow | undefined> {
  return db
    .updateTable('number_pools')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * The pool's numbers stay, outside any pool, and so do its holdings (FKs: ON DELETE SET NULL
 * (pool_id)). In the same statement its live holdings end (a number outside a pool is nobody's) and
 * every holding keeps the pool's idle time: a number whose last holding was still fresh is given to
 * no other visitor, in whatever pool it goes next, while ultra-fast may still answer that holding's
 * session from memory (dni/assign.ts, dni/assign-cache.ts).
 */
export async function deletePoolInOrg(db: Db, orgId: string, id: number): Promise<boolean> {
  const { rows } = await sql<{ id: number }>`
    WITH kept AS (
      UPDATE pool_assignments a SET released_at = COALESCE(a.released_at, now()), idle_timeout_sec = p.idle_timeout_sec
      FROM number_pools p
      WHERE p.org_id = ${orgId} AND p.id = ${id} AND a.org_id = p.org_id AND a.pool_id = p.id
      RETURNING a.id),
    deleted AS (
      DELETE FROM number_pools WHERE org_id = ${orgId} AND id = ${id}
      RETURNING id)
    SELECT id FROM deleted`.execute(db);
  return rows.length > 0;
}

/**
 * Put a number into a pool: only a number of the organisation that is neither pointed at a
 * campaign, nor answered by an AI agent, nor in a pool, nor a campaign's own phoneNumber (it
 * answers for that campaign: numbers/queries.ts) changes. False otherwise (the caller finds
 * out why). Setting an agent checks `pool_id IS NULL` the same way: two such updates of one row
 * are serialised by PostgreSQL, and the second sees the first's change.
 */
export async function putNumberInPool(db: Db, orgId: string, poolId: number, numberId: number): Promise<boolean> {
  const result = await db
    .updateTable('phone_numbers')
    .set({ pool_id: poolId, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', numberId)
    .where('pool_id', 'is', null)
    .where('campaign_id', 'is', null)
    .where('ai_agent_id', 'is', null)
    .where((eb) => notNamedByOtherCampaign(eb))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Take a number out of a pool; false when the number is not in that pool. Its live holdings end in
 * the same transaction: a number outside a pool is nobody's, and calls to it are not attributed.
 * The number's row is locked FOR UPDATE first, which waits for an assignment in flight (one that
 * locked the row, or only referenced it: its holding's foreign key holds a key-share lock), and
 * the holdings are released by a later statement, whose snapshot sees the holding it committed
 * (one statement's would not: the holding stayed live).
 */
export function takeNumberOutOfPool(db: Db, orgId: string, poolId: number, numberId: number): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const inPool = await trx
      .selectFrom('phone_numbers')
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', '=', numberId)
      .where('pool_id', '=', poolId)
      .forUpdate()
      .executeTakeFirst();
    if (!inPool) return false;
    await trx.updateTable('phone_numbers').set({ pool_id: null, updated_at: sql<Date>`now()` }).where('id', '=', numberId).execute();
    await trx
      .updateTable('pool_assignments')
      .set({ released_at: sql<Date>`now()` })
      .where('org_id', '=', orgId)
      .where('phone_number_id', '=', numberId)
      .where('released_at', 'is', null)
      .execute();
    return true;
  });
}
