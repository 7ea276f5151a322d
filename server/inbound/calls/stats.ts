// Call statistics rows -> API shapes (pure). Counts arrive as bigint text, averages and the cost
// sum as numeric text (null averages stay null: no call had a duration or a talk time).
import type { components } from '../../../client/schema.js';
import type { CallStatsRow, DispositionCountRow } from './queries/index.js';

type Schemas = components['schemas'];

function numberOrNull(value: string | null): number | null {
  return value === null ? null : Number(value);
}

export function presentCallStats(row: CallStatsRow): Schemas['CallStatsSummary'] {
  return {
    stats: {
      totalCalls: Number(row.total_calls),
      answeredCalls: Number(row.answered_calls),
      voicemailCalls: Number(row.voicemail_calls),
      noAnswerCalls: Number(row.no_answer_calls),
      busyCalls: Number(row.busy_calls),
      failedCalls: Number(row.failed_calls),
      abandonedCalls: Number(row.abandoned_calls),
      canceledCalls: Number(row.canceled_calls),
      humanAnswered: Number(row.human_answered),
      machineAnswered: Number(row.machine_answered),
      avgDuration: numberOrNull(row.avg_duration),
      avgTalkTime: numberOrNull(row.avg_talk_time),
      totalCost: Number(row.total_cost),
    },
  };
}

export function presentDispositionCounts(rows: readonly DispositionCountRow[]): Schemas['CallDispositionBreakdown'] {
  return { dispositions: rows.map((row) => ({ disposition: row.disposition, count: Number(row.count) })) };
}
