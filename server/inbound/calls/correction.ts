// What a correction (PUT /api/calls/{id}) may change, and the history rows it leaves. Pure.
//
// - status only moves forward (a higher rank); a final status is never replaced, not even by
//   another final one (the calls_guard trigger enforces the same).
// - duration only grows.
// - revenue is a new value beside the counted one (calls.revenue is write-once): it is compared
//   with, and replaces, what the call pays now (a previous correction's value, else the counted one).
// A field given with the value it already has changes nothing and leaves no history row.
import { formatMoney, parseMoney } from './money.js';
import { type CallStatus, callStatusRank, isFinalCallStatus } from './status.js';

export type CorrectionField = 'status' | 'duration' | 'revenue';

const CORRECTION_FIELDS: readonly CorrectionField[] = ['status', 'duration', 'revenue'];

/** The call as it is now; `revenue` is what it pays now (revenue_override ?? revenue), as text. */
export interface CorrectableCall {
  status: CallStatus;
  durationSec: number | null;
  revenue: string | null;
}

/** The fields a correction asks for; `revenue` as decimal text (e.g. "30.0000"). */
export interface CorrectionRequest {
  status?: CallStatus | undefined;
  duration?: number | undefined;
  revenue?: string | undefined;
}

/** One history row: old and new value as text (money with four decimals). */
export interface FieldChange {
  field: CorrectionField;
  oldValue: string | null;
  newValue: string;
}

/** The columns to write (only the changed ones). */
export interface CallPatch {
  status?: CallStatus;
  durationSec?: number;
  revenueOverride?: string;
}

export type CorrectionPlan =
  | { ok: true; changes: FieldChange[]; patch: CallPatch }
  /** `conflicts`: the refused fields (status, duration), each with why. */
  | { ok: false; conflicts: Record<string, string> };

/** 400 details when the request names no field to correct (a `reason` alone corrects nothing). */
export function correctionRequestProblems(request: Partial<Record<CorrectionField, unknown>>): Record<string, string> {
  const named = CORRECTION_FIELDS.some((field) => request[field] !== undefined);
  return named ? {} : { body: `needs at least one of ${CORRECTION_FIELDS.join(', ')}` };
}

function statusConflict(from: CallStatus, to: CallStatus): string | null {
  if (from === to || callStatusRank(to) > callStatusRank(from)) return null;
  return isFinalCallStatus(from) ? `is final (${from}) and cannot be changed to ${to}` : `cannot go back from ${from} to ${to}`;
}

/** The changes a correction makes to `call`, or the fields it may not change (409). */
export function planCorrection(call: CorrectableCall, request: CorrectionRequest): CorrectionPlan {
  const conflicts: Record<string, string> = {};
  const changes: FieldChange[] = [];
  const patch: CallPatch = {};

  if (request.status !== undefined && request.status !== call.status) {
    const conflict = statusConflict(call.status, request.status);
    if (conflict) conflicts.status = conflict;
    else {
      changes.push({ field: 'status', oldValue: call.status, newValue: request.status });
      patch.status = request.status;
    }
  }

  if (request.duration !== undefined && request.duration !== call.durationSec) {
    if (call.durationSec !== null && request.duration < call.durationSec) {
      conflicts.duration = `cannot decrease (now ${call.durationSec} seconds)`;
    } else {
      changes.push({ field: 'duration', oldValue: call.durationSec === null ? null : String(call.durationSec), newValue: String(request.duration) });
      patch.durationSec = request.duration;
    }
  }

  if (request.revenue !== undefined) {
    const next = parseMoney(request.revenue);
    if (next === null) throw new Error(`not an amount: ${request.revenue}`);
    const now = call.revenue === null ? null : parseMoney(call.revenue);
    if (now !== next) {
      const newValue = formatMoney(next);
      changes.push({ field: 'revenue', oldValue: now === null ? null : formatMoney(now), newValue });
      patch.revenueOverride = newValue;
    }
  }

  return Object.keys(conflicts).length > 0 ? { ok: false, conflicts } : { ok: true, changes, patch };
}
