import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OperatingHours, Weekday } from '../../../db/types.js';
import { isOpen, nextOpening, parseClockTime } from '../../../server/platform/common/weekly-hours.js';

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;
const business: OperatingHours = Object.fromEntries(WEEKDAYS.map((d) => [d, { start: '09:00', end: '17:00' }]));
const fridayNight: OperatingHours = { friday: { start: '22:00', end: '06:00' } };
const sundayNight: OperatingHours = { sunday: { start: '22:00', end: '02:00' } };
const saturdayEvening: OperatingHours = { saturday: { start: '18:00', end: '24:00' } };
const mondayTuesday: OperatingHours = { monday: { start: '00:00', end: '24:00' }, tuesday: { start: '00:00', end: '24:00' } };
const mondayOnly: OperatingHours = { monday: { start: '09:00', end: '10:00' } };

type Row = readonly [label: string, hours: OperatingHours | null, zone: string, at: string, open: boolean];

describe('isOpen', () => {
  // Each instant is in UTC; the comment-free label says what it is on the buyer's clock.
  it.each<Row>([
    // America/Los_Angeles, June = PDT (UTC-7)
    ['LA Fri 09:00 opens', business, 'America/Los_Angeles', '2024-06-07T16:00:00Z', true],
    ['LA Fri 08:59 not yet', business, 'America/Los_Angeles', '2024-06-07T15:59:00Z', false],
    ['LA Fri 16:59 (already Fri 23:59 UTC)', business, 'America/Los_Angeles', '2024-06-07T23:59:00Z', true],
    ['LA Fri 17:00 closes (Saturday in UTC)', business, 'America/Los_Angeles', '2024-06-08T00:00:00Z', false],
    ['LA Sat 10:00 weekend', business, 'America/Los_Angeles', '2024-06-08T17:00:00Z', false],
    // Europe/London, June = BST (UTC+1)
    ['London Mon 08:59', business, 'Europe/London', '2024-06-03T07:59:00Z', false],
    ['London Mon 09:00', business, 'Europe/London', '2024-06-03T08:00:00Z', true],
    ['London Fri 16:59', business, 'Europe/London', '2024-06-07T15:59:00Z', true],
    ['London Fri 17:00', business, 'Europe/London', '2024-06-07T16:00:00Z', false],
    // Asia/Kolkata (UTC+05:30)
    ['Kolkata Mon 08:59', business, 'Asia/Kolkata', '2024-06-03T03:29:00Z', false],
    ['Kolkata Mon 09:00', business, 'Asia/Kolkata', '2024-06-03T03:30:00Z', true],
    ['Kolkata Mon 16:59', business, 'Asia/Kolkata', '2024-06-03T11:29:00Z', true],
    ['Kolkata Mon 17:00', business, 'Asia/Kolkata', '2024-06-03T11:30:00Z', false],
    ['Kolkata Mon 04:30 (still Sunday in UTC)', business, 'Asia/Kolkata', '2024-06-02T23:00:00Z', false],
    // Asia/Kathmandu (UTC+05:45)
    ['Kathmandu Mon 08:59', business, 'Asia/Kathmandu', '2024-06-03T03:14:00Z', false],
    ['Kathmandu Mon 09:00', business, 'Asia/Kathmandu', '2024-06-03T03:15:00Z', true],
    ['Kathmandu Mon 16:59', business, 'Asia/Kathmandu', '2024-06-03T11:14:00Z', true],
    ['Kathmandu Mon 17:00', business, 'Asia/Kathmandu', '2024-06-03T11:15:00Z', false],
    // Pacific/Auckland, January = NZDT (UTC+13)
    ['Auckland Mon 08:59 (Sunday in UTC)', business, 'Pacific/Auckland', '2024-01-14T19:59:00Z', false],
    ['Auckland Mon 09:00 (Sunday in UTC)', business, 'Pacific/Auckland', '2024-01-14T20:00:00Z', true],
    ['Auckland Fri 16:59', business, 'Pacific/Auckland', '2024-01-19T03:59:00Z', true],
    ['Auckland Fri 17:00', business, 'Pacific/Auckland', '2024-01-19T04:00:00Z', false],
    ['Auckland Sat 09:00 (Friday in UTC)', business, 'Pacific/Auckland', '2024-01-19T20:00:00Z', false],
    // Overnight range opened on Friday: Friday 22:00–24:00 and Saturday 00:00–06:00
    ['LA Fri 21:59', fridayNight, 'America/Los_Angeles', '2024-06-08T04:59:00Z', false],
    ['LA Fri 22:00', fridayNight, 'America/Los_Angeles', '2024-06-08T05:00:00Z', true],
    ['LA Fri 23:59', fridayNight, 'America/Los_Angeles', '2024-06-08T06:59:00Z', true],
    ['LA Sat 00:00', fridayNight, 'America/Los_Angeles', '2024-06-08T07:00:00Z', true],
    ['LA Sat 05:59', fridayNight, 'America/Los_Angeles', '2024-06-08T12:59:00Z', true],
    ['LA Sat 06:00', fridayNight, 'America/Los_Angeles', '2024-06-08T13:00:00Z', false],
    ['LA Sat 22:00 (Saturday has no range)', fridayNight, 'America/Los_Angeles', '2024-06-09T05:00:00Z', false],
    ['LA Fri 03:00 (Thursday has no range)', fridayNight, 'America/Los_Angeles', '2024-06-07T10:00:00Z', false],
    ['Kolkata Fri 22:00', fridayNight, 'Asia/Kolkata', '2024-06-07T16:30:00Z', true],
    ['Kolkata Sat 05:59 (Friday in UTC)', fridayNight, 'Asia/Kolkata', '2024-06-08T00:29:00Z', true],
    ['Kolkata Sat 06:00', fridayNight, 'Asia/Kolkata', '2024-06-08T00:30:00Z', false],
    // Overnight across the end of the week: Sunday 22:00 → Monday 02:00
    ['London Sun 21:59', sundayNight, 'Europe/London', '2024-06-09T20:59:00Z', false],
    ['London Sun 22:00', sundayNight, 'Europe/London', '2024-06-09T21:00:00Z', true],
    ['London Mon 01:59', sundayNight, 'Europe/London', '2024-06-10T00:59:00Z', true],
    ['London Mon 02:00', sundayNight, 'Europe/London', '2024-06-10T01:00:00Z', false],
    ['London Sun 01:00 (Saturday has no range)', sundayNight, 'Europe/London', '2024-06-09T00:00:00Z', false],
    ['Auckland Sun 22:00', sundayNight, 'Pacific/Auckland', '2024-01-21T09:00:00Z', true],
    ['Auckland Mon 01:30 (Sunday in UTC)', sundayNight, 'Pacific/Auckland', '2024-01-21T12:30:00Z', true],
    ['Auckland Mon 02:00', sundayNight, 'Pacific/Auckland', '2024-01-21T13:00:00Z', false],
    ['Kathmandu Sun 22:00', sundayNight, 'Asia/Kathmandu', '2024-06-09T16:15:00Z', true],
    ['Kathmandu Mon 01:59', sundayNight, 'Asia/Kathmandu', '2024-06-09T20:14:00Z', true],
    ['Kathmandu Mon 02:00', sundayNight, 'Asia/Kathmandu', '2024-06-09T20:15:00Z', false],
    ['LA Mon 01:00 (UTC says Monday 08:00)', sundayNight, 'America/Los_Angeles', '2024-06-10T08:00:00Z', true],
    // '24:00' ends a day
    ['LA Sat 17:59', saturdayEvening, 'America/Los_Angeles', '2024-06-09T00:59:00Z', false],
    ['LA Sat 18:00', saturdayEvening, 'America/Los_Angeles', '2024-06-09T01:00:00Z', true],
    ['LA Sat 23:59:59', saturdayEvening, 'America/Los_Angeles', '2024-06-09T06:59:59Z', true],
    ['LA Sun 00:00 (24:00 does not run into Sunday)', saturdayEvening, 'America/Los_Angeles', '2024-06-09T07:00:00Z', false],
    ['Kolkata Sun 23:59', mondayTuesday, 'Asia/Kolkata', '2024-06-02T18:29:00Z', false],
    ['Kolkata Mon 00:00', mondayTuesday, 'Asia/Kolkata', '2024-06-02T18:30:00Z', true],
    ['Kolkata Mon 23:59 → Tue 00:00 is seamless', mondayTuesday, 'Asia/Kolkata', '2024-06-03T18:29:00Z', true],
    ['Kolkata Tue 00:00', mondayTuesday, 'Asia/Kolkata', '2024-06-03T18:30:00Z', true],
    ['Kolkata Tue 23:59', mondayTuesday, 'Asia/Kolkata', '2024-06-04T18:29:00Z', true],
    ['Kolkata Wed 00:00', mondayTuesday, 'Asia/Kolkata', '2024-06-04T18:30:00Z', false],
    // Closed days, no days, always open
    ['a weekday not listed is closed', mondayOnly, 'Europe/London', '2024-06-05T08:30:00Z', false],
    ['the listed weekday is open', mondayOnly, 'Europe/London', '2024-06-03T08:30:00Z', true],
    ['no weekday listed: always closed', {}, 'Europe/London', '2024-06-03T08:30:00Z', false],
    ['null hours: open at 3 a.m. on Sunday', null, 'America/Los_Angeles', '2024-06-09T10:00:00Z', true],
    ['null hours never consult the zone', null, 'Not/AZone', '2024-06-09T10:00:00Z', true],
    // DST, America/New_York: spring forward 2024-03-10 02:00 EST → 03:00 EDT (07:00Z)
    ['NY spring: Sun 01:59 EST', { sunday: { start: '01:00', end: '03:00' } }, 'America/New_York', '2024-03-10T06:59:00Z', true],
    ['NY spring: Sun 03:00 EDT, an instant later', { sunday: { start: '01:00', end: '03:00' } }, 'America/New_York', '2024-03-10T07:00:00Z', false],
    ['NY spring: a range inside the gap, before', { sunday: { start: '02:00', end: '02:30' } }, 'America/New_York', '2024-03-10T06:59:59Z', false],
    ['NY spring: a range inside the gap, after', { sunday: { start: '02:00', end: '02:30' } }, 'America/New_York', '2024-03-10T07:00:00Z', false],
    ['NY spring: a range starting in the gap is open after it', { sunday: { start: '02:30', end: '04:00' } }, 'America/New_York', '2024-03-10T07:00:00Z', true],
    ['NY spring: overnight Sat 22:00 EST', { saturday: { start: '22:00', end: '06:00' } }, 'America/New_York', '2024-03-10T03:00:00Z', true],
    ['NY spring: overnight Sun 05:59 EDT', { saturday: { start: '22:00', end: '06:00' } }, 'America/New_York', '2024-03-10T09:59:00Z', true],
    ['NY spring: overnight Sun 06:00 EDT', { saturday: { start: '22:00', end: '06:00' } }, 'America/New_York', '2024-03-10T10:00:00Z', false],
    // DST, America/New_York: fall back 2024-11-03 02:00 EDT → 01:00 EST (06:00Z)
    ['NY fall: Sun 00:59 EDT', { sunday: { start: '01:00', end: '02:00' } }, 'America/New_York', '2024-11-03T04:59:00Z', false],
    ['NY fall: Sun 01:00 EDT (first time)', { sunday: { start: '01:00', end: '02:00' } }, 'America/New_York', '2024-11-03T05:00:00Z', true],
    ['NY fall: Sun 01:59 EDT', { sunday: { start: '01:00', end: '02:00' } }, 'America/New_York', '2024-11-03T05:59:00Z', true],
    ['NY fall: Sun 01:00 EST (second time)', { sunday: { start: '01:00', end: '02:00' } }, 'America/New_York', '2024-11-03T06:00:00Z', true],
    ['NY fall: Sun 01:59 EST', { sunday: { start: '01:00', end: '02:00' } }, 'America/New_York', '2024-11-03T06:59:00Z', true],
    ['NY fall: Sun 02:00 EST', { sunday: { start: '01:00', end: '02:00' } }, 'America/New_York', '2024-11-03T07:00:00Z', false],
    // DST, Europe/London: spring forward 2024-03-31 01:00 GMT → 02:00 BST (01:00Z)
    ['London spring: Sun 00:59 GMT', { sunday: { start: '00:30', end: '01:30' } }, 'Europe/London', '2024-03-31T00:59:00Z', true],
    ['London spring: Sun 02:00 BST, an instant later', { sunday: { start: '00:30', end: '01:30' } }, 'Europe/London', '2024-03-31T01:00:00Z', false],
    ['London spring: overnight Sat 23:00 GMT', { saturday: { start: '23:00', end: '03:00' } }, 'Europe/London', '2024-03-30T23:00:00Z', true],
    ['London spring: overnight Sun 02:59 BST', { saturday: { start: '23:00', end: '03:00' } }, 'Europe/London', '2024-03-31T01:59:00Z', true],
    ['London spring: overnight Sun 03:00 BST', { saturday: { start: '23:00', end: '03:00' } }, 'Europe/London', '2024-03-31T02:00:00Z', false],
    // DST, Europe/London: fall back 2024-10-27 02:00 BST → 01:00 GMT (01:00Z)
    ['London fall: Sun 00:59 BST', { sunday: { start: '01:00', end: '02:00' } }, 'Europe/London', '2024-10-26T23:59:00Z', false],
    ['London fall: Sun 01:00 BST (first time)', { sunday: { start: '01:00', end: '02:00' } }, 'Europe/London', '2024-10-27T00:00:00Z', true],
    ['London fall: Sun 01:59 BST', { sunday: { start: '01:00', end: '02:00' } }, 'Europe/London', '2024-10-27T00:59:00Z', true],
    ['London fall: Sun 01:00 GMT (second time)', { sunday: { start: '01:00', end: '02:00' } }, 'Europe/London', '2024-10-27T01:00:00Z', true],
    ['London fall: Sun 01:59 GMT', { sunday: { start: '01:00', end: '02:00' } }, 'Europe/London', '2024-10-27T01:59:00Z', true],
    ['London fall: Sun 02:00 GMT', { sunday: { start: '01:00', end: '02:00' } }, 'Europe/London', '2024-10-27T02:00:00Z', false],
  ])('%s', (_label, hours, zone, at, open) => {
    expect(isOpen(hours, zone, new Date(at))).toBe(open);
  });

  it('every minute of both DST days in New York and London answers without throwing', () => {
    const days = [
      ['America/New_York', '2024-03-10T00:00:00Z'],
      ['America/New_York', '2024-11-03T00:00:00Z'],
      ['Europe/London', '2024-03-31T00:00:00Z'],
      ['Europe/London', '2024-10-27T00:00:00Z'],
    ] as const;
    const hours: OperatingHours = { saturday: { start: '23:30', end: '02:30' }, sunday: { start: '01:30', end: '02:15' } };
    for (const [zone, start] of days) {
      let open = 0;
      for (let m = 0; m < 36 * 60; m++) {
        if (isOpen(hours, zone, new Date(Date.parse(start) + m * 60_000))) open++;
      }
      expect(open, `${zone} ${start}`).toBeGreaterThan(0);
    }
  });

  it('an unknown time zone is an error, not a silent answer', () => {
    expect(() => isOpen(business, 'Mars/Olympus_Mons', new Date('2024-06-03T12:00:00Z'))).toThrow(RangeError);
  });
});

