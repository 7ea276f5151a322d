// server/ai/runtime (issue 20): talking to an agent by text (the test endpoint) and conversations' transcripts.
// Scaffold: the operations of this area are added to openapi.yaml and implemented here.
import type { Deps, HandlerGroup } from '../../handler-types.js';

export function createAiRuntimeHandlers(_deps: Deps): HandlerGroup<never> {
  return {};
}
