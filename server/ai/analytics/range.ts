// The period of an AI analytics request (pure): `startDate` … `endDate` as UTC instants, in a time
// zone (default UTC), and the buckets of a grouping. Bad values are 400s naming the field.
//
// A date (`2025-11-01`) is that local day in the zone: `startDate` from its first instant,
// `endDate` to its last (the whole day included). A date-time (seed 004's ISO 8601 timestamps,
// `2025-11-01T10:00:00Z`; without an offset it is a wall-clock time in the zone) is that instant:
// the range is [startDate, endDate). The range may span at most 366 days.
import { DateTime } from 'luxon';
import { isValidTimeZone } from '../../platform/common/time-zone.js';
import { ERRORS } from '../../platform/errors.js';

export const MAX_RANGE_DAYS = 366;
const FIRST_YEAR = 1970;
const LAST_YEAR = 2999;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** A date-time as ISO 8601 writes it: date, `T`, time, optional fraction and offset. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

export type GroupBy = 'day' | 'week' | 'month';

export interface AnalyticsRange {
  /** First instant included, ms. */
  from: number;
  /** First instant after the range, ms. */
  to: number;
  timeZone: string;
}

export function timeZoneOf(raw: string | undefined): string {
  const timeZone = raw ?? 'UTC';
  if (!isValidTimeZone(timeZone)) throw ERRORS.validation({ timeZone: 'must be an IANA time zone such as America/New_York or UTC' });
  return timeZone;
}

/** A date-time's offset, if it has one, is one the world uses: -12:00 to +14:00, minutes below 60 (luxon takes +99:00). */
function realOffset(value: string): boolean {
  const match = /T.*([+-])(\d{2}):?(\d{2})$/.exec(value);
  if (!match) return true;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return Number(match[3]) < 60 && minutes <= (match[1] === '+' ? 14 * 60 : 12 * 60);
}

/** One bound as a luxon date-time in the zone; `end`: a date names the start of the day after it. */
function boundOf(field: 'startDate' | 'endDate', raw: string, timeZone: string): DateTime {
  const value = raw.trim();
  const dateOnly = DATE_ONLY.test(value);
  if (!dateOnly && !DATE_TIME.test(value)) throw ERRORS.validation({ [field]: 'must be an ISO 8601 date (2025-11-01) or date-time (2025-11-01T10:00:00Z)' });
  const parsed = DateTime.fromISO(value, { zone: timeZone });
  if (!parsed.isValid || !realOffset(value)) throw ERRORS.validation({ [field]: 'is not a real date or time' });
  const year = Number(value.slice(0, 4));
  if (year < FIRST_YEAR || year > LAST_YEAR) throw ERRORS.validation({ [field]: `must be in the years ${FIRST_YEAR}–${LAST_YEAR}` });
  return dateOnly && field === 'endDate' ? parsed.plus({ days: 1 }) : parsed;
}

export function rangeOf(query: { startDate: string; endDate: string; timeZone?: string | undefined }): AnalyticsRange {
  const timeZone = timeZoneOf(query.timeZone);
  const from = boundOf('startDate', query.startDate, timeZone);
  const to = boundOf('endDate', query.endDate, timeZone);
  if (to.toMillis() <= from.toMillis()) throw ERRORS.validation({ endDate: 'must be after startDate' });
  if (to.toMillis() > from.plus({ days: MAX_RANGE_DAYS }).toMillis()) throw ERRORS.validation({ endDate: `must be at most ${MAX_RANGE_DAYS} days after startDate` });
  return { from: from.toMillis(), to: to.toMillis(), timeZone };
}

/**
 * The local dates starting each bucket (day; ISO week from Monday; month) that the range touches,
 * in order: `2025-11-03` for the week of Monday 3 November.
 */
export function bucketsOf(range: AnalyticsRange, groupBy: GroupBy): string[] {
  const out: string[] = [];
  let at = DateTime.fromMillis(range.from, { zone: range.timeZone }).startOf(groupBy);
  while (at.toMillis() < range.to) {
    out.push(at.toISODate() ?? '');
    at = at.plus({ [`${groupBy}s`]: 1 });
  }
  return out;
}

/** A range as the answers show it. */
export function rangeBody(range: AnalyticsRange): { from: string; to: string; timeZone: string } {
  return { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), timeZone: range.timeZone };
}
