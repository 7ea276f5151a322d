// Knowledge-base search: PostgreSQL full-text search over the passages (kb_chunks.tsv), on the
// embedded database too. Shared by the search operation and the runtime's search tool and local
// mode. An agent's search covers its own documents and the organisation's documents that belong
// to no agent. Functions take `db` first.
import { sql } from 'kysely';
import type { Db } from '../../../db/types.js';

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

/** The best passages for the query, best first; none when the query has no searchable word. */
export async function searchKnowledge(db: Db, orgId: string, query: KnowledgeQuery): Promise<KnowledgePassage[]> {
  const q = sql`websearch_to_tsquery('english', ${query.text})`;
  let select = db
    .selectFrom('kb_chunks as c')
    .innerJoin('kb_documents as d', 'd.id', 'c.document_id')
    .select([
      'c.content',
      'c.document_id',
      'd.title',
      'c.position',
      'c.page',
      sql<number>`ts_rank_cd(c.tsv, ${q}, 32)`.as('score'),
    ])
    .where('c.org_id', '=', orgId)
    .where('d.status', '=', 'ready')
    .where(sql<boolean>`c.tsv @@ ${q}`);
  if (query.agentId) {
    const agentId = query.agentId;
    select = select.where((eb) => eb.or([eb('c.agent_id', '=', agentId), eb('c.agent_id', 'is', null)]));
  }
  const rows = await select.orderBy('score', 'desc').orderBy('c.id').limit(query.limit).execute();
  return rows.map((r) => ({
    content: r.content,
    score: Math.round(Number(r.score) * 10_000) / 10_000,
    documentId: r.document_id,
    documentTitle: r.title,
    position: r.position,
    page: r.page,
  }));
}
