// Fills a PostgreSQL database with report-sized volume (issue 6): by default 1,000,000 calls over
// the last 90 days across 4 organisations (40 / 30 / 20 / 10 %): 20 % of them outbound calls of
// the dialer bridged to 40 agents per organisation (issue 19; with leads — a quarter as many as
// calls — their stage histories, and call logs, a tenth as many: seed-volume-crm.ts), the rest
// inbound, half of those sold by RTB, each with its auction and 4 bids, plus 10 % more auctions
// nobody won.
//
//   npx tsx scripts/seed-volume.ts --database-url postgres://postgres@127.0.0.1:5432/test --schema volume
//   npx tsx scripts/seed-volume.ts --help
//
// The schema is created and migrated when missing (an existing one gets the volume added). Rows are
// written by INSERT … SELECT over generate_series (a few statements, no round trip per row) with
// triggers off for the session (session_replication_role = replica), then the report summaries
// are rebuilt from the base tables in one pass and the tables vacuumed and analysed. Each organisation gets an
// owner `volume-<n>@example.com` with the password given (default `volume-password`) so that the
// API can be asked for its reports (scripts/bench/reports.ts does).
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { hashPassword } from '../server/accounts/auth/passwords.js';
import { rebuildRollups } from '../server/reports/rollups.js';
import { scriptDatabaseUrl } from '../server/platform/config.js';
import { seedCrmVolume } from './seed-volume-crm.js';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: scriptDatabaseUrl() },
    schema: { type: 'string', default: 'volume' },
    calls: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '90' },
    orgs: { type: 'string', default: '4' },
    'outbound-share': { type: 'string', default: '0.2' },
    password: { type: 'string', default: 'volume-password' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('npx tsx scripts/seed-volume.ts [--database-url URL] [--schema volume] [--calls 1000000] [--days 90] [--orgs 4] [--outbound-share 0.2] [--password volume-password]');
  process.exit(0);
}

const CALLS = Number(args.calls);
const DAYS = Number(args.days);
const ORGS = Number(args.orgs);
const OUTBOUND_SHARE = Number(args['outbound-share']);
const SCHEMA = args.schema;
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(SCHEMA)) throw new Error('--schema must be a plain lower-case identifier');
if (!Number.isInteger(CALLS) || CALLS < 1 || !Number.isInteger(DAYS) || DAYS < 1 || !Number.isInteger(ORGS) || ORGS < 1) throw new Error('--calls, --days and --orgs must be positive whole numbers');
if (!(OUTBOUND_SHARE >= 0 && OUTBOUND_SHARE < 1)) throw new Error('--outbound-share must be at least 0 and below 1');

