// An instance's live-event hub: gives each event its id and time, sends it to the Socket.IO rooms
// named (the adapter carries it to the other instances' sockets), tells the other instances'
// hubs (serverSideEmit, over the same adapter) so their SSE clients and replay buffers see it too,
// and serves the SSE clients connected here. With an adapter that cannot recover (PostgreSQL) the
// relay is the only message: each hub emits to its own sockets (one NOTIFY per event, not two).
// The one publisher registered against the app's db.
import { randomBytes } from 'node:crypto';
import type { Server } from 'socket.io';
import type { LiveEvent, LivePublisher } from '../platform/live/publish.js';
import { RecentEvents, type StoredEvent } from './recent-events.js';

/** Replay window: the last 10,000 events, at most 5 minutes old. */
const RECENT_MAX = 10_000;
const RECENT_MAX_AGE_MS = 5 * 60_000;
const SERVER_SIDE_EVENT = 'ccp:live';

export interface LiveSubscriber {
  rooms: ReadonlySet<string>;
  send(event: StoredEvent): void;
}

export class LiveHub implements LivePublisher {
  readonly instanceId = randomBytes(3).toString('hex');
  readonly recent = new RecentEvents(RECENT_MAX, RECENT_MAX_AGE_MS);
  readonly #subscribers = new Set<LiveSubscriber>();
  #sequence = 0;

  /** Called after each event published here (not those relayed from other instances). */
  afterPublish: ((event: LiveEvent) => void) | null = null;

  constructor(
    private readonly io: Server,
    private readonly mode: { clustered: boolean; relayOnly: boolean },
    private readonly log: { warn: (obj: object, msg: string) => void },
  ) {
    io.on(SERVER_SIDE_EVENT, (event: StoredEvent) => this.#deliverLocally(event, this.mode.relayOnly));
  }

  publish(event: LiveEvent): void {
    this.#sequence += 1;
    const id = `${this.instanceId}-${this.#sequence.toString().padStart(12, '0')}`;
    const at = Date.now();
    const payload = { eventId: id, occurredAt: new Date(at).toISOString(), ...event.payload };
    const stored: StoredEvent = { id, name: event.name, rooms: event.rooms, payload, at };
    try {
      if (!this.mode.relayOnly) this.io.to(event.rooms).emit(event.name, payload);
      if (this.mode.clustered) this.io.serverSideEmit(SERVER_SIDE_EVENT, stored);
    } catch (err) {
      this.log.warn({ err, event: event.name }, 'live event not sent to every instance');
    }
    this.#deliverLocally(stored, this.mode.relayOnly);
    this.afterPublish?.(event);
  }

  subscribe(subscriber: LiveSubscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  #deliverLocally(event: StoredEvent, toSockets: boolean): void {
    if (toSockets) this.io.local.to([...event.rooms]).emit(event.name, event.payload);
    this.recent.add(event);
    for (const subscriber of this.#subscribers) {
      if (event.rooms.some((room) => subscriber.rooms.has(room))) subscriber.send(event);
    }
  }
}
