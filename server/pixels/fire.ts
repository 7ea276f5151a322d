// The call path's side of pixels: which pixel events a call transition means (pure), and queueing
// them without ever failing or delaying the webhook answer beyond the queue insert.
import type { Db, PixelEvent } from '../../db/types.js';
import type { Effect } from '../calls/state.js';
import { enqueuePixelEvent } from './enqueue.js';

export interface PixelLog {
  warn(obj: object, msg: string): void;
}

/** The pixel events of a call transition's effects, in the order they happened. */
export function pixelEventsOf(effects: readonly Effect[]): PixelEvent[] {
  const events: PixelEvent[] = [];
  for (const effect of effects) {
    if (effect.type === 'leg_answered') events.push('call_answered');
    else if (effect.type === 'revenue_qualified') events.push('conversion');
    else if (effect.type === 'call_ended' && effect.status === 'completed') events.push('call_completed');
  }
  return [...new Set(events)];
}

/**
 * Queue `events` for the call. Never throws: a failure is logged (when a logger is given) and the
 * webhook answers as usual — the call matters more than its pixels.
 */
export async function firePixelEvents(db: Db, call: { orgId: string | null; callId: number }, events: readonly PixelEvent[], log?: PixelLog): Promise<void> {
  const { orgId, callId } = call;
  if (orgId === null) return;
  for (const event of events) {
    try {
      await enqueuePixelEvent(db, { orgId, callId, event });
    } catch (err) {
      log?.warn({ err, callId, event }, 'Could not queue tracking pixels');
    }
  }
}
