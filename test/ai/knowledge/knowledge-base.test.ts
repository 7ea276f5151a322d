// /api/knowledge-base end to end: upload of every accepted type (checked by content, mislabelled
// files included), processing to `ready` or `failed` with its reason (hostile files: a zip bomb as
// DOCX, a PDF of 10,000 pages, an encrypted PDF), search ranking with scores in 0–1, agent
// scoping, tenancy, roles, the size cap (413), list / get / delete, seed 004's upload path, and the
// worker's lease (a crash mid-way is retried; a document claimed too often fails).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, addMember, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { waitFor } from '../../helpers/wait-for.js';
import { claimDocument } from '../../../server/ai/knowledge/queries.js';
import { SEARCH_CANDIDATES } from '../../../server/ai/knowledge/search.js';
import { drainDocuments, MAX_ATTEMPTS } from '../../../server/ai/knowledge/worker.js';
import { declaredZipBomb, documentXml, hiddenZipBomb, makeDocx, makeManyPagePdf, makePdf, TINY_PNG, WARRANTY_DOCX } from './fixtures.js';
import { insertAgent, kbUpload, uploadProcessed, waitProcessed } from './helpers.js';

const CAP = 2 * 1024 * 1024;
let t: TestApp;
let owner: Member;
let manager: Member;
let agentUser: Member;
let other: Member;
let salesAgentId: string;
let supportAgentId: string;
let otherAgentId: string;

beforeAll(async () => {
  t = await startTestApp({ env: { KB_MAX_BYTES: String(CAP), KB_PROCESS_INTERVAL_MS: '0' } });
  owner = await registerOrg(t, 'Knowledge Org');
  manager = await addMember(t, owner, 'manager');
  agentUser = await addMember(t, owner, 'agent');
  other = await registerOrg(t, 'Other Org');
  salesAgentId = await insertAgent(t, owner.orgId, 'Sales');
  supportAgentId = await insertAgent(t, owner.orgId, 'Support');
  otherAgentId = await insertAgent(t, other.orgId, 'Other agent');
});
afterAll(async () => t.close());

async function countRows(table: 'kb_documents' | 'kb_chunks', orgId: string): Promise<number> {
  const row = await t.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
  return Number(row.n);
}

const RETURNS_PAGE = [
  'Return policy',
  'Our return policy allows returns within 30 days of delivery. Items must be unused and in their original packaging, with the receipt.',
  'Refunds are paid to the original payment method within five working days of the return arriving at our warehouse.',
  'Exchanges for a different size or colour are free of charge and follow the same rules as returns.',
  'Sale items bought in the final clearance week are not eligible, unless they arrive damaged or faulty.',
];
const SHIPPING_PAGE = [
  'Shipping',
  'Standard shipping takes three to five working days. Express shipping arrives the next working day when ordered before noon.',
  'Orders over fifty dollars ship free within the country; international orders pay a flat fee shown at checkout.',
  'Every parcel is tracked: the tracking link is emailed as soon as the parcel leaves the warehouse.',
];

