import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeCapWindows } from '../../../server/inbound/routing/cap-windows.js';
import { capWindows, eligibility } from '../../../server/inbound/routing/eligibility.js';
import { planRouting, type PlanEntry } from '../../../server/inbound/routing/plan.js';
import type { BuyerUsage, RoutingAssignment, RoutingBuyer, RoutingMethod } from '../../../server/inbound/routing/types.js';
import { seeded } from './prng.js';

// Monday 2024-06-03 12:00 UTC = 08:00 EDT, 13:00 BST, 17:30 IST.
const AT = new Date('2024-06-03T12:00:00Z');
const NINE_TO_FIVE = { monday: { start: '09:00', end: '17:00' } };

function buyer(over: Partial<RoutingBuyer> = {}): RoutingBuyer {
  return {
    id: 1,
    isActive: true,
    timeZone: 'Europe/London',
    operatingHours: null,
    maxConcurrentCalls: null,
    hourlyCap: null,
    dailyCap: null,
    monthlyCap: null,
    ...over,
  };
}
const assignment = (over: Partial<RoutingAssignment> = {}): RoutingAssignment => ({ priority: 1, weight: 1, isActive: true, ...over });
const usage = (over: Partial<BuyerUsage> = {}): BuyerUsage => ({ activeCalls: 0, callsThisHour: 0, callsToday: 0, callsThisMonth: 0, ...over });

describe('eligibility: reasons in order of precedence', () => {
  // Start with everything wrong and fix one thing per row: each row reports the next reason.
  const full = usage({ activeCalls: 2, callsThisHour: 3, callsToday: 4, callsThisMonth: 5 });
  const caps = { maxConcurrentCalls: 2, hourlyCap: 3, dailyCap: 4, monthlyCap: 5 };
  it.each([
    ['buyer_inactive', buyer({ ...caps, isActive: false, timeZone: 'America/New_York', operatingHours: NINE_TO_FIVE }), assignment({ isActive: false }), full],
    ['assignment_inactive', buyer({ ...caps, timeZone: 'America/New_York', operatingHours: NINE_TO_FIVE }), assignment({ isActive: false }), full],
    ['outside_hours', buyer({ ...caps, timeZone: 'America/New_York', operatingHours: NINE_TO_FIVE }), assignment(), full],
    ['concurrency_reached', buyer({ ...caps, operatingHours: NINE_TO_FIVE }), assignment(), full],
    ['hourly_cap_reached', buyer({ ...caps, operatingHours: NINE_TO_FIVE }), assignment(), { ...full, activeCalls: 1 }],
    ['daily_cap_reached', buyer({ ...caps, operatingHours: NINE_TO_FIVE }), assignment(), { ...full, activeCalls: 1, callsThisHour: 2 }],
    ['monthly_cap_reached', buyer({ ...caps, operatingHours: NINE_TO_FIVE }), assignment(), { ...full, activeCalls: 1, callsThisHour: 2, callsToday: 3 }],
    ['eligible', buyer({ ...caps, operatingHours: NINE_TO_FIVE }), assignment(), usage({ activeCalls: 1, callsThisHour: 2, callsToday: 3, callsThisMonth: 4 })],
  ] as const)('%s', (expected, b, a, u) => {
    const verdict = eligibility(b, a, u, AT);
    expect(verdict).toEqual(expected === 'eligible' ? { eligible: true } : { eligible: false, reason: expected });
  });

  it.each([
    ['Europe/London (13:00 BST)', 'Europe/London', true],
    ['Asia/Kolkata (17:30 IST, just after 17:00)', 'Asia/Kolkata', false],
    ['America/New_York (08:00 EDT)', 'America/New_York', false],
  ] as const)('hours are read in the buyer zone: %s', (_label, timeZone, eligible) => {
    expect(eligibility(buyer({ timeZone, operatingHours: NINE_TO_FIVE }), assignment(), usage(), AT).eligible).toBe(eligible);
  });
});

