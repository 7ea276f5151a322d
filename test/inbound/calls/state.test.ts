import { describe, expect, it } from 'vitest';
import { formatMoney, normalizeMoney, parseMoney } from '../../../server/inbound/calls/money.js';
import { addLeg, applyEvent, createCallState, type CallEvent, type CallState, type Effect, type RevenuePolicy } from '../../../server/inbound/calls/state.js';
import { callStatusRank, isCallStatus, isDialCallStatus, isFinalCallStatus } from '../../../server/inbound/calls/status.js';
import { deepFreeze, dial, fold, status } from './helpers.js';

const POLICY: RevenuePolicy = { minDurationSec: 30, payout: '25.5' };
const T0 = '2025-08-04T12:00:00.000Z';

const oneLeg = (): CallState => createCallState({ status: 'ringing', legs: [{ attempt: 1, buyerId: 7, destination: '+12125550001' }] });
const twoLegs = (): CallState =>
  createCallState({
    status: 'ringing',
    legs: [
      { attempt: 1, targetId: 3, destination: '+12125550001' },
      { attempt: 2, buyerId: 7, destination: '+12125550002' },
    ],
  });
const noLegs = (): CallState => createCallState({ status: 'ringing' });

interface Case {
  name: string;
  initial: () => CallState;
  events: CallEvent[];
  policy?: RevenuePolicy;
  expect: Partial<CallState>;
  effects: Effect[];
}

