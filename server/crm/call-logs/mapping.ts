// Call-log rows -> API shapes, and the column changes a create / update body asks for (pure).
import type { components } from '../../../client/schema.js';
import type { CallLogPatch, CallLogRow, FollowUpStatus } from '../../../db/types.js';
import { instantOf, iso } from '../../platform/common/dates.js';
import { obfuscatePhone } from '../../platform/common/phone.js';
import { ERRORS } from '../../platform/errors.js';
import { parseOutcome } from './outcome.js';

type CallLog = components['schemas']['CallLog'];
type CallLogUpdate = components['schemas']['CallLogUpdate'];

/** A log with the follow-up task it scheduled (left-joined: all null when it has none). */
export interface CallLogWithFollowUp extends CallLogRow {
  follow_up_id: string | null;
  follow_up_due_at: Date | null;
  follow_up_status: FollowUpStatus | null;
}

export function presentCallLog(row: CallLogWithFollowUp): CallLog {
  const followUp =
    row.follow_up_id !== null && row.follow_up_due_at !== null && row.follow_up_status !== null
      ? { id: row.follow_up_id, dueAt: iso(row.follow_up_due_at), status: row.follow_up_status }
      : null;
  return {
    id: row.id,
    leadId: row.lead_id,
    userId: row.user_id,
    phone: obfuscatePhone(row.phone_e164) ?? '',
    duration: row.duration_sec,
    outcome: row.outcome,
    notes: row.notes,
    recordingUrl: row.recording_url,
    callId: row.call_id,
    scheduledFollowUp: followUp && followUp.status !== 'cancelled' ? followUp.dueAt : null,
    followUp,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/**
 * The columns a body sets (only the fields sent) among outcome, duration, notes and recording
 * URL. `phone`, `callId` and `scheduledFollowUp` need the database and are the caller's.
 */
export function callLogPatch(body: CallLogUpdate): CallLogPatch {
  const patch: CallLogPatch = {};
  if (body.outcome !== undefined) {
    const outcome = parseOutcome(body.outcome);
    if (!outcome) throw ERRORS.validation({ outcome: 'is not an outcome' });
    patch.outcome = outcome;
  }
  if (body.duration !== undefined) patch.duration_sec = body.duration;
  if (body.notes !== undefined) patch.notes = body.notes === null || body.notes.trim() === '' ? null : body.notes;
  if (body.recordingUrl !== undefined) patch.recording_url = body.recordingUrl;
  return patch;
}

/** What a log's `scheduledFollowUp` does to the follow-up task it may already have. */
export type FollowUpChange = { kind: 'none' } | { kind: 'create'; dueAt: string } | { kind: 'move'; dueAt: string } | { kind: 'cancel' };

/**
 * A time creates the task, or moves the existing one (reopening it when it was done or cancelled);
 * null cancels it while it is open (a done task stays done: it happened); absent changes nothing.
 * The very instant a done task is already due at changes nothing either: a log is read with its
 * done task's time as `scheduledFollowUp` and is often sent back whole with only its notes edited,
 * which must not bring back a task already done.
 */
export function followUpChange(existing: { status: FollowUpStatus; dueAt: Date } | null, requested: string | null | undefined): FollowUpChange {
  if (requested === undefined) return { kind: 'none' };
  if (requested === null) return existing?.status === 'open' ? { kind: 'cancel' } : { kind: 'none' };
  if (existing?.status === 'done' && instantOf(requested).getTime() === existing.dueAt.getTime()) return { kind: 'none' };
  return existing ? { kind: 'move', dueAt: requested } : { kind: 'create', dueAt: requested };
}
