// config -> database (a fresh embedded one starts from the template) -> migrations -> demo seed
// (never in production) -> buildApp -> listen -> banner. SIGTERM / SIGINT stop it cleanly at any
// point: in-flight requests finish, then the rate-limit store and the database close.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openDatabase } from '../db/connection.js';
import { transportFromConfig } from './live/transport.js';
import { migrateToLatest } from '../db/migrate.js';
import { copyTemplateIfEmpty, templateName } from '../db/pglite-template.js';
import { bannerText } from './banner.js';
import { DataDirPermissionError, ensurePrivateDataDir, tightenDataDir } from './platform/common/data-dir.js';
import { sealStoredSecrets } from './platform/common/seal-stored.js';
import { createSecretBox, SecretKeyError } from './platform/common/secret-box.js';
import { VectorStoreUnavailable } from './ai/knowledge/vector-store.js';
import { ConfigError, loadConfig } from './platform/config.js';
import { demoCampaignNumber, seedDemo } from './demo/seed-demo.js';
import { MemoryRateLimitStore } from './platform/http/rate-limit/store.js';
import { cachePath } from './platform/local-cache.js';
import { resolveSecretsKey, resolveSessionKey, resolveWebhookToken } from './platform/secrets.js';

/** A stop that takes longer than this (a request that never ends) exits with code 1. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

/** A path relative to the working folder when it lies inside it (what a user types), else absolute. */
function shortPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

async function main(): Promise<void> {
  // Everything this process writes (DATA_DIR, the embedded database, generated keys) is private
  // to its user: folders 0700, files 0600.
  process.umask(0o077);
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  // Whatever is open, closed in reverse order on a stop: the app (waits for in-flight requests),
  // then the rate-limit store, then the database.
  const closers: Array<() => Promise<void>> = [];
  let stopping: Promise<never> | null = null;
  const stop = (code: number): Promise<never> =>
    (stopping ??= (async () => {
      const timer = setTimeout(() => {
        console.error(`Stopping took longer than ${SHUTDOWN_TIMEOUT_MS / 1000} s; exiting now.`);
        process.exit(1);
      }, SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      for (const close of closers.reverse()) {
        try {
          await close();
        } catch (err) {
          console.error(err);
          code = 1;
        }
      }
      process.exit(code);
    })());
  let signalled: NodeJS.Signals | null = null;
  let listening = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = signal;
    // During start-up the current step finishes first (a half-made database is never left behind).
    if (listening) void stop(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stopIfSignalled = async () => {
    if (signalled) await stop(0);
  };

  try {
    // Loaded while the database opens (PGlite compiles its WebAssembly off the main thread).
    const appModule = import('./app.js');
    await ensurePrivateDataDir(config.dataDir);
    if (!config.databaseUrl) await copyTemplateIfEmpty(config.dataDir, cachePath(templateName()));
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    closers.push(() => database.close());
    await tightenDataDir(config.dataDir);
    await stopIfSignalled();
    await migrateToLatest(database.db);
    const secretsKey = await resolveSecretsKey(config);
    await sealStoredSecrets(database.db, createSecretBox(secretsKey));
    await stopIfSignalled();
    const demo = config.production ? null : await seedDemo(database.db, config.demoAdminEmail, config.demoAdminPassword);
    const campaignNumber = config.production ? null : await demoCampaignNumber(database.db);
    const webhookToken = await resolveWebhookToken(config);
    // ioredis is loaded only when a Redis store is configured (a tenth of a second of every start).
    const rateLimitStore = config.redisUrl
      ? new (await import('./platform/http/rate-limit/redis-store.js')).RedisRateLimitStore(config.redisUrl)
      : new MemoryRateLimitStore();
    closers.push(() => rateLimitStore.close());
    const { buildApp } = await appModule;
    // Live events cross instances through Redis (REDIS_URL) or PostgreSQL (DATABASE_URL).
    const liveTransport = await transportFromConfig(config);
    const app: FastifyInstance = await buildApp({
      config,
      db: database.db,
      sessionKey: await resolveSessionKey(config),
      secretsKey,
      rateLimitStore,
      webhookToken: webhookToken.token,
      schemaCompilation: 'lazy',
      liveTransport,
    });
    closers.push(async () => {
      app.log.info({ signal: signalled }, 'shutting down');
      await app.close();
    });
    if (config.production && config.telephony === 'simulator') {
      app.log.warn('TELEPHONY=simulator with NODE_ENV=production: calls are simulated, none is placed or received, and no carrier is paid');
    }
    if (config.production && config.demoAdminPassword) {
      app.log.warn('DEMO_ADMIN_PASSWORD is ignored with NODE_ENV=production (no demo data is seeded)');
    }
    await stopIfSignalled();

    await app.listen({ port: config.port, host: config.host });
    listening = true;
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    console.log(
      bannerText({
        base,
        publicBaseUrl: config.publicBaseUrl,
        database: database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)',
        telephony: config.telephony,
        demoCreated: demo?.created && demo.password ? { email: demo.email, password: demo.password } : null,
        demoPasswordIgnored: Boolean(demo && !demo.created && config.demoAdminPassword),
        demoCampaignNumber: campaignNumber,
        webhookTokenFile: config.production || !webhookToken.file ? null : shortPath(webhookToken.file),
      }),
    );
    await stopIfSignalled();
  } catch (err) {
    // A problem the user must fix is said in one line; anything else with its stack.
    console.error(err instanceof DataDirPermissionError || err instanceof SecretKeyError || err instanceof VectorStoreUnavailable ? err.message : err);
    await stop(1);
  }
}

void main();
