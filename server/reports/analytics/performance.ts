// The body of GET /api/analytics/performance from its figures (pure).
import type { components } from '../../../client/schema.js';
import type { LeadFunnelRow } from '../lead-figures.js';
import { addCallSums, type CallSumRow, dispositionCounts, type LogSumRow, outcomeCounts, ratio, share } from '../tallies.js';
import type { PeriodName } from './period.js';

type Schemas = components['schemas'];

export interface PerformanceFigures {
  calls: { period: CallSumRow[]; today: CallSumRow[]; week: CallSumRow[] };
  logs: { period: LogSumRow[]; today: LogSumRow[]; week: LogSumRow[] };
  /** The funnel of the leads created in the period (no row: none). */
  leads: LeadFunnelRow | undefined;
}

const count = (rows: readonly { logs: number }[]) => rows.reduce((n, r) => n + r.logs, 0);

export function performanceBody(
  name: PeriodName,
  range: Schemas['ReportRange'],
  filters: Schemas['PerformanceAnalytics']['filters'],
  f: PerformanceFigures,
  generatedAt: Date,
): Schemas['PerformanceAnalytics'] {
  const calls = addCallSums(f.calls.period);
  const dispositions = dispositionCounts(f.calls.period);
  const leads = f.leads;
  const logDuration = f.logs.period.reduce((a, r) => ({ sum: a.sum + r.durationSum, n: a.n + r.durationN }), { sum: 0, n: 0 });
  return {
    period: name,
    range,
    filters,
    calls: {
      total: calls.calls,
      today: addCallSums(f.calls.today).calls,
      thisWeek: addCallSums(f.calls.week).calls,
      completed: calls.completed,
      answered: dispositions.answered,
      converted: calls.converted,
      averageDuration: ratio(calls.durationSum, calls.durationN, 2),
      averageTalkTime: ratio(calls.talkSum, dispositions.answered, 2),
      conversionRate: share(calls.converted, calls.calls),
    },
    callLogs: {
      total: count(f.logs.period),
      today: count(f.logs.today),
      thisWeek: count(f.logs.week),
      averageDuration: ratio(logDuration.sum, logDuration.n, 2),
    },
    leads: {
      total: leads?.leads ?? 0,
      qualified: leads?.reached.qualified ?? 0,
      converted: leads?.reached.converted ?? 0,
      qualificationRate: share(leads?.reached.qualified ?? 0, leads?.leads ?? 0),
      conversionRate: share(leads?.reached.converted ?? 0, leads?.leads ?? 0),
    },
    outcomes: outcomeCounts(f.logs.period),
    dispositions,
    generatedAt: generatedAt.toISOString(),
  };
}
