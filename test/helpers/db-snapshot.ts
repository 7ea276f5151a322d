// Every row of every table of the test database, for "nothing changed" checks. The table list is
// read from the database itself (the current schema's base tables), so a table added by a new
// migration is covered without editing any test.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';

/** Columns a check may ignore, by table (e.g. a key's last_used_at moves when it is used). */
export type IgnoredColumns = Readonly<Record<string, readonly string[]>>;

/** Tables that hold no state of the application (the migration runner's history). */
const NOT_STATE = /^kysely_migration/;

export async function tableNames(db: Kysely<DB>): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    SELECT c.relname AS name
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
    ORDER BY c.relname`.execute(db);
  return rows.rows.map((r) => r.name).filter((name) => !NOT_STATE.test(name));
}

/** Rows in a stable order (by their JSON text), with the ignored columns left out. */
function canonical(rows: ReadonlyArray<Record<string, unknown>>, ignored: readonly string[]): Array<Record<string, unknown>> {
  const kept = rows.map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => !ignored.includes(column))));
  return kept
    .map((row) => ({ row, key: JSON.stringify(row) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((entry) => entry.row);
}

/** The whole state: table name → its rows. Run sequentially (PGlite is one connection). */
export async function snapshotTables(db: Kysely<DB>, ignore: IgnoredColumns = {}): Promise<Record<string, unknown[]>> {
  const state: Record<string, unknown[]> = {};
  const names = await tableNames(db);
  if (!names.includes('calls')) throw new Error(`snapshotTables: the current schema has no application tables (${names.join(', ')})`);
  for (const name of names) {
    const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(name)}`.execute(db);
    state[name] = canonical(rows.rows, ignore[name] ?? []);
  }
  return state;
}
