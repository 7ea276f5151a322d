// Folds report deltas into the summaries in the background every `intervalMs` (each pass until no
// delta is left). Reports are exact whether or not it runs; it keeps the delta tables small, so
// reports read few rows. Several instances may run it at once (the fold claims with SKIP LOCKED).
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { startPeriodic } from '../platform/common/periodic.js';
import { foldDeltas } from './rollups.js';

export function startRollupCompactor(db: Kysely<DB>, intervalMs: number, log: FastifyBaseLogger): () => Promise<void> {
  return startPeriodic(
    async (stopping) => {
      while (!stopping() && (await foldDeltas(db)) > 0);
    },
    intervalMs,
    (err) => log.warn({ err }, 'Report rollup pass failed'),
  );
}
