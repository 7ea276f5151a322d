// LOCAL TELEPHONY SIMULATOR — no real phone numbers, no real calls, no carrier, no cost.
//
// Used when no Twilio credentials are configured or TELEPHONY=simulator, so that the demo works
// end to end. It answers the same Telephony interface as the Twilio adapter, refuses the same bad
// inputs (validation.ts), follows Twilio's rules for what call control can do (types.ts), and
// records every action it took (`actions()`), including the TwiML the Twilio adapter would have
// sent. Its parts, one concern each:
//   simulator-catalogue.ts  the fictional numbers it sells (ranges reserved for fiction, labelled)
//   simulator-numbers.ts    the numbers it owns: search, purchase, configure, release
//   simulator-calls.ts      the calls it knows (a store: in memory, or the database's — see below)
//   simulator-control.ts    call control: transfer, hold / resume, mute, recordings, hang-up
//   simulator-log.ts        the record of its actions and the sids it makes up
//   outbound.ts             outbound calls (placeCall) and what each called number does
// It plays the carrier's part of a call too — the voice webhook, the <Dial> outcome, the status
// callbacks — in server/simulator/ (POST /api/simulator/calls).
//
// Which calls it knows: with `calls` (the app passes the database's store,
// server/simulator/call-store.ts) every call that reached our voice webhook, on every instance
// and after a restart; and any call told with `registerCall` or placed with `placeCall` (kept in
// this process's memory, asked first, until an hour after it ended: calls.ts). Anything else is
// 'not_found'.
import { type MemoryCallStore, type RegisterCallOptions, type SimulatorCallState, type SimulatorCallStore, createMemoryCallStore, ended, layeredCallStore } from './calls.js';
import { createCallControl } from './control.js';
import { SIMULATOR_LABEL } from './label.js';
import { type SimulatorAction, createActionLog, defaultRandom, sidMaker } from './log.js';
import { type HeldNumbers, type RegisterNumberInput, type SimulatorNumber, createNumberDesk } from './numbers.js';
import { createOutboundDesk, type SimulatedOutboundCall } from './outbound.js';
import { TelephonyError, type Telephony } from '../types.js';

export { SIMULATOR_LABEL, SIMULATOR_MONTHLY_FEE, SIMULATOR_NAME_SUFFIX } from './label.js';
export type { ActionDetail, SimulatorAction, SimulatorOperation } from './log.js';
export type { RegisterCallOptions, SimulatorCallState, SimulatorCallStore } from './calls.js';
export type { HeldNumbers, SimulatorNumber } from './numbers.js';
export { outboundBehaviour, PERSON_TALK_SEC, type OutboundBehaviour, type SimulatedOutboundCall } from './outbound.js';

export interface SimulatorOptions {
  /** Clock for action timestamps (default: the system clock). */
  now?: () => Date;
  /** Source of sids, in [0, 1) (default: crypto). Pass a seeded generator for reproducible sids. */
  random?: () => number;
  /** Where calls not registered in memory are found and kept (the app: the database). */
  calls?: SimulatorCallStore;
  /** The numbers held outside this process (the app: the database's), never offered by a search. */
  heldNumbers?: HeldNumbers;
  /** The simulated carrier that plays an outbound call (the app: server/simulator/outbound-carrier.ts). */
  onPlaceCall?: (call: SimulatedOutboundCall) => void;
  /** How long a call kept in memory is remembered after it ended, in ms (default an hour; calls.ts). */
  endedCallRetentionMs?: number;
  /** Clock that times that retention (default: the system clock; separate from `now`, the action log's). */
  callsNow?: () => Date;
}

export interface SimulatorTelephony extends Telephony {
  readonly kind: 'simulator';
  readonly label: string;
  /** Every action taken so far, oldest first (a copy). */
  actions(): SimulatorAction[];
  /** Make a call known in this process (idempotent: a second registration changes nothing). */
  registerCall(callSid: string, options?: RegisterCallOptions): void;
  /** The far end of a call registered in memory hung up: it ends without a control action. */
  endCall(callSid: string): void;
  /** A call registered in memory, as it is now. */
  callState(callSid: string): SimulatorCallState | undefined;
  /** Make an already-owned number known (e.g. restored from the database after a restart). */
  registerNumber(number: RegisterNumberInput): void;
  /** The numbers currently owned. */
  numbers(): SimulatorNumber[];
}

export function createSimulatorTelephony(options: SimulatorOptions = {}): SimulatorTelephony {
  const log = createActionLog(options.now ?? (() => new Date()));
  const newSid = sidMaker(options.random ?? defaultRandom);
  const memory: MemoryCallStore = createMemoryCallStore({
    ...(options.callsNow ? { now: options.callsNow } : {}),
    ...(options.endedCallRetentionMs !== undefined ? { retainEndedMs: options.endedCallRetentionMs } : {}),
  });
  const store = options.calls ? layeredCallStore(memory, options.calls) : memory;
  const numbers = createNumberDesk(log, newSid, options.heldNumbers);
  const control = createCallControl(store, log, () => newSid('REsim', (sid) => memory.hasRecording(sid)));
  const outbound = createOutboundDesk(memory, log, options.onPlaceCall);

  return {
    kind: 'simulator',
    label: SIMULATOR_LABEL,
    searchNumbers: numbers.searchNumbers,
    purchaseNumber: numbers.purchaseNumber,
    configureNumber: numbers.configureNumber,
    releaseNumber: numbers.releaseNumber,
    findOwnedNumber: numbers.findOwnedNumber,
    registerNumber: numbers.registerNumber,
    numbers: numbers.numbers,
    ...control,
    placeCall: outbound.placeCall,
    actions: log.actions,
    registerCall: memory.register,
    endCall(callSid: string): void {
      const state = memory.peek(callSid);
      if (!state) throw new TelephonyError('not_found', `Call ${String(callSid)} not found (simulator)`);
      void memory.save(ended(state));
    },
    callState: memory.peek,
  };
}
