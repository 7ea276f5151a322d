// The simulated carrier's part of one inbound call, as Twilio plays it: the voice webhook
// (CallStatus=ringing), then the TwiML it answered, verb by verb — a <Dial> rings the buyer, who
// answers (and talks for `durationSec`), is busy, does not answer (rings for the <Dial> timeout;
// so does one whose `ringSec` reaches that timeout: Twilio has given up by then) or fails,
// as asked; its action URL gets the outcome (DialCallStatus, DialCallDuration); a
// <Gather> gets the next digits as Twilio sends them (up to numDigits, before a finishOnKey key;
// none left, or only a finish key: no input, and the document goes on); a <Record>
// leaves a fictional recording (a <Gather> or <Record> without action posts to the document's own
// URL, and a relative URL is resolved against it, as on Twilio); a <Redirect> is followed; a <Connect><ConversationRelay> is played
// by `io.relay` (relay-caller.ts: a scripted caller on our WebSocket) and its action URL gets how
// the session ended (HandoffData) — and at the end the status callback
// (CallStatus=completed, CallDuration). A webhook of ours that fails (an HTTP error, no answer
// within Twilio's time-out — webhook-poster.ts — or an answer that is not TwiML) is Twilio's
// error 11200: the caller hears the application-error message, the call ends, and the status
// callback still comes (`completed`: Twilio answered the call to play the message). Call control
// steers the call as on Twilio (`control`, asked each simulated second while time passes): a
// hang-up ends it at once (the status callback says how long it really lasted), a redirect (resume)
// fetches the new URL and plays its TwiML instead (a <Dial> leg is dropped, its action URL not
// requested). Every request goes through `post` (signed, to our own server); waits through `wait`
// (scaled by the caller). No SQL, no HTTP of its own.
import { randomBytes } from 'node:crypto';
import { describeVerb, gatheredDigits, readTwiml, readTwimlDocument, type Verb } from './twiml-reader.js';

export type DialOutcome = 'answered' | 'busy' | 'no-answer' | 'failed';

export interface CallScript {
  callSid: string;
  to: string;
  from: string;
  callerState?: string | undefined;
  callerZip?: string | undefined;
  /** What each <Dial> does, in order; after the list, `outcome`. */
  dialOutcomes: readonly DialOutcome[];
  outcome: DialOutcome;
  durationSec: number;
  ringSec: number;
  /** What the caller presses at each <Gather>, in order. */
  digits: readonly string[];
}

export interface Step {
  request: string;
  status: number;
  params: Record<string, string>;
  answer: string[];
}

/** A <Connect><ConversationRelay> to play: the WebSocket, and who the call is between. */
export interface RelayCall {
  url: string;
  welcomeGreeting: string | null;
  parameters: Record<string, string>;
  callSid: string;
  from: string;
  to: string;
  direction: 'inbound' | 'outbound';
}

/** How a ConversationRelay session ended (relay-caller.ts), posted to the <Connect> action like Twilio. */
export interface RelayPlay {
  status: 'completed' | 'failed';
  /** The agent's `end` message's handoffData, when it ended the session. */
  handoffData: string | null;
  durationSec: number;
  /** What was said, for the record of the call. */
  lines: string[];
}

/** The action URL's parameters after a session (Twilio's names); the call goes on only after a handoff. */
export function relayActionParams(play: RelayPlay, callSid: string): Record<string, string> {
  return {
    CallStatus: play.handoffData !== null ? 'in-progress' : 'completed',
    SessionId: `VX${callSid.slice(2)}`,
    SessionStatus: play.status === 'failed' ? 'failed' : 'ended',
    SessionDuration: String(play.durationSec),
    ...(play.handoffData !== null ? { HandoffData: play.handoffData } : {}),
  };
}

