// Knowledge-base benchmark (issue 20): search latency over 100,000 passages on PostgreSQL, and
// ingestion speed (pages per second) through the real worker.
//
//   npx tsx scripts/bench/ai-knowledge.ts [--database-url URL] [--chunks 100000] [--runs 200] [--pages 200] [--keep]
//
// A schema of its own (bench_kb, dropped at the end unless --keep) is migrated and filled directly
// (not through the API): three organisations, the largest holding 80 % of the passages in
// documents of 100 passages, spread over five agents and the shared (no agent) documents. The
// passages are synthetic prose of ~800 characters drawn from a 6,000-word vocabulary with a Zipf
// distribution (so common words match most passages, as in real documents) plus a few domain
// phrases. Each kind of query runs --runs times with different words: searchKnowledge (the function
// behind POST /api/knowledge-base/search and the runtime's search tool), limit 5, one at a time.
// Target (issue 20): p99 ≤ 30 ms. Ingestion: a --pages-page PDF (pdfkit, ~2,000 characters per
// page) and a DOCX of the same text are processed by processDocument (extraction, chunking, one
// transaction of passages); pages (or their equivalent) per second.
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import PDFDocument from 'pdfkit';
import { openDatabase } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import { searchKnowledge } from '../../server/ai/knowledge/search.js';
import { processDocument } from '../../server/ai/knowledge/worker.js';
import { scriptDatabaseUrl } from '../../server/platform/config.js';
import { createBenchSchema, dropBenchSchema, percentile } from './load.js';
import { markdownTable } from './markdown-table.js';
import { documentXml, makeDocx } from '../../test/ai/knowledge/fixtures.js';
import { seeded } from '../../test/inbound/routing/prng.js';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: scriptDatabaseUrl() },
    schema: { type: 'string', default: 'bench_kb' },
    chunks: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '200' },
    pages: { type: 'string', default: '200' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('npx tsx scripts/bench/ai-knowledge.ts [--database-url URL] [--schema bench_kb] [--chunks 100000] [--runs 200] [--pages 200] [--keep]');
  process.exit(0);
}
const CHUNKS = Number(args.chunks);
const RUNS = Number(args.runs);
const PAGES = Number(args.pages);
const TARGET_MS = 30;
const PER_DOCUMENT = 100;
const url = args['database-url'];
const schema = args.schema;

// ---- synthetic text --------------------------------------------------------------------------

