// Every operation's handler, by operationId. A missing one is a compile error (Handlers is
// a mapped type over the generated `operations`), and a start-up error (routes.ts).
import { createApiKeyHandlers } from './api-keys/handlers.js';
import { createAuctionHandlers } from './auctions/handlers.js';
import { createAuthHandlers } from './auth/handlers.js';
import { createBuyerHandlers } from './buyers/handlers.js';
import { createCallFlowHandlers } from './call-flows/handlers.js';
import { createCallControlHandlers } from './calls/control-handlers.js';
import { createCallHandlers } from './calls/handlers.js';
import { createCallWriteHandlers } from './calls/write-handlers.js';
import { createCampaignHandlers } from './campaigns/handlers.js';
import type { Deps, Handlers } from './handler-types.js';
import { createHealthHandlers } from './health/handlers.js';
import { createNumberPoolHandlers } from './number-pools/handlers.js';
import { createNumberHandlers } from './numbers/handlers.js';
import { createPixelHandlers } from './pixels/handlers.js';
import { createPostmanHandlers } from './postman/handlers.js';
import { createTrackingTagHandlers } from './tracking-tags/handlers.js';
import { createDniHandlers } from './dni/handlers.js';
import { createRedtrackHandlers } from './redtrack/handlers.js';
import { createReportHandlers } from './reports/handlers.js';
import { createRtbAuditHandlers } from './rtb-audit/handlers.js';
import { createRtbRouterHandlers } from './rtb-routers/handlers.js';
import { createRtbTargetHandlers } from './rtb-targets/handlers.js';
import { createSimulatorHandlers } from './simulator/handlers.js';
import { createUserHandlers } from './users/handlers.js';
import { createWebhookHandlers } from './webhooks/handlers.js';

export function createHandlers(deps: Deps): Handlers {
  return {
    ...createAuthHandlers(deps),
    ...createUserHandlers(deps),
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
    ...createPostmanHandlers(),
    ...createSimulatorHandlers(deps),
  };
}