describe('eligibility: caps at the exact boundary', () => {
  it.each([
    ['concurrency one below', { maxConcurrentCalls: 3 }, { activeCalls: 2 }, null],
    ['concurrency at the limit', { maxConcurrentCalls: 3 }, { activeCalls: 3 }, 'concurrency_reached'],
    ['concurrency over the limit', { maxConcurrentCalls: 3 }, { activeCalls: 4 }, 'concurrency_reached'],
    ['concurrency 1, idle', { maxConcurrentCalls: 1 }, { activeCalls: 0 }, null],
    ['concurrency 1, busy', { maxConcurrentCalls: 1 }, { activeCalls: 1 }, 'concurrency_reached'],
    ['hourly one below', { hourlyCap: 5 }, { callsThisHour: 4 }, null],
    ['hourly at the cap', { hourlyCap: 5 }, { callsThisHour: 5 }, 'hourly_cap_reached'],
    ['daily one below', { dailyCap: 100 }, { callsToday: 99 }, null],
    ['daily at the cap', { dailyCap: 100 }, { callsToday: 100 }, 'daily_cap_reached'],
    ['monthly one below', { monthlyCap: 1000 }, { callsThisMonth: 999 }, null],
    ['monthly at the cap', { monthlyCap: 1000 }, { callsThisMonth: 1000 }, 'monthly_cap_reached'],
    ['null caps are no caps', {}, { activeCalls: 1e6, callsThisHour: 1e6, callsToday: 1e6, callsThisMonth: 1e6 }, null],
    ['hourly counts only the hour', { hourlyCap: 5, dailyCap: 50 }, { callsThisHour: 0, callsToday: 49 }, null],
  ] as const)('%s', (_label, limits, counts, reason) => {
    const verdict = eligibility(buyer(limits), assignment(), usage(counts), AT);
    expect(verdict).toEqual(reason === null ? { eligible: true } : { eligible: false, reason });
  });
});