/** A small deterministic generator (mulberry32, the tests' own). */
const random = seeded(20_2026);
const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tas', 'vor', 'pel', 'dun', 'sa', 'ter', 'bri', 'col', 'nex', 'fa', 'gor', 'hil', 'jun', 'qua', 'zel', 'wim'];
const VOCABULARY = Array.from({ length: 6000 }, (_, i) => {
  let n = i + 7;
  let word = '';
  while (n > 0 || word.length < 4) {
    word += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length);
  }
  return word;
});
// Zipf: the word of rank r is drawn with weight 1/(r + 1).
const CUMULATIVE: number[] = [];
let running = 0;
for (let r = 0; r < VOCABULARY.length; r += 1) {
  running += 1 / (r + 1);
  CUMULATIVE.push(running);
}
const TOTAL_WEIGHT = running;
function zipfWord(): string {
  const target = random() * TOTAL_WEIGHT;
  let lo = 0;
  let hi = CUMULATIVE.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (CUMULATIVE[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return VOCABULARY[lo]!;
}
const PHRASES = ['return policy', 'warranty claim', 'shipping times', 'refund to the original payment method', 'opening hours', 'loyalty points', 'router reset', 'password change', 'delivery address', 'invoice copy'];
function sentence(): string {
  const words = Array.from({ length: 8 + Math.floor(random() * 10) }, zipfWord);
  if (random() < 0.15) words.splice(Math.floor(random() * words.length), 0, ...PHRASES[Math.floor(random() * PHRASES.length)]!.split(' '));
  return `${words.join(' ')}.`;
}
function passage(): string {
  const parts: string[] = [];
  let length = 0;
  while (length < 780) {
    const s = sentence();
    parts.push(s);
    length += s.length + 1;
  }
  return parts.join(' ');
}

// ---- the run -----------------------------------------------------------------------------------

const loadBefore = loadavg()[0]!;
await createBenchSchema(url, schema);
const { db, close } = await openDatabase({ databaseUrl: url, searchPath: schema, poolSize: 4 });
const lines: string[] = [];
try {
  await migrateToLatest(db, schema);
  const orgs = await db.insertInto('organizations').values([{ name: 'KB bench A' }, { name: 'KB bench B' }, { name: 'KB bench C' }]).returning('id').execute();
  const orgA = orgs[0]!.id;
  const agents = await db
    .insertInto('ai_agents')
    .values(Array.from({ length: 5 }, (_, i) => ({ org_id: orgA, name: `Agent ${i + 1}`, system_prompt: 'Answer from the documents.', model: 'gpt-4o-mini' })))
    .returning('id')
    .execute();

  // Fill: documents of PER_DOCUMENT passages; organisation A 80 %, B and C 10 % each; in A the
  // documents go round-robin to the five agents and "shared" (no agent).
  const fillStart = performance.now();
  const documents = Math.ceil(CHUNKS / PER_DOCUMENT);
  for (let d = 0; d < documents; d += 1) {
    const orgId = d % 10 < 8 ? orgA : orgs[(d % 10) - 7]!.id;
    const agentId = orgId === orgA ? (agents[d % 6]?.id ?? null) : null;
    const doc = await db
      .insertInto('kb_documents')
      .values({ org_id: orgId, agent_id: agentId, title: `Document ${d}`, content_type: 'text/plain', size_bytes: 80_000, sha256: 'bench', file: null, status: 'ready', chunk_count: PER_DOCUMENT, processed_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const count = Math.min(PER_DOCUMENT, CHUNKS - d * PER_DOCUMENT);
    await db
      .insertInto('kb_chunks')
      .values(Array.from({ length: count }, (_, position) => ({ org_id: orgId, document_id: doc.id, agent_id: agentId, position, page: null, content: passage() })))
      .execute();
  }
  await sql`ANALYZE kb_chunks`.execute(db);
  await sql`ANALYZE kb_documents`.execute(db);
  const fillSeconds = (performance.now() - fillStart) / 1000;
  const totalChunks = Number((await db.selectFrom('kb_chunks').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const orgAChunks = Number((await db.selectFrom('kb_chunks').select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', orgA).executeTakeFirstOrThrow()).n);

  const rank = (from: number, to: number) => VOCABULARY[from + Math.floor(random() * (to - from))]!;
  const kinds: Array<[string, () => { text: string; agentId?: string }]> = [
    ['2 rare words (rank 2000–6000)', () => ({ text: `${rank(2000, 6000)} ${rank(2000, 6000)}` })],
    ['2 mid words (rank 200–2000)', () => ({ text: `${rank(200, 2000)} ${rank(200, 2000)}` })],
    ['domain phrase', () => ({ text: PHRASES[Math.floor(random() * PHRASES.length)]! })],
    ['question, 5 words, one common', () => ({ text: `how do I ${rank(0, 20)} the ${rank(200, 2000)} ${rank(2000, 6000)} ${rank(500, 3000)}?` })],
    ['1 common word (rank 0–20)', () => ({ text: rank(0, 20) })],
    ['2 mid words, as one agent', () => ({ text: `${rank(200, 2000)} ${rank(200, 2000)}`, agentId: agents[Math.floor(random() * agents.length)]!.id })],
    ['domain phrase, as one agent', () => ({ text: PHRASES[Math.floor(random() * PHRASES.length)]!, agentId: agents[Math.floor(random() * agents.length)]!.id })],
  ];
  const rows: string[][] = [];
  let worst = 0;
  for (const [label, make] of kinds) {
    await searchKnowledge(db, orgA, { ...make(), limit: 5 }); // warm-up
    const times: number[] = [];
    let hits = 0;
    for (let run = 0; run < RUNS; run += 1) {
      const q = make();
      const start = performance.now();
      const results = await searchKnowledge(db, orgA, { text: q.text, agentId: q.agentId, limit: 5 });
      times.push(performance.now() - start);
      if (results.length > 0) hits += 1;
    }
    times.sort((a, b) => a - b);
    const p99 = percentile(times, 99);
    worst = Math.max(worst, p99);
    rows.push([label, String(RUNS), `${Math.round((hits / RUNS) * 100)} %`, percentile(times, 50).toFixed(1), p99.toFixed(1), times[times.length - 1]!.toFixed(1)]);
  }

  // Ingestion: a PDF of PAGES pages and a DOCX of the same text, through the worker.
  const pageText = () => Array.from({ length: 5 }, () => Array.from({ length: 3 }, sentence).join(' ')).join('\n\n');
  const pages = Array.from({ length: PAGES }, pageText);
  const pdf = await new Promise<Buffer>((resolve, reject) => {
    const doc = new PDFDocument({ autoFirstPage: false });
    const parts: Buffer[] = [];
    doc.on('data', (p: Buffer) => parts.push(p));
    doc.on('end', () => resolve(Buffer.concat(parts)));
    doc.on('error', reject);
    for (const text of pages) doc.addPage({ size: 'A4', margin: 40 }).fontSize(9).text(text, { height: 760 });
    doc.end();
  });
  const docx = makeDocx({ data: documentXml(pages.flatMap((p) => p.split('\n\n'))) });
  const ingest: string[][] = [];
  for (const [label, data, contentType] of [
    ['PDF (pdfkit, unpdf)', pdf, 'application/pdf'],
    ['DOCX (mammoth)', docx, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ] as const) {
    const { id } = await db
      .insertInto('kb_documents')
      .values({ org_id: orgs[1]!.id, title: label, content_type: contentType, size_bytes: data.length, sha256: 'bench', file: data })
      .returning('id')
      .executeTakeFirstOrThrow();
    const start = performance.now();
    const outcome = await processDocument(db, id, { maxPages: 100_000 });
    const seconds = (performance.now() - start) / 1000;
    const row = await db.selectFrom('kb_documents').select(['status', 'chunk_count', 'page_count', 'failure_reason']).where('id', '=', id).executeTakeFirstOrThrow();
    if (outcome !== 'ready') throw new Error(`${label}: ${outcome} ${row.failure_reason ?? ''}`);
    ingest.push([label, `${(data.length / 1024).toFixed(0)} KiB`, String(PAGES), String(row.chunk_count), seconds.toFixed(2), (PAGES / seconds).toFixed(0), (row.chunk_count / seconds).toFixed(0)]);
  }

  const version = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(db);
  lines.push(`Knowledge-base search on PostgreSQL ${version.rows[0]!.v}: ${totalChunks.toLocaleString('en-US')} passages (${orgAChunks.toLocaleString('en-US')} in the searching organisation), filled in ${fillSeconds.toFixed(0)} s; searchKnowledge, limit 5, one query at a time, ${RUNS} runs per kind, times in ms.`);
  lines.push('');
  lines.push(...markdownTable(['query kind', 'runs', 'found', 'p50', 'p99', 'max'], rows, (c) => c === 0));
  lines.push('');
  lines.push(`Target p99 ≤ ${TARGET_MS} ms: ${worst <= TARGET_MS ? 'met' : 'NOT met'} (worst p99 ${worst.toFixed(1)} ms).`);
  lines.push('');
  lines.push('Ingestion through the worker (processDocument: extraction, chunking, one transaction of passages):');
  lines.push('');
  lines.push(...markdownTable(['file', 'size', 'pages', 'passages', 'seconds', 'pages/s', 'passages/s'], ingest, (c) => c === 0));
  lines.push('');
  lines.push(`Machine: ${cpus().length} cores; 1-minute load average ${loadBefore.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end (other jobs share the machine: figures on an idle one are lower).`);
  console.log(lines.join('\n'));
} finally {
  await close();
  if (!args.keep) await dropBenchSchema(url, schema);
}
