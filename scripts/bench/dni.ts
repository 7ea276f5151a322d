// DNI benchmark (issue 5): requests/s and p99 of POST /api/dni/ultra-fast and POST /api/dni/track,
// beside a bare Fastify route answering a constant JSON, same machine, same run.
//
//   npx tsx scripts/bench/dni.ts               # PostgreSQL at --database-url (default postgres://postgres@127.0.0.1:5432/test)
//   npx tsx scripts/bench/dni.ts --embedded    # embedded PGlite in a temporary folder
//   npx tsx scripts/bench/dni.ts --help        # every knob
//
// Scenarios, each at every --in-flight level (one keep-alive undici Pool):
//   ceiling     bare Fastify, JSON body parsed, a constant JSON answer (POST /bare-json)
//   ultra-fast  POST /api/dni/ultra-fast {campaignId, sessionId}    target ≥ 50 % of the ceiling's
//               requests/s and p99 ≤ 5 ms
//   track       POST /api/dni/track {tagCode, sessionId, utmSource} informational
// sessionIds are drawn from a fixed set of --sessions (40) visitors, fewer than the pool's
// --pool-numbers (50), so every visitor keeps a pool number and repeats of ultra-fast are served
// from its in-memory cache (after the warm-up, which touches every session). Every answer is
// checked (200, a phoneNumber in E.164; a pool number for the app's routes); failures are counted.
// The ceiling and ultra-fast are measured in turn --rounds (3) times per level, so that the
// machine's noise hits both; the table gives medians over rounds. track runs last, once per level.
//
// The server under test is webhook-server.ts --seed dni, forked: a fresh PostgreSQL schema
// bench_<random> (dropped at the end, also on failure or Ctrl-C) or PGlite in a temporary folder.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Pool } from 'undici';
import { cpuMark, cpuSince, type CpuUse, sumCpu } from './cpu-accounting.js';
import { type Check, dropBenchSchema, firstMessage, forkTsChild, type LoadRequest, type LoadResult, median, percentile, runLoad, stopChild } from './load.js';
import { LOCAL_TEST_DATABASE_URL } from '../../server/platform/config.js';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: LOCAL_TEST_DATABASE_URL },
    embedded: { type: 'boolean', default: false },
    'in-flight': { type: 'string', default: '10,50' },
    scenarios: { type: 'string', default: 'ceiling,ultra-fast,track' },
    requests: { type: 'string', default: '20000' },
    'track-requests': { type: 'string', default: '5000' },
    warmup: { type: 'string', default: '2000' },
    sessions: { type: 'string', default: '40' },
    'pool-numbers': { type: 'string', default: '50' },
    'pool-size': { type: 'string', default: '10' },
    'cpu-prof': { type: 'string' },
    rounds: { type: 'string', default: '3' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'npx tsx scripts/bench/dni.ts [--database-url URL | --embedded] [--in-flight 10,50] [--scenarios ceiling,ultra-fast,track]\n' +
      '  [--requests 20000] [--track-requests 5000] [--warmup 2000] [--sessions 40] [--pool-numbers 50] [--pool-size 10]\n' +
      '  [--rounds 3] [--cpu-prof DIR]   (--rounds: ceiling and ultra-fast measured in turn N times per level, medians reported;\n' +
      '  --cpu-prof: a V8 profile of the server process, adds overhead)',
  );
  process.exit(0);
}

type ScenarioName = 'ceiling' | 'ultra-fast' | 'track';
const IN_FLIGHT = args['in-flight'].split(',').map(Number);
const SCENARIOS = args.scenarios.split(',').map((s) => s.trim()) as ScenarioName[];
for (const s of SCENARIOS) if (!['ceiling', 'ultra-fast', 'track'].includes(s)) throw new Error(`unknown scenario ${s}`);
const WARMUP = Number(args.warmup);
const ROUNDS = Math.max(1, Number(args.rounds));
const SESSIONS = Array.from({ length: Number(args.sessions) }, (_, i) => `bench-visitor-${String(i).padStart(3, '0')}-${randomBytes(4).toString('hex')}`);
const CEILING_SHARE = 0.5;
const P99_TARGET_MS = 5;
const DATABASE_URL = args.embedded ? undefined : args['database-url'];
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
if (Number(args.sessions) > Number(args['pool-numbers'])) console.error('note: more sessions than pool numbers: numbers will be recycled, the cache will miss');

