// One driver stack for both databases: Kysely PostgresDialect over a pg.Pool, either on a
// PostgreSQL server (DATABASE_URL) or on embedded PGlite in a data folder.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { vector } from '@electric-sql/pglite-pgvector';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { prepareMarkedStatements } from './prepared.js';
import type { DB } from './types.js';

export interface Database {
  db: Kysely<DB>;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  /** Folder of the embedded database (created when missing). */
  dataDir?: string;
  /** PGlite: start from a dumped data folder (tests). */
  loadDataDir?: Blob | File;
  /** PostgreSQL: run every connection with this search_path (tests isolate by schema). */
  searchPath?: string;
  poolSize?: number;
}

/**
 * The extensions the embedded database loads: pg_trgm for lead search (its SQL objects created by
 * a migration), pgvector for semantic knowledge-base search (created at the first start with
 * AI_EMBEDDINGS_MODEL set: server/ai/knowledge/vector-store.ts). Every PGlite the project opens
 * passes these.
 */
export const PGLITE_EXTENSIONS = { pg_trgm, vector };

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // `public` stays on the path after the schema: extensions (pg_trgm) live there.
      ...(options.searchPath ? { options: `-c search_path=${options.searchPath},public` } : {}),
    });
    pool.on('connect', prepareMarkedStatements);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  if (!options.dataDir && !options.loadDataDir) throw new Error('openDatabase needs databaseUrl or dataDir');
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const lite = await PGlite.create({
    extensions: PGLITE_EXTENSIONS,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  const pool = new pg.Pool({ ...createPgConfig(lite), max: 1 });
  pool.on('connect', prepareMarkedStatements);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'pglite',
    close: async () => {
      await db.destroy();
      await lite.close();
    },
  };
}
