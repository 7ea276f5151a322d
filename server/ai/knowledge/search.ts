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
  /** The passage's row (kb_chunks.id): how a hybrid search knows a passage found both ways. Not shown by the API. */
  id: string;
  content: string;
  /** 0–1: ts_rank_cd (ts_rank for a loosened query) normalised as rank / (rank + 1) (normalisation 32). */
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

/** A passage as the searches read it (full-text here, nearest by vector in vector-store.ts). */
export interface PassageRow {
  id: string;
  content: string;
  document_id: string;
  title: string;
  position: number;
  page: number | null;
}

interface Row extends PassageRow {
  score: number | string;
}

/**
 * The best passages for the query, best first; none when the query has no searchable word (only
 * stop words, or only words it excludes). Every
 * word must be in a passage (websearch_to_tsquery's AND); when no passage holds them all — a
 * question asked in a sentence — the query is loosened (loose-query.ts: passages holding two of
 * its words, then one), so a caller's question still finds the passage that answers it. (Loose
 * scores rank those passages among themselves: cover density favours near words, so they are
 * not comparable with a strict match's.)
 */
export async function searchKnowledge(db: Db, orgId: string, query: KnowledgeQuery): Promise<KnowledgePassage[]> {
  const strictQuery = sql`websearch_to_tsquery('english', ${query.text})`;
  const strict = await rankPassages(db, orgId, { match: strictQuery, rank: strictQuery, coverDensity: true }, query);
  if (strict.length > 0) return strict;
  const { rows } = await sql<{ q: string }>`SELECT websearch_to_tsquery('english', ${query.text})::text AS q`.execute(db);
  // Without a quote the query's phrases are compounds PostgreSQL made of joined words (e-mail).
  const lexemes = plainLexemes(rows[0]?.q ?? '', !query.text.includes('"'));
  if (!lexemes) return [];
  const queries = looseQueries(lexemes);
  // Ranked by how often the words occur (ts_rank over any of them): cheaper than cover density
  // over a query of many pairs, and what a loose match is about.
  const anyWord = sql`${queries[queries.length - 1]!}::tsquery`;
  for (const loose of queries) {
    const found = await rankPassages(db, orgId, { match: sql`${loose}::tsquery`, rank: anyWord, coverDensity: false }, query);
    if (found.length > 0) return found;
  }
  return [];
}

interface Ranking {
  /** The passages that match. */
  match: RawBuilder<unknown>;
  /** What they are ranked against, by cover density (ts_rank_cd) or by frequency (ts_rank). */
  rank: RawBuilder<unknown>;
  coverDensity: boolean;
}

async function rankPassages(db: Db, orgId: string, ranking: Ranking, query: KnowledgeQuery): Promise<KnowledgePassage[]> {
  const rank = ranking.coverDensity ? sql`ts_rank_cd(cand.tsv, q.r, 32)` : sql`ts_rank(cand.tsv, q.r, 32)`;
  const agentFilter = query.agentId ? sql`AND (c.agent_id = ${query.agentId} OR c.agent_id IS NULL)` : sql``;
  // Passages are written only with their document's `ready` state (worker.ts, one transaction),
  // so candidates need no join; the final join keeps that true even if it were not.
  const { rows } = await sql<Row>`
    WITH q AS (SELECT ${ranking.match} AS q, ${ranking.rank} AS r),
    candidates AS (
      SELECT c.id, c.tsv
        FROM kb_chunks c CROSS JOIN q
       WHERE c.org_id = ${orgId} AND c.tsv @@ q.q ${agentFilter}
         -- A query of exclusions only ('-zebra': querytree 'T') has no word to look for: it would match every passage.
         AND querytree(q.q) <> 'T'
       LIMIT ${SEARCH_CANDIDATES}),
    ranked AS (
      SELECT cand.id, ${rank} AS score
        FROM candidates cand CROSS JOIN q
       ORDER BY score DESC, cand.id
       LIMIT ${query.limit})
    SELECT r.id, c.content, c.document_id, d.title, c.position, c.page, r.score
      FROM ranked r
      JOIN kb_chunks c ON c.id = r.id
      JOIN kb_documents d ON d.id = c.document_id AND d.status = 'ready'
     ORDER BY r.score DESC, r.id`.execute(db);
  return rows.map((r) => ({
    id: String(r.id),
    content: r.content,
    score: Math.round(Number(r.score) * 10_000) / 10_000,
    documentId: r.document_id,
    documentTitle: r.title,
    position: r.position,
    page: r.page,
  }));
}
