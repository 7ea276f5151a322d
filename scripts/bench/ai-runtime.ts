// AI runtime benchmark (issue 20): --conversations concurrent ConversationRelay sessions on one
// instance (real WebSockets, signed handshakes) against a scripted OpenAI-compatible model (its
// own process) whose first token comes after --delay ms. Each conversation says --turns things,
// one after another; all conversations at once. Runtime overhead per turn = (prompt sent → our
// first `text` token received, at the client) − (the model's own first-token time: request in →
// first chunk out, at the model). Also the server's own view: ai_turns.first_token_ms −
// model_first_token_ms (prompt received → first token sent, minus request start → first delta).
// Target (issue 20): p99 ≤ 5 ms with 200 concurrent conversations.
//
// Before the measured run, --warmup conversations of one turn warm the process (JIT, pools); after
// `setup` each caller waits --greeting-ms (Twilio speaks the welcome greeting before the caller's
// first words), so the session's opening is not counted against the first answer.
//
//   npx tsx scripts/bench/ai-runtime.ts [--conversations 200] [--turns 5] [--delay 200] [--greeting-ms 3000] [--warmup 10] [--database-url URL]
import { loadavg, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import { scriptDatabaseUrl } from '../../server/platform/config.js';
import { createAgent, createAgentCall } from '../../test/ai/runtime/fixtures.js';
import { connectRelay, setupMessage } from '../../test/ai/runtime/relay-client.js';
import { TEST_WEBHOOK_TOKEN } from '../../test/helpers/test-app.js';
import { startBenchApp } from './bench-app.js';
import { createBenchSchema, dropBenchSchema, firstMessage, forkTsChild, percentile, stopChild } from './load.js';
import { markdownTable } from './markdown-table.js';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: scriptDatabaseUrl() },
    conversations: { type: 'string', default: '200' },
    turns: { type: 'string', default: '5' },
    delay: { type: 'string', default: '200' },
    'greeting-ms': { type: 'string', default: '3000' },
    warmup: { type: 'string', default: '10' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('npx tsx scripts/bench/ai-runtime.ts [--conversations 200] [--turns 5] [--delay 200] [--database-url URL]');
  process.exit(0);
}
const CONVERSATIONS = Number(args.conversations);
const TURNS = Number(args.turns);
const DELAY_MS = Number(args.delay);
/** Twilio says the welcome greeting after `setup`, before the caller's first words: the caller waits this long. */
const GREETING_MS = Number(args['greeting-ms']);
const WARMUP = Number(args.warmup);
const TARGET_P99_MS = 5;
const databaseUrl = args['database-url'];
const schema = `bench_ai_runtime_${process.pid}`;

