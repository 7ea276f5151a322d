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

export interface ConversationRelayOptions {
  /** Our WebSocket (wss:// in production): Twilio connects to it and sends the caller's words. */
  url: string;
  /** Said as soon as the call connects (the agent's first message). */
  welcomeGreeting?: string | null;
  /** BCP 47, for both speech recognition and speech. */
  language?: string | null;
  voice?: string | null;
  /** Where Twilio posts when the session ends (`end` with handoffData, or a hang-up); its TwiML continues the call. */
  actionUrl?: string;
  /** Custom parameters, given back in the session's `setup` message. */
  parameters?: Readonly<Record<string, string>>;
}

/**
 * <Response><Connect action><ConversationRelay url welcomeGreeting language voice dtmfDetection
 * interruptible="any"><Parameter …/></ConversationRelay></Connect></Response>: Twilio turns the
 * caller's speech into `prompt` messages on our WebSocket and speaks the `text` tokens we send.
 */
export function conversationRelayTwiml(options: ConversationRelayOptions): string {
  const response = new VoiceResponse();
  const connect = response.connect(options.actionUrl === undefined ? {} : { action: options.actionUrl, method: 'POST' });
  const attributes: VoiceResponseTypes.ConversationRelayAttributes = { url: options.url, dtmfDetection: true, interruptible: 'any' };
  if (options.welcomeGreeting) attributes.welcomeGreeting = options.welcomeGreeting;
  if (options.language) attributes.language = options.language;
  if (options.voice) attributes.voice = options.voice;
  const relay = connect.conversationRelay(attributes);
  for (const [name, value] of Object.entries(options.parameters ?? {})) relay.parameter({ name, value });
  return response.toString();
}
