// Runs the AI outbound worker every AI_CALL_INTERVAL_MS (0: off) once the app is ready, one pass
// at a time (platform/common/periodic.ts); several instances may run it on one database.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../handler-types.js';
import { startPeriodic } from '../../platform/common/periodic.js';
import { aiOutboundUrls } from './urls.js';
import { runAiCallTick } from './worker.js';

export function startAiOutboundWorker(app: FastifyInstance, { db, config, telephony }: Deps): void {
  if (config.aiCallIntervalMs <= 0) return;
  let stop: (() => Promise<void>) | null = null;
  app.addHook('onReady', async () => {
    const deps = { db, telephony, urls: aiOutboundUrls(config.publicBaseUrl), log: app.log };
    stop = startPeriodic(
      async () => {
        await runAiCallTick(deps);
      },
      config.aiCallIntervalMs,
      (err) => app.log.warn({ err }, 'AI outbound pass failed'),
    );
  });
  app.addHook('onClose', async () => {
    await stop?.();
  });
}
