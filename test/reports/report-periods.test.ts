// A report's period, pure: dates outside the years a report may name are refused (no date
// arithmetic may leave them), every other range gives finite instants.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/platform/errors.js';
import { periodOf } from '../../server/reports/periods.js';

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
