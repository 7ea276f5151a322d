// The simulator's conferences (pure state; the carrier posts what it returns). A <Dial><Conference>
// played by a simulated call joins the named conference; leaving it, Twilio's way:
//   - the first participant starts the conference and sets its statusCallback and events (later
//     participants' attributes do not change them);
//   - each join and leave is a `participant-join` / `participant-leave` callback, when asked;
//   - a participant with endConferenceOnExit leaving ends the conference: every other participant
//     is taken out (a `participant-leave` each; their calls end) and `conference-end` follows with
//     ReasonConferenceEnded `participant-with-end-conference-on-exit-left`; the last participant
//     leaving ends it with `last-participant-left`.
// Callbacks carry Twilio's conference parameters, numbered by SequenceNumber per conference.
import { randomBytes } from 'node:crypto';
import { SIMULATOR_ACCOUNT_SID } from './carrier.js';

export interface ConferenceParticipant {
  callSid: string;
  endOnExit: boolean;
  startOnEnter: boolean;
  /** The <Conference statusCallback>; null: none. */
  statusCallback: string | null;
  /** Its statusCallbackEvent words (start, end, join, leave, …). */
  events: readonly string[];
}

export interface ConferenceCallback {
  url: string;
  params: Record<string, string>;
}

export interface LeaveResult {
  callbacks: ConferenceCallback[];
  /** Calls taken out because the conference ended: the carrier ends them. */
  endCalls: string[];
}

interface Conference {
  sid: string;
  name: string;
  statusCallback: string | null;
  events: ReadonlySet<string>;
  sequence: number;
  participants: Map<string, ConferenceParticipant>;
}

export class SimulatedConferences {
  readonly #byName = new Map<string, Conference>();

  /** The participant joins (the conference starts with its first participant). */
  join(name: string, participant: ConferenceParticipant, at = new Date()): ConferenceCallback[] {
    let conference = this.#byName.get(name);
    const callbacks: ConferenceCallback[] = [];
    if (!conference) {
      conference = {
        sid: `CF${randomBytes(16).toString('hex')}`,
        name,
        statusCallback: participant.statusCallback,
        events: new Set(participant.events),
        sequence: 0,
        participants: new Map(),
      };
      this.#byName.set(name, conference);
      this.#emit(conference, 'start', 'conference-start', {}, at, callbacks);
    }
    conference.participants.set(participant.callSid, participant);
    this.#emit(conference, 'join', 'participant-join', participantParams(participant), at, callbacks);
    return callbacks;
  }

  /** The participant's call left (hung up, or ended by call control); nothing when it was already taken out. */
  leave(name: string, callSid: string, at = new Date()): LeaveResult {
    const conference = this.#byName.get(name);
    const leaving = conference?.participants.get(callSid);
    const result: LeaveResult = { callbacks: [], endCalls: [] };
    if (!conference || !leaving) return result;
    conference.participants.delete(callSid);
    this.#emit(conference, 'leave', 'participant-leave', participantParams(leaving), at, result.callbacks);
    let reason: string | null = null;
    if (leaving.endOnExit && conference.participants.size > 0) {
      for (const other of conference.participants.values()) {
        this.#emit(conference, 'leave', 'participant-leave', participantParams(other), at, result.callbacks);
        result.endCalls.push(other.callSid);
      }
      conference.participants.clear();
      reason = 'participant-with-end-conference-on-exit-left';
    } else if (conference.participants.size === 0) {
      reason = 'last-participant-left';
    }
    if (reason !== null) {
      this.#byName.delete(name);
      this.#emit(conference, 'end', 'conference-end', { CallSidEndingConference: callSid, ReasonConferenceEnded: reason, Reason: reason }, at, result.callbacks);
    }
    return result;
  }

  /** The participants' call sids now (for tests and the simulator's view). */
  participants(name: string): string[] {
    return [...(this.#byName.get(name)?.participants.keys() ?? [])];
  }

  #emit(conference: Conference, word: string, event: string, extra: Record<string, string>, at: Date, into: ConferenceCallback[]): void {
    if (conference.statusCallback === null || !conference.events.has(word)) return;
    conference.sequence += 1;
    into.push({
      url: conference.statusCallback,
      params: {
        AccountSid: SIMULATOR_ACCOUNT_SID,
        ConferenceSid: conference.sid,
        FriendlyName: conference.name,
        StatusCallbackEvent: event,
        SequenceNumber: String(conference.sequence),
        Timestamp: at.toUTCString(),
        ...extra,
      },
    });
  }
}

function participantParams(p: ConferenceParticipant): Record<string, string> {
  return {
    CallSid: p.callSid,
    Muted: 'false',
    Hold: 'false',
    Coaching: 'false',
    EndConferenceOnExit: String(p.endOnExit),
    StartConferenceOnEnter: String(p.startOnEnter),
  };
}
