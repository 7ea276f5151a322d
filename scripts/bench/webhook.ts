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
//   locked    (a') the same with limited buyers (max_concurrent_calls, never reached): the locked
//             reservation path (reserve_leg(): the buyer's row lock, usage counts)
//             target ≥ 90 % of (a) and ≥ 1,500 calls/s, p99 ≤ 50 ms at 50 in flight
//   hot       (a'') one buyer with a concurrency limit and hourly / daily / monthly caps (never
//             reached) taking every call: all calls in flight contend for its one row lock; same target
//   rtb       (b) an RTB campaign, 2 stub bidders answering after 50 ms, no buyers
//             target p99 ≤ bidding deadline + 20 ms
//   rtb-overhead  (not by default) two rows, calls ONE AT A TIME: an RTB campaign with 10, then with
//             100 stub bidders answering after --bidder-delay ms, no buyers; the figure is the RTB
//             overhead through the voice webhook = answer time − bidder delay (p50 / p99)
//             target p99 ≤ 10 ms with 10 bidders, ≤ 20 ms with 100
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
import { cpuMark, cpuSince, type CpuUse } from './cpu-accounting.js';
import { type Check, dropBenchSchema, firstMessage, forkTsChild, type LoadRequest, percentile, runLoad, stopChild } from './load.js';
import { markdownTable } from './markdown-table.js';
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
    deadline: { type: 'string', default: '500' },
    'bidder-delay': { type: 'string', default: '50' },
    'pool-size': { type: 'string', default: '10' },
    'profile-sql': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'npx tsx scripts/bench/webhook.ts [--database-url URL | --embedded] [--in-flight 10,50] [--scenarios ceiling,priority,locked,hot,rtb[,unknown],rtb-overhead]\n' +
      '  [--calls 3000] [--rtb-calls 1000] [--ceiling-calls 20000] [--warmup 300] [--deadline 500] [--bidder-delay 50] [--pool-size 10]\n' +
      '  [--profile-sql] [--cpu-prof DIR]   (--profile-sql: SQL round trips per call; --cpu-prof: V8 profile of the server process)',
  );
  process.exit(0);
}

const IN_FLIGHT = args['in-flight'].split(',').map(Number);
const SCENARIOS = args.scenarios.split(',').map((s) => s.trim()) as ScenarioName[];
const DEADLINE_MS = Number(args.deadline);
const BIDDER_DELAY_MS = Number(args['bidder-delay']);
const WARMUP = Number(args.warmup);
const TOKEN = 'bench-webhook-token-0123456789abcdef';
const PATH = '/api/webhooks/voice';
const PRIORITY_TARGET = 1500;
const LOCKED_P99_MS = 50;
const DATABASE_URL = args.embedded ? undefined : args['database-url'];
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

type ScenarioName = 'ceiling' | 'priority' | 'locked' | 'hot' | 'rtb' | 'rtb10' | 'rtb100' | 'unknown';
for (const s of SCENARIOS) if (!['ceiling', 'priority', 'locked', 'hot', 'rtb', 'rtb-overhead', 'unknown'].includes(s)) throw new Error(`unknown scenario ${s}`);
/** rtb-overhead: its two rows run once, one call at a time, after the in-flight levels. */
const OVERHEAD = (SCENARIOS as string[]).includes('rtb-overhead');
const LOADED = SCENARIOS.filter((s) => (s as string) !== 'rtb-overhead');
const OVERHEAD_TARGET_MS: Record<'rtb10' | 'rtb100', number> = { rtb10: 10, rtb100: 20 };

interface Ready {
  appPort: number;
  barePort: number;
  kind: 'postgres' | 'pglite';
  publicBaseUrl: string;
  numbers: { priority: string; locked: string; hot: string; rtb: string; rtb10: string; rtb100: string; unknown: string };
  firstBuyer: { priority: string; locked: string; hot: string };
}

interface ServerStats {
  /** With --profile-sql only. */
  rows: Array<{ sql: string; count: number; ms: number }>;
  meanWaitingForConnection: number;
  cpuMs: number;
  /** The PostgreSQL backends of the server's pool (their CPU time is read from /proc). */
  backendPids: number[];
  /** Heap size of the campaigns table after the run (a few rows: 8 kB when not bloated). */
  campaignsKb: number;
}


