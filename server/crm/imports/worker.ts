// The lead import worker: claims an import (FOR UPDATE SKIP LOCKED, a lease renewed at every
// checkpoint — the same mechanism as the pixel worker) and runs it in batches. Each batch's leads,
// kept row errors and counts are written in one transaction together with the checkpoint (the
// count of records done), so a stopped import resumes after its last batch: records up to the
// checkpoint are parsed again and skipped, and the unique (campaign, number) index makes even a
// replayed batch insert nothing twice. An import claimed MAX_ATTEMPTS times without finishing,
// whose file cannot be read as CSV, or whose batch the database refuses for a reason that would
// not pass on a retry (its data, a constraint, a bug: not a lost connection or a deadlock), ends
// `failed` with the reason (the rows before stay imported).
// What a record becomes is the import's kind (kind.ts): leads, or AI outbound calls
// (server/ai/outbound/import-kind.ts); a worker claims imports of its own kind only.
import type { Kysely } from 'kysely';
import type { DB, LeadImportRow } from '../../../db/types.js';
import { openCsv } from './csv-reader.js';
import { type ImportKind, LEAD_IMPORT } from './kind.js';
import {
  type BatchCounts,
  checkpointImport,
  claimImport,
  finishImport,
  insertImportErrors,
  MAX_STORED_ERRORS,
  readChunks,
  releaseImport,
} from './queries.js';
import type { RowError } from './rows.js';
import { isTransientDbError } from '../../platform/common/pg-errors.js';

export const IMPORT_BATCH_ROWS = 5000;
export const IMPORT_LEASE_MS = 60_000;
export const MAX_ATTEMPTS = 5;
/** Batches being written at once (each in its own transaction, committed in order). */
export const WRITES_IN_FLIGHT = 2;

class LostLease extends Error {}

export interface ImportRunOptions {
  batchRows?: number;
  leaseMs?: number;
  /** Stops the run between batches (the import is given back for the next worker). */
  signal?: AbortSignal;
}

