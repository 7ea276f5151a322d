// Pacing (pure): how many calls may be outstanding per dial mode, checked as properties over
// random inputs (fast-check) and on the cases that matter.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linesAllowed, type PacingInput } from '../../server/dialer/loop/pacing.js';

const input = fc.record({
  mode: fc.constantFrom('preview' as const, 'progressive' as const, 'predictive' as const),
  availableAgents: fc.integer({ min: 0, max: 500 }),
  linesPerAgent: fc.double({ min: 1, max: 10, noNaN: true }),
  recentAbandonRate: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  recentPersonRate: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  maxAbandonRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
});

describe('pacing', () => {
  it('no agent, no line; an agent, at least one; never more than linesPerAgent per agent', () => {
    fc.assert(
      fc.property(input, (i: PacingInput) => {
        const lines = linesAllowed(i);
        if (i.availableAgents === 0) return lines === 0;
        return lines >= 1 && lines >= Math.min(i.availableAgents, 1) && lines <= Math.max(1, Math.floor(i.availableAgents * i.linesPerAgent));
      }),
    );
  });

  it('preview is one per agent; predictive over its abandonment cap or without measurements is one per agent', () => {
    fc.assert(
      fc.property(input, (i) => {
        const lines = linesAllowed(i);
        if (i.mode === 'preview') return lines === i.availableAgents;
        if (i.mode !== 'predictive' || i.availableAgents === 0) return true;
        const overCap = i.recentAbandonRate !== null && i.recentAbandonRate > i.maxAbandonRate;
        if (overCap || i.recentPersonRate === null || i.recentPersonRate === 0) return lines === i.availableAgents;
        // Expected people among the outstanding calls never exceed the agents (rounding down).
        return lines * i.recentPersonRate <= i.availableAgents + 1e-9;
      }),
    );
  });

  it('the cases that matter', () => {
    const base = { availableAgents: 10, linesPerAgent: 3, recentAbandonRate: 0.01, recentPersonRate: 0.5, maxAbandonRate: 0.03 };
    expect(linesAllowed({ ...base, mode: 'progressive' })).toBe(30);
    expect(linesAllowed({ ...base, mode: 'predictive' })).toBe(20);
    expect(linesAllowed({ ...base, mode: 'predictive', recentPersonRate: 0.25 })).toBe(30);
    expect(linesAllowed({ ...base, mode: 'predictive', recentAbandonRate: 0.05 })).toBe(10);
    expect(linesAllowed({ ...base, mode: 'preview' })).toBe(10);
    expect(linesAllowed({ ...base, mode: 'progressive', availableAgents: 0 })).toBe(0);
  });
});
