// Runs the dialer every `intervalMs` (one pass at a time, on the project's one job mechanism: a
// periodic pass claiming rows with FOR UPDATE SKIP LOCKED, as the pixel and import workers do).
// Several instances may run it on one database: each campaign is planned by one instance at a time.
import { startPeriodic } from '../../platform/common/periodic.js';
import { type DialerDeps, runDialerTick } from './tick.js';

export function startDialer(deps: DialerDeps, intervalMs: number): () => Promise<void> {
  return startPeriodic(
    async () => {
      await runDialerTick(deps);
    },
    intervalMs,
    (err) => deps.log?.warn({ err }, 'Dialer pass failed'),
  );
}
