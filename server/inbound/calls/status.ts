// Twilio's call and <Dial> outcome vocabularies, and their order (DESIGN.md 4.1). Pure.
//
// Parent call (CallStatus): queued < initiated < ringing < in-progress < final, where the five
// final statuses share the top rank: a final status is never replaced, not even by another final
// status (Twilio sends one final status per CallSid; a second, different one is a contradiction
// and the first is kept).
//
// A <Dial> attempt (DialCallStatus): nothing < answered < completed, or one of the failure
// outcomes (busy, no-answer, failed, canceled), which are terminal. `answered` and `completed`
// both mean the leg was connected; `completed` is its end state and may follow `answered`.

export const CALL_STATUSES = ['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'canceled', 'failed'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export const FINAL_CALL_STATUSES = ['completed', 'busy', 'no-answer', 'canceled', 'failed'] as const;
export type FinalCallStatus = (typeof FINAL_CALL_STATUSES)[number];

export const DIAL_CALL_STATUSES = ['completed', 'answered', 'busy', 'no-answer', 'failed', 'canceled'] as const;
export type DialCallStatus = (typeof DIAL_CALL_STATUSES)[number];

export const FAILED_DIAL_STATUSES = ['busy', 'no-answer', 'failed', 'canceled'] as const;
export type FailedDialStatus = (typeof FAILED_DIAL_STATUSES)[number];

/** The rank every final status shares. */
export const FINAL_RANK = 4;

const CALL_RANK: Readonly<Record<CallStatus, number>> = {
  queued: 0,
  initiated: 1,
  ringing: 2,
  'in-progress': 3,
  completed: FINAL_RANK,
  busy: FINAL_RANK,
  'no-answer': FINAL_RANK,
  canceled: FINAL_RANK,
  failed: FINAL_RANK,
};

export function isCallStatus(value: unknown): value is CallStatus {
  return typeof value === 'string' && (CALL_STATUSES as readonly string[]).includes(value);
}

export function isDialCallStatus(value: unknown): value is DialCallStatus {
  return typeof value === 'string' && (DIAL_CALL_STATUSES as readonly string[]).includes(value);
}

export function callStatusRank(status: CallStatus): number {
  return CALL_RANK[status];
}

export function isFinalCallStatus(status: CallStatus): status is FinalCallStatus {
  return CALL_RANK[status] === FINAL_RANK;
}

/** The leg was connected to the buyer / target. */
export function isAnsweredDialStatus(status: DialCallStatus): status is 'answered' | 'completed' {
  return status === 'answered' || status === 'completed';
}

export function isFailedDialStatus(status: DialCallStatus): status is FailedDialStatus {
  return !isAnsweredDialStatus(status);
}
