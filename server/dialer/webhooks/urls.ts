// The outbound webhooks' URLs (what placeCall and our TwiML give Twilio). Each names our call
// record (`callId`), so a webhook finds its call even before the carrier's CallSid is stored.
export interface OutboundUrls {
  answer(callId: number, query?: Record<string, string | number>): string;
  status(callId: number): string;
  amd(callId: number): string;
  agentAnswer(callId: number, agentId: string): string;
  agentStatus(callId: number, agentId: string): string;
  conferenceStatus(callId: number): string;
  recording(callId: number): string;
}

export function outboundUrls(publicBaseUrl: string): OutboundUrls {
  const base = `${publicBaseUrl.replace(/\/+$/, '')}/api/webhooks/outbound`;
  const at = (path: string, query: Record<string, string | number>) => `${base}/${path}?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
  return {
    answer: (callId, query = {}) => at('answer', { callId, ...query }),
    status: (callId) => at('status', { callId }),
    amd: (callId) => at('amd', { callId }),
    agentAnswer: (callId, agentId) => at('agent-answer', { callId, agentId }),
    agentStatus: (callId, agentId) => at('agent-status', { callId, agentId }),
    conferenceStatus: (callId) => at('conference-status', { callId }),
    recording: (callId) => at('recording', { callId }),
  };
}
