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

/** A piece of a local day callable under the window's hours, in minutes after midnight (end exclusive). */
export interface CallablePiece {
  start: number;
  end: number;
  /** The morning after a calling day: a window past midnight (19:00–02:00) ends there. */
  dayAfter: boolean;
}

/**
 * The window's hours as pieces of a local day, each clamped to the legal window: one piece, or for
 * a window past midnight (its end before its start, as agents' working hours) the evening of the
 * calling day and the morning after it. Empty when nothing is left (or malformed, or start = end).
 */
export function callablePieces(window: Pick<CallingWindow, 'start' | 'end'>): CallablePiece[] {
  const start = clockMinutes(window.start);
  const end = clockMinutes(window.end);
  if (start === null || end === null || start === end) return [];
  const spans = start < end ? [{ start, end, dayAfter: false }] : [{ start, end: 24 * 60, dayAfter: false }, { start: 0, end, dayAfter: true }];
  return spans
    .map((span) => ({ start: Math.max(span.start, LEGAL_START_MINUTE), end: Math.min(span.end, LEGAL_END_MINUTE), dayAfter: span.dayAfter }))
    .filter((piece) => piece.start < piece.end);
}

/** Does the window leave any time inside 08:00–21:00 (whatever its days)? */
export function hasCallableTime(window: Pick<CallingWindow, 'start' | 'end'>): boolean {
  return callablePieces(window).length > 0;
}

/** The callable pieces of a local day of `weekday`, earliest first. */
function piecesOn(window: CallingWindow, weekday: IsoWeekday): CallablePiece[] {
  const dayBefore = (weekday === 1 ? 7 : weekday - 1) as IsoWeekday;
  return callablePieces(window)
    .filter((piece) => window.days.includes(piece.dayAfter ? dayBefore : weekday))
    .sort((a, b) => a.start - b.start);
}

function localDay(at: Date, timeZone: string): DateTime {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  if (!local.isValid) throw new RangeError(`not an IANA time zone: ${timeZone}`);
  return local;
}

/** Whether `at` falls inside the window in `timeZone`. */
export function isCallable(at: Date, timeZone: string, window: CallingWindow): boolean {
  const local = localDay(at, timeZone);
  const minute = local.hour * 60 + local.minute;
  return piecesOn(window, local.weekday as IsoWeekday).some((piece) => minute >= piece.start && minute < piece.end);
}

/**
 * The first instant at or after `at` inside the window in `timeZone` (`at` itself when it is
 * inside); null when the window allows no time at all.
 */
export function nextCallableTime(at: Date, timeZone: string, window: CallingWindow): Date | null {
  if (!hasCallableTime(window) || window.days.length === 0) return null;
  const now = localDay(at, timeZone);
  for (let offset = 0; offset <= 8; offset += 1) {
    const day = now.plus({ days: offset }).startOf('day');
    for (const piece of piecesOn(window, day.weekday as IsoWeekday)) {
      const opens = day.set({ hour: Math.floor(piece.start / 60), minute: piece.start % 60 });
      const closes = day.set({ hour: Math.floor(piece.end / 60), minute: piece.end % 60 });
      if (now >= closes) continue;
      return now >= opens ? at : opens.toJSDate();
    }
  }
  return null;
}