describe('upload and processing of every accepted type', () => {
  it('reads a real PDF into passages with their pages (answered processing, then ready)', async () => {
    const pdf = await makePdf([RETURNS_PAGE, SHIPPING_PAGE]);
    const created = await kbUpload(owner.client, { data: pdf, filename: 'policies.pdf', type: 'application/pdf', agentId: salesAgentId, category: 'policies' });
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({
      title: 'policies.pdf',
      fileName: 'policies.pdf',
      agentId: salesAgentId,
      category: 'policies',
      contentType: 'application/pdf',
      sizeBytes: pdf.length,
      status: 'processing',
      failureReason: null,
      chunkCount: 0,
      vectorCount: 0,
      pageCount: null,
      processedAt: null,
    });
    const doc = await waitProcessed(owner.client, created.data!.id);
    expect(doc).toMatchObject({ status: 'ready', failureReason: null, pageCount: 2, contentType: 'application/pdf' });
    expect(doc.chunkCount).toBeGreaterThanOrEqual(2);
    expect(doc.vectorCount).toBe(doc.chunkCount);
    expect(Date.parse(doc.processedAt!)).toBeGreaterThanOrEqual(Date.parse(doc.createdAt));
    const chunks = await t.db.selectFrom('kb_chunks').selectAll().where('document_id', '=', doc.id).orderBy('position').execute();
    expect(chunks.map((c) => [c.position, c.page, c.org_id, c.agent_id])).toEqual(chunks.map((_, i) => [i, i === 0 ? 1 : 2, owner.orgId, salesAgentId]));
    expect(chunks[0]!.content).toContain('returns within 30 days of delivery');
    expect(chunks[chunks.length - 1]!.content).toContain('Express shipping arrives the next working day');
  });

  it('reads the shipped DOCX (mammoth), HTML, Markdown and text; the type is the content, not the name or part type', async () => {
    const html = Buffer.from('<!doctype html><html><head><title>Opening hours</title><script>var x = "closed";</script></head><body><h1>Store hours</h1><p>We are open from 9am to 6pm, Monday to Saturday.</p></body></html>');
    const markdown = Buffer.from('# Loyalty programme\n\nMembers earn **two points** per dollar and redeem them at [checkout](https://example.com/checkout).\n');
    const text = Buffer.from('Gift cards never expire and can be used online or in any store.');
    const cases = [
      { data: WARRANTY_DOCX, filename: 'warranty.docx', type: 'application/octet-stream', expected: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', contains: 'two-year warranty' },
      { data: html, filename: 'hours.txt', type: 'text/plain', expected: 'text/html', contains: 'open from 9am to 6pm' },
      { data: markdown, filename: 'loyalty.md', type: 'text/markdown', expected: 'text/markdown', contains: 'Members earn two points per dollar and redeem them at checkout.' },
      { data: text, filename: 'gift-cards.pdf', type: 'application/pdf', expected: 'text/plain', contains: 'Gift cards never expire' },
    ];
    for (const c of cases) {
      const doc = await uploadProcessed(owner.client, { data: c.data, filename: c.filename, type: c.type, title: `Doc ${c.filename}` });
      expect({ file: c.filename, status: doc.status, contentType: doc.contentType, pageCount: doc.pageCount, agentId: doc.agentId, title: doc.title }).toEqual({
        file: c.filename,
        status: 'ready',
        contentType: c.expected,
        pageCount: null,
        agentId: null,
        title: `Doc ${c.filename}`,
      });
      const chunks = await t.db.selectFrom('kb_chunks').select(['content', 'page']).where('document_id', '=', doc.id).execute();
      expect(chunks.map((ch) => ch.content).join(' ')).toContain(c.contains);
      expect(chunks.every((ch) => ch.page === null)).toBe(true);
    }
    const htmlChunks = await t.db.selectFrom('kb_chunks as c').innerJoin('kb_documents as d', 'd.id', 'c.document_id').select('c.content').where('d.title', '=', 'Doc hours.txt').execute();
    expect(htmlChunks.map((c) => c.content).join(' ')).not.toContain('closed');
  });

  it('reads a PDF named .txt as a PDF', async () => {
    const doc = await uploadProcessed(owner.client, { data: await makePdf([['Named wrongly but still a PDF about warehouse pallets.']]), filename: 'notes.txt', type: 'text/plain' });
    expect(doc).toMatchObject({ status: 'ready', contentType: 'application/pdf', pageCount: 1, fileName: 'notes.txt' });
  });

  it('a document whose markup spells a NUL character (HTML or DOCX &#0;) is read, the NUL as a space', async () => {
    const html = Buffer.from('<!doctype html><html><body><p>Pallets&#0;are stacked three high in aisle seven.</p></body></html>');
    const docx = makeDocx({ data: documentXml(['Tarpaulins&#0;need two people to fold.']) });
    for (const [data, words] of [[html, 'Pallets are stacked three high'], [docx, 'Tarpaulins need two people']] as const) {
      const doc = await uploadProcessed(owner.client, { data, filename: 'nul.bin' });
      expect([doc.status, doc.failureReason]).toEqual(['ready', null]);
      const chunks = await t.db.selectFrom('kb_chunks').select('content').where('document_id', '=', doc.id).execute();
      expect(chunks.map((c) => c.content).join(' ')).toContain(words);
    }
  });
});

describe('refused uploads change nothing', () => {
  it('refuses a PNG named .pdf, a binary blob, and an empty file (400 naming file)', async () => {
    const before = await countRows('kb_documents', owner.orgId);
    const attempts = [
      await kbUpload(owner.client, { data: TINY_PNG, filename: 'manual.pdf', type: 'application/pdf' }),
      await kbUpload(owner.client, { data: Buffer.from([0x00, 0x01, 0x02, 0xff]), filename: 'data.txt' }),
      await kbUpload(owner.client, { data: Buffer.alloc(0), filename: 'empty.txt' }),
    ];
    expect(attempts.map((a) => [a.response.status, a.error?.code, Object.keys(a.error?.details ?? {})])).toEqual(attempts.map(() => [400, 'VALIDATION_ERROR', ['file']]));
    expect(attempts[0]!.error?.details).toEqual({ file: 'must be a PDF, DOCX, HTML, Markdown or plain-text (UTF-8) file (by its content: this one is none of them)' });
    expect(await countRows('kb_documents', owner.orgId)).toBe(before);
  });

  it("refuses an agentId that is not one of the organisation's agents (another org's, unknown, archived) naming agentId", async () => {
    const archived = await insertAgent(t, owner.orgId, 'Archived', { archived: true });
    const before = await countRows('kb_documents', owner.orgId);
    const ids = [otherAgentId, '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b', archived];
    const attempts = await Promise.all(ids.map((agentId) => kbUpload(owner.client, { data: Buffer.from('Some text'), agentId })));
    expect(attempts.map((a) => [a.response.status, a.error?.details])).toEqual(ids.map(() => [400, { agentId: "is not one of the organisation's AI agents" }]));
    const malformed = await kbUpload(owner.client, { data: Buffer.from('Some text'), agentId: 'agent_123' });
    expect([malformed.response.status, Object.keys(malformed.error?.details ?? {})]).toEqual([400, ['agentId']]);
    expect(await countRows('kb_documents', owner.orgId)).toBe(before);
  });

  it('refuses naming agentId, not 500, an upload whose agent is deleted between its check and the insert', async () => {
    const vanishing = await insertAgent(t, owner.orgId, 'Vanishing');
    // The agent's deletion lands between the handler's check and its insert (another manager's DELETE).
    await sql`CREATE FUNCTION kb_test_vanish() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN DELETE FROM ai_agents WHERE id = NEW.agent_id; RETURN NEW; END $$`.execute(t.db);
    await sql`CREATE TRIGGER kb_test_vanish BEFORE INSERT ON kb_documents FOR EACH ROW WHEN (NEW.title = 'vanishing agent') EXECUTE FUNCTION kb_test_vanish()`.execute(t.db);
    try {
      const before = await countRows('kb_documents', owner.orgId);
      const res = await kbUpload(owner.client, { data: Buffer.from('Some text'), agentId: vanishing, title: 'vanishing agent' });
      expect([res.response.status, res.error?.details]).toEqual([400, { agentId: "is not one of the organisation's AI agents" }]);
      expect(await countRows('kb_documents', owner.orgId)).toBe(before);
    } finally {
      await sql`DROP TRIGGER kb_test_vanish ON kb_documents`.execute(t.db);
      await sql`DROP FUNCTION kb_test_vanish()`.execute(t.db);
    }
  });

  it('answers 413 in our error format for a file one byte over KB_MAX_BYTES, storing nothing', async () => {
    const before = await countRows('kb_documents', owner.orgId);
    const big = await kbUpload(owner.client, { data: Buffer.alloc(CAP + 1, 0x61), filename: 'big.txt' });
    expect(big.response.status).toBe(413);
    expect(big.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { file: `must be at most ${CAP} bytes` } });
    const atCap = await kbUpload(owner.client, { data: Buffer.alloc(CAP, 0x61), filename: 'at-cap.txt' });
    expect(atCap.response.status).toBe(201);
    await waitProcessed(owner.client, atCap.data!.id);
    await owner.client.DELETE('/api/knowledge-base/{id}', { params: { path: { id: atCap.data!.id } } });
    expect(await countRows('kb_documents', owner.orgId)).toBe(before);
  });

  it('lets managers and owners upload and delete, not agents (403)', async () => {
    const byAgent = await kbUpload(agentUser.client, { data: Buffer.from('Agents cannot upload') });
    expect(byAgent.response.status).toBe(403);
    const byManager = await uploadProcessed(manager.client, { data: Buffer.from('Managers can upload documents about forklifts.') });
    expect(byManager.status).toBe('ready');
    const del = await agentUser.client.DELETE('/api/knowledge-base/{id}', { params: { path: { id: byManager.id } } });
    expect(del.response.status).toBe(403);
    // Agents read and search.
    const got = await agentUser.client.GET('/api/knowledge-base/{id}', { params: { path: { id: byManager.id } } });
    expect(got.data?.id).toBe(byManager.id);
    const found = await agentUser.client.POST('/api/knowledge-base/search', { body: { query: 'forklifts' } });
    expect(found.data?.results.map((r) => r.documentId)).toEqual([byManager.id]);
  });
});

