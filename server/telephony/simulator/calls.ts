// The calls the simulator knows, and what call control changed on them: a store with two
// implementations. In memory (`createMemoryCallStore`): calls told with `registerCall` (unit tests,
// a simulator without a database). In the database (server/simulator/call-store.ts): every call
// that reached our voice webhook, derived from its `calls` row, plus what call control changed
// (table simulator_calls) — the same on every instance and after a restart. `layeredCallStore`
// asks the memory first, then the database. The memory is bounded: a call that has ended is kept
// `retainEndedMs` (default an hour: enough for call control — which refuses an ended call — and
// for looking up a recent call) and then forgotten, so a long-running simulator does not grow
// with every call it ever placed.
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
  /** How many call updates (a URL or TwiML) the call has had: the carrier acts on each new one. */
  updateSeq: number;
  /** The TwiML of the last call update when it sent TwiML (transfer, hold), else null (redirectedTo is fetched). */
  updateTwiml: string | null;
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
    updateSeq: 0,
    updateTwiml: null,
    recordings: [],
  };
}

/** The call has ended: nothing is bridged or on hold, every recording stopped. */
export function ended(state: SimulatorCallState): SimulatorCallState {
  return { ...state, status: 'completed', onHold: false, bridgedTo: null, recordings: state.recordings.map((r) => ({ ...r, status: 'stopped' })) };
}

/** How long a call that has ended stays in memory (ms). */
export const ENDED_CALL_RETENTION_MS = 60 * 60 * 1000;

export interface MemoryCallStoreOptions {
  /** The clock (default: the system clock). */
  now?: () => Date;
  /** How long a call that has ended is kept, in ms (default ENDED_CALL_RETENTION_MS). */
  retainEndedMs?: number;
}

export function createMemoryCallStore(options: MemoryCallStoreOptions = {}): MemoryCallStore {
  const now = options.now ?? (() => new Date());
  const retainMs = options.retainEndedMs ?? ENDED_CALL_RETENTION_MS;
  const calls = new Map<string, SimulatorCallState>();
  /** When each ended call ended, in the order they ended (the oldest first). */
  const endedAt = new Map<string, number>();
  /** Forget the calls that ended at least `retainMs` ago. */
  const prune = () => {
    const cutoff = now().getTime() - retainMs;
    for (const [callSid, at] of endedAt) {
      if (at > cutoff) break;
      endedAt.delete(callSid);
      calls.delete(callSid);
    }
  };
  return {
    async find(callSid) {
      const state = typeof callSid === 'string' ? calls.get(callSid) : undefined;
      return state ? copyState(state) : undefined;
    },
    async save(state) {
      prune();
      calls.set(state.callSid, copyState(state));
      if (state.status === 'completed' && !endedAt.has(state.callSid)) endedAt.set(state.callSid, now().getTime());
    },
    register(callSid, options = {}) {
      if (typeof callSid !== 'string' || callSid.trim() === '') throw new TelephonyError('invalid', 'callSid is required');
      prune();
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
