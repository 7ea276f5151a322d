// Semantic knowledge-base search (issue 20 item 3, "semantic search … as an addition when
// configured"): each document counts the passages that have a vector of the configured embeddings
// model (AI_EMBEDDINGS_MODEL), and names that model — seed 004's `vectorCount`.
//
// The vectors themselves live in kb_chunk_embeddings, which needs the pgvector extension. Not
// every PostgreSQL has it (this machine's PostgreSQL 15 has not; PGlite loads it), so the table
// is not made here: the first start with AI_EMBEDDINGS_MODEL set creates the extension and the
// table (server/ai/knowledge/vector-store.ts), or refuses to start, saying why. A database whose
// operator never configures semantic search never needs the extension.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE kb_documents
      ADD COLUMN vector_count integer NOT NULL DEFAULT 0 CHECK (vector_count >= 0),
      ADD COLUMN vector_model text;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS kb_chunk_embeddings`.execute(db);
  await sql`ALTER TABLE kb_documents DROP COLUMN vector_count, DROP COLUMN vector_model`.execute(db);
}
