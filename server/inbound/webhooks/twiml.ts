// The call path's own TwiML (pure), only through twilio.twiml.VoiceResponse (it escapes text and
// attributes). Flow nodes render their TwiML in server/inbound/flows/node-twiml.ts.
import twilio from 'twilio';
import type { CampaignRow } from '../../../db/types.js';
import { BoundedMemo } from '../../platform/common/bounded-memo.js';
import type { WebhookUrls } from './urls.js';

const { VoiceResponse } = twilio.twiml;

export const UNKNOWN_NUMBER_MESSAGE = 'Sorry, the number you have dialled is not in service. Goodbye.';
export const DEFAULT_FALLBACK_MESSAGE = 'Sorry, nobody is available to take your call right now. Please try again later.';
export const AI_AGENT_UNAVAILABLE_MESSAGE = 'Sorry, the assistant for this number is not available right now. Please try again later. Goodbye.';
export const VOICEMAIL_PROMPT = 'Please leave a message after the tone.';
export const VOICEMAIL_MAX_SECONDS = 120;

export function unknownNumberTwiml(): string {
  const response = new VoiceResponse();
  response.say(UNKNOWN_NUMBER_MESSAGE);
  response.hangup();
  return response.toString();
}

/** A number whose AI agent is switched off (or gone): a polite message, then hang up. */
export function aiAgentUnavailableTwiml(): string {
  const response = new VoiceResponse();
  response.say(AI_AGENT_UNAVAILABLE_MESSAGE);
  response.hangup();
  return response.toString();
}

// Every routed call needs a <Dial> per candidate and its campaign's fallback: the same few strings
// each time, and building one through VoiceResponse costs about 30 µs. Answers are remembered.
const dials = new BoundedMemo<string, string>(2000);
const fallbacks = new BoundedMemo<string, string>(500);

/** <Dial action=… timeout=…><Number>destination</Number></Dial> (or <Sip> for a SIP URI). */
export function dialTwiml(destination: string, actionUrl: string, timeoutSec: number): string {
  return dials.get(JSON.stringify([destination, actionUrl, timeoutSec]), () => buildDialTwiml(destination, actionUrl, timeoutSec));
}

function buildDialTwiml(destination: string, actionUrl: string, timeoutSec: number): string {
  const response = new VoiceResponse();
  const dial = response.dial({ action: actionUrl, method: 'POST', timeout: timeoutSec });
  if (destination.toLowerCase().startsWith('sip:')) dial.sip(destination);
  else dial.number(destination);
  return response.toString();
}

/**
 * The campaign's fallback when nobody takes the call: a message, a voicemail (its recording is
 * posted to the voicemail webhook, which hangs up), or a hang-up. With `fallback_audio_id` the
 * uploaded audio is played (through its signed URL) in place of the spoken message; that answer
 * names an expiring URL, so it is built afresh each time.
 */
export function fallbackTwiml(
  campaign: Pick<CampaignRow, 'fallback_action' | 'fallback_message' | 'fallback_audio_id'> | undefined,
  urls: Pick<WebhookUrls, 'voicemail' | 'audio'>,
): string {
  if (campaign?.fallback_audio_id) return buildFallbackTwiml(campaign, urls);
  const key = JSON.stringify([campaign?.fallback_action ?? null, campaign?.fallback_message ?? null, urls.voicemail()]);
  return fallbacks.get(key, () => buildFallbackTwiml(campaign, urls));
}

function buildFallbackTwiml(
  campaign: Pick<CampaignRow, 'fallback_action' | 'fallback_message' | 'fallback_audio_id'> | undefined,
  urls: Pick<WebhookUrls, 'voicemail' | 'audio'>,
): string {
  const response = new VoiceResponse();
  const action = campaign?.fallback_action ?? 'message';
  if (campaign?.fallback_audio_id) response.play(urls.audio(campaign.fallback_audio_id));
  else if (action !== 'hangup' || campaign?.fallback_message) response.say(campaign?.fallback_message ?? DEFAULT_FALLBACK_MESSAGE);
  if (action === 'voicemail') {
    response.say(VOICEMAIL_PROMPT);
    response.record({ action: urls.voicemail(), method: 'POST', maxLength: VOICEMAIL_MAX_SECONDS, playBeep: true });
  }
  response.hangup();
  return response.toString();
}

/** Continue the call flow at another node (a Route node's `next` when nobody took the call). */
export function redirectTwiml(url: string): string {
  const response = new VoiceResponse();
  response.redirect({ method: 'POST' }, url);
  return response.toString();
}

export { hangupTwiml } from '../../telephony/twiml.js';

/**
 * For a retry that arrived while the first delivery is still routing the call: wait a moment and
 * ask again (the second ask gets the stored answer). Never routes the call a second time.
 */
export function retryLaterTwiml(voiceUrl: string): string {
  const response = new VoiceResponse();
  response.pause({ length: 1 });
  response.redirect({ method: 'POST' }, voiceUrl);
  return response.toString();
}
