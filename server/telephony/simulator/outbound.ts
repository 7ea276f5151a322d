// Outbound calls in the simulator (the dialer's placeCall). What the called number does is chosen
// by documented patterns of its last four digits, so a demo or a test can ask for every outcome:
//
//   …0001  busy                     …0003  failed (unreachable)
//   …0002  no answer (rings until the call's timeout)
//   …0004  an answering machine: answers after 3 s, its greeting lasts 8 s, then the beep
//   …01NN  a person who answers after NN seconds (0100: at once) and talks for 30 s; at or past
//          the call's timeout (Twilio's default 60 s) Twilio has given up: no answer
//   other  a person who answers after 3 s and talks for 30 s
//
// placeCall refuses what Twilio's adapter refuses (validation.ts), records the call (so call
// control and hang-up work on it) and the action, and hands it to the simulated carrier
// (`onPlaceCall`, server/simulator/outbound-carrier.ts), which plays Twilio's part through our
// webhooks. Without a carrier (unit tests) the call is only recorded.
import { randomBytes } from 'node:crypto';
import { CALL_STATUS_EVENTS, type PlaceCallInput, type PlacedCall } from '../types.js';
import { validatePlaceCall } from '../validation.js';
import type { MemoryCallStore } from './calls.js';
import type { ActionLog } from './log.js';

export type OutboundBehaviour =
  | { kind: 'busy' | 'no-answer' | 'failed' }
  | { kind: 'person'; answerAfterSec: number; talkSec: number }
  | { kind: 'machine'; answerAfterSec: number; greetingSec: number };

export const PERSON_TALK_SEC = 30;
const DEFAULT_ANSWER_SEC = 3;
const MACHINE_GREETING_SEC = 8;

/** What the number `to` does when the simulator calls it (pure; the patterns above). */
export function outboundBehaviour(to: string): OutboundBehaviour {
  const last4 = to.slice(-4);
  if (last4 === '0001') return { kind: 'busy' };
  if (last4 === '0002') return { kind: 'no-answer' };
  if (last4 === '0003') return { kind: 'failed' };
  if (last4 === '0004') return { kind: 'machine', answerAfterSec: DEFAULT_ANSWER_SEC, greetingSec: MACHINE_GREETING_SEC };
  if (/^01\d\d$/.test(last4)) return { kind: 'person', answerAfterSec: Number(last4.slice(2)), talkSec: PERSON_TALK_SEC };
  return { kind: 'person', answerAfterSec: DEFAULT_ANSWER_SEC, talkSec: PERSON_TALK_SEC };
}

export interface SimulatedOutboundCall {
  callSid: string;
  input: PlaceCallInput;
  behaviour: OutboundBehaviour;
}

/** A call sid as Twilio makes them (CA + 32 hex). */
function newOutboundSid(): string {
  return `CA${randomBytes(16).toString('hex')}`;
}

export function createOutboundDesk(memory: MemoryCallStore, log: ActionLog, onPlaceCall: ((call: SimulatedOutboundCall) => void) | undefined) {
  return {
    async placeCall(input: PlaceCallInput): Promise<PlacedCall> {
      validatePlaceCall(input);
      const callSid = newOutboundSid();
      memory.register(callSid);
      const amd = input.machineDetection;
      log.record({
        operation: 'place_call',
        callSid,
        details: {
          To: input.to,
          From: input.from,
          Url: input.answerUrl,
          StatusCallback: input.statusCallbackUrl,
          StatusCallbackEvent: (input.statusEvents ?? CALL_STATUS_EVENTS).join(' '),
          Timeout: input.timeoutSeconds ?? null,
          MachineDetection: amd?.mode ?? null,
          AsyncAmdStatusCallback: amd?.statusCallbackUrl ?? null,
          Record: input.recordingStatusCallbackUrl !== undefined,
        },
      });
      onPlaceCall?.({ callSid, input, behaviour: outboundBehaviour(input.to) });
      return { callSid };
    },
  };
}
