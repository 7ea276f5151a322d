// Voice-webhook benchmark (issue 4): signed Twilio voice webhooks against the real app.
//
//   npx tsx scripts/bench/webhook.ts               # PostgreSQL at --database-url (default postgres://postgres@127.0.0.1:5432/test)
//   npx tsx scripts/bench/webhook.ts --embedded    # embedded PGlite in a temporary folder
//   npx tsx scripts/bench/webhook.ts --scenarios priority,unknown --profile-sql   # SQL round trips per call
//   npx tsx scripts/bench/webhook.ts --scenarios priority --in-flight 50 --cpu-prof /tmp/prof   # V8 profile of the server
//   npx tsx scripts/bench/webhook.ts --help        # every knob
//
// Scenarios, each at every --in-flight level (requests kept in flight by one keep-alive undici Pool):
//   ceiling   a bare Fastify route (form parsing, constant TwiML): the most this HTTP path can do
//   priority  (a) a priority campaign, 3 buyers without limits, no RTB         target ≥ 1,500 calls/s (PostgreSQL)
//   locked    (a') the same with limited buyers (max_concurrent_calls 500, never reached): the locked
//             reservation path (reserve_leg(): the buyer's row lock, usage counts)
//             target ≥ 90 % of (a) and ≥ 1,500 calls/s, p99 ≤ 50 ms at 50 in flight
//   hot       (a'') one buyer with a concurrency limit and hourly / daily / monthly caps (never
//             reached) taking every call: all calls in flight contend for its one row lock; same target
// In every scenario calls end: the bench server ends each leg ~100 ms after it started (as status
// callbacks would), and after each warm-up the buyers' leg counters are past their 30 s grace.
// Every loaded scenario is warmed (--warmup calls) before any is measured, then measured --rounds
// times, the order turned by one each round (webhook-rounds.ts): the first row after a warm-up
// used to run on a process still warming up (on 5 December (a) gave 573–676 calls/s run first and
// 1,006 run last), which flattered the shares of (a).
//   rtb       (b) an RTB campaign, 2 stub bidders answering after 50 ms, no buyers
//             target p99 ≤ bidding deadline + 20 ms
//   rtb-overhead  (not by default) three rows, calls ONE AT A TIME: an RTB campaign with 10, then with
//             100 stub bidders answering after --bidder-delay ms, no buyers; then the realistic one:
//             the 10 bidders as targets with a concurrency limit and caps, and a buyer with limits
//             behind them; the figure is the RTB overhead through the voice webhook = answer time −
//             bidder delay (p50 / p99); target p99 ≤ 10 ms with 10 bidders, ≤ 20 ms with 100
//             each preceded by its ceiling: a bare Fastify app holding the same auction over the same
//             bidders and answering the winner, no database (rtb-ceiling.ts)
//   unknown   (not by default) a number nobody owns: the polite message, still recorded (4 SQL
//             statements): with `priority` it separates the per-request cost from the per-query cost
//
// The server under test runs in a SEPARATE process (webhook-server.ts) on a fresh PostgreSQL
// schema bench_<random> (dropped at the end) or on PGlite; the stub bidders run in another
// (stub-bidders.ts). Every request is a new call: a unique CallSid (CA + 32 hex), To = the
// campaign's number, a random US From, signed like Twilio signs (X-Twilio-Signature over
// PUBLIC_BASE_URL + path + the form). Every answer is checked (200, a <Dial> to the expected
// destination); failures are counted and shown in the table, never dropped. A second table shows
// where the CPU went (server process, its PostgreSQL backends, load generator, everything else):
// all of it shares this machine's CPUs, so read the figures with the machine line above them.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import twilio from 'twilio';
import { Pool } from 'undici';
import { cpuMark, cpuSince } from './cpu-accounting.js';
import { type Check, dropBenchSchema, firstMessage, forkTsChild, type LoadRequest, percentile, runLoad, stopChild } from './load.js';
import { type BidderLateness, printWebhookReport, type Row, type ScenarioName, type ServerStats } from './webhook-report.js';
import { joinRounds, type Measurement, roundOrder } from './webhook-rounds.js';
import { LOCAL_TEST_DATABASE_URL } from '../../server/platform/config.js';

