// Status and dial callbacks delivered in any order, any number of times, fold to the same call:
// the same final state, the same revenue (counted at most once), the same effects; a final status
// never changes once reached. The expectations come from a small model of the generated history,
// not from the module.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../../server/inbound/calls/money.js';
import {
  applyEvent,
  createCallState,
  type CallEvent,
  type CallState,
  type Effect,
  type LegInit,
  type Revenue,
  type RevenuePolicy,
} from '../../../server/inbound/calls/state.js';
import {
  CALL_STATUSES,
  DIAL_CALL_STATUSES,
  FAILED_DIAL_STATUSES,
  FINAL_CALL_STATUSES,
  callStatusRank,
  isAnsweredDialStatus,
  isFinalCallStatus,
  type FailedDialStatus,
  type FinalCallStatus,
} from '../../../server/inbound/calls/status.js';
import { dial, effectBag, fold, status, type Step } from './helpers.js';

/** "25.5" → "25.5000", by hand (the generated payouts are plain non-negative decimals). */
function fourDecimals(payout: string): string {
  const [whole, fraction = ''] = payout.split('.');
  return `${whole}.${fraction.padEnd(4, '0')}`;
}

interface History {
  legs: LegInit[];
  /** Canonical (real-time) order. */
  events: CallEvent[];
  policy: RevenuePolicy;
  expected: {
    status: FinalCallStatus;
    durationSec: number;
    connectedDurationSec: number;
    revenue: Revenue | null;
    effects: Effect[];
  };
}

const payoutArb = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: 0n, max: 99_999_999n }).map(formatMoney) },
  { weight: 1, arbitrary: fc.constantFrom('0', '25.5', '7') },
  { weight: 1, arbitrary: fc.constant(null) },
);

const legArb = fc.record({
  failure: fc.constantFrom<FailedDialStatus>(...FAILED_DIAL_STATUSES),
  target: fc.boolean(),
  withSid: fc.boolean(),
});

/** A realistic history: 0-3 <Dial> attempts, every one but the last failed; the last may connect. */
const historyArb: fc.Arbitrary<History> = fc
  .record({
    legs: fc.array(legArb, { minLength: 0, maxLength: 3 }),
    lastAnswered: fc.boolean(),
    dialDuration: fc.integer({ min: 0, max: 400 }),
    answeredFirst: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
    extraCallSec: fc.integer({ min: 0, max: 60 }),
    unansweredFinal: fc.constantFrom<FinalCallStatus>(...FINAL_CALL_STATUSES),
    unansweredDuration: fc.integer({ min: 0, max: 400 }),
    ringing: fc.boolean(),
    initiated: fc.boolean(),
    inProgress: fc.boolean(),
    answeredAtSec: fc.integer({ min: 0, max: 86_400 }),
    minDurationSec: fc.integer({ min: 0, max: 200 }),
    payout: payoutArb,
  })
  .map((g): History => {
    const n = g.legs.length;
    const answered = n > 0 && g.lastAnswered;
    const legs: LegInit[] = g.legs.map((l, i) => ({
      attempt: i + 1,
      ...(l.target ? { targetId: 100 + i } : { buyerId: 200 + i }),
      destination: `+1212555000${i}`,
    }));
    const events: CallEvent[] = [];
    let seq = 0;
    if (g.initiated) events.push(status('initiated', { sequence: seq++ }));
    if (g.ringing) events.push(status('ringing', { sequence: seq++ }));
    if (g.inProgress) events.push(status('in-progress', { sequence: seq++, timestamp: new Date(Date.UTC(2025, 7, 4) + g.answeredAtSec * 1000).toISOString() }));
    const effects: Effect[] = [];
    g.legs.forEach((l, i) => {
      const attempt = i + 1;
      const dialCallSid = l.withSid ? `CA_leg_${attempt}` : undefined;
      if (answered && attempt === n) {
        if (g.answeredFirst !== undefined) {
          events.push(dial(attempt, 'answered', { dialCallSid, dialCallDuration: Math.min(g.answeredFirst, g.dialDuration) }));
        }
        events.push(dial(attempt, 'completed', { dialCallSid, dialCallDuration: g.dialDuration }));
        effects.push({ type: 'leg_answered', attempt });
      } else {
        events.push(dial(attempt, l.failure, { dialCallSid, dialCallDuration: 0 }));
        effects.push({ type: 'leg_failed', attempt, dialStatus: l.failure });
      }
    });
    // The parent call: completed when a leg connected; otherwise any final status.
    const final: FinalCallStatus = answered ? 'completed' : g.unansweredFinal;
    const durationSec = answered ? g.dialDuration + g.extraCallSec : final === 'completed' ? g.unansweredDuration : 0;
    events.push(status(final, { sequence: seq++, callDuration: durationSec }));
    effects.push({ type: 'call_ended', status: final });

    const connectedDurationSec = n > 0 ? (answered ? g.dialDuration : 0) : final === 'completed' ? durationSec : 0;
    const amount = g.payout === null ? null : fourDecimals(g.payout);
    let revenue: Revenue | null = null;
    if (amount !== null && n > 0 && answered && g.dialDuration >= g.minDurationSec) revenue = { amount, qualifiedBy: { kind: 'leg', attempt: n } };
    if (amount !== null && n === 0 && final === 'completed' && durationSec >= g.minDurationSec) revenue = { amount, qualifiedBy: { kind: 'call' } };
    if (revenue !== null) effects.push({ type: 'revenue_qualified', amount: revenue.amount, qualifiedBy: revenue.qualifiedBy });

    return {
      legs,
      events,
      policy: { minDurationSec: g.minDurationSec, payout: g.payout },
      expected: { status: final, durationSec, connectedDurationSec, revenue, effects },
    };
  });

