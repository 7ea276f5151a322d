// The vectors' store on whichever database the project runs (issue 20, semantic search): a
// database that can load pgvector gets the extension and kb_chunk_embeddings at the first start
// with AI_EMBEDDINGS_MODEL set, and again harmlessly at every later start; one that cannot (this
// machine's PostgreSQL 15) refuses, saying what to do, and is left as it was. Both branches assert:
// which one runs is a fact of the database, read first.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { ensureVectorStore, VectorStoreUnavailable } from '../../../server/ai/knowledge/vector-store.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const tableExists = async () => (await sql<{ t: string | null }>`SELECT to_regclass('kb_chunk_embeddings')::text AS t`.execute(t.rawDb)).rows[0]!.t !== null;

describe('the vectors store', () => {
  it('is made where pgvector can be loaded, and refused with what to do where it cannot', async () => {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'`.execute(t.rawDb);
    const available = rows[0]!.n > 0;
    expect(await tableExists()).toBe(false);
    if (available) {
      await ensureVectorStore(t.rawDb);
      await ensureVectorStore(t.rawDb);
      expect(await tableExists()).toBe(true);
      // Vectors kept in the row (not TOAST): what the scan reads.
      const storage = await sql<{ s: string }>`SELECT attstorage AS s FROM pg_attribute WHERE attrelid = 'kb_chunk_embeddings'::regclass AND attname = 'embedding'`.execute(t.rawDb);
      expect(storage.rows[0]!.s).toBe('m');
      const similarity = await sql<{ s: number }>`SELECT 1 - ('[1,0]'::public.vector OPERATOR(public.<=>) '[1,1]'::public.vector) AS s`.execute(t.rawDb);
      expect(Number(similarity.rows[0]!.s)).toBeCloseTo(Math.SQRT1_2, 6);
    } else {
      const refused = ensureVectorStore(t.rawDb);
      await expect(refused).rejects.toBeInstanceOf(VectorStoreUnavailable);
      await expect(ensureVectorStore(t.rawDb)).rejects.toThrow(/cannot load pgvector[\s\S]*install it \(Debian: postgresql-<version>-pgvector\) or unset AI_EMBEDDINGS_MODEL/);
      expect(await tableExists()).toBe(false);
    }
  });
});
