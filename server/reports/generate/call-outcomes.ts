// The call outcomes report from its figures (pure): per day of the period (every day listed, in
// order) or per campaign (those with calls or logged calls, by name; `(none)` for calls without
// one): the calls, how the dialer's calls ended, the calls without a disposition (inbound calls,
// calls not ended yet), and the logged calls' outcomes; and the totals.
import type { components } from '../../../client/schema.js';
import { localDate } from '../zone.js';
import { addCallSums, type CallSumRow, dispositionCounts, type LogSumRow, outcomeCounts, rowsOf } from '../tallies.js';
import type { OutcomeFigures } from './figures.js';
import { campaignLabel, compareGroups, type ReportMeta } from './meta.js';

type Schemas = components['schemas'];

function tally(calls: readonly CallSumRow[], logs: readonly LogSumRow[]): Schemas['CallOutcomeTotals'] {
  const dispositions = dispositionCounts(calls);
  const total = addCallSums(calls).calls;
  const disposed = Object.values(dispositions).reduce((a, b) => a + b, 0);
  return { calls: total, dispositions, withoutDisposition: total - disposed, callLogs: logs.reduce((n, l) => n + l.logs, 0), outcomes: outcomeCounts(logs) };
}

export function callOutcomesReport(meta: ReportMeta, groupBy: 'day' | 'campaign', timeZone: string, f: OutcomeFigures): Schemas['CallOutcomesReport'] {
  let rows: Schemas['CallOutcomeRow'][];
  if (groupBy === 'day') {
    rows = f.days.map((start, i) => {
      const date = localDate(start, timeZone);
      return { groupKey: date, groupId: date, ...tally(rowsOf(f.calls, i + 1), rowsOf(f.logs, i + 1)) };
    });
  } else {
    const keys = [...new Set<string | null>([...f.calls, ...f.logs].map((r) => (r.key === null ? null : String(r.key))))];
    rows = keys.map((key) => ({ groupKey: campaignLabel(f.campaignNames, key), groupId: key, ...tally(rowsOf(f.calls, key), rowsOf(f.logs, key)) })).sort(compareGroups);
  }
  return { reportType: 'call_outcomes', ...meta, groupBy, rows, totals: tally(f.calls, f.logs) };
}
