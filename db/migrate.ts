import { type Kysely, Migrator, sql } from 'kysely';
import { migrations } from './migrations/index.js';

/**
 * Apply every pending migration; throws with the failing migration's error. The migration
 * tables live in the connection's current schema (its search_path): without naming it, Kysely
 * would accept a `kysely_migration_lock` found in any other schema of the database.
 */
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<string[]> {
  const migrationTableSchema = schema ?? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
