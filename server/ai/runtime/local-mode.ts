// The labelled local mode (no AI_BASE_URL): the agent answers from the knowledge base alone — the
// best passage for the caller's words — and says that it does. The first answer of a conversation
// starts with LOCAL_MODE_LABEL.
import type { Db } from '../../../db/types.js';
import type { Embedder } from '../knowledge/embedder.js';
import { findPassages } from '../knowledge/hybrid-search.js';
import type { KnowledgePassage } from '../knowledge/search.js';

export const LOCAL_MODE_LABEL = 'Local mode, answering from the knowledge base only.';
export const LOCAL_NO_ANSWER = 'I can only answer from the knowledge base, and I found nothing about that. Could you ask it another way?';
/** The longest passage read out (a passage is cut at a sentence end before it). */
const MAX_SPOKEN = 500;

function clipPassage(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= MAX_SPOKEN) return flat;
  const cut = flat.slice(0, MAX_SPOKEN);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('? '), cut.lastIndexOf('! '));
  return end > 100 ? cut.slice(0, end + 1) : `${cut.trimEnd()}…`;
}

/** The answer to `passages` (best first), labelled when `label`. Pure. */
export function localAnswer(passages: readonly KnowledgePassage[], label: boolean): string {
  const best = passages[0];
  const body = best ? `From "${best.documentTitle}": ${clipPassage(best.content)}` : LOCAL_NO_ANSWER;
  return label ? `${LOCAL_MODE_LABEL} ${body}` : body;
}

/**
 * A spoken sentence as a search that any of its words may match (websearch syntax, `a or b or c`):
 * the full-text search itself wants every word, which a whole question rarely finds. Ranking then
 * puts the passage sharing most words first. Pure.
 */
export function anyWordQuery(words: string): string {
  const terms = (words.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? []).filter((w) => w !== 'or');
  return [...new Set(terms)].slice(0, 40).join(' or ');
}

export async function answerLocally(db: Db, embedder: Embedder | null, orgId: string, agentId: string, words: string, label: boolean): Promise<string> {
  const spoken = words.slice(0, 1000);
  const query = anyWordQuery(spoken);
  const passages = query ? (await findPassages(db, orgId, { text: query, meaning: spoken, agentId, limit: 1 }, embedder)).passages : [];
  return localAnswer(passages, label);
}
