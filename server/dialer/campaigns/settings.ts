// An outbound campaign's settings (issue 18 item 1, DESIGN.md 9.2): request fields → column
// changes, columns → answer fields (pure). The campaign API (server/inbound/campaigns/) calls these
// for the fields from `callerId` to `maxAbandonRate`; the checks that need the database (caller id
// held, agent group and audio of the organisation) are in ./checks.ts.
import type { components } from '../../../client/schema.js';
import type { CampaignPatch, CampaignRow, VoicemailDrop } from '../../../db/types.js';
import { isValidTimeZone } from '../../platform/common/time-zone.js';
import { instantOf, iso } from '../../platform/common/dates.js';
import type { DialCounters } from './counters.js';
import { ISO_WEEKDAYS, isoWeekdayName, isoWeekdayNumber } from '../../platform/common/weekdays.js';
import {
  applySeed004,
  DEFAULT_RETRY_POLICY,
  fromSeed002,
  type RetryPolicy,
  retryPolicyProblem,
  toSeed002,
  toSeed004,
} from '../schedule/retry-policy.js';
import { hasCallableTime } from '../schedule/calling-hours.js';

type CampaignUpdate = components['schemas']['CampaignUpdate'];
type Campaign = components['schemas']['Campaign'];
type RetryPolicyInput = components['schemas']['RetryPolicyInput'];

/** The request fields only an outbound campaign takes. */
export const OUTBOUND_FIELDS = [
  'callerId',
  'scheduleStart',
  'scheduleEnd',
  'timeZone',
  'callingHoursStart',
  'callingHoursEnd',
  'callingDays',
  'dialMode',
  'linesPerAgent',
  'agentGroupId',
  'retryPolicy',
  'amdEnabled',
  'voicemailDrop',
  'voicemailMessageUrl',
  'recordCalls',
  'maxAbandonRate',
] as const satisfies ReadonlyArray<keyof CampaignUpdate>;

export const DEFAULT_MAX_ABANDON_RATE = 0.03;

/** The calling hours of a campaign that sets none (start or end). */
export const DEFAULT_CALLING_HOURS = { start: '08:00', end: '21:00' } as const;

/** The first outbound field present in the body (for a 400 on an inbound campaign), or null. */
export function firstOutboundField(body: CampaignUpdate): string | null {
  return OUTBOUND_FIELDS.find((field) => body[field] !== undefined) ?? null;
}

/** Seed 002's HH:MM:SS read as HH:MM (the pattern has already checked the form). */
function clock(value: string | null): string | null {
  return value === null ? null : value.slice(0, 5);
}

export function storedRetryPolicy(row: Pick<CampaignRow, 'retry_policy'>): RetryPolicy {
  return (row.retry_policy as RetryPolicy | null) ?? DEFAULT_RETRY_POLICY;
}

/** The drop as stored: an audio id in lower case (a UUID in any case names the same file; the play URL and the delete check compare it as text). */
function storedDrop(drop: VoicemailDrop): VoicemailDrop {
  return 'audioId' in drop ? { audioId: drop.audioId.toLowerCase() } : drop;
}

function isSeed002(input: RetryPolicyInput): input is components['schemas']['RetryPolicySeed002'] {
  return 'maxAttempts' in input || 'delayMinutes' in input;
}

/**
 * The outbound fields of a create or update body as column changes, or the first bad field.
 * `current` is the stored row on an update (seed 004's retry shape changes only what it names).
 */
