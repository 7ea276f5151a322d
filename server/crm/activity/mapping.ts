// Timeline rows -> API items: each kind's fields and a one-line summary for a person (pure).
import type { components } from '../../../client/schema.js';
import type { CallLogOutcome, FollowUpStatus, LeadStage } from '../../../db/types.js';
import { iso, isoOrNull } from '../../platform/common/dates.js';
import { OUTCOME_LABELS } from '../call-logs/outcome.js';
import type { ActivityRow } from './queries.js';

type ActivityItem = components['schemas']['ActivityItem'];

/** Seed 003's names of the stages. */
const STAGE_LABELS: Record<LeadStage, string> = {
  new: 'New',
  contacted: 'Contacted',
  follow_up: 'Follow-up',
  qualified: 'Qualified',
  converted: 'Converted',
  lost: 'Lost',
};

const NOTES_IN_SUMMARY = 120;

/** `35 s`, `7 min` (whole minutes from a minute on), `1 h 5 min`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return rest === 0 ? `${Math.floor(minutes / 60)} h` : `${Math.floor(minutes / 60)} h ${rest} min`;
}

function shortened(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= NOTES_IN_SUMMARY ? line : `${line.slice(0, NOTES_IN_SUMMARY - 1)}…`;
}

function stageLabel(value: string | null): string {
  return (value && STAGE_LABELS[value as LeadStage]) ?? String(value);
}

function describe(row: ActivityRow): Pick<ActivityItem, 'summary' | 'data'> {
  switch (row.type) {
    case 'call': {
      // What became of the call as the dialer tells it (its disposition), else its carrier status.
      const outcome = (row.text2 ?? row.text1 ?? 'placed').replace(/[_-]/g, ' ');
      const duration = row.num1 === null ? '' : ` (${formatDuration(row.num1)})`;
      return { summary: `Call: ${outcome}${duration}`, data: { callId: row.num2, status: row.text1, disposition: row.text2, duration: row.num1 } };
    }
    case 'call_log': {
      const outcome = row.text1 as CallLogOutcome;
      const label = OUTCOME_LABELS[outcome] ?? outcome;
      const duration = row.num1 === null ? '' : ` (${formatDuration(row.num1)})`;
      const notes = row.text2 ? `: ${shortened(row.text2)}` : '';
      return { summary: `${label}${duration}${notes}`, data: { outcome, duration: row.num1, notes: row.text2, callId: row.num2 } };
    }
    case 'follow_up': {
      const status = row.text1 as FollowUpStatus;
      return { summary: `Follow-up (${status})`, data: { status, callLogId: row.text2, completedAt: isoOrNull(row.time1) } };
    }
    case 'stage_change':
      return { summary: `${stageLabel(row.text1)} → ${stageLabel(row.text2)}`, data: { from: row.text1, to: row.text2 } };
    case 'import':
      return { summary: row.text1 ? `Imported from ${row.text1}` : 'Imported from a CSV file', data: { importId: row.id, fileName: row.text1 } };
  }
}

export function presentActivity(row: ActivityRow): ActivityItem {
  return { type: row.type, at: iso(row.at), id: row.id, userId: row.user_id, ...describe(row) };
}
