// server/ai/analytics (issue 20): seed 004's call, agent and cost analytics and system stats.
// Scaffold: the operations of this area are added to openapi.yaml and implemented here.
import type { Deps, HandlerGroup } from '../../handler-types.js';

export function createAiAnalyticsHandlers(_deps: Deps): HandlerGroup<never> {
  return {};
}
