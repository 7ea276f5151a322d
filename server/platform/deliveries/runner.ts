// Runs the delivery worker of one queue in the background every `intervalMs` (one pass at a time);
// the returned stop function waits for the pass in flight (its sends are bounded by the queue's
// time-out) and closes the worker's dispatcher.
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import { startPeriodic } from '../common/periodic.js';
import type { OutboundPolicy } from '../http/outbound/types.js';
import type { DeliveryQueue } from './types.js';
import { createDeliveryDispatcher, deliverDue } from './worker.js';

export interface DeliveryRunnerOptions {
  policy: OutboundPolicy;
  intervalMs: number;
  retryBaseMs: number;
}

export function startDeliveryRunner(db: Kysely<DB>, queue: DeliveryQueue, options: DeliveryRunnerOptions, log: FastifyBaseLogger): () => Promise<void> {
  const dispatcher = createDeliveryDispatcher(options.policy, queue);
  const stop = startPeriodic(
    async (stopping) => {
      // Drain what is due now, a batch at a time, unless asked to stop.
      while (!stopping() && (await deliverDue(db, queue, { dispatcher, policy: options.policy, retryBaseMs: options.retryBaseMs })) > 0);
    },
    options.intervalMs,
    (err) => log.warn({ err, queue: queue.name }, 'Delivery pass failed'),
  );
  return async () => {
    await stop();
    await dispatcher.close();
  };
}
