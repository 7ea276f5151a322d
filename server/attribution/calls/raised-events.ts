// Which events a call transition raises (pure): a buyer's leg answering is call.answered, the call
// reaching its final status (any: completed, busy, no-answer, failed, canceled) is call.completed,
// raised once no dialled leg awaits its <Dial> outcome (inbound/calls/completion.ts).
// call.started is raised where the call is recorded (inbound/webhooks/voice.ts).
import type { Effect } from '../../inbound/calls/state.js';
import type { CallEventType } from '../../platform/events/call-events.js';

export function raisedCallEventsOf(effects: readonly Effect[]): CallEventType[] {
  const events: CallEventType[] = [];
  for (const effect of effects) {
    if (effect.type === 'leg_answered') events.push('call.answered');
    else if (effect.type === 'completion_recorded') events.push('call.completed');
  }
  return [...new Set(events)];
}
