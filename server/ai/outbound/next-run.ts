// When a recurring AI call runs next (pure, luxon). A schedule's runs fall at `time` (HH:MM) in its
// IANA zone on its run days from `startDate` to `endDate` (inclusive, local calendar):
//   daily    every day;
//   weekly   the weekdays of `daysOfWeek`, else the weekday of startDate;
//   monthly  the day `dayOfMonth`, else the day of the month of startDate — or the month's last
//            day when it is shorter (a schedule on the 31st runs on 30 April and 28/29 February).
// Wall-clock times across DST:
//   - a time a spring-forward day skips (02:30 where clocks jump from 02:00 to 03:00) runs at the
//     first instant after the jump (03:00 local);
//   - a time a fall-back day has twice (01:30 where clocks go back from 02:00 to 01:00) runs once,
//     at its first occurrence (the earlier offset, still summer time).
// Business hours only (09:00–18:00, Monday to Friday in the zone): a run falling on a Saturday or
// Sunday moves to the next Monday at the same time (a daily schedule's weekend runs all land on
// Monday's run, i.e. it runs on weekdays); a moved run past endDate is no run.
import { DateTime } from 'luxon';

export type RecurrencePattern = 'daily' | 'weekly' | 'monthly';

export interface Recurrence {
  pattern: RecurrencePattern;
  /** HH:MM, 24-hour. */
  time: string;
  timeZone: string;
  /** YYYY-MM-DD. */
  startDate: string;
  endDate: string | null;
  /** Weekly: ISO weekdays, 1 = Monday … 7 = Sunday (null: startDate's). */
  daysOfWeek: readonly number[] | null;
  /** Monthly: 1–31 (null: startDate's day). */
  dayOfMonth: number | null;
  businessHoursOnly: boolean;
}

export const BUSINESS_START_MINUTE = 9 * 60;
export const BUSINESS_END_MINUTE = 18 * 60;

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight of HH:MM, or null when malformed. */
export function timeMinutes(time: string): number | null {
  const match = TIME.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** Whether a business-hours schedule may run at this local time (09:00 ≤ time < 18:00). */
export function isBusinessTime(time: string): boolean {
  const minutes = timeMinutes(time);
  return minutes !== null && minutes >= BUSINESS_START_MINUTE && minutes < BUSINESS_END_MINUTE;
}

/** The instant of wall-clock `hour:minute` on `day` (a start of day in the zone); a skipped time → the first instant after the gap. */
export function wallClockInstant(day: DateTime, hour: number, minute: number): DateTime {
  const exact = day.set({ hour, minute, second: 0, millisecond: 0 });
  if (exact.hour === hour && exact.minute === minute) return exact;
  // In a spring-forward gap luxon moves the time on by the gap's length; the first valid minute
  // after the requested one is where the clocks jumped to.
  let minutes = hour * 60 + minute;
  for (let step = 0; step < 24 * 60; step += 1) {
    minutes += 1;
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    if (h >= 24) break;
    const candidate = day.set({ hour: h, minute: m, second: 0, millisecond: 0 });
    if (candidate.hour === h && candidate.minute === m) return candidate;
  }
  return exact;
}

function isRunDay(rec: Recurrence, start: DateTime, day: DateTime): boolean {
  if (rec.pattern === 'daily') return true;
  if (rec.pattern === 'weekly') return rec.daysOfWeek ? rec.daysOfWeek.includes(day.weekday) : day.weekday === start.weekday;
  const target = Math.min(rec.dayOfMonth ?? start.day, day.daysInMonth ?? 31);
  return day.day === target;
}

/** The run of `day` moved out of a weekend for a business-hours schedule. */
function businessDay(rec: Recurrence, day: DateTime): DateTime {
  if (!rec.businessHoursOnly) return day;
  if (day.weekday === 6) return day.plus({ days: 2 });
  if (day.weekday === 7) return day.plus({ days: 1 });
  return day;
}

/** Whether `rec` names a zone, dates and a time this module can read. */
export function recurrenceProblem(rec: Recurrence): { field: string; message: string } | null {
  if (!DateTime.now().setZone(rec.timeZone).isValid) return { field: 'timezone', message: 'must be an IANA time zone, e.g. Europe/London' };
  if (timeMinutes(rec.time) === null) return { field: 'time', message: 'must be HH:MM (24-hour)' };
  if (!DateTime.fromISO(rec.startDate, { zone: rec.timeZone }).isValid) return { field: 'startDate', message: 'must be a date (YYYY-MM-DD)' };
  if (rec.endDate !== null) {
    if (!DateTime.fromISO(rec.endDate, { zone: rec.timeZone }).isValid) return { field: 'endDate', message: 'must be a date (YYYY-MM-DD)' };
    if (rec.endDate < rec.startDate) return { field: 'endDate', message: 'must not be before startDate' };
  }
  if (rec.daysOfWeek !== null && rec.pattern !== 'weekly') return { field: 'daysOfWeek', message: 'is for a weekly pattern only' };
  if (rec.dayOfMonth !== null && rec.pattern !== 'monthly') return { field: 'dayOfMonth', message: 'is for a monthly pattern only' };
  if (rec.businessHoursOnly && !isBusinessTime(rec.time)) return { field: 'time', message: 'must be within business hours (09:00–18:00) when businessHoursOnly is set' };
  return null;
}

/** How far ahead runs are looked for (a monthly run is at most ~62 days away, a moved one 2 more). */
const HORIZON_DAYS = 400;

/** The first run strictly after `after`, or null when none is left (past endDate). */
export function nextRunAt(rec: Recurrence, after: Date): Date | null {
  const minutes = timeMinutes(rec.time);
  if (minutes === null) return null;
  const zone = rec.timeZone;
  const start = DateTime.fromISO(rec.startDate, { zone }).startOf('day');
  if (!start.isValid) return null;
  const end = rec.endDate === null ? null : DateTime.fromISO(rec.endDate, { zone }).startOf('day');
  const afterLocal = DateTime.fromJSDate(after, { zone });
  // A weekend run moves up to two days on: look from two days before `after` (never before start).
  let day = DateTime.max(start, afterLocal.startOf('day').minus({ days: 3 })).startOf('day');
  const hour = Math.floor(minutes / 60);
  const minute = minutes % 60;
  for (let i = 0; i < HORIZON_DAYS; i += 1, day = day.plus({ days: 1 }).startOf('day')) {
    if (end !== null && day > end) return null;
    if (!isRunDay(rec, start, day)) continue;
    const runDay = businessDay(rec, day);
    if (end !== null && runDay > end) continue;
    const at = wallClockInstant(runDay, hour, minute);
    if (at.toMillis() > after.getTime()) return at.toJSDate();
  }
  return null;
}

/** The runs from `from` (exclusive) up to `until` (inclusive), in order, at most `max`. */
export function runsBetween(rec: Recurrence, from: Date, until: Date, max = 1000): Date[] {
  const runs: Date[] = [];
  let cursor = from;
  while (runs.length < max) {
    const next = nextRunAt(rec, cursor);
    if (next === null || next.getTime() > until.getTime()) break;
    runs.push(next);
    cursor = next;
  }
  return runs;
}
