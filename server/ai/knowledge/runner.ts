// Runs the knowledge-base worker every KB_PROCESS_INTERVAL_MS (platform/common/periodic.ts: one
// pass at a time, each draining every due document); an upload also starts its own document at
// once (handlers.ts, through the app's background work). The returned function stops the ticks
// and waits for the pass in flight (a document in hand is finished, or left to its lease).
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import { startPeriodic } from '../../platform/common/periodic.js';
import { drainDocuments, type WorkerOptions } from './worker.js';

export function startKnowledgeWorker(db: Kysely<DB>, intervalMs: number, options: WorkerOptions, log: FastifyBaseLogger): () => Promise<void> {
  return startPeriodic((stopping) => drainDocuments(db, options, stopping).then(() => undefined), intervalMs, (err) => log.warn({ err }, 'Knowledge-base processing pass failed'));
}
