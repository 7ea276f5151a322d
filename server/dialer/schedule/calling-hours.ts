// When a lead may be called (pure): the campaign's calling days and hours, applied in the LEAD's
// local time (its IANA time zone; the campaign's when the lead's is unknown), and never outside
// 08:00–21:00 local whatever the campaign says (the TCPA window, DESIGN 9.2). Wall-clock times
// are converted with luxon, so a day that gains or loses an hour (DST) keeps 08:00 at 08:00.
import { DateTime } from 'luxon';

/** ISO weekdays: 1 Monday … 7 Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const ALL_WEEKDAYS: readonly IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

export interface CallingWindow {
  /** The days calls may be placed, in the lead's local calendar. */
  days: readonly IsoWeekday[];
  /** Local wall-clock start and end, `HH:MM` (or seed 002's `HH:MM:SS`); the end is exclusive. */
  start: string;
  end: string;
}

/** The legal window, in minutes after local midnight: 08:00 to 21:00. */
export const LEGAL_START_MINUTE = 8 * 60;
export const LEGAL_END_MINUTE = 21 * 60;

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

/** Minutes after midnight of `HH:MM[:SS]` (seconds are ignored), or null when malformed. */
export function clockMinutes(value: string): number | null {
  const match = CLOCK.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** The campaign's hours clamped to the legal window; null when nothing is left (or malformed). */
export function effectiveMinutes(window: CallingWindow): { start: number; end: number } | null {
  const start = clockMinutes(window.start);
  const end = clockMinutes(window.end);
  if (start === null || end === null) return null;
  const from = Math.max(start, LEGAL_START_MINUTE);
  const to = Math.min(end, LEGAL_END_MINUTE);
  return from < to ? { start: from, end: to } : null;
}

function localDay(at: Date, timeZone: string): DateTime {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  if (!local.isValid) throw new RangeError(`not an IANA time zone: ${timeZone}`);
  return local;
}

/** Whether `at` falls inside the window in `timeZone`. */
export function isCallable(at: Date, timeZone: string, window: CallingWindow): boolean {
  const minutes = effectiveMinutes(window);
  if (minutes === null) return false;
  const local = localDay(at, timeZone);
  if (!window.days.includes(local.weekday as IsoWeekday)) return false;
  const minute = local.hour * 60 + local.minute;
  return minute >= minutes.start && minute < minutes.end;
}

/**
 * The first instant at or after `at` inside the window in `timeZone` (`at` itself when it is
 * inside); null when the window allows no time at all.
 */
export function nextCallableTime(at: Date, timeZone: string, window: CallingWindow): Date | null {
  const minutes = effectiveMinutes(window);
  if (minutes === null || window.days.length === 0) return null;
  const now = localDay(at, timeZone);
  for (let offset = 0; offset <= 7; offset += 1) {
    const day = now.plus({ days: offset }).startOf('day');
    if (!window.days.includes(day.weekday as IsoWeekday)) continue;
    const opens = day.set({ hour: Math.floor(minutes.start / 60), minute: minutes.start % 60 });
    const closes = day.set({ hour: Math.floor(minutes.end / 60), minute: minutes.end % 60 });
    if (now >= closes) continue;
    return now >= opens ? at : opens.toJSDate();
  }
  return null;
}