describe('capWindows', () => {
  it.each([
    // Asia/Kolkata, UTC+05:30: hours start at :30 UTC, days at 18:30 UTC the day before.
    ['Kolkata mid-hour', 'Asia/Kolkata', '2024-05-15T04:47:30Z', '2024-05-15T04:30:00Z', '2024-05-14T18:30:00Z', '2024-04-30T18:30:00Z'],
    ['Kolkata at the start of an hour', 'Asia/Kolkata', '2024-05-15T04:30:00Z', '2024-05-15T04:30:00Z', '2024-05-14T18:30:00Z', '2024-04-30T18:30:00Z'],
    ['Kolkata a millisecond before local midnight', 'Asia/Kolkata', '2024-05-15T18:29:59.999Z', '2024-05-15T17:30:00Z', '2024-05-14T18:30:00Z', '2024-04-30T18:30:00Z'],
    ['Kolkata local New Year (still 31 Dec in UTC)', 'Asia/Kolkata', '2024-12-31T19:00:00Z', '2024-12-31T18:30:00Z', '2024-12-31T18:30:00Z', '2024-12-31T18:30:00Z'],
    // America/New_York
    ['New York, EDT', 'America/New_York', '2024-06-03T12:15:00Z', '2024-06-03T12:00:00Z', '2024-06-03T04:00:00Z', '2024-06-01T04:00:00Z'],
    ['New York local 23:30 is the next day in UTC', 'America/New_York', '2024-06-01T03:30:00Z', '2024-06-01T03:00:00Z', '2024-05-31T04:00:00Z', '2024-05-01T04:00:00Z'],
    ['New York spring-forward day: the day began in EST', 'America/New_York', '2024-03-10T12:00:00Z', '2024-03-10T12:00:00Z', '2024-03-10T05:00:00Z', '2024-03-01T05:00:00Z'],
    ['New York 03:10 EDT, the hour after the gap', 'America/New_York', '2024-03-10T07:10:00Z', '2024-03-10T07:00:00Z', '2024-03-10T05:00:00Z', '2024-03-01T05:00:00Z'],
    ['New York fall-back: 01:30 EDT (first)', 'America/New_York', '2024-11-03T05:30:00Z', '2024-11-03T05:00:00Z', '2024-11-03T04:00:00Z', '2024-11-01T04:00:00Z'],
    ['New York fall-back: 01:30 EST (repeat is an hour of its own)', 'America/New_York', '2024-11-03T06:30:00Z', '2024-11-03T06:00:00Z', '2024-11-03T04:00:00Z', '2024-11-01T04:00:00Z'],
    ['New York fall-back day, evening: the day is 25 h long', 'America/New_York', '2024-11-03T23:00:00Z', '2024-11-03T23:00:00Z', '2024-11-03T04:00:00Z', '2024-11-01T04:00:00Z'],
    // Midnight itself skipped (Havana springs forward 00:00 → 01:00): the day starts when the gap ends.
    ['Havana, midnight skipped', 'America/Havana', '2024-03-10T05:30:00Z', '2024-03-10T05:00:00Z', '2024-03-10T05:00:00Z', '2024-03-01T05:00:00Z'],
    ['Kathmandu, UTC+05:45', 'Asia/Kathmandu', '2024-06-03T03:20:00Z', '2024-06-03T03:15:00Z', '2024-06-02T18:15:00Z', '2024-05-31T18:15:00Z'],
  ] as const)('%s', (_label, zone, at, hourStart, dayStart, monthStart) => {
    const w = capWindows(zone, new Date(at));
    expect({ hourStart: w.hourStart.toISOString(), dayStart: w.dayStart.toISOString(), monthStart: w.monthStart.toISOString() }).toEqual({
      hourStart: new Date(hourStart).toISOString(),
      dayStart: new Date(dayStart).toISOString(),
      monthStart: new Date(monthStart).toISOString(),
    });
  });

  it('property: monthStart ≤ dayStart ≤ hourStart ≤ at, and the hour is at most an hour old', () => {
    const zones = ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Auckland', 'Australia/Lord_Howe'];
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2026-12-31T00:00:00Z') }), (zone, ms) => {
        const at = new Date(ms);
        const w = capWindows(zone, at);
        expect(w.monthStart.getTime()).toBeLessThanOrEqual(w.dayStart.getTime());
        expect(w.dayStart.getTime()).toBeLessThanOrEqual(w.hourStart.getTime());
        expect(w.hourStart.getTime()).toBeLessThanOrEqual(ms);
        expect(ms - w.hourStart.getTime()).toBeLessThan(3_600_000);
        expect(ms - w.dayStart.getTime()).toBeLessThan(25 * 3_600_000);
      }),
      { numRuns: 300 },
    );
  });

  it('the cached windows always equal the ones worked out afresh (a year walked in every kind of zone, back and forth)', () => {
    // DST forwards and back (New York, London, Auckland, Santiago), midnight skipped (Havana), a
    // 30-minute DST (Lord Howe), :30 and :45 offsets (Kolkata, Chatham), no DST (Tokyo).
    const zones = ['America/New_York', 'Europe/London', 'Pacific/Auckland', 'America/Santiago', 'America/Havana', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham', 'Asia/Tokyo'];
    const random = seeded(20241103);
    let compared = 0;
    for (const zone of zones) {
      let t = Date.parse('2024-01-01T00:00:00Z');
      while (t < Date.parse('2025-01-01T00:00:00Z')) {
        const at = new Date(t);
        const cached = capWindows(zone, at);
        expect(cached, `${zone} at ${at.toISOString()}`).toEqual(computeCapWindows(zone, at));
        compared += 1;
        // Mostly forwards by up to 3 h (whole minutes, or any millisecond), now and then back by up to 2 h.
        const step = random() < 0.5 ? Math.floor(random() * 180) * 60_000 : Math.floor(random() * 3 * 3_600_000);
        t += random() < 0.1 ? -Math.floor(random() * 2 * 3_600_000) : step + 1;
      }
    }
    expect(compared).toBeGreaterThan(9 * 5_000);
  });
});

