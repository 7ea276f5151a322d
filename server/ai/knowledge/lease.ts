// Keeping a claimed document's lease while it is processed: renewed every third of its length,
// one renewal at a time. A failed renewal is let go (the lease then runs out as after a crash, and
// the claim's `attempts` keeps a second worker's result from being overwritten).
import type { Db } from '../../../db/types.js';
import { type ClaimedDocument, renewLease } from './queries.js';

export interface HeldLease {
  /** Stops renewing; waits for a renewal in flight. */
  stop(): Promise<void>;
}

export function keepLease(db: Db, doc: Pick<ClaimedDocument, 'id' | 'attempts'>, leaseMs: number): HeldLease {
  let inFlight: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = renewLease(db, doc, leaseMs)
      .catch(() => false)
      .finally(() => {
        inFlight = null;
      });
  }, Math.max(1, Math.floor(leaseMs / 3)));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