interface Ready {
  appPort: number;
  barePort: number;
  kind: 'postgres' | 'pglite';
  dni: { campaignId: string; tagCode: string };
}

/** One measured run. */
interface Run {
  scenario: ScenarioName;
  inFlight: number;
  round: number;
  result: LoadResult;
  requests: number;
  perSecond: number;
  cpu: CpuUse;
}

/** The runs of one scenario at one level, together. */
interface Row {
  scenario: ScenarioName;
  inFlight: number;
  rounds: number;
  requests: number;
  failures: number;
  reasons: LoadResult['reasons'];
  /** Over every request of every round. */
  p50: number;
  p99: number;
  /** Median over rounds. */
  perSecond: number;
  /** Median over rounds of this run's req/s divided by the ceiling's in the same round (undefined: no ceiling). */
  share: number | undefined;
  cpu: CpuUse;
}

// ---------------------------------------------------------------------------------------------
// Children and clean-up

const schema = `bench_${randomBytes(6).toString('hex')}`;
let server: ChildProcess | undefined;
let dataDir: string | undefined;
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  if (server) await stopChild(server);
  if (DATABASE_URL) {
    await dropBenchSchema(DATABASE_URL, schema);
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  console.error('\ninterrupted: cleaning up');
  void cleanup().finally(() => process.exit(130));
});

async function askStats(): Promise<{ cpuMs: number; backendPids: number[] }> {
  if (!server) throw new Error('no server');
  const answer = firstMessage<{ stats?: { cpuMs: number; backendPids: number[] }; error?: string }>(server, 'stats', 60_000);
  server.send({ cmd: 'stats' });
  const m = await answer;
  if (!m.stats) throw new Error(`server stats: ${m.error ?? 'no answer'}`);
  return m.stats;
}

// ---------------------------------------------------------------------------------------------
// Requests and checks

const E164 = /^\+[1-9]\d{6,14}$/;
/** The seeded pool's numbers (webhook-server.ts seedDni). */
const POOL_NUMBER = /^\+1415555\d{4}$/;

function dniCheck(poolOnly: boolean): Check {
  return (status, body) => {
    if (status !== 200) return `HTTP ${status}`;
    let answer: { phoneNumber?: unknown; source?: unknown };
    try {
      answer = JSON.parse(body) as typeof answer;
    } catch {
      return 'not JSON';
    }
    if (typeof answer.phoneNumber !== 'string' || !E164.test(answer.phoneNumber)) return 'no E.164 phoneNumber';
    if (poolOnly && !POOL_NUMBER.test(answer.phoneNumber)) return `not a pool number (source ${String(answer.source)})`;
    return null;
  };
}

