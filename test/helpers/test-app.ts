// A real server per test file (listening on a free port) over its own database: a copy of the
// migrated PGlite template, or a fresh schema on the PostgreSQL server (DATABASE_URL).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { createClient } from '../../client/index.js';
import { openDatabase } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import type { DB } from '../../db/types.js';
import { buildApp } from '../../server/app.js';
import { createSecretBox } from '../../server/platform/common/secret-box.js';
import { SecretColumnsPlugin } from '../../server/platform/common/secret-columns.js';
import { type Config, loadConfig } from '../../server/platform/config.js';
import { MemoryRateLimitStore, type RateLimitStore } from '../../server/platform/http/rate-limit/store.js';
import { loadSpec } from '../../server/platform/spec.js';
import { type LiveTransport, postgresTransport, redisTransport } from '../../server/live/transport.js';
import type { AnyTelephony } from '../../server/telephony/factory.js';
import { TEMPLATE_FILE } from '../setup/pglite-template.js';
import { installContractCheck } from './contract.js';

export const TEST_SESSION_KEY = 'a'.repeat(64);
/** What stored secrets are sealed with in tests (SECRETS_KEY). */
export const TEST_SECRETS_KEY = 'b'.repeat(64);
/** What test webhooks are signed with (see test/helpers/twilio-webhook.ts). */
export const TEST_WEBHOOK_TOKEN = 'test-webhook-token-0123456789abcdef';
const TEST_ENV_DEFAULTS = { RTB_HEALTH_PROBE_INTERVAL_SECONDS: '0', AI_CALL_INTERVAL_MS: '0', KB_PROCESS_INTERVAL_MS: '0', PIXEL_DELIVERY_INTERVAL_MS: '0', WEBHOOK_DELIVERY_INTERVAL_MS: '0', LEAD_IMPORT_INTERVAL_MS: '0', DIALER_INTERVAL_MS: '0', REPORT_ROLLUP_INTERVAL_MS: '0', RTB_BID_ROW_SWEEP_INTERVAL_MS: '0', OUTBOUND_ALLOW_PRIVATE: '127.0.0.1' };
const GENEROUS_LIMITS = 'general=1000000,login=1000000,health=1000000,dni=1000000,rtb=1000000,webhook_unsigned=1000000,uploads=1000000,leads=1000000,call_logs=1000000,analytics=1000000';

export interface TestApp {
  url: string;
  app: FastifyInstance;
  /** The database as the app sees it (secret columns opened on read, sealed on write). */
  db: Kysely<DB>;
  /** The same database without that: what is stored on disk (secret columns sealed). */
  rawDb: Kysely<DB>;
  config: Config;
  /** An SDK client with its own cookie jar (and API key, when given). */
  client(options?: { apiKey?: string; headers?: Record<string, string> }): ReturnType<typeof createClient>;
  close(): Promise<void>;
  /**
   * A process restart: this app is closed (its background work stopped) and a new one, with the
   * same configuration plus `env`, is started over the same database, which stays open. Use the
   * returned app from then on (its close() closes the database too).
   */
  restart(env?: Record<string, string>): Promise<TestApp>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  rateLimitStore?: RateLimitStore;
  /** Capture the server's logs (every level) into this array of lines. */
  logLines?: string[];
  /** A telephony backend of the test's own (default: from configuration, i.e. the simulator). */
  telephony?: AnyTelephony;
  /**
   * How live events cross instances: `postgres` (the PostgreSQL adapter, on the pg project only)
   * or `redis` (the Redis streams adapter, REDIS_URL); default in-memory (one instance).
   */
  live?: 'postgres' | 'redis';
  /**
   * On the embedded database even in the pg project, for what only PGlite has on this machine
   * (pgvector). There the pg project has no migrated template: a fresh one is migrated (slower).
   */
  embedded?: boolean;
}

interface TestDatabase {
  db: Kysely<DB>;
  close: () => Promise<void>;
  /** The PostgreSQL schema (pg project); undefined on PGlite. */
  schema?: string;
  /** Names this database (the Redis stream of its instances' live events). */
  key: string;
}

function lineCollector(lines: string[]): NodeJS.WritableStream {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
}