await createBenchSchema(databaseUrl, schema);
const database = await openDatabase({ databaseUrl, searchPath: schema, poolSize: 10 });
const modelChild = forkTsChild(fileURLToPath(new URL('./ai-model-server.ts', import.meta.url)), ['--delay', String(DELAY_MS)]);
try {
  await migrateToLatest(database.db, schema);
  const { baseUrl } = await firstMessage<{ baseUrl: string }>(modelChild, 'the scripted model');
  const bench = await startBenchApp(database.db, { AI_BASE_URL: baseUrl, AI_RESPONSE_TIMEOUT_MS: '30000' }, TEST_WEBHOOK_TOKEN);
  const target = { url: `http://127.0.0.1:${bench.port}`, config: bench.config };
  const org = await database.db.insertInto('organizations').values({ name: 'Bench AI Org' }).returning('id').executeTakeFirstOrThrow();
  const agent = await createAgent({ db: database.db }, org.id);

  const conversation = async (label: string, turns: number, samples: { marker: string; ms: number }[]) => {
    const call = await createAgentCall({ db: database.db }, org.id, agent);
    const relay = await connectRelay(target);
    relay.send(setupMessage(call.callSid, call.parameters));
    await new Promise((r) => setTimeout(r, GREETING_MS));
    for (let turn = 0; turn < turns; turn += 1) {
      const marker = `Question ${label}-${turn}: when are you open?`;
      const answer = await relay.prompt(marker);
      if (answer.firstAt === null) throw new Error(`no answer to ${marker}: ${answer.text}`);
      samples.push({ marker, ms: answer.firstAt - answer.sentAt });
    }
    await relay.close();
  };
  await Promise.all(Array.from({ length: WARMUP }, (_, w) => conversation(`warmup${w}`, 1, [])));

  const loadBefore = loadavg();
  const started = performance.now();
  const clientSamples: { marker: string; ms: number }[] = [];
  await Promise.all(Array.from({ length: CONVERSATIONS }, (_, c) => conversation(String(c), TURNS, clientSamples)));
  const wallSec = (performance.now() - started) / 1000;
  const loadAfter = loadavg();

  modelChild.send({ type: 'report' });
  const { timings } = await new Promise<{ timings: { lastUser: string; firstChunkMs: number }[] }>((resolve) => {
    modelChild.on('message', (m: { type?: string; timings?: { lastUser: string; firstChunkMs: number }[] }) => {
      if (m.type === 'report' && m.timings) resolve({ timings: m.timings });
    });
  });
  const modelMs = new Map(timings.map((t) => [t.lastUser, t.firstChunkMs]));
  const clientOverhead = clientSamples.map((s) => s.ms - (modelMs.get(s.marker) ?? Number.NaN)).filter(Number.isFinite).sort((a, b) => a - b);
  const clientTotal = clientSamples.map((s) => s.ms).sort((a, b) => a - b);
  const modelFirst = [...modelMs.values()].sort((a, b) => a - b);

  // Let the conversations finish (summaries written) before reading the server's own timings.
  for (let i = 0; i < 400; i += 1) {
    const open = await database.db.selectFrom('ai_conversations').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow();
    if (Number(open.n) === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const turns = await database.db.selectFrom('ai_turns').innerJoin('ai_conversations as c', 'c.id', 'ai_turns.conversation_id').select(['first_token_ms', 'model_first_token_ms']).where('role', '=', 'assistant').where('c.started_at', '>=', new Date(Date.now() - (performance.now() - started) - 1000)).where('first_token_ms', 'is not', null).where('model_first_token_ms', 'is not', null).execute();
  const serverOverhead = turns.map((t) => t.first_token_ms! - t.model_first_token_ms!).sort((a, b) => a - b);
  const modelSeenByServer = turns.map((t) => t.model_first_token_ms!).sort((a, b) => a - b);
  await bench.app.close();

  const f = (n: number) => n.toFixed(2);
  const row = (label: string, sorted: number[], target: string): string[] => [label, String(sorted.length), f(percentile(sorted, 50)), f(percentile(sorted, 99)), f(sorted[sorted.length - 1] ?? Number.NaN), target];
  const pass = percentile(clientOverhead, 99) <= TARGET_P99_MS;
  console.log(`\nAI runtime: ${CONVERSATIONS} concurrent ConversationRelay conversations × ${TURNS} turns on one instance, scripted model first token after ${DELAY_MS} ms (its own process), PostgreSQL; ${WARMUP} warm-up conversations not counted.`);
  console.log(`Machine: ${cpus().length} cores; load average before ${loadBefore.map((l) => l.toFixed(2)).join(' / ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' / ')}; ${wallSec.toFixed(1)} s wall.\n`);
  console.log(
    markdownTable(
      ['measure (ms)', 'turns', 'p50', 'p99', 'max', 'target'],
      [
        row('overhead at the client: prompt → first token − model first token', clientOverhead, `p99 ≤ ${TARGET_P99_MS}`),
        row('overhead at the server: first_token_ms − model_first_token_ms', serverOverhead, '—'),
        row('prompt → first token (client)', clientTotal, '—'),
        row('model first token (model side: request in → first chunk out)', modelFirst, `${DELAY_MS} (scripted)`),
        row('model first token seen by the runtime (request start → first delta)', modelSeenByServer, '—'),
      ],
      (column) => column === 0 || column === 5,
    ).join('\n'),
  );
  console.log(`\nTarget p99 ≤ ${TARGET_P99_MS} ms: ${pass ? 'met' : 'NOT met'}.`);
} finally {
  await stopChild(modelChild);
  await database.close();
  await dropBenchSchema(databaseUrl, schema);
}
