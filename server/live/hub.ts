// An instance's live-event hub: gives each event its id and time, sends it to the Socket.IO rooms
// named (the adapter carries it to the other instances' sockets), tells the other instances'
// hubs (serverSideEmit, over the same adapter) so their SSE clients and replay buffers see it too,
// and serves the SSE clients connected here. With an adapter that cannot recover (PostgreSQL) the
// relay is the only message: each hub emits to its own sockets (one NOTIFY per event, not two).
// The relay carries the events of one turn of the event loop together (up to RELAY_BATCH_MAX a
// message): with the PostgreSQL adapter each message is a NOTIFY its listeners wake for, and the
// voice webhook publishes an event per call (measured: 0.1 ms of CPU per call, one NOTIFY each).
// This instance's sockets and SSE clients get each event at once; the others one turn later. Across
// instances the order is the adapter's: the PostgreSQL adapter sends from a pool of connections,
// so one message may overtake another (as one event's could before).
// The one publisher registered against the app's db.
import { randomBytes } from 'node:crypto';
import type { Server } from 'socket.io';
import type { LiveEvent, LivePublisher } from '../platform/live/publish.js';
import { RecentEvents, type StoredEvent } from './recent-events.js';

/** Replay window: the last 10,000 events, at most 5 minutes old. */
const RECENT_MAX = 10_000;
const RECENT_MAX_AGE_MS = 5 * 60_000;
/** One event per message (what instances before the batched relay send; still understood). */
const SERVER_SIDE_EVENT = 'ccp:live';
const SERVER_SIDE_BATCH = 'ccp:live-batch';
/** Someone's rights changed: every instance checks its open connections again. */
const SERVER_SIDE_RECHECK = 'ccp:recheck';
/** Events per relay message: ~350 bytes each keeps a message under PostgreSQL's 8,000-byte NOTIFY payload. */
export const RELAY_BATCH_MAX = 16;

export interface LiveSubscriber {
  rooms: ReadonlySet<string>;
  send(event: StoredEvent): void;
}

export class LiveHub implements LivePublisher {
  readonly instanceId = randomBytes(3).toString('hex');
  readonly recent = new RecentEvents(RECENT_MAX, RECENT_MAX_AGE_MS);
  readonly #subscribers = new Set<LiveSubscriber>();
  #sequence = 0;
  #relayQueue: StoredEvent[] = [];
  #relayScheduled = false;

  /** Called after each event published here (not those relayed from other instances). */
  afterPublish: ((event: LiveEvent) => void) | null = null;
  /** Checks this instance's open connections against their callers' rights (socket-server.ts). */
  onRecheck: (() => void) | null = null;

  constructor(
    private readonly io: Server,
    private readonly mode: { clustered: boolean; relayOnly: boolean },
    private readonly log: { warn: (obj: object, msg: string) => void },
  ) {
    // A relayed event is held for replay from when it arrived here: its `at` is the other
    // instance's clock, which may run minutes ahead (it would age this instance's events out).
    io.on(SERVER_SIDE_EVENT, (event: StoredEvent) => this.#deliverLocally({ ...event, at: Date.now() }, this.mode.relayOnly));
    io.on(SERVER_SIDE_BATCH, (events: StoredEvent[]) => {
      const at = Date.now();
      for (const event of events) this.#deliverLocally({ ...event, at }, this.mode.relayOnly);
    });
    io.on(SERVER_SIDE_RECHECK, () => this.onRecheck?.());
  }

  /** Someone's rights changed: this instance's connections and (clustered) every other's are checked now. */
  recheckCallers(): void {
    this.onRecheck?.();
    if (!this.mode.clustered) return;
    try {
      this.io.serverSideEmit(SERVER_SIDE_RECHECK);
    } catch (err) {
      this.log.warn({ err }, 'live connections recheck not asked of every instance');
    }
  }

  publish(event: LiveEvent): void {
    // Socket.IO reads `to([])` as every socket of every organisation: an event naming no room goes nowhere.
    if (event.rooms.length === 0) {
      this.log.warn({ event: event.name }, 'live event with no rooms not sent');
      return;
    }
    this.#sequence += 1;
    const id = `${this.instanceId}-${this.#sequence.toString().padStart(12, '0')}`;
    const at = Date.now();
    const payload = { eventId: id, occurredAt: new Date(at).toISOString(), ...event.payload };
    const stored: StoredEvent = { id, name: event.name, rooms: event.rooms, payload, at };
    try {
      if (!this.mode.relayOnly) this.io.to(event.rooms).emit(event.name, payload);
    } catch (err) {
      this.log.warn({ err, event: event.name }, 'live event not sent to every instance');
    }
    if (this.mode.clustered) this.#relay(stored);
    this.#deliverLocally(stored, this.mode.relayOnly);
    this.afterPublish?.(event);
  }

  /** Sends what is queued for the other instances now (the hub calls it at the end of the turn). */
  flushRelay(): void {
    this.#relayScheduled = false;
    while (this.#relayQueue.length > 0) {
      const events = this.#relayQueue.splice(0, RELAY_BATCH_MAX);
      try {
        this.io.serverSideEmit(SERVER_SIDE_BATCH, events);
      } catch (err) {
        this.log.warn({ err, events: events.length }, 'live events not sent to every instance');
      }
    }
  }

  #relay(event: StoredEvent): void {
    this.#relayQueue.push(event);
    if (this.#relayScheduled) return;
    this.#relayScheduled = true;
    setImmediate(() => this.flushRelay());
  }

  subscribe(subscriber: LiveSubscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  #deliverLocally(event: StoredEvent, toSockets: boolean): void {
    if (event.rooms.length === 0) return;
    if (toSockets) this.io.local.to([...event.rooms]).emit(event.name, event.payload);
    this.recent.add(event);
    for (const subscriber of this.#subscribers) {
      if (event.rooms.some((room) => subscriber.rooms.has(room))) subscriber.send(event);
    }
  }
}
