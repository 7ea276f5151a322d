// The real app (buildApp) as the benchmark servers run it: silent, simulator telephony, rate
// limits raised out of the way, background workers off unless the caller's settings say
// otherwise, an in-memory rate-limit store; listening on 127.0.0.1 at a free port.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { buildApp } from '../../server/app.js';
import { type Config, loadConfig } from '../../server/platform/config.js';
import { MemoryRateLimitStore } from '../../server/platform/http/rate-limit/store.js';
import type { LiveTransport } from '../../server/live/transport.js';

export interface BenchApp {
  app: FastifyInstance;
  config: Config;
  store: MemoryRateLimitStore;
  port: number;
}

/** `settings` are configuration variables (as in the environment) laid over the bench defaults. */
export async function startBenchApp(db: Kysely<DB>, settings: Record<string, string | undefined>, webhookToken: string, liveTransport?: LiveTransport): Promise<BenchApp> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    SESSION_KEY: 'b'.repeat(64),
    SECRETS_KEY: 'd'.repeat(64),
    RATE_LIMITS: 'general=1000000,login=1000000,analytics=1000000',
    RTB_HEALTH_PROBE_INTERVAL_SECONDS: '0',
    PIXEL_DELIVERY_INTERVAL_MS: '0',
    WEBHOOK_DELIVERY_INTERVAL_MS: '0',
    DATA_DIR: '.data-bench-unused',
    TELEPHONY: 'simulator',
    ...settings,
  });
  const store = new MemoryRateLimitStore();
  const app = await buildApp({ config, db, sessionKey: Buffer.from(config.sessionKey!, 'hex'), secretsKey: Buffer.from(config.secretsKey!, 'hex'), rateLimitStore: store, webhookToken, logger: false, ...(liveTransport ? { liveTransport } : {}) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, config, store, port: (app.server.address() as AddressInfo).port };
}
