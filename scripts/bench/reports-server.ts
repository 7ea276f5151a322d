// The server of the reports benchmark, run as a separate process (forked by reports.ts): the real
// app (buildApp) on an existing PostgreSQL schema filled by scripts/seed-volume.ts. Sends
// {ready, port} over IPC; exits when the parent disconnects.
//
//   reports-server.ts --database-url URL --schema volume [--pool-size 10]
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { MemoryRateLimitStore } from '../../server/http/rate-limit/store.js';
import { closeOnDisconnect } from './load.js';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    schema: { type: 'string', default: 'volume' },
    'pool-size': { type: 'string', default: '10' },
  },
});
if (!args['database-url']) throw new Error('--database-url is required');

const database = await openDatabase({ databaseUrl: args['database-url'], searchPath: args.schema, poolSize: Number(args['pool-size']) });
await migrateToLatest(database.db, args.schema);
const config = loadConfig({
  LOG_LEVEL: 'silent',
  SESSION_KEY: 'c'.repeat(64),
  RATE_LIMITS: 'general=1000000,login=1000000',
  RTB_HEALTH_PROBE_INTERVAL_SECONDS: '0',
  PIXEL_DELIVERY_INTERVAL_MS: '0',
  DATA_DIR: '.data-bench-unused',
  TELEPHONY: 'simulator',
  PUBLIC_BASE_URL: 'https://bench.example.com',
});
const store = new MemoryRateLimitStore();
const app = await buildApp({
  config,
  db: database.db,
  sessionKey: Buffer.from(config.sessionKey!, 'hex'),
  rateLimitStore: store,
  webhookToken: 'bench-webhook-token-0123456789abcdef',
  logger: false,
});
await app.listen({ port: 0, host: '127.0.0.1' });

closeOnDisconnect([() => app.close(), () => store.close(), () => database.close()]);
process.send?.({ ready: true, port: (app.server.address() as AddressInfo).port });
