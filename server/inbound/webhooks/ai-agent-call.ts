// A call to a number answered by an AI agent (DESIGN.md 9.4): recorded once per CallSid like any
// inbound call (organisation, number, from / to), with the agent and the version it runs, and
// answered with ConversationRelay on our WebSocket (server/ai/runtime/answer.ts). The agent's
// current version comes from the route cache with the number (no query of its own per call). An
// agent switched off — or archived since the cache was filled — gets a polite message and a
// hang-up, and the call is still recorded.
import type { Answer, InboundCallInput } from '../calls/queries/index.js';
import { answerOnce } from '../calls/service.js';
import { aiAnswerTwiml } from '../../ai/runtime/answer.js';
import type { RouteConfig } from './route-cache.js';
import type { RouteDeps } from './route-call.js';
import { publishInboundStarted } from './live-events.js';
import { aiAgentUnavailableTwiml, retryLaterTwiml } from './twiml.js';

export async function answerAgentCall(deps: RouteDeps, config: RouteConfig, input: InboundCallInput & { orgId: string }): Promise<string> {
  const version = config.aiAgent;
  const active = version !== undefined && version.settings.isActive;
  const recorded: InboundCallInput = {
    ...input,
    // No campaign, pool routing or flow: the agent takes the call.
    campaignId: null,
    flowId: null,
    aiAgentId: version?.agentId ?? null,
    aiAgentVersion: version?.version ?? null,
  };
  const result = await answerOnce(deps.db, recorded, async (call): Promise<Answer> => {
    if (!active) {
      return { twiml: aiAgentUnavailableTwiml(), routingMethod: 'none', routingPlan: { reason: version ? 'ai_agent_inactive' : 'ai_agent_unavailable' } };
    }
    return {
      twiml: aiAnswerTwiml({ publicBaseUrl: deps.urls.base, version, callId: call.id }),
      routingMethod: 'none',
      routingPlan: { aiAgent: { id: version.agentId, version: version.version } },
    };
  });
  if (result.created) publishInboundStarted(deps.db, { id: result.call.id, orgId: input.orgId, campaignId: null, from: result.call.from_number });
  return result.twiml ?? retryLaterTwiml(deps.urls.voice());
}
