// nextRunAt (pure): recurring AI calls at a local time across DST in three zones (spring-forward
// and fall-back days), monthly on the 31st, business hours only, start and end dates.
import { describe, expect, it } from 'vitest';
import { isBusinessTime, nextRunAt, type Recurrence, recurrenceProblem, runsBetween } from '../../../server/ai/outbound/next-run.js';

const rec = (over: Partial<Recurrence>): Recurrence => ({ pattern: 'daily', time: '10:00', timeZone: 'UTC', startDate: '2026-01-01', endDate: null, daysOfWeek: null, dayOfMonth: null, businessHoursOnly: false, ...over });
const runs = (r: Recurrence, from: string, count: number) => runsBetween(r, new Date(from), new Date('2100-01-01T00:00:00Z'), count).map((d) => d.toISOString());

describe('nextRunAt across DST', () => {
  it('America/New_York: 02:30 on the spring-forward day runs at 03:00 EDT (the first instant after the jump)', () => {
    expect(runs(rec({ time: '02:30', timeZone: 'America/New_York' }), '2026-03-07T00:00:00Z', 3)).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:00:00.000Z', // 02:30 does not exist: 03:00 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
  });

  it('America/New_York: 01:30 on the fall-back day runs once, at its first occurrence (EDT)', () => {
    expect(runs(rec({ time: '01:30', timeZone: 'America/New_York' }), '2026-10-31T00:00:00Z', 3)).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; not again at 01:30 EST (06:30Z)
      '2026-11-02T06:30:00.000Z', // 01:30 EST
    ]);
  });

  it('America/New_York: 10:00 stays 10:00 local on both sides of the change', () => {
    expect(runs(rec({ time: '10:00', timeZone: 'America/New_York' }), '2026-03-07T00:00:00Z', 2)).toEqual(['2026-03-07T15:00:00.000Z', '2026-03-08T14:00:00.000Z']);
    expect(runs(rec({ time: '10:00', timeZone: 'America/New_York' }), '2026-10-31T00:00:00Z', 3)).toEqual([
      '2026-10-31T14:00:00.000Z',
      '2026-11-01T15:00:00.000Z',
      '2026-11-02T15:00:00.000Z',
    ]);
  });

  it('Europe/London: 01:30 on the spring-forward day runs at 02:00 BST; on the fall-back day once, in BST', () => {
    expect(runs(rec({ time: '01:30', timeZone: 'Europe/London' }), '2026-03-27T12:00:00Z', 3)).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z', // 02:00 BST
      '2026-03-30T00:30:00.000Z',
    ]);
    expect(runs(rec({ time: '01:30', timeZone: 'Europe/London' }), '2026-10-24T12:00:00Z', 2)).toEqual([
      '2026-10-25T00:30:00.000Z', // 01:30 BST, the first of the two
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('Australia/Sydney: 02:30 on the October spring-forward day runs at 03:00 AEDT; on the April fall-back day once, in AEDT', () => {
    expect(runs(rec({ time: '02:30', timeZone: 'Australia/Sydney' }), '2026-10-02T00:00:00Z', 3)).toEqual([
      '2026-10-02T16:30:00.000Z', // 3 Oct 02:30 AEST
      '2026-10-03T16:00:00.000Z', // 4 Oct: 03:00 AEDT
      '2026-10-04T15:30:00.000Z', // 5 Oct 02:30 AEDT
    ]);
    expect(runs(rec({ time: '02:30', timeZone: 'Australia/Sydney' }), '2026-04-03T00:00:00Z', 3)).toEqual([
      '2026-04-03T15:30:00.000Z',
      '2026-04-04T15:30:00.000Z', // 5 Apr 02:30 AEDT, not again at 02:30 AEST
      '2026-04-05T16:30:00.000Z', // 6 Apr 02:30 AEST
    ]);
  });

  it('a run is strictly after the instant given (the worker advances from the run it made)', () => {
    const r = rec({ time: '09:15', timeZone: 'Europe/London' });
    const first = nextRunAt(r, new Date('2026-06-01T08:15:00Z'))!;
    expect(first.toISOString()).toBe('2026-06-02T08:15:00.000Z');
    expect(nextRunAt(r, new Date('2026-06-01T08:14:59Z'))!.toISOString()).toBe('2026-06-01T08:15:00.000Z');
  });
});

