// TwiML for one flow node (pure), built only with twilio.twiml.VoiceResponse, which escapes all
// text and attributes. Every URL that continues the flow comes from `actionUrl`, so the next
// webhook knows which node to run.
import twilio from 'twilio';
import type VoiceResponseTypes from 'twilio/lib/twiml/VoiceResponse.js';
import { noMatch } from './menu.js';
import {
  FLOW_DEFAULTS,
  type HangupConfig,
  type MenuConfig,
  type PlayConfig,
  type SayConfig,
  type Speech,
  type VoicemailConfig,
} from './types.js';

const { VoiceResponse } = twilio.twiml;
type VoiceTwiml = InstanceType<typeof VoiceResponse>;

export type ActionUrl = (nextNodeId: string, extra?: Record<string, string>) => string;
/** The URL Twilio fetches an uploaded audio from (signed, expiring: server/crm/audio/signed-url.ts). */
export type AudioUrl = (audioId: string) => string;

/** Said before hanging up when the flow cannot continue (unknown node, broken graph). */
export const FLOW_ERROR_MESSAGE = 'Sorry, this call cannot be completed.';

function speech(settings: Speech): VoiceResponseTypes.SayAttributes {
  const attributes: VoiceResponseTypes.SayAttributes = {};
  // Validated as voice names / language tags; Twilio answers an error for one it does not know.
  if (settings.voice !== undefined) attributes.voice = settings.voice as VoiceResponseTypes.SayAttributes['voice'];
  if (settings.language !== undefined) {
    attributes.language = settings.language as VoiceResponseTypes.SayAttributes['language'];
  }
  return attributes;
}

function say(target: VoiceTwiml | VoiceResponseTypes.Gather, settings: Speech, message: string | undefined): void {
  if (message !== undefined) target.say(speech(settings), message);
}

/** Continue at `next`, or end the call when there is no next node. */
function continueAt(response: VoiceTwiml, next: string | undefined, actionUrl: ActionUrl): string {
  if (next === undefined) response.hangup();
  else response.redirect(actionUrl(next));
  return response.toString();
}

export function sayTwiml(config: SayConfig, actionUrl: ActionUrl): string {
  const response = new VoiceResponse();
  say(response, config, config.message);
  return continueAt(response, config.next, actionUrl);
}

export function playTwiml(config: PlayConfig, actionUrl: ActionUrl, audioUrl: AudioUrl): string {
  const response = new VoiceResponse();
  const url = config.audioId !== undefined ? audioUrl(config.audioId) : (config.url ?? '');
  response.play(config.loop === undefined ? {} : { loop: config.loop }, url);
  return continueAt(response, config.next, actionUrl);
}

/**
 * <Gather> posts the caller's keys to the menu itself (gather=1, with the play number); with no
 * input Twilio falls through to what follows the Gather: the next play, the invalid node, or
 * <Hangup/>.
 */
export function menuTwiml(nodeId: string, config: MenuConfig, attempt: number, actionUrl: ActionUrl): string {
  const response = new VoiceResponse();
  const gather = response.gather({
    action: actionUrl(nodeId, { gather: '1', attempt: String(attempt) }),
    numDigits: config.numDigits ?? FLOW_DEFAULTS.numDigits,
    timeout: config.timeoutSeconds ?? FLOW_DEFAULTS.timeoutSeconds,
    // '#' normally submits the entry; a menu with a '#' option needs it as a key.
    ...(config.options.some((option) => option.digit.includes('#')) ? { finishOnKey: '' } : {}),
  });
  say(gather, config, config.message);
  const next = noMatch(config, attempt);
  if (next.kind === 'repeat') response.redirect(actionUrl(nodeId, { attempt: String(next.attempt) }));
  else if (next.kind === 'invalid') response.redirect(actionUrl(next.nodeId));
  else response.hangup();
  return response.toString();
}

/** <Record> posts the recording to the node itself (recorded=1); an empty recording hangs up. */
export function voicemailTwiml(nodeId: string, config: VoicemailConfig, actionUrl: ActionUrl): string {
  const response = new VoiceResponse();
  say(response, config, config.message);
  response.record({
    action: actionUrl(nodeId, { recorded: '1' }),
    maxLength: config.maxLengthSeconds ?? FLOW_DEFAULTS.maxLengthSeconds,
    ...(config.transcribe === true ? { transcribe: true } : {}),
  });
  response.hangup();
  return response.toString();
}

export function hangupTwiml(config: HangupConfig): string {
  const response = new VoiceResponse();
  say(response, config, config.message);
  response.hangup();
  return response.toString();
}
