// The in-process answer cache of POST /api/dni/ultra-fast ("served from memory where it can be,
// without giving up correctness").
//
// The rule: a repeat request of a session is answered from memory only while the last time this
// instance touched the session's holding in the database (last_seen_at) is younger than half the
// pool's idle time. Within that window the holding is certainly still live for every instance: it
// cannot be released as idle (that needs a full idle time without a touch), and recycling an
// exhausted pool only takes holdings not seen for half the idle time (assign.ts). Past the window
// the request goes to the database, which touches (or re-assigns) the holding and refreshes the
// entry. A change of the campaign's pool or numbers reaches a cached session at most half an idle
// time later (a number taken out of its pool ends its holdings at once: until then the page may
// still show it, its calls attributed to nobody, and it is given to no other visitor). Only pool
// holdings are cached (default and campaign numbers always go to the DB). A repeat is only a
// repeat when it tells us nothing new of the visitor (the same visitor fields as the request that
// filled the entry): new UTM fields or click ids (a visitor back through another ad) go to the
// database, so that the session records them and the call is attributed with them.
export interface CachedAssignment {
  orgId: string;
  sessionRowId: string;
  poolId: number;
  phoneNumber: string;
  /** phoneNumber as the page shows it (formatted once, when cached). */
  formattedNumber: string | null;
  campaignId: string | null;
  campaignName: string | null;
  /** When this instance last touched the holding in the database (ms since epoch). */
  touchedAt: number;
  /** Half the pool's idle time, in ms: how long the entry may answer. */
  windowMs: number;
  /** The visitor fields of the request that filled the entry (visitorKey): only the same may be answered. */
  visitorKey: string;
}

/** What a DNI request says of its visitor, as one comparable string. */
export function visitorKey(visitor: object): string {
  return JSON.stringify(visitor);
}

export class AssignmentCache {
  private readonly entries = new Map<string, CachedAssignment>();

  constructor(private readonly maxEntries = 100_000) {}

  private static key(campaignId: string, sessionId: string): string {
    return `${campaignId}\u0000${sessionId}`;
  }

  /** The entry when it may still answer at `now`, else undefined (and forgotten). */
  get(campaignId: string, sessionId: string, now: number): CachedAssignment | undefined {
    const key = AssignmentCache.key(campaignId, sessionId);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (now - entry.touchedAt >= entry.windowMs || now < entry.touchedAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  set(campaignId: string, sessionId: string, entry: CachedAssignment): void {
    const key = AssignmentCache.key(campaignId, sessionId);
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  forget(campaignId: string, sessionId: string): void {
    this.entries.delete(AssignmentCache.key(campaignId, sessionId));
  }

  get size(): number {
    return this.entries.size;
  }
}
