// The server under test of the voice-webhook benchmark, run as a SEPARATE process (forked by
// webhook.ts, so that the load generator does not share its event loop).
//
// Usage (forked): webhook-server.ts --schema bench_x [--database-url URL | --data-dir DIR]
//   [--pool-size 10] [--bidder-ports p1,p2] [--overhead-bidder-ports p1,…,p100] [--deadline 500] [--profile-sql] [--seed dni]
//
// --seed dni (the DNI benchmark, dni.ts) also seeds a campaign with an active number pool of
// --dni-pool-size simulator numbers and an active tracking tag on that pool, and reports
// {dni: {campaignId, tagCode}} in the ready message.
//
// Opens the database (a fresh PostgreSQL schema the parent named, or embedded PGlite in DIR),
// migrates, seeds one organisation with three campaigns (see seed()), builds the real app
// (buildApp) and a bare Fastify app (the ceilings: a constant-TwiML route, and POST /bare-json
// answering a constant JSON), listens on
// 127.0.0.1:0 for both, and sends {ready, appPort, barePort, numbers, ...} over IPC. Then answers
// {cmd: 'stats'} messages (its CPU time, and SQL round trips with --profile-sql, since the last
// ask) until the parent disconnects; it then closes everything and exits. The parent drops the
// schema.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import type { DB } from '../../db/types.js';
import { startBenchApp } from './bench-app.js';
import { postgresTransport } from '../../server/live/transport.js';
import { closeOnDisconnect } from './load.js';
import { startRtbCeiling } from './rtb-ceiling.js';

const { values: args } = parseArgs({
  options: {
    schema: { type: 'string' },
    'database-url': { type: 'string' },
    'data-dir': { type: 'string' },
    'pool-size': { type: 'string', default: '10' },
    'bidder-ports': { type: 'string', default: '' },
    'overhead-bidder-ports': { type: 'string', default: '' },
    deadline: { type: 'string', default: '500' },
    'public-base-url': { type: 'string', default: 'https://bench.example.com' },
    'webhook-token': { type: 'string', default: 'bench-webhook-token-0123456789abcdef' },
    'profile-sql': { type: 'boolean', default: false },
    seed: { type: 'string', default: '' },
    'dni-pool-size': { type: 'string', default: '50' },
    // How live events cross instances: as production chooses (server/live/transport.ts: the
    // PostgreSQL adapter on a PostgreSQL server, one NOTIFY per event), or in memory.
    live: { type: 'string', default: 'production' },
  },
});

// The dialled numbers of the seeded campaigns (campaigns.phone_number).
const NUMBERS = { priority: '+12025550100', locked: '+12025550101', rtb: '+12025550102', hot: '+12025550105', rtb10: '+12025550106', rtb100: '+12025550107', rtb10capped: '+12025550108', unknown: '+12025550199' } as const;
/** What the priority campaigns' first buyer answers on (the <Dial> must name it). */
const FIRST_BUYER = { priority: '+13125550111', locked: '+13125550121', hot: '+13125550131' } as const;
const BARE_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Dial action="https://bench.example.com/api/webhooks/dial-status?attempt=1&amp;route=auto" method="POST" timeout="30"><Number>+13125550111</Number></Dial></Response>';

// ---------------------------------------------------------------------------------------------
// SQL round trips (--profile-sql): every query a pg client sends (BEGIN / COMMIT included), by
// statement text, with the time from send to answer as Node sees it; and how many queries waited
// for a pool connection (sampled).

interface Stat {
  count: number;
  ms: number;
}
const stats = new Map<string, Stat>();
const pools: pg.Pool[] = [];
let waitingSamples = 0;
let waitingSum = 0;
const PATCHED = Symbol('benchPatched');
/** Statements of the benchmark itself start with this comment and are not counted. */
const BENCH_SQL = '/* bench */';

/** The PostgreSQL backend pids of our pool's connections (the parent reads their CPU time). */
const backendPids = new Set<number>();

