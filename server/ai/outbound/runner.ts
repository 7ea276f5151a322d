// Runs the AI outbound worker every AI_CALL_INTERVAL_MS (0: off) once the app is ready, one pass
// at a time (platform/common/periodic.ts); several instances may run it on one database. And the
// import worker for CSV imports of calls (LEAD_IMPORT_INTERVAL_MS, as for leads).
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../handler-types.js';
import { startLeadImportWorker } from '../../crm/imports/runner.js';
import { startPeriodic } from '../../platform/common/periodic.js';
import { AI_CALL_IMPORT } from './import-kind.js';
import { aiOutboundUrls } from './urls.js';
import { runAiCallTick } from './worker.js';

export function startAiOutboundWorker(app: FastifyInstance, { db, config, telephony }: Deps): void {
  // CSV imports of calls: the lead import worker for the `ai_calls` kind, at its interval (an
  // upload starts its own pass; this one picks up what a restart left).
  if (config.leadImportIntervalMs > 0) {
    let stopImports: (() => Promise<void>) | null = null;
    app.addHook('onReady', async () => {
      stopImports = startLeadImportWorker(db, config.leadImportIntervalMs, app.log, AI_CALL_IMPORT);
    });
    app.addHook('onClose', async () => {
      await stopImports?.();
    });
  }
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
