// Lead import benchmark (issue 17): a generated CSV of --rows leads (1,000,000 by default; mixed
// phone formats, ~1 % invalid, ~1 % repeated numbers) stored as an upload is (chunks in the
// database) and imported by the import worker (server/crm/imports/worker.ts), on PostgreSQL and on
// the embedded database. Prints rows/s and the process's peak RSS growth over the run.
// Targets (PostgreSQL): ≥ 20,000 rows/s; peak RSS growth ≤ 200 MB.
//
//   npx tsx scripts/bench/import.ts [--rows 1000000] [--database-url URL] [--skip-embedded] [--skip-postgres] [--keep-schema bench_leads]
//
// On PostgreSQL it works in a schema of its own (dropped at the end; --keep-schema NAME keeps the
// imported leads in schema NAME for scripts/bench/search.ts).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import { chunkWriter, claimImport, insertImport } from '../../server/crm/imports/queries.js';
import { runImport } from '../../server/crm/imports/worker.js';
import { scriptDatabaseUrl } from '../../server/platform/config.js';
import { leadCsvBlocks } from './lead-volume.js';
import { createBenchSchema, dropBenchSchema } from './load.js';
import { markdownTable } from './markdown-table.js';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'database-url': { type: 'string', default: scriptDatabaseUrl() },
    'skip-embedded': { type: 'boolean', default: false },
    'skip-postgres': { type: 'boolean', default: false },
    'keep-schema': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('npx tsx scripts/bench/import.ts [--rows 1000000] [--database-url URL] [--skip-embedded] [--skip-postgres] [--keep-schema bench_leads]');
  process.exit(0);
}
const ROWS = Number(args.rows);
const MB = 1024 * 1024;


interface Result {
  database: string;
  rows: number;
  inserted: number;
  storeSeconds: number;
  importSeconds: number;
  rssBaseMb: number;
  rssPeakGrowthMb: number;
}

async function run(label: string, database: Database): Promise<Result> {
  const { db } = database;
  await migrateToLatest(db);
  const org = await db.insertInto('organizations').values({ name: 'Import bench' }).returning('id').executeTakeFirstOrThrow();
  const user = await db.insertInto('users').values({ org_id: org.id, email: `bench-${Date.now()}@example.com`, password_hash: 'x', role: 'owner' }).returning('id').executeTakeFirstOrThrow();
  const campaign = await db.insertInto('campaigns').values({ org_id: org.id, name: 'Bench', rtb_id: randomBytes(16).toString('hex') }).returning('id').executeTakeFirstOrThrow();
  global.gc?.();
  const rssBase = process.memoryUsage().rss;
  let rssPeak = rssBase;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 25);
  try {
    // The upload: the file stored as it would arrive (one transaction, 1 MiB chunks).
    const storeStart = performance.now();
    const imp = await db.transaction().execute(async (trx) => {
      const row = await insertImport(trx, { orgId: org.id, campaignId: campaign.id, userId: user.id, options: { defaultCountry: 'US', hasHeader: true } });
      await chunkWriter(trx, row.id)(leadCsvBlocks(ROWS));
      return row;
    });
    const storeSeconds = (performance.now() - storeStart) / 1000;
    const importStart = performance.now();
    const claimed = await claimImport(db, 60_000);
    if (claimed?.id !== imp.id) throw new Error('the import was not claimed');
    const outcome = await runImport(db, claimed);
    const importSeconds = (performance.now() - importStart) / 1000;
    const done = await db.selectFrom('lead_imports').selectAll().where('id', '=', imp.id).executeTakeFirstOrThrow();
    if (outcome !== 'completed' || done.total_rows !== ROWS) throw new Error(`import ${outcome}: ${done.total_rows} rows, ${done.failure ?? ''}`);
    console.error(`${label}: ${done.total_rows} rows, ${done.inserted_rows} inserted, ${done.invalid_rows} invalid, ${done.duplicate_rows} duplicates`);
    return { database: label, rows: ROWS, inserted: done.inserted_rows, storeSeconds, importSeconds, rssBaseMb: rssBase / MB, rssPeakGrowthMb: (rssPeak - rssBase) / MB };
  } finally {
    clearInterval(sampler);
  }
}

const results: Result[] = [];
if (!args['skip-postgres']) {
  const schema = args['keep-schema'] ?? `bench_import_${process.pid}`;
  await createBenchSchema(args['database-url'], schema);
  const database = await openDatabase({ databaseUrl: args['database-url'], searchPath: schema, poolSize: 2 });
  try {
    results.push(await run('PostgreSQL', database));
    if (args['keep-schema']) await sql`ANALYZE leads`.execute(database.db);
  } finally {
    await database.close();
    if (!args['keep-schema']) await dropBenchSchema(args['database-url'], schema);
  }
}
if (!args['skip-embedded']) {
  const dir = await mkdtemp(path.join(tmpdir(), 'ccp-import-bench-'));
  const database = await openDatabase({ dataDir: dir });
  try {
    results.push(await run('embedded (PGlite)', database));
  } finally {
    await database.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log(`\nLead import: ${fmt(ROWS)} CSV rows (stored as uploaded, then imported by the worker)\n`);
console.log(
  markdownTable(
    ['database', 'rows', 'inserted', 'store s', 'import s', 'import rows/s', 'RSS at start MB', 'peak RSS growth MB'],
    results.map((r) => [r.database, fmt(r.rows), fmt(r.inserted), fmt(r.storeSeconds, 1), fmt(r.importSeconds, 1), fmt(r.rows / r.importSeconds), fmt(r.rssBaseMb), fmt(r.rssPeakGrowthMb)]),
    (c) => c === 0,
  ).join('\n'),
);
console.log('\nTargets (PostgreSQL): ≥ 20,000 rows/s, peak RSS growth ≤ 200 MB.');
