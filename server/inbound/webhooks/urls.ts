// The absolute URLs of our own webhooks as Twilio must call them (PUBLIC_BASE_URL + path + query),
// so that the signature Twilio computes matches what the signature check rebuilds.
import type { AudioUrl } from '../flows/node-twiml.js';
import type { RouteMode } from './candidates.js';

export interface DialAction {
  attempt: number;
  route: RouteMode;
  flowId?: number | undefined;
  /** The flow node to continue at when nobody takes the call. */
  next?: string | undefined;
}

export interface WebhookUrls {
  /** PUBLIC_BASE_URL without a trailing slash (what an AI agent's ConversationRelay URLs are built on). */
  base: string;
  voice(): string;
  voicemail(): string;
  /** Twilio's recording status callback of a recording started by call control. */
  recordingStatus(): string;
  dialStatus(action: DialAction): string;
  flowStep(flowId: number, node: string, extra?: Record<string, string>): string;
  /** Where Twilio fetches an uploaded audio (a signed, expiring URL: server/crm/audio/signed-url.ts). */
  audio: AudioUrl;
}

export function webhookUrls(publicBaseUrl: string, audio: AudioUrl): WebhookUrls {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return {
    base,
    audio,
    voice: () => `${base}/api/webhooks/voice`,
    voicemail: () => `${base}/api/webhooks/voicemail`,
    recordingStatus: () => `${base}/api/webhooks/recording-status`,
    dialStatus(action) {
      const query = new URLSearchParams({ attempt: String(action.attempt), route: action.route });
      if (action.flowId !== undefined) query.set('flowId', String(action.flowId));
      if (action.next !== undefined) query.set('next', action.next);
      return `${base}/api/webhooks/dial-status?${query.toString()}`;
    },
    flowStep(flowId, node, extra = {}) {
      const query = new URLSearchParams({ flowId: String(flowId), node, ...extra });
      return `${base}/api/webhooks/flow-step?${query.toString()}`;
    },
  };
}
