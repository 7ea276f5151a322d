// config -> database -> migrations -> demo seed -> buildApp -> listen; graceful shutdown.
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { buildApp } from './app.js';
import { DataDirPermissionError, ensurePrivateDataDir, tightenDataDir } from './common/data-dir.js';
import { sealStoredSecrets } from './common/seal-stored.js';
import { createSecretBox, SecretKeyError } from './common/secret-box.js';
import { ConfigError, loadConfig } from './config.js';
import { seedDemo } from './demo/seed-demo.js';
import { RedisRateLimitStore } from './http/rate-limit/redis-store.js';
import { MemoryRateLimitStore } from './http/rate-limit/store.js';
import { resolveSecretsKey, resolveSessionKey, resolveWebhookToken } from './secrets.js';

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

  try {
    await ensurePrivateDataDir(config.dataDir);
  } catch (err) {
    if (err instanceof DataDirPermissionError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await tightenDataDir(config.dataDir);
  await migrateToLatest(database.db);
  const secretsKey = await resolveSecretsKey(config);
  try {
    await sealStoredSecrets(database.db, createSecretBox(secretsKey));
  } catch (err) {
    if (err instanceof SecretKeyError) {
      console.error(err.message);
      await database.close();
      process.exit(1);
    }
    throw err;
  }
  const demo = await seedDemo(database.db, config.demoAdminEmail, config.demoAdminPassword);
  const webhookToken = await resolveWebhookToken(config);
  const rateLimitStore = config.redisUrl ? new RedisRateLimitStore(config.redisUrl) : new MemoryRateLimitStore();
  const app = await buildApp({ config, db: database.db, sessionKey: await resolveSessionKey(config), secretsKey, rateLimitStore, webhookToken: webhookToken.token });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await rateLimitStore.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const where = database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  const password = demo.password ?? (config.demoAdminPassword ? config.demoAdminPassword : '(set at first start; set DEMO_ADMIN_PASSWORD on a new DATA_DIR to choose it)');
  console.log(
    [
      '',
      `CallCenter Pro is listening on ${base} (database: ${where}; telephony: ${config.telephony})`,
      `  Public URL:  ${config.publicBaseUrl} (what Twilio signs; PUBLIC_BASE_URL)`,
      `  Swagger UI:  ${base}/docs`,
      `  Demo login:  ${demo.email} / ${password}`,
      ...(webhookToken.generated
        ? [`  Webhook signing token (simulator; set TWILIO_AUTH_TOKEN to choose it): ${webhookToken.token}`]
        : []),
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