describe('parseClockTime', () => {
  it.each([
    ['00:00', 0],
    ['09:30', 570],
    ['23:59', 1439],
    ['24:00', 1440],
    ['24:01', null],
    ['25:00', null],
    ['9:30', null],
    ['09:60', null],
    ['', null],
  ] as const)('%s → %s', (raw, minutes) => {
    expect(parseClockTime(raw)).toBe(minutes);
  });

  it('a malformed range closes that day only', () => {
    const hours = { monday: { start: '9am', end: '17:00' }, tuesday: { start: '09:00', end: '17:00' } };
    expect(isOpen(hours, 'UTC', new Date('2024-06-03T12:00:00Z'))).toBe(false);
    expect(isOpen(hours, 'UTC', new Date('2024-06-04T12:00:00Z'))).toBe(true);
  });
});

describe('nextOpening', () => {
  it.each<readonly [label: string, hours: OperatingHours | null, zone: string, from: string, expected: string | null]>([
    ['null hours: now', null, 'America/Los_Angeles', '2024-06-09T10:00:00Z', '2024-06-09T10:00:00Z'],
    ['open now: now', business, 'Europe/London', '2024-06-03T08:00:00Z', '2024-06-03T08:00:00Z'],
    ['LA Fri 17:30 → Mon 09:00 PDT', business, 'America/Los_Angeles', '2024-06-08T00:30:00Z', '2024-06-10T16:00:00Z'],
    ['Kolkata Sat → Mon 09:00 IST', business, 'Asia/Kolkata', '2024-06-08T06:00:00Z', '2024-06-10T03:30:00Z'],
    ['Kathmandu Mon 08:00 → 09:00 NPT', business, 'Asia/Kathmandu', '2024-06-03T02:15:00Z', '2024-06-03T03:15:00Z'],
    ['Auckland Sat 07:00 → next Fri 22:00 NZDT', fridayNight, 'Pacific/Auckland', '2024-01-19T18:00:00Z', '2024-01-26T09:00:00Z'],
    ['London Mon 02:00 → Sun 22:00 BST', sundayNight, 'Europe/London', '2024-06-10T01:00:00Z', '2024-06-16T21:00:00Z'],
    ['London Mon 10:00 → next Mon 09:00 (6 days 23 h)', mondayOnly, 'Europe/London', '2024-06-03T09:00:00Z', '2024-06-10T08:00:00Z'],
    ['LA Fri 17:00 PST → Mon 09:00 PDT across spring forward', business, 'America/Los_Angeles', '2024-03-09T01:00:00Z', '2024-03-11T16:00:00Z'],
    ['London Fri 18:00 GMT → Mon 09:00 BST across spring forward', business, 'Europe/London', '2024-03-29T18:00:00Z', '2024-04-01T08:00:00Z'],
    ['NY: a range inside the gap → the Sunday after', { sunday: { start: '02:00', end: '02:30' } }, 'America/New_York', '2024-03-10T05:00:00Z', '2024-03-17T06:00:00Z'],
    ['NY: a start inside the gap → when the gap ends', { sunday: { start: '02:30', end: '04:00' } }, 'America/New_York', '2024-03-10T06:00:00Z', '2024-03-10T07:00:00Z'],
    ['NY: falling back into a range reopens it', { sunday: { start: '00:00', end: '01:30' } }, 'America/New_York', '2024-11-03T05:45:00Z', '2024-11-03T06:00:00Z'],
    ['NY: a start that happens twice, the second time', { sunday: { start: '01:30', end: '01:45' } }, 'America/New_York', '2024-11-03T05:50:00Z', '2024-11-03T06:30:00Z'],
    ['no weekday listed: never', {}, 'Europe/London', '2024-06-03T08:30:00Z', null],
  ])('%s', (_label, hours, zone, from, expected) => {
    const found = nextOpening(hours, zone, new Date(from));
    expect(found?.toISOString() ?? null).toBe(expected === null ? null : new Date(expected).toISOString());
  });

  const ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Auckland'] as const;
  const DAYS: readonly Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  const clock = fc.integer({ min: 0, max: 96 }).map((q) => (q === 96 ? '24:00' : `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`));
  const hoursArb: fc.Arbitrary<OperatingHours> = fc
    .array(fc.record({ day: fc.constantFrom(...DAYS), start: clock, end: clock }), { maxLength: 4 })
    .map((ranges) => Object.fromEntries(ranges.filter((r) => r.start !== r.end).map((r) => [r.day, { start: r.start, end: r.end }])));

  it('property: the answer is open, within 8 days, and nothing before it is', () => {
    fc.assert(
      fc.property(hoursArb, fc.constantFrom(...ZONES), fc.integer({ min: Date.parse('2024-01-01T00:00:00Z') / 1000, max: Date.parse('2026-12-31T00:00:00Z') / 1000 }), (hours, zone, seconds) => {
        const from = new Date(seconds * 1000);
        const found = nextOpening(hours, zone, from);
        if (found === null) {
          for (let t = from.getTime(); t <= from.getTime() + 8 * 86_400_000; t += 15 * 60_000) expect(isOpen(hours, zone, new Date(t))).toBe(false);
          return;
        }
        expect(found.getTime()).toBeGreaterThanOrEqual(from.getTime());
        expect(found.getTime()).toBeLessThanOrEqual(from.getTime() + 8 * 86_400_000);
        expect(isOpen(hours, zone, found)).toBe(true);
        if (found.getTime() > from.getTime()) {
          expect(isOpen(hours, zone, new Date(found.getTime() - 1000))).toBe(false);
          for (let t = from.getTime(); t < found.getTime(); t += 15 * 60_000) expect(isOpen(hours, zone, new Date(t))).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });
});
