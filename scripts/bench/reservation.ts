// The capped path's reservation alone, on PostgreSQL: record_reserved_call() (the procedure the
// voice webhook calls for a call whose buyer has limits) called through recordReservedCall() by N
// connections at once, every call for one hot buyer, against the same call for a buyer without
// limits. No HTTP, no Node server: what is left is the database's part, the buyer's row lock
// included. Calls end as status callbacks end them: every 50 ms the legs older than `--leg-ms` are
// ended, so the hot buyer holds about (calls/s × leg-ms) open legs, as a buyer with a high
// concurrency limit does.
//
//   npx tsx scripts/bench/reservation.ts [--database-url URL] [--connections 8] [--seconds 10]
//     [--leg-ms 100,1000] [--rounds 3]
//
// Each round runs both rows, their order turned each round, each from a VACUUMed table with no
// open legs; calls/s is the median of the rounds, p50 / p99 are over every round's calls.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import type { DB } from '../../db/types.js';
import { recordReservedCall, type ReservedCallCandidate } from '../../server/inbound/calls/reserved-call.js';
import { computeCapWindows } from '../../server/inbound/routing/cap-windows.js';
import { LOCAL_TEST_DATABASE_URL } from '../../server/platform/config.js';
import { median, percentile } from './load.js';
import { markdownTable } from './markdown-table.js';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: LOCAL_TEST_DATABASE_URL },
    connections: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '10' },
    'leg-ms': { type: 'string', default: '100,1000' },
    rounds: { type: 'string', default: '3' },
  },
});
const CONNECTIONS = Number(args.connections);
const SECONDS = Number(args.seconds);
const ROUNDS = Math.max(1, Number(args.rounds));
const schema = `bench_resv_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: args['database-url'] });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
const database = await openDatabase({ databaseUrl: args['database-url'], searchPath: schema, poolSize: CONNECTIONS + 1 });
const db = database.db;

interface Row {
  name: string;
  legMs: number;
  calls: number[];
  latencies: number[];
}

try {
  await migrateToLatest(db, schema);
  const org = await db.insertInto('organizations').values({ name: 'Bench Org' }).returning('id').executeTakeFirstOrThrow();
  const campaign = await db
    .insertInto('campaigns')
    .values({ org_id: org.id, name: 'Bench reservation', phone_number: '+12025550105', routing_type: 'priority', status: 'active', rtb_id: randomBytes(16).toString('hex'), payout: '25.0000' })
    .returning('id')
    .executeTakeFirstOrThrow();
  // The hot buyer's limits are never reached: concurrency 100,000 and caps of 10,000,000.
  const buyer = async (name: string, phone: string, limited: boolean) => {
    const row = await db
      .insertInto('buyers')
      .values({
        org_id: org.id,
        name,
        phone_number: phone,
        priority: 1,
        time_zone: 'America/New_York',
        max_concurrent_calls: limited ? 100_000 : null,
        hourly_cap: limited ? 10_000_000 : null,
        daily_cap: limited ? 10_000_000 : null,
        monthly_cap: limited ? 10_000_000 : null,
      })
      .returning(['id', 'phone_number', 'max_concurrent_calls', 'hourly_cap', 'daily_cap', 'monthly_cap'])
      .executeTakeFirstOrThrow();
    await db.insertInto('campaign_buyers').values({ org_id: org.id, campaign_id: campaign.id, buyer_id: row.id, priority: 1 }).execute();
    return row;
  };
  const hot = await buyer('Hot buyer', '+13125550131', true);
  const free = await buyer('Buyer without limits', '+13125550141', false);

  const candidate = (b: typeof hot): ReservedCallCandidate => ({
    buyerId: b.id,
    destination: b.phone_number,
    payout: '25.0000',
    minDurationSec: 60,
    maxConcurrent: b.max_concurrent_calls,
    hourlyCap: b.hourly_cap,
    dailyCap: b.daily_cap,
    monthlyCap: b.monthly_cap,
    windows: computeCapWindows('America/New_York', new Date()),
    twiml: `<?xml version="1.0" encoding="UTF-8"?><Response><Dial><Number>${b.phone_number}</Number></Dial></Response>`,
  });
  const call = (b: typeof hot) =>
    recordReservedCall(db, {
      orgId: org.id,
      callSid: `CA${randomBytes(16).toString('hex')}`,
      campaignId: campaign.id,
      phoneNumberId: null,
      from: '+14155550100',
      to: '+12025550105',
      callerState: null,
      callerZip: null,
      source: 'simulator',
      candidates: [candidate(b)],
      plan: { mode: 'priority', order: [b.id], skipped: [] },
      inputOrder: [b.id],
      routingMethod: 'priority',
      fallback: { twiml: '<Response><Hangup/></Response>', to: 'hangup' },
    });

  async function fresh(): Promise<void> {
    await sql`UPDATE call_legs SET ended_at = now() WHERE ended_at IS NULL`.execute(db);
    await sql`VACUUM call_legs, calls, leg_usage_counters, buyers`.execute(db);
    // The counters past their 30 s grace, as for a buyer limited for longer than that.
    await sql`UPDATE leg_usage_counters SET trusted_from = now() - interval '1 second'`.execute(db);
  }

  async function measure(b: typeof hot, legMs: number): Promise<{ calls: number; latencies: number[] }> {
    await fresh();
    const endLegs = setInterval(() => {
      void sql`UPDATE call_legs SET ended_at = now() WHERE ended_at IS NULL AND started_at < now() - make_interval(secs => ${legMs / 1000})`
        .execute(db)
        .catch(() => undefined);
    }, 50);
    const latencies: number[] = [];
    const until = performance.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < until) {
          const start = performance.now();
          const result = await call(b);
          if (!result.created || !result.twiml?.includes(b.phone_number)) throw new Error(`call not routed to buyer ${b.id}`);
          latencies.push(performance.now() - start);
        }
      }),
    );
    clearInterval(endLegs);
    return { calls: latencies.length, latencies };
  }

  // Warm-up: the counter rows made, plans prepared on every connection.
  for (const b of [hot, free]) await measure(b, 100);

  const rows: Row[] = [];
  for (const legMs of args['leg-ms'].split(',').map(Number)) {
    const pair: Row[] = [
      { name: 'one hot buyer, limit + caps', legMs, calls: [], latencies: [] },
      { name: 'one buyer, no limits', legMs, calls: [], latencies: [] },
    ];
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const m = await measure(i === 0 ? hot : free, legMs);
        pair[i]!.calls.push(m.calls / SECONDS);
        pair[i]!.latencies.push(...m.latencies);
      }
    }
    rows.push(...pair);
  }

  const { rows: version } = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(db);
  console.log(
    `Capped reservation (record_reserved_call), PostgreSQL ${version[0]?.v}: ${CONNECTIONS} connections calling at once for ${SECONDS} s a row, ` +
      `${ROUNDS} round(s) in turned order; legs ended --leg-ms after they start; calls/s the median of the rounds, p50 / p99 over every call`,
  );
  const table = rows.map((r) => {
    const sorted = [...r.latencies].sort((a, b) => a - b);
    const unlimited = rows.find((o) => o.legMs === r.legMs && o !== r && o.name.includes('no limits'));
    const share = r.name.includes('hot') && unlimited ? `${Math.round((median(r.calls) / median(unlimited.calls)) * 100)} %` : '—';
    return [r.name, String(r.legMs), String(sorted.length), percentile(sorted, 50).toFixed(2), percentile(sorted, 99).toFixed(2), Math.round(median(r.calls)).toLocaleString('en-US'), share];
  });
  console.log(markdownTable(['row', 'leg ms', 'calls', 'p50 ms', 'p99 ms', 'calls/s', 'of no limits'], table, (c) => c === 0).join('\n'));
} finally {
  await database.close();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
}
