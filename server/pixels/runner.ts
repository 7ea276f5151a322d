// Runs the pixel delivery worker in the background every `intervalMs` (one pass at a time); the
// returned stop function waits for the pass in flight (its sends are bounded by the 5 s time-out)
// and closes the worker's dispatcher.
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { OutboundPolicy } from '../http/outbound/types.js';
import { createPixelDispatcher, deliverDuePixels } from './worker.js';

export interface PixelRunnerOptions {
  policy: OutboundPolicy;
  intervalMs: number;
  retryBaseMs: number;
}

export function startPixelWorker(db: Kysely<DB>, options: PixelRunnerOptions, log: FastifyBaseLogger): () => Promise<void> {
  const dispatcher = createPixelDispatcher(options.policy);
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const pass = async (): Promise<void> => {
    // Drain what is due now, a batch at a time, unless asked to stop.
    while (!stopped && (await deliverDuePixels(db, { dispatcher, policy: options.policy, retryBaseMs: options.retryBaseMs })) > 0);
  };
  const timer = setInterval(() => {
    if (running) return;
    running = pass()
      .catch((err: unknown) => log.warn({ err }, 'Tracking pixel delivery pass failed'))
      .finally(() => {
        running = null;
      });
  }, options.intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
    await dispatcher.close();
  };
}
