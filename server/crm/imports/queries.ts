// Lead imports in the database: the import row (status, counts, checkpoint, lease), the uploaded
// file's chunks, the kept row errors, and the batch insert of leads.
import { sql } from 'kysely';
import type { Db, LeadImportErrorRow, LeadImportKind, LeadImportOptions, LeadImportRow } from '../../../db/types.js';
import type { ImportLead, RowError } from './rows.js';
import { inTransaction } from '../../platform/common/transaction.js';

/** The file is stored in pieces of this size. */
export const CHUNK_BYTES = 1024 * 1024;
/** Row errors kept per import (all are counted). */
export const MAX_STORED_ERRORS = 1000;

export function insertImport(
  db: Db,
  values: { orgId: string; campaignId: string | null; userId: number; options: LeadImportOptions; kind?: LeadImportKind },
): Promise<LeadImportRow> {
  return db
    .insertInto('lead_imports')
    .values({ org_id: values.orgId, campaign_id: values.campaignId, created_by_user_id: values.userId, options: JSON.stringify(values.options), kind: values.kind ?? 'leads' })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setImportFile(db: Db, id: string, file: { fileName: string | null; bytes: number; sha256: string }, campaignId: string | null, options: LeadImportOptions): Promise<LeadImportRow> {
  return db
    .updateTable('lead_imports')
    .set({ file_name: file.fileName, file_bytes: file.bytes, file_sha256: file.sha256, campaign_id: campaignId, options: JSON.stringify(options) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A sink storing a stream as the import's chunks, in order. */
export function chunkWriter(db: Db, importId: string) {
  return async (file: AsyncIterable<Buffer>): Promise<void> => {
    let seq = 0;
    let pending: Buffer[] = [];
    let size = 0;
    const flush = async () => {
      if (size === 0) return;
      const data = Buffer.concat(pending, size);
      pending = [];
      size = 0;
      await db.insertInto('lead_import_chunks').values({ import_id: importId, seq, data }).execute();
      seq += 1;
    };
    for await (const chunk of file) {
      pending.push(chunk);
      size += chunk.length;
      if (size >= CHUNK_BYTES) await flush();
    }
    await flush();
  };
}

/** The stored file, a chunk at a time. */
export async function* readChunks(db: Db, importId: string): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq += 1) {
    const row = await db.selectFrom('lead_import_chunks').select('data').where('import_id', '=', importId).where('seq', '=', seq).executeTakeFirst();
    if (!row) return;
    yield row.data;
  }
}

export function findImport(db: Db, orgId: string, id: string, kind: LeadImportKind = 'leads'): Promise<LeadImportRow | undefined> {
  return db.selectFrom('lead_imports').selectAll().where('org_id', '=', orgId).where('id', '=', id).where('kind', '=', kind).executeTakeFirst();
}

export async function listImports(db: Db, orgId: string, limit: number, offset: number): Promise<{ rows: LeadImportRow[]; total: number }> {
  const rows = await db.selectFrom('lead_imports').selectAll().where('org_id', '=', orgId).where('kind', '=', 'leads').orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset).execute();
  const total = await db.selectFrom('lead_imports').select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', orgId).where('kind', '=', 'leads').executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

export function importErrors(db: Db, importId: string, limit: number): Promise<LeadImportErrorRow[]> {
  return db.selectFrom('lead_import_errors').selectAll().where('import_id', '=', importId).orderBy('seq').limit(limit).execute();
}

/**
 * Claim the oldest import of `kind` that is queued, or processing with an expired lease (its worker stopped),
 * for `leaseMs`. `attempts` counts claims; it is also the fencing token of the claim.
 *
 * One import per organisation, campaign (none counts as one) and kind runs at a time: an import whose
 * campaign has another import running under a live lease waits for it. Two imports of overlapping
 * numbers into one campaign would otherwise wait for each other for ever: each holds a batch's
 * uncommitted rows while waiting (in the worker, where PostgreSQL cannot see it) for its previous
 * batch, which waits for the other's rows. Claims take one lock in turn, so that two claimers never
 * both see the campaign free.
 */
export function claimImport(db: Db, leaseMs: number, kind: LeadImportKind = 'leads'): Promise<LeadImportRow | undefined> {
  return inTransaction(db, async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`lead_imports:claim:${kind}`}, 0))`.execute(trx);
    const result = await sql<LeadImportRow>`
      WITH due AS (
        SELECT d.id FROM lead_imports d
         WHERE d.status IN ('queued', 'processing') AND (d.locked_until IS NULL OR d.locked_until < now()) AND d.kind = ${kind}
           AND NOT EXISTS (
             SELECT 1 FROM lead_imports running
              WHERE running.kind = d.kind AND running.org_id = d.org_id AND running.campaign_id IS NOT DISTINCT FROM d.campaign_id
                AND running.id <> d.id AND running.status = 'processing' AND running.locked_until >= now())
         ORDER BY d.created_at, d.id
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
      UPDATE lead_imports i
         SET status = 'processing', attempts = i.attempts + 1, started_at = coalesce(i.started_at, now()),
             locked_until = now() + ${leaseMs} * interval '1 millisecond', updated_at = now()
        FROM due
       WHERE i.id = due.id
      RETURNING i.*`.execute(trx);
    return result.rows[0];
  });
}

export interface BatchCounts {
  records: number;
  valid: number;
  invalid: number;
  duplicates: number;
  dnc: number;
  inserted: number;
  errors: number;
}

/**
 * Insert a batch of valid leads: a number already in the campaign (or earlier in the batch) is left
 * out, a number on the do-not-call list is imported marked. Returns how many were inserted and
 * how many of those are do-not-call. Inside the batch's transaction, after the list's lock
 * (kind.ts `lock`: lockDncList).
 */
export async function insertImportedLeads(db: Db, imp: Pick<LeadImportRow, 'id' | 'org_id' | 'campaign_id'>, leads: ImportLead[]): Promise<{ inserted: number; dnc: number }> {
  if (leads.length === 0) return { inserted: 0, dnc: 0 };
  const col = <K extends keyof ImportLead>(key: K) => leads.map((l) => l[key]);
  const result = await sql<{ inserted: number; dnc: number }>`
    WITH input AS (
      SELECT * FROM unnest(
        ${col('name')}::text[], ${col('firstName')}::text[], ${col('lastName')}::text[], ${col('company')}::text[],
        ${col('phone')}::text[], ${col('phoneE164')}::text[], ${col('email')}::text[], ${col('country')}::text[],
        ${col('timeZone')}::text[], ${col('priority')}::text[], ${col('stage')}::text[], ${col('notes')}::text[],
        ${col('nextCallAt')}::timestamptz[], ${leads.map((l) => JSON.stringify(l.customFields))}::jsonb[]
      ) WITH ORDINALITY AS t(name, first_name, last_name, company, phone, phone_e164, email, country, time_zone, priority, stage, notes, next_call_at, custom_fields, ord)
    ), inserted AS (
      INSERT INTO leads (org_id, campaign_id, name, first_name, last_name, company, phone, phone_e164, email, country, time_zone,
                         priority, stage, notes, next_call_at, custom_fields, do_not_call, dial_status, source, import_id)
      SELECT ${imp.org_id}::uuid, ${imp.campaign_id}::uuid, i.name, i.first_name, i.last_name, i.company, i.phone, i.phone_e164, i.email,
             i.country, i.time_zone, i.priority, i.stage, i.notes, i.next_call_at, i.custom_fields,
             d.id IS NOT NULL, CASE WHEN d.id IS NOT NULL THEN 'dnc' ELSE 'pending' END, 'import', ${imp.id}::uuid
        FROM input i
        LEFT JOIN dnc_numbers d ON d.org_id = ${imp.org_id}::uuid AND d.phone_e164 = i.phone_e164
       ORDER BY i.ord
      ON CONFLICT (org_id, campaign_id, phone_e164) DO NOTHING
      RETURNING do_not_call)
    SELECT count(*)::int AS inserted, count(*) FILTER (WHERE do_not_call)::int AS dnc FROM inserted`.execute(db);
  return result.rows[0] ?? { inserted: 0, dnc: 0 };
}

/** Keep row errors, numbered after those kept already, up to MAX_STORED_ERRORS. */
export async function insertImportErrors(db: Db, importId: string, keptSoFar: number, errors: RowError[]): Promise<void> {
  const room = Math.max(0, MAX_STORED_ERRORS - keptSoFar);
  const kept = errors.slice(0, room);
  if (kept.length === 0) return;
  await db
    .insertInto('lead_import_errors')
    // (U+0000 cannot be stored in text: a kind that quotes such a cell must not sink its batch)
    .values(kept.map((e, i) => ({ import_id: importId, seq: keptSoFar + i, row_number: e.row, field: e.field?.replaceAll('\u0000', '\uFFFD') ?? null, value: e.value?.replaceAll('\u0000', '\uFFFD') ?? null, message: e.message.replaceAll('\u0000', '\uFFFD') })))
    .execute();
}

/**
 * Add a batch's counts and renew the lease, if this claim (`attempt`) still holds the import.
 * False when another worker has taken it over (the caller's transaction must then roll back).
 */
export async function checkpointImport(db: Db, id: string, attempt: number, counts: BatchCounts, leaseMs: number): Promise<boolean> {
  const result = await db
    .updateTable('lead_imports')
    .set((eb) => ({
      total_rows: eb('total_rows', '+', counts.records),
      valid_rows: eb('valid_rows', '+', counts.valid),
      invalid_rows: eb('invalid_rows', '+', counts.invalid),
      duplicate_rows: eb('duplicate_rows', '+', counts.duplicates),
      dnc_rows: eb('dnc_rows', '+', counts.dnc),
      inserted_rows: eb('inserted_rows', '+', counts.inserted),
      error_count: eb('error_count', '+', counts.errors),
      locked_until: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`,
      updated_at: sql<Date>`now()`,
    }))
    .where('id', '=', id)
    .where('attempts', '=', attempt)
    .where('status', '=', 'processing')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** End an import (completed, or failed with a reason); its file is no longer needed. */
export async function finishImport(db: Db, id: string, attempt: number, outcome: { status: 'completed' } | { status: 'failed'; failure: string }): Promise<void> {
  // Only the worker still holding the import (its attempt) finishes it and drops the file's
  // chunks: a worker whose lease lapsed must not delete what the next one is reading.
  const finished = await db
    .updateTable('lead_imports')
    .set({
      status: outcome.status,
      failure: outcome.status === 'failed' ? outcome.failure.slice(0, 1000) : null,
      completed_at: sql<Date>`now()`,
      locked_until: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('attempts', '=', attempt)
    .executeTakeFirst();
  if (Number(finished.numUpdatedRows) === 0) return;
  await db.deleteFrom('lead_import_chunks').where('import_id', '=', id).execute();
}

/** Give the import back (the server is stopping): the next worker resumes it at once. */
export async function releaseImport(db: Db, id: string, attempt: number): Promise<void> {
  await db.updateTable('lead_imports').set({ locked_until: null }).where('id', '=', id).where('attempts', '=', attempt).where('status', '=', 'processing').execute();
}
