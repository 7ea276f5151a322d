// Wall-clock arithmetic in an IANA time zone with Intl only. "Wall" values are the local calendar
// fields encoded as if they were UTC milliseconds (Date.UTC(y, m - 1, d, h, min)), which makes
// local-date arithmetic plain integer arithmetic. An unknown zone throws a RangeError (Intl's).

import { zoneKey } from './time-zone.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface WallClock {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  /** 0–23 */
  hour: number;
  minute: number;
  second: number;
}

/**
 * One formatter per zone, keyed by its name in lower case: zone names are case-insensitive, and a
 * key per spelling (`utc`, `UTC`, `uTc`, …) let a caller grow the map without bound (~30 KB each).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** How many zone formatters are held (bounded by the IANA set, whatever the spellings asked for). */
export function heldZoneFormatters(): number {
  return formatters.size;
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  const key = zoneKey(timeZone);
  let f = formatters.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(key, f);
  }
  return f;
}

// en-US with h23 and numeric fields prints "1/2/2025, 13:05:09"; `format` and a regular expression
// are several times faster than `formatToParts` (reports call this for every day and hour).
const PRINTED = /^(\d{1,2})\/(\d{1,2})\/(\d{4}), (\d{1,2}):(\d{2}):(\d{2})$/;

/** The local calendar fields of an instant (epoch ms) in a zone, to the second. */
export function wallClock(timeZone: string, instant: number): WallClock {
  const printed = PRINTED.exec(formatter(timeZone).format(instant));
  if (printed) {
    const [, month, day, year, hour, minute, second] = printed.map(Number) as [number, number, number, number, number, number, number];
    return { year, month, day, hour: hour % 24, minute, second };
  }
  const w: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(timeZone).formatToParts(instant)) {
    switch (part.type) {
      case 'year':
      case 'month':
      case 'day':
      case 'minute':
      case 'second':
        w[part.type] = Number(part.value);
        break;
      case 'hour':
        w.hour = Number(part.value) % 24; // some runtimes print midnight as 24 even with h23
        break;
      default:
        break;
    }
  }
  return w;
}

/** The wall value (see the file comment) of a wall clock, to the second. */
export function wallValue(w: WallClock): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** Local wall value of an instant (seconds precision). */
export function wallAt(timeZone: string, instant: number): number {
  return wallValue(wallClock(timeZone, instant));
}

/** The zone's UTC offset at an instant, in ms (local = UTC + offset). */
export function offsetAt(timeZone: string, instant: number): number {
  return wallAt(timeZone, instant) - Math.floor(instant / 1000) * 1000;
}

/** 0 = Sunday … 6 = Saturday, of the local date of a wall value. */
export function weekdayOfWall(wall: number): number {
  return new Date(wall).getUTCDay();
}

/**
 * The first instant (whole second) in (lo, hi] at which the offset is no longer the one at `lo`.
 * Assumes one transition in between (transitions are months apart).
 */
export function transitionBetween(timeZone: string, lo: number, hi: number): number {
  const before = offsetAt(timeZone, lo);
  let a = Math.floor(lo / 1000); // offset here is `before`
  let b = Math.ceil(hi / 1000); // offset here differs
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (offsetAt(timeZone, mid * 1000) === before) a = mid;
    else b = mid;
  }
  return b * 1000;
}

/**
 * The instants whose local wall clock reads `wall`, ascending: one normally, two in a fall-back
 * repeat. In a spring-forward gap no instant reads `wall`; then the result is the instant the
 * gap ends (the first instant whose local time is later than `wall`), alone.
 */
export function instantsOfWall(timeZone: string, wall: number): number[] {
  // The instant lies within ±14 h of `wall`, and a zone changes offset at most once in two days,
  // so the offsets a day either side are the only candidates.
  const offsets = new Set([offsetAt(timeZone, wall - DAY_MS), offsetAt(timeZone, wall), offsetAt(timeZone, wall + DAY_MS)]);
  const found = new Set<number>();
  for (const offset of offsets) {
    const instant = wall - offset;
    if (offsetAt(timeZone, instant) === offset) found.add(instant);
  }
  if (found.size > 0) return [...found].sort((x, y) => x - y);
  // Gap: before the transition the wall clock is earlier than `wall`, after it later.
  const sorted = [...offsets].sort((x, y) => x - y);
  const lo = wall - sorted[sorted.length - 1]!;
  const hi = wall - sorted[0]!;
  return [transitionBetween(timeZone, lo, hi)];
}
