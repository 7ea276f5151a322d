// A generated report as one table (pure): its columns, one row per group and the totals row, with
// raw values — what the CSV writes as they are and the PDF formats (counts with separators,
// durations as h:mm:ss, shares as percentages). The same columns for both, so a CSV and a PDF of
// a report say the same.
import type { components } from '../../../client/schema.js';

type Schemas = components['schemas'];

/** How a column's values read: text, a count, seconds, or a share (a fraction). */
export type ColumnKind = 'text' | 'count' | 'seconds' | 'share';
export type Cell = string | number | null;

export interface Column {
  label: string;
  kind: ColumnKind;
  /** Relative width in the PDF. */
  weight: number;
}

export interface ReportTable {
  columns: Column[];
  rows: Cell[][];
  totals: Cell[];
}

const text = (label: string, weight = 3): Column => ({ label, kind: 'text', weight });
const count = (label: string): Column => ({ label, kind: 'count', weight: 1 });
const seconds = (label: string): Column => ({ label, kind: 'seconds', weight: 1.3 });
const shareOf = (label: string): Column => ({ label, kind: 'share', weight: 1.1 });

type Dispositions = Schemas['DispositionCounts'];
type Outcomes = Schemas['OutcomeCounts'];

const DISPOSITION_COLUMNS = [count('Answered'), count('Voicemail'), count('No answer'), count('Busy'), count('Failed'), count('Abandoned'), count('Canceled')];
const dispositionCells = (d: Dispositions): Cell[] => [d.answered, d.voicemail, d.noAnswer, d.busy, d.failed, d.abandoned, d.canceled];
const OUTCOME_COLUMNS = [count('Interested'), count('Not interested'), count('Voicemail (logged)'), count('No answer (logged)'), count('Busy (logged)'), count('Callback')];
const outcomeCells = (o: Outcomes): Cell[] => [o.interested, o.notInterested, o.voicemail, o.noAnswer, o.busy, o.callback];

function agentPerformanceTable(r: Schemas['AgentPerformanceReport']): ReportTable {
  const columns = [
    text('Agent'),
    count('Calls'),
    shareOf('Answer rate'),
    seconds('Talk time'),
    seconds('Avg handle time'),
    ...DISPOSITION_COLUMNS,
    count('Logged calls'),
    ...OUTCOME_COLUMNS,
    count('Conversions'),
    shareOf('Conversion rate'),
  ];
  const cells = (x: Schemas['AgentPerformanceRow']): Cell[] => [
    x.agentName,
    x.calls,
    x.answerRate,
    x.talkTime,
    x.averageHandleTime,
    ...dispositionCells(x.dispositions),
    x.callLogs,
    ...outcomeCells(x.outcomes),
    x.conversions,
    x.conversionRate,
  ];
  return { columns, rows: r.rows.map(cells), totals: cells(r.totals) };
}

function callOutcomesTable(r: Schemas['CallOutcomesReport']): ReportTable {
  const columns = [text(r.groupBy === 'day' ? 'Day' : 'Campaign', r.groupBy === 'day' ? 2 : 3), count('Calls'), ...DISPOSITION_COLUMNS, count('Without disposition'), count('Logged calls'), ...OUTCOME_COLUMNS];
  const cells = (label: string, x: Schemas['CallOutcomeTotals']): Cell[] => [label, x.calls, ...dispositionCells(x.dispositions), x.withoutDisposition, x.callLogs, ...outcomeCells(x.outcomes)];
  return { columns, rows: r.rows.map((x) => cells(x.groupKey, x)), totals: cells('Total', r.totals) };
}

function leadConversionTable(r: Schemas['LeadConversionReport']): ReportTable {
  const columns = [
    text(r.groupBy === 'source' ? 'Source' : 'Campaign'),
    count('Leads'),
    count('New'),
    count('Contacted'),
    count('Follow-up'),
    count('Qualified'),
    count('Converted'),
    count('Lost'),
    count('Reached contacted'),
    count('Reached follow-up'),
    count('Reached qualified'),
    count('Reached converted'),
    shareOf('Qualification rate'),
    shareOf('Conversion rate'),
  ];
  const cells = (label: string, x: Schemas['LeadConversionTotals']): Cell[] => [
    label,
    x.leads,
    x.stages.new,
    x.stages.contacted,
    x.stages.followUp,
    x.stages.qualified,
    x.stages.converted,
    x.stages.lost,
    x.reached.contacted,
    x.reached.followUp,
    x.reached.qualified,
    x.reached.converted,
    x.qualificationRate,
    x.conversionRate,
  ];
  return { columns, rows: r.rows.map((x) => cells(x.groupKey, x)), totals: cells('Total', r.totals) };
}

export function reportTable(report: Schemas['GeneratedReport']): ReportTable {
  switch (report.reportType) {
    case 'agent_performance':
      return agentPerformanceTable(report);
    case 'call_outcomes':
      return callOutcomesTable(report);
    case 'lead_conversion':
      return leadConversionTable(report);
  }
}