const cases: Case[] = [
  {
    name: 'normal flow: ringing, answered, dial completed, call completed (seed 000 callbacks)',
    initial: oneLeg,
    events: [
      status('ringing', { sequence: 0 }),
      status('in-progress', { sequence: 1, timestamp: T0 }),
      dial(1, 'completed', { dialCallSid: 'CA_leg1', dialCallDuration: 180 }),
      status('completed', { sequence: 2, callDuration: 180 }),
    ],
    expect: {
      status: 'completed',
      durationSec: 180,
      answeredAt: T0,
      connectedDurationSec: 180,
      revenue: { amount: '25.5000', qualifiedBy: { kind: 'leg', attempt: 1 } },
      legs: [
        { attempt: 1, buyerId: 7, targetId: null, destination: '+12125550001', dialCallSid: 'CA_leg1', dialStatus: 'completed', dialDurationSec: 180 },
      ],
      ignored: [],
    },
    effects: [
      { type: 'leg_answered', attempt: 1 },
      { type: 'revenue_qualified', amount: '25.5000', qualifiedBy: { kind: 'leg', attempt: 1 } },
      { type: 'call_ended', status: 'completed' },
    ],
  },
  {
    name: 'busy first leg, then the second leg answers: the second leg is credited',
    initial: twoLegs,
    events: [
      status('in-progress', { timestamp: T0 }),
      dial(1, 'busy', { dialCallSid: 'CA_leg1', dialCallDuration: 0 }),
      dial(2, 'completed', { dialCallSid: 'CA_leg2', dialCallDuration: 95 }),
      status('completed', { callDuration: 120 }),
    ],
    expect: {
      status: 'completed',
      durationSec: 120,
      connectedDurationSec: 95,
      revenue: { amount: '25.5000', qualifiedBy: { kind: 'leg', attempt: 2 } },
      legs: [
        { attempt: 1, buyerId: null, targetId: 3, destination: '+12125550001', dialCallSid: 'CA_leg1', dialStatus: 'busy', dialDurationSec: 0 },
        { attempt: 2, buyerId: 7, targetId: null, destination: '+12125550002', dialCallSid: 'CA_leg2', dialStatus: 'completed', dialDurationSec: 95 },
      ],
    },
    effects: [
      { type: 'leg_failed', attempt: 1, dialStatus: 'busy' },
      { type: 'leg_answered', attempt: 2 },
      { type: 'revenue_qualified', amount: '25.5000', qualifiedBy: { kind: 'leg', attempt: 2 } },
      { type: 'call_ended', status: 'completed' },
    ],
  },
  {
    name: 'every callback delivered twice: effects once',
    initial: oneLeg,
    events: [
      status('in-progress', { timestamp: T0 }),
      status('in-progress', { timestamp: T0 }),
      dial(1, 'completed', { dialCallSid: 'CA_leg1', dialCallDuration: 60 }),
      dial(1, 'completed', { dialCallSid: 'CA_leg1', dialCallDuration: 60 }),
      status('completed', { callDuration: 70 }),
      status('completed', { callDuration: 70 }),
    ],
    expect: { status: 'completed', durationSec: 70, connectedDurationSec: 60, revenue: { amount: '25.5000', qualifiedBy: { kind: 'leg', attempt: 1 } } },
    effects: [
      { type: 'leg_answered', attempt: 1 },
      { type: 'revenue_qualified', amount: '25.5000', qualifiedBy: { kind: 'leg', attempt: 1 } },
      { type: 'call_ended', status: 'completed' },
    ],
  },
  {
    name: 'late ringing and in-progress after completed: the status stays completed',
    initial: noLegs,
    events: [status('completed', { callDuration: 40 }), status('ringing'), status('queued'), status('in-progress')],
    expect: { status: 'completed', durationSec: 40, connectedDurationSec: 40, revenue: { amount: '25.5000', qualifiedBy: { kind: 'call' } } },
    effects: [
      { type: 'call_ended', status: 'completed' },
      { type: 'revenue_qualified', amount: '25.5000', qualifiedBy: { kind: 'call' } },
    ],
  },
  {
    name: 'completed before in-progress: completed wins, the late in-progress still gives answeredAt',
    initial: oneLeg,
    events: [status('completed', { callDuration: 50 }), status('in-progress', { timestamp: T0 }), dial(1, 'completed', { dialCallDuration: 45 })],
    expect: { status: 'completed', answeredAt: T0, durationSec: 50, connectedDurationSec: 45 },
    effects: [
      { type: 'call_ended', status: 'completed' },
      { type: 'leg_answered', attempt: 1 },
      { type: 'revenue_qualified', amount: '25.5000', qualifiedBy: { kind: 'leg', attempt: 1 } },
    ],
  },
  {
    name: 'no-answer then completed: the first final status is authoritative, the contradiction is ignored (once)',
    initial: noLegs,
    events: [status('no-answer', { callDuration: 0 }), status('completed', { callDuration: 180 }), status('completed', { callDuration: 180 })],
    expect: { status: 'no-answer', durationSec: 0, connectedDurationSec: 0, revenue: null, ignored: [{ attempt: null, status: 'completed' }] },
    effects: [
      { type: 'call_ended', status: 'no-answer' },
      { type: 'outcome_ignored', attempt: null, kept: 'no-answer', ignored: 'completed' },
    ],
  },
  {
    name: 'completed then no-answer: completed is kept',
    initial: noLegs,
    events: [status('completed', { callDuration: 10 }), status('no-answer')],
    expect: { status: 'completed', durationSec: 10, revenue: null, ignored: [{ attempt: null, status: 'no-answer' }] },
    effects: [
      { type: 'call_ended', status: 'completed' },
      { type: 'outcome_ignored', attempt: null, kept: 'completed', ignored: 'no-answer' },
    ],
  },
  {
    name: 'durations only grow (call and leg)',
    initial: oneLeg,
    events: [
      dial(1, 'answered', { dialCallDuration: 10 }),
      dial(1, 'completed', { dialCallDuration: 40 }),
      dial(1, 'completed', { dialCallDuration: 35 }),
      dial(1, 'answered', { dialCallDuration: 5 }),
      status('completed', { callDuration: 30 }),
      status('completed', { callDuration: 45 }),
      status('completed', { callDuration: 20 }),
    ],
    policy: { minDurationSec: 100, payout: '1' },
    expect: { status: 'completed', durationSec: 45, connectedDurationSec: 40, revenue: null },
    effects: [
      { type: 'leg_answered', attempt: 1 },
      { type: 'call_ended', status: 'completed' },
    ],
  },
  {
    name: 'min-duration boundary: exactly the minimum qualifies',
    initial: oneLeg,
    events: [dial(1, 'completed', { dialCallDuration: 30 })],
    expect: { connectedDurationSec: 30, revenue: { amount: '25.5000', qualifiedBy: { kind: 'leg', attempt: 1 } } },
    effects: [
      { type: 'leg_answered', attempt: 1 },
      { type: 'revenue_qualified', amount: '25.5000', qualifiedBy: { kind: 'leg', attempt: 1 } },
    ],
  },
  {
    name: 'min-duration boundary: one second short does not qualify',
    initial: oneLeg,
    events: [dial(1, 'completed', { dialCallDuration: 29 }), status('completed', { callDuration: 300 })],
    expect: { connectedDurationSec: 29, durationSec: 300, revenue: null },
    effects: [
      { type: 'leg_answered', attempt: 1 },
      { type: 'call_ended', status: 'completed' },
    ],
  },
  {
    name: 'min-duration boundary without a leg: the completed call duration counts',
    initial: noLegs,
    events: [status('completed', { callDuration: 29 }), status('completed', { callDuration: 30 })],
    expect: { connectedDurationSec: 30, revenue: { amount: '25.5000', qualifiedBy: { kind: 'call' } } },
    effects: [
      { type: 'call_ended', status: 'completed' },
      { type: 'revenue_qualified', amount: '25.5000', qualifiedBy: { kind: 'call' } },
    ],
  },
  {
    name: 'a leg that is only answered (no duration yet) qualifies when the minimum is 0',
    initial: oneLeg,
    events: [dial(1, 'answered')],
    policy: { minDurationSec: 0, payout: '2.25' },
    expect: { connectedDurationSec: 0, revenue: { amount: '2.2500', qualifiedBy: { kind: 'leg', attempt: 1 } } },
    effects: [
      { type: 'leg_answered', attempt: 1 },
      { type: 'revenue_qualified', amount: '2.2500', qualifiedBy: { kind: 'leg', attempt: 1 } },
    ],
  },
  {
    name: 'zero payout: the call qualifies with 0.0000',
    initial: oneLeg,
    events: [dial(1, 'completed', { dialCallDuration: 90 })],
    policy: { minDurationSec: 30, payout: '0' },
    expect: { revenue: { amount: '0.0000', qualifiedBy: { kind: 'leg', attempt: 1 } } },
    effects: [
      { type: 'leg_answered', attempt: 1 },
      { type: 'revenue_qualified', amount: '0.0000', qualifiedBy: { kind: 'leg', attempt: 1 } },
    ],
  },
  {
    name: 'no payout (null): never qualifies',
    initial: noLegs,
    events: [status('completed', { callDuration: 600 })],
    policy: { minDurationSec: 0, payout: null },
    expect: { connectedDurationSec: 600, revenue: null },
    effects: [{ type: 'call_ended', status: 'completed' }],
  },
  {
    name: 'all legs failed, caller stays on the fallback: the call duration does not count',
    initial: twoLegs,
    events: [dial(1, 'no-answer'), dial(2, 'failed'), status('completed', { callDuration: 300 })],
    expect: { status: 'completed', connectedDurationSec: 0, revenue: null },
    effects: [
      { type: 'leg_failed', attempt: 1, dialStatus: 'no-answer' },
      { type: 'leg_failed', attempt: 2, dialStatus: 'failed' },
      { type: 'call_ended', status: 'completed' },
    ],
  },
  {
    name: 'a leg outcome never regresses: busy then completed for one attempt keeps busy',
    initial: oneLeg,
    events: [dial(1, 'busy'), dial(1, 'completed', { dialCallDuration: 100 }), dial(1, 'completed', { dialCallDuration: 100 })],
    expect: { connectedDurationSec: 0, revenue: null, ignored: [{ attempt: 1, status: 'completed' }] },
    effects: [
      { type: 'leg_failed', attempt: 1, dialStatus: 'busy' },
      { type: 'outcome_ignored', attempt: 1, kept: 'busy', ignored: 'completed' },
    ],
  },
  {
    name: 'completed then answered for one attempt: completed is kept, no second effect',
    initial: oneLeg,
    events: [dial(1, 'completed', { dialCallDuration: 10 }), dial(1, 'answered')],
    expect: { revenue: null, ignored: [] },
    effects: [{ type: 'leg_answered', attempt: 1 }],
  },
  {
    name: 'a dial callback for an attempt never registered creates the leg',
    initial: noLegs,
    events: [dial(2, 'completed', { dialCallSid: 'CA_x', dialCallDuration: 31 })],
    expect: {
      legs: [{ attempt: 2, buyerId: null, targetId: null, destination: null, dialCallSid: 'CA_x', dialStatus: 'completed', dialDurationSec: 31 }],
      revenue: { amount: '25.5000', qualifiedBy: { kind: 'leg', attempt: 2 } },
    },
    effects: [
      { type: 'leg_answered', attempt: 2 },
      { type: 'revenue_qualified', amount: '25.5000', qualifiedBy: { kind: 'leg', attempt: 2 } },
    ],
  },
  {
    name: 'answeredAt is the earliest in-progress timestamp (RFC 2822 accepted, garbage ignored)',
    initial: noLegs,
    events: [
      status('in-progress', { timestamp: 'Mon, 04 Aug 2025 12:00:05 +0000' }),
      status('in-progress', { timestamp: 'Mon, 04 Aug 2025 12:00:01 +0000' }),
      status('in-progress', { timestamp: '2025-08-04T12:00:03Z' }),
      status('in-progress', { timestamp: 'not a time' }),
      status('ringing', { timestamp: '2025-08-04T11:00:00Z' }),
    ],
    expect: { status: 'in-progress', answeredAt: '2025-08-04T12:00:01.000Z' },
    effects: [],
  },
  {
    name: 'invalid durations (negative, fractional, NaN) are treated as absent',
    initial: oneLeg,
    events: [dial(1, 'completed', { dialCallDuration: -5 }), dial(1, 'completed', { dialCallDuration: 1.5 }), status('completed', { callDuration: Number.NaN })],
    policy: { minDurationSec: 1, payout: '1' },
    expect: { durationSec: null, connectedDurationSec: 0, revenue: null, legs: [{ attempt: 1, buyerId: 7, targetId: null, destination: '+12125550001', dialCallSid: null, dialStatus: 'completed', dialDurationSec: null }] },
    effects: [
      { type: 'leg_answered', attempt: 1 },
      { type: 'call_ended', status: 'completed' },
    ],
  },
];

