// A report's period from its query (pure): the local dates, the UTC instants they span, the
// buckets of a grouping and the UTC hours a boundary splits. Bad values are 400s naming the field.
import type { components } from '../../client/schema.js';
import { isValidTimeZone } from '../platform/common/time-zone.js';
import { ERRORS } from '../platform/errors.js';
import type { Window } from './sources.js';
import { DAY_MS } from '../platform/common/zoned-time.js';
import { addDays, localBoundaries, localDate, splitHours, startOfLocalDay } from './zone.js';

/** The longest range a report covers, in days. */
export const MAX_RANGE_DAYS = 366;
/** The longest range grouped by hour, in days. */
export const MAX_HOURLY_RANGE_DAYS = 92;
/** The default range: the last 30 days, today included. */
const DEFAULT_RANGE_DAYS = 30;

export interface Period {
  startDate: string;
  endDate: string;
  timeZone: string;
  /** The start of startDate, ms. */
  from: number;
  /** The start of the day after endDate, ms. */
  to: number;
}

/** What a report's request calls its dates and zone (seed 003's body says dateRange.start / end). */
export interface PeriodFields {
  startDate: string;
  endDate: string;
  timeZone: string;
}
const QUERY_FIELDS: PeriodFields = { startDate: 'startDate', endDate: 'endDate', timeZone: 'timeZone' };

/** A period as the answers show it. */
export function reportRange(p: Period): components['schemas']['ReportRange'] {
  return { startDate: p.startDate, endDate: p.endDate, timeZone: p.timeZone, from: new Date(p.from).toISOString(), to: new Date(p.to).toISOString() };
}

export function timeZoneOf(raw: string | undefined, field = QUERY_FIELDS.timeZone): string {
  const timeZone = raw ?? 'UTC';
  if (!isValidTimeZone(timeZone)) throw ERRORS.validation({ [field]: 'must be an IANA time zone such as America/New_York or UTC' });
  return timeZone;
}

/**
 * The years a report's dates may name (the contract says so too). A default derived from one of
 * them may step a month past these bounds, never near the limits of JavaScript dates.
 */
const FIRST_YEAR = 1970;
const LAST_YEAR = 2999;

function checkYear(field: string, date: string | undefined): void {
  if (date === undefined) return;
  const year = Number(date.slice(0, 4));
  if (!(year >= FIRST_YEAR && year <= LAST_YEAR)) throw ERRORS.validation({ [field]: `must be a date in the years ${FIRST_YEAR}–${LAST_YEAR}` });
}

function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS);
}

/**
 * startDate … endDate inclusive (defaults: the last 30 days up to today in the zone). `limitReason`:
 * why the range is shorter than MAX_RANGE_DAYS, said in the refusal (e.g. ' when groupBy is hour').
 */
export function periodOf(
  query: { startDate?: string | undefined; endDate?: string | undefined; timeZone?: string | undefined },
  now: number,
  maxDays = MAX_RANGE_DAYS,
  fields: PeriodFields = QUERY_FIELDS,
  limitReason = '',
): Period {
  const timeZone = timeZoneOf(query.timeZone, fields.timeZone);
  checkYear(fields.startDate, query.startDate);
  checkYear(fields.endDate, query.endDate);
  const endDate = query.endDate ?? (query.startDate ? addDays(query.startDate, DEFAULT_RANGE_DAYS - 1) : localDate(now, timeZone));
  const startDate = query.startDate ?? addDays(endDate, -(DEFAULT_RANGE_DAYS - 1));
  const span = daysBetween(startDate, endDate);
  if (span < 0) throw ERRORS.validation({ [fields.startDate]: `must not be after ${fields.endDate}` });
  if (span + 1 > maxDays) throw ERRORS.validation({ [fields.endDate]: `must be at most ${maxDays} days after ${fields.startDate}, counting both${limitReason}` });
  return { startDate, endDate, timeZone, from: startOfLocalDay(startDate, timeZone), to: startOfLocalDay(addDays(endDate, 1), timeZone) };
}

/** The last `days` days, today included, in the zone. */
export function lastDays(days: number, timeZoneRaw: string | undefined, now: number): Period {
  const timeZone = timeZoneOf(timeZoneRaw);
  const endDate = localDate(now, timeZone);
  return periodOf({ startDate: addDays(endDate, -(days - 1)), endDate, timeZone }, now);
}

/** The Monday (ISO week start) of the week of local date `date`. */
export function mondayOf(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(date, -((weekday + 6) % 7));
}

/** Today in the zone: its date, first instant and the first instant of tomorrow. */
export function todayIn(timeZone: string, now: number): { today: string; dayStart: number; dayEnd: number } {
  const today = localDate(now, timeZone);
  return { today, dayStart: startOfLocalDay(today, timeZone), dayEnd: startOfLocalDay(addDays(today, 1), timeZone) };
}

/** The window of a period for an organisation, with the hours its boundaries split. */
export function windowOf(orgId: string, from: number | null, to: number, boundaries: readonly number[]): Window {
  const marks = from === null ? [...boundaries, to] : [from, ...boundaries, to];
  return { orgId, from: from === null ? null : new Date(from), to: new Date(to), split: splitHours(marks).map((h) => new Date(h)) };
}

export function dayBoundaries(p: Period): number[] {
  return localBoundaries(p.from, p.to, p.timeZone, 'day');
}

export function hourBoundaries(p: Period): number[] {
  return localBoundaries(p.from, p.to, p.timeZone, 'hour');
}
