// The simulated carrier's part of an outbound call (the dialer's placeCall), as Twilio plays it:
// status callbacks for the events asked (initiated, ringing, answered, completed — in that order,
// numbered by SequenceNumber; a failed call is not rung: initiated, then failed); busy / failed /
// no answer end the call there (no answer after the
// call's timeout, also for a party that would answer only after it); otherwise the answer webhook
// is requested and its TwiML played, and with
// answering-machine detection its result is POSTed to the AMD callback (a person: `human` after
// 2 s; a machine: `machine_end_beep` when its greeting ends with DetectMessageEnd, `machine_start`
// after 2 s with Enable). The called person hangs up after talking PERSON_TALK_SEC seconds; a
// machine after its greeting and 20 s of recording. A <Dial><Conference> joins the simulator's
// conference of that name (conferences.ts: join / leave / end callbacks with Twilio's parameters;
// a participant with endConferenceOnExit leaving ends the others' calls). A <Connect><ConversationRelay>
// answered by a person is played by `io.relay` (a scripted caller on our WebSocket), then its action
// URL is posted with how the session ended. A call placed with Record=true gets its recording
// status callback (`completed`) after it ends, when it was answered. Every request goes
// through `post` (signed, to our own server); waits through `wait` (scaled by the caller). No SQL,
// no HTTP of its own. An answer or action URL of ours that fails (HTTP error, time-out, not TwiML)
// is Twilio's error 11200: the called party hears the application-error message and the call ends
// (`completed`: it was answered).
import { CALL_STATUS_EVENTS, type CallStatusEvent } from '../telephony/types.js';
import type { SimulatedOutboundCall } from '../telephony/simulator/simulator.js';
import { APPLICATION_ERROR_SEC, type CallControlView, type CarrierIo, CONTROL_POLL_SEC, type ControlInterrupt, controlInterrupt, seenUpdates, newCallSid, relayActionParams, resolveUrl, SIMULATOR_ACCOUNT_SID, simulatedRecordingUrl } from './carrier.js';
import type { SimulatedConferences } from './conferences.js';
import { describeVerb, readTwimlDocument, type Verb } from './twiml-reader.js';

const AMD_DECISION_SEC = 2;
const MACHINE_RECORDING_SEC = 20;
/** What <Say> / <Play> take when the simulator cannot know (no audio is fetched). */
const SPOKEN_SEC = 3;
const MAX_DOCUMENTS = 50;
/** calls.create's Timeout when none is given (Twilio's default). */
const DEFAULT_RING_TIMEOUT_SEC = 60;

export interface OutboundCarrierUrls {
  /** Our base URL: only URLs under it are followed (the simulator calls no one else). */
  base: string;
}

export type { CallControlView } from './carrier.js';

/** The simulator's conferences, and how a call taken out of an ended conference is ended. */
export interface ConferenceIo {
  room: SimulatedConferences;
  hangUp(callSid: string): void;
}

export interface OutboundPlay {
  /** The final CallStatus: completed, busy, no-answer or failed. */
  status: 'completed' | 'busy' | 'no-answer' | 'failed';
  durationSec: number;
  answeredBy: string | null;
}