describe('applyEvent: transitions', () => {
  it.each(cases)('$name', (c) => {
    const { state, effects } = fold(c.initial(), c.events, c.policy ?? POLICY);
    expect(state).toMatchObject(c.expect);
    expect(effects).toEqual(c.effects);
  });
});

describe('applyEvent: changed flag and identity', () => {
  it('a duplicate returns the same object, changed false and no effects', () => {
    const first = applyEvent(oneLeg(), dial(1, 'completed', { dialCallDuration: 60 }), POLICY);
    expect(first.changed).toBe(true);
    const again = applyEvent(deepFreeze(first.state), dial(1, 'completed', { dialCallDuration: 60 }), POLICY);
    expect(again).toEqual({ state: first.state, changed: false, effects: [] });
    expect(again.state).toBe(first.state);
  });

  it('a late ringing after completed changes nothing', () => {
    const done = applyEvent(noLegs(), status('completed', { callDuration: 5 }), POLICY).state;
    const late = applyEvent(done, status('ringing'), POLICY);
    expect(late.changed).toBe(false);
    expect(late.effects).toEqual([]);
    expect(late.state).toBe(done);
  });

  it('a recorded contradiction changes the state once (the ignored list), then nothing', () => {
    const ended = applyEvent(noLegs(), status('busy'), POLICY).state;
    const first = applyEvent(ended, status('completed', { callDuration: 99 }), POLICY);
    expect(first.changed).toBe(true);
    expect(first.state.status).toBe('busy');
    const second = applyEvent(first.state, status('completed', { callDuration: 99 }), POLICY);
    expect(second).toEqual({ state: first.state, changed: false, effects: [] });
  });

  it('revenue is never changed once set, whatever the later policy says', () => {
    const paid = applyEvent(oneLeg(), dial(1, 'completed', { dialCallDuration: 60 }), POLICY).state;
    const later = applyEvent(paid, status('completed', { callDuration: 600 }), { minDurationSec: 0, payout: '99' });
    expect(later.state.revenue).toEqual({ amount: '25.5000', qualifiedBy: { kind: 'leg', attempt: 1 } });
    expect(later.effects).toEqual([{ type: 'call_ended', status: 'completed' }]);
  });

  it('an in-progress callback moves a ringing call forward', () => {
    const t = applyEvent(noLegs(), status('in-progress'), POLICY);
    expect(t.changed).toBe(true);
    expect(t.state.status).toBe('in-progress');
    expect(t.state.answeredAt).toBeNull();
    expect(t.effects).toEqual([]);
  });
});