/** Shares of the calls by organisation: 4 → 40 / 30 / 20 / 10 %. */
function shares(n: number): number[] {
  const weights = Array.from({ length: n }, (_, i) => n - i);
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

const started = Date.now();
const step = (what: string) => console.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${what}`);

const admin = await openDatabase({ databaseUrl: args['database-url'], searchPath: 'public', poolSize: 1 });
await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(SCHEMA)}`.execute(admin.db);
await admin.close();

const { db, close } = await openDatabase({ databaseUrl: args['database-url'], searchPath: SCHEMA, poolSize: 1 });
try {
  const applied = await migrateToLatest(db, SCHEMA);
  step(`schema ${SCHEMA}: ${applied.length} migrations applied`);
  const passwordHash = await hashPassword(args.password);

  await db.connection().execute(async (conn) => {
    await sql`SET session_replication_role = replica`.execute(conn);
    let offset = 0;
    for (const [i, share] of shares(ORGS).entries()) {
      const total = i === ORGS - 1 ? CALLS - offset : Math.round(CALLS * share);
      offset += total;
      // The outbound share are the dialer's calls (seed-volume-crm.ts); the rest come in.
      const outbound = Math.round(total * OUTBOUND_SHARE);
      const count = total - outbound;
      const org = await conn.insertInto('organizations').values({ name: `Volume ${i + 1}` }).returning('id').executeTakeFirstOrThrow();
      const orgId = org.id;
      await conn.insertInto('users').values({ org_id: orgId, email: `volume-${i + 1}@example.com`, password_hash: passwordHash, role: 'owner' }).execute();
      const campaigns = await conn
        .insertInto('campaigns')
        .values(Array.from({ length: 5 }, (_, k) => ({ org_id: orgId, name: `Campaign ${k + 1}`, rtb_id: randomBytes(16).toString('hex'), routing_type: 'priority', enable_rtb: k < 3 })))
        .returning('id')
        .execute();
      const buyers = await conn
        .insertInto('buyers')
        .values(Array.from({ length: 6 }, (_, k) => ({ org_id: orgId, name: `Buyer ${k + 1}`, company_name: `Company ${k + 1}`, phone_number: `+1212555${String(1000 + k)}` })))
        .returning('id')
        .execute();
      const targets = await conn
        .insertInto('rtb_targets')
        .values(Array.from({ length: 4 }, (_, k) => ({ org_id: orgId, name: `Target ${k + 1}`, endpoint_url: `https://bidder-${k + 1}.example.com/bid` })))
        .returning('id')
        .execute();
      const campaignIds = `{${campaigns.map((c) => c.id).join(',')}}`;
      const buyerIds = `{${buyers.map((b) => b.id).join(',')}}`;
      const targetIds = `{${targets.map((x) => x.id).join(',')}}`;
      const tag = `v${i + 1}`;

      // Auctions: one per RTB call (half the calls), and 10 % more that nobody won.
      const auctions = Math.round(count / 2);
      const lost = Math.round(count / 10);
      await sql`
        INSERT INTO bid_requests (org_id, request_id, campaign_id, call_start_time, source, auction_type, status, total_targets_pinged,
          successful_responses, winning_bid_amount, clearing_price, winning_target_id, bidding_started_at, bidding_completed_at,
          total_response_time_ms, ledger, created_at)
        SELECT ${orgId}, ${tag} || '-' || g, (${campaignIds}::uuid[])[1 + (g % 3)], at, 'call', 'first_price',
          CASE WHEN g <= ${auctions} THEN 'won' ELSE 'no_valid_bids' END, 4, 3,
          CASE WHEN g <= ${auctions} THEN round((5 + random() * 45)::numeric, 2) END,
          CASE WHEN g <= ${auctions} THEN round((5 + random() * 45)::numeric, 2) END,
          CASE WHEN g <= ${auctions} THEN (${targetIds}::int[])[1 + (g % 4)] END,
          at, at + make_interval(secs => ms / 1000.0), ms, '{}'::jsonb, at
        FROM (SELECT g, now() - random() * make_interval(days => ${DAYS}) AS at, (20 + random() * 480)::int AS ms
              FROM generate_series(1, ${auctions + lost}) g) s`.execute(conn);
      step(`${tag}: ${auctions + lost} auctions`);
      await sql`
        INSERT INTO bid_responses (org_id, bid_request_id, request_id, rtb_target_id, target_name, status, http_status, response_time_ms,
          bid_amount, bid_currency, is_valid, is_winning_bid, created_at)
        SELECT r.org_id, r.id, r.request_id, t.id, 'Target ' || t.k,
          CASE WHEN t.k = 4 AND r.id % 5 = 0 THEN 'timeout' WHEN r.status = 'won' AND t.id = r.winning_target_id THEN 'success'
               WHEN r.status = 'won' THEN 'success' ELSE 'rejected' END,
          200, (10 + random() * 400)::int,
          CASE WHEN r.status = 'won' AND t.id = r.winning_target_id THEN r.winning_bid_amount ELSE round((1 + random() * 40)::numeric, 2) END,
          'USD', r.status = 'won' AND NOT (t.k = 4 AND r.id % 5 = 0), r.status = 'won' AND t.id = r.winning_target_id, r.created_at
        FROM bid_requests r CROSS JOIN LATERAL unnest(${targetIds}::int[]) WITH ORDINALITY AS t(id, k)
        WHERE r.org_id = ${orgId}`.execute(conn);
      step(`${tag}: ${4 * (auctions + lost)} bids`);

      // Calls: the first `auctions` are RTB calls (their auction's time, target and campaign), the rest go to buyers.
      await sql`
        INSERT INTO calls (org_id, call_sid, direction, campaign_id, buyer_id, rtb_target_id, bid_request_id, from_number, to_number,
          status, status_rank, duration_sec, connected_duration_sec, routing_method, payout, revenue, revenue_qualified_at, ended_at,
          created_at, updated_at)
        SELECT ${orgId}, 'CA' || md5(${tag} || g), 'inbound', campaign_id, buyer_id, target_id, request_id, '+1310555' || lpad((g % 10000)::text, 4, '0'),
          '+1646555' || lpad((g % 1000)::text, 4, '0'), status, CASE WHEN status IN ('completed', 'busy', 'no-answer', 'failed') THEN 4 ELSE 3 END,
          duration, COALESCE(duration, 0), CASE WHEN target_id IS NULL THEN 'priority' ELSE 'rtb' END, payout,
          CASE WHEN status = 'completed' AND duration >= 60 THEN payout END,
          CASE WHEN status = 'completed' AND duration >= 60 THEN at + make_interval(secs => duration) END,
          CASE WHEN status <> 'in-progress' THEN at + make_interval(secs => COALESCE(duration, 0)) END, at, at
        FROM (
          SELECT g, r.id AS request_id, COALESCE(r.created_at, now() - random() * make_interval(days => ${DAYS})) AS at,
            COALESCE(r.campaign_id, (${campaignIds}::uuid[])[1 + (g % 5)]) AS campaign_id,
            CASE WHEN r.id IS NULL THEN (${buyerIds}::int[])[1 + (g % 6)] END AS buyer_id, r.winning_target_id AS target_id,
            COALESCE(r.winning_bid_amount, round((5 + random() * 45)::numeric, 2)) AS payout,
            x.status, CASE WHEN x.status = 'completed' THEN (10 + random() * 890)::int END AS duration
          FROM generate_series(1, ${count}) g
          LEFT JOIN bid_requests r ON r.org_id = ${orgId} AND r.request_id = ${tag} || '-' || g AND g <= ${auctions}
          CROSS JOIN LATERAL (SELECT CASE WHEN random() < 0.70 THEN 'completed' WHEN random() < 0.5 THEN 'no-answer'
                                          WHEN random() < 0.6 THEN 'busy' ELSE 'failed' END AS status) x
        ) s`.execute(conn);
      step(`${tag}: ${count} inbound calls`);
      const agents = 40;
      await seedCrmVolume(conn, {
        orgId, tag, campaignIds: campaigns.map((c) => c.id), passwordHash, days: DAYS, agents,
        leads: Math.round(total / 4), outboundCalls: outbound, callLogs: Math.round(total / 10),
      });
      step(`${tag}: ${agents} agents, ${Math.round(total / 4)} leads with their stage histories, ${outbound} outbound calls, ${Math.round(total / 10)} call logs`);
    }
    await sql`SET session_replication_role = DEFAULT`.execute(conn);
  });

  await rebuildRollups(db);
  step('report summaries rebuilt from the base tables');
  // As autovacuum would, before reports read: statistics, and the visibility map index-only scans need.
  await sql`VACUUM ANALYZE`.execute(db);
  const counts = await sql<{ calls: string; auctions: string; bids: string; call_rows: string; agent_rows: string; bid_rows: string }>`
    SELECT (SELECT count(*) FROM calls) AS calls, (SELECT count(*) FROM bid_requests) AS auctions, (SELECT count(*) FROM bid_responses) AS bids,
      (SELECT count(*) FROM call_stats_h_full) AS call_rows, (SELECT count(*) FROM call_stats_h_agent) AS agent_rows,
      (SELECT count(*) FROM bid_stats_h_full) AS bid_rows`.execute(db);
  const c = counts.rows[0]!;
  step(
    `done: ${c.calls} calls, ${c.auctions} auctions, ${c.bids} bids in schema ${SCHEMA}; hourly summaries: ${c.call_rows} call rows (full key), ` +
      `${c.agent_rows} (campaign, agent, disposition), ${c.bid_rows} bid rows`,
  );
} finally {
  await close();
}
