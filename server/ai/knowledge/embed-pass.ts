// Gives every passage of a `ready` document a vector of the configured embeddings model, a batch
// at a time (semantic search; embedder.ts, vector-store.ts). Run by the knowledge-base worker after
// the documents it processed, and on every pass of its own, so passages left without a vector (the
// endpoint was down, a restart, a change of model) get one later. A document is searchable by
// full text from `ready` on; its `vectorCount` says how many of its passages semantic search can
// find yet.
//
// No lock is held across the endpoint's request: two instances in the same pass may embed the
// same batch, and the second write replaces the first with the same vectors. A failing endpoint
// ends the pass (the next pass tries again); so does a passage the endpoint refuses every time —
// docs/ai-knowledge.md lists that limit.
import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import { EMBED_BATCH, type Embedder } from './embedder.js';
import { pendingPassages, saveVectors } from './vector-store.js';

/** Embed pending passages until none is left or `stopping()`; the passages embedded. Throws the endpoint's EmbeddingFailure. */
export async function embedPendingPassages(db: Kysely<DB>, embedder: Embedder, stopping: () => boolean = () => false): Promise<number> {
  let done = 0;
  while (!stopping()) {
    const batch = await pendingPassages(db, embedder.model, EMBED_BATCH);
    if (batch.length === 0) break;
    const vectors = await embedder.embed(batch.map((p) => p.content));
    await db.transaction().execute((trx) => saveVectors(trx, embedder.model, batch, vectors));
    done += batch.length;
  }
  return done;
}
