// Where the buyer's current local hour, day and month began, as UTC instants, so that a query can
// count the calls since then (`created_at >= dayStart`). Caps reset on the buyer's own clock.
//
// The windows change only when a new local hour begins, so each zone's last answer is kept with
// the span of instants it holds for: a limited call asks for every candidate buyer's windows, and
// working them out costs a dozen Intl formats (about 40 µs) each time.
import { HOUR_MS, instantsOfWall, wallClock } from '../../platform/common/zoned-time.js';

export interface CapWindows {
  hourStart: Date;
  dayStart: Date;
  monthStart: Date;
}

interface Computed {
  windows: CapWindows;
  /** The first instant at which the windows may differ (the next local hour's start). */
  until: number;
}

/**
 * DST: a day or month starts at the first time its midnight happens (and, when midnight itself
 * is skipped, when the gap ends); the repeated hour of a fall-back counts as an hour of its own.
 * `until` is undefined when an answer holds for `at` alone (never seen; kept out of the cache).
 */
function compute(timeZone: string, t: number): { windows: CapWindows; until: number | undefined } {
  const w = wallClock(timeZone, t);
  let exact = true;
  const notAfter = (wall: number): number[] => {
    const list = instantsOfWall(timeZone, wall).filter((i) => i <= t);
    if (list.length > 0) return list;
    exact = false;
    return [t];
  };
  const hour = notAfter(Date.UTC(w.year, w.month - 1, w.day, w.hour));
  const day = notAfter(Date.UTC(w.year, w.month - 1, w.day));
  const month = notAfter(Date.UTC(w.year, w.month - 1, 1));
  const hourStart = hour[hour.length - 1]!;
  const windows = { hourStart: new Date(hourStart), dayStart: new Date(day[0]!), monthStart: new Date(month[0]!) };
  if (!exact) return { windows, until: undefined };
  // The hour ends when the next wall hour first begins, or an hour after it began (the first of
  // a fall-back's two 01:00 hours ends when the second begins); days and months begin with hours.
  const nextHour = instantsOfWall(timeZone, Date.UTC(w.year, w.month - 1, w.day, w.hour + 1))[0]!;
  return { windows, until: Math.min(nextHour, hourStart + HOUR_MS) };
}

/** The windows worked out afresh, no cache (what `capWindows` must always agree with). */
export function computeCapWindows(timeZone: string, at: Date): CapWindows {
  return compute(timeZone, at.getTime()).windows;
}

const lastByZone = new Map<string, Computed>();

/** The buyer's current windows at `at`. The Dates returned are shared: read them, never change them. */
export function capWindows(timeZone: string, at: Date): CapWindows {
  const t = at.getTime();
  const cached = lastByZone.get(timeZone);
  if (cached !== undefined && t >= cached.windows.hourStart.getTime() && t < cached.until) return cached.windows;
  const { windows, until } = compute(timeZone, t);
  if (until !== undefined && until > t) lastByZone.set(timeZone, { windows, until });
  return windows;
}
