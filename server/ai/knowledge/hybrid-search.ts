// The knowledge-base search every caller uses (the search operation, the runtime's search tool,
// the local mode): full-text search (search.ts) alone, or — with semantic search configured
// (AI_EMBEDDINGS_MODEL) — hybrid: the query's vector asked of the embeddings endpoint while
// full-text search runs, then the organisation's nearest passages, merged (hybrid-merge.ts). When
// the endpoint fails the answer is full-text only and says why (`notice`); it is never an error.
import type { Db } from '../../../db/types.js';
import type { Embedder } from './embedder.js';
import { type HybridPassage, mergeHybrid } from './hybrid-merge.js';
import { type KnowledgePassage, type KnowledgeQuery, searchKnowledge } from './search.js';
import { nearestPassages } from './vector-store.js';

export type SearchAnswer =
  | { mode: 'fullText'; passages: KnowledgePassage[]; notice?: string }
  | { mode: 'hybrid'; passages: HybridPassage[] };

/** How many candidates each way is asked for, per passage answered (at least CANDIDATES_MIN). */
const CANDIDATES_PER_RESULT = 4;
const CANDIDATES_MIN = 20;

export interface HybridQuery extends KnowledgeQuery {
  /** What the query's vector is made of, when not `text` (the local mode searches a spoken sentence as `a or b or c`). */
  meaning?: string;
}

export async function findPassages(db: Db, orgId: string, query: HybridQuery, embedder: Embedder | null): Promise<SearchAnswer> {
  if (!embedder) return { mode: 'fullText', passages: await searchKnowledge(db, orgId, query) };
  const pool = Math.max(query.limit * CANDIDATES_PER_RESULT, CANDIDATES_MIN);
  const [text, embedded] = await Promise.all([
    searchKnowledge(db, orgId, { ...query, limit: pool }),
    embedder.embed([query.meaning ?? query.text]).then(
      (vectors) => ({ ok: true as const, vector: vectors[0]! }),
      (err: unknown) => ({ ok: false as const, reason: err instanceof Error ? err.message : String(err) }),
    ),
  ]);
  if (!embedded.ok) return { mode: 'fullText', passages: text.slice(0, query.limit), notice: `Full-text results only: ${embedded.reason}` };
  const near = await nearestPassages(db, orgId, embedder.model, embedded.vector, query.agentId, pool);
  return { mode: 'hybrid', passages: mergeHybrid(text, near, query.limit) };
}