function installPoolHooks(profile: boolean): void {
  const proto = pg.Pool.prototype as unknown as { connect: (...a: unknown[]) => unknown };
  const original = proto.connect;
  proto.connect = function patchedConnect(this: pg.Pool, ...a: unknown[]) {
    if (!pools.includes(this)) {
      pools.push(this);
      this.on('connect', (client) => {
        const pid = (client as unknown as { processID?: number | null }).processID;
        if (pid) backendPids.add(pid);
      });
    }
    if (!profile) return original.apply(this, a);
    const result = original.apply(this, a) as Promise<pg.PoolClient> | undefined;
    if (!result || typeof (result as Promise<unknown>).then !== 'function') return result;
    return result.then((client) => {
      const c = client as pg.PoolClient & { [PATCHED]?: true };
      if (!c[PATCHED]) {
        c[PATCHED] = true;
        const query = c.query.bind(c) as (...q: unknown[]) => unknown;
        (c as unknown as { query: (...q: unknown[]) => unknown }).query = (...q: unknown[]) => {
          const text = typeof q[0] === 'string' ? q[0] : ((q[0] as { text?: string } | undefined)?.text ?? '?');
          if (text.startsWith(BENCH_SQL)) return query(...q);
          const t0 = performance.now();
          const answer = query(...q);
          if (answer && typeof (answer as Promise<unknown>).then === 'function') {
            const done = () => {
              const s = stats.get(text) ?? { count: 0, ms: 0 };
              s.count++;
              s.ms += performance.now() - t0;
              stats.set(text, s);
            };
            (answer as Promise<unknown>).then(done, done);
          }
          return answer;
        };
      }
      return client;
    });
  };
  if (!profile) return;
  setInterval(() => {
    for (const p of pools) {
      waitingSamples++;
      waitingSum += p.waitingCount;
    }
  }, 5).unref();
}

let cpuMark = process.cpuUsage();

/** SQL statistics (with --profile-sql) and this process's CPU time since the last ask. */
function takeStats() {
  const cpu = process.cpuUsage(cpuMark);
  cpuMark = process.cpuUsage();
  const rows = [...stats.entries()].map(([sqlText, s]) => ({ sql: sqlText.replace(/\s+/g, ' ').trim(), count: s.count, ms: s.ms }));
  const waiting = waitingSamples ? waitingSum / waitingSamples : 0;
  stats.clear();
  waitingSamples = 0;
  waitingSum = 0;
  return { rows, meanWaitingForConnection: waiting, cpuMs: (cpu.user + cpu.system) / 1000, backendPids: [...backendPids] };
}

// ---------------------------------------------------------------------------------------------
// Seed: one organisation; (a) a priority campaign with 3 buyers, no limits; (a') the same with
// limited buyers (max_concurrent_calls 500: the locked reservation path, never refused while
// legs end as below); (a'') one
// hot buyer with a concurrency limit and caps (huge) taking every call; (b) an
// RTB campaign with 2 targets (the stub bidders) and no buyers, so a call that the auction does
// not win falls back (no <Dial>) and is counted as a failure.

