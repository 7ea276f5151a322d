// server/ai/agents (issue 20): AI agents, their versions and retry configuration, numbers answered by an agent, the Exotel webhook.
// Scaffold: the operations of this area are added to openapi.yaml and implemented here.
import type { Deps, HandlerGroup } from '../../handler-types.js';

export function createAiAgentHandlers(_deps: Deps): HandlerGroup<never> {
  return {};
}
