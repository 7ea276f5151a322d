// The TwiML that hands a call to an AI agent (pure), for an inbound call to an agent's number
// (agents/) and for an AI outbound call when it is answered (outbound/): ConversationRelay on our
// WebSocket, the agent's first message, language and voice, and who the session is for in its
// custom parameters (given back in the `setup` message). When the session ends (an `end` with
// handoffData for a transfer, or the caller hanging up) Twilio posts to the action URL, whose
// TwiML continues the call (runtime/).
import { conversationRelayTwiml } from '../../telephony/twiml.js';
import type { AgentVersion } from '../agents/settings.js';

export const RELAY_PATH = '/api/ai/relay';
export const RELAY_END_PATH = '/api/webhooks/ai/relay-end';

/** wss:// for an https public URL, ws:// for http (development). */
export function relayUrl(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/^http/, 'ws')}${RELAY_PATH}`;
}

export interface AiAnswer {
  publicBaseUrl: string;
  version: AgentVersion;
  /** Our calls.id. */
  callId: number;
  /** The ai_outbound_calls row when the agent placed the call. */
  outboundCallId?: string | undefined;
}

export function aiAnswerTwiml(answer: AiAnswer): string {
  const { settings } = answer.version;
  const parameters: Record<string, string> = {
    agentId: answer.version.agentId,
    agentVersion: String(answer.version.version),
    callId: String(answer.callId),
  };
  if (answer.outboundCallId !== undefined) parameters.outboundCallId = answer.outboundCallId;
  return conversationRelayTwiml({
    url: relayUrl(answer.publicBaseUrl),
    welcomeGreeting: settings.firstMessage,
    language: settings.language,
    voice: settings.voice,
    actionUrl: `${answer.publicBaseUrl}${RELAY_END_PATH}?callId=${answer.callId}`,
    parameters,
  });
}