export async function playOutbound(
  call: SimulatedOutboundCall,
  urls: OutboundCarrierUrls,
  io: CarrierIo,
  control: () => Promise<CallControlView> = async () => ({ redirectedTo: null, ended: false }),
  conferences?: ConferenceIo,
): Promise<OutboundPlay> {
  const { input, behaviour, callSid } = call;
  const events = new Set<CallStatusEvent>(input.statusEvents ?? CALL_STATUS_EVENTS);
  let sequence = 0;
  const common = {
    AccountSid: SIMULATOR_ACCOUNT_SID,
    CallSid: callSid,
    To: input.to,
    Called: input.to,
    From: input.from,
    Caller: input.from,
    Direction: 'outbound-api',
    ApiVersion: '2010-04-01',
  };
  /** A request to our server: a call's (its common parameters added) or a conference's callback (its own). */
  /** The TwiML answered, or null when our server failed to answer TwiML (error 11200). */
  const request = async (url: string, params: Record<string, string>, withCommon = true): Promise<Verb[] | null> => {
    if (!url.startsWith(`${urls.base}/`)) {
      io.onStep({ request: url, status: 0, params, answer: ['(not followed: not this server)'] });
      return [];
    }
    const answer = await io.post(url, withCommon ? { ...common, ...params } : params);
    const verbs = answer.status === 200 ? readTwimlDocument(answer.body) : null;
    io.onStep({ request: url.slice(urls.base.length), status: answer.status, params, answer: (verbs ?? []).map(describeVerb) });
    return verbs;
  };
  const post = (url: string, params: Record<string, string>) => request(url, params);
  const status = async (event: CallStatusEvent, params: Record<string, string>) => {
    if (!events.has(event)) return;
    sequence += 1;
    await post(input.statusCallbackUrl, {
      ...params,
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(sequence - 1),
      Timestamp: new Date().toUTCString(),
    });
  };

  await status('initiated', { CallStatus: 'initiated' });
  // A call that fails to start (unreachable, invalid) never rings: initiated, then failed.
  if (behaviour.kind !== 'failed') await status('ringing', { CallStatus: 'ringing' });
  // Twilio gives up after the call's Timeout: a party that would answer later is no answer.
  const ringTimeout = input.timeoutSeconds ?? DEFAULT_RING_TIMEOUT_SEC;
  const answers = behaviour.kind === 'person' || behaviour.kind === 'machine';
  if (!answers || behaviour.answerAfterSec >= ringTimeout) {
    const final = answers ? 'no-answer' : behaviour.kind;
    await io.wait(final === 'no-answer' ? ringTimeout : 1);
    await status('completed', { CallStatus: final, CallDuration: '0' });
    return { status: final, durationSec: 0, answeredBy: null };
  }

  await io.wait(behaviour.answerAfterSec);
  // Time the called side stays on the line (a person hangs up; a machine records, then stops).
  let remaining = behaviour.kind === 'person' ? behaviour.talkSec : behaviour.greetingSec + MACHINE_RECORDING_SEC;
  let elapsed = 0;
  const amd = input.machineDetection;
  let answeredBy: string | null = null;
  let amdAt: number | null = null;
  if (amd) {
    answeredBy = behaviour.kind === 'person' ? 'human' : amd.mode === 'DetectMessageEnd' ? 'machine_end_beep' : 'machine_start';
    amdAt = behaviour.kind === 'machine' && amd.mode === 'DetectMessageEnd' ? behaviour.greetingSec : AMD_DECISION_SEC;
  }
  const inProgress = { CallStatus: 'in-progress' };
  let verbs = await post(input.answerUrl, inProgress);
  /** The URL of the TwiML document being played: Twilio resolves the verbs' URLs against it. */
  let documentUrl = input.answerUrl;
  await status('answered', inProgress);

  // Time passes verb by verb. The AMD result is POSTed when its moment comes (asynchronous AMD); a
  // redirect or hang-up by call control (e.g. the dialer's voicemail drop after `machine_end_beep`,
  // the abandon message of a person whose agent never answered) takes effect within a simulated
  // second (CONTROL_POLL_SEC).
  const seen = seenUpdates(await control());
  const spend = async (seconds: number): Promise<ControlInterrupt> => {
    let left = Math.min(seconds, remaining);
    while (left > 0) {
      const untilAmd = amdAt !== null ? Math.max(0, amdAt - elapsed) : Infinity;
      const step = Math.min(left, untilAmd, CONTROL_POLL_SEC);
      await io.wait(step);
      elapsed += step;
      remaining -= step;
      left -= step;
      if (amdAt !== null && elapsed >= amdAt && amd && answeredBy) {
        amdAt = null;
        await post(amd.statusCallbackUrl, { AnsweredBy: answeredBy, MachineDetectionDuration: String(Math.round(elapsed * 1000)) });
      }
      const interrupt = controlInterrupt(await control(), seen);
      if (interrupt !== null) return interrupt;
    }
    return remaining > 0 ? null : { kind: 'ended' };
  };

  let documents = 1;
  documents: while (documents <= MAX_DOCUMENTS && remaining > 0) {
    if (verbs === null) {
      // Error 11200: the application-error message, then Twilio hangs up.
      await spend(APPLICATION_ERROR_SEC);
      break;
    }
    for (const verb of verbs) {
      let next: string | null = null;
      let interrupt: ControlInterrupt = null;
      if (verb.verb === 'Pause') interrupt = await spend(verb.lengthSec);
      else if (verb.verb === 'Play' && verb.loop === 0) interrupt = await spend(remaining); // hold music: until call control acts
      else if (verb.verb === 'Say' || verb.verb === 'Play') interrupt = await spend(SPOKEN_SEC);
      else if (verb.verb === 'Conference' && conferences) {
        // In the conference until the called side hangs up, call control acts, or the conference
        // ends (a participant with endConferenceOnExit left: this call is ended with it).
        for (const callback of conferences.room.join(verb.name, { callSid, endOnExit: verb.endOnExit, startOnEnter: verb.startOnEnter, statusCallback: verb.statusCallback, events: verb.events })) {
          await request(callback.url, callback.params, false);
        }
        interrupt = await spend(remaining);
        const left = conferences.room.leave(verb.name, callSid);
        for (const callback of left.callbacks) await request(callback.url, callback.params, false);
        for (const other of left.endCalls) conferences.hangUp(other);
        if (interrupt === null) break documents;
      } else if (verb.verb === 'ConversationRelay' && io.relay && behaviour.kind === 'person') {
        // The person talks with the agent (a scripted caller on our WebSocket), then the action URL.
        const session = await io.relay({ url: verb.url, welcomeGreeting: verb.welcomeGreeting, parameters: verb.parameters, callSid, from: input.from, to: input.to, direction: 'outbound' });
        io.onStep({ request: verb.url, status: session.status === 'completed' ? 101 : 0, params: {}, answer: session.lines });
        interrupt = await spend(Math.min(session.durationSec, Math.max(remaining - 1, 0)));
        if (verb.action === null) break documents;
        if (interrupt === null) next = verb.action;
        if (next !== null) {
          documents += 1;
          documentUrl = resolveUrl(next, documentUrl);
          verbs = await post(documentUrl, { ...inProgress, ...relayActionParams(session, callSid) });
          continue documents;
        }
      } else if (verb.verb === 'Dial' || verb.verb === 'Conference' || verb.verb === 'Other' || verb.verb === 'ConversationRelay') {
        // A bridge or a conference: the called side talks until it hangs up (or call control acts).
        interrupt = await spend(remaining);
        if (interrupt === null) break documents;
      } else if (verb.verb === 'Redirect') next = verb.url;
      else if (verb.verb === 'Hangup' || verb.verb === 'Reject') break documents;
      if (interrupt?.kind === 'ended') break documents;
      if (interrupt?.kind === 'redirect') next = interrupt.url;
      if (interrupt?.kind === 'twiml') {
        // TwiML sent with the call update replaces the document being played.
        documents += 1;
        verbs = interrupt.verbs;
        continue documents;
      }
      if (next !== null) {
        documents += 1;
        documentUrl = resolveUrl(next, documentUrl);
        verbs = await post(documentUrl, inProgress);
        continue documents;
      }
    }
    break; // the end of the document: Twilio hangs up
  }
  // A call that ended before the AMD decision still gets its result (Twilio decides on what it heard).
  if (amdAt !== null && amd) await post(amd.statusCallbackUrl, { AnsweredBy: 'unknown', MachineDetectionDuration: String(Math.round(elapsed * 1000)) });
  const durationSec = Math.round(elapsed);
  await status('completed', { CallStatus: 'completed', CallDuration: String(durationSec) });
  // Record=true: the whole answered call was recorded; Twilio posts the recording when it is ready.
  if (input.recordingStatusCallbackUrl !== undefined) {
    const recordingSid = newCallSid('RE');
    await request(
      input.recordingStatusCallbackUrl,
      {
        AccountSid: SIMULATOR_ACCOUNT_SID,
        CallSid: callSid,
        RecordingSid: recordingSid,
        RecordingUrl: simulatedRecordingUrl(recordingSid),
        RecordingStatus: 'completed',
        RecordingDuration: String(durationSec),
        RecordingChannels: '1',
        RecordingSource: 'OutboundAPI',
        ErrorCode: '0',
      },
      false,
    );
  }
  return { status: 'completed', durationSec, answeredBy };
}