describe('applyEvent: bad arguments', () => {
  it.each([
    ['payout with 5 decimals', { minDurationSec: 0, payout: '1.23456' }],
    ['negative payout', { minDurationSec: 0, payout: '-1' }],
    ['non-numeric payout', { minDurationSec: 0, payout: 'abc' }],
    ['float-looking payout', { minDurationSec: 0, payout: '1e3' }],
    ['negative minimum', { minDurationSec: -1, payout: '1' }],
    ['NaN minimum', { minDurationSec: Number.NaN, payout: '1' }],
  ] as const)('%s throws RangeError', (_label, policy) => {
    expect(() => applyEvent(noLegs(), status('ringing'), policy)).toThrow(RangeError);
  });

  it.each([0, -1, 1.5, Number.NaN])('attempt %s throws RangeError', (attempt) => {
    expect(() => applyEvent(noLegs(), dial(attempt, 'busy'), POLICY)).toThrow(RangeError);
    expect(() => addLeg(noLegs(), { attempt })).toThrow(RangeError);
  });
});

describe('createCallState and addLeg', () => {
  it('starts queued with nothing counted', () => {
    expect(createCallState()).toEqual({
      status: 'queued',
      durationSec: null,
      answeredAt: null,
      legs: [],
      connectedDurationSec: 0,
      revenue: null,
      ignored: [],
    });
  });

  it('keeps legs sorted by attempt', () => {
    const s = createCallState({ legs: [{ attempt: 3 }, { attempt: 1 }, { attempt: 2 }] });
    expect(s.legs.map((l) => l.attempt)).toEqual([1, 2, 3]);
  });

  it('fills the routing fields of a leg a callback created, never overwriting them', () => {
    const early = applyEvent(noLegs(), dial(1, 'busy', { dialCallSid: 'CA_1' }), POLICY).state;
    const filled = addLeg(deepFreeze(early), { attempt: 1, buyerId: 4, destination: '+12125550004' });
    expect(filled.changed).toBe(true);
    expect(filled.state.legs).toEqual([
      { attempt: 1, buyerId: 4, targetId: null, destination: '+12125550004', dialCallSid: 'CA_1', dialStatus: 'busy', dialDurationSec: null },
    ]);
    const again = addLeg(filled.state, { attempt: 1, buyerId: 5, destination: '+12125550005' });
    expect(again.changed).toBe(false);
    expect(again.state).toBe(filled.state);
  });
});

