// The voice-webhook benchmark's report (scripts/bench/webhook.ts runs it): the results table with
// each row's target and verdict, failed calls, where the CPU went, and with --profile-sql the SQL
// round trips per call.
import os from 'node:os';
import type { CpuUse } from './cpu-accounting.js';
import { markdownTable } from './markdown-table.js';
import { shareOf } from './webhook-rounds.js';

export type ScenarioName = 'ceiling' | 'priority' | 'locked' | 'hot' | 'rtb' | 'rtb10' | 'rtb100' | 'rtb10capped' | 'ceiling-rtb10' | 'ceiling-rtb100' | 'unknown';

export interface ServerStats {
  /** With --profile-sql only. */
  rows: Array<{ sql: string; count: number; ms: number }>;
  meanWaitingForConnection: number;
  cpuMs: number;
  /** The PostgreSQL backends of the server's pool (their CPU time is read from /proc). */
  backendPids: number[];
  /** Heap size of the campaigns table after the run (a few rows: 8 kB when not bloated). */
  campaignsKb: number;
}


export interface Row {
  scenario: ScenarioName;
  inFlight: number;
  calls: number;
  failures: number;
  reasons: Map<string, { count: number; sample: string }>;
  p50: number;
  p99: number;
  max: number;
  perSecond: number;
  /** Calls per second of each round (scripts/bench/webhook-rounds.ts), when measured in rounds. */
  roundsPerSecond?: number[];
  stats: ServerStats;
  cpu: CpuUse;
  /** How late the stub bidders' answers left past their delay, per answer (RTB rows). */
  bidderLateness?: BidderLateness;
}

export interface BidderLateness {
  answers: number;
  p50: number;
  p99: number;
  max: number;
}

export const PRIORITY_TARGET = 1500;
export const LOCKED_P99_MS = 50;
export const OVERHEAD_TARGET_MS: Record<'rtb10' | 'rtb100' | 'rtb10capped', number> = { rtb10: 10, rtb100: 20, rtb10capped: 10 };

export interface ReportContext {
  database: 'PostgreSQL' | 'PGlite';
  pgVersion: string;
  autovacuum: string;
  poolSize: string;
  bidderDelayMs: number;
  deadlineMs: number;
  warmup: number;
  /** Rounds of the loaded scenarios (webhook-rounds.ts). */
  rounds: number;
  withBidders: boolean;
  profileSql: boolean;
  cpuProf: boolean;
  loadBefore: number[];
}