// Knobs are command-line options (configuration proper is read only by server/platform/config.ts).
const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: LOCAL_TEST_DATABASE_URL },
    embedded: { type: 'boolean', default: false },
    'in-flight': { type: 'string', default: '10,50' },
    scenarios: { type: 'string', default: 'ceiling,priority,locked,rtb' },
    calls: { type: 'string', default: '3000' },
    'ceiling-calls': { type: 'string', default: '20000' },
    'rtb-calls': { type: 'string', default: '1000' },
    'overhead-calls': { type: 'string', default: '300' },
    warmup: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '3' },
    deadline: { type: 'string', default: '500' },
    'bidder-delay': { type: 'string', default: '50' },
    'pool-size': { type: 'string', default: '10' },
    'profile-sql': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    live: { type: 'string', default: 'production' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'npx tsx scripts/bench/webhook.ts [--database-url URL | --embedded] [--in-flight 10,50] [--scenarios ceiling,priority,locked,hot,rtb[,unknown],rtb-overhead]\n' +
      '  [--calls 3000] [--rtb-calls 1000] [--ceiling-calls 20000] [--warmup 300] [--rounds 3] [--deadline 500] [--bidder-delay 50] [--pool-size 10]\n' +
      '  [--profile-sql] [--cpu-prof DIR] [--live production|memory]\n' +
      '  (--profile-sql: SQL round trips per call; --cpu-prof: V8 profile of the server process;\n' +
      '   --live: live events across instances as production sends them — the PostgreSQL adapter on PostgreSQL, the default — or in memory)',
  );
  process.exit(0);
}

const IN_FLIGHT = args['in-flight'].split(',').map(Number);
const SCENARIOS = args.scenarios.split(',').map((s) => s.trim()) as ScenarioName[];
const DEADLINE_MS = Number(args.deadline);
const BIDDER_DELAY_MS = Number(args['bidder-delay']);
const WARMUP = Number(args.warmup);
const ROUNDS = Math.max(1, Number(args.rounds));
const TOKEN = 'bench-webhook-token-0123456789abcdef';
const PATH = '/api/webhooks/voice';
const DATABASE_URL = args.embedded ? undefined : args['database-url'];
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

for (const s of SCENARIOS) if (!['ceiling', 'priority', 'locked', 'hot', 'rtb', 'rtb-overhead', 'unknown'].includes(s)) throw new Error(`unknown scenario ${s}`);
/** rtb-overhead: its two rows run once, one call at a time, after the in-flight levels. */
const OVERHEAD = (SCENARIOS as string[]).includes('rtb-overhead');
const LOADED = SCENARIOS.filter((s) => (s as string) !== 'rtb-overhead');

interface Ready {
  appPort: number;
  barePort: number;
  /** The RTB overhead rows' ceiling (scripts/bench/rtb-ceiling.ts); 0 when not started. */
  rtbCeilingPort: number;
  kind: 'postgres' | 'pglite';
  publicBaseUrl: string;
  numbers: { priority: string; locked: string; hot: string; rtb: string; rtb10: string; rtb100: string; rtb10capped: string; unknown: string };
  firstBuyer: { priority: string; locked: string; hot: string };
}


// ---------------------------------------------------------------------------------------------
// Children and clean-up

const children: ChildProcess[] = [];
const schema = `bench_${randomBytes(6).toString('hex')}`;
let dataDir: string | undefined;

function forkChild(script: string, argv: string[], execArgv: string[] = []): ChildProcess {
  const child = forkTsChild(here(script), argv, execArgv);
  children.push(child);
  return child;
}

let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  await Promise.all(children.map(stopChild));
  if (DATABASE_URL) {
    await dropBenchSchema(DATABASE_URL, schema);
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  console.error('\ninterrupted: cleaning up');
  void cleanup().finally(() => process.exit(130));
});

// ---------------------------------------------------------------------------------------------
// Load

interface Prepared {
  body: string;
  signature: string;
}

