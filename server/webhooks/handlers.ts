// PLACEHOLDER (being implemented): Twilio webhooks.
import { ERRORS } from '../errors.js';
import type { Deps, HandlerGroup } from '../handler-types.js';

type WebhookOps = 'voiceWebhook' | 'poolVoiceWebhook' | 'callStatusWebhook' | 'callStatusWebhookLegacy' | 'dialStatusWebhook' | 'flowStepWebhook' | 'resumeWebhook';

export function createWebhookHandlers(_deps: Deps): HandlerGroup<WebhookOps> {
  const todo = async (): Promise<never> => {
    throw ERRORS.internal();
  };
  return { voiceWebhook: todo, poolVoiceWebhook: todo, callStatusWebhook: todo, callStatusWebhookLegacy: todo, dialStatusWebhook: todo, flowStepWebhook: todo, resumeWebhook: todo };
}
