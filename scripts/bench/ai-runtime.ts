// AI runtime benchmark (issue 20): --conversations concurrent ConversationRelay sessions on one
// instance (real WebSockets, signed handshakes). The callers and a scripted OpenAI-compatible
// model, whose first token comes after --delay ms, run outside the server, each in a process of
// its own (scripts/bench/ai-runtime-peer.ts --role callers|model). Each conversation says
// --turns things, one after another; all conversations at once. Runtime overhead per turn =
// (prompt sent → our first `text` token received, at the client) − (the model's own first-token
// time: request in → first chunk out, at the model). Also the server's own view: ai_turns.first_token_ms −
// model_first_token_ms (prompt received → first token sent, minus request start → first delta).
// Target (issue 20): p99 ≤ 5 ms with 200 concurrent conversations. Also printed: the server's
// event-loop use and delay, and the load of the two peer processes.
//
// The ceiling (--scenarios ceiling, run first): the same callers and model against a bare relay
// (scripts/bench/ai-relay-ceiling.ts: ws + node:http, no database, no SDK) — what this machine's
// processes and their wake-ups cost any runtime; the runtime's figure is printed beside it.
//
// Before the measured run, --warmup conversations of one turn warm the process (JIT, pools); after
// `setup` each caller waits --greeting-ms (Twilio speaks the welcome greeting before the caller's
// first words), so the session's opening is not counted against the first answer.
//
//   npx tsx scripts/bench/ai-runtime.ts [--conversations 200] [--turns 5] [--delay 200] [--greeting-ms 3000] [--warmup 10]
//                                       [--arrival spread|burst] [--scenarios ceiling,runtime] [--database-url URL]
import { loadavg, cpus } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import { scriptDatabaseUrl } from '../../server/platform/config.js';
import { createAgent, createAgentCall } from '../../test/ai/runtime/fixtures.js';
import { TEST_WEBHOOK_TOKEN } from '../../test/helpers/test-app.js';
import { startBenchApp } from './bench-app.js';
import { createBenchSchema, dropBenchSchema, firstMessage, forkTsChild, percentile, stopChild } from './load.js';
import { markdownTable } from './markdown-table.js';
import { startCeilingRelay } from './ai-relay-ceiling.js';
import type { PeerResult, PeerRun } from './ai-runtime-peer.js';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: scriptDatabaseUrl() },
    conversations: { type: 'string', default: '200' },
    turns: { type: 'string', default: '5' },
    delay: { type: 'string', default: '200' },
    'greeting-ms': { type: 'string', default: '3000' },
    warmup: { type: 'string', default: '10' },
    arrival: { type: 'string', default: 'spread' },
    scenarios: { type: 'string', default: 'ceiling,runtime' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('npx tsx scripts/bench/ai-runtime.ts [--conversations 200] [--turns 5] [--delay 200] [--arrival spread|burst] [--scenarios ceiling,runtime] [--database-url URL]');
  process.exit(0);
}
const CONVERSATIONS = Number(args.conversations);
const TURNS = Number(args.turns);
const DELAY_MS = Number(args.delay);
/** Twilio says the welcome greeting after `setup`, before the caller's first words: the caller waits this long. */
const GREETING_MS = Number(args['greeting-ms']);
const WARMUP = Number(args.warmup);
/**
 * `spread` (as calls arrive): the callers start at random within the greeting's length and pause
 * 1–3 s between turns (listening to the answer, then speaking); `burst`: all 200 start together and
 * ask again the moment an answer ends — every prompt of a round in the same millisecond.
 */
const ARRIVAL = args.arrival === 'burst' ? 'burst' : 'spread';
const SPREAD_MS = ARRIVAL === 'burst' ? 0 : GREETING_MS;
const PAUSE_MS = ARRIVAL === 'burst' ? 0 : 2000;
const TARGET_P99_MS = 5;
/** `ceiling`: a bare relay (scripts/bench/ai-relay-ceiling.ts) with the same callers and model; `runtime`: the API server. */
const SCENARIOS = new Set(args.scenarios.split(',').map((s) => s.trim()));
const databaseUrl = args['database-url'];
const schema = `bench_ai_runtime_${process.pid}`;

await createBenchSchema(databaseUrl, schema);
const database = await openDatabase({ databaseUrl, searchPath: schema, poolSize: 10 });
const peerFile = fileURLToPath(new URL('./ai-runtime-peer.ts', import.meta.url));
const modelPeer = forkTsChild(peerFile, ['--role', 'model', '--delay', String(DELAY_MS)]);
const peer = forkTsChild(peerFile, ['--role', 'callers']);

interface ModelTimings { type: 'timings'; timings: PeerResult['timings']; cpuMs: number; elu: number }
/** Ask the model process for something and wait for its answer of the same type. */
function askModel<T extends { type: string }>(type: 'reset' | 'timings'): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (m: T) => {
      if (m.type !== type) return;
      modelPeer.off('message', onMessage);
      resolve(m);
    };
    modelPeer.on('message', onMessage);
    modelPeer.send({ type });
  });
}

