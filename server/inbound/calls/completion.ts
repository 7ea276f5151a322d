// When a call's completion events are recorded (pure): the `call_completed` pixel and conversion
// event and the `call.completed` event webhook carry the call's revenue, which a <Dial> outcome
// qualifies. Twilio may deliver the call's final status before that outcome (a caller hanging up
// during the <Dial>: the two requests race); the events then wait for it, and the call is marked
// `completion_pending` (migration 0051). Once no leg we dialled awaits its outcome, they are
// recorded — by the callback that brought the last outcome, or by the sweep (completion-sweep.ts)
// when an outcome never comes.
import type { CallState } from './state.js';
import { isFinalCallStatus } from './status.js';

/** A leg we dialled (it has a destination) whose <Dial> outcome has not come. */
export function awaitsDialOutcome(state: CallState): boolean {
  return state.legs.some((leg) => leg.destination !== null && leg.dialStatus === null);
}

export interface Completion {
  /** This transition records the completion events. */
  record: boolean;
  /** The call's `completion_pending` after it. */
  pending: boolean;
}

/** What a transition from `before` to `after` does to the completion events (`pendingBefore`: the call's flag before it). */
export function completionOf(before: CallState, after: CallState, pendingBefore: boolean): Completion {
  if (!isFinalCallStatus(after.status)) return { record: false, pending: false };
  if (!isFinalCallStatus(before.status)) return awaitsDialOutcome(after) ? { record: false, pending: true } : { record: true, pending: false };
  if (pendingBefore && !awaitsDialOutcome(after)) return { record: true, pending: false };
  return { record: false, pending: pendingBefore };
}
