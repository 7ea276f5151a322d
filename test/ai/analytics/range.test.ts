// The period of an AI analytics request and its buckets (pure).
import { describe, expect, it } from 'vitest';
import { bucketsOf, rangeOf } from '../../../server/ai/analytics/range.js';
import { AppError } from '../../../server/platform/errors.js';

const iso = (ms: number) => new Date(ms).toISOString();

function details(fn: () => unknown): Record<string, string> | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).details as Record<string, string>;
  }
  throw new Error('did not throw');
}

describe('rangeOf', () => {
  it('takes dates as whole local days, UTC by default', () => {
    const r = rangeOf({ startDate: '2025-11-01', endDate: '2025-11-30' });
    expect([iso(r.from), iso(r.to), r.timeZone]).toEqual(['2025-11-01T00:00:00.000Z', '2025-12-01T00:00:00.000Z', 'UTC']);
  });

  it('takes dates in a time zone (New York: 1 November is EDT, 2 November ends in EST)', () => {
    const r = rangeOf({ startDate: '2025-11-01', endDate: '2025-11-02', timeZone: 'America/New_York' });
    expect([iso(r.from), iso(r.to)]).toEqual(['2025-11-01T04:00:00.000Z', '2025-11-03T05:00:00.000Z']);
  });

  it('takes date-times as instants, [start, end); without an offset a wall-clock time in the zone', () => {
    const r = rangeOf({ startDate: '2025-11-01T10:00:00Z', endDate: '2025-11-01T12:30:00.500+02:00' });
    expect([iso(r.from), iso(r.to)]).toEqual(['2025-11-01T10:00:00.000Z', '2025-11-01T10:30:00.500Z']);
    const far = rangeOf({ startDate: '2025-11-01T10:00:00+14:00', endDate: '2025-11-01T10:00:00-1200' });
    expect([iso(far.from), iso(far.to)]).toEqual(['2025-10-31T20:00:00.000Z', '2025-11-01T22:00:00.000Z']);
    const local = rangeOf({ startDate: '2025-11-01T10:00', endDate: '2025-11-02', timeZone: 'Asia/Kolkata' });
    expect([iso(local.from), iso(local.to)]).toEqual(['2025-11-01T04:30:00.000Z', '2025-11-02T18:30:00.000Z']);
  });

  it('allows 366 days, not one more', () => {
    expect(() => rangeOf({ startDate: '2024-01-01', endDate: '2024-12-31' })).not.toThrow();
    expect(() => rangeOf({ startDate: '2025-01-01', endDate: '2026-01-01' })).not.toThrow();
    // Across a DST change in the zone: still counted in local days.
    expect(() => rangeOf({ startDate: '2025-03-01', endDate: '2026-03-01', timeZone: 'Europe/Paris' })).not.toThrow();
    expect(details(() => rangeOf({ startDate: '2025-01-01', endDate: '2026-01-02' }))).toEqual({ endDate: 'must be at most 366 days after startDate' });
    expect(details(() => rangeOf({ startDate: '2025-01-01T00:00:00Z', endDate: '2026-01-02T00:00:00.001Z' }))).toEqual({ endDate: 'must be at most 366 days after startDate' });
  });

  it.each([
    [{ startDate: '2025-11-02', endDate: '2025-11-01' }, { endDate: 'must be after startDate' }],
    [{ startDate: '2025-11-01T10:00:00Z', endDate: '2025-11-01T10:00:00Z' }, { endDate: 'must be after startDate' }],
    [{ startDate: 'yesterday', endDate: '2025-11-01' }, { startDate: 'must be an ISO 8601 date (2025-11-01) or date-time (2025-11-01T10:00:00Z)' }],
    [{ startDate: '2025-11-01', endDate: '1 Dec 2025' }, { endDate: 'must be an ISO 8601 date (2025-11-01) or date-time (2025-11-01T10:00:00Z)' }],
    [{ startDate: '2025-02-30', endDate: '2025-03-01' }, { startDate: 'is not a real date or time' }],
    [{ startDate: '2025-11-01', endDate: '2025-11-01T25:00:00Z' }, { endDate: 'is not a real date or time' }],
    [{ startDate: '1969-12-31', endDate: '1970-01-02' }, { startDate: 'must be in the years 1970–2999' }],
    // No place is 99 hours ahead of UTC (offsets run from -12:00 to +14:00), nor has an hour of 75 minutes.
    [{ startDate: '2025-11-01T10:00:00+99:00', endDate: '2025-11-02' }, { startDate: 'is not a real date or time' }],
    [{ startDate: '2025-11-01', endDate: '2025-11-02T10:00:00-1275' }, { endDate: 'is not a real date or time' }],
    [{ startDate: '2025-11-01', endDate: '2025-11-02T10:00:00-13:00' }, { endDate: 'is not a real date or time' }],
    [{ startDate: '2025-11-01', endDate: '2025-11-02', timeZone: 'Mars/Olympus' }, { timeZone: 'must be an IANA time zone such as America/New_York or UTC' }],
  ])('refuses %j naming the field', (query, expected) => {
    expect(details(() => rangeOf(query))).toEqual(expected);
  });
});

describe('bucketsOf', () => {
  it('days, ISO weeks from Monday and months the range touches', () => {
    const r = rangeOf({ startDate: '2025-10-30', endDate: '2025-11-04' });
    expect(bucketsOf(r, 'day')).toEqual(['2025-10-30', '2025-10-31', '2025-11-01', '2025-11-02', '2025-11-03', '2025-11-04']);
    expect(bucketsOf(r, 'week')).toEqual(['2025-10-27', '2025-11-03']);
    expect(bucketsOf(r, 'month')).toEqual(['2025-10-01', '2025-11-01']);
  });

  it('local days across a DST change (New York falls back on 2 November 2025)', () => {
    const r = rangeOf({ startDate: '2025-11-01', endDate: '2025-11-03', timeZone: 'America/New_York' });
    expect(bucketsOf(r, 'day')).toEqual(['2025-11-01', '2025-11-02', '2025-11-03']);
  });

  it('a range of date-times inside one day is one bucket', () => {
    expect(bucketsOf(rangeOf({ startDate: '2025-11-01T10:00:00Z', endDate: '2025-11-01T11:00:00Z' }), 'day')).toEqual(['2025-11-01']);
  });
});
