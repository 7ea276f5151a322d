// server/ai/outbound (issue 20): AI outbound calls, recurring schedules, retries, the CSV import of calls.
// Scaffold: the operations of this area are added to openapi.yaml and implemented here.
import type { Deps, HandlerGroup } from '../../handler-types.js';

export function createAiOutboundHandlers(_deps: Deps): HandlerGroup<never> {
  return {};
}
