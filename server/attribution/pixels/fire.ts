// The call path's side of pixels: which pixel events a call transition means (pure). They are
// queued with the transition (attribution/call-events.ts).
import type { PixelEvent } from '../../../db/types.js';
import type { Effect } from '../../inbound/calls/state.js';

export interface PixelLog {
  warn(obj: object, msg: string): void;
}

/** The pixel events of a call transition's effects, in the order they happened. */
export function pixelEventsOf(effects: readonly Effect[]): PixelEvent[] {
  const events: PixelEvent[] = [];
  for (const effect of effects) {
    if (effect.type === 'leg_answered') events.push('call_answered');
    else if (effect.type === 'revenue_qualified') events.push('conversion');
    else if (effect.type === 'completion_recorded' && effect.status === 'completed') events.push('call_completed');
  }
  return [...new Set(events)];
}
