// Folds report deltas into the hourly summaries in the background every `intervalMs` (one pass at
// a time, each pass until no delta is left). Reports are exact whether or not it runs; it keeps
// the delta tables small, so reports read few rows. Several instances may run it at once (the
// fold claims deltas with SKIP LOCKED).
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { foldDeltas } from './rollups.js';

export function startRollupCompactor(db: Kysely<DB>, intervalMs: number, log: FastifyBaseLogger): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const pass = async (): Promise<void> => {
    while (!stopped && (await foldDeltas(db)) > 0);
  };
  const timer = setInterval(() => {
    if (running) return;
    running = pass()
      .catch((err: unknown) => log.warn({ err }, 'Report rollup pass failed'))
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
