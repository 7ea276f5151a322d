import { type Kysely, type Migration, sql } from 'kysely';
import { migrations as allMigrations } from './migrations/index.js';

/**
 * Apply every pending migration, in name order, in one transaction; returns the names applied and
 * throws with the failing migration's error (nothing of the run is kept then).
 *
 * Why not Kysely's `Migrator`: before each run it lists every table of every schema in the
 * database (its introspector calls `has_schema_privilege` and `pg_get_serial_sequence` on each), and
 * those functions fail with "relation/column/schema does not exist" when another schema is being
 * dropped at that moment — which the PostgreSQL test run does all the time (one schema per test
 * file) and any shared server may do. This runner touches only its own schema: it keeps Kysely's
 * bookkeeping table (`kysely_migration`: name, timestamp) so databases migrated before keep their
 * history, and it serialises concurrent runners on the same schema with a transaction advisory lock
 * instead of Kysely's lock table.
 */
export async function migrateToLatest(
  db: Kysely<any>,
  schema?: string,
  migrations: Record<string, Migration> = allMigrations,
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const schemaName = schema ?? (await sql<{ schema: string }>`select current_schema() as schema`.execute(trx)).rows[0]?.schema;
    if (!schemaName) throw new Error('migrate: the connection has no current schema (check search_path)');
    await sql`select pg_advisory_xact_lock(hashtext(${`ccp-migrate:${schemaName}`}))`.execute(trx);
    const history = sql.id(schemaName, 'kysely_migration');
    await sql`create table if not exists ${history} (name varchar(255) primary key, timestamp varchar(255) not null)`.execute(trx);
    const applied = (await sql<{ name: string }>`select name from ${history} order by name`.execute(trx)).rows.map((r) => r.name);
    const pending = pendingMigrations(Object.keys(migrations), applied);
    for (const name of pending) {
      try {
        await migrations[name]!.up(trx);
      } catch (err) {
        throw new Error(`migration ${name} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      await sql`insert into ${history} (name, timestamp) values (${name}, ${new Date().toISOString()})`.execute(trx);
    }
    return pending;
  });
}

/**
 * The migrations still to apply, given the known names and those the database has applied. The
 * database must not know a migration this code does not (it was migrated by a newer version), and
 * a known migration sorting before the last applied one was added out of order: both refuse.
 */
export function pendingMigrations(known: readonly string[], applied: readonly string[]): string[] {
  const knownSet = new Set(known);
  const unknown = applied.filter((name) => !knownSet.has(name));
  if (unknown.length > 0) {
    throw new Error(`migrate: the database has applied migrations this version does not know: ${unknown.join(', ')}`);
  }
  const appliedSet = new Set(applied);
  const last = applied.reduce((max, name) => (name > max ? name : max), '');
  const pending = [...known].sort().filter((name) => !appliedSet.has(name));
  const early = pending.filter((name) => name < last);
  if (early.length > 0) {
    throw new Error(`migrate: migrations sort before the last applied one (${last}): ${early.join(', ')}`);
  }
  return pending;
}
