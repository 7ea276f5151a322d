// The agent performance report from its figures (pure): one row per agent in scope — the calls
// the dialer bridged to it (answered, talk time, average handle time = talk time per answered
// call, dispositions), the calls its user logged by hand and their outcomes, and the leads its
// user converted in the period (per answered call) — and the totals of those rows.
import type { components } from '../../../client/schema.js';
import { addCallSums, type CallSumRow, dispositionCounts, type LogSumRow, outcomeCounts, ratio, rowsOf, share } from '../tallies.js';
import type { AgentFigures } from './figures.js';
import type { ReportMeta } from './meta.js';

type Schemas = components['schemas'];
type Row = Schemas['AgentPerformanceRow'];

function figures(agentId: string | null, agentName: string, calls: readonly CallSumRow[], logs: readonly LogSumRow[], conversions: number): Row {
  const sums = addCallSums(calls);
  const dispositions = dispositionCounts(calls);
  return {
    agentId,
    agentName,
    calls: sums.calls,
    answered: dispositions.answered,
    answerRate: share(dispositions.answered, sums.calls),
    talkTime: sums.talkSum,
    averageHandleTime: ratio(sums.talkSum, dispositions.answered, 2),
    dispositions,
    callLogs: logs.reduce((n, l) => n + l.logs, 0),
    outcomes: outcomeCounts(logs),
    conversions,
    conversionRate: ratio(conversions, dispositions.answered, 4),
  };
}

export function agentPerformanceReport(meta: ReportMeta, f: AgentFigures): Schemas['AgentPerformanceReport'] {
  const rows = f.agents.map((agent) => {
    const logs = agent.userId === null ? [] : rowsOf(f.logs, agent.userId);
    const conversions = agent.userId === null ? 0 : (f.conversions.get(agent.userId) ?? 0);
    return figures(agent.id, agent.name, rowsOf(f.calls, agent.id), logs, conversions);
  });
  const agentIds = new Set(f.agents.map((a) => a.id));
  const userIds = new Set(f.agents.flatMap((a) => (a.userId === null ? [] : [a.userId])));
  const calls = f.calls.filter((c) => typeof c.key === 'string' && agentIds.has(c.key));
  const logs = f.logs.filter((l) => typeof l.key === 'number' && userIds.has(l.key));
  const conversions = [...userIds].reduce((n, id) => n + (f.conversions.get(id) ?? 0), 0);
  return { reportType: 'agent_performance', ...meta, rows, totals: figures(null, 'Total', calls, logs, conversions) };
}
