// How a hybrid search ranks (pure): the passages full-text search found and those nearest the
// query's vector, merged by passage. A passage's score is the mean of its two scores, 0–1 — its
// full-text score (search.ts; 0 when full-text search did not find it) and its cosine similarity
// to the query (below 0 counted as 0; 0 when it was not among the nearest) — so a passage found
// both ways ranks above one found by either way alone with the same score. Ties: by passage row.
import type { KnowledgePassage } from './search.js';
import type { NearPassage } from './vector-store.js';

export interface HybridPassage extends KnowledgePassage {
  textScore: number;
  semanticScore: number;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

export function mergeHybrid(text: readonly KnowledgePassage[], near: readonly NearPassage[], limit: number): HybridPassage[] {
  const merged = new Map<string, HybridPassage>();
  for (const p of text) merged.set(p.id, { ...p, textScore: p.score, semanticScore: 0 });
  for (const n of near) {
    const semanticScore = round4(Math.min(1, Math.max(0, n.similarity)));
    const known = merged.get(n.id);
    if (known) known.semanticScore = semanticScore;
    else merged.set(n.id, { id: n.id, content: n.content, documentId: n.document_id, documentTitle: n.title, position: n.position, page: n.page, score: 0, textScore: 0, semanticScore });
  }
  const ranked = [...merged.values()].map((p) => ({ ...p, score: round4((p.textScore + p.semanticScore) / 2) }));
  ranked.sort((a, b) => b.score - a.score || compareIds(a.id, b.id));
  return ranked.slice(0, limit);
}

/** Row ids are bigints as text: shorter is smaller. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
