// Reports benchmark (issue 6): every report through the real API on a database filled by
// scripts/seed-volume.ts (1,000,000 calls over 90 days by default), p50/p99 over repeated runs,
// for the largest organisation (40 % of the calls). Target: each ≤ 200 ms on PostgreSQL. Seed
// 003's analytics and generated reports (issue 19) too: as the owner and as one of the agents,
// JSON, CSV and PDF.
//
//   npx tsx scripts/seed-volume.ts --schema volume           # once (a few minutes)
//   npx tsx scripts/bench/reports.ts --schema volume [--runs 30] [--raw]
//
// The server is scripts/bench/reports-server.ts in its own process; requests are sent one at a
// time (latency, not throughput), after one warm-up request each. --raw also times, for
// comparison, the same figures of two reports computed straight from the base tables (what the
// hourly summaries spare).
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../../db/connection.js';
import { firstMessage, forkTsChild, percentile, stopChild } from './load.js';
import { scriptDatabaseUrl } from '../../server/platform/config.js';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: scriptDatabaseUrl() },
    schema: { type: 'string', default: 'volume' },
    runs: { type: 'string', default: '30' },
    user: { type: 'string', default: 'volume-1@example.com' },
    agent: { type: 'string', default: 'v1-agent-1@example.com' },
    password: { type: 'string', default: 'volume-password' },
    raw: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('npx tsx scripts/bench/reports.ts [--database-url URL] [--schema volume] [--runs 30] [--user volume-1@example.com] [--agent v1-agent-1@example.com] [--password volume-password] [--raw]');
  process.exit(0);
}
const RUNS = Number(args.runs);
const TARGET_MS = 200;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

const { db, close } = await openDatabase({ databaseUrl: args['database-url'], searchPath: args.schema, poolSize: 2 });
const volume = await sql<{ calls: string; auctions: string; bids: string; orgs: string }>`
  SELECT (SELECT count(*) FROM calls) AS calls, (SELECT count(*) FROM bid_requests) AS auctions,
    (SELECT count(*) FROM bid_responses) AS bids, (SELECT count(*) FROM organizations) AS orgs`
  .execute(db)
  .catch(() => undefined);
if (!volume || Number(volume.rows[0]!.calls) === 0) {
  console.error(`schema ${args.schema} has no calls: run npx tsx scripts/seed-volume.ts --schema ${args.schema} first`);
  process.exit(2);
}
const v = volume.rows[0]!;
const org = await db.selectFrom('users').innerJoin('organizations', 'organizations.id', 'users.org_id').select(['users.org_id', 'organizations.name']).where('users.email', '=', args.user).executeTakeFirstOrThrow();
const orgCalls = await sql<{ n: string }>`SELECT count(*) AS n FROM calls WHERE org_id = ${org.org_id}`.execute(db);
const campaign = await db.selectFrom('campaigns').select('id').where('org_id', '=', org.org_id).orderBy('name').executeTakeFirstOrThrow();
const buyer = await db.selectFrom('buyers').select('id').where('org_id', '=', org.org_id).orderBy('id').executeTakeFirstOrThrow();