describe('status vocabulary', () => {
  it('ranks statuses, finals share the top rank', () => {
    expect(['queued', 'initiated', 'ringing', 'in-progress', 'completed'].map((s) => callStatusRank(s as never))).toEqual([0, 1, 2, 3, 4]);
    expect(['busy', 'no-answer', 'canceled', 'failed'].map((s) => callStatusRank(s as never))).toEqual([4, 4, 4, 4]);
    expect(isFinalCallStatus('in-progress')).toBe(false);
    expect(isFinalCallStatus('canceled')).toBe(true);
  });

  it('recognises Twilio values only', () => {
    expect(isCallStatus('in-progress')).toBe(true);
    expect(isCallStatus('answered')).toBe(false);
    expect(isDialCallStatus('answered')).toBe(true);
    expect(isDialCallStatus('ringing')).toBe(false);
    expect(isDialCallStatus(undefined)).toBe(false);
  });
});

describe('money', () => {
  it.each([
    ['25.5', 255000n, '25.5000'],
    ['25.50', 255000n, '25.5000'],
    ['0', 0n, '0.0000'],
    ['-0', 0n, '0.0000'],
    ['0.0001', 1n, '0.0001'],
    ['-1.25', -12500n, '-1.2500'],
    ['12345678.9999', 123456789999n, '12345678.9999'],
  ] as const)('%s', (text, units, formatted) => {
    expect(parseMoney(text)).toBe(units);
    expect(formatMoney(units)).toBe(formatted);
    expect(normalizeMoney(text)).toBe(formatted);
  });

  it.each(['', '.5', '1.', '1.23456', '1e3', 'abc', '1,5', '+1'])('rejects %j', (text) => {
    expect(parseMoney(text)).toBeNull();
    expect(normalizeMoney(text)).toBeNull();
  });
});

