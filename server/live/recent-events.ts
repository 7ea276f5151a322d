// The events an instance sent lately, for replay after a reconnect (SSE `Last-Event-ID`, a
// Socket.IO client whose recovery the adapter cannot do): at most `max` events and `maxAgeMs` old
// (pure; bounded memory whatever the traffic).
export interface StoredEvent {
  id: string;
  name: string;
  rooms: readonly string[];
  /** The payload as sent (metadata included). */
  payload: object;
  at: number;
}

export class RecentEvents {
  readonly #items: StoredEvent[] = [];
  #start = 0;

  constructor(
    private readonly max: number,
    private readonly maxAgeMs: number,
  ) {}

  add(event: StoredEvent): void {
    this.#items.push(event);
    this.#trim(event.at);
  }

  /**
   * The events after `id` that a member of `rooms` receives, oldest first; null when `id` is no
   * longer (or never was) held — the caller must resync.
   */
  after(id: string, rooms: ReadonlySet<string>, now: number): StoredEvent[] | null {
    this.#trim(now);
    let index = -1;
    for (let i = this.#items.length - 1; i >= this.#start; i -= 1) {
      if (this.#items[i]!.id === id) {
        index = i;
        break;
      }
    }
    if (index < 0) return null;
    return this.#items.slice(index + 1).filter((e) => e.rooms.some((room) => rooms.has(room)));
  }

  get size(): number {
    return this.#items.length - this.#start;
  }

  #trim(now: number): void {
    while (this.#start < this.#items.length && (this.#items.length - this.#start > this.max || now - this.#items[this.#start]!.at > this.maxAgeMs)) {
      this.#start += 1;
    }
    // Compact once the dead prefix is large (amortised O(1) per event).
    if (this.#start > 1024 && this.#start * 2 > this.#items.length) {
      this.#items.splice(0, this.#start);
      this.#start = 0;
    }
  }
}