describe('planRouting', () => {
  const entry = (id: number, b: Partial<RoutingBuyer>, a: Partial<RoutingAssignment> = {}, u: Partial<BuyerUsage> = {}): PlanEntry => ({
    buyer: buyer({ id, ...b }),
    assignment: assignment(a),
    usage: usage(u),
  });
  const buyers = [
    entry(1, {}, { priority: 2 }),
    entry(2, { isActive: false }),
    entry(3, {}, { priority: 1 }),
    entry(4, { timeZone: 'America/New_York', operatingHours: NINE_TO_FIVE }),
    entry(5, {}, { priority: 1 }),
    entry(6, { dailyCap: 10 }, {}, { callsToday: 10 }),
    entry(7, {}, { isActive: false }),
  ];

  it.each([
    ['priority', 0, [3, 5, 1]],
    ['priority', 1, [5, 3, 1]],
    ['round_robin', 0, [3, 5, 1]],
    ['round_robin', 1, [5, 1, 3]],
  ] as const)('%s, rotation %i: tries %j and says why the others were skipped', (method, rotation, order) => {
    expect(planRouting({ method, buyers, at: AT, rotation, random: seeded(1) })).toEqual({
      order,
      skipped: [
        { buyerId: 2, reason: 'buyer_inactive' },
        { buyerId: 4, reason: 'outside_hours' },
        { buyerId: 6, reason: 'daily_cap_reached' },
        { buyerId: 7, reason: 'assignment_inactive' },
      ],
    });
  });

  it('nobody eligible: an empty order, everyone skipped', () => {
    const plan = planRouting({ method: 'weighted', buyers: [entry(1, { isActive: false }), entry(2, { maxConcurrentCalls: 1 }, {}, { activeCalls: 1 })], at: AT, rotation: 0, random: seeded(1) });
    expect(plan).toEqual({ order: [], skipped: [{ buyerId: 1, reason: 'buyer_inactive' }, { buyerId: 2, reason: 'concurrency_reached' }] });
  });

  const cap = fc.option(fc.integer({ min: 1, max: 4 }), { nil: null });
  const count = fc.integer({ min: 0, max: 5 });
  const hoursArb = fc.option(
    fc.constantFrom({ monday: { start: '09:00', end: '17:00' } }, { sunday: { start: '22:00', end: '02:00' } }, { monday: { start: '00:00', end: '24:00' } }, {}),
    { nil: null },
  );
  const entryArb = fc.record({
    isActive: fc.boolean(),
    timeZone: fc.constantFrom('America/Los_Angeles', 'Europe/London', 'Asia/Kolkata', 'Pacific/Auckland', 'Asia/Kathmandu'),
    operatingHours: hoursArb,
    maxConcurrentCalls: cap,
    hourlyCap: cap,
    dailyCap: cap,
    monthlyCap: cap,
    priority: fc.integer({ min: 1, max: 3 }),
    weight: fc.integer({ min: 0, max: 5 }),
    assignmentActive: fc.boolean(),
    activeCalls: count,
    callsThisHour: count,
    callsToday: count,
    callsThisMonth: count,
  });

  it('property: every buyer lands in exactly one list, and `order` holds exactly the eligible ones', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 10_000 }), entryArb), { selector: ([id]) => id, maxLength: 12 }),
        fc.constantFrom<RoutingMethod>('priority', 'round_robin', 'weighted'),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer(),
        fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2026-12-31T00:00:00Z') }),
        (rows, method, rotation, seed, ms) => {
          const at = new Date(ms);
          const input: PlanEntry[] = rows.map(([id, r]) => ({
            buyer: {
              id,
              isActive: r.isActive,
              timeZone: r.timeZone,
              operatingHours: r.operatingHours,
              maxConcurrentCalls: r.maxConcurrentCalls,
              hourlyCap: r.hourlyCap,
              dailyCap: r.dailyCap,
              monthlyCap: r.monthlyCap,
            },
            assignment: { priority: r.priority, weight: r.weight, isActive: r.assignmentActive },
            usage: { activeCalls: r.activeCalls, callsThisHour: r.callsThisHour, callsToday: r.callsToday, callsThisMonth: r.callsThisMonth },
          }));
          const plan = planRouting({ method, buyers: input, at, rotation, random: seeded(seed) });

          const all = input.map((e) => e.buyer.id).sort((a, b) => a - b);
          const listed = [...plan.order, ...plan.skipped.map((s) => s.buyerId)].sort((a, b) => a - b);
          expect(listed).toEqual(all);

          for (const e of input) {
            const verdict = eligibility(e.buyer, e.assignment, e.usage, at);
            if (verdict.eligible) {
              expect(plan.order).toContain(e.buyer.id);
            } else {
              expect(plan.order).not.toContain(e.buyer.id);
              expect(plan.skipped).toContainEqual({ buyerId: e.buyer.id, reason: verdict.reason });
            }
          }
          if (method === 'priority') {
            const priorities = plan.order.map((id) => input.find((e) => e.buyer.id === id)!.assignment.priority);
            expect(priorities).toEqual([...priorities].sort((a, b) => a - b));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