export interface CarrierIo {
  /** POST a signed webhook to our server: the absolute URL Twilio would request. */
  post(url: string, params: Record<string, string>): Promise<{ status: number; body: string }>;
  /** Play a ConversationRelay session (absent: the call ends at <Connect>, as with any verb the carrier does not play). */
  relay?(call: RelayCall): Promise<RelayPlay>;
  /** Wait `seconds` of simulated time (scaled; rejects when the play is aborted). */
  wait(seconds: number): Promise<void>;
  /** Each step as it happens. */
  onStep(step: Step): void;
}

/** What call control did to the call meanwhile (the simulator's call state), asked after each simulated second. */
export interface CallControlView {
  /** The URL the call was last redirected to (resumeCall / redirectCall: Twilio's call update with Url). */
  redirectedTo: string | null;
  /** Hung up through call control. */
  ended: boolean;
  /** How many call updates (URL or TwiML) the call has had: each new one is acted on. */
  updateSeq?: number;
  /** The last call update's TwiML (a transfer, a hold), played in place of the document; null: it was a URL. */
  twiml?: string | null;
}

/** What call control asks of a playing call: a hang-up, a URL to fetch, or TwiML to play instead. */
export type ControlInterrupt = { kind: 'redirect'; url: string } | { kind: 'twiml'; verbs: Verb[] } | { kind: 'ended' } | null;

/** The call updates a player has acted on so far. */
export interface SeenUpdates {
  seq: number | undefined;
  url: string | null;
}

export function seenUpdates(view: CallControlView): SeenUpdates {
  return { seq: view.updateSeq, url: view.redirectedTo };
}

/**
 * What changed since `seen` (which is moved on): a hang-up, or the newest call update — each one
 * counts, also a second redirect to the same URL (a second resume); without `updateSeq`, a new URL.
 */
export function controlInterrupt(view: CallControlView, seen: SeenUpdates): ControlInterrupt {
  if (view.ended) return { kind: 'ended' };
  if (view.updateSeq !== undefined) {
    if (view.updateSeq === seen.seq) return null;
    seen.seq = view.updateSeq;
    seen.url = view.redirectedTo;
    if (view.twiml) return { kind: 'twiml', verbs: readTwiml(view.twiml) };
    return view.redirectedTo !== null ? { kind: 'redirect', url: view.redirectedTo } : null;
  }
  if (view.redirectedTo !== null && view.redirectedTo !== seen.url) {
    seen.url = view.redirectedTo;
    return { kind: 'redirect', url: view.redirectedTo };
  }
  return null;
}

/** How often (simulated seconds) call control is looked at while the call waits: about as soon as Twilio applies an update. */
export const CONTROL_POLL_SEC = 1;

export interface CarrierUrls {
  voiceUrl: string;
  statusCallbackUrl: string;
  /** Our base URL: only URLs under it are followed (the simulator calls no one else). */
  base: string;
}

/** The simulator's account sid, as Twilio sends AccountSid. */
export const SIMULATOR_ACCOUNT_SID = `AC${'0'.repeat(24)}5117a7ed`;
/** How long a verb without a length of its own takes (a <Gather> being answered, a <Record>). */
const ANSWER_SEC = 2;
const RECORD_SEC = 5;
/** How long a caller listens to endless audio (hold music, <Play loop="0">) before hanging up. */
export const CALLER_PATIENCE_SEC = 600;
/** A loop guard: a call longer than this many TwiML documents is hung up. */
const MAX_DOCUMENTS = 50;
/** Twilio's "We are sorry, an application error has occurred. Goodbye.", then the hang-up. */
export const APPLICATION_ERROR_SEC = 4;

/** Our answer to one webhook: `ok` when it is a TwiML document Twilio can play (HTTP 200, a <Response>). */
export interface WebhookAnswer {
  status: number;
  ok: boolean;
  verbs: Verb[];
}

export function newCallSid(prefix: 'CA' | 'RE' = 'CA'): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/** Where a fictional recording "is" (nothing is there: the simulator records no audio). */
export function simulatedRecordingUrl(recordingSid: string): string {
  return `https://simulator.invalid/recordings/${recordingSid}`;
}

/** A verb's URL as Twilio requests it: a relative one is resolved against the current document's URL. */
export function resolveUrl(url: string, documentUrl: string): string {
  try {
    return new URL(url, documentUrl).toString();
  } catch {
    return url;
  }
}