function randomUsNumber(): string {
  return `+1${200 + Math.floor(Math.random() * 800)}555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
}

/** Signed forms, made before the clock starts (signing is Twilio's work, not the server's). */
function prepare(count: number, to: string, publicBaseUrl: string): Prepared[] {
  const url = `${publicBaseUrl}${PATH}`;
  return Array.from({ length: count }, () => {
    const params = { CallSid: `CA${randomBytes(16).toString('hex')}`, AccountSid: `AC${'0'.repeat(32)}`, To: to, From: randomUsNumber(), CallStatus: 'ringing', CallerState: 'CA', CallerZip: '90210' };
    return { body: new URLSearchParams(params).toString(), signature: twilio.getExpectedTwilioSignature(TOKEN, url, params) };
  });
}

function run(pool: Pool, requests: Prepared[], inFlight: number, check: Check) {
  const load: LoadRequest[] = requests.map((r) => ({
    path: PATH,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': r.signature },
    body: r.body,
  }));
  return runLoad(pool, load, inFlight, check);
}

function dialCheck(destination: RegExp) {
  return (status: number, body: string): string | null => {
    if (status !== 200) return `HTTP ${status}`;
    if (!body.includes('<Dial')) return 'no <Dial> (fallback answer)';
    if (!destination.test(body)) return 'unexpected <Dial> destination';
    return null;
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Main

const rows: Row[] = [];
let ready: Ready | undefined;
let server: ChildProcess | undefined;
let pgVersion = '';
let autovacuum = '';

let biddersPid: number | undefined;
let bidderProcess: ChildProcess | undefined;

/** The stub bidders' own lateness since the last ask (stub-bidders.ts); undefined without bidders. */
async function askBidderLateness(): Promise<BidderLateness | undefined> {
  if (!bidderProcess) return undefined;
  const answer = firstMessage<{ lateness: BidderLateness }>(bidderProcess, 'stub bidders lateness', 30_000);
  bidderProcess.send({ cmd: 'lateness' });
  return (await answer).lateness;
}
const loadBefore = os.loadavg();

async function ask<T>(cmd: string): Promise<T> {
  if (!server) throw new Error('no server');
  const answer = firstMessage<T & { error?: string }>(server, cmd, 60_000);
  server.send({ cmd });
  const m = await answer;
  if (m.error) throw new Error(`server ${cmd}: ${m.error}`);
  return m;
}
const askStats = async () => (await ask<{ stats: ServerStats }>('stats')).stats;

try {
  let bidderPorts: number[] = [];
  let overheadPorts: number[] = [];
  if (SCENARIOS.includes('rtb') || OVERHEAD) {
    const bidders = forkChild('./stub-bidders.ts', [OVERHEAD ? '100' : '2', String(BIDDER_DELAY_MS)]);
    const ports = (await firstMessage<{ ports: number[] }>(bidders, 'stub bidders')).ports;
    if (SCENARIOS.includes('rtb')) bidderPorts = ports.slice(0, 2);
    if (OVERHEAD) overheadPorts = ports;
    biddersPid = bidders.pid;
    bidderProcess = bidders;
  }
  const serverArgs = ['--schema', schema, '--webhook-token', TOKEN, '--pool-size', args['pool-size'], '--bidder-ports', bidderPorts.join(','), '--deadline', String(DEADLINE_MS)];
  if (overheadPorts.length > 0) serverArgs.push('--overhead-bidder-ports', overheadPorts.join(','));
  if (DATABASE_URL) serverArgs.push('--database-url', DATABASE_URL);
  else {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-webhook-'));
    serverArgs.push('--data-dir', dataDir);
  }
  if (args['profile-sql']) serverArgs.push('--profile-sql');
  serverArgs.push('--live', args.live);
  const execArgv = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args['cpu-prof'])}`] : [];
  server = forkChild('./webhook-server.ts', serverArgs, execArgv);
  ready = await firstMessage<Ready>(server, 'webhook server');
  if (DATABASE_URL) {
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    pgVersion = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '';
    autovacuum = (await admin.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0]?.autovacuum ?? '';
    await admin.end();
  }
  const r = ready;

  const plan: Record<ScenarioName, { port: number; to: string; calls: number; check: (status: number, body: string) => string | null }> = {
    ceiling: { port: r.barePort, to: r.numbers.priority, calls: Number(args['ceiling-calls']), check: dialCheck(/<Number>/) },
    priority: { port: r.appPort, to: r.numbers.priority, calls: Number(args.calls), check: dialCheck(new RegExp(`<Number>${escapeRegExp(r.firstBuyer.priority)}</Number>`)) },
    locked: { port: r.appPort, to: r.numbers.locked, calls: Number(args.calls), check: dialCheck(new RegExp(`<Number>${escapeRegExp(r.firstBuyer.locked)}</Number>`)) },
    hot: { port: r.appPort, to: r.numbers.hot, calls: Number(args.calls), check: dialCheck(new RegExp(`<Number>${escapeRegExp(r.firstBuyer.hot)}</Number>`)) },
    // The stub bidders' destinations are +1212555xxxx (stub-bidders.ts).
    rtb: { port: r.appPort, to: r.numbers.rtb, calls: Number(args['rtb-calls']), check: dialCheck(/<Number>\+1212555\d{4}<\/Number>/) },
    rtb10: { port: r.appPort, to: r.numbers.rtb10, calls: Number(args['overhead-calls']), check: dialCheck(/<Number>\+1212555\d{4}<\/Number>/) },
    rtb100: { port: r.appPort, to: r.numbers.rtb100, calls: Number(args['overhead-calls']), check: dialCheck(/<Number>\+1212555\d{4}<\/Number>/) },
    rtb10capped: { port: r.appPort, to: r.numbers.rtb10capped, calls: Number(args['overhead-calls']), check: dialCheck(/<Number>\+1212555\d{4}<\/Number>/) },
    'ceiling-rtb10': { port: r.rtbCeilingPort, to: r.numbers.rtb10, calls: Number(args['overhead-calls']), check: dialCheck(/<Number>\+1212555\d{4}<\/Number>/) },
    'ceiling-rtb100': { port: r.rtbCeilingPort, to: r.numbers.rtb100, calls: Number(args['overhead-calls']), check: dialCheck(/<Number>\+1212555\d{4}<\/Number>/) },
    unknown: {
      port: r.appPort,
      to: r.numbers.unknown,
      calls: Number(args.calls),
      check: (status, body) => (status !== 200 ? `HTTP ${status}` : body.includes('<Say') && !body.includes('<Dial') ? null : 'not the unknown-number message'),
    },
  };

  const loaded: Array<[number, ScenarioName]> = IN_FLIGHT.flatMap((inFlight) => LOADED.map((scenario): [number, ScenarioName] => [inFlight, scenario]));
  const overhead: Array<[number, ScenarioName]> = OVERHEAD ? [[1, 'ceiling-rtb10'], [1, 'rtb10'], [1, 'rtb10capped'], [1, 'ceiling-rtb100'], [1, 'rtb100']] : [];
  const warmupCalls = (inFlight: number, full: boolean) => (inFlight === 1 || !full ? Math.min(WARMUP, 100) : WARMUP);

  /** One measured run: VACUUM, a few calls (connections), the counters steady, then the calls timed. */
  async function measure(inFlight: number, scenario: ScenarioName, fullWarmup: boolean): Promise<Measurement> {
    const p = plan[scenario];
    const pool = new Pool(`http://127.0.0.1:${p.port}`, { connections: inFlight, pipelining: 1, keepAliveTimeout: 60_000 });
    try {
      const ceilingRow = scenario.startsWith('ceiling');
      if (!ceilingRow) await ask('vacuum');
      await run(pool, prepare(warmupCalls(inFlight, fullWarmup), p.to, r.publicBaseUrl), inFlight, p.check);
      if (!ceilingRow) await ask('steady');
      const requests = prepare(p.calls, p.to, r.publicBaseUrl);
      const before = await askStats();
      const pids = r.kind === 'postgres' ? before.backendPids : [];
      const mark = cpuMark(biddersPid, pids);
      const bidding = scenario === 'rtb' || scenario.includes('rtb10');
      if (bidding) await askBidderLateness(); // from here on
      const result = await run(pool, requests, inFlight, p.check);
      const bidderLateness = bidding ? await askBidderLateness() : undefined;
      const stats = await askStats();
      const cpu = cpuSince(mark, biddersPid, pids, stats.cpuMs);
      console.error(
        `  ${scenario} @ ${inFlight}: ${((p.calls / result.elapsed) * 1000).toFixed(0)} calls/s, p50 ${percentile(result.latencies, 50).toFixed(1)} ms, ` +
          `p99 ${percentile(result.latencies, 99).toFixed(1)} ms, failures ${result.failures}`,
      );
      return { scenario, inFlight, calls: p.calls, failures: result.failures, reasons: result.reasons, latencies: result.latencies, elapsedMs: result.elapsed, stats, cpu, ...(bidderLateness ? { bidderLateness } : {}) };
    } finally {
      await pool.close();
    }
  }

  // Every loaded scenario warmed first (JIT, connections, pg pool), then measured in rounds, the
  // order turned each round (webhook-rounds.ts); the overhead rows (one call at a time, each behind
  // its ceiling) once, after them.
  for (const [inFlight, scenario] of loaded) {
    if (scenario === 'ceiling') continue;
    const p = plan[scenario];
    const pool = new Pool(`http://127.0.0.1:${p.port}`, { connections: inFlight, pipelining: 1, keepAliveTimeout: 60_000 });
    try {
      await run(pool, prepare(warmupCalls(inFlight, true), p.to, r.publicBaseUrl), inFlight, p.check);
    } finally {
      await pool.close();
    }
  }
  const measured: Measurement[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    if (ROUNDS > 1) console.error(`round ${round + 1} of ${ROUNDS}`);
    for (const [inFlight, scenario] of roundOrder(loaded, round)) measured.push(await measure(inFlight, scenario, false));
  }
  rows.push(...joinRounds(measured));
  for (const [inFlight, scenario] of overhead) {
    rows.push(...joinRounds([await measure(inFlight, scenario, true)]));
  }
} finally {
  await cleanup();
}

printWebhookReport(rows, {
  database: ready?.kind === 'pglite' ? 'PGlite' : 'PostgreSQL',
  pgVersion,
  autovacuum,
  poolSize: args['pool-size'],
  bidderDelayMs: BIDDER_DELAY_MS,
  deadlineMs: DEADLINE_MS,
  warmup: WARMUP,
  rounds: ROUNDS,
  withBidders: SCENARIOS.includes('rtb') || OVERHEAD,
  profileSql: args['profile-sql'],
  cpuProf: Boolean(args['cpu-prof']),
  loadBefore,
});
