// The answers of the AI analytics, built from the counted rows (pure). Rates are percentages with
// 2 decimals (70 = 70 %), as seed 004 shows them; durations seconds with 2 decimals; money 4 decimals.
import { type BucketRow, statusClass, type StatusClass } from './call-figures.js';
import type { CostRow } from './cost-figures.js';
import { roundMoney } from '../../platform/common/money.js';

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** part / whole as a percentage, 2 decimals; 0 when there is no whole. */
export function percent(part: number, whole: number): number {
  return whole > 0 ? round2((part / whole) * 100) : 0;
}

export type ByStatus = Record<StatusClass, number>;

export interface CallTotals {
  totalCalls: number;
  successfulCalls: number;
  failedCalls: number;
  inProgressCalls: number;
  inboundCalls: number;
  outboundCalls: number;
  successRate: number;
  /** Over the completed calls with a known duration, seconds (0 without any). */
  averageDuration: number;
  byStatus: ByStatus;
}

const noStatuses = (): ByStatus => ({ completed: 0, noAnswer: 0, busy: 0, failed: 0, canceled: 0, inProgress: 0 });

export function totalsOf(rows: readonly BucketRow[]): CallTotals {
  const byStatus = noStatuses();
  let inbound = 0;
  let outbound = 0;
  let timed = 0;
  let seconds = 0;
  for (const r of rows) {
    byStatus[statusClass(r.status)] += r.calls;
    if (r.direction === 'inbound') inbound += r.calls;
    else outbound += r.calls;
    timed += r.timedCalls;
    seconds += r.seconds;
  }
  const total = inbound + outbound;
  const failed = byStatus.noAnswer + byStatus.busy + byStatus.failed + byStatus.canceled;
  return {
    totalCalls: total,
    successfulCalls: byStatus.completed,
    failedCalls: failed,
    inProgressCalls: byStatus.inProgress,
    inboundCalls: inbound,
    outboundCalls: outbound,
    successRate: percent(byStatus.completed, total),
    averageDuration: timed > 0 ? round2(seconds / timed) : 0,
    byStatus,
  };
}

export interface DateEntry {
  date: string;
  calls: number;
  successfulCalls: number;
  successRate: number;
}

/** One entry per bucket of the range (empty ones too), in order. */
export function byDateOf(rows: readonly BucketRow[], buckets: readonly string[]): DateEntry[] {
  const found = new Map<string, { calls: number; completed: number }>();
  for (const r of rows) {
    const key = r.bucket ?? '';
    const entry = found.get(key) ?? { calls: 0, completed: 0 };
    entry.calls += r.calls;
    if (r.status === 'completed') entry.completed += r.calls;
    found.set(key, entry);
  }
  return buckets.map((date) => {
    const e = found.get(date) ?? { calls: 0, completed: 0 };
    return { date, calls: e.calls, successfulCalls: e.completed, successRate: percent(e.completed, e.calls) };
  });
}

export interface CostBreakdownBody {
  telephony: number;
  /** Seed 004's name for the telephony component (its carrier): the same figure as `telephony`. */
  exotel: number;
  stt: number;
  llm: number;
  tts: number;
}

export interface CostAnalytics {
  totalCost: number;
  calls: number;
  costPerCall: number;
  breakdown: CostBreakdownBody;
  byAgent: Array<{ agentId: string; agentName: string; totalCost: number; calls: number }>;
  byPeriod?: Array<{ date: string; totalCost: number; calls: number }>;
}

/** Sums of numeric strings, in ten-thousandths (exact: every stored cost has 4 decimals). */
const units = (value: string): number => Math.round(Number(value) * 10_000);
const money = (u: number): number => roundMoney(u / 10_000);

export function costsOf(rows: readonly CostRow[], buckets: readonly string[] | null): CostAnalytics {
  const sums = { total: 0, telephony: 0, stt: 0, llm: 0, tts: 0, calls: 0 };
  const agents = new Map<string, { agentName: string; total: number; calls: number }>();
  const periods = new Map<string, { total: number; calls: number }>();
  for (const r of rows) {
    sums.total += units(r.total);
    sums.telephony += units(r.telephony);
    sums.stt += units(r.stt);
    sums.llm += units(r.llm);
    sums.tts += units(r.tts);
    sums.calls += r.calls;
    const agent = agents.get(r.agentId) ?? { agentName: r.agentName, total: 0, calls: 0 };
    agent.total += units(r.total);
    agent.calls += r.calls;
    agents.set(r.agentId, agent);
    const period = periods.get(r.bucket ?? '') ?? { total: 0, calls: 0 };
    period.total += units(r.total);
    period.calls += r.calls;
    periods.set(r.bucket ?? '', period);
  }
  const byAgent = [...agents.entries()]
    .map(([agentId, a]) => ({ agentId, agentName: a.agentName, totalCost: money(a.total), calls: a.calls }))
    .sort((a, b) => b.totalCost - a.totalCost || a.agentName.localeCompare(b.agentName) || a.agentId.localeCompare(b.agentId));
  const answer: CostAnalytics = {
    totalCost: money(sums.total),
    calls: sums.calls,
    costPerCall: sums.calls > 0 ? roundMoney(sums.total / sums.calls / 10_000) : 0,
    breakdown: { telephony: money(sums.telephony), exotel: money(sums.telephony), stt: money(sums.stt), llm: money(sums.llm), tts: money(sums.tts) },
    byAgent,
  };
  if (buckets !== null) {
    answer.byPeriod = buckets.map((date) => {
      const p = periods.get(date) ?? { total: 0, calls: 0 };
      return { date, totalCost: money(p.total), calls: p.calls };
    });
  }
  return answer;
}
