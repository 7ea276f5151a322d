// Every operation's handler, by operationId. A missing one is a compile error (Handlers is
// a mapped type over the generated `operations`), and a start-up error (routes.ts).
import { createApiKeyHandlers } from './accounts/api-keys/handlers.js';
import { createAuctionHandlers } from './rtb/auctions/handlers.js';
import { createAuthHandlers } from './accounts/auth/handlers.js';
import { createBuyerHandlers } from './inbound/buyers/handlers.js';
import { createCallFlowHandlers } from './inbound/call-flows/handlers.js';
import { createCallControlHandlers } from './inbound/calls/control-handlers.js';
import { createCallHandlers } from './inbound/calls/handlers.js';
import { createCallWriteHandlers } from './inbound/calls/write-handlers.js';
import { createCampaignHandlers } from './inbound/campaigns/handlers.js';
import type { Deps, Handlers } from './handler-types.js';
import { createHealthHandlers } from './platform/health/handlers.js';
import { createNumberPoolHandlers } from './inbound/number-pools/handlers.js';
import { createNumberHandlers } from './inbound/numbers/handlers.js';
import { createPixelHandlers } from './attribution/pixels/handlers.js';
import { createPostmanHandlers } from './platform/postman/handlers.js';
import { createTrackingTagHandlers } from './attribution/tracking-tags/handlers.js';
import { createDniHandlers } from './attribution/dni/handlers.js';
import { createRedtrackHandlers } from './attribution/redtrack/handlers.js';
import { createReportHandlers } from './reports/handlers.js';
import { createAnalyticsHandlers } from './reports/analytics/handlers.js';
import { createGenerateReportHandlers } from './reports/generate/handlers.js';
import { createRtbAuditHandlers } from './rtb/audit/handlers.js';
import { createRtbRouterHandlers } from './rtb/routers/handlers.js';
import { createRtbTargetHandlers } from './rtb/targets/handlers.js';
import { createSimulatorHandlers } from './simulator/handlers.js';
import { createUserHandlers } from './accounts/users/handlers.js';
import { createOrganizationHandlers } from './accounts/organization/handlers.js';
import { createWebhookHandlers } from './inbound/webhooks/handlers.js';
import { createAudioHandlers } from './crm/audio/handlers.js';
import { createLeadHandlers } from './crm/leads/handlers.js';
import { createDncHandlers } from './crm/dnc/handlers.js';
import { createImportHandlers } from './crm/imports/handlers.js';
import { createCallLogHandlers } from './crm/call-logs/handlers.js';
import { createFollowUpHandlers } from './crm/follow-ups/handlers.js';
import { createActivityHandlers } from './crm/activity/handlers.js';
import { createAgentHandlers } from './dialer/agents/handlers.js';
import { createOutboundWebhookHandlers } from './dialer/webhooks/handlers.js';
import { createPreviewHandlers } from './dialer/preview/handlers.js';
import { createLiveHandlers } from './live/handlers.js';
import { createAgentGroupHandlers } from './dialer/agents/group-handlers.js';
import { createWebhookEndpointHandlers } from './integrations/webhooks/handlers.js';
import { createAiAgentHandlers } from './ai/agents/handlers.js';
import { createKnowledgeBaseHandlers } from './ai/knowledge/handlers.js';
import { createAiRuntimeHandlers } from './ai/runtime/handlers.js';
import { createAiOutboundHandlers } from './ai/outbound/handlers.js';
import { createAiAnalyticsHandlers } from './ai/analytics/handlers.js';

export function createHandlers(deps: Deps): Handlers {
  return {
    ...createAuthHandlers(deps),
    ...createUserHandlers(deps),
    ...createOrganizationHandlers(deps),
    ...createApiKeyHandlers(deps),
    ...createCampaignHandlers(deps),
    ...createBuyerHandlers(deps),
    ...createHealthHandlers(deps),
    ...createRtbTargetHandlers(deps),
    ...createRtbRouterHandlers(deps),
    ...createRtbAuditHandlers(deps),
    ...createAuctionHandlers(deps),
    ...createNumberHandlers(deps),
    ...createNumberPoolHandlers(deps),
    ...createCallFlowHandlers(deps),
    ...createCallHandlers(deps),
    ...createCallWriteHandlers(deps),
    ...createCallControlHandlers(deps),
    ...createWebhookHandlers(deps),
    ...createPixelHandlers(deps),
    ...createTrackingTagHandlers(deps),
    ...createDniHandlers(deps),
    ...createRedtrackHandlers(deps),
    ...createReportHandlers(deps),
    ...createAnalyticsHandlers(deps),
    ...createGenerateReportHandlers(deps),
    ...createPostmanHandlers(),
    ...createSimulatorHandlers(deps),
    ...createAudioHandlers(deps),
    ...createLeadHandlers(deps),
    ...createDncHandlers(deps),
    ...createImportHandlers(deps),
    ...createCallLogHandlers(deps),
    ...createFollowUpHandlers(deps),
    ...createActivityHandlers(deps),
    ...createAgentHandlers(deps),
    ...createOutboundWebhookHandlers(deps),
    ...createPreviewHandlers(deps),
    ...createLiveHandlers(deps),
    ...createAgentGroupHandlers(deps),
    ...createWebhookEndpointHandlers(deps),
    ...createAiAgentHandlers(deps),
    ...createKnowledgeBaseHandlers(deps),
    ...createAiRuntimeHandlers(deps),
    ...createAiOutboundHandlers(deps),
    ...createAiAnalyticsHandlers(deps),
  };
}
