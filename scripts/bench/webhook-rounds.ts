// The voice-webhook benchmark's rounds (scripts/bench/webhook.ts): every loaded scenario is
// measured --rounds times, the order turned by one each round, so that no scenario always runs
// first (on a process still warming up: on 5 December the first row after the warm-up ran at
// about half the speed of the same scenario run last) or always last (on the largest tables).
// A scenario's row joins its rounds: latencies pooled, CPU and calls summed, calls per second the
// median of its rounds, each round also kept for the shares against (a) of the same round.
import { type CpuUse, sumCpu } from './cpu-accounting.js';
import { median, percentile } from './load.js';
import type { BidderLateness, Row, ScenarioName, ServerStats } from './webhook-report.js';

/** One measured run of one scenario at one level. */
export interface Measurement {
  scenario: ScenarioName;
  inFlight: number;
  calls: number;
  failures: number;
  reasons: Map<string, { count: number; sample: string }>;
  /** Ascending. */
  latencies: number[];
  elapsedMs: number;
  stats: ServerStats;
  cpu: CpuUse;
  /** RTB rows: how late the stub bidders answered. */
  bidderLateness?: BidderLateness;
}

/** Round `round` of `runs`: the same runs, starting `round` places further along. */
export function roundOrder<T>(runs: readonly T[], round: number): T[] {
  if (runs.length === 0) return [];
  const start = round % runs.length;
  return [...runs.slice(start), ...runs.slice(0, start)];
}

/** The bidders' lateness over rounds: answers summed, the median of the p50s, the worst p99 and max. */
function joinLateness(all: readonly BidderLateness[]): BidderLateness | undefined {
  if (all.length === 0) return undefined;
  return {
    answers: all.reduce((s, l) => s + l.answers, 0),
    p50: median(all.map((l) => l.p50)),
    p99: Math.max(...all.map((l) => l.p99)),
    max: Math.max(...all.map((l) => l.max)),
  };
}

function sumStats(all: readonly ServerStats[]): ServerStats {
  const bySql = new Map<string, { sql: string; count: number; ms: number }>();
  for (const s of all) {
    for (const r of s.rows) {
      const known = bySql.get(r.sql) ?? { sql: r.sql, count: 0, ms: 0 };
      bySql.set(r.sql, { sql: r.sql, count: known.count + r.count, ms: known.ms + r.ms });
    }
  }
  const last = all.at(-1)!;
  return {
    rows: [...bySql.values()].sort((a, b) => b.count - a.count),
    meanWaitingForConnection: median(all.map((s) => s.meanWaitingForConnection)),
    cpuMs: all.reduce((t, s) => t + s.cpuMs, 0),
    backendPids: last.backendPids,
    campaignsKb: last.campaignsKb,
  };
}

/** The rows of the report: one per scenario and level, its rounds joined (in first-seen order). */
export function joinRounds(measurements: readonly Measurement[]): Row[] {
  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = `${m.inFlight}\u0000${m.scenario}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.values()].map((rounds) => {
    const latencies = rounds.flatMap((m) => m.latencies).sort((a, b) => a - b);
    const reasons = new Map<string, { count: number; sample: string }>();
    for (const m of rounds) {
      for (const [reason, r] of m.reasons) reasons.set(reason, { count: (reasons.get(reason)?.count ?? 0) + r.count, sample: reasons.get(reason)?.sample ?? r.sample });
    }
    const roundsPerSecond = rounds.map((m) => (m.calls / m.elapsedMs) * 1000);
    const bidderLateness = joinLateness(rounds.flatMap((m) => (m.bidderLateness ? [m.bidderLateness] : [])));
    return {
      scenario: rounds[0]!.scenario,
      inFlight: rounds[0]!.inFlight,
      calls: rounds.reduce((s, m) => s + m.calls, 0),
      failures: rounds.reduce((s, m) => s + m.failures, 0),
      reasons,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      perSecond: median(roundsPerSecond),
      roundsPerSecond,
      stats: sumStats(rounds.map((m) => m.stats)),
      cpu: sumCpu(rounds.map((m) => m.cpu)),
      ...(bidderLateness ? { bidderLateness } : {}),
    };
  });
}

/** A row's share of another's calls per second: the median of the rounds' shares, round against round. */
export function shareOf(row: Pick<Row, 'perSecond' | 'roundsPerSecond'>, of: Pick<Row, 'perSecond' | 'roundsPerSecond'>): number {
  const mine = row.roundsPerSecond ?? [];
  const theirs = of.roundsPerSecond ?? [];
  if (mine.length > 0 && mine.length === theirs.length) return median(mine.map((v, i) => v / theirs[i]!));
  return row.perSecond / of.perSecond;
}