/** One run of the peer's callers over fresh calls; resolves with its samples. */
function runPeer(run: PeerRun): Promise<PeerResult & { wallMs: number }> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: (PeerResult & { wallMs: number }) | { type: 'error'; message: string }) => {
      if (m.type === 'result') {
        peer.off('message', onMessage);
        resolve(m);
      } else if (m.type === 'error') {
        peer.off('message', onMessage);
        reject(new Error(m.message));
      }
    };
    peer.on('message', onMessage);
    peer.send(run);
  });
}

interface Measured {
  /** At the client: prompt sent → first token − the model's own first-token time (sorted). */
  clientOverhead: number[];
  clientTotal: number[];
  modelFirst: number[];
  result: PeerResult & { wallMs: number };
  cpuMs: number;
  elu: ReturnType<typeof performance.eventLoopUtilization>;
  loopDelay: { p50: number; p99: number; max: number };
  model: ModelTimings;
  loadBefore: number[];
  loadAfter: number[];
}

/** One measured run of the callers against `url` (a server speaking ConversationRelay). */
async function measure(url: string, publicBaseUrl: string, calls: PeerRun['calls']): Promise<Measured> {
  await askModel('reset');
  const loadBefore = loadavg();
  const cpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const result = await runPeer({ type: 'run', url, publicBaseUrl, calls, turns: TURNS, greetingMs: GREETING_MS, spreadMs: SPREAD_MS, pauseMs: PAUSE_MS });
  const cpu = process.cpuUsage(cpuBefore);
  const elu = performance.eventLoopUtilization(eluBefore);
  loopDelay.disable();
  const loadAfter = loadavg();
  const model = await askModel<ModelTimings>('timings');
  const modelMs = new Map(model.timings.map((t) => [t.lastUser, t.firstChunkMs]));
  return {
    clientOverhead: result.samples.map((s) => s.ms - (modelMs.get(s.marker) ?? Number.NaN)).filter(Number.isFinite).sort((a, b) => a - b),
    clientTotal: result.samples.map((s) => s.ms).sort((a, b) => a - b),
    modelFirst: [...modelMs.values()].sort((a, b) => a - b),
    result,
    cpuMs: (cpu.user + cpu.system) / 1000,
    elu,
    loopDelay: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    model,
    loadBefore,
    loadAfter,
  };
}

function describeRun(label: string, m: Measured): void {
  const turns = Math.max(1, m.result.samples.length);
  console.log(`${label}: machine load average before ${m.loadBefore.map((l) => l.toFixed(2)).join(' / ')}, after ${m.loadAfter.map((l) => l.toFixed(2)).join(' / ')}; ${(m.result.wallMs / 1000).toFixed(1)} s wall; most conversations open at once: ${m.result.maxOpen}.`);
  console.log(`  server process: ${((m.cpuMs / m.result.wallMs) * 100).toFixed(0)} % of one core, ${(m.cpuMs / turns).toFixed(2)} ms CPU per turn, event loop ${(m.elu.utilization * 100).toFixed(0)} % busy (${(m.elu.active / turns).toFixed(2)} ms per turn), its delay p50 ${m.loopDelay.p50.toFixed(1)} / p99 ${m.loopDelay.p99.toFixed(1)} / max ${m.loopDelay.max.toFixed(1)} ms.`);
  console.log(`  callers' process: ${((m.result.peerCpuMs / m.result.wallMs) * 100).toFixed(0)} % of one core, event loop ${(m.result.peerElu * 100).toFixed(0)} % busy; model's process: ${((m.model.cpuMs / m.result.wallMs) * 100).toFixed(0)} %, event loop ${(m.model.elu * 100).toFixed(0)} % busy.`);
}

