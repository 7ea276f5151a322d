// AI outbound calls and schedules as the API answers them (pure): camelCase, ISO times, money as
// numbers, dates as YYYY-MM-DD.
import type { components } from '../../../client/schema.js';
import type { AiOutboundCallRow, AiScheduleRow } from '../../../db/types.js';
import { iso, isoOrNull } from '../../platform/common/dates.js';
import { isoWeekdayName } from '../../platform/common/weekdays.js';
import type { TranscriptTurn } from '../runtime/transcript.js';

type OutboundCall = components['schemas']['OutboundCall'];
type AiSchedule = components['schemas']['AiSchedule'];

/** What the conversation added after the call (when the row has not got its own yet). */
export interface ConversationOutcome {
  summary: string | null;
  outcome: string | null;
}

export function presentOutboundCall(row: AiOutboundCallRow, extra: { transcript?: TranscriptTurn[]; conversation?: ConversationOutcome | undefined } = {}): OutboundCall {
  const shown: OutboundCall = {
    id: row.id,
    toPhone: row.to_phone,
    agentId: row.agent_id,
    agentVersion: row.agent_version,
    status: row.status,
    priority: row.priority,
    context: row.context,
    scheduledFor: iso(row.scheduled_for),
    timezone: row.timezone,
    attempt: row.attempt,
    originalCallId: row.original_call_id,
    scheduleId: row.schedule_id,
    callId: row.call_id,
    startedAt: isoOrNull(row.started_at),
    endedAt: isoOrNull(row.ended_at),
    duration: row.duration_sec,
    summary: row.summary ?? extra.conversation?.summary ?? null,
    outcome: row.outcome ?? extra.conversation?.outcome ?? null,
    cost: row.cost === null ? null : Number(row.cost),
    costBreakdown: row.cost_breakdown,
    metadata: row.metadata,
    failureReason: row.failure_reason,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
  if (extra.transcript) shown.transcript = extra.transcript;
  return shown;
}

/** A date column read as text (YYYY-MM-DD) or as a Date at UTC midnight. */
export function dateText(value: Date | string | null): string | null {
  if (value === null) return null;
  return typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);
}

export function presentSchedule(row: AiScheduleRow): AiSchedule {
  return {
    id: row.id,
    agentId: row.agent_id,
    toPhone: row.to_phone,
    pattern: row.pattern,
    time: row.time_of_day,
    timezone: row.timezone,
    startDate: dateText(row.start_date)!,
    endDate: dateText(row.end_date),
    daysOfWeek: row.days_of_week === null ? null : row.days_of_week.map(isoWeekdayName),
    dayOfMonth: row.day_of_month,
    businessHoursOnly: row.business_hours_only,
    context: row.context,
    priority: row.priority,
    isActive: row.is_active,
    nextRunAt: isoOrNull(row.next_run_at),
    lastRunAt: isoOrNull(row.last_run_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}