const session = () => SESSIONS[Math.floor(Math.random() * SESSIONS.length)]!;
const json = (p: string, body: unknown): LoadRequest => ({ path: p, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

// ---------------------------------------------------------------------------------------------
// Main

const runs: Run[] = [];
let ready: Ready | undefined;
let pgVersion = '';
const loadBefore = os.loadavg();
let exitCode = 0;

try {
  const serverArgs = ['--schema', schema, '--pool-size', args['pool-size'], '--seed', 'dni', '--dni-pool-size', args['pool-numbers']];
  if (DATABASE_URL) serverArgs.push('--database-url', DATABASE_URL);
  else {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-dni-'));
    serverArgs.push('--data-dir', dataDir);
  }
  const execArgv = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args['cpu-prof'])}`] : [];
  server = forkTsChild(here('./webhook-server.ts'), serverArgs, execArgv);
  ready = await firstMessage<Ready>(server, 'DNI server');
  if (DATABASE_URL) {
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    pgVersion = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '';
    await admin.end();
  }
  const r = ready;
  const plan: Record<ScenarioName, { port: number; count: number; make: (sessionId: string) => LoadRequest; check: Check }> = {
    ceiling: { port: r.barePort, count: Number(args.requests), make: (sessionId) => json('/bare-json', { campaignId: r.dni.campaignId, sessionId }), check: dniCheck(false) },
    'ultra-fast': {
      port: r.appPort,
      count: Number(args.requests),
      make: (sessionId) => json('/api/dni/ultra-fast', { campaignId: r.dni.campaignId, sessionId }),
      check: dniCheck(true),
    },
    track: {
      port: r.appPort,
      count: Number(args['track-requests']),
      make: (sessionId) => json('/api/dni/track', { tagCode: r.dni.tagCode, sessionId, utmSource: 'bench' }),
      check: dniCheck(true),
    },
  };

  const measure = async (scenario: ScenarioName, inFlight: number, round: number): Promise<void> => {
    const p = plan[scenario];
    const pool = new Pool(`http://127.0.0.1:${p.port}`, { connections: inFlight, pipelining: 1, keepAliveTimeout: 60_000 });
    try {
      // Warm-up: JIT, connections, pg pool; every session once at least (numbers assigned, cache filled).
      const warm = SESSIONS.map(p.make);
      for (let i = 0; i < WARMUP; i++) warm.push(p.make(session()));
      const w = await runLoad(pool, warm, inFlight, p.check);
      if (w.failures > 0) console.error(`  warm-up of ${scenario} @ ${inFlight}: ${w.failures} failures, e.g. ${JSON.stringify([...w.reasons.entries()][0])}`);
      const requests = Array.from({ length: p.count }, () => p.make(session()));
      const before = await askStats();
      const pids = r.kind === 'postgres' ? before.backendPids : [];
      const mark = cpuMark(undefined, pids);
      const result = await runLoad(pool, requests, inFlight, p.check);
      const after = await askStats();
      const cpu = cpuSince(mark, undefined, pids, after.cpuMs);
      const run: Run = { scenario, inFlight, round, result, requests: p.count, perSecond: (p.count / result.elapsed) * 1000, cpu };
      runs.push(run);
      console.error(
        `  ${scenario} @ ${inFlight} (round ${round}): ${run.perSecond.toFixed(0)} req/s, p50 ${percentile(result.latencies, 50).toFixed(2)} ms, ` +
          `p99 ${percentile(result.latencies, 99).toFixed(2)} ms, failures ${result.failures}`,
      );
    } finally {
      await pool.close();
    }
  };

  // The ceiling and ultra-fast in turn, ROUNDS times per level (the machine's noise hits both);
  // track last, once per level: its writes leave PostgreSQL work behind (autovacuum) that would
  // otherwise land in the next rows.
  const readOnly = SCENARIOS.filter((s) => s !== 'track');
  for (const inFlight of IN_FLIGHT) {
    for (let round = 1; round <= ROUNDS; round++) for (const scenario of readOnly) await measure(scenario, inFlight, round);
  }
  if (SCENARIOS.includes('track')) for (const inFlight of IN_FLIGHT) await measure('track', inFlight, 1);
} catch (err) {
  console.error(`benchmark failed: ${(err as Error).stack ?? String(err)}`);
  exitCode = 1;
} finally {
  await cleanup();
}

// ---------------------------------------------------------------------------------------------
// Report

const database = ready?.kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
const LABEL: Record<ScenarioName, string> = {
  ceiling: 'ceiling: bare Fastify, constant JSON',
  'ultra-fast': 'POST /api/dni/ultra-fast',
  track: 'POST /api/dni/track',
};

const rows: Row[] = [];
for (const inFlight of IN_FLIGHT) {
  for (const scenario of SCENARIOS) {
    const mine = runs.filter((x) => x.scenario === scenario && x.inFlight === inFlight);
    if (mine.length === 0) continue;
    const latencies = mine.flatMap((x) => x.result.latencies).sort((a, b) => a - b);
    const reasons: LoadResult['reasons'] = new Map();
    for (const x of mine) for (const [k, v] of x.result.reasons) reasons.set(k, { count: (reasons.get(k)?.count ?? 0) + v.count, sample: v.sample });
    const shares = mine.flatMap((x) => {
      const ceiling = runs.find((c) => c.scenario === 'ceiling' && c.inFlight === inFlight && c.round === x.round);
      return ceiling && scenario !== 'ceiling' ? [x.perSecond / ceiling.perSecond] : [];
    });
    rows.push({
      scenario,
      inFlight,
      rounds: mine.length,
      requests: mine.reduce((acc, x) => acc + x.requests, 0),
      failures: mine.reduce((acc, x) => acc + x.result.failures, 0),
      reasons,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      perSecond: median(mine.map((x) => x.perSecond)),
      share: shares.length > 0 ? median(shares) : undefined,
      cpu: sumCpu(mine.map((x) => x.cpu)),
    });
  }
}

