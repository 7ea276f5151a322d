// Publishing a live event from anywhere that holds the app's database handle (DESIGN.md 9.3).
// The app registers its live hub (server/live/) against its `db` at start; code that changed
// something calls publishLive(db, …) after its transaction committed. With no hub registered
// (scripts, workers run alone, unit tests) publishing does nothing: live events are a view of
// what happened, never the record of it (the database is).
import type { ServerEvents } from '../../../client/events.js';

export type LiveEventName = keyof ServerEvents;
/** A payload as the server builds it: everything but the metadata the hub adds. */
export type LivePayload<N extends LiveEventName> = Omit<ServerEvents[N], 'eventId' | 'occurredAt'>;

export interface LiveEvent<N extends LiveEventName = LiveEventName> {
  name: N;
  orgId: string;
  /** Where it goes (rooms.ts); a connection in any of them receives it once. None: the event is dropped. */
  rooms: string[];
  payload: LivePayload<N>;
}

export interface LivePublisher {
  publish(event: LiveEvent): void;
  /** Checks the open live connections (every instance's) against their callers' rights now. */
  recheckCallers?(): void;
}

const publishers = new WeakMap<object, LivePublisher>();

export function registerLivePublisher(db: object, publisher: LivePublisher): void {
  publishers.set(db, publisher);
}

export function unregisterLivePublisher(db: object): void {
  publishers.delete(db);
}

/** Publish after the change committed; never throws (a live view must not fail the work). */
export function publishLive<N extends LiveEventName>(db: object, event: LiveEvent<N>): void {
  try {
    publishers.get(db)?.publish(event as unknown as LiveEvent);
  } catch {
    // The hub logs its own failures; the caller's work is done either way.
  }
}

/**
 * After a change to someone's rights committed (a key revoked, a logout everywhere, a user removed,
 * demoted or given a new password, an agent record taken from its user): the open live
 * connections that stood on them close now, not at the next periodic check. Never throws.
 */
export function recheckLiveCallers(db: object): void {
  try {
    publishers.get(db)?.recheckCallers?.();
  } catch {
    // The periodic check closes them at the latest.
  }
}
