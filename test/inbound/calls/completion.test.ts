// When a call's completion events are recorded (server/inbound/calls/completion.ts): at the final
// status unless a dialled leg awaits its <Dial> outcome, else with that outcome.
import { describe, expect, it } from 'vitest';
import { awaitsDialOutcome, completionOf } from '../../../server/inbound/calls/completion.js';
import { createCallState, type CallState, type DialLeg } from '../../../server/inbound/calls/state.js';

function withLegs(status: CallState['status'], legs: Array<Partial<DialLeg> & { attempt: number }>): CallState {
  const state = createCallState({ status });
  return {
    ...state,
    legs: legs.map((l) => ({ buyerId: null, targetId: null, destination: null, dialCallSid: null, dialStatus: null, dialDurationSec: null, ...l })),
  };
}

describe('completionOf', () => {
  it('records at the final status when no dialled leg awaits its outcome', () => {
    expect(completionOf(withLegs('in-progress', []), withLegs('completed', []), false)).toEqual({ record: true, pending: false });
    const dialled = [{ attempt: 1, destination: '+12125550100', dialStatus: 'completed' as const }];
    expect(completionOf(withLegs('in-progress', dialled), withLegs('completed', dialled), false)).toEqual({ record: true, pending: false });
    // A row a dial callback made without a reservation (no destination) was not dialled by us.
    const unreserved = [{ attempt: 1 }];
    expect(completionOf(withLegs('ringing', unreserved), withLegs('busy', unreserved), false)).toEqual({ record: true, pending: false });
  });

  it('waits while a dialled leg has no outcome, then records with the outcome, once', () => {
    const open = withLegs('in-progress', [{ attempt: 1, destination: '+12125550100' }]);
    const ended = { ...open, status: 'completed' as const };
    expect(awaitsDialOutcome(ended)).toBe(true);
    expect(completionOf(open, ended, false)).toEqual({ record: false, pending: true });
    const outcome = withLegs('completed', [{ attempt: 1, destination: '+12125550100', dialStatus: 'completed' }]);
    expect(completionOf(ended, outcome, true)).toEqual({ record: true, pending: false });
    // Already recorded (by the outcome or the sweep): a later change records nothing.
    expect(completionOf(outcome, outcome, false)).toEqual({ record: false, pending: false });
    expect(completionOf(ended, outcome, false)).toEqual({ record: false, pending: false });
  });

  it('keeps waiting while another dialled leg has no outcome', () => {
    const before = withLegs('completed', [{ attempt: 1, destination: '+1212555010' }, { attempt: 2, destination: '+12125550101' }]);
    const after = withLegs('completed', [{ attempt: 1, destination: '+1212555010', dialStatus: 'busy' }, { attempt: 2, destination: '+12125550101' }]);
    expect(completionOf(before, after, true)).toEqual({ record: false, pending: true });
  });

  it('records nothing while the call is live', () => {
    const live = withLegs('in-progress', [{ attempt: 1, destination: '+12125550100', dialStatus: 'completed' }]);
    expect(completionOf(withLegs('ringing', []), live, false)).toEqual({ record: false, pending: false });
  });
});
