// kb_documents / kb_chunks: every query of the API scoped by the organisation; the worker's claim
// (FOR UPDATE SKIP LOCKED with a lease, `attempts` counting the claims) and its endings, which
// hold only while the claim is still ours (same attempt, still processing).
import { sql } from 'kysely';
import type { Db, KbDocumentRow, KbDocumentStatus } from '../../../db/types.js';
import type { Passage } from './chunk.js';

/** What the API shows of a document (never the file). */
export type KbDocumentView = Omit<KbDocumentRow, 'file'>;

const VIEW_COLUMNS = [
  'id', 'org_id', 'agent_id', 'title', 'category', 'file_name', 'content_type', 'size_bytes', 'sha256', 'status', 'failure_reason',
  'page_count', 'chunk_count', 'vector_count', 'vector_model', 'attempts', 'locked_until', 'created_by_user_id', 'created_at', 'processed_at', 'updated_at',
] as const satisfies ReadonlyArray<keyof KbDocumentView>;

export interface NewKbDocument {
  org_id: string;
  agent_id: string | null;
  title: string;
  category: string | null;
  file_name: string | null;
  content_type: string;
  size_bytes: number;
  sha256: string;
  file: Buffer;
  created_by_user_id: number | null;
}

export function insertDocument(db: Db, values: NewKbDocument): Promise<KbDocumentView> {
  return db.insertInto('kb_documents').values(values).returning(VIEW_COLUMNS).executeTakeFirstOrThrow();
}

export function findDocumentInOrg(db: Db, orgId: string, id: string): Promise<KbDocumentView | undefined> {
  return db.selectFrom('kb_documents').select(VIEW_COLUMNS).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export interface DocumentFilter {
  agentId?: string | undefined;
  status?: KbDocumentStatus | undefined;
  limit: number;
  offset: number;
}

export async function listDocumentsInOrg(db: Db, orgId: string, filter: DocumentFilter): Promise<{ rows: KbDocumentView[]; total: number }> {
  let query = db.selectFrom('kb_documents').where('org_id', '=', orgId);
  if (filter.agentId) query = query.where('agent_id', '=', filter.agentId);
  if (filter.status) query = query.where('status', '=', filter.status);
  const [rows, count] = await Promise.all([
    query.select(VIEW_COLUMNS).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Deletes the document; its passages go with it (ON DELETE CASCADE). */
export async function deleteDocumentInOrg(db: Db, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('kb_documents').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The organisation's AI agent (not archived), or undefined. */
export function findAgentInOrg(db: Db, orgId: string, agentId: string, options: { includeArchived: boolean }) {
  let query = db.selectFrom('ai_agents').select(['id']).where('org_id', '=', orgId).where('id', '=', agentId);
  if (!options.includeArchived) query = query.where('archived_at', 'is', null);
  return query.executeTakeFirst();
}

/** A claimed document: what the worker needs to process it. */
export interface ClaimedDocument {
  id: string;
  org_id: string;
  agent_id: string | null;
  content_type: string;
  file: Buffer | null;
  attempts: number;
}

/**
 * Claim one document to process — `id`'s, or the next due one (processing, its lease free or run
 * out) — taking a lease of `leaseMs` and counting the attempt. Undefined when none is due.
 */
export async function claimDocument(db: Db, leaseMs: number, id?: string): Promise<ClaimedDocument | undefined> {
  const only = id === undefined ? sql`` : sql`AND id = ${id}`;
  const result = await sql<ClaimedDocument>`
    WITH due AS (
      SELECT id FROM kb_documents
       WHERE status = 'processing' AND (locked_until IS NULL OR locked_until < now()) ${only}
       ORDER BY locked_until NULLS FIRST, created_at, id
       LIMIT 1
       FOR UPDATE SKIP LOCKED)
    UPDATE kb_documents d
       SET attempts = d.attempts + 1, locked_until = now() + ${leaseMs} * interval '1 millisecond', updated_at = now()
      FROM due
     WHERE d.id = due.id
    RETURNING d.id, d.org_id, d.agent_id, d.content_type, d.file, d.attempts`.execute(db);
  return result.rows[0];
}

/**
 * Renews the claim's lease for `leaseMs` from now while it is still ours (same attempt, still
 * processing): a long extraction keeps its document. False when the claim is no longer ours.
 */
export async function renewLease(db: Db, doc: Pick<ClaimedDocument, 'id' | 'attempts'>, leaseMs: number): Promise<boolean> {
  const updated = await db
    .updateTable('kb_documents')
    .set({ locked_until: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'` })
    .where('id', '=', doc.id)
    .where('status', '=', 'processing')
    .where('attempts', '=', doc.attempts)
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}

/**
 * The passages and the `ready` state, in one transaction the caller opens: false (and nothing
 * written) when the claim is no longer ours — the document was deleted, or another worker took it
 * after our lease ran out.
 */
export async function finishReady(trx: Db, doc: ClaimedDocument, passages: readonly Passage[], pageCount: number | null): Promise<boolean> {
  const updated = await trx
    .updateTable('kb_documents')
    .set({ status: 'ready', chunk_count: passages.length, vector_count: 0, vector_model: null, page_count: pageCount, failure_reason: null, processed_at: sql<Date>`now()`, locked_until: null, updated_at: sql<Date>`now()` })
    .where('id', '=', doc.id)
    .where('status', '=', 'processing')
    .where('attempts', '=', doc.attempts)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) return false;
  await trx.deleteFrom('kb_chunks').where('document_id', '=', doc.id).execute();
  for (let i = 0; i < passages.length; i += CHUNK_INSERT_BATCH) {
    const batch = passages.slice(i, i + CHUNK_INSERT_BATCH);
    await trx
      .insertInto('kb_chunks')
      .values(batch.map((p) => ({ org_id: doc.org_id, document_id: doc.id, agent_id: doc.agent_id, position: p.position, page: p.page, content: p.content })))
      .execute();
  }
  return true;
}

/** Rows per INSERT of passages (well under PostgreSQL's 65,535 parameters). */
export const CHUNK_INSERT_BATCH = 500;

/** The `failed` state with its reason (false when the claim is no longer ours). */
export async function finishFailed(db: Db, doc: Pick<ClaimedDocument, 'id' | 'attempts'>, reason: string, pageCount: number | null = null): Promise<boolean> {
  const updated = await db
    .updateTable('kb_documents')
    .set({ status: 'failed', failure_reason: reason, page_count: pageCount, chunk_count: 0, vector_count: 0, vector_model: null, processed_at: sql<Date>`now()`, locked_until: null, updated_at: sql<Date>`now()` })
    .where('id', '=', doc.id)
    .where('status', '=', 'processing')
    .where('attempts', '=', doc.attempts)
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}
