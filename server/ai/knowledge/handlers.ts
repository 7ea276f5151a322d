// server/ai/knowledge (issue 20): the knowledge base: upload, documents, search.
// Scaffold: the operations of this area are added to openapi.yaml and implemented here.
import type { Deps, HandlerGroup } from '../../handler-types.js';

export function createKnowledgeBaseHandlers(_deps: Deps): HandlerGroup<never> {
  return {};
}