export function outboundPatch(
  body: CampaignUpdate,
  current: Pick<CampaignRow, 'retry_policy' | 'calling_hours_start' | 'calling_hours_end'> | null,
): { patch: CampaignPatch } | { field: string; message: string } {
  const patch: CampaignPatch = {};
  if (body.callerId !== undefined) patch.caller_id = body.callerId;
  if (body.scheduleStart !== undefined) patch.schedule_start = body.scheduleStart === null ? null : instantOf(body.scheduleStart);
  if (body.scheduleEnd !== undefined) patch.schedule_end = body.scheduleEnd === null ? null : instantOf(body.scheduleEnd);
  if (body.timeZone !== undefined) {
    if (body.timeZone !== null && !isValidTimeZone(body.timeZone)) return { field: 'timeZone', message: 'is not an IANA time zone (e.g. America/New_York)' };
    patch.time_zone = body.timeZone;
  }
  if (body.callingHoursStart !== undefined) patch.calling_hours_start = clock(body.callingHoursStart);
  if (body.callingHoursEnd !== undefined) patch.calling_hours_end = clock(body.callingHoursEnd);
  if (body.callingHoursStart !== undefined || body.callingHoursEnd !== undefined) {
    // The hours as they will be stored (an update may name one end); null is the default end.
    const start = (patch.calling_hours_start !== undefined ? patch.calling_hours_start : current?.calling_hours_start) ?? DEFAULT_CALLING_HOURS.start;
    const end = (patch.calling_hours_end !== undefined ? patch.calling_hours_end : current?.calling_hours_end) ?? DEFAULT_CALLING_HOURS.end;
    if (!hasCallableTime({ start, end })) {
      return {
        field: body.callingHoursStart !== undefined ? 'callingHoursStart' : 'callingHoursEnd',
        message: `${start}–${end} leaves no time inside the legal 08:00–21:00 (a window past midnight, e.g. 19:00–02:00, is taken)`,
      };
    }
  }
  if (body.callingDays !== undefined) patch.calling_days = body.callingDays === null ? null : body.callingDays.map(isoWeekdayNumber).sort();
  if (body.dialMode !== undefined) patch.dial_mode = body.dialMode;
  if (body.linesPerAgent !== undefined) patch.lines_per_agent = body.linesPerAgent;
  if (body.agentGroupId !== undefined) patch.agent_group_id = body.agentGroupId;
  if (body.retryPolicy !== undefined) {
    const input = body.retryPolicy;
    const policy = isSeed002(input)
      ? fromSeed002({
          maxAttempts: input.maxAttempts,
          delayMinutes: input.delayMinutes,
          retryOnNoAnswer: input.retryOnNoAnswer ?? true,
          retryOnBusy: input.retryOnBusy ?? true,
          retryOnVoicemail: input.retryOnVoicemail ?? false,
        })
      : applySeed004(current ? storedRetryPolicy(current) : DEFAULT_RETRY_POLICY, input);
    const problem = retryPolicyProblem(policy);
    if (problem) return { field: `retryPolicy.${problem.field}`, message: problem.message };
    patch.retry_policy = JSON.stringify(policy);
  }
  if (body.amdEnabled !== undefined) patch.amd_enabled = body.amdEnabled;
  if (body.voicemailMessageUrl !== undefined && body.voicemailDrop !== undefined) {
    return { field: 'voicemailMessageUrl', message: 'give either voicemailDrop or voicemailMessageUrl, not both' };
  }
  if (body.voicemailDrop !== undefined) patch.voicemail_drop = body.voicemailDrop === null ? null : JSON.stringify(storedDrop(body.voicemailDrop));
  if (body.voicemailMessageUrl !== undefined) patch.voicemail_drop = body.voicemailMessageUrl === null ? null : JSON.stringify({ url: body.voicemailMessageUrl });
  if (body.recordCalls !== undefined) patch.record_calls = body.recordCalls;
  if (body.maxAbandonRate !== undefined) patch.max_abandon_rate = body.maxAbandonRate;
  return { patch };
}

/** What a new outbound campaign has unless the body says otherwise. */
export function outboundDefaults(body: CampaignUpdate): CampaignPatch {
  return {
    status: body.status ?? 'paused',
    dial_mode: body.dialMode ?? 'progressive',
    lines_per_agent: body.linesPerAgent ?? (body.dialMode === 'predictive' ? 2 : 1),
    retry_policy: JSON.stringify(DEFAULT_RETRY_POLICY),
    max_abandon_rate: body.maxAbandonRate ?? DEFAULT_MAX_ABANDON_RATE,
    calling_days: ISO_WEEKDAYS.map(isoWeekdayNumber),
  };
}

export type OutboundFields = Pick<
  Campaign,
  | 'callerId'
  | 'scheduleStart'
  | 'scheduleEnd'
  | 'timeZone'
  | 'callingHoursStart'
  | 'callingHoursEnd'
  | 'callingDays'
  | 'dialMode'
  | 'linesPerAgent'
  | 'agentGroupId'
  | 'retryPolicy'
  | 'amdEnabled'
  | 'voicemailDrop'
  | 'recordCalls'
  | 'maxAbandonRate'
  | 'dialerStats'
>;

export const INBOUND_OUTBOUND_FIELDS: OutboundFields = {
  callerId: null,
  scheduleStart: null,
  scheduleEnd: null,
  timeZone: null,
  callingHoursStart: null,
  callingHoursEnd: null,
  callingDays: null,
  dialMode: null,
  linesPerAgent: null,
  agentGroupId: null,
  retryPolicy: null,
  amdEnabled: false,
  voicemailDrop: null,
  recordCalls: false,
  maxAbandonRate: null,
  dialerStats: null,
};

/** The answer's outbound fields; `totalLeads` and the counters are read by the caller (null on inbound campaigns). */
export function presentOutbound(row: CampaignRow, totalLeads: number, counters: DialCounters): OutboundFields {
  if (row.direction !== 'outbound') return INBOUND_OUTBOUND_FIELDS;
  const policy = storedRetryPolicy(row);
  return {
    callerId: row.caller_id,
    scheduleStart: row.schedule_start === null ? null : iso(row.schedule_start),
    scheduleEnd: row.schedule_end === null ? null : iso(row.schedule_end),
    timeZone: row.time_zone,
    callingHoursStart: row.calling_hours_start,
    callingHoursEnd: row.calling_hours_end,
    callingDays: row.calling_days === null ? null : row.calling_days.map(isoWeekdayName),
    dialMode: row.dial_mode,
    linesPerAgent: row.lines_per_agent === null ? null : Number(row.lines_per_agent),
    agentGroupId: row.agent_group_id,
    retryPolicy: { ...toSeed002(policy), byOutcome: toSeed004(policy) },
    amdEnabled: row.amd_enabled,
    voicemailDrop: row.voicemail_drop as VoicemailDrop | null,
    recordCalls: row.record_calls,
    maxAbandonRate: row.max_abandon_rate === null ? null : Number(row.max_abandon_rate),
    dialerStats: {
      totalLeads,
      ...counters,
      abandonRate: counters.callsAnswered === 0 ? null : counters.callsAbandoned / counters.callsAnswered,
    },
  };
}
