// The URLs an AI outbound call gives the carrier: our answer and status webhooks, each naming the
// attempt (`outboundCallId`), so a webhook finds its call even before its CallSid is stored.
export const AI_OUTBOUND_WEBHOOKS = '/api/webhooks/ai/outbound';

export interface AiOutboundUrls {
  answer(outboundCallId: string): string;
  status(outboundCallId: string): string;
}

export function aiOutboundUrls(publicBaseUrl: string): AiOutboundUrls {
  const base = `${publicBaseUrl.replace(/\/+$/, '')}${AI_OUTBOUND_WEBHOOKS}`;
  return {
    answer: (id) => `${base}/answer?outboundCallId=${encodeURIComponent(id)}`,
    status: (id) => `${base}/status?outboundCallId=${encodeURIComponent(id)}`,
  };
}
