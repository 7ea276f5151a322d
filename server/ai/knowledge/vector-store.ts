// The passages' vectors for semantic search (pgvector): kb_chunk_embeddings, one row per passage —
// its vector of one embeddings model — deleted with its passage. The extension and the table are
// made by the first start with AI_EMBEDDINGS_MODEL set (ensureVectorStore; migration 0045 says
// why not by a migration). Every search is scoped to the organisation. Functions take `db` first.
//
// Nearest passages are found by an exact scan of the organisation's vectors of the model (cosine
// distance): no approximate index, since an HNSW index needs one fixed vector size and the model
// (so the size) is the operator's choice. docs/ai-knowledge.md gives what that costs.
import { type Kysely, sql } from 'kysely';
import type { DB, Db } from '../../../db/types.js';
import type { PassageRow } from './search.js';

export class VectorStoreUnavailable extends Error {}

/**
 * Create the pgvector extension (in `public`, beside pg_trgm) and the vectors' table when missing;
 * throws VectorStoreUnavailable, with what to do, when the database cannot load pgvector. Instances
 * starting together take turns (an advisory lock).
 */
export async function ensureVectorStore(db: Kysely<DB>): Promise<void> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'`.execute(db);
  if ((rows[0]?.n ?? 0) === 0) {
    throw new VectorStoreUnavailable(
      'AI_EMBEDDINGS_MODEL is set, but this PostgreSQL cannot load pgvector (no extension "vector" is available): install it (Debian: postgresql-<version>-pgvector) or unset AI_EMBEDDINGS_MODEL. The embedded database has it.',
    );
  }
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('ccp-extension:vector'))`.execute(trx);
    const installed = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'vector'`.execute(trx);
    if ((installed.rows[0]?.n ?? 0) === 0) await sql`CREATE EXTENSION vector WITH SCHEMA public`.execute(trx);
    await sql`
      CREATE TABLE IF NOT EXISTS kb_chunk_embeddings (
        chunk_id bigint PRIMARY KEY REFERENCES kb_chunks (id) ON DELETE CASCADE,
        org_id uuid NOT NULL,
        agent_id uuid,
        model text NOT NULL,
        embedding public.vector NOT NULL
      )`.execute(trx);
    // Kept in the row, not in TOAST: a vector of more than ~500 dimensions (2 KB) would otherwise
    // be stored out of line and fetched from there by every scan (MAIN still goes out of line
    // when a row cannot fit a page: 3,072 dimensions). 10,000 passages × 1,536 dimensions on
    // PGlite: p50 80.6 → 31.6 ms (scripts/bench/ai-semantic.ts).
    const storage = await sql<{ s: string }>`SELECT attstorage AS s FROM pg_attribute WHERE attrelid = 'kb_chunk_embeddings'::regclass AND attname = 'embedding'`.execute(trx);
    if (storage.rows[0]?.s !== 'm') await sql`ALTER TABLE kb_chunk_embeddings ALTER COLUMN embedding SET STORAGE MAIN`.execute(trx);
    await sql`CREATE INDEX IF NOT EXISTS kb_chunk_embeddings_org_model_idx ON kb_chunk_embeddings (org_id, model)`.execute(trx);
  });
}

/** pgvector's text form of a vector (pure). */
export function vectorLiteral(vector: readonly number[]): string {
  return `[${vector.join(',')}]`;
}

export interface PendingPassage {
  id: string;
  document_id: string;
  content: string;
}

/**
 * Passages of `ready` documents without a vector of `model`, oldest first. Only documents whose
 * count says they are not done are looked into, so a pass over an embedded knowledge base reads
 * the documents' table alone.
 */
export async function pendingPassages(db: Db, model: string, limit: number): Promise<PendingPassage[]> {
  const { rows } = await sql<PendingPassage>`
    SELECT c.id::text AS id, c.document_id, c.content
      FROM kb_documents d
      JOIN kb_chunks c ON c.document_id = d.id
     WHERE d.status = 'ready'
       AND (d.vector_model IS DISTINCT FROM ${model} OR d.vector_count < d.chunk_count)
       AND NOT EXISTS (SELECT 1 FROM kb_chunk_embeddings e WHERE e.chunk_id = c.id AND e.model = ${model})
     ORDER BY c.id
     LIMIT ${limit}`.execute(db);
  return rows;
}

/**
 * Store the vectors (replacing a passage's vector of another model) and recount the documents
 * they belong to, in one transaction the caller opens. A passage deleted meanwhile (its document
 * deleted or processed again) is skipped.
 */
export async function saveVectors(trx: Db, model: string, passages: readonly PendingPassage[], vectors: readonly number[][]): Promise<void> {
  const values = passages.map((p, i) => sql`(${p.id}::bigint, ${vectorLiteral(vectors[i]!)})`);
  await sql`
    INSERT INTO kb_chunk_embeddings (chunk_id, org_id, agent_id, model, embedding)
    SELECT c.id, c.org_id, c.agent_id, ${model}, v.embedding::public.vector
      FROM (VALUES ${sql.join(values)}) AS v (chunk_id, embedding)
      JOIN kb_chunks c ON c.id = v.chunk_id
       FOR KEY SHARE OF c
    ON CONFLICT (chunk_id) DO UPDATE SET agent_id = excluded.agent_id, model = excluded.model, embedding = excluded.embedding`.execute(trx);
  const documents = [...new Set(passages.map((p) => p.document_id))];
  await sql`
    UPDATE kb_documents d
       SET vector_model = ${model},
           vector_count = (SELECT count(*)::int FROM kb_chunks c JOIN kb_chunk_embeddings e ON e.chunk_id = c.id AND e.model = ${model} WHERE c.document_id = d.id),
           updated_at = now()
     WHERE d.id = ANY(${documents}::uuid[])`.execute(trx);
}

export interface NearPassage extends PassageRow {
  /** Cosine similarity, −1–1. */
  similarity: number;
}

/**
 * The organisation's passages nearest the vector (an agent's own and the shared ones with
 * `agentId`), nearest first. The scan reads the vectors' table alone (it carries the passage's
 * organisation and agent); only the nearest are joined to their passages and documents.
 */
export async function nearestPassages(db: Db, orgId: string, model: string, vector: readonly number[], agentId: string | null | undefined, limit: number): Promise<NearPassage[]> {
  const target = sql`${vectorLiteral(vector)}::public.vector`;
  const agentFilter = agentId ? sql`AND (e.agent_id = ${agentId} OR e.agent_id IS NULL)` : sql``;
  const { rows } = await sql<PassageRow & { distance: number | string }>`
    WITH nearest AS (
      SELECT e.chunk_id, e.embedding OPERATOR(public.<=>) ${target} AS distance
        FROM kb_chunk_embeddings e
       WHERE e.org_id = ${orgId} AND e.model = ${model} AND public.vector_dims(e.embedding) = ${vector.length} ${agentFilter}
       ORDER BY distance, e.chunk_id
       LIMIT ${limit})
    SELECT c.id::text AS id, c.content, c.document_id, d.title, c.position, c.page, n.distance
      FROM nearest n
      JOIN kb_chunks c ON c.id = n.chunk_id
      JOIN kb_documents d ON d.id = c.document_id AND d.status = 'ready'
     ORDER BY n.distance, c.id`.execute(db);
  return rows
    .map(({ distance, ...row }) => ({ ...row, similarity: 1 - Number(distance) }))
    .filter((row) => Number.isFinite(row.similarity));
}
