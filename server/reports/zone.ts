// Days and hours of a time zone as UTC instants (pure), on the wall-clock arithmetic of
// platform/common/zoned-time.ts (the IANA rules come from Node's Intl).
//
// Every zone's offset, and every daylight-saving change, falls on a quarter hour, so every day and
// hour boundary is a quarter-hour mark. A local midnight that does not exist (a zone that springs
// forward at midnight) starts its day at the first instant that does.
import { DAY_MS, HOUR_MS, MINUTE_MS, offsetAt, transitionBetween, wallClock } from '../platform/common/zoned-time.js';

const QUARTER_MS = 15 * MINUTE_MS;
const SECOND_MS = 1000;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of the instant in the zone. */
export function localDate(at: number, timeZone: string): string {
  const w = wallClock(timeZone, at);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** The local hour starting at `at`, with its offset: `2025-08-04T13:00-04:00`. */
export function localHourLabel(at: number, timeZone: string): string {
  const offset = Math.round(offsetAt(timeZone, at) / MINUTE_MS);
  const local = new Date(at + offset * MINUTE_MS).toISOString().slice(0, 16);
  const abs = Math.abs(offset);
  return `${local}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `YYYY-MM-DD` plus `days` (calendar arithmetic, no zone). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The first instant of local date `date` (`YYYY-MM-DD`) in the zone, ms since epoch. */
export function startOfLocalDay(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(y, m - 1, d);
  // Offsets lie within ±15 h: the first of the quarter-hour marks around UTC midnight whose local
  // date is `date` or later. Looked at in order, not halved: local dates do not always grow with
  // time (St John's went back from 00:01 to 23:01 the day before until 2011), and the day starts
  // where its date first shows.
  const last = Math.ceil((utcMidnight + 15 * HOUR_MS) / QUARTER_MS);
  let at = Math.floor((utcMidnight - 15 * HOUR_MS) / QUARTER_MS);
  while (at < last && localDate(at * QUARTER_MS, timeZone) < date) at += 1;
  return at * QUARTER_MS;
}

interface Segment {
  start: number;
  end: number;
  offset: number;
}

/** [from, to) cut where the zone's offset changes (looked at once a day: no zone changes twice a day). */
function offsetSegments(from: number, to: number, timeZone: string): Segment[] {
  const starts: Array<{ start: number; offset: number }> = [{ start: from, offset: offsetAt(timeZone, from) }];
  let a = from;
  let offsetA = starts[0]!.offset;
  while (a < to) {
    const b = Math.min(a + DAY_MS, to);
    const offsetB = offsetAt(timeZone, b);
    if (offsetB !== offsetA) {
      const change = transitionBetween(timeZone, a, b);
      if (change < to) starts.push({ start: change, offset: offsetB });
    }
    a = b;
    offsetA = offsetB;
  }
  return starts.map((s, i) => ({ ...s, end: starts[i + 1]?.start ?? to }));
}

/**
 * The starts of the zone's days (`unit` day) or hours (`unit` hour) in [from, to), `from` first
 * (`from` must itself be a boundary: a local midnight). Within a stretch of constant offset they
 * are plain arithmetic; where the offset changes, an hour starts (an hour of 30 minutes in Lord
 * Howe; a repeated hour when clocks go back is two hours, a skipped one none), and a day starts
 * when the date changes there (a zone that springs forward at midnight), never twice (a zone that
 * falls back to midnight has one 25-hour day).
 */
export function localBoundaries(from: number, to: number, timeZone: string, unit: 'day' | 'hour'): number[] {
  const length = unit === 'day' ? DAY_MS : HOUR_MS;
  const found = new Set<number>([from]);
  for (const [i, segment] of offsetSegments(from, to, timeZone).entries()) {
    // The instant just before a change (changes fall on whole seconds; not always on a quarter
    // hour: Casey sprang forward at 00:01) tells whether the date changes there.
    if (i > 0 && (unit === 'hour' || localDate(segment.start, timeZone) !== localDate(segment.start - SECOND_MS, timeZone))) found.add(segment.start);
    const local = segment.start + segment.offset;
    for (let at = Math.ceil(local / length) * length - segment.offset; at < segment.end; at += length) {
      // Clocks going back to midnight (Azores, Havana): the second 00:00 is not a new day.
      if (unit === 'day' && i > 0 && at === segment.start && localDate(at, timeZone) === localDate(at - SECOND_MS, timeZone)) continue;
      found.add(at);
    }
  }
  const sorted = [...found].filter((at) => at >= from && at < to).sort((a, b) => a - b);
  if (unit === 'hour') return sorted;
  // A day starts where a later date first shows: where clocks went back across midnight (St John's
  // until 2011: 00:01 → 23:01 the day before) the dates shown again belong to the day begun.
  let last = '';
  return sorted.filter((at) => {
    const date = localDate(at, timeZone);
    if (date <= last) return false;
    last = date;
    return true;
  });
}

/** The UTC hours (their starts) inside which a boundary falls off the hour. */
export function splitHours(boundaries: readonly number[]): number[] {
  const hours = new Set<number>();
  for (const b of boundaries) if (b % HOUR_MS !== 0) hours.add(b - (b % HOUR_MS));
  return [...hours].sort((a, b) => a - b);
}
