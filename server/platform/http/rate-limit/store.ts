// Fixed one-minute windows, counted in memory (one instance) or in Redis (several instances).
export interface WindowCount {
  /** Requests counted in the current window, this one included. */
  count: number;
  /** When the window ends (epoch ms). */
  resetAt: number;
}

export interface RateLimitStore {
  /** Counts one request; a store in memory answers at once (no promise on the hot path), Redis later. */
  hit(key: string, windowMs: number): WindowCount | Promise<WindowCount>;
  /** The current window of `key` without counting; null when none is open. */
  peek(key: string): WindowCount | null | Promise<WindowCount | null>;
  close(): Promise<void>;
}

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, WindowCount>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  hit(key: string, windowMs: number): WindowCount {
    const now = this.now();
    this.sweep(now, windowMs);
    const current = this.windows.get(key);
    if (!current || current.resetAt <= now) {
      const fresh = { count: 1, resetAt: now + windowMs };
      this.windows.set(key, fresh);
      return { ...fresh };
    }
    current.count += 1;
    return { ...current };
  }

  peek(key: string): WindowCount | null {
    const current = this.windows.get(key);
    return current && current.resetAt > this.now() ? { ...current } : null;
  }

  /** Drop ended windows at most once per window, so memory stays bounded by active keys. */
  private sweep(now: number, windowMs: number): void {
    if (now - this.lastSweep < windowMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}
