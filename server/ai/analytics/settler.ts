// Runs the cost settler (settle.ts) in the background every `intervalMs`, one pass at a time
// (platform/common/periodic.ts). Any number of instances may run it: a call is priced once.
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import type { AiRates } from '../../platform/ai-config.js';
import { startPeriodic } from '../../platform/common/periodic.js';
import { settleCosts } from './settle.js';

export function startCostSettler(db: Kysely<DB>, rates: Readonly<AiRates>, intervalMs: number, log: FastifyBaseLogger): () => Promise<void> {
  return startPeriodic(
    async (stopping) => {
      const done = await settleCosts(db, { rates }, stopping);
      if (done.outbound + done.conversations + done.calls > 0) log.debug(done, 'AI call costs settled');
    },
    intervalMs,
    (err) => log.warn({ err }, 'AI cost settling pass failed'),
  );
}