interface Row {
  scenario: ScenarioName;
  inFlight: number;
  calls: number;
  failures: number;
  reasons: Map<string, { count: number; sample: string }>;
  p50: number;
  p99: number;
  max: number;
  perSecond: number;
  stats: ServerStats;
  cpu: CpuUse;
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
  }
  const serverArgs = ['--schema', schema, '--webhook-token', TOKEN, '--pool-size', args['pool-size'], '--bidder-ports', bidderPorts.join(','), '--deadline', String(DEADLINE_MS)];
  if (overheadPorts.length > 0) serverArgs.push('--overhead-bidder-ports', overheadPorts.join(','));
  if (DATABASE_URL) serverArgs.push('--database-url', DATABASE_URL);
  else {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-webhook-'));
    serverArgs.push('--data-dir', dataDir);
  }
  if (args['profile-sql']) serverArgs.push('--profile-sql');
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
    unknown: {
      port: r.appPort,
      to: r.numbers.unknown,
      calls: Number(args.calls),
      check: (status, body) => (status !== 200 ? `HTTP ${status}` : body.includes('<Say') && !body.includes('<Dial') ? null : 'not the unknown-number message'),
    },
  };

  const runs: Array<[number, ScenarioName]> = IN_FLIGHT.flatMap((inFlight) => LOADED.map((scenario): [number, ScenarioName] => [inFlight, scenario]));
  if (OVERHEAD) runs.push([1, 'rtb10'], [1, 'rtb100']);
  {
    for (const [inFlight, scenario] of runs) {
      const p = plan[scenario];
      const pool = new Pool(`http://127.0.0.1:${p.port}`, { connections: inFlight, pipelining: 1, keepAliveTimeout: 60_000 });
      try {
        if (scenario !== 'ceiling') await ask('vacuum');
        // Warm-up (JIT, connections, pg pool, bidder connections) with calls of their own.
        await run(pool, prepare(inFlight === 1 ? Math.min(WARMUP, 100) : WARMUP, p.to, r.publicBaseUrl), inFlight, p.check);
        const requests = prepare(p.calls, p.to, r.publicBaseUrl);
        const before = await askStats();
        const pids = r.kind === 'postgres' ? before.backendPids : [];
        const mark = cpuMark(biddersPid, pids);
        const result = await run(pool, requests, inFlight, p.check);
        const stats = await askStats();
        const cpu = cpuSince(mark, biddersPid, pids, stats.cpuMs);
        rows.push({
          scenario,
          inFlight,
          calls: p.calls,
          failures: result.failures,
          reasons: result.reasons,
          p50: percentile(result.latencies, 50),
          p99: percentile(result.latencies, 99),
          max: result.latencies.at(-1) ?? Number.NaN,
          perSecond: (p.calls / result.elapsed) * 1000,
          stats,
          cpu,
        });
        const last = rows.at(-1)!;
        console.error(`  ${scenario} @ ${inFlight}: ${last.perSecond.toFixed(0)} calls/s, p50 ${last.p50.toFixed(1)} ms, p99 ${last.p99.toFixed(1)} ms, failures ${last.failures}`);
      } finally {
        await pool.close();
      }
    }
  }
} finally {
  await cleanup();
}

// ---------------------------------------------------------------------------------------------
// Report

const database = ready?.kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
const LABEL: Record<ScenarioName, string> = {
  ceiling: 'ceiling: bare Fastify, constant TwiML',
  priority: '(a) priority, 3 buyers, no limits',
  locked: "(a') priority, limited buyers (locked path)",
  hot: "(a'') one hot buyer, limit + caps",
  rtb: `(b) RTB, 2 bidders @ ${BIDDER_DELAY_MS} ms`,
  rtb10: `RTB overhead, 10 bidders @ ${BIDDER_DELAY_MS} ms, one at a time`,
  rtb100: `RTB overhead, 100 bidders @ ${BIDDER_DELAY_MS} ms, one at a time`,
  unknown: 'unknown number (polite message)',
};

