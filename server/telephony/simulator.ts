// LOCAL TELEPHONY SIMULATOR — no real phone numbers, no real calls, no carrier, no cost.
//
// Used when no Twilio credentials are configured or TELEPHONY=simulator, so that the demo works
// end to end. It answers the same Telephony interface as the Twilio adapter, refuses the same bad
// inputs (validation.ts), follows Twilio's rules for what call control can do (see types.ts:
// a call bridged with <Dial><Number> cannot be muted → 'not_supported'; hold of such a call parks
// the caller and drops the bridged leg), and records every action it took (`actions()`),
// including the TwiML the Twilio adapter would have sent.
//
// The numbers it "sells" are only ever in ranges reserved for fiction, and their friendly names
// say "(simulator)":
//   US / CA local      +1 NPA 555-0100 … 555-0199   (NANP fictional lines, any area code)
//   US / CA toll-free  +1 8XX 555-0100 … 555-0199   (800, 833, 844, 855, 866, 877, 888)
//   GB local           +44 20 7946 0000 … 0999      (Ofcom drama range, London)
//   GB mobile          +44 7700 900000 … 900999     (Ofcom drama range)
//   GB toll-free       +44 808 157 0000 … 0999      (Ofcom drama range)
// Other countries, and mobile numbers in the US/CA (there is no separate NANP mobile range),
// yield an empty search. Sids are PNsim… / REsim… (34 characters, like Twilio's).
//
// It knows a call only once told (`registerCall`, e.g. by the simulated inbound call), and a
// number only once it sold it or was told (`registerNumber`, e.g. numbers restored from the
// database after a restart): anything else is 'not_found'. State lives in memory only.
import { randomBytes } from 'node:crypto';
import {
  TelephonyError,
  type AvailableNumber,
  type ControlResult,
  type HoldOptions,
  type NumberCapabilities,
  type NumberType,
  type NumberWebhooks,
  type PurchaseNumberInput,
  type PurchasedNumber,
  type RecordingOptions,
  type SearchNumbersInput,
  type Telephony,
  type TransferOptions,
} from './types.js';
import { holdTwiml, transferTwiml } from './twiml.js';
import {
  assertE164,
  assertHttpUrl,
  normalizeSearch,
  validateHold,
  validatePurchase,
  validateRecording,
  validateTransfer,
  validateWebhooks,
} from './validation.js';

export { SIMULATOR_LABEL, SIMULATOR_MONTHLY_FEE, SIMULATOR_NAME_SUFFIX } from './simulator-label.js';
import { SIMULATOR_LABEL, SIMULATOR_MONTHLY_FEE, SIMULATOR_NAME_SUFFIX } from './simulator-label.js';
import { LOCAL_CAPS, catalogue, containsPattern, labelled, lookupNumber } from './simulator-catalogue.js';

export type SimulatorOperation =
  | 'search_numbers'
  | 'purchase_number'
  | 'configure_number'
  | 'release_number'
  | 'transfer'
  | 'hold'
  | 'resume'
  | 'mute'
  | 'unmute'
  | 'start_recording'
  | 'stop_recording'
  | 'hangup';

export type ActionDetail = string | number | boolean | null;

export interface SimulatorAction {
  /** 1, 2, 3… in the order the actions were taken. */
  readonly seq: number;
  /** ISO timestamp from `now()`. */
  readonly at: string;
  readonly operation: SimulatorOperation;
  readonly callSid?: string;
  readonly numberSid?: string;
  readonly recordingSid?: string;
  /** The parameters as the Twilio adapter would send them, and what changed. */
  readonly details: Readonly<Record<string, ActionDetail>>;
  /** The TwiML the Twilio adapter would have sent with this call update. */
  readonly twiml?: string;
}

export interface SimulatorNumber {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  capabilities: NumberCapabilities;
  voiceUrl: string | null;
  statusCallbackUrl: string | null;
}

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

export interface SimulatorOptions {
  /** Clock for action timestamps (default: the system clock). */
  now?: () => Date;
  /** Source of sids, in [0, 1) (default: crypto). Pass a seeded generator for reproducible sids. */
  random?: () => number;
}

export interface RegisterCallOptions {
  /** The call is a conference participant (our call path uses <Dial><Number>: default false). */
  inConference?: boolean;
  /** The number the call is currently bridged to. */
  bridgedTo?: string;
}