const server = forkTsChild(here('./reports-server.ts'), ['--database-url', args['database-url'], '--schema', args.schema]);
const exitCode = 0;
try {
  const { port } = await firstMessage<{ port: number }>(server, 'reports server');
  const base = `http://127.0.0.1:${port}`;
  const logIn = async (email: string) => {
    const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: args.password }) });
    if (login.status !== 200) throw new Error(`login of ${email} failed: ${login.status}`);
    return login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  };
  const cookie = await logIn(args.user);
  const agentCookie = await logIn(args.agent);
  const agent = await db.selectFrom('agents').select('id').where('org_id', '=', org.org_id).orderBy('name').executeTakeFirstOrThrow();

  const today = new Date().toISOString().slice(0, 10);
  const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
  const last90 = `startDate=${daysAgo(89)}&endDate=${today}`;
  const last30 = `startDate=${daysAgo(29)}&endDate=${today}`;
  const cases: Array<[string, string]> = [
    ['rtb-performance, 90 days, UTC', `/api/reports/rtb-performance?${last90}`],
    ['rtb-performance, 90 days, one campaign, New York', `/api/reports/rtb-performance?${last90}&campaignId=${campaign.id}&timeZone=America/New_York`],
    ['rtb-performance, 90 days, Kolkata (+05:30)', `/api/reports/rtb-performance?${last90}&timeZone=Asia/Kolkata`],
    ['call-analytics by campaign, 90 days', `/api/reports/call-analytics?${last90}&groupBy=campaign`],
    ['call-analytics by buyer, 90 days', `/api/reports/call-analytics?${last90}&groupBy=buyer`],
    ['call-analytics by target, 90 days', `/api/reports/call-analytics?${last90}&groupBy=target`],
    ['call-analytics by day, 90 days, New York', `/api/reports/call-analytics?${last90}&groupBy=day&timeZone=America/New_York`],
    ['call-analytics by day, 90 days, Kolkata (+05:30)', `/api/reports/call-analytics?${last90}&groupBy=day&timeZone=Asia/Kolkata`],
    ['call-analytics by hour, 30 days, Kolkata (+05:30)', `/api/reports/call-analytics?${last30}&groupBy=hour&timeZone=Asia/Kolkata`],
    ['call-analytics by hour, 90 days, UTC', `/api/reports/call-analytics?${last90}&groupBy=hour`],
    ['buyers/stats (hour, day, month, total)', '/api/buyers/stats?timeZone=America/New_York'],
    ['stats/historical, 90 days', '/api/stats/historical?days=90'],
    ['stats/historical, 30 days, Kolkata', '/api/stats/historical?days=30&timeZone=Asia/Kolkata'],
    ['stats/campaigns/{id}, 90 days', `/api/stats/campaigns/${campaign.id}?days=90`],
    ['stats/buyers/{id}, 90 days', `/api/stats/buyers/${buyer.id}?days=90`],
    ['stats/dashboard', '/api/stats/dashboard?timeZone=America/New_York'],
    ['analytics/performance, last 30 days', '/api/analytics/performance'],
    ['analytics/performance, 90 days, one agent, New York', `/api/analytics/performance?${last90}&agentId=${agent.id}&timeZone=America/New_York`],
  ];
  const range90 = { start: daysAgo(89), end: today };
  /** Seed 003's generated reports: [name, body, as the agent]. */
  const generated: Array<[string, Record<string, unknown>, boolean]> = [
    ['reports/generate agent_performance, 90 days, JSON', { reportType: 'agent_performance', dateRange: range90 }, false],
    ['reports/generate agent_performance, 90 days, PDF', { reportType: 'agent_performance', dateRange: range90, format: 'pdf' }, false],
    ['reports/generate call_outcomes by day, 90 days, New York, CSV', { reportType: 'call_outcomes', dateRange: range90, timeZone: 'America/New_York', format: 'csv' }, false],
    ['reports/generate call_outcomes by day, 90 days, Kolkata, PDF', { reportType: 'call_outcomes', dateRange: range90, timeZone: 'Asia/Kolkata', format: 'pdf' }, false],
    ['reports/generate call_outcomes by campaign, 90 days, JSON', { reportType: 'call_outcomes', groupBy: 'campaign', dateRange: range90 }, false],
    ['reports/generate lead_conversion by campaign, 90 days, JSON', { reportType: 'lead_conversion', dateRange: range90 }, false],
    ['reports/generate lead_conversion by source, 90 days, PDF', { reportType: 'lead_conversion', groupBy: 'source', dateRange: range90, format: 'pdf' }, false],
    ['analytics/performance, last 30 days, as an agent', {}, true],
    ['reports/generate agent_performance, 90 days, as an agent, PDF', { reportType: 'agent_performance', dateRange: range90, format: 'pdf' }, true],
  ];

  interface Row {
    name: string;
    p50: number;
    p99: number;
    mean: number;
    max: number;
  }
  const rows: Row[] = [];
  const time = async (name: string, fn: () => Promise<void>) => {
    await fn(); // warm-up
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const row = { name, p50: percentile(times, 50), p99: percentile(times, 99), mean: times.reduce((a, b) => a + b, 0) / times.length, max: times.at(-1)! };
    rows.push(row);
    console.error(`  ${name}: p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms`);
  };
  for (const [name, path] of cases) {
    await time(name, async () => {
      const res = await fetch(base + path, { headers: { cookie } });
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    });
  }
  for (const [name, body, asAgent] of generated) {
    const headers = { cookie: asAgent ? agentCookie : cookie, 'content-type': 'application/json' };
    const analytics = Object.keys(body).length === 0;
    await time(name, async () => {
      const res = analytics
        ? await fetch(`${base}/api/analytics/performance`, { headers: { cookie: headers.cookie } })
        : await fetch(`${base}/api/reports/generate`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    });
  }

  const rawRows: Row[] = [];
  if (args.raw) {
    const from = new Date(`${daysAgo(89)}T00:00:00Z`);
    const time2 = async (name: string, query: () => Promise<unknown>) => {
      const before = rows.length;
      await time(name, async () => void (await query()));
      rawRows.push(...rows.splice(before));
    };
    await time2('raw: calls by campaign, 90 days (base table)', () =>
      sql`SELECT campaign_id, count(*), count(*) FILTER (WHERE status = 'completed'), sum(COALESCE(revenue_override, revenue, 0)), avg(duration_sec)
          FROM calls WHERE org_id = ${org.org_id} AND created_at >= ${from} GROUP BY 1`.execute(db),
    );
    await time2('raw: bids by target, 90 days (base table)', () =>
      sql`SELECT rtb_target_id, count(*) FILTER (WHERE status <> 'filtered'), count(*) FILTER (WHERE is_valid), count(*) FILTER (WHERE is_winning_bid),
            avg(bid_amount) FILTER (WHERE is_valid), avg(response_time_ms)
          FROM bid_responses WHERE org_id = ${org.org_id} AND created_at >= ${from} GROUP BY 1`.execute(db),
    );
  }

  const header = ['report (largest organisation)', 'runs', 'p50 ms', 'p99 ms', 'mean ms', 'max ms', 'target', 'met?'];
  const table = [
    ...rows.map((r) => [r.name, String(RUNS), r.p50.toFixed(1), r.p99.toFixed(1), r.mean.toFixed(1), r.max.toFixed(1), `≤ ${TARGET_MS} ms`, r.p99 <= TARGET_MS ? 'yes' : 'NO']),
    ...rawRows.map((r) => [r.name, String(RUNS), r.p50.toFixed(1), r.p99.toFixed(1), r.mean.toFixed(1), r.max.toFixed(1), '—', '—']),
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 || i >= 6 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(
    `\nReports benchmark: schema ${args.schema}: ${v.calls} calls, ${v.auctions} auctions, ${v.bids} bids, ${v.orgs} organisations; ` +
      `reports of "${org.name}" (${orgCalls.rows[0]!.n} calls); through the API (server in its own process), one request at a time; p99 against ≤ ${TARGET_MS} ms`,
  );
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of table) console.log(line(row));
} finally {
  await stopChild(server);
  await close();
}
process.exit(exitCode);
