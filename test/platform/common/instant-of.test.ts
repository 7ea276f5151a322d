// instantOf: an RFC 3339 date-time the contract let through, as an instant — a leap second
// (23:59:60, which JavaScript's Date cannot parse) as the instant after :59, as PostgreSQL reads it.
import { describe, expect, it } from 'vitest';
import { instantOf } from '../../../server/platform/common/dates.js';

describe('instantOf', () => {
  it.each([
    ['2030-01-01T10:00:00Z', '2030-01-01T10:00:00.000Z'],
    ['2030-01-01T10:00:00+02:00', '2030-01-01T08:00:00.000Z'],
    ['2016-12-31T23:59:60Z', '2017-01-01T00:00:00.000Z'],
    ['2016-12-31t23:59:60z', '2017-01-01T00:00:00.000Z'],
    ['2016-12-31T23:59:60.5Z', '2017-01-01T00:00:00.500Z'],
    ['2015-06-30T19:59:60-04:00', '2015-07-01T00:00:00.000Z'],
  ])('%s is %s', (given, instant) => {
    expect(instantOf(given).toISOString()).toBe(instant);
  });

  it('leaves what is no date at all an Invalid Date', () => {
    expect(Number.isNaN(instantOf('tomorrow').getTime())).toBe(true);
    expect(Number.isNaN(instantOf('2030-01-01T10:61:60Z').getTime())).toBe(true);
  });
});
