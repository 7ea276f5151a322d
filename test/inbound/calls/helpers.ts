// Shared by the call-state tests: event builders and a fold that records every step.
import { applyEvent, type CallEvent, type CallState, type DialEvent, type Effect, type RevenuePolicy, type StatusEvent } from '../../../server/inbound/calls/state.js';
import type { CallStatus, DialCallStatus } from '../../../server/inbound/calls/status.js';

export function status(callStatus: CallStatus, extra: Omit<StatusEvent, 'kind' | 'callStatus'> = {}): StatusEvent {
  return { kind: 'status', callStatus, ...extra };
}

export function dial(attempt: number, dialCallStatus: DialCallStatus, extra: Omit<DialEvent, 'kind' | 'attempt' | 'dialCallStatus'> = {}): DialEvent {
  return { kind: 'dial', attempt, dialCallStatus, ...extra };
}

export interface Step {
  event: CallEvent;
  before: CallState;
  after: CallState;
  changed: boolean;
  effects: Effect[];
}

export interface Folded {
  state: CallState;
  effects: Effect[];
  steps: Step[];
}

/** Applies the events in order, freezing every state so that a mutation would throw. */
export function fold(initial: CallState, events: readonly CallEvent[], policy: RevenuePolicy): Folded {
  let state = deepFreeze(initial);
  const effects: Effect[] = [];
  const steps: Step[] = [];
  for (const event of events) {
    const t = applyEvent(state, deepFreeze(event), policy);
    steps.push({ event, before: state, after: t.state, changed: t.changed, effects: t.effects });
    effects.push(...t.effects);
    state = deepFreeze(t.state);
  }
  return { state, effects, steps };
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** An order-free view of a list of effects (the module builds each effect with a fixed key order). */
export function effectBag(effects: readonly Effect[]): string[] {
  return effects.map((e) => JSON.stringify(e)).sort();
}
