// The keys seen within the last `ttlMs`, at most `limit` of them (the oldest forgotten first).
// `add` says whether a key is new: the voice webhook asks it of every CallSid, so that a repeated
// delivery of a call (a Twilio retry to this instance) starts no auction before its read has
// shown the call already recorded (server/inbound/webhooks/auction-prefetch.ts).
export class RecentKeys<K> {
  /** Key → when it is forgotten (ms); a Map keeps insertion order, the oldest first. */
  readonly #until = new Map<K, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly limit: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Remembers `key`; true when it was not remembered already. */
  add(key: K): boolean {
    const now = this.clock();
    this.#forgetExpired(now);
    const until = this.#until.get(key);
    if (until !== undefined && until > now) return false;
    this.#until.delete(key);
    if (this.#until.size >= this.limit) {
      const oldest = this.#until.keys().next();
      if (!oldest.done) this.#until.delete(oldest.value);
    }
    this.#until.set(key, now + this.ttlMs);
    return true;
  }

  get size(): number {
    return this.#until.size;
  }

  #forgetExpired(now: number): void {
    for (const [key, until] of this.#until) {
      if (until > now) return;
      this.#until.delete(key);
    }
  }
}