function verdict(row: Row): { target: string; met: string } {
  const failed = row.failures > 0 ? `NO: ${row.failures} FAILED CALLS` : null;
  if (row.scenario === 'priority') {
    const target = `≥ ${PRIORITY_TARGET.toLocaleString('en-US')} calls/s on PostgreSQL`;
    if (failed) return { target, met: failed };
    if (database !== 'PostgreSQL') return { target, met: 'n/a (PGlite)' };
    return { target, met: row.perSecond >= PRIORITY_TARGET ? 'yes' : 'NO' };
  }
  if (row.scenario === 'locked' || row.scenario === 'hot') {
    const unlimited = rows.find((x) => x.scenario === 'priority' && x.inFlight === row.inFlight);
    const share = unlimited ? row.perSecond / unlimited.perSecond : Number.NaN;
    const target = `≥ 90 % of (a) (${Number.isNaN(share) ? 'n/a' : `${(share * 100).toFixed(0)} %`}), ≥ ${PRIORITY_TARGET.toLocaleString('en-US')} calls/s, p99 ≤ ${LOCKED_P99_MS} ms`;
    if (failed) return { target, met: failed };
    if (database !== 'PostgreSQL') return { target, met: 'n/a (PGlite)' };
    if (row.inFlight !== 50) return { target, met: '— (target at 50 in flight)' };
    return { target, met: share >= 0.9 && row.perSecond >= PRIORITY_TARGET && row.p99 <= LOCKED_P99_MS ? 'yes' : 'NO' };
  }
  if (row.scenario === 'rtb10' || row.scenario === 'rtb100') {
    const limit = OVERHEAD_TARGET_MS[row.scenario];
    const target = `overhead (answer − ${BIDDER_DELAY_MS} ms) p50 ${(row.p50 - BIDDER_DELAY_MS).toFixed(1)} / p99 ${(row.p99 - BIDDER_DELAY_MS).toFixed(1)} ms; target p99 ≤ ${limit} ms`;
    return { target, met: failed ?? (row.p99 - BIDDER_DELAY_MS <= limit ? 'yes' : 'NO') };
  }
  if (row.scenario === 'rtb') {
    const target = `p99 ≤ ${DEADLINE_MS} + 20 ms (deadline ${DEADLINE_MS} ms)`;
    return { target, met: failed ?? (row.p99 <= DEADLINE_MS + 20 ? 'yes' : 'NO') };
  }
  return { target: '—', met: failed ?? '—' };
}

const ceilingOf = new Map(rows.filter((x) => x.scenario === 'ceiling').map((x) => [x.inFlight, x.perSecond]));
const header = ['scenario', 'database', 'in flight', 'calls', 'failures', 'p50 ms', 'p99 ms', 'max ms', 'calls/s', 'of ceiling', 'target', 'met?'];
const table = rows.map((row) => {
  const { target, met } = verdict(row);
  const ceiling = ceilingOf.get(row.inFlight);
  return [
    LABEL[row.scenario],
    database,
    String(row.inFlight),
    String(row.calls),
    row.failures > 0 ? `**${row.failures}**` : '0',
    row.p50.toFixed(1),
    row.p99.toFixed(1),
    row.max.toFixed(1),
    row.perSecond.toFixed(0),
    row.scenario === 'ceiling' || ceiling === undefined ? '—' : `${((row.perSecond / ceiling) * 100).toFixed(1)} %`,
    target,
    met,
  ];
});

const cpus = os.cpus();
const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(
  `\nVoice webhook benchmark: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ` +
    `${database}${pgVersion ? ` ${pgVersion}, autovacuum ${autovacuum}` : ''} (${database === 'PGlite' ? 'one connection' : `pg pool ${args['pool-size']}`}); ` +
    `server, load generator${SCENARIOS.includes('rtb') || OVERHEAD ? ' and stub bidders' : ''} in separate processes on this machine; VACUUM, then a warm-up of ${WARMUP} calls before each row` +
    `${args['profile-sql'] ? '; --profile-sql ON (adds overhead)' : ''}${args['cpu-prof'] ? '; --cpu-prof ON (adds overhead)' : ''}; ` +
    `load average before ${fmtLoad(loadBefore)}, after ${fmtLoad(os.loadavg())}`,
);
if ((loadBefore[0] ?? 0) > cpus.length * 0.75) console.log(`WARNING: the machine was busy before the run (load ${fmtLoad(loadBefore)} on ${cpus.length} CPUs): figures are pessimistic`);
for (const text of markdownTable(header, table, (i) => i === 0 || i >= 10)) console.log(text);

