// Migrate an embedded database once and save it; every test file boots from the saved copy.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { PGLITE_EXTENSIONS } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';

export const TEMPLATE_FILE = path.resolve('.test-data/pglite-template.tgz');

export default async function setup(): Promise<void> {
  const lite = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ ...createPgConfig(lite), max: 1 }) }) });
  await migrateToLatest(db);
  await db.destroy();
  const dump = await lite.dumpDataDir('gzip');
  await lite.close();
  await mkdir(path.dirname(TEMPLATE_FILE), { recursive: true });
  await writeFile(TEMPLATE_FILE, Buffer.from(await dump.arrayBuffer()));
}
