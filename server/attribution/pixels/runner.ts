// Runs the pixel delivery worker in the background every `intervalMs` (one pass at a time); the
// returned stop function waits for the pass in flight (its sends are bounded by the 5 s time-out)
// and closes the worker's dispatcher.
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import type { OutboundPolicy } from '../../platform/http/outbound/types.js';
import { startPeriodic } from '../../platform/common/periodic.js';
import { createPixelDispatcher, deliverDuePixels } from './worker.js';

export interface PixelRunnerOptions {
  policy: OutboundPolicy;
  intervalMs: number;
  retryBaseMs: number;
}

export function startPixelWorker(db: Kysely<DB>, options: PixelRunnerOptions, log: FastifyBaseLogger): () => Promise<void> {
  const dispatcher = createPixelDispatcher(options.policy);
  const stop = startPeriodic(
    async (stopping) => {
      // Drain what is due now, a batch at a time, unless asked to stop.
      while (!stopping() && (await deliverDuePixels(db, { dispatcher, policy: options.policy, retryBaseMs: options.retryBaseMs })) > 0);
    },
    options.intervalMs,
    (err) => log.warn({ err }, 'Tracking pixel delivery pass failed'),
  );
  return async () => {
    await stop();
    await dispatcher.close();
  };
}
