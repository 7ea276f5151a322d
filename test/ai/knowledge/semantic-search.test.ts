// Semantic knowledge-base search end to end (AI_EMBEDDINGS_MODEL, pgvector): an upload's passages
// get vectors from a scripted OpenAI-compatible embeddings endpoint; a query that shares no word
// with a passage finds it by meaning (hybrid answer, both scores shown); the organisation and the
// agent scope it as they scope full-text search; a failing endpoint leaves full-text results with a
// notice (never an error, never the endpoint's words); passages left without vectors get them on a
// later pass, and a change of model embeds them again; the runtime's local mode searches the same
// way. PostgreSQL here has no pgvector, so every project runs this file on the embedded database
// (vector-store.test.ts covers both databases' refusal or acceptance).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, PASSWORD, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { waitFor } from '../../helpers/wait-for.js';
import { embedPendingPassages } from '../../../server/ai/knowledge/embed-pass.js';
import { createEmbedder, type Embedder } from '../../../server/ai/knowledge/embedder.js';
import { searchKnowledge } from '../../../server/ai/knowledge/search.js';
import { LOCAL_MODE_LABEL } from '../../../server/ai/runtime/local-mode.js';
import { addKnowledge, createAgent } from '../runtime/fixtures.js';
import { kbUpload, uploadProcessed } from './helpers.js';
import { type ScriptedEmbeddings, startScriptedEmbeddings } from './scripted-embeddings.js';

const MODEL = 'concepts-v1';
let embeddings: ScriptedEmbeddings;
let t: TestApp;
let owner: Member;
let other: Member;
let embedder: Embedder;
let hoursAgentId: string;
let salesAgentId: string;
let returnsDoc: string;
let otherDoc: string;

const env = (model: string) => ({ AI_EMBEDDINGS_MODEL: model, AI_EMBEDDINGS_BASE_URL: embeddings.baseUrl, KB_PROCESS_INTERVAL_MS: '0' });

beforeAll(async () => {
  embeddings = await startScriptedEmbeddings();
  t = await startTestApp({ embedded: true, env: env(MODEL) });
  owner = await registerOrg(t, 'Semantic Org');
  other = await registerOrg(t, 'Other Org');
  embedder = createEmbedder({ model: MODEL, baseUrl: embeddings.baseUrl, apiKey: undefined })!;
  salesAgentId = (await createAgent(t, owner.orgId, { name: 'Sales', tools: [{ type: 'search_knowledge_base' }] })).id;
  hoursAgentId = (await createAgent(t, owner.orgId, { name: 'Front desk' })).id;
  returnsDoc = await addKnowledge(t, owner.orgId, null, 'Returns', ['Unhappy with an order? We give your money back within 30 days.', 'Gift cards cannot be exchanged for cash.']);
  await addKnowledge(t, owner.orgId, hoursAgentId, 'Hours', ['We are open from nine to five, Monday to Saturday.']);
  otherDoc = await addKnowledge(t, other.orgId, null, 'Their returns', ['Your money back, no questions asked.']);
  await embedPendingPassages(t.db, embedder);
});

afterAll(async () => {
  await t?.close();
  await embeddings?.close();
});

type SearchBody = { query: string; agentId?: string; limit?: number };
const search = (member: Member, body: SearchBody) => member.client.POST('/api/knowledge-base/search', { body });

describe('hybrid search', () => {
  it("finds by meaning a passage that shares no word with the query, which full-text search cannot", async () => {
    expect(await searchKnowledge(t.db, owner.orgId, { text: 'Can I be reimbursed?', limit: 5 })).toEqual([]);
    const res = await search(owner, { query: 'Can I be reimbursed?' });
    expect(res.response.status).toBe(200);
    expect(res.data!.mode).toBe('hybrid');
    const best = res.data!.results[0]!;
    expect(best).toMatchObject({ content: 'Unhappy with an order? We give your money back within 30 days.', documentId: returnsDoc, documentTitle: 'Returns', textScore: 0 });
    expect(best.semanticScore).toBeGreaterThan(0.8);
    expect(best.score).toBeCloseTo(best.semanticScore! / 2, 4);
    // The other organisation's passage, as near as ours, is never a candidate.
    expect(res.data!.results.map((r) => r.documentId)).not.toContain(otherDoc);
  });

  it('ranks a passage found both ways above one found by meaning alone', async () => {
    const res = await search(owner, { query: 'money back', limit: 3 });
    expect(res.data!.mode).toBe('hybrid');
    const [first] = res.data!.results;
    expect(first).toMatchObject({ documentId: returnsDoc, position: 0 });
    expect(first!.textScore).toBeGreaterThan(0);
    expect(first!.semanticScore).toBeGreaterThan(0.5);
  });

  it("scopes by agent as full-text search does: an agent's own documents and the shared ones", async () => {
    const asSales = await search(owner, { query: 'What time do you close?', agentId: salesAgentId });
    expect(asSales.data!.results.map((r) => r.documentTitle)).not.toContain('Hours');
    const asFrontDesk = await search(owner, { query: 'What time do you close?', agentId: hoursAgentId });
    expect(asFrontDesk.data!.results[0]).toMatchObject({ documentTitle: 'Hours', textScore: 0 });
    const theirs = await search(other, { query: 'Can I be reimbursed?' });
    expect(theirs.data!.results.map((r) => r.documentId)).toEqual([otherDoc]);
  });

  it("answers full-text results with a notice when the endpoint fails, without the endpoint's words", async () => {
    embeddings.failWith = 500;
    try {
      const res = await search(owner, { query: 'gift cards' });
      expect(res.response.status).toBe(200);
      expect(res.data).toMatchObject({ mode: 'fullText', notice: 'Full-text results only: the embeddings endpoint answered HTTP 500' });
      expect(res.data!.results[0]).toMatchObject({ content: 'Gift cards cannot be exchanged for cash.' });
      expect(res.data!.results[0]).not.toHaveProperty('semanticScore');
      expect(JSON.stringify(res.data)).not.toContain('sk-secret');
    } finally {
      embeddings.failWith = null;
    }
  });

  it("the runtime's local mode finds the passage by meaning too", async () => {
    const res = await owner.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: salesAgentId } }, body: { message: 'Can I be reimbursed?' } });
    expect(res.response.status).toBe(200);
    expect(res.data!.reply).toBe(`${LOCAL_MODE_LABEL} From "Returns": Unhappy with an order? We give your money back within 30 days.`);
  });
});

