// The dialer's TwiML (pure), through twilio.twiml.VoiceResponse (it escapes text and attributes).
import twilio from 'twilio';
import type { VoicemailDrop } from '../../../db/types.js';

const { VoiceResponse } = twilio.twiml;

/** What a person hears when no agent took the call within the time allowed (then the call ends). */
export const ABANDON_MESSAGE = 'Sorry, all of our agents are busy right now. We will call you back. Goodbye.';

/** Wait a second, then ask the answer webhook again (AMD result or a free agent still to come). */
export function waitTwiml(nextUrl: string): string {
  const response = new VoiceResponse();
  response.pause({ length: 1 });
  response.redirect({ method: 'POST' }, nextUrl);
  return response.toString();
}

export function abandonTwiml(): string {
  const response = new VoiceResponse();
  response.say(ABANDON_MESSAGE);
  response.hangup();
  return response.toString();
}

/** The lead (or the agent) in the call's conference; the conference ends when the agent leaves. */
export function conferenceTwiml(name: string, options: { whisper?: string; endOnExit: boolean; statusUrl: string }): string {
  const response = new VoiceResponse();
  if (options.whisper) response.say(options.whisper);
  const dial = response.dial();
  dial.conference(
    {
      endConferenceOnExit: options.endOnExit,
      startConferenceOnEnter: true,
      beep: 'false',
      statusCallback: options.statusUrl,
      statusCallbackMethod: 'POST',
      statusCallbackEvent: ['join', 'leave'],
    },
    name,
  );
  return response.toString();
}

/**
 * After the machine's beep (AMD DetectMessageEnd): the campaign's voicemail, then hang up. No drop
 * configured: hang up at once.
 */
export function voicemailTwiml(drop: VoicemailDrop | null, audioUrl: (id: string) => string): string {
  const response = new VoiceResponse();
  if (drop && 'audioId' in drop) response.play(audioUrl(drop.audioId));
  else if (drop && 'url' in drop) response.play(drop.url);
  else if (drop && 'text' in drop) response.say(drop.text);
  response.hangup();
  return response.toString();
}

export function conferenceName(callId: number): string {
  return `cc-outbound-${callId}`;
}