async function seed(db: Kysely<DB>, bidderPorts: number[], overheadPorts: number[], deadlineMs: number) {
  const org = await db.insertInto('organizations').values({ name: 'Bench Org' }).returning('id').executeTakeFirstOrThrow();
  const campaign = (name: string, phone: string, rtb: boolean) =>
    db
      .insertInto('campaigns')
      .values({
        org_id: org.id,
        name,
        phone_number: phone,
        routing_type: 'priority',
        status: 'active',
        enable_rtb: rtb,
        rtb_id: randomBytes(16).toString('hex'),
        min_bidders_required: 1,
        bidding_timeout_ms: deadlineMs,
        payout: '25.0000',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  const priority = await campaign('Bench priority', NUMBERS.priority, false);
  const locked = await campaign('Bench priority (limited buyers)', NUMBERS.locked, false);
  const rtb = await campaign('Bench RTB', NUMBERS.rtb, true);
  const buyers = async (campaignId: string, firstNumber: string, limited: boolean) => {
    for (let i = 0; i < 3; i++) {
      const phone = `${firstNumber.slice(0, -1)}${Number(firstNumber.slice(-1)) + i}`;
      const buyer = await db
        .insertInto('buyers')
        .values({ org_id: org.id, name: `Buyer ${i + 1}`, phone_number: phone, priority: i + 1, max_concurrent_calls: limited ? 500 : null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.insertInto('campaign_buyers').values({ org_id: org.id, campaign_id: campaignId, buyer_id: buyer.id, priority: i + 1 }).execute();
    }
  };
  await buyers(priority.id, FIRST_BUYER.priority, false);
  await buyers(locked.id, FIRST_BUYER.locked, true);
  // (a'') one hot buyer with a concurrency limit (500) and hourly / daily / monthly caps (never reached)
  // takes every call: all of them contend for its one row lock.
  const hot = await campaign('Bench hot buyer', NUMBERS.hot, false);
  const hotBuyer = await db
    .insertInto('buyers')
    .values({
      org_id: org.id,
      name: 'Hot buyer',
      phone_number: FIRST_BUYER.hot,
      priority: 1,
      time_zone: 'America/New_York',
      max_concurrent_calls: 500,
      hourly_cap: 1_000_000,
      daily_cap: 1_000_000,
      monthly_cap: 1_000_000,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('campaign_buyers').values({ org_id: org.id, campaign_id: hot.id, buyer_id: hotBuyer.id, priority: 1 }).execute();
  // RTB overhead rows: an RTB campaign with the first 10 of the overhead bidders, one with all
  // (100) of them; no buyers. And the realistic one: the same 10 bidders as targets with a
  // concurrency limit and hourly / daily / monthly caps (never reached), and a buyer with limits
  // behind them, as the seeds' campaigns have.
  for (const [phone, ports, limited] of [
    [NUMBERS.rtb10, overheadPorts.slice(0, 10), false],
    [NUMBERS.rtb100, overheadPorts, false],
    [NUMBERS.rtb10capped, overheadPorts.slice(0, 10), true],
  ] as const) {
    if (ports.length === 0) continue;
    const c = await campaign(`Bench RTB ${ports.length} bidders${limited ? ', limits' : ''}`, phone, true);
    const limits = limited ? { max_concurrent_calls: 1000, hourly_cap: 1_000_000, daily_cap: 1_000_000, monthly_cap: 1_000_000 } : {};
    for (const [i, port] of ports.entries()) {
      const target = await db
        .insertInto('rtb_targets')
        .values({ org_id: org.id, name: `Overhead bidder ${ports.length}/${i + 1}${limited ? ' (limits)' : ''}`, endpoint_url: `http://127.0.0.1:${port}/bid`, timeout_ms: deadlineMs, min_bid_amount: 1, max_bid_amount: 100, ...limits })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.insertInto('campaign_rtb_targets').values({ org_id: org.id, campaign_id: c.id, target_id: target.id }).execute();
    }
    if (limited) {
      const buyer = await db
        .insertInto('buyers')
        .values({ org_id: org.id, name: 'RTB fallback buyer', phone_number: '+13125550151', priority: 1, time_zone: 'America/New_York', max_concurrent_calls: 500, hourly_cap: 1_000_000, daily_cap: 1_000_000, monthly_cap: 1_000_000 })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.insertInto('campaign_buyers').values({ org_id: org.id, campaign_id: c.id, buyer_id: buyer.id, priority: 1 }).execute();
    }
  }
  for (const [i, port] of bidderPorts.entries()) {
    // The stub bidders answer {bidAmount, destinationNumber, accepted, currency}: the default paths.
    const target = await db
      .insertInto('rtb_targets')
      .values({ org_id: org.id, name: `Stub bidder ${i + 1}`, endpoint_url: `http://127.0.0.1:${port}/bid`, timeout_ms: deadlineMs, min_bid_amount: 1, max_bid_amount: 100 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('campaign_rtb_targets').values({ org_id: org.id, campaign_id: rtb.id, target_id: target.id }).execute();
  }
}

/** A campaign with an active pool of `size` simulator numbers (+1415555xxxx) and a tag on it. */
async function seedDni(db: Kysely<DB>, size: number) {
  const org = await db.selectFrom('organizations').select('id').executeTakeFirstOrThrow();
  const campaign = await db
    .insertInto('campaigns')
    .values({ org_id: org.id, name: 'Bench DNI', phone_number: '+12025550103', routing_type: 'priority', status: 'active', rtb_id: randomBytes(16).toString('hex'), payout: '25.0000' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const pool = await db
    .insertInto('number_pools')
    .values({ org_id: org.id, name: 'Bench DNI pool', campaign_id: campaign.id, is_active: true, idle_timeout_sec: 1800, when_exhausted: 'recycle_oldest' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('phone_numbers')
    .values(
      Array.from({ length: size }, (_, i) => ({
        org_id: org.id,
        phone_number: `+1415555${String(i).padStart(4, '0')}`,
        provider: 'simulator',
        provider_sid: `PN${randomBytes(16).toString('hex')}`,
        pool_id: pool.id,
      })),
    )
    .execute();
  const tagCode = `bench_${randomBytes(6).toString('hex')}`;
  await db.insertInto('tracking_tags').values({ org_id: org.id, name: 'Bench DNI tag', tag_code: tagCode, pool_id: pool.id, campaign_id: campaign.id, default_number: '+12025550104' }).execute();
  return { campaignId: campaign.id, tagCode };
}

// ---------------------------------------------------------------------------------------------

installPoolHooks(args['profile-sql']);

const schema = args.schema;
const databaseUrl = args['database-url'];
if (databaseUrl && (!schema || !/^bench_[0-9a-z_]+$/.test(schema))) throw new Error('--schema bench_… is required with --database-url');
if (!databaseUrl && !args['data-dir']) throw new Error('--database-url or --data-dir is required');
const bidderPorts = args['bidder-ports'] ? args['bidder-ports'].split(',').map(Number) : [];
const overheadPorts = args['overhead-bidder-ports'] ? args['overhead-bidder-ports'].split(',').map(Number) : [];
const deadlineMs = Number(args.deadline);

if (databaseUrl) {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
}
const database = await openDatabase(
  databaseUrl ? { databaseUrl, searchPath: schema!, poolSize: Number(args['pool-size']) } : { dataDir: args['data-dir']! },
);
await migrateToLatest(database.db, databaseUrl ? schema : undefined);
await seed(database.db, bidderPorts, overheadPorts, deadlineMs);
const dni = args.seed === 'dni' ? await seedDni(database.db, Number(args['dni-pool-size'])) : undefined;
// Fresh statistics for the planner (tiny tables; the bench then grows calls / call_legs).
await sql`ANALYZE`.execute(database.db);

const liveTransport =
  args.live === 'memory' || !databaseUrl ? undefined : await postgresTransport({ connectionString: databaseUrl, searchPath: schema!, channelPrefix: `ccp_live_${schema!}` });
const { app, config, store, port } = await startBenchApp(
  database.db,
  {
    RATE_LIMITS: 'general=1000000,login=1000000,health=1000000,dni=1000000000,rtb=1000000,webhook_unsigned=1000000',
    OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
    PUBLIC_BASE_URL: args['public-base-url'],
    DATA_DIR: args['data-dir'] ?? '.data-bench-unused',
    // The pixel worker runs as in production (the voice webhook queues call_started pixels).
    PIXEL_DELIVERY_INTERVAL_MS: undefined,
  },
  args['webhook-token']!,
  liveTransport,
);

// Calls end: every 50 ms the legs that started more than 100 ms ago are ended (what the calls'
// status callbacks do), in every scenario alike. A buyer's open legs then stay near its real
// concurrency instead of growing through the run, so the concurrency count (which stops at the
// limit) costs what it costs in production, not one row per call ever routed.
const LEG_LIFETIME = "interval '100 milliseconds'";
const endLegs = setInterval(() => {
  void sql`/* bench */ UPDATE call_legs SET ended_at = now() WHERE ended_at IS NULL AND started_at < now() - ${sql.raw(LEG_LIFETIME)}`
    .execute(database.db)
    .catch(() => undefined);
}, 50);

// The ceiling: bare Fastify, the same form parsing, a constant TwiML answer.
const bare = Fastify({ logger: false });
await bare.register(formbody);
bare.post('/api/webhooks/voice', async (_req, reply) => reply.type('text/xml; charset=utf-8').send(BARE_TWIML));
// The DNI ceiling: JSON body parsed, a constant JSON answer shaped like a DNI answer.
const BARE_JSON = { success: true, phoneNumber: '+14155550000', formattedNumber: '(415) 555-0000', source: 'pool' };
bare.post('/bare-json', async () => BARE_JSON);
await bare.listen({ port: 0, host: '127.0.0.1' });
// The RTB overhead rows' ceiling: the real auction over the same bidders, no database (rtb-ceiling.ts).
const rtbCeiling =
  overheadPorts.length > 0
    ? await startRtbCeiling(
        new Map([
          [NUMBERS.rtb10, overheadPorts.slice(0, 10)],
          [NUMBERS.rtb100, overheadPorts],
        ]),
        deadlineMs,
      )
    : null;

/** The heap size of campaigns (kB): every routed call rewrites its campaign row (routing_rotation). */
async function campaignsKb(): Promise<number> {
  const { rows } = await sql<{ bytes: string }>`/* bench */ SELECT pg_relation_size('campaigns') AS bytes`.execute(database.db);
  return Math.round(Number(rows[0]?.bytes ?? 0) / 1024);
}

process.on('message', (m: { cmd?: string }) => {
  if (m?.cmd === 'stats') {
    void campaignsKb().then(
      (kb) => process.send?.({ stats: { ...takeStats(), campaignsKb: kb } }),
      (err: unknown) => process.send?.({ error: String(err) }),
    );
  }
  if (m?.cmd === 'steady') {
    // After the warm-up: the buyers' leg counters (migration 0022) past their 30 s grace, as for a
    // buyer that has had its limits for longer than that (every reservation then reads its
    // counters instead of re-counting the legs).
    void sql`/* bench */ UPDATE leg_usage_counters SET trusted_from = now() - interval '1 second'`.execute(database.db).then(
      (r) => process.send?.({ steady: Number(r.numAffectedRows ?? 0) }),
      (err: unknown) => process.send?.({ error: String(err) }),
    );
  }
  if (m?.cmd === 'vacuum') {
    // Each row starts from clean tables (the test server may run with autovacuum off).
    void sql`/* bench */ VACUUM (ANALYZE) campaigns, buyers, rtb_targets, calls, call_legs`.execute(database.db).then(
      () => process.send?.({ vacuumed: true }),
      (err: unknown) => process.send?.({ error: String(err) }),
    );
  }
});

closeOnDisconnect([async () => clearInterval(endLegs), () => bare.close(), async () => rtbCeiling?.app.close(), () => app.close(), () => store.close(), () => database.close()]);

process.send?.({
  ready: true,
  appPort: port,
  barePort: (bare.server.address() as AddressInfo).port,
  rtbCeilingPort: rtbCeiling?.port ?? 0,
  kind: database.kind,
  publicBaseUrl: config.publicBaseUrl,
  numbers: NUMBERS,
  firstBuyer: FIRST_BUYER,
  dni,
});