/** The first voice webhook (before the call is answered). */
export async function ring(script: CallScript, urls: CarrierUrls, io: CarrierIo): Promise<WebhookAnswer> {
  return request(io, urls.voiceUrl, script, urls, { CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' });
}

async function request(
  io: CarrierIo,
  url: string,
  script: CallScript,
  urls: CarrierUrls,
  params: Record<string, string>,
): Promise<WebhookAnswer> {
  const path = url.startsWith(`${urls.base}/`) ? url.slice(urls.base.length) : null;
  if (path === null) {
    io.onStep({ request: url, status: 0, params, answer: ['(not followed: not this server)'] });
    return { status: 0, ok: false, verbs: [] };
  }
  const form: Record<string, string> = {
    AccountSid: SIMULATOR_ACCOUNT_SID,
    CallSid: script.callSid,
    To: script.to,
    Called: script.to,
    From: script.from,
    Caller: script.from,
    ...(script.callerState ? { CallerState: script.callerState, FromState: script.callerState } : {}),
    ...(script.callerZip ? { CallerZip: script.callerZip, FromZip: script.callerZip } : {}),
    ...params,
  };
  const answer = await io.post(url, form);
  const document = answer.status === 200 ? readTwimlDocument(answer.body) : null;
  const verbs = document ?? [];
  io.onStep({ request: path, status: answer.status, params, answer: verbs.map(describeVerb) });
  return { status: answer.status, ok: document !== null, verbs };
}

/** The call after the voice webhook answered: its TwiML played, or (a failed webhook) the application-error message. */
export async function answer(script: CallScript, urls: CarrierUrls, io: CarrierIo, first: WebhookAnswer, control?: () => Promise<CallControlView>): Promise<void> {
  if (first.ok) return play(script, urls, io, first.verbs, control);
  await io.wait(APPLICATION_ERROR_SEC);
  await statusCallback(script, urls, io, APPLICATION_ERROR_SEC);
}

/** The final status callback: the call is over (Twilio sends `completed` for an inbound call that was answered). */
async function statusCallback(script: CallScript, urls: CarrierUrls, io: CarrierIo, elapsedSec: number): Promise<void> {
  await request(io, urls.statusCallbackUrl, script, urls, {
    CallStatus: 'completed',
    CallDuration: String(Math.round(elapsedSec)),
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
    Timestamp: new Date().toUTCString(),
  });
}

/** Everything after the voice webhook: the TwiML played, then the status callback. */
export async function play(script: CallScript, urls: CarrierUrls, io: CarrierIo, first: Verb[], control?: () => Promise<CallControlView>): Promise<void> {
  let elapsed = 0;
  let dials = 0;
  let gathers = 0;
  const seen = control ? seenUpdates(await control()) : null;
  /** Time passes; call control is looked at each simulated second (a hang-up or a call update interrupts). */
  const spend = async (seconds: number): Promise<ControlInterrupt> => {
    if (!control || !seen) {
      elapsed += seconds;
      await io.wait(seconds);
      return null;
    }
    let left = seconds;
    while (left > 0) {
      const step = Math.min(left, CONTROL_POLL_SEC);
      await io.wait(step);
      elapsed += step;
      left -= step;
      const interrupt = controlInterrupt(await control(), seen);
      if (interrupt !== null) return interrupt;
    }
    return null;
  };
  const inProgress = { CallStatus: 'in-progress', Direction: 'inbound', ApiVersion: '2010-04-01' };
  let verbs = first;
  /** The URL of the TwiML document being played: Twilio resolves the verbs' URLs against it. */
  let documentUrl = urls.voiceUrl;
  let documents = 1;
  documents: while (documents <= MAX_DOCUMENTS) {
    for (const verb of verbs) {
      let next: string | null = null;
      let params: Record<string, string> = {};
      let interrupt: ControlInterrupt = null;
      if (verb.verb === 'Dial') {
        const asked = script.dialOutcomes[dials] ?? script.outcome;
        dials += 1;
        // Twilio stops ringing at the <Dial> timeout: a buyer who would pick up (or be busy) later is no-answer.
        const outcome = (asked === 'answered' || asked === 'busy') && script.ringSec >= verb.timeoutSec ? 'no-answer' : asked;
        interrupt = await spend(outcome === 'no-answer' ? verb.timeoutSec : outcome === 'failed' ? 0 : script.ringSec);
        if (interrupt === null && outcome === 'answered') interrupt = await spend(script.durationSec);
        // A call update takes the caller out of the <Dial>: the leg is dropped, the action URL not asked.
        if (interrupt === null) {
          const status = outcome === 'answered' ? 'completed' : outcome;
          params = {
            DialCallStatus: status,
            DialCallSid: newCallSid(),
            ...(outcome === 'answered' ? { DialCallDuration: String(script.durationSec) } : {}),
          };
          next = verb.action;
        }
      } else if (verb.verb === 'Gather') {
        const keys = script.digits[gathers];
        gathers += 1;
        // What Twilio sends of the keys (numDigits, finishOnKey); only a finish key is no input.
        const digits = keys === undefined ? undefined : gatheredDigits(keys, verb) || undefined;
        interrupt = await spend(keys === undefined ? verb.timeoutSec : ANSWER_SEC);
        if (interrupt === null) {
          if (digits === undefined) continue; // no input: Twilio goes on with the next verb
          params = { Digits: digits };
          next = verb.action ?? documentUrl; // without action, Twilio posts to the document's own URL
        }
      } else if (verb.verb === 'Record') {
        const seconds = Math.min(RECORD_SEC, verb.maxLengthSec);
        interrupt = await spend(seconds);
        if (interrupt === null) {
          const recordingSid = newCallSid('RE');
          params = { RecordingSid: recordingSid, RecordingUrl: simulatedRecordingUrl(recordingSid), RecordingDuration: String(seconds) };
          next = verb.action ?? documentUrl; // without action, Twilio requests the document's own URL
        }
      } else if (verb.verb === 'Redirect') {
        next = verb.url;
      } else if (verb.verb === 'Pause') {
        interrupt = await spend(verb.lengthSec);
      } else if (verb.verb === 'Play' && verb.loop === 0 && control) {
        // Played until call control acts (hold music): the caller waits that long, then hangs up.
        interrupt = await spend(CALLER_PATIENCE_SEC);
        if (interrupt === null) break documents;
      } else if (verb.verb === 'ConversationRelay' && io.relay) {
        const session = await io.relay({ url: verb.url, welcomeGreeting: verb.welcomeGreeting, parameters: verb.parameters, callSid: script.callSid, from: script.from, to: script.to, direction: 'inbound' });
        io.onStep({ request: verb.url, status: session.status === 'completed' ? 101 : 0, params: {}, answer: session.lines });
        elapsed += session.durationSec; // the session took its time already
        if (verb.action === null) break documents;
        params = relayActionParams(session, script.callSid);
        next = verb.action;
      } else if (verb.verb === 'Hangup' || verb.verb === 'Reject') {
        break documents;
      }
      if (interrupt?.kind === 'ended') break documents;
      if (interrupt?.kind === 'redirect') next = interrupt.url;
      if (interrupt?.kind === 'twiml') {
        // TwiML sent with the call update replaces the document (its URLs still resolve against the last one fetched).
        documents += 1;
        verbs = interrupt.verbs;
        continue documents;
      }
      if (next !== null) {
        documents += 1;
        documentUrl = resolveUrl(next, documentUrl);
        const answered = await request(io, documentUrl, script, urls, { ...inProgress, ...params });
        if (!answered.ok) {
          // Error 11200: the application-error message, then Twilio hangs up.
          await spend(APPLICATION_ERROR_SEC);
          break documents;
        }
        verbs = answered.verbs;
        continue documents;
      }
    }
    break; // the end of the document: Twilio hangs up
  }
  await statusCallback(script, urls, io, elapsed);
}
