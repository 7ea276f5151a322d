// Call control on the simulator, following Twilio's rules (types.ts): a call bridged with
// <Dial><Number> cannot be muted ('not_supported'); hold of such a call parks the caller and drops
// the bridged leg; a call update takes the call out of any conference. Each operation reads the
// call from the store, changes it and saves it, and records what the Twilio adapter would have sent.
import type { SimulatorCallState, SimulatorCallStore } from './calls.js';
import { ended } from './calls.js';
import type { ActionLog } from './log.js';
import { holdTwiml, transferTwiml } from '../twiml.js';
import { TelephonyError, type ControlResult, type HoldOptions, type RecordingOptions, type Telephony, type TransferOptions } from '../types.js';
import { assertHttpUrl, validateHold, validateRecording, validateTransfer } from '../validation.js';

export type CallControl = Pick<
  Telephony,
  'transferCall' | 'holdCall' | 'resumeCall' | 'redirectCall' | 'muteCall' | 'unmuteCall' | 'startRecording' | 'stopRecording' | 'hangupCall'
>;

/** A call update with a URL to fetch (Twilio's Url): the next update, which the carrier acts on. */
function urlUpdate(state: SimulatorCallState, url: string): Pick<SimulatorCallState, 'redirectedTo' | 'updateSeq' | 'updateTwiml'> {
  return { redirectedTo: url, updateSeq: state.updateSeq + 1, updateTwiml: null };
}

/** A call update with TwiML (Twilio's Twiml): the carrier plays it in place of what was playing. */
function twimlUpdate(state: SimulatorCallState, twiml: string): Pick<SimulatorCallState, 'updateSeq' | 'updateTwiml'> {
  return { updateSeq: state.updateSeq + 1, updateTwiml: twiml };
}

export function createCallControl(store: SimulatorCallStore, log: ActionLog, newRecordingSid: () => string): CallControl {
  async function knownCall(callSid: string): Promise<SimulatorCallState> {
    const state = typeof callSid === 'string' ? await store.find(callSid) : undefined;
    if (!state) throw new TelephonyError('not_found', `Call ${String(callSid)} not found (simulator)`);
    return state;
  }

  async function liveCall(callSid: string): Promise<SimulatorCallState> {
    const state = await knownCall(callSid);
    if (state.status !== 'in-progress') throw new TelephonyError('conflict', `Call ${callSid} has ended (simulator)`);
    return state;
  }

  async function setMuted(callSid: string, muted: boolean): Promise<void> {
    const state = await liveCall(callSid);
    if (!state.inConference) {
      throw new TelephonyError(
        'not_supported',
        `Cannot ${muted ? 'mute' : 'unmute'} call ${callSid}: only conference participants can be muted, and this call ` +
          'is not in a conference (a call bridged with <Dial><Number> has no mute control) (simulator)',
      );
    }
    await store.save({ ...state, muted });
    log.record({ operation: muted ? 'mute' : 'unmute', callSid, details: { via: 'conference_participant', muted } });
  }

  return {
    async transferCall(callSid: string, to: string, options: TransferOptions = {}): Promise<void> {
      validateTransfer(to, options);
      const state = await liveCall(callSid);
      const twiml = transferTwiml(to, options);
      // New TwiML takes the call out of any conference.
      await store.save({ ...state, bridgedTo: to, onHold: false, inConference: false, ...twimlUpdate(state, twiml) });
      log.record({ operation: 'transfer', callSid, twiml, details: { to, droppedLeg: state.bridgedTo, via: 'call_update' } });
    },

    async holdCall(callSid: string, options: HoldOptions = {}): Promise<ControlResult> {
      validateHold(options);
      const state = await liveCall(callSid);
      if (state.inConference) {
        await store.save({ ...state, onHold: true });
        log.record({ operation: 'hold', callSid, details: { via: 'conference_participant', holdUrl: options.holdMusicUrl ?? null } });
        return { via: 'conference_participant' };
      }
      // As on Twilio: redirecting the caller out of <Dial> ends the bridged leg.
      const twiml = holdTwiml(options);
      await store.save({ ...state, bridgedTo: null, onHold: true, ...twimlUpdate(state, twiml) });
      log.record({ operation: 'hold', callSid, twiml, details: { via: 'call_update', droppedLeg: state.bridgedTo } });
      return { via: 'call_update' };
    },

    async resumeCall(callSid: string, resumeUrl: string): Promise<ControlResult> {
      assertHttpUrl(resumeUrl, 'resumeUrl');
      const state = await liveCall(callSid);
      if (state.inConference) {
        await store.save({ ...state, onHold: false });
        log.record({ operation: 'resume', callSid, details: { via: 'conference_participant' } });
        return { via: 'conference_participant' };
      }
      await store.save({ ...state, onHold: false, ...urlUpdate(state, resumeUrl) });
      log.record({ operation: 'resume', callSid, details: { via: 'call_update', url: resumeUrl, method: 'POST' } });
      return { via: 'call_update' };
    },

    async redirectCall(callSid: string, url: string): Promise<void> {
      assertHttpUrl(url, 'url');
      const state = await liveCall(callSid);
      // As on Twilio: the call update takes the call out of any conference or <Dial> bridge.
      await store.save({ ...state, onHold: false, inConference: false, bridgedTo: null, ...urlUpdate(state, url) });
      log.record({ operation: 'redirect', callSid, details: { via: 'call_update', url, method: 'POST', droppedLeg: state.bridgedTo } });
    },

    muteCall: (callSid: string) => setMuted(callSid, true),
    unmuteCall: (callSid: string) => setMuted(callSid, false),

    async startRecording(callSid: string, options: RecordingOptions = {}): Promise<{ recordingSid: string }> {
      validateRecording(options);
      const state = await liveCall(callSid);
      const recordingSid = newRecordingSid();
      await store.save({ ...state, recordings: [...state.recordings, { sid: recordingSid, status: 'in-progress' }] });
      log.record({ operation: 'start_recording', callSid, recordingSid, details: { recordingStatusCallback: options.statusCallbackUrl ?? null } });
      return { recordingSid };
    },

    async stopRecording(callSid: string, recordingSid: string): Promise<void> {
      const state = await knownCall(callSid);
      const recording = state.recordings.find((r) => r.sid === recordingSid);
      if (!recording) throw new TelephonyError('not_found', `Recording ${String(recordingSid)} not found on call ${callSid} (simulator)`);
      if (recording.status !== 'in-progress') throw new TelephonyError('conflict', `Recording ${recordingSid} is not in progress (simulator)`);
      await store.save({ ...state, recordings: state.recordings.map((r) => (r.sid === recordingSid ? { ...r, status: 'stopped' as const } : r)) });
      log.record({ operation: 'stop_recording', callSid, recordingSid, details: { status: 'stopped' } });
    },

    async hangupCall(callSid: string): Promise<void> {
      const state = await knownCall(callSid);
      if (state.status === 'completed') return; // already over: nothing to do, as with Twilio
      await store.save(ended(state));
      log.record({ operation: 'hangup', callSid, details: { status: 'completed', droppedLeg: state.bridgedTo } });
    },
  };
}
