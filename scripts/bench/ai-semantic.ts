// Semantic knowledge-base search benchmark (issue 20, the optional pgvector addition): how long the
// nearest passages take to find by exact scan (vector-store.ts nearestPassages, the database part
// of a hybrid search), by passage count and vector size, on the embedded database (PGlite loads
// pgvector; this machine's PostgreSQL has no pgvector — pass --database-url for a server that has).
//
//   npx tsx scripts/bench/ai-semantic.ts [--passages 10000,50000] [--dimensions 384,1536] [--runs 100] [--database-url URL]
//
// For each (passages, dimensions): a fresh database (a temporary PGlite folder, or a schema of its
// own on the server), migrated, the vectors' store made; one organisation's ready documents of 100
// passages with random unit vectors written directly; then --runs searches for random unit vectors,
// limit 20 (a hybrid search's candidates for 5 results), one at a time. The embeddings endpoint's
// own time (one request per search) is not included: it is the operator's model's.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { type Database, openDatabase } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import { ensureVectorStore, nearestPassages, vectorLiteral } from '../../server/ai/knowledge/vector-store.js';
import { createBenchSchema, dropBenchSchema, percentile } from './load.js';
import { markdownTable } from './markdown-table.js';
import { seeded } from '../../test/inbound/routing/prng.js';

const { values: args } = parseArgs({
  options: {
    passages: { type: 'string', default: '10000,50000' },
    dimensions: { type: 'string', default: '384,1536' },
    runs: { type: 'string', default: '100' },
    'database-url': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('npx tsx scripts/bench/ai-semantic.ts [--passages 10000,50000] [--dimensions 384,1536] [--runs 100] [--database-url URL]');
  process.exit(0);
}
const PASSAGE_COUNTS = args.passages.split(',').map(Number);
const DIMENSIONS = args.dimensions.split(',').map(Number);
const RUNS = Number(args.runs);
const PER_DOCUMENT = 100;
const LIMIT = 20;
const MODEL = 'bench-model';

const random = seeded(4_2026);
function unitVector(size: number): number[] {
  const v = Array.from({ length: size }, () => random() * 2 - 1);
  const norm = Math.hypot(...v);
  return v.map((x) => Number((x / norm).toFixed(6)));
}

async function openFresh(): Promise<{ database: Database; done: () => Promise<void> }> {
  const url = args['database-url'];
  if (url) {
    const schema = `bench_semantic_${process.pid}`;
    await createBenchSchema(url, schema);
    const database = await openDatabase({ databaseUrl: url, searchPath: schema, poolSize: 2 });
    await migrateToLatest(database.db, schema);
    return { database, done: async () => { await database.close(); await dropBenchSchema(url, schema); } };
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'ccp-bench-semantic-'));
  const database = await openDatabase({ dataDir: dir });
  await migrateToLatest(database.db);
  return { database, done: async () => { await database.close(); await rm(dir, { recursive: true, force: true }); } };
}

const rows: string[][] = [];
const loadBefore = loadavg()[0]!;
for (const passages of PASSAGE_COUNTS) {
  for (const size of DIMENSIONS) {
    const { database, done } = await openFresh();
    const { db } = database;
    try {
      await ensureVectorStore(db);
      const org = await db.insertInto('organizations').values({ name: 'Semantic bench' }).returning('id').executeTakeFirstOrThrow();
      const fillStart = performance.now();
      for (let d = 0; d * PER_DOCUMENT < passages; d += 1) {
        const count = Math.min(PER_DOCUMENT, passages - d * PER_DOCUMENT);
        const doc = await db
          .insertInto('kb_documents')
          .values({ org_id: org.id, title: `Document ${d}`, content_type: 'text/plain', size_bytes: 1, sha256: 'bench', status: 'ready', chunk_count: count, vector_count: count, vector_model: MODEL, processed_at: new Date() })
          .returning('id')
          .executeTakeFirstOrThrow();
        const chunks = await db
          .insertInto('kb_chunks')
          .values(Array.from({ length: count }, (_, position) => ({ org_id: org.id, document_id: doc.id, position, content: `passage ${d}.${position}` })))
          .returning('id')
          .execute();
        const values = chunks.map((c) => sql`(${c.id}, ${org.id}::uuid, ${MODEL}, ${vectorLiteral(unitVector(size))}::public.vector)`);
        await sql`INSERT INTO kb_chunk_embeddings (chunk_id, org_id, model, embedding) VALUES ${sql.join(values)}`.execute(db);
      }
      await sql`ANALYZE kb_chunk_embeddings`.execute(db);
      const fillSeconds = (performance.now() - fillStart) / 1000;
      await nearestPassages(db, org.id, MODEL, unitVector(size), null, LIMIT); // warm-up
      const times: number[] = [];
      for (let i = 0; i < RUNS; i += 1) {
        const query = unitVector(size);
        const start = performance.now();
        const found = await nearestPassages(db, org.id, MODEL, query, null, LIMIT);
        times.push(performance.now() - start);
        if (found.length !== Math.min(LIMIT, passages)) throw new Error(`expected ${LIMIT} passages, got ${found.length}`);
      }
      times.sort((a, b) => a - b);
      rows.push([passages.toLocaleString('en-US'), String(size), percentile(times, 50).toFixed(1), percentile(times, 99).toFixed(1), (times[times.length - 1] ?? 0).toFixed(1), fillSeconds.toFixed(0)]);
      console.error(`done: ${passages} passages × ${size} dimensions`);
    } finally {
      await done();
    }
  }
}
const where = args['database-url'] ? 'PostgreSQL' : 'the embedded database (PGlite)';
console.log(`Semantic search, nearest ${LIMIT} passages by exact scan (nearestPassages) on ${where}; ${RUNS} searches per row, one at a time; load ${loadBefore.toFixed(2)} before. Times in ms.\n`);
console.log(markdownTable(['passages (one organisation)', 'dimensions', 'p50', 'p99', 'max', 'fill s'], rows, () => false).join('\n'));
