// What a finished outbound call means for the dialer (pure): its disposition, and what becomes of
// the lead — done, dialled again later by the campaign's retry policy, or given up.
import type { AnsweredBy, CallDisposition, CallRow, LeadDialStatus } from '../../../db/types.js';
import { nextRetryAt, type RetryOutcome, type RetryPolicy } from '../schedule/retry-policy.js';

export type FinalCallStatus = 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';

/** Twilio's AMD results that are a machine: every `machine_…` result and `fax` (`unknown` is neither). */
const IS_MACHINE: Readonly<Record<AnsweredBy, boolean>> = {
  human: false,
  machine_start: true,
  machine_end_beep: true,
  machine_end_silence: true,
  machine_end_other: true,
  fax: true,
  unknown: false,
};

export const MACHINE_ANSWERS: readonly AnsweredBy[] = (Object.keys(IS_MACHINE) as AnsweredBy[]).filter((answer) => IS_MACHINE[answer]);

export function isMachine(answeredBy: AnsweredBy | null): boolean {
  return answeredBy !== null && IS_MACHINE[answeredBy];
}

/** What is known of an answered call's person when it ends (the dial loop's calls). */
export interface AnsweredCall {
  /** The agent the call was given (a preview call's before it was placed). */
  agentId: string | null;
  /** Did the campaign wait for the AMD result? Without it, whoever answered was taken for a person. */
  amdEnabled: boolean;
}

/**
 * The disposition of a call that ended with `status`. A call answered by a machine is `voicemail`;
 * one a person answered and no agent took is `abandoned` — already set when the wait for an agent
 * ran out, and also when the person hung up during that wait (a person known: AMD off, or its
 * result not a machine; no agent ever given the call).
 */
export function dispositionOf(status: FinalCallStatus, answeredBy: AnsweredBy | null, current: CallDisposition | null, answered?: AnsweredCall): CallDisposition {
  if (current === 'abandoned') return 'abandoned';
  if (status === 'busy') return 'busy';
  if (status === 'no-answer') return 'no_answer';
  if (status === 'failed') return 'failed';
  if (status === 'canceled') return 'canceled';
  if (isMachine(answeredBy)) return 'voicemail';
  const personKnown = answered !== undefined && (!answered.amdEnabled || answeredBy !== null);
  if (personKnown && current === null && answered.agentId === null) return 'abandoned';
  return 'answered';
}

/**
 * The final status given to a placed call whose final callback never came (its lead's claim
 * lapsed after a call's longest life): a call bridged to an agent, or answered by a machine, was
 * answered — `completed` (disposition `answered` or `voicemail`, no talk time known); any other
 * ended without a known outcome — `failed` (an abandonment already recorded stays `abandoned`).
 */
export function lostCallStatus(call: Pick<CallRow, 'agent_id' | 'disposition' | 'answered_by'>): FinalCallStatus {
  if (call.disposition === 'answered' && call.agent_id !== null) return 'completed';
  return isMachine(call.answered_by) ? 'completed' : 'failed';
}

const RETRIED: Partial<Record<CallDisposition, RetryOutcome>> = {
  no_answer: 'no_answer',
  busy: 'busy',
  failed: 'failed',
  canceled: 'failed',
  voicemail: 'voicemail',
};

export interface LeadAfterCall {
  dialStatus: LeadDialStatus;
  nextCallAt: Date | null;
}

/**
 * The lead after its `attempt`-th dial ended with `disposition`: a person reached it (answered or
 * abandoned — seed 002 does not call a person back on its own) → `completed`; an outcome the
 * policy retries with attempts left → `queued` at the retry time; otherwise `failed`.
 */
export function leadAfterCall(policy: RetryPolicy, disposition: CallDisposition, attempt: number, now: Date): LeadAfterCall {
  const outcome = RETRIED[disposition];
  if (outcome === undefined) return { dialStatus: 'completed', nextCallAt: null };
  const next = nextRetryAt(policy, outcome, attempt, now);
  if (next === null) return { dialStatus: outcome === 'voicemail' ? 'completed' : 'failed', nextCallAt: null };
  return { dialStatus: 'queued', nextCallAt: next };
}