try {
  await migrateToLatest(database.db, schema);
  const { baseUrl } = await firstMessage<{ baseUrl: string }>(modelPeer, 'the scripted model');
  await firstMessage(peer, 'the callers');
  const warmup = (prefix: string, url: string, publicBaseUrl: string, calls: PeerRun['calls']) =>
    runPeer({ type: 'run', url, publicBaseUrl, calls: calls.map((c) => ({ ...c, label: `${prefix}${c.label}` })), turns: 1, greetingMs: 200, spreadMs: 0, pauseMs: 0 });

  // The ceiling first: the same callers and model against a bare relay (scripts/bench/ai-relay-ceiling.ts).
  let ceiling: Measured | null = null;
  if (SCENARIOS.has('ceiling')) {
    const relay = await startCeilingRelay(baseUrl);
    const url = `http://127.0.0.1:${relay.port}`;
    const fakeCalls = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ label: `${prefix}${i}`, callSid: `CA${String(i).padStart(32, '0')}`, parameters: {} }));
    await warmup('ceiling-warmup', url, url, fakeCalls('', WARMUP));
    ceiling = await measure(url, url, fakeCalls('ceiling', CONVERSATIONS));
    await relay.close();
  }

  let runtime: (Measured & { serverOverhead: number[]; modelSeenByServer: number[] }) | null = null;
  if (SCENARIOS.has('runtime')) {
    const bench = await startBenchApp(database.db, { AI_BASE_URL: baseUrl, AI_RESPONSE_TIMEOUT_MS: '30000' }, TEST_WEBHOOK_TOKEN);
    const url = `http://127.0.0.1:${bench.port}`;
    const org = await database.db.insertInto('organizations').values({ name: 'Bench AI Org' }).returning('id').executeTakeFirstOrThrow();
    const agent = await createAgent({ db: database.db }, org.id);
    const calls = async (prefix: string, n: number) =>
      Promise.all(Array.from({ length: n }, async (_, i) => ({ label: `${prefix}${i}`, ...(await createAgentCall({ db: database.db }, org.id, agent)) })));
    await warmup('warmup', url, bench.config.publicBaseUrl, await calls('', WARMUP));
    const measuredCalls = await calls('', CONVERSATIONS);
    const started = new Date();
    const measured = await measure(url, bench.config.publicBaseUrl, measuredCalls);

    // Let the conversations finish (summaries written) before reading the server's own timings.
    for (let i = 0; i < 400; i += 1) {
      const open = await database.db.selectFrom('ai_conversations').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow();
      if (Number(open.n) === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const turns = await database.db
      .selectFrom('ai_turns')
      .innerJoin('ai_conversations as c', 'c.id', 'ai_turns.conversation_id')
      .select(['first_token_ms', 'model_first_token_ms'])
      .where('role', '=', 'assistant')
      .where('c.started_at', '>=', started)
      .where('first_token_ms', 'is not', null)
      .where('model_first_token_ms', 'is not', null)
      .execute();
    await bench.app.close();
    runtime = {
      ...measured,
      serverOverhead: turns.map((t) => t.first_token_ms! - t.model_first_token_ms!).sort((a, b) => a - b),
      modelSeenByServer: turns.map((t) => t.model_first_token_ms!).sort((a, b) => a - b),
    };
  }

  const f = (n: number) => n.toFixed(2);
  const row = (label: string, sorted: number[], target: string): string[] => [label, String(sorted.length), f(percentile(sorted, 50)), f(percentile(sorted, 99)), f(sorted[sorted.length - 1] ?? Number.NaN), target];
  console.log(`\nAI runtime: ${CONVERSATIONS} concurrent ConversationRelay conversations × ${TURNS} turns on one instance (PostgreSQL); scripted model (first token after ${DELAY_MS} ms) and the callers each in a process of their own; callers wait ${GREETING_MS} ms after setup (the greeting); arrival ${ARRIVAL}${ARRIVAL === 'spread' ? ` (starts spread over ${SPREAD_MS} ms, ${PAUSE_MS / 2}–${(PAUSE_MS * 3) / 2} ms between a caller's turns)` : ' (all at once, no pause between turns)'}; ${WARMUP} warm-up conversations not counted. Machine: ${cpus().length} cores.`);
  if (ceiling) describeRun('Ceiling (a bare relay: ws + node:http, no database, no SDK)', ceiling);
  if (runtime) describeRun('Runtime (the API server)', runtime);
  const rows: string[][] = [];
  if (ceiling) rows.push(row('ceiling, at the client: prompt → first token − model first token', ceiling.clientOverhead, '—'));
  if (runtime) {
    rows.push(
      row('runtime, at the client: prompt → first token − model first token', runtime.clientOverhead, `p99 ≤ ${TARGET_P99_MS}`),
      row('runtime, at the server: first_token_ms − model_first_token_ms', runtime.serverOverhead, '—'),
      row('runtime, prompt → first token (client)', runtime.clientTotal, '—'),
      row('runtime, model first token (model side: request in → first chunk out)', runtime.modelFirst, `${DELAY_MS} (scripted)`),
      row('runtime, model first token seen by the runtime (request start → first delta)', runtime.modelSeenByServer, '—'),
    );
  }
  console.log(`\n${markdownTable(['measure (ms)', 'turns', 'p50', 'p99', 'max', 'target'], rows, (column) => column === 0 || column === 5).join('\n')}`);
  if (ceiling && runtime) {
    console.log(`\nAbove the ceiling (runtime − ceiling, at the client): p50 ${f(percentile(runtime.clientOverhead, 50) - percentile(ceiling.clientOverhead, 50))} / p99 ${f(percentile(runtime.clientOverhead, 99) - percentile(ceiling.clientOverhead, 99))} ms.`);
  }
  if (runtime) console.log(`Target p99 ≤ ${TARGET_P99_MS} ms (at the client): ${percentile(runtime.clientOverhead, 99) <= TARGET_P99_MS ? 'met' : 'NOT met'}.`);
} finally {
  await stopChild(peer);
  await stopChild(modelPeer);
  await database.close();
  await dropBenchSchema(databaseUrl, schema);
}
