// Is a weekly schedule (a buyer's operating hours, an agent's working hours) open at an instant, and when does it open next, in its own time zone.
// Hours per weekday are { start, end } 'HH:MM' on the local wall clock; '24:00' ends a day. An
// end before the start runs past midnight: friday 22:00–06:00 covers Friday 22:00–24:00 and
// Saturday 00:00–06:00. A weekday not listed is closed; `null` hours are always open.
// DST: the local wall clock is what counts, so a spring-forward gap simply never happens
// locally and a fall-back hour is open both times it happens.
import type { DayHours, OperatingHours, Weekday } from '../../../db/types.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, instantsOfWall, offsetAt, transitionBetween, wallAt, weekdayOfWall } from './zoned-time.js';

/** Indexed by Date#getUTCDay(): 0 = Sunday. */
const WEEKDAYS: readonly Weekday[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MINUTES_PER_DAY = 1440;
const LOOKAHEAD_MS = 8 * DAY_MS;

/** Minutes since local midnight, 0–1440; null when malformed. */
export function parseClockTime(value: string): number | null {
  if (value === '24:00') return MINUTES_PER_DAY;
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (match === null) return null;
  return Number(match[1]) * 60 + Number(match[2]);
}

interface Span {
  start: number;
  end: number;
  overnight: boolean;
}

/** A day's range; null (closed) when missing, malformed or empty (start = end). */
function span(hours: DayHours | undefined): Span | null {
  if (hours === undefined || hours === null) return null;
  const start = parseClockTime(hours.start);
  const end = parseClockTime(hours.end);
  if (start === null || end === null || start === end) return null;
  return { start, end, overnight: end < start };
}

function hoursOf(hours: OperatingHours, weekday: number): DayHours | undefined {
  return hours[WEEKDAYS[((weekday % 7) + 7) % 7]!];
}

/** Open at a local weekday (0 = Sunday) and minute of the day (0–1439)? */
function openAtLocal(hours: OperatingHours, weekday: number, minute: number): boolean {
  const today = span(hoursOf(hours, weekday));
  if (today !== null && minute >= today.start && (today.overnight || minute < today.end)) return true;
  const yesterday = span(hoursOf(hours, weekday - 1));
  return yesterday !== null && yesterday.overnight && minute < yesterday.end;
}

/** Is the buyer open at `at`, on the local wall clock of `timeZone`? (Seconds are ignored.) */
export function isOpen(hours: OperatingHours | null, timeZone: string, at: Date): boolean {
  if (hours === null) return true;
  const wall = wallAt(timeZone, at.getTime());
  const minute = Math.floor((((wall % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
  return openAtLocal(hours, weekdayOfWall(wall), minute);
}

/**
 * The earliest instant at or after `from` at which the buyer is open (`from` itself when open
 * now), looking at most 8 days ahead; null when it does not open within them. An opening is
 * either a range's start on the local clock or a DST transition that moves the clock into a range
 * (a start inside a spring-forward gap opens when the gap ends).
 */
export function nextOpening(hours: OperatingHours | null, timeZone: string, from: Date): Date | null {
  if (isOpen(hours, timeZone, from) || hours === null) return new Date(from.getTime());
  const t0 = from.getTime();
  const limit = t0 + LOOKAHEAD_MS;
  const candidates: number[] = [];
  const today = Math.floor(wallAt(timeZone, t0) / DAY_MS) * DAY_MS;
  for (let k = -1; k <= 9; k++) {
    const day = today + k * DAY_MS;
    const range = span(hoursOf(hours, weekdayOfWall(day)));
    if (range !== null) candidates.push(...instantsOfWall(timeZone, day + range.start * MINUTE_MS));
  }
  // DST transitions within the window (zones change offset months apart; 12 h steps find each).
  for (let t = t0; t < limit; t += 12 * HOUR_MS) {
    const next = Math.min(t + 12 * HOUR_MS, limit);
    if (offsetAt(timeZone, t) !== offsetAt(timeZone, next)) candidates.push(transitionBetween(timeZone, t, next));
  }
  let best: number | null = null;
  for (const c of candidates) {
    if (c > t0 && c <= limit && (best === null || c < best) && isOpen(hours, timeZone, new Date(c))) best = c;
  }
  return best === null ? null : new Date(best);
}