describe('patterns, dates and business hours', () => {
  it('monthly on the 31st runs on each month\'s last day when it is shorter', () => {
    expect(runs(rec({ pattern: 'monthly', time: '09:00', startDate: '2026-01-31' }), '2026-01-01T00:00:00Z', 5)).toEqual([
      '2026-01-31T09:00:00.000Z',
      '2026-02-28T09:00:00.000Z',
      '2026-03-31T09:00:00.000Z',
      '2026-04-30T09:00:00.000Z',
      '2026-05-31T09:00:00.000Z',
    ]);
    expect(runs(rec({ pattern: 'monthly', time: '09:00', startDate: '2028-01-30' }), '2028-01-31T00:00:00Z', 1)).toEqual(['2028-02-29T09:00:00.000Z']);
  });

  it('weekly runs on the start date\'s weekday, in the zone\'s calendar', () => {
    // Monday 2 March 2026, 23:30 in Sydney is Monday 12:30Z.
    expect(runs(rec({ pattern: 'weekly', time: '23:30', timeZone: 'Australia/Sydney', startDate: '2026-03-02' }), '2026-02-01T00:00:00Z', 2)).toEqual([
      '2026-03-02T12:30:00.000Z',
      '2026-03-09T12:30:00.000Z',
    ]);
  });

  it('weekly on named weekdays (daysOfWeek) and monthly on a named day (dayOfMonth), across DST', () => {
    // Thursday 5 March 2026; runs Monday and Thursday at 09:00 in New York (DST starts Sunday 8 March).
    const twice = rec({ pattern: 'weekly', time: '09:00', timeZone: 'America/New_York', startDate: '2026-03-05', daysOfWeek: [1, 4] });
    expect(runs(twice, '2026-03-01T00:00:00Z', 4)).toEqual(['2026-03-05T14:00:00.000Z', '2026-03-09T13:00:00.000Z', '2026-03-12T13:00:00.000Z', '2026-03-16T13:00:00.000Z']);
    // On the 30th (the start date's day is the 2nd): February runs on its last day, the 28th.
    const thirtieth = rec({ pattern: 'monthly', time: '08:00', timeZone: 'Europe/London', startDate: '2026-01-02', dayOfMonth: 30 });
    expect(runs(thirtieth, '2026-01-01T00:00:00Z', 4)).toEqual(['2026-01-30T08:00:00.000Z', '2026-02-28T08:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-04-30T07:00:00.000Z']);
    // Business hours: a Saturday in daysOfWeek moves to Monday, which is then one run, not two.
    const weekend = rec({ pattern: 'weekly', time: '10:00', timeZone: 'UTC', startDate: '2026-03-02', daysOfWeek: [1, 6], businessHoursOnly: true });
    expect(runs(weekend, '2026-03-01T00:00:00Z', 3)).toEqual(['2026-03-02T10:00:00.000Z', '2026-03-09T10:00:00.000Z', '2026-03-16T10:00:00.000Z']);
    expect(recurrenceProblem(rec({ pattern: 'daily', daysOfWeek: [1] }))?.field).toBe('daysOfWeek');
    expect(recurrenceProblem(rec({ pattern: 'weekly', dayOfMonth: 3 }))?.field).toBe('dayOfMonth');
    expect(recurrenceProblem(rec({ pattern: 'monthly', dayOfMonth: 31 }))).toBeNull();
  });

  it('nothing before startDate, nothing after endDate', () => {
    const r = rec({ startDate: '2026-03-01', endDate: '2026-03-03', time: '12:00', timeZone: 'America/New_York' });
    expect(runs(r, '2026-01-01T00:00:00Z', 10)).toEqual(['2026-03-01T17:00:00.000Z', '2026-03-02T17:00:00.000Z', '2026-03-03T17:00:00.000Z']);
    expect(nextRunAt(r, new Date('2026-03-03T17:00:00Z'))).toBeNull();
  });

  it('business hours only: weekend runs move to Monday (a daily schedule runs on weekdays); a moved run past endDate is none', () => {
    // Friday 6 March 2026.
    const daily = rec({ time: '10:00', timeZone: 'America/New_York', startDate: '2026-03-06', businessHoursOnly: true });
    expect(runs(daily, '2026-03-01T00:00:00Z', 3)).toEqual(['2026-03-06T15:00:00.000Z', '2026-03-09T14:00:00.000Z', '2026-03-10T14:00:00.000Z']);
    const saturday = rec({ pattern: 'weekly', time: '10:00', timeZone: 'Europe/London', startDate: '2026-03-07', businessHoursOnly: true });
    expect(runs(saturday, '2026-03-01T00:00:00Z', 2)).toEqual(['2026-03-09T10:00:00.000Z', '2026-03-16T10:00:00.000Z']);
    expect(nextRunAt({ ...saturday, endDate: '2026-03-08' }, new Date('2026-03-01T00:00:00Z'))).toBeNull();
  });

  it('checks the input: zone, business time, endDate before startDate', () => {
    expect(isBusinessTime('09:00')).toBe(true);
    expect(isBusinessTime('17:59')).toBe(true);
    expect(isBusinessTime('18:00')).toBe(false);
    expect(isBusinessTime('08:59')).toBe(false);
    expect(recurrenceProblem(rec({ businessHoursOnly: true, time: '08:00' }))?.field).toBe('time');
    expect(recurrenceProblem(rec({ timeZone: 'Mars/Olympus' }))?.field).toBe('timezone');
    expect(recurrenceProblem(rec({ startDate: '2026-03-05', endDate: '2026-03-04' }))?.field).toBe('endDate');
    expect(recurrenceProblem(rec({}))).toBeNull();
  });
});
