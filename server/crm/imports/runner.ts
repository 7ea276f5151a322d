// Runs the lead import worker in the background every `intervalMs` (one pass at a time; a pass
// drains every due import). Uploads also start a pass at once (handlers.ts). The returned stop
// function stops between batches: the import in hand is given back and resumed by the next start.
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import { startPeriodic } from '../../platform/common/periodic.js';
import { type ImportKind, LEAD_IMPORT } from './kind.js';
import { drainImports } from './worker.js';

/** `kind`: which imports this worker runs (lead_imports.kind; leads unless told). */
export function startLeadImportWorker(db: Kysely<DB>, intervalMs: number, log: FastifyBaseLogger, kind: ImportKind = LEAD_IMPORT): () => Promise<void> {
  const controller = new AbortController();
  const stop = startPeriodic(
    async () => {
      await drainImports(db, { signal: controller.signal }, kind);
    },
    intervalMs,
    (err) => log.warn({ err, kind: kind.name }, 'Lead import pass failed'),
  );
  return async () => {
    controller.abort();
    await stop();
  };
}