describe('hostile documents fail with a reason', () => {
  it('a PDF of 10,000 pages fails on its page count, fast', async () => {
    const created = await kbUpload(owner.client, { data: makeManyPagePdf(10_000), filename: 'huge.pdf' });
    expect(created.response.status).toBe(201);
    const doc = await waitProcessed(owner.client, created.data!.id);
    expect(doc).toMatchObject({ status: 'failed', failureReason: `the PDF has 10000 pages, more than the ${t.config.kbMaxPages} allowed (KB_MAX_PAGES)`, chunkCount: 0 });
    expect(Date.parse(doc.processedAt!) - Date.parse(doc.createdAt)).toBeLessThan(15_000);
  });

  it('zip bombs as DOCX (declared and hidden) fail without being unpacked', async () => {
    for (const data of [declaredZipBomb(), hiddenZipBomb(101 * 1024 * 1024)]) {
      expect(data.length).toBeLessThan(CAP);
      const doc = await uploadProcessed(owner.client, { data, filename: 'bomb.docx' });
      expect(doc.contentType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
      expect(doc.status).toBe('failed');
      expect(doc.failureReason).toMatch(/^the DOCX cannot be opened: .*zip bomb$/);
    }
  });

  it('an encrypted PDF, a corrupt PDF and a PDF without text fail, each saying why', async () => {
    const cases: Array<[Buffer, RegExp]> = [
      [await makePdf([['secret']], { userPassword: 'pw' }), /encrypted/],
      [Buffer.from('%PDF-1.7\ngarbage'), /corrupt/],
      [makeManyPagePdf(2), /no text to read/],
    ];
    for (const [data, reason] of cases) {
      const doc = await uploadProcessed(owner.client, { data, filename: 'x.pdf' });
      expect([doc.status, doc.failureReason]).toEqual(['failed', expect.stringMatching(reason)]);
    }
    expect(await t.db.selectFrom('kb_chunks as c').innerJoin('kb_documents as d', 'd.id', 'c.document_id').select('c.id').where('d.status', '=', 'failed').execute()).toEqual([]);
  });
});

describe('search', () => {
  it('ranks the passage that answers best first, with scores in 0–1 and the document named', async () => {
    const found = await owner.client.POST('/api/knowledge-base/search', { body: { query: 'What is the return policy?', limit: 10 } });
    expect(found.response.status).toBe(200);
    const results = found.data!.results;
    expect(results.length).toBeGreaterThan(0);
    expect(results[0]).toMatchObject({ documentTitle: 'policies.pdf', position: 0, page: 1 });
    expect(results[0]!.content).toContain('Our return policy allows returns within 30 days');
    for (const r of results) expect(r.score).toBeGreaterThan(0);
    for (const r of results) expect(r.score).toBeLessThanOrEqual(1);
    expect(results.map((r) => r.score)).toEqual([...results.map((r) => r.score)].sort((a, b) => b - a));
    // A more specific query scores its passage higher than a passing mention.
    const warranty = await owner.client.POST('/api/knowledge-base/search', { body: { query: 'warranty claim technician' } });
    expect(warranty.data!.results[0]).toMatchObject({ documentTitle: 'Doc warranty.docx', page: null });
  });

  it('answers a question asked in a sentence: when no passage holds every word, passages holding some are ranked', async () => {
    const question = 'How many days do I have for returns of unused items?';
    const found = await owner.client.POST('/api/knowledge-base/search', { body: { query: question, limit: 3 } });
    expect(found.data!.results[0]).toMatchObject({ documentTitle: 'policies.pdf', page: 1 });
    expect(found.data!.results[0]!.content).toContain('returns within 30 days of delivery. Items must be unused');
    for (const r of found.data!.results) expect(r.score > 0 && r.score <= 1).toBe(true);
    // An excluded word keeps the query strict (no loosening that would bring the excluded back).
    const excluded = await owner.client.POST('/api/knowledge-base/search', { body: { query: 'returns unused -items zebra' } });
    expect(excluded.data!.results).toEqual([]);
  });

  it('finds nothing for a query that only excludes words (no word to look for), rather than every passage at score 0', async () => {
    for (const query of ['-zebra', '-returns -warranty', '"the"']) {
      const found = await owner.client.POST('/api/knowledge-base/search', { body: { query } });
      expect(found.response.status).toBe(200);
      expect([query, found.data!.results]).toEqual([query, []]);
    }
  });

  it("loosens a question holding a hyphenated word too (the tsquery's phrase is a compound, not one the caller quoted)", async () => {
    // 'e-mailed' and 'follow-up' become phrases in the tsquery; no passage holds every word.
    const question = 'Is the tracking link e-mailed when the parcel leaves, for a follow-up?';
    const found = await owner.client.POST('/api/knowledge-base/search', { body: { query: question, limit: 3 } });
    expect(found.data!.results[0]?.content).toContain('the tracking link is emailed as soon as the parcel leaves the warehouse');
    // A phrase the caller quoted stays strict.
    const quoted = await owner.client.POST('/api/knowledge-base/search', { body: { query: '"tracking link" follow-up zebra' } });
    expect(quoted.data!.results).toEqual([]);
  });

  it('honours limit (1–50) and answers nothing for a query without a searchable word', async () => {
    const one = await owner.client.POST('/api/knowledge-base/search', { body: { query: 'shipping or returns or warranty', limit: 1 } });
    expect(one.data!.results).toHaveLength(1);
    const stop = await owner.client.POST('/api/knowledge-base/search', { body: { query: 'the and of' } });
    expect(stop.data).toEqual({ mode: 'fullText', results: [] });
    const bad = await Promise.all([0, 51].map((limit) => owner.client.POST('/api/knowledge-base/search', { body: { query: 'x', limit } })));
    expect(bad.map((b) => [b.response.status, Object.keys(b.error?.details ?? {})])).toEqual([
      [400, ['limit']],
      [400, ['limit']],
    ]);
  });

  it(`answers well past ${SEARCH_CANDIDATES} matching passages (the ranked candidates are capped), scores still in 0–1`, async () => {
    const { id } = await t.db
      .insertInto('kb_documents')
      .values({ org_id: owner.orgId, title: 'Gizmo catalogue', content_type: 'text/plain', size_bytes: 1, sha256: 'x', file: null, status: 'ready', chunk_count: SEARCH_CANDIDATES + 200 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const contents = Array.from({ length: SEARCH_CANDIDATES + 200 }, (_, i) => (i === 0 ? 'Gizmo gizmo gizmo: the gizmo guide, all about the gizmo.' : `Item ${i} is a gizmo of the ${i % 2 ? 'red' : 'blue'} kind.`));
    for (let i = 0; i < contents.length; i += 400) {
      await t.db.insertInto('kb_chunks').values(contents.slice(i, i + 400).map((content, j) => ({ org_id: owner.orgId, document_id: id, agent_id: null, position: i + j, page: null, content }))).execute();
    }
    const found = await owner.client.POST('/api/knowledge-base/search', { body: { query: 'gizmo', limit: 50 } });
    expect(found.data!.results).toHaveLength(50);
    expect(found.data!.results[0]).toMatchObject({ documentId: id, position: 0 });
    for (const r of found.data!.results) expect(r.score > 0 && r.score <= 1).toBe(true);
    await owner.client.DELETE('/api/knowledge-base/{id}', { params: { path: { id } } });
  });

  it("an agent's search covers its own documents and the organisation's shared ones, not another agent's", async () => {
    const supportDoc = await uploadProcessed(owner.client, { data: Buffer.from('Support agents reset router passwords by holding the reset button for ten seconds.'), agentId: supportAgentId, title: 'Router guide' });
    const asSales = await owner.client.POST('/api/knowledge-base/search', { body: { query: 'router reset button', agentId: salesAgentId } });
    expect(asSales.data!.results).toEqual([]);
    const asSupport = await owner.client.POST('/api/knowledge-base/search', { body: { query: 'router reset button', agentId: supportAgentId } });
    expect(asSupport.data!.results.map((r) => r.documentId)).toEqual([supportDoc.id]);
    // Shared (no agent) documents serve every agent; the sales agent's own PDF serves sales only.
    const giftForSupport = await owner.client.POST('/api/knowledge-base/search', { body: { query: 'gift cards expire', agentId: supportAgentId } });
    expect(giftForSupport.data!.results[0]?.documentTitle).toBe('Doc gift-cards.pdf');
    const returnsForSupport = await owner.client.POST('/api/knowledge-base/search', { body: { query: 'refunds original payment method', agentId: supportAgentId } });
    expect(returnsForSupport.data!.results).toEqual([]);
    const returnsForSales = await owner.client.POST('/api/knowledge-base/search', { body: { query: 'refunds original payment method', agentId: salesAgentId } });
    expect(returnsForSales.data!.results[0]?.documentTitle).toBe('policies.pdf');
  });
});

describe('list, get, delete', () => {
  it('lists newest first with pagination, by agent and by status', async () => {
    const all = await owner.client.GET('/api/knowledge-base', { params: { query: { limit: 100 } } });
    const docs = all.data!.documents;
    expect(all.data!.pagination).toEqual({ page: 1, limit: 100, total: docs.length, totalPages: 1 });
    expect(docs.map((d) => d.createdAt)).toEqual([...docs.map((d) => d.createdAt)].sort().reverse());
    const page2 = await owner.client.GET('/api/knowledge-base', { params: { query: { limit: 2, page: 2 } } });
    expect(page2.data!.documents.map((d) => d.id)).toEqual(docs.slice(2, 4).map((d) => d.id));
    expect(page2.data!.pagination).toEqual({ page: 2, limit: 2, total: docs.length, totalPages: Math.ceil(docs.length / 2) });
    const sales = await owner.client.GET('/api/knowledge-base', { params: { query: { agentId: salesAgentId } } });
    expect(sales.data!.documents.map((d) => d.title)).toEqual(['policies.pdf']);
    const failed = await owner.client.GET('/api/knowledge-base', { params: { query: { status: 'failed', limit: 100 } } });
    expect(failed.data!.documents.length).toBeGreaterThanOrEqual(5);
    expect(failed.data!.documents.every((d) => d.status === 'failed' && d.failureReason)).toBe(true);
  });

  it('deletes a document and its passages (they leave search at once)', async () => {
    const doc = await uploadProcessed(owner.client, { data: Buffer.from('Temporary notice about the parking garage closure.'), title: 'Parking' });
    const before = await owner.client.POST('/api/knowledge-base/search', { body: { query: 'parking garage' } });
    expect(before.data!.results.map((r) => r.documentId)).toEqual([doc.id]);
    const del = await owner.client.DELETE('/api/knowledge-base/{id}', { params: { path: { id: doc.id } } });
    expect(del.response.status).toBe(204);
    expect(await t.db.selectFrom('kb_chunks').select('id').where('document_id', '=', doc.id).execute()).toEqual([]);
    const after = await owner.client.POST('/api/knowledge-base/search', { body: { query: 'parking garage' } });
    expect(after.data!.results).toEqual([]);
    const again = await owner.client.DELETE('/api/knowledge-base/{id}', { params: { path: { id: doc.id } } });
    expect(again.response.status).toBe(404);
  });

  it("seed 004's upload path behaves the same", async () => {
    const doc = await uploadProcessed(owner.client, { legacy: true, data: Buffer.from('The seed path stores documents about espresso machines.'), agentId: salesAgentId, title: 'Espresso' });
    expect(doc).toMatchObject({ status: 'ready', title: 'Espresso', agentId: salesAgentId, contentType: 'text/plain' });
    const refused = await kbUpload(owner.client, { legacy: true, data: TINY_PNG });
    expect([refused.response.status, Object.keys(refused.error?.details ?? {})]).toEqual([400, ['file']]);
  });
});

describe('tenancy', () => {
  it("another organisation sees none of these documents and cannot name them or their agents (404)", async () => {
    const mine = (await owner.client.GET('/api/knowledge-base', { params: { query: { limit: 1 } } })).data!.documents[0]!;
    const attempts = [
      await other.client.GET('/api/knowledge-base/{id}', { params: { path: { id: mine.id } } }),
      await other.client.DELETE('/api/knowledge-base/{id}', { params: { path: { id: mine.id } } }),
      await other.client.GET('/api/knowledge-base', { params: { query: { agentId: salesAgentId } } }),
      await other.client.POST('/api/knowledge-base/search', { body: { query: 'return policy', agentId: salesAgentId } }),
      await owner.client.POST('/api/knowledge-base/search', { body: { query: 'return policy', agentId: otherAgentId } }),
    ];
    expect(attempts.map((a) => [a.response.status, (a.error as { code?: string } | undefined)?.code])).toEqual(attempts.map(() => [404, 'RESOURCE_NOT_FOUND']));
    const list = await other.client.GET('/api/knowledge-base');
    expect(list.data).toEqual({ documents: [], pagination: { page: 1, limit: 50, total: 0, totalPages: 0 } });
    const search = await other.client.POST('/api/knowledge-base/search', { body: { query: 'return policy warranty shipping' } });
    expect(search.data).toEqual({ mode: 'fullText', results: [] });
    const still = await owner.client.GET('/api/knowledge-base/{id}', { params: { path: { id: mine.id } } });
    expect(still.data).toEqual(mine);
  });
});

describe('the worker: lease, retries, periodic pass', () => {
  it('retries a document whose processing crashed mid-way once its lease runs out', async () => {
    const created = await kbUpload(owner.client, { data: Buffer.from('Crash recovery: the night shift restarts the conveyor at 6am.'), title: 'Conveyor' });
    await waitProcessed(owner.client, created.data!.id);
    // As if the worker died holding it: processing, claimed once, its lease run out, no passages.
    await t.db.deleteFrom('kb_chunks').where('document_id', '=', created.data!.id).execute();
    await t.db.updateTable('kb_documents').set({ status: 'processing', attempts: 1, chunk_count: 0, processed_at: null, locked_until: new Date(Date.now() + 60_000) }).where('id', '=', created.data!.id).execute();
    // While the lease holds, nobody takes it.
    expect(await drainDocuments(t.db, { maxPages: 10 })).toBe(0);
    await t.db.updateTable('kb_documents').set({ locked_until: new Date(Date.now() - 1000) }).where('id', '=', created.data!.id).execute();
    expect(await drainDocuments(t.db, { maxPages: 10 })).toBe(1);
    const row = await t.db.selectFrom('kb_documents').select(['status', 'attempts', 'chunk_count', 'locked_until']).where('id', '=', created.data!.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'ready', attempts: 2, chunk_count: 1, locked_until: null });
  });

  it(`fails a document claimed ${MAX_ATTEMPTS} times without finishing`, async () => {
    const created = await kbUpload(owner.client, { data: Buffer.from('A document that keeps crashing the worker.'), title: 'Cursed' });
    await waitProcessed(owner.client, created.data!.id);
    await t.db.updateTable('kb_documents').set({ status: 'processing', attempts: MAX_ATTEMPTS, locked_until: null }).where('id', '=', created.data!.id).execute();
    await drainDocuments(t.db, { maxPages: 10 });
    const doc = await waitProcessed(owner.client, created.data!.id);
    expect([doc.status, doc.failureReason]).toEqual(['failed', `processing stopped ${MAX_ATTEMPTS} times before it finished (the server restarted or crashed while reading the file)`]);
  });

  it('a claimed document is not claimed twice (SKIP LOCKED + lease), and a deleted one is let go', async () => {
    const created = await kbUpload(owner.client, { data: Buffer.from('Claim me once.'), title: 'Once' });
    await waitProcessed(owner.client, created.data!.id);
    await t.db.updateTable('kb_documents').set({ status: 'processing', attempts: 0, locked_until: null }).where('id', '=', created.data!.id).execute();
    const first = await claimDocument(t.db, 60_000, created.data!.id);
    expect(first?.attempts).toBe(1);
    expect(await claimDocument(t.db, 60_000, created.data!.id)).toBeUndefined();
    await owner.client.DELETE('/api/knowledge-base/{id}', { params: { path: { id: created.data!.id } } });
    expect(await t.db.selectFrom('kb_documents').select('id').where('id', '=', created.data!.id).execute()).toEqual([]);
  });

  it('the periodic pass (KB_PROCESS_INTERVAL_MS) processes documents left waiting', async () => {
    const doc = await t.db
      .insertInto('kb_documents')
      .values({ org_id: owner.orgId, title: 'Waiting', content_type: 'text/plain', size_bytes: 30, sha256: 'x', file: Buffer.from('Left waiting for the periodic pass.') })
      .returning('id')
      .executeTakeFirstOrThrow();
    t = await t.restart({ KB_PROCESS_INTERVAL_MS: '50' });
    const row = await waitFor(
      'the periodic pass',
      () => t.db.selectFrom('kb_documents').select(['status', 'chunk_count']).where('id', '=', doc.id).executeTakeFirstOrThrow(),
      (r) => r.status !== 'processing',
    );
    expect(row).toEqual({ status: 'ready', chunk_count: 1 });
  });
});