function verdict(row: Row): { target: string; met: string } {
  const failed = row.failures > 0 ? `NO: ${row.failures} FAILED` : null;
  if (row.scenario !== 'ultra-fast') return { target: '—', met: failed ?? '—' };
  const target = `≥ ${CEILING_SHARE * 100} % of ceiling, p99 ≤ ${P99_TARGET_MS} ms`;
  if (failed) return { target, met: failed };
  if (row.share === undefined) return { target, met: 'n/a (no ceiling row)' };
  const share = row.share >= CEILING_SHARE;
  const p99 = row.p99 <= P99_TARGET_MS;
  return { target, met: share && p99 ? 'yes' : `NO (${[share ? null : 'req/s', p99 ? null : 'p99'].filter(Boolean).join(', ')})` };
}

const header = ['scenario', 'in flight', 'rounds', 'requests', 'failures', 'p50 ms', 'p99 ms', 'req/s', 'of ceiling', 'target', 'met?'];
const table = rows.map((row) => {
  const { target, met } = verdict(row);
  return [
    LABEL[row.scenario],
    String(row.inFlight),
    String(row.rounds),
    String(row.requests),
    row.failures > 0 ? `**${row.failures}**` : '0',
    row.p50.toFixed(2),
    row.p99.toFixed(2),
    row.perSecond.toFixed(0),
    row.share === undefined ? '—' : `${(row.share * 100).toFixed(1)} %`,
    target,
    met,
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]?.length ?? 0)));
const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 || i >= 9 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;

const cpus = os.cpus();
const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(
  `\nDNI benchmark: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ` +
    `${database}${pgVersion ? ` ${pgVersion}` : ''} (${database === 'PGlite' ? 'one connection' : `pg pool ${args['pool-size']}`}); ` +
    `server and load generator in separate processes on this machine; ${SESSIONS.length} visitor sessions over a pool of ${args['pool-numbers']} numbers; ` +
    `warm-up of every session + ${WARMUP} requests before each run; ceiling and ultra-fast in turn ${ROUNDS}× per level ` +
    `(req/s and "of ceiling": medians over rounds, the share taken against the same round's ceiling; p50/p99 over every request); load average before ${fmtLoad(loadBefore)}, after ${fmtLoad(os.loadavg())}`,
);
if ((loadBefore[0] ?? 0) > cpus.length * 0.75) console.log(`WARNING: the machine was busy before the run (load ${fmtLoad(loadBefore)} on ${cpus.length} CPUs): figures are pessimistic`);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of table) console.log(line(row));

console.log('\nCPU ms per request during the measured runs (server process / its PostgreSQL backends / load generator / whole machine):');
for (const row of rows) {
  const per = (ms: number) => (Number.isNaN(ms) ? 'n/a' : (ms / row.requests).toFixed(3));
  console.log(`  ${LABEL[row.scenario]} @ ${row.inFlight}: ${per(row.cpu.server)} / ${per(row.cpu.postgres)} / ${per(row.cpu.loadGenerator)} / ${per(row.cpu.machine)}`);
}

const failedRows = rows.filter((row) => row.failures > 0);
if (failedRows.length > 0) {
  console.log('\n!!! FAILED REQUESTS: these rows do not count as results !!!');
  for (const row of failedRows) {
    for (const [reason, { count, sample }] of row.reasons) console.log(`  ${LABEL[row.scenario]} @ ${row.inFlight}: ${count} × ${reason}; e.g. ${JSON.stringify(sample)}`);
  }
  exitCode = exitCode || 2;
}
process.exit(exitCode);