describe('vectors of uploaded documents', () => {
  const POLICY = 'Faulty items are covered for two years.\n\nA parcel lost by the courier is sent again at our cost.';

  it('are made after processing: vectorCount reaches chunkCount', async () => {
    const created = await kbUpload(owner.client, { data: Buffer.from(POLICY), filename: 'policy.txt', type: 'text/plain' });
    expect(created.response.status).toBe(201);
    expect(created.data!.vectorCount).toBe(0);
    const { data } = await waitFor(
      'the upload embedded',
      () => owner.client.GET('/api/knowledge-base/{id}', { params: { path: { id: created.data!.id } } }),
      (r) => r.data?.status === 'ready' && r.data.vectorCount === r.data.chunkCount,
    );
    expect(data!.chunkCount).toBeGreaterThan(0);
    const res = await search(owner, { query: 'Is a broken kettle guaranteed?' });
    expect(res.data!.results[0]!.documentId).toBe(created.data!.id);
  });

  it('go with their document', async () => {
    const doc = await uploadProcessed(owner.client, { data: Buffer.from('Returns of opened software are not accepted.'), filename: 'software.txt', type: 'text/plain' });
    await embedPendingPassages(t.db, embedder);
    const count = async () => {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM kb_chunk_embeddings e JOIN kb_chunks c ON c.id = e.chunk_id WHERE c.document_id = ${doc.id}`.execute(t.db);
      const all = await sql<{ n: number }>`SELECT count(*)::int AS n FROM kb_chunk_embeddings`.execute(t.db);
      return { ofDocument: rows[0]!.n, all: all.rows[0]!.n };
    };
    const before = await count();
    expect(before.ofDocument).toBe(1);
    expect((await owner.client.DELETE('/api/knowledge-base/{id}', { params: { path: { id: doc.id } } })).response.status).toBe(204);
    expect(await count()).toEqual({ ofDocument: 0, all: before.all - 1 });
  });
  it('missed while the endpoint is down are made by a later pass; a change of model embeds them again', async () => {
    embeddings.failWith = 503;
    const doc = await uploadProcessed(owner.client, { data: Buffer.from('Deliveries to islands take an extra day.'), filename: 'islands.txt', type: 'text/plain' });
    expect(doc).toMatchObject({ status: 'ready', chunkCount: 1, vectorCount: 0 });
    await expect(embedPendingPassages(t.db, embedder)).rejects.toThrow('the embeddings endpoint answered HTTP 503');
    embeddings.failWith = null;
    expect(await embedPendingPassages(t.db, embedder)).toBe(1);
    const get = () => owner.client.GET('/api/knowledge-base/{id}', { params: { path: { id: doc.id } } });
    expect((await get()).data!.vectorCount).toBe(1);
    expect(await embedPendingPassages(t.db, embedder)).toBe(0);

    // A change of model (a restart with another AI_EMBEDDINGS_MODEL): every passage is embedded again.
    const total = await t.db.selectFrom('kb_chunks').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    t = await t.restart(env('concepts-v2'));
    const client = t.client();
    expect((await client.POST('/api/auth/login', { body: { email: owner.email, password: PASSWORD } })).response.status).toBe(200);
    const getNow = () => client.GET('/api/knowledge-base/{id}', { params: { path: { id: doc.id } } });
    expect((await getNow()).data!.vectorCount).toBe(0);
    expect(await embedPendingPassages(t.db, createEmbedder({ model: 'concepts-v2', baseUrl: embeddings.baseUrl, apiKey: undefined })!)).toBe(Number(total.n));
    expect((await getNow()).data!.vectorCount).toBe(1);
    const { rows } = await sql<{ model: string; n: number }>`SELECT model, count(*)::int AS n FROM kb_chunk_embeddings GROUP BY model`.execute(t.db);
    expect(rows).toEqual([{ model: 'concepts-v2', n: Number(total.n) }]);
  });

});