export function printWebhookReport(rows: Row[], ctx: ReportContext): void {
  const LABEL: Record<ScenarioName, string> = {
    ceiling: 'ceiling: bare Fastify, constant TwiML',
    priority: '(a) priority, 3 buyers, no limits',
    locked: "(a') priority, limited buyers (locked path)",
    hot: "(a'') one hot buyer, limit + caps",
    rtb: `(b) RTB, 2 bidders @ ${ctx.bidderDelayMs} ms`,
    rtb10: `RTB overhead, 10 bidders @ ${ctx.bidderDelayMs} ms, one at a time`,
    rtb100: `RTB overhead, 100 bidders @ ${ctx.bidderDelayMs} ms, one at a time`,
    rtb10capped: `RTB overhead, 10 bidders with limits + a buyer with limits, one at a time`,
    'ceiling-rtb10': `ceiling for it: bare Fastify + the auction, no database, 10 bidders`,
    'ceiling-rtb100': `ceiling for it: bare Fastify + the auction, no database, 100 bidders`,
    unknown: 'unknown number (polite message)',
  };

  function verdict(row: Row): { target: string; met: string } {
    const failed = row.failures > 0 ? `NO: ${row.failures} FAILED CALLS` : null;
    if (row.scenario === 'priority') {
      const target = `≥ ${PRIORITY_TARGET.toLocaleString('en-US')} calls/s on PostgreSQL`;
      if (failed) return { target, met: failed };
      if (ctx.database !== 'PostgreSQL') return { target, met: 'n/a (PGlite)' };
      return { target, met: row.perSecond >= PRIORITY_TARGET ? 'yes' : 'NO' };
    }
    if (row.scenario === 'locked' || row.scenario === 'hot') {
      const unlimited = rows.find((x) => x.scenario === 'priority' && x.inFlight === row.inFlight);
      const share = unlimited ? shareOf(row, unlimited) : Number.NaN;
      const target = `≥ 90 % of (a) (${Number.isNaN(share) ? 'n/a' : `${(share * 100).toFixed(0)} %`}), ≥ ${PRIORITY_TARGET.toLocaleString('en-US')} calls/s, p99 ≤ ${LOCKED_P99_MS} ms`;
      if (failed) return { target, met: failed };
      if (ctx.database !== 'PostgreSQL') return { target, met: 'n/a (PGlite)' };
      if (row.inFlight !== 50) return { target, met: '— (target at 50 in flight)' };
      return { target, met: share >= 0.9 && row.perSecond >= PRIORITY_TARGET && row.p99 <= LOCKED_P99_MS ? 'yes' : 'NO' };
    }
    if (row.scenario === 'rtb10' || row.scenario === 'rtb100' || row.scenario === 'rtb10capped') {
      const limit = OVERHEAD_TARGET_MS[row.scenario];
      const target = `overhead (answer − ${ctx.bidderDelayMs} ms) p50 ${(row.p50 - ctx.bidderDelayMs).toFixed(1)} / p99 ${(row.p99 - ctx.bidderDelayMs).toFixed(1)} ms; target p99 ≤ ${limit} ms`;
      return { target, met: failed ?? (row.p99 - ctx.bidderDelayMs <= limit ? 'yes' : 'NO') };
    }
    if (row.scenario === 'ceiling-rtb10' || row.scenario === 'ceiling-rtb100') {
      return { target: `answer − ${ctx.bidderDelayMs} ms: p50 ${(row.p50 - ctx.bidderDelayMs).toFixed(1)} / p99 ${(row.p99 - ctx.bidderDelayMs).toFixed(1)} ms`, met: failed ?? '—' };
    }
    if (row.scenario === 'rtb') {
      const target = `p99 ≤ ${ctx.deadlineMs} + 20 ms (deadline ${ctx.deadlineMs} ms)`;
      return { target, met: failed ?? (row.p99 <= ctx.deadlineMs + 20 ? 'yes' : 'NO') };
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
      ctx.database,
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
      `${ctx.database}${ctx.pgVersion ? ` ${ctx.pgVersion}, autovacuum ${ctx.autovacuum}` : ''} (${ctx.database === 'PGlite' ? 'one connection' : `pg pool ${ctx.poolSize}`}); ` +
      `server, load generator${ctx.withBidders ? ' and stub bidders' : ''} in separate processes on this machine; every scenario first warmed with ${ctx.warmup} calls; then ${ctx.rounds} round(s) of the loaded scenarios, their order turned by one each round (calls/s: the median of the rounds; shares of (a): round against round; p50 / p99 over every round's calls); before each measurement VACUUM, ${Math.min(ctx.warmup, 100)} calls more and the leg counters past their 30 s grace (a buyer limited for longer)` +
      `${ctx.profileSql ? '; --profile-sql ON (adds overhead)' : ''}${ctx.cpuProf ? '; --cpu-prof ON (adds overhead)' : ''}; ` +
      `load average before ${fmtLoad(ctx.loadBefore)}, after ${fmtLoad(os.loadavg())}`,
  );
  if ((ctx.loadBefore[0] ?? 0) > cpus.length * 0.75) console.log(`WARNING: the machine was busy before the run (load ${fmtLoad(ctx.loadBefore)} on ${cpus.length} CPUs): figures are pessimistic`);
  for (const text of markdownTable(header, table, (i) => i === 0 || i >= 10)) console.log(text);

  const timed = rows.filter((row) => row.bidderLateness !== undefined);
  if (timed.length > 0) {
    console.log(
      `\nThe stub bidders' own lateness: per answer, how long after the bid request's end (in the stub process) past the ${ctx.bidderDelayMs} ms it was written — ` +
        'their timers firing late and their writes; it is in the answer times above but is not the server\'s (an auction waits for its slowest bidder):',
    );
    for (const row of timed) {
      const l = row.bidderLateness!;
      console.log(`  ${LABEL[row.scenario]} @ ${row.inFlight}: ${l.answers} answers, p50 ${l.p50.toFixed(2)} / p99 ${l.p99.toFixed(2)} / max ${l.max.toFixed(2)} ms`);
    }
  }

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
    `\nCPU time per call during the measured runs (${cpus.length} CPUs; /proc, 10 ms ticks; pg backends = the server pool's connections${ctx.database === 'PGlite' ? ', none with PGlite: it runs inside the server' : ''}; ` +
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

  if (ctx.profileSql) {
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
}
