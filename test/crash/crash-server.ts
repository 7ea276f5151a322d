// The server the crash test kills (test/crash/crash-restart.test.ts), run as a real child process:
//   node --import tsx test/crash/crash-server.ts --port 0 (--data-dir DIR [--template TGZ] | --database-url URL --schema S)
//        [--seed --bidders url1,url2 --deadline 1000 --phone +1...]
// Opens the database (a PGlite data folder, or a PostgreSQL schema the parent created), migrates,
// with --seed creates the test's organisation and RTB campaign, builds the real app (buildApp)
// and listens on 127.0.0.1:PORT. Then prints one line `READY {"port":…}` on stdout. SIGTERM closes
// it cleanly (the parent reads the database afterwards); SIGKILL is the crash.
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/platform/config.js';
import { MemoryRateLimitStore } from '../../server/platform/http/rate-limit/store.js';
import { CRASH_PUBLIC_BASE_URL, CRASH_WEBHOOK_TOKEN, seedCrashCampaign } from './crash-seed.js';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'data-dir': { type: 'string' },
    /** PGlite: a dumped, migrated data folder to start an empty --data-dir from (the test template). */
    template: { type: 'string' },
    'database-url': { type: 'string' },
    schema: { type: 'string' },
    seed: { type: 'boolean', default: false },
    bidders: { type: 'string', default: '' },
    deadline: { type: 'string', default: '1000' },
    phone: { type: 'string', default: '+12025550177' },
  },
});

const databaseUrl = args['database-url'];
if (!databaseUrl && !args['data-dir']) throw new Error('--data-dir or --database-url is required');
if (databaseUrl && !args.schema) throw new Error('--schema is required with --database-url');

const template = args.template ? new Blob([await readFile(args.template)]) : undefined;
const database = await openDatabase(
  databaseUrl ? { databaseUrl, searchPath: args.schema!, poolSize: 10 } : { dataDir: args['data-dir']!, ...(template ? { loadDataDir: template } : {}) },
);
await migrateToLatest(database.db, databaseUrl ? args.schema : undefined);
if (args.seed) {
  await seedCrashCampaign(database.db, { bidderUrls: args.bidders.split(',').filter(Boolean), deadlineMs: Number(args.deadline), phone: args.phone });
}

const config = loadConfig({
  LOG_LEVEL: 'silent',
  SESSION_KEY: 'c'.repeat(64),
  RATE_LIMITS: 'general=1000000,login=1000000,health=1000000,dni=1000000,rtb=1000000,webhook_unsigned=1000000',
  RTB_HEALTH_PROBE_INTERVAL_SECONDS: '0',
  PIXEL_DELIVERY_INTERVAL_MS: '0',
  WEBHOOK_DELIVERY_INTERVAL_MS: '0',
  REPORT_ROLLUP_INTERVAL_MS: '0',
  // Bid rows an answer committed but the SIGKILL left unwritten: the restarted server's sweep.
  RTB_BID_ROW_SWEEP_INTERVAL_MS: '200',
  OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
  PUBLIC_BASE_URL: CRASH_PUBLIC_BASE_URL,
  DATA_DIR: args['data-dir'] ?? '.test-data/crash-unused',
  TELEPHONY: 'simulator',
});
const store = new MemoryRateLimitStore();
const app = await buildApp({
  config,
  db: database.db,
  sessionKey: Buffer.from(config.sessionKey!, 'hex'),
  // Nothing here stores a secret; the key only has to be stable across the restart.
  secretsKey: Buffer.from('c'.repeat(64), 'hex'),
  rateLimitStore: store,
  webhookToken: CRASH_WEBHOOK_TOKEN,
  logger: false,
});
await app.listen({ port: Number(args.port), host: '127.0.0.1' });
process.stdout.write(`READY ${JSON.stringify({ port: (app.server.address() as AddressInfo).port })}\n`);

process.once('SIGTERM', () => {
  void (async () => {
    await app.close();
    await store.close();
    await database.close();
    process.exit(0);
  })();
});
