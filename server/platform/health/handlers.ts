import { sql } from 'kysely';
import type { Deps, HandlerGroup } from '../../handler-types.js';
import { SERVICE_VERSION } from '../version.js';

const READY_TIMEOUT_MS = 2000;
const startedAt = Date.now();

export function createHealthHandlers({ db }: Deps): HandlerGroup<'getLiveness' | 'getReadiness'> {
  return {
    async getLiveness() {
      return { status: 200, body: { status: 'ok', version: SERVICE_VERSION, uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000) } };
    },

    async getReadiness(ctx) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('database check timed out')), READY_TIMEOUT_MS);
      });
      try {
        await Promise.race([sql`select 1`.execute(db), timeout]);
        return { status: 200, body: { status: 'ready', checks: { database: 'ok' } } };
      } catch (err) {
        ctx.req.log.warn({ err }, 'readiness check failed');
        return { status: 503, body: { status: 'unavailable', checks: { database: 'error' } } };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