export interface SimulatorTelephony extends Telephony {
  readonly kind: 'simulator';
  readonly label: string;
  /** Every action taken so far, oldest first (a copy). */
  actions(): SimulatorAction[];
  /** Make a call known (idempotent: a second registration of a known call changes nothing). */
  registerCall(callSid: string, options?: RegisterCallOptions): void;
  /** The far end hung up: the call ends without a control action. Unknown call: not_found. */
  endCall(callSid: string): void;
  callState(callSid: string): SimulatorCallState | undefined;
  /** Make an already-owned number known (e.g. restored from the database after a restart). */
  registerNumber(number: { sid: string; phoneNumber: string; friendlyName?: string } & Partial<NumberWebhooks>): void;
  /** The numbers currently owned. */
  numbers(): SimulatorNumber[];
}

// ---------------------------------------------------------------------------------------------
// The catalogue of fictional numbers


// ---------------------------------------------------------------------------------------------

function defaultRandom(): number {
  return randomBytes(6).readUIntBE(0, 6) / 2 ** 48;
}

export function createSimulatorTelephony(options: SimulatorOptions = {}): SimulatorTelephony {
  const now = options.now ?? (() => new Date());
  const random = options.random ?? defaultRandom;
  const log: SimulatorAction[] = [];
  const owned = new Map<string, SimulatorNumber>();
  const calls = new Map<string, SimulatorCallState>();

  function newSid(prefix: 'PNsim' | 'REsim', taken: (sid: string) => boolean): string {
    for (;;) {
      let hex = '';
      for (let i = 0; i < 29; i += 1) hex += Math.min(15, Math.floor(random() * 16)).toString(16);
      const sid = prefix + hex;
      if (!taken(sid)) return sid;
    }
  }

  function record(action: Omit<SimulatorAction, 'seq' | 'at'>): void {
    log.push(Object.freeze({ seq: log.length + 1, at: now().toISOString(), ...action, details: Object.freeze({ ...action.details }) }));
  }

  function ownedNumber(sid: string): SimulatorNumber {
    const number = typeof sid === 'string' ? owned.get(sid) : undefined;
    if (!number) throw new TelephonyError('not_found', `Phone number ${String(sid)} not found (simulator)`);
    return number;
  }

  function knownCall(callSid: string): SimulatorCallState {
    const state = typeof callSid === 'string' ? calls.get(callSid) : undefined;
    if (!state) throw new TelephonyError('not_found', `Call ${String(callSid)} not found (simulator)`);
    return state;
  }

  function liveCall(callSid: string): SimulatorCallState {
    const state = knownCall(callSid);
    if (state.status !== 'in-progress') throw new TelephonyError('conflict', `Call ${callSid} has ended (simulator)`);
    return state;
  }

  function isOwnedPhoneNumber(phoneNumber: string): boolean {
    for (const n of owned.values()) if (n.phoneNumber === phoneNumber) return true;
    return false;
  }

  function endRecordings(state: SimulatorCallState): void {
    for (const r of state.recordings) r.status = 'stopped';
  }

  function setMuted(callSid: string, muted: boolean): void {
    const state = liveCall(callSid);
    if (!state.inConference) {
      throw new TelephonyError(
        'not_supported',
        `Cannot ${muted ? 'mute' : 'unmute'} call ${callSid}: only conference participants can be muted, and this call ` +
          'is not in a conference (a call bridged with <Dial><Number> has no mute control) (simulator)',
      );
    }
    state.muted = muted;
    record({ operation: muted ? 'mute' : 'unmute', callSid, details: { via: 'conference_participant', muted } });
  }

  function snapshot(state: SimulatorCallState): SimulatorCallState {
    return { ...state, recordings: state.recordings.map((r) => ({ ...r })) };
  }

  return {
    kind: 'simulator',
    label: SIMULATOR_LABEL,

    async searchNumbers(input: SearchNumbersInput): Promise<AvailableNumber[]> {
      const search = normalizeSearch(input);
      const pattern = search.contains !== undefined ? containsPattern(search.contains) : undefined;
      const results: AvailableNumber[] = [];
      for (const entry of catalogue(search.country, search.type, search.areaCode)) {
        if (results.length >= search.limit) break;
        if (isOwnedPhoneNumber(entry.phoneNumber)) continue;
        if (pattern && !pattern.test(entry.phoneNumber)) continue;
        results.push({
          phoneNumber: entry.phoneNumber,
          friendlyName: entry.friendlyName,
          region: entry.region,
          isoCountry: entry.isoCountry,
          capabilities: { ...entry.capabilities },
        });
      }
      record({
        operation: 'search_numbers',
        details: {
          country: search.country,
          type: search.type,
          areaCode: search.areaCode ?? null,
          contains: search.contains ?? null,
          limit: search.limit,
          found: results.length,
        },
      });
      return results;
    },

    async purchaseNumber(input: PurchaseNumberInput): Promise<PurchasedNumber> {
      validatePurchase(input);
      const entry = lookupNumber(input.phoneNumber);
      if (!entry) {
        throw new TelephonyError(
          'invalid',
          `${input.phoneNumber} is not a simulator number: the simulator sells only fictional numbers ` +
            '(+1 NPA 555-01XX, +44 20 7946 0XXX, +44 7700 900XXX, +44 808 157 0XXX); search for one first',
        );
      }
      if (isOwnedPhoneNumber(entry.phoneNumber)) {
        throw new TelephonyError('conflict', `${input.phoneNumber} is not available: it has already been bought (simulator)`);
      }
      const friendlyName =
        input.friendlyName === undefined
          ? entry.friendlyName
          : input.friendlyName.includes(SIMULATOR_NAME_SUFFIX)
            ? input.friendlyName
            : labelled(input.friendlyName);
      const number: SimulatorNumber = {
        sid: newSid('PNsim', (sid) => owned.has(sid)),
        phoneNumber: entry.phoneNumber,
        friendlyName,
        capabilities: { ...entry.capabilities },
        voiceUrl: input.voiceUrl,
        statusCallbackUrl: input.statusCallbackUrl,
      };
      owned.set(number.sid, number);
      record({
        operation: 'purchase_number',
        numberSid: number.sid,
        details: {
          phoneNumber: number.phoneNumber,
          friendlyName,
          voiceUrl: input.voiceUrl,
          voiceMethod: 'POST',
          statusCallback: input.statusCallbackUrl,
          statusCallbackMethod: 'POST',
        },
      });
      return {
        sid: number.sid,
        phoneNumber: number.phoneNumber,
        friendlyName,
        capabilities: { ...number.capabilities },
        monthlyFee: SIMULATOR_MONTHLY_FEE,
      };
    },

    async configureNumber(sid: string, webhooks: NumberWebhooks): Promise<void> {
      validateWebhooks(webhooks);
      const number = ownedNumber(sid);
      number.voiceUrl = webhooks.voiceUrl;
      number.statusCallbackUrl = webhooks.statusCallbackUrl;
      record({
        operation: 'configure_number',
        numberSid: sid,
        details: {
          phoneNumber: number.phoneNumber,
          voiceUrl: webhooks.voiceUrl,
          voiceMethod: 'POST',
          statusCallback: webhooks.statusCallbackUrl,
          statusCallbackMethod: 'POST',
        },
      });
    },

    async releaseNumber(sid: string): Promise<void> {
      const number = ownedNumber(sid);
      owned.delete(sid);
      record({ operation: 'release_number', numberSid: sid, details: { phoneNumber: number.phoneNumber } });
    },

    async transferCall(callSid: string, to: string, transferOptions: TransferOptions = {}): Promise<void> {
      validateTransfer(to, transferOptions);
      const state = liveCall(callSid);
      const twiml = transferTwiml(to, transferOptions);
      const previous = state.bridgedTo;
      state.bridgedTo = to;
      state.onHold = false;
      state.inConference = false; // new TwiML takes the call out of any conference
      record({ operation: 'transfer', callSid, twiml, details: { to, droppedLeg: previous, via: 'call_update' } });
    },

    async holdCall(callSid: string, holdOptions: HoldOptions = {}): Promise<ControlResult> {
      validateHold(holdOptions);
      const state = liveCall(callSid);
      if (state.inConference) {
        state.onHold = true;
        record({ operation: 'hold', callSid, details: { via: 'conference_participant', holdUrl: holdOptions.holdMusicUrl ?? null } });
        return { via: 'conference_participant' };
      }
      // As on Twilio: redirecting the caller out of <Dial> ends the bridged leg.
      const twiml = holdTwiml(holdOptions);
      const dropped = state.bridgedTo;
      state.bridgedTo = null;
      state.onHold = true;
      record({ operation: 'hold', callSid, twiml, details: { via: 'call_update', droppedLeg: dropped } });
      return { via: 'call_update' };
    },

    async resumeCall(callSid: string, resumeUrl: string): Promise<ControlResult> {
      assertHttpUrl(resumeUrl, 'resumeUrl');
      const state = liveCall(callSid);
      state.onHold = false;
      if (state.inConference) {
        record({ operation: 'resume', callSid, details: { via: 'conference_participant' } });
        return { via: 'conference_participant' };
      }
      state.redirectedTo = resumeUrl;
      record({ operation: 'resume', callSid, details: { via: 'call_update', url: resumeUrl, method: 'POST' } });
      return { via: 'call_update' };
    },

    async muteCall(callSid: string): Promise<void> {
      setMuted(callSid, true);
    },

    async unmuteCall(callSid: string): Promise<void> {
      setMuted(callSid, false);
    },

    async startRecording(callSid: string, recordingOptions: RecordingOptions = {}): Promise<{ recordingSid: string }> {
      validateRecording(recordingOptions);
      const state = liveCall(callSid);
      const recordingSid = newSid('REsim', (sid) => [...calls.values()].some((c) => c.recordings.some((r) => r.sid === sid)));
      state.recordings.push({ sid: recordingSid, status: 'in-progress' });
      record({
        operation: 'start_recording',
        callSid,
        recordingSid,
        details: { recordingStatusCallback: recordingOptions.statusCallbackUrl ?? null },
      });
      return { recordingSid };
    },

    async stopRecording(callSid: string, recordingSid: string): Promise<void> {
      const state = knownCall(callSid);
      const recording = state.recordings.find((r) => r.sid === recordingSid);
      if (!recording) throw new TelephonyError('not_found', `Recording ${String(recordingSid)} not found on call ${callSid} (simulator)`);
      if (recording.status !== 'in-progress') {
        throw new TelephonyError('conflict', `Recording ${recordingSid} is not in progress (simulator)`);
      }
      recording.status = 'stopped';
      record({ operation: 'stop_recording', callSid, recordingSid, details: { status: 'stopped' } });
    },

    async hangupCall(callSid: string): Promise<void> {
      const state = knownCall(callSid);
      if (state.status === 'completed') return; // already over: nothing to do, as with Twilio
      state.status = 'completed';
      state.onHold = false;
      const dropped = state.bridgedTo;
      state.bridgedTo = null;
      endRecordings(state);
      record({ operation: 'hangup', callSid, details: { status: 'completed', droppedLeg: dropped } });
    },

    actions(): SimulatorAction[] {
      return [...log];
    },

    registerCall(callSid: string, registerOptions: RegisterCallOptions = {}): void {
      if (typeof callSid !== 'string' || callSid.trim() === '') throw new TelephonyError('invalid', 'callSid is required');
      if (calls.has(callSid)) return;
      if (registerOptions.bridgedTo !== undefined) assertE164(registerOptions.bridgedTo, 'bridgedTo');
      calls.set(callSid, {
        callSid,
        status: 'in-progress',
        inConference: registerOptions.inConference ?? false,
        onHold: false,
        muted: false,
        bridgedTo: registerOptions.bridgedTo ?? null,
        redirectedTo: null,
        recordings: [],
      });
    },

    endCall(callSid: string): void {
      const state = knownCall(callSid);
      state.status = 'completed';
      state.onHold = false;
      state.bridgedTo = null;
      endRecordings(state);
    },

    callState(callSid: string): SimulatorCallState | undefined {
      const state = calls.get(callSid);
      return state ? snapshot(state) : undefined;
    },

    registerNumber(number): void {
      if (typeof number.sid !== 'string' || number.sid.trim() === '') throw new TelephonyError('invalid', 'sid is required');
      assertE164(number.phoneNumber, 'phoneNumber');
      if (owned.has(number.sid)) return;
      const entry = lookupNumber(number.phoneNumber);
      owned.set(number.sid, {
        sid: number.sid,
        phoneNumber: number.phoneNumber,
        friendlyName: number.friendlyName ?? entry?.friendlyName ?? labelled(number.phoneNumber),
        capabilities: { ...(entry?.capabilities ?? LOCAL_CAPS) },
        voiceUrl: number.voiceUrl ?? null,
        statusCallbackUrl: number.statusCallbackUrl ?? null,
      });
    },

    numbers(): SimulatorNumber[] {
      return [...owned.values()].map((n) => ({ ...n, capabilities: { ...n.capabilities } }));
    },
  };
}
