// A report's period, pure: dates outside the years a report may name are refused (no date
// arithmetic may leave them), every other range gives finite instants; its days are the local
// dates, each once, whatever the zone's clocks do.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/platform/errors.js';
import { dayBoundaries, periodOf } from '../../server/reports/periods.js';
import { localDate } from '../../server/reports/zone.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');

function refusal(query: { startDate?: string; endDate?: string }): Record<string, string> | null {
  try {
    periodOf({ ...query, timeZone: 'Asia/Kolkata' }, NOW);
    return null;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return err.details as Record<string, string>;
  }
}

describe('periodOf: defaults (as the contract says)', () => {
  it('gives the last 30 days, the 30 days up to endDate alone, or the 30 days from startDate alone', () => {
    const dates = (q: { startDate?: string; endDate?: string }) => {
      const p = periodOf({ ...q, timeZone: 'UTC' }, NOW);
      return [p.startDate, p.endDate];
    };
    expect(dates({})).toEqual(['2026-11-04', '2026-12-03']);
    expect(dates({ endDate: '2025-03-01' })).toEqual(['2025-01-31', '2025-03-01']);
    expect(dates({ startDate: '2025-01-01' })).toEqual(['2025-01-01', '2025-01-30']);
  });
});

describe('periodOf: the years a report may name', () => {
  it('refuses a date past 2999 or before 1970, naming the field', () => {
    expect(Object.keys(refusal({ endDate: '9999-12-31' }) ?? {})).toEqual(['endDate']);
    expect(Object.keys(refusal({ startDate: '9999-12-10' }) ?? {})).toEqual(['startDate']);
    expect(Object.keys(refusal({ startDate: '0050-01-01', endDate: '0050-01-02' }) ?? {})).toEqual(['startDate']);
    expect(Object.keys(refusal({ startDate: '1969-12-31', endDate: '1970-01-01' }) ?? {})).toEqual(['startDate']);
  });

  it('accepts the first and the last years, with finite instants', () => {
    const first = periodOf({ startDate: '1970-01-01', endDate: '1970-01-31', timeZone: 'UTC' }, NOW);
    expect([first.from, first.to]).toEqual([0, Date.parse('1970-02-01T00:00:00Z')]);
    const last = periodOf({ startDate: '2999-12-31', timeZone: 'Asia/Kolkata' }, NOW);
    expect(last.endDate).toBe('3000-01-29');
    expect(last.from).toBe(Date.parse('2999-12-30T18:30:00Z'));
    expect(last.to).toBe(Date.parse('3000-01-29T18:30:00Z'));
  });
});

describe('dayBoundaries: a zone whose clocks go back to midnight', () => {
  const JAN_2026 = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    // 2025-10-26 01:00 → 00:00 in the Azores; 2025-11-02 01:00 → 00:00 in Havana: a 25-hour day.
    ['Atlantic/Azores', ['2025-10-25', '2025-10-26', '2025-10-27'], 25],
    ['America/Havana', ['2025-11-01', '2025-11-02', '2025-11-03'], 25],
    // Springing forward at midnight (Havana, 2025-03-09 00:00 → 01:00): a 23-hour day, once.
    ['America/Havana', ['2025-03-08', '2025-03-09', '2025-03-10'], 23],
    // Casey (Antarctica) sprang forward off the quarter hour: 2020-10-04 00:01 +08 → 03:01 +11,
    // a minute into the day — still one day, of 21 hours.
    ['Antarctica/Casey', ['2020-10-03', '2020-10-04', '2020-10-05'], 21],
    // St John's went back across midnight (2010-11-07 00:01 -02:30 → 2010-11-06 23:01 -03:30): the
    // hour of the 6th shown again is the 7th's, which starts at its first midnight: 25 hours.
    ['America/St_Johns', ['2010-11-06', '2010-11-07', '2010-11-08'], 25],
  ] as const)('%s: each local date once, the changed day whole', (timeZone, dates, hours) => {
    const period = periodOf({ startDate: dates[0], endDate: dates[2], timeZone }, JAN_2026);
    const boundaries = dayBoundaries(period);
    expect(boundaries.map((b) => localDate(b, timeZone))).toEqual(dates);
    // Each day starts where periodOf starts it.
    expect(boundaries.slice(1)).toEqual(dates.slice(1).map((d) => periodOf({ startDate: d, endDate: d, timeZone }, JAN_2026).from));
    expect((boundaries[2]! - boundaries[1]!) / 3_600_000).toBe(hours);
  });
});