describe('applyEvent: a connected attempt dialled again (hold, then resume)', () => {
  const policy: RevenuePolicy = { minDurationSec: 90, payout: '10' };
  const first = dial(1, 'completed', { dialCallSid: 'CA_before', dialCallDuration: 60 });
  const second = dial(1, 'completed', { dialCallSid: 'CA_after', dialCallDuration: 60 });
  const noAnswer = dial(1, 'no-answer', { dialCallSid: 'CA_again', dialCallDuration: 0 });

  it('sums the segments by DialCallSid in any order, repeats add nothing, and pays once', () => {
    const orders = [
      [first, second],
      [second, first],
      [first, second, first, second],
      [second, first, second, noAnswer, first],
    ];
    const results = orders.map((events) => fold(oneLeg(), events, policy));
    for (const { state, effects } of results) {
      expect(state.legs[0]).toMatchObject({ dialStatus: 'completed', dialDurationSec: 120 });
      expect(state.connectedDurationSec).toBe(120);
      expect(state.revenue).toEqual({ amount: '10.0000', qualifiedBy: { kind: 'leg', attempt: 1 } });
      expect(effects.filter((e) => e.type === 'revenue_qualified')).toHaveLength(1);
      expect(effects.filter((e) => e.type === 'leg_answered')).toHaveLength(1);
      expect(state.ignored).toEqual([]);
    }
    // The leg keeps the DialCallSid that came first (as before); its segments do not depend on order.
    expect(results[0]!.state.legs[0]!.dialSegments).toEqual([{ sid: 'CA_after', sec: 60 }, { sid: 'CA_before', sec: 60 }]);
    expect(results[1]!.state.legs[0]!.dialSegments).toEqual(results[0]!.state.legs[0]!.dialSegments);
    expect(results[2]!.state).toEqual(results[0]!.state);
  });

  it('one segment delivered twice is still counted once (no split)', () => {
    const { state } = fold(oneLeg(), [first, first], policy);
    expect(state.legs[0]).toMatchObject({ dialDurationSec: 60 });
    expect(state.legs[0]!.dialSegments).toBeUndefined();
    expect(state.revenue).toBeNull();
  });
});
