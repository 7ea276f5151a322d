// The TwiML that call control sends with a call update (pure; only twilio.twiml.VoiceResponse,
// which escapes text and attributes). Shared by the Twilio adapter (sent to Twilio) and the
// simulator (recorded, so the demo shows exactly what Twilio would have been told).
import twilio from 'twilio';
import type VoiceResponseTypes from 'twilio/lib/twiml/VoiceResponse.js';
import { DEFAULT_HOLD_MUSIC_URL, type HoldOptions, type TransferOptions } from './types.js';

const { VoiceResponse } = twilio.twiml;

/** <Response><Dial …><Number>to</Number></Dial></Response> */
export function transferTwiml(to: string, options: TransferOptions = {}): string {
  const response = new VoiceResponse();
  const attributes: VoiceResponseTypes.DialAttributes = {};
  if (options.actionUrl !== undefined) {
    attributes.action = options.actionUrl;
    attributes.method = 'POST';
  }
  if (options.callerId !== undefined) attributes.callerId = options.callerId;
  if (options.timeoutSeconds !== undefined) attributes.timeout = options.timeoutSeconds;
  response.dial(attributes).number(to);
  return response.toString();
}

/** <Response><Play loop="0">hold audio</Play></Response> — loops until the call is redirected again. */
export function holdTwiml(options: HoldOptions = {}): string {
  const response = new VoiceResponse();
  response.play({ loop: 0 }, options.holdMusicUrl ?? DEFAULT_HOLD_MUSIC_URL);
  return response.toString();
}

/** <Response><Hangup/></Response> */
export function hangupTwiml(): string {
  const response = new VoiceResponse();
  response.hangup();
  return response.toString();
}