const failedRows = rows.filter((row) => row.failures > 0);
if (failedRows.length > 0) {
  console.log('\n!!! FAILED CALLS: these rows do not count as results !!!');
  for (const row of failedRows) {
    for (const [reason, { count, sample }] of row.reasons) console.log(`  ${LABEL[row.scenario]} @ ${row.inFlight}: ${count} × ${reason}; e.g. ${JSON.stringify(sample)}`);
  }
}

// Where the CPU went during each measured run: a server bound by its one event loop shows
// `server` near the wall time per call × in flight; `other` is work of processes not ours.
const cpuHeader = ['scenario', 'in flight', 'server ms/call', 'pg backends ms/call', 'load gen ms/call', 'bidders ms/call', 'other ms/call', 'server busy %', 'machine busy %', 'campaigns heap kB'];
const cpuTable = rows.map((row) => {
  const c = row.cpu;
  const per = (ms: number) => (Number.isNaN(ms) ? 'n/a' : (ms / row.calls).toFixed(3));
  const other = c.machine - c.server - c.postgres - c.loadGenerator - c.bidders;
  return [
    LABEL[row.scenario],
    String(row.inFlight),
    per(c.server),
    per(c.postgres),
    per(c.loadGenerator),
    per(c.bidders),
    per(Math.max(0, other)),
    Number.isNaN(c.wallMs) ? 'n/a' : `${((c.server / c.wallMs) * 100).toFixed(0)} %`,
    Number.isNaN(c.wallMs) ? 'n/a' : `${((c.machine / (c.wallMs * cpus.length)) * 100).toFixed(0)} %`,
    row.scenario === 'ceiling' ? '—' : String(row.stats.campaignsKb),
  ];
});
console.log(
  `\nCPU time per call during the measured runs (${cpus.length} CPUs; /proc, 10 ms ticks; pg backends = the server pool's connections${database === 'PGlite' ? ', none with PGlite: it runs inside the server' : ''}; ` +
    'other = every other process, PostgreSQL WAL writer / checkpointer included):',
);
for (const text of markdownTable(cpuHeader, cpuTable, (i) => i === 0)) console.log(text);
const noisy = rows.filter((row) => {
  const other = row.cpu.machine - row.cpu.server - row.cpu.postgres - row.cpu.loadGenerator - row.cpu.bidders;
  return other > 0.15 * row.cpu.machine;
});
if (noisy.length > 0) {
  console.log(`WARNING: other processes used more than 15 % of the CPU during: ${noisy.map((row) => `${row.scenario} @ ${row.inFlight}`).join(', ')} (figures pessimistic)`);
}

if (args['profile-sql']) {
  console.log('\nSQL round trips per call (every statement a pg client sent, BEGIN/COMMIT included; ms = send → answer as Node sees it):');
  for (const row of rows.filter((x) => x.stats.rows.length > 0)) {
    const s = row.stats;
    const total = s.rows.reduce((a, b) => a + b.count, 0);
    const ms = s.rows.reduce((a, b) => a + b.ms, 0);
    console.log(
      `\n${LABEL[row.scenario]} @ ${row.inFlight}: ${(total / row.calls).toFixed(2)} round trips/call, ${(ms / row.calls).toFixed(2)} ms of SQL per call (sum), ` +
        `mean queries waiting for a pool connection ${s.meanWaitingForConnection.toFixed(1)}`,
    );
    for (const q of s.rows.sort((a, b) => b.count - a.count || b.ms - a.ms)) {
      console.log(`  ${(q.count / row.calls).toFixed(2).padStart(5)} × ${(q.ms / q.count).toFixed(2).padStart(6)} ms  ${q.sql.slice(0, 150)}`);
    }
  }
}