/** A fresh schema on the PostgreSQL server (`<prefix>_<pid>_<random>`), and how to drop it. */
export async function createTestSchema(databaseUrl: string, prefix: string): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE SCHEMA ${schema}`);
  return { schema, drop: () => run(`DROP SCHEMA ${schema} CASCADE`) };
}

async function openTestDatabase(embedded = false): Promise<TestDatabase> {
  if (embedded && process.env.TEST_DB === 'pg') return openFreshEmbeddedDatabase();
  const databaseUrl = process.env.TEST_DB === 'pg' ? process.env.DATABASE_URL : undefined;
  if (!databaseUrl) {
    const template = await readFile(TEMPLATE_FILE);
    const database = await openDatabase({ loadDataDir: new Blob([template]) });
    return { ...database, key: randomBytes(6).toString('hex') };
  }
  const { schema, drop } = await createTestSchema(databaseUrl, 't');
  const database = await openDatabase({ databaseUrl, searchPath: schema, poolSize: 5 });
  await migrateToLatest(database.db, schema);
  return {
    db: database.db,
    schema,
    key: schema,
    close: async () => {
      await database.close();
      await drop();
    },
  };
}

/** A new embedded database in a temporary folder, migrated, removed when closed. */
async function openFreshEmbeddedDatabase(): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ccp-test-pglite-'));
  const database = await openDatabase({ dataDir });
  await migrateToLatest(database.db);
  return {
    db: database.db,
    key: randomBytes(6).toString('hex'),
    close: async () => {
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The live-events transport a test asked for; instances over one test database share its channel. */
async function liveTransportFor(kind: TestAppOptions['live'], database: TestDatabase): Promise<LiveTransport | undefined> {
  if (kind === undefined) return undefined;
  if (kind === 'postgres') {
    const databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl || !database.schema) throw new Error('live: postgres needs the pg project (DATABASE_URL)');
    return postgresTransport({ connectionString: databaseUrl, searchPath: database.schema, channelPrefix: database.schema });
  }
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) throw new Error('live: redis needs REDIS_URL');
  return redisTransport({ url: redisUrl, streamName: `ccp-test:${database.schema ?? database.key}` });
}

function testConfig(env: Record<string, string> | undefined): Config {
  return loadConfig({
    LOG_LEVEL: 'silent',
    SESSION_KEY: TEST_SESSION_KEY,
    SECRETS_KEY: TEST_SECRETS_KEY,
    RATE_LIMITS: GENEROUS_LIMITS,
    DATA_DIR: '.test-data/unused',
    ...TEST_ENV_DEFAULTS,
    ...env,
  });
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await openTestDatabase(options.embedded);
  return serveTestApp(options, database);
}

const DATABASE = Symbol('database');

/** A second server over the same database as `first` (another instance of the same deployment). */
export async function startTestAppSharing(first: TestApp, options: TestAppOptions = {}): Promise<TestApp> {
  const shared = (first as { [DATABASE]?: TestDatabase })[DATABASE];
  if (!shared) throw new Error('startTestAppSharing: not a test app');
  return serveTestApp(options, { ...shared, close: async () => {} });
}


async function serveTestApp(options: TestAppOptions, database: TestDatabase): Promise<TestApp> {
  const config = testConfig(options.env);
  const liveTransport = await liveTransportFor(options.live, database);
  const spec = loadSpec();
  const store = options.rateLimitStore ?? new MemoryRateLimitStore();
  const app = await buildApp({
    config,
    db: database.db,
    sessionKey: Buffer.from(config.sessionKey ?? TEST_SESSION_KEY, 'hex'),
    secretsKey: Buffer.from(config.secretsKey ?? TEST_SECRETS_KEY, 'hex'),
    rateLimitStore: store,
    spec,
    logger: options.logLines ? { level: 'trace', stream: lineCollector(options.logLines) } : false,
    webhookToken: TEST_WEBHOOK_TOKEN,
    beforeRoutes: (instance) => installContractCheck(instance, spec),
    ...(options.telephony ? { telephony: options.telephony } : {}),
    ...(liveTransport ? { liveTransport } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const testApp: TestApp & { [DATABASE]: TestDatabase } = {
    [DATABASE]: database,
    url,
    app,
    db: database.db.withPlugin(new SecretColumnsPlugin(createSecretBox(Buffer.from(config.secretsKey ?? TEST_SECRETS_KEY, 'hex')))),
    rawDb: database.db,
    config,
    client: (clientOptions = {}) =>
      createClient({
        baseUrl: url,
        cookieJar: true,
        ...(clientOptions.apiKey ? { apiKey: clientOptions.apiKey } : {}),
        ...(clientOptions.headers ? { headers: clientOptions.headers } : {}),
      }),
    close: async () => {
      await app.close();
      await store.close();
      await database.close();
    },
    restart: async (env = {}) => {
      await app.close();
      await store.close();
      const { rateLimitStore: _shared, ...rest } = options;
      return serveTestApp({ ...rest, env: { ...options.env, ...env } }, database);
    },
  };
  return testApp;
}
