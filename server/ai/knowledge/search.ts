// Knowledge-base search: PostgreSQL full-text search over the passages (kb_chunks.tsv), on the
// embedded database too. Shared by the search operation and the runtime's search tool and local
// mode. An agent's search covers its own documents and the organisation's documents that belong
// to no agent. Functions take `db` first.
//
// Cost: ranking reads every candidate's tsvector, so a query matching tens of thousands of
// passages (a word in most of them) would take hundreds of milliseconds. The passages ranked are
// therefore at most SEARCH_CANDIDATES of those that match (taken in the order the index gives
// them); a query matching fewer — nearly every real question — is ranked exactly.
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../../db/types.js';
import { looseQueries, plainLexemes } from './loose-query.js';

export interface KnowledgePassage {
  content: string;
  /** 0–1: ts_rank_cd normalised as rank / (rank + 1) (normalisation 32), so one scale across queries. */
  score: number;
  documentId: string;
  documentTitle: string;
  /** The passage's position in its document (0-based) and, for a PDF, its page (1-based). */
  position: number;
  page: number | null;
}

export interface KnowledgeQuery {
  text: string;
  /** null / undefined: every document of the organisation. */
  agentId?: string | null | undefined;
  limit: number;
}

/** The most matching passages ranked for one query (see the cost note above). */
export const SEARCH_CANDIDATES = 1000;

interface Row {
  id: string;
  content: string;
  document_id: string;
  title: string;
  position: number;
  page: number | null;
  score: number | string;
}

/**
 * The best passages for the query, best first; none when the query has no searchable word. Every
 * word must be in a passage (websearch_to_tsquery's AND); when no passage holds them all — a
 * question asked in a sentence — the query is loosened (loose-query.ts: passages holding two of
 * its words, then one), so a caller's question still finds the passage that answers it. (Loose
 * scores rank those passages among themselves: cover density favours near words, so they are
 * not comparable with a strict match's.)
 */
export async function searchKnowledge(db: Db, orgId: string, query: KnowledgeQuery): Promise<KnowledgePassage[]> {
  const strict = await rankPassages(db, orgId, sql`websearch_to_tsquery('english', ${query.text})`, query);
  if (strict.length > 0) return strict;
  const { rows } = await sql<{ q: string }>`SELECT websearch_to_tsquery('english', ${query.text})::text AS q`.execute(db);
  const lexemes = plainLexemes(rows[0]?.q ?? '');
  if (!lexemes) return [];
  for (const loose of looseQueries(lexemes)) {
    const found = await rankPassages(db, orgId, sql`${loose}::tsquery`, query);
    if (found.length > 0) return found;
  }
  return [];
}

async function rankPassages(db: Db, orgId: string, tsquery: RawBuilder<unknown>, query: KnowledgeQuery): Promise<KnowledgePassage[]> {
  const agentFilter = query.agentId ? sql`AND (c.agent_id = ${query.agentId} OR c.agent_id IS NULL)` : sql``;
  // Passages are written only with their document's `ready` state (worker.ts, one transaction),
  // so candidates need no join; the final join keeps that true even if it were not.
  const { rows } = await sql<Row>`
    WITH q AS (SELECT ${tsquery} AS q),
    candidates AS (
      SELECT c.id, c.tsv
        FROM kb_chunks c CROSS JOIN q
       WHERE c.org_id = ${orgId} AND c.tsv @@ q.q ${agentFilter}
       LIMIT ${SEARCH_CANDIDATES}),
    ranked AS (
      SELECT cand.id, ts_rank_cd(cand.tsv, q.q, 32) AS score
        FROM candidates cand CROSS JOIN q
       ORDER BY score DESC, cand.id
       LIMIT ${query.limit})
    SELECT r.id, c.content, c.document_id, d.title, c.position, c.page, r.score
      FROM ranked r
      JOIN kb_chunks c ON c.id = r.id
      JOIN kb_documents d ON d.id = c.document_id AND d.status = 'ready'
     ORDER BY r.score DESC, r.id`.execute(db);
  return rows.map((r) => ({
    content: r.content,
    score: Math.round(Number(r.score) * 10_000) / 10_000,
    documentId: r.document_id,
    documentTitle: r.title,
    position: r.position,
    page: r.page,
  }));
}
