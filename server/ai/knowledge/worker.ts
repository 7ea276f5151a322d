// The knowledge-base worker: claims a document (queries.ts claimDocument: FOR UPDATE SKIP LOCKED,
// a lease, `attempts`), extracts its text, cuts it into passages and writes them with the `ready`
// state in one transaction — or ends it `failed` with the reason. While it works, the lease is
// renewed every third of its length (lease.ts), so a document that takes longer than the lease is
// not taken by another worker meanwhile. A crash or restart mid-way leaves
// the document `processing` with its lease, so the next pass after the lease runs out takes it
// again; a document claimed MAX_ATTEMPTS times without finishing fails with that said. The file is
// kept after processing (so a document can be processed again without a new upload); deleting the
// document removes it.
import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import { chunkText } from './chunk.js';
import { kindOfContentType } from './detect.js';
import { DEFAULT_MAX_TEXT_CHARS, DEFAULT_MAX_UNZIPPED_BYTES, DocumentFailure, extractDocument, type ExtractLimits } from './extract.js';
import { keepLease } from './lease.js';
import { claimDocument, type ClaimedDocument, finishFailed, finishReady } from './queries.js';

export const KB_LEASE_MS = 5 * 60_000;
export const MAX_ATTEMPTS = 3;

export interface WorkerOptions {
  maxPages: number;
  maxTextChars?: number;
  maxUnzippedBytes?: number;
  leaseMs?: number;
}

export type Outcome = 'ready' | 'failed' | 'lost';

function limitsOf(options: WorkerOptions): ExtractLimits {
  return {
    maxPages: options.maxPages,
    maxTextChars: options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS,
    maxUnzippedBytes: options.maxUnzippedBytes ?? DEFAULT_MAX_UNZIPPED_BYTES,
  };
}

/** Process one claimed document to its end state. */
export async function processClaimed(db: Kysely<DB>, doc: ClaimedDocument, options: WorkerOptions): Promise<Outcome> {
  if (doc.attempts > MAX_ATTEMPTS) {
    const done = await finishFailed(db, doc, `processing stopped ${MAX_ATTEMPTS} times before it finished (the server restarted or crashed while reading the file)`);
    return done ? 'failed' : 'lost';
  }
  const kind = kindOfContentType(doc.content_type);
  if (!kind || !doc.file) return (await finishFailed(db, doc, 'the stored file is missing or of an unknown type')) ? 'failed' : 'lost';
  let pageCount: number | null = null;
  const lease = keepLease(db, doc, options.leaseMs ?? KB_LEASE_MS);
  try {
    const extracted = await extractDocument(kind, doc.file, limitsOf(options));
    pageCount = extracted.pageCount;
    const passages = chunkText(extracted.sections);
    if (passages.length === 0) throw new DocumentFailure(kind === 'pdf' ? 'the PDF has no text to read (a scanned document needs OCR first)' : 'the document has no text');
    const done = await db.transaction().execute((trx) => finishReady(trx, doc, passages, pageCount));
    return done ? 'ready' : 'lost';
  } catch (err) {
    if (!(err instanceof DocumentFailure)) throw err;
    return (await finishFailed(db, doc, err.message, pageCount)) ? 'failed' : 'lost';
  } finally {
    await lease.stop();
  }
}

/** Claim and process `id` (an upload starting its own document), if it is still due. */
export async function processDocument(db: Kysely<DB>, id: string, options: WorkerOptions): Promise<Outcome | 'not_due'> {
  const doc = await claimDocument(db, options.leaseMs ?? KB_LEASE_MS, id);
  return doc ? processClaimed(db, doc, options) : 'not_due';
}

/** Process every due document, one at a time, until none is left or `stopping()` says so. */
export async function drainDocuments(db: Kysely<DB>, options: WorkerOptions, stopping: () => boolean = () => false): Promise<number> {
  let done = 0;
  while (!stopping()) {
    const doc = await claimDocument(db, options.leaseMs ?? KB_LEASE_MS);
    if (!doc) break;
    await processClaimed(db, doc, options);
    done += 1;
  }
  return done;
}
