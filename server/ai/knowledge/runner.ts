// Runs the knowledge-base worker every KB_PROCESS_INTERVAL_MS (platform/common/periodic.ts: one
// pass at a time, each draining every due document, then — with semantic search configured —
// embedding the passages still without a vector); an upload also starts its own document at once
// (handlers.ts, through the app's background work). The returned function stops the ticks and
// waits for the pass in flight (a document in hand is finished, or left to its lease).
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import { startPeriodic } from '../../platform/common/periodic.js';
import { embedPendingPassages } from './embed-pass.js';
import type { Embedder } from './embedder.js';
import { drainDocuments, type WorkerOptions } from './worker.js';

export function startKnowledgeWorker(db: Kysely<DB>, intervalMs: number, options: WorkerOptions, embedder: Embedder | null, log: FastifyBaseLogger): () => Promise<void> {
  async function pass(stopping: () => boolean): Promise<void> {
    await drainDocuments(db, options, stopping);
    if (!embedder) return;
    try {
      await embedPendingPassages(db, embedder, stopping);
    } catch (err) {
      log.warn({ err }, 'Knowledge-base embedding pass failed (the passages stay searchable by full text; the next pass tries again)');
    }
  }
  return startPeriodic(pass, intervalMs, (err) => log.warn({ err }, 'Knowledge-base processing pass failed'));
}
