// What a correction may change and the history rows it leaves (server/inbound/calls/correction.ts), pure.
import { describe, expect, it } from 'vitest';
import { type CorrectableCall, correctionRequestProblems, planCorrection } from '../../../server/inbound/calls/correction.js';
import { moneyFromNumber } from '../../../server/inbound/calls/money.js';
import { CALL_STATUSES, FINAL_CALL_STATUSES, callStatusRank } from '../../../server/inbound/calls/status.js';

const inProgress: CorrectableCall = { status: 'in-progress', durationSec: 60, revenue: null };

describe('planCorrection: status', () => {
  it('moves forward, one history row with the old and new status', () => {
    expect(planCorrection({ ...inProgress, status: 'ringing' }, { status: 'completed' })).toEqual({
      ok: true,
      changes: [{ field: 'status', oldValue: 'ringing', newValue: 'completed' }],
      patch: { status: 'completed' },
    });
  });

  it('never moves back, and a final status is never replaced (not even by another final one)', () => {
    for (const from of CALL_STATUSES) {
      for (const to of CALL_STATUSES) {
        const plan = planCorrection({ ...inProgress, status: from }, { status: to });
        const allowed = from === to || callStatusRank(to) > callStatusRank(from);
        expect(plan.ok, `${from} -> ${to}`).toBe(allowed);
        if (!plan.ok) expect(Object.keys(plan.conflicts)).toEqual(['status']);
      }
    }
    const final = planCorrection({ ...inProgress, status: 'completed' }, { status: 'failed' });
    expect(final).toEqual({ ok: false, conflicts: { status: 'is final (completed) and cannot be changed to failed' } });
    const back = planCorrection(inProgress, { status: 'ringing' });
    expect(back).toEqual({ ok: false, conflicts: { status: 'cannot go back from in-progress to ringing' } });
  });

  it('the same status changes nothing', () => {
    for (const status of FINAL_CALL_STATUSES) {
      expect(planCorrection({ ...inProgress, status }, { status })).toEqual({ ok: true, changes: [], patch: {} });
    }
  });
});

describe('planCorrection: duration', () => {
  it('grows, from nothing too', () => {
    expect(planCorrection(inProgress, { duration: 61 })).toEqual({
      ok: true,
      changes: [{ field: 'duration', oldValue: '60', newValue: '61' }],
      patch: { durationSec: 61 },
    });
    expect(planCorrection({ ...inProgress, durationSec: null }, { duration: 0 })).toEqual({
      ok: true,
      changes: [{ field: 'duration', oldValue: null, newValue: '0' }],
      patch: { durationSec: 0 },
    });
  });

  it('never shrinks; the same duration changes nothing', () => {
    expect(planCorrection(inProgress, { duration: 59 })).toEqual({ ok: false, conflicts: { duration: 'cannot decrease (now 60 seconds)' } });
    expect(planCorrection(inProgress, { duration: 60 })).toEqual({ ok: true, changes: [], patch: {} });
  });
});

describe('planCorrection: revenue', () => {
  it('replaces what the call pays now, money as four-decimal text', () => {
    expect(planCorrection({ ...inProgress, revenue: '25.5000' }, { revenue: '30' })).toEqual({
      ok: true,
      changes: [{ field: 'revenue', oldValue: '25.5000', newValue: '30.0000' }],
      patch: { revenueOverride: '30.0000' },
    });
    expect(planCorrection(inProgress, { revenue: '0.0001' })).toEqual({
      ok: true,
      changes: [{ field: 'revenue', oldValue: null, newValue: '0.0001' }],
      patch: { revenueOverride: '0.0001' },
    });
  });

  it('compares exact amounts, not texts: 25.5 is 25.5000', () => {
    expect(planCorrection({ ...inProgress, revenue: '25.5000' }, { revenue: '25.5' })).toEqual({ ok: true, changes: [], patch: {} });
    expect(planCorrection({ ...inProgress, revenue: '25.5000' }, { revenue: '25.5001' }).ok).toBe(true);
  });

  it('refuses text that is not an amount (the handler only passes formatted numbers)', () => {
    expect(() => planCorrection(inProgress, { revenue: '1e3' })).toThrow(/not an amount/);
  });
});

describe('planCorrection: several fields', () => {
  it("seed 000's body on an in-progress call: three rows, in field order", () => {
    const plan = planCorrection({ status: 'in-progress', durationSec: null, revenue: '25.5000' }, { status: 'completed', duration: 180, revenue: moneyFromNumber(30) });
    expect(plan).toEqual({
      ok: true,
      changes: [
        { field: 'status', oldValue: 'in-progress', newValue: 'completed' },
        { field: 'duration', oldValue: null, newValue: '180' },
        { field: 'revenue', oldValue: '25.5000', newValue: '30.0000' },
      ],
      patch: { status: 'completed', durationSec: 180, revenueOverride: '30.0000' },
    });
  });

  it('one refused field refuses the whole correction, naming every refused field', () => {
    expect(planCorrection(inProgress, { status: 'queued', duration: 1, revenue: '5' })).toEqual({
      ok: false,
      conflicts: { status: 'cannot go back from in-progress to queued', duration: 'cannot decrease (now 60 seconds)' },
    });
  });
});

describe('correctionRequestProblems', () => {
  it('needs at least one correctable field; a reason alone corrects nothing', () => {
    expect(correctionRequestProblems({})).toEqual({ body: 'needs at least one of status, duration, revenue' });
    expect(correctionRequestProblems({ status: undefined })).toEqual({ body: 'needs at least one of status, duration, revenue' });
    expect(correctionRequestProblems({ revenue: 0 })).toEqual({});
    expect(correctionRequestProblems({ duration: 0 })).toEqual({});
    expect(correctionRequestProblems({ status: 'completed' })).toEqual({});
  });
});

describe('moneyFromNumber', () => {
  it('formats a JSON amount as numeric(12,4) text', () => {
    expect(moneyFromNumber(30)).toBe('30.0000');
    expect(moneyFromNumber(25.5)).toBe('25.5000');
    expect(moneyFromNumber(0.1)).toBe('0.1000');
    expect(moneyFromNumber(100000)).toBe('100000.0000');
    expect(moneyFromNumber(0)).toBe('0.0000');
  });

  it('rounds a fifth decimal as written, half away from zero, as the database does', () => {
    // toFixed rounded the binary values: 1.00005 up but 2.00005 down.
    expect(moneyFromNumber(1.00005)).toBe('1.0001');
    expect(moneyFromNumber(2.00005)).toBe('2.0001');
    expect(moneyFromNumber(2.00004999)).toBe('2.0000');
    expect(moneyFromNumber(-2.00005)).toBe('-2.0001');
    expect(moneyFromNumber(0.00004)).toBe('0.0000');
    expect(moneyFromNumber(1e-7)).toBe('0.0000');
    expect(moneyFromNumber(99999999.99995)).toBe('100000000.0000');
  });
});