/** Run one claimed import (its rows read and written as `kind` says) to its end, or until `signal` stops it. */
export async function runImport(db: Kysely<DB>, imp: LeadImportRow, options: ImportRunOptions = {}, kind: ImportKind = LEAD_IMPORT): Promise<'completed' | 'failed' | 'stopped' | 'lost'> {
  const batchRows = options.batchRows ?? IMPORT_BATCH_ROWS;
  const leaseMs = options.leaseMs ?? IMPORT_LEASE_MS;
  const attempt = imp.attempts;
  if (attempt > MAX_ATTEMPTS) {
    await finishImport(db, imp.id, attempt, { status: 'failed', failure: `stopped ${MAX_ATTEMPTS} times before finishing (server restarts or crashes during the import); ${imp.total_rows} rows were done` });
    return 'failed';
  }
  const { hasHeader } = imp.options;
  const rows = await kind.open(db, imp);
  let errorsKept = Math.min(imp.error_count, MAX_STORED_ERRORS);
  let plan: unknown = null;
  let skip = imp.total_rows;
  let items: unknown[] = [];
  let errors: RowError[] = [];
  let counts: BatchCounts = { records: 0, valid: 0, invalid: 0, duplicates: 0, dnc: 0, inserted: 0, errors: 0 };

  // Batches are written while the next ones are parsed, two at a time (two database backends
  // insert in parallel), and commit in order: a batch's transaction waits for the one before it
  // to commit before it adds its checkpoint, so the checkpoint never counts a batch that could
  // still roll back (and a batch whose predecessor failed rolls back too).
  let previousWrite: Promise<void> = Promise.resolve();
  // Settled once a batch holds its locks (or will never take them): the next batch's turn to lock.
  let previousLocked: Promise<void> = Promise.resolve();
  const writes: Array<Promise<void>> = [];
  // A number in the batch still being written is a duplicate in the next one (the earlier batch
  // inserts it, or it was there already): left out here, so that two open transactions never
  // wait for each other's row.
  let previousNumbers = new Set<string>();
  const write = async (batch: { items: unknown[]; errors: RowError[]; counts: BatchCounts; keptBefore: number }, previous: Promise<void>, lockedBefore: Promise<void>, locked: () => void) => {
    await db.transaction().execute(async (trx) => {
      try {
        await lockedBefore;
        await rows.lock?.(trx, imp);
      } finally {
        locked();
      }
      const { inserted, dnc } = await rows.write(trx, imp, batch.items);
      await insertImportErrors(trx, imp.id, batch.keptBefore, batch.errors);
      await previous;
      const counted = { ...batch.counts, inserted, dnc, duplicates: batch.counts.valid - inserted };
      if (!(await checkpointImport(trx, imp.id, attempt, counted, leaseMs))) throw new LostLease();
    });
  };
  const flush = async () => {
    if (counts.records === 0) return;
    const fresh = items.filter((item) => !previousNumbers.has(rows.key(item)));
    previousNumbers = new Set(items.map((item) => rows.key(item)));
    const batch = { items: fresh, errors, counts, keptBefore: errorsKept };
    errorsKept = Math.min(MAX_STORED_ERRORS, errorsKept + errors.length);
    items = [];
    errors = [];
    counts = { records: 0, valid: 0, invalid: 0, duplicates: 0, dnc: 0, inserted: 0, errors: 0 };
    if (writes.length >= WRITES_IN_FLIGHT) await writes.shift();
    let locked!: () => void;
    const lockedBefore = previousLocked;
    previousLocked = new Promise<void>((resolve) => (locked = resolve));
    previousWrite = write(batch, previousWrite, lockedBefore, locked).finally(locked);
    // (awaited by a later flush or at the end; this only keeps an early failure from going unhandled)
    previousWrite.catch(() => undefined);
    writes.push(previousWrite);
  };
  const settle = async () => {
    while (writes.length > 0) await writes.shift();
  };

  try {
    const csv = await openCsv(readChunks(db, imp.id));
    let first = true;
    for await (const record of csv.records) {
      if (first) {
        first = false;
        const planned = rows.plan(hasHeader ? record.values : null, record.values.length);
        if (planned !== null && typeof planned === 'object' && 'problems' in planned) {
          const problems = (planned as { problems: Record<string, string> }).problems;
          await finishImport(db, imp.id, attempt, { status: 'failed', failure: Object.entries(problems).map(([k, v]) => `${k} ${v}`).join('; ') });
          return 'failed';
        }
        plan = planned;
        if (hasHeader) continue;
      }
      if (skip > 0) {
        skip -= 1;
        continue;
      }
      const result = rows.read(record.values, record.row, plan);
      counts.records += 1;
      if (result.ok) {
        counts.valid += 1;
        items.push(result.item);
      } else {
        counts.invalid += 1;
        counts.errors += result.errors.length;
        errors.push(...result.errors);
      }
      if (counts.records >= batchRows) {
        await flush();
        if (options.signal?.aborted) {
          await settle();
          await releaseImport(db, imp.id, attempt);
          return 'stopped';
        }
      }
    }
    await flush();
    await settle();
    await finishImport(db, imp.id, attempt, { status: 'completed' });
    return 'completed';
  } catch (err) {
    // Writes still in flight end before the import is given up (their own failure is the one that counts).
    await Promise.allSettled(writes);
    if (err instanceof LostLease) return 'lost';
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('CSV_')) {
      await finishImport(db, imp.id, attempt, { status: 'failed', failure: `the file is not readable as CSV: ${(err as Error).message}` });
      return 'failed';
    }
    // A retry would fail the same way: the import ends now with the real cause, not after
    // MAX_ATTEMPTS claims with a reason that blames restarts.
    if (!isTransientDbError(err)) {
      const cause = err instanceof Error ? err.message : String(err);
      await finishImport(db, imp.id, attempt, { status: 'failed', failure: `a batch could not be written (the rows before it stay imported): ${typeof code === 'string' ? `${code} ` : ''}${cause}` });
      return 'failed';
    }
    throw err;
  }
}

/** Claim and run imports of `kind` until none is due (or `signal` stops it). Returns how many were run. */
export async function drainImports(db: Kysely<DB>, options: ImportRunOptions = {}, kind: ImportKind = LEAD_IMPORT): Promise<number> {
  let ran = 0;
  while (!options.signal?.aborted) {
    const imp = await claimImport(db, options.leaseMs ?? IMPORT_LEASE_MS, kind.name);
    if (!imp) break;
    ran += 1;
    const outcome = await runImport(db, imp, options, kind);
    if (outcome === 'stopped') break;
  }
  return ran;
}