/** The history, and its events with up to two extra copies each, shuffled. */
const deliveredArb = historyArb.chain((h) =>
  fc.array(fc.nat({ max: 2 }), { minLength: h.events.length, maxLength: h.events.length }).chain((copies) => {
    const expanded = h.events.flatMap((e, i) => Array.from({ length: 1 + (copies[i] ?? 0) }, () => e));
    return fc.tuple(fc.constant(h), fc.shuffledSubarray(expanded, { minLength: expanded.length, maxLength: expanded.length }));
  }),
);

const initial = (h: History): CallState => createCallState({ status: 'queued', legs: h.legs });

/** Safety rules every single step must keep, whatever the input. */
function checkStep(step: Step, policy: RevenuePolicy): void {
  const { before, after } = step;
  if (isFinalCallStatus(before.status)) expect(after.status).toBe(before.status);
  expect(callStatusRank(after.status)).toBeGreaterThanOrEqual(callStatusRank(before.status));
  if (before.revenue !== null) expect(after.revenue).toEqual(before.revenue);
  expect(after.durationSec ?? -1).toBeGreaterThanOrEqual(before.durationSec ?? -1);
  expect(after.connectedDurationSec).toBeGreaterThanOrEqual(before.connectedDurationSec);
  for (const old of before.legs) {
    const now = after.legs.find((l) => l.attempt === old.attempt);
    expect(now).toBeDefined();
    expect(now!.dialDurationSec ?? -1).toBeGreaterThanOrEqual(old.dialDurationSec ?? -1);
    if (old.dialStatus === null) continue;
    if (isAnsweredDialStatus(old.dialStatus)) {
      expect(isAnsweredDialStatus(now!.dialStatus!)).toBe(true);
      if (old.dialStatus === 'completed') expect(now!.dialStatus).toBe('completed');
    } else {
      expect(now!.dialStatus).toBe(old.dialStatus);
    }
  }
  expect(step.changed).toBe(after !== before);
  if (!step.changed) expect(step.effects).toEqual([]);
  // The same callback delivered again right away is a no-op.
  const again = applyEvent(after, step.event, policy);
  expect(again).toEqual({ state: after, changed: false, effects: [] });
}

