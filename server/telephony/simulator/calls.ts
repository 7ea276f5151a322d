// The calls the simulator knows, and what call control changed on them: a store with two
// implementations. In memory (`createMemoryCallStore`): calls told with `registerCall` (unit tests,
// a simulator without a database). In the database (server/simulator/call-store.ts): every call
// that reached our voice webhook, derived from its `calls` row, plus what call control changed
// (table simulator_calls) — the same on every instance and after a restart. `layeredCallStore`
// asks the memory first, then the database.
import { TelephonyError } from '../types.js';
import { assertE164 } from '../validation.js';

export interface SimulatorCallState {
  callSid: string;
  status: 'in-progress' | 'completed';
  /** Registered as a conference participant (then hold is a true hold and mute works). */
  inConference: boolean;
  onHold: boolean;
  muted: boolean;
  /** The number the call is bridged to with <Dial><Number>, if any. */
  bridgedTo: string | null;
  /** The URL the call was last redirected to (resume). */
  redirectedTo: string | null;
  recordings: { sid: string; status: 'in-progress' | 'stopped' }[];
}

export interface RegisterCallOptions {
  /** The call is a conference participant (our call path uses <Dial><Number>: default false). */
  inConference?: boolean;
  /** The number the call is currently bridged to. */
  bridgedTo?: string;
}

export interface SimulatorCallStore {
  /** The call as the carrier knows it now (a copy), or undefined when it knows no such call. */
  find(callSid: string): Promise<SimulatorCallState | undefined>;
  /** Keep the call's new state (a call `find` returned). */
  save(state: SimulatorCallState): Promise<void>;
}

export interface MemoryCallStore extends SimulatorCallStore {
  /** Make a call known (idempotent: a second registration of a known call changes nothing). */
  register(callSid: string, options?: RegisterCallOptions): void;
  has(callSid: string): boolean;
  /** A copy of the call's state, now. */
  peek(callSid: string): SimulatorCallState | undefined;
  /** Whether a recording of a call in memory has this sid. */
  hasRecording(recordingSid: string): boolean;
}

export function copyState(state: SimulatorCallState): SimulatorCallState {
  return { ...state, recordings: state.recordings.map((r) => ({ ...r })) };
}

export function newCallState(callSid: string, options: RegisterCallOptions = {}): SimulatorCallState {
  return {
    callSid,
    status: 'in-progress',
    inConference: options.inConference ?? false,
    onHold: false,
    muted: false,
    bridgedTo: options.bridgedTo ?? null,
    redirectedTo: null,
    recordings: [],
  };
}

/** The call has ended: nothing is bridged or on hold, every recording stopped. */
export function ended(state: SimulatorCallState): SimulatorCallState {
  return { ...state, status: 'completed', onHold: false, bridgedTo: null, recordings: state.recordings.map((r) => ({ ...r, status: 'stopped' })) };
}

export function createMemoryCallStore(): MemoryCallStore {
  const calls = new Map<string, SimulatorCallState>();
  return {
    async find(callSid) {
      const state = typeof callSid === 'string' ? calls.get(callSid) : undefined;
      return state ? copyState(state) : undefined;
    },
    async save(state) {
      calls.set(state.callSid, copyState(state));
    },
    register(callSid, options = {}) {
      if (typeof callSid !== 'string' || callSid.trim() === '') throw new TelephonyError('invalid', 'callSid is required');
      if (calls.has(callSid)) return;
      if (options.bridgedTo !== undefined) assertE164(options.bridgedTo, 'bridgedTo');
      calls.set(callSid, newCallState(callSid, options));
    },
    has: (callSid) => calls.has(callSid),
    peek(callSid) {
      const state = calls.get(callSid);
      return state ? copyState(state) : undefined;
    },
    hasRecording: (recordingSid) => [...calls.values()].some((c) => c.recordings.some((r) => r.sid === recordingSid)),
  };
}

/** Calls in `memory` first (kept there), then the ones `fallback` knows (kept there). */
export function layeredCallStore(memory: MemoryCallStore, fallback: SimulatorCallStore): SimulatorCallStore {
  return {
    async find(callSid) {
      return memory.has(callSid) ? memory.find(callSid) : fallback.find(callSid);
    },
    async save(state) {
      await (memory.has(state.callSid) ? memory.save(state) : fallback.save(state));
    },
  };
}