/** Every effect happens at most once per call (per attempt for legs); a leg never both answers and fails. */
function checkEffectsOnce(effects: readonly Effect[]): void {
  const keys = effects.filter((e) => e.type !== 'outcome_ignored').map((e) => ('attempt' in e ? `${e.type}:${e.attempt}` : e.type));
  expect(new Set(keys).size).toBe(keys.length);
  expect(effects.filter((e) => e.type === 'revenue_qualified').length).toBeLessThanOrEqual(1);
  expect(effects.filter((e) => e.type === 'call_ended').length).toBeLessThanOrEqual(1);
  const answered = new Set(effects.flatMap((e) => (e.type === 'leg_answered' ? [e.attempt] : [])));
  for (const e of effects) if (e.type === 'leg_failed') expect(answered.has(e.attempt)).toBe(false);
}

describe('call state under reordered and duplicated callbacks', () => {
  it('the canonical order gives what the model of the history says', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const { state, effects } = fold(initial(h), h.events, h.policy);
        expect(state.status).toBe(h.expected.status);
        expect(state.durationSec).toBe(h.expected.durationSec);
        expect(state.connectedDurationSec).toBe(h.expected.connectedDurationSec);
        expect(state.revenue).toEqual(h.expected.revenue);
        expect(state.ignored).toEqual([]);
        expect(effectBag(effects)).toEqual(effectBag(h.expected.effects));
      }),
      { numRuns: 300 },
    );
  });

  it('any permutation with duplicates folds to the same state, revenue and effects as the canonical order', () => {
    fc.assert(
      fc.property(deliveredArb, ([h, delivered]) => {
        const canonical = fold(initial(h), h.events, h.policy);
        const shuffled = fold(initial(h), delivered, h.policy);

        expect(shuffled.state).toEqual(canonical.state);
        expect(shuffled.state.revenue).toEqual(h.expected.revenue);
        const revenueEffects = shuffled.effects.filter((e) => e.type === 'revenue_qualified');
        expect(revenueEffects.length).toBe(h.expected.revenue === null ? 0 : 1);
        expect(effectBag(shuffled.effects)).toEqual(effectBag(canonical.effects));
        checkEffectsOnce(shuffled.effects);

        // Once final, the status never changes; and every step keeps the safety rules.
        let finalSeen: string | null = null;
        for (const step of shuffled.steps) {
          if (finalSeen !== null) expect(step.after.status).toBe(finalSeen);
          if (isFinalCallStatus(step.after.status)) finalSeen ??= step.after.status;
          checkStep(step, h.policy);
        }
        expect(finalSeen).toBe(h.expected.status);
      }),
      { numRuns: 500 },
    );
  });
});

describe('call state under arbitrary (even contradictory) callbacks', () => {
  const eventArb: fc.Arbitrary<CallEvent> = fc.oneof(
    fc.record({
      callStatus: fc.constantFrom(...CALL_STATUSES),
      callDuration: fc.option(fc.integer({ min: -5, max: 300 }), { nil: undefined }),
      timestamp: fc.option(
        fc.integer({ min: 0, max: 1000 }).map((s) => new Date(Date.UTC(2025, 0, 1) + s * 1000).toISOString()),
        { nil: undefined },
      ),
    }).map(({ callStatus, ...extra }) => status(callStatus, extra)),
    fc.record({
      attempt: fc.integer({ min: 1, max: 3 }),
      dialCallStatus: fc.constantFrom(...DIAL_CALL_STATUSES),
      dialCallSid: fc.option(fc.constantFrom('CA_a', 'CA_b'), { nil: undefined }),
      dialCallDuration: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
    }).map(({ attempt, dialCallStatus, ...extra }) => dial(attempt, dialCallStatus, extra)),
  );

  it('never moves backwards, never counts revenue twice, and duplicates are no-ops', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 25 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 120 }),
        payoutArb,
        (events, nLegs, minDurationSec, payout) => {
          const policy: RevenuePolicy = { minDurationSec, payout };
          const legs = Array.from({ length: nLegs }, (_, i) => ({ attempt: i + 1, buyerId: i + 1 }));
          const { state, effects, steps } = fold(createCallState({ legs }), events, policy);
          for (const step of steps) checkStep(step, policy);
          checkEffectsOnce(effects);
          expect(effects.some((e) => e.type === 'revenue_qualified')).toBe(state.revenue !== null);
          if (state.revenue !== null) expect(state.revenue.amount).toBe(fourDecimals(payout!));
        },
      ),
      { numRuns: 500 },
    );
  });
});
