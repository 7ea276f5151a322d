// AI analytics benchmark (issue 20): seed 004's analytics and stats through the real API over
// 100,000 AI calls of one organisation (60 % outbound attempts, 40 % inbound calls taken by an
// agent, each with a priced conversation, over the last 365 days), beside as many calls no agent
// took and another organisation's AI calls. p50 / p99 per request on PostgreSQL, one request at
// a time after a warm-up; --explain prints the plans of the range queries.
//
//   npx tsx scripts/bench/ai-analytics.ts [--database-url URL] [--calls 100000] [--runs 30] [--explain] [--keep]
//
// The data lives in a schema of its own (bench_ai_<pid>), dropped at the end (--keep: kept, named).
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import { scriptDatabaseUrl } from '../../server/platform/config.js';
import { startBenchApp } from './bench-app.js';
import { createBenchSchema, dropBenchSchema, percentile } from './load.js';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: scriptDatabaseUrl() },
    calls: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '30' },
    explain: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('npx tsx scripts/bench/ai-analytics.ts [--database-url URL] [--calls 100000] [--runs 30] [--explain] [--keep]');
  process.exit(0);
}
const CALLS = Number(args.calls);
const RUNS = Number(args.runs);
const databaseUrl = args['database-url'];

const schema = `bench_ai_${process.pid}`;
await createBenchSchema(databaseUrl, schema);
const { db, close } = await openDatabase({ databaseUrl, searchPath: schema, poolSize: 4 });
try {
  await migrateToLatest(db, schema);
  const bench = await startBenchApp(db, { AI_CALL_INTERVAL_MS: '0', LEAD_IMPORT_INTERVAL_MS: '0', DIALER_INTERVAL_MS: '0', REPORT_ROLLUP_INTERVAL_MS: '0' }, 'bench-token');
  const base = `http://127.0.0.1:${bench.port}`;
  const register = async (name: string) => {
    const email = `${name.toLowerCase().replace(/\W/g, '')}-${process.pid}@example.com`;
    const res = await fetch(`${base}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ organizationName: name, email, password: 'bench-password-1' }) });
    if (res.status !== 201) throw new Error(`register failed: ${res.status}`);
    const body = (await res.json()) as { organization: { id: string } };
    return { orgId: body.organization.id, cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') };
  };
  const main = await register('Bench AI Org');
  const other = await register('Other AI Org');

  const seeded = performance.now();
  for (const [org, n] of [
    [main.orgId, CALLS],
    [other.orgId, Math.round(CALLS / 4)],
  ] as const) {
    await sql`
      INSERT INTO ai_agents (org_id, name, system_prompt, model)
      SELECT ${org}, 'Agent ' || g, 'Be brief.', 'gpt-4o-mini' FROM generate_series(1, 8) g`.execute(db);
    const outbound = Math.round(n * 0.6);
    const inbound = n - outbound;
    // Outbound attempts: placed over the last 365 days, statuses as a dialler sees them, priced.
    await sql`
      INSERT INTO ai_outbound_calls (org_id, agent_id, to_phone, status, attempt, failure_reason, started_at, ended_at, duration_sec, cost, cost_breakdown, outcome)
      SELECT ${org}, a.id, '+14155550100', s.status, 1 + (g % 3 = 0)::int, CASE WHEN s.status = 'failed' THEN 'Carrier error' END,
             t.at, t.at + interval '3 minutes', CASE WHEN s.status = 'completed' THEN 30 + g % 300 ELSE 0 END,
             0.05, '{"telephony":0.01,"stt":0.01,"llm":0.02,"tts":0.01}'::jsonb, CASE WHEN g % 11 = 0 THEN 'voicemail' END
        FROM generate_series(1, ${outbound}) g
        CROSS JOIN LATERAL (SELECT now() - (g % 365) * interval '1 day' - (g % 86400) * interval '1 second' AS at) t
        CROSS JOIN LATERAL (SELECT (ARRAY['completed','completed','completed','no-answer','busy','failed'])[1 + g % 6] AS status) s
        JOIN LATERAL (SELECT id FROM ai_agents WHERE org_id = ${org} ORDER BY name OFFSET g % 8 LIMIT 1) a ON true`.execute(db);
    // Inbound calls an agent took, each with its priced conversation.
    await sql`
      WITH made AS (
        INSERT INTO calls (org_id, call_sid, direction, ai_agent_id, status, status_rank, duration_sec, created_at, ended_at)
        SELECT ${org}, 'CAbench' || md5(${org}::text || g), 'inbound', a.id, CASE WHEN g % 5 = 0 THEN 'no-answer' ELSE 'completed' END, 4,
               CASE WHEN g % 5 = 0 THEN 0 ELSE 20 + g % 400 END, t.at, t.at + interval '5 minutes'
          FROM generate_series(1, ${inbound}) g
          CROSS JOIN LATERAL (SELECT now() - (g % 365) * interval '1 day' - (g % 86400) * interval '1 second' AS at) t
          JOIN LATERAL (SELECT id FROM ai_agents WHERE org_id = ${org} ORDER BY name OFFSET g % 8 LIMIT 1) a ON true
        RETURNING id, ai_agent_id, created_at)
      INSERT INTO ai_conversations (org_id, agent_id, agent_version, channel, call_id, mode, status, started_at, ended_at, cost, cost_breakdown, priced_at)
      SELECT ${org}, ai_agent_id, 1, 'voice', id, 'model', 'ended', created_at, created_at + interval '5 minutes', 0.07,
             '{"telephony":0.02,"stt":0.02,"llm":0.02,"tts":0.01}'::jsonb, now()
        FROM made`.execute(db);
    // As many calls no agent took (the organisation's other calls).
    await sql`
      INSERT INTO calls (org_id, call_sid, direction, status, status_rank, duration_sec, created_at)
      SELECT ${org}, 'CAplain' || md5(${org}::text || g), 'inbound', 'completed', 4, 60, now() - (g % 365) * interval '1 day'
        FROM generate_series(1, ${n}) g`.execute(db);
  }
  await sql`ANALYZE`.execute(db);
  console.log(`seeded ${CALLS} AI calls (+ ${Math.round(CALLS / 4)} of another organisation, + as many calls without an agent) in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

  const agent = await db.selectFrom('ai_agents').select('id').where('org_id', '=', main.orgId).orderBy('name').executeTakeFirstOrThrow();
  const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
  const year = `startDate=${day(364)}&endDate=${day(0)}`;
  const quarter = `startDate=${day(89)}&endDate=${day(0)}`;
  if (args.keep) console.log(`org ${main.orgId}, agent ${agent.id}`);
  const cases: Array<[string, string]> = [
    ['calls, 365 days by day, UTC', `/api/ai/analytics/calls?${year}`],
    ['calls, 90 days by week, New York', `/api/ai/analytics/calls?${quarter}&groupBy=week&timeZone=America/New_York`],
    ['calls, 365 days by month, one agent', `/api/ai/analytics/calls?${year}&groupBy=month&agentId=${agent.id}`],
    ['agent performance, 365 days', `/api/ai/analytics/agents/${agent.id}?${year}`],
    ['costs, 365 days by month', `/api/ai/analytics/costs?${year}&groupBy=month`],
    ['costs, 90 days', `/api/ai/analytics/costs?${quarter}`],
    ['stats', '/api/ai/stats'],
  ];
  console.log(`\n| request (${CALLS.toLocaleString('en')} AI calls, PostgreSQL, ${RUNS} runs) | p50 ms | p99 ms |\n|---|---|---|`);
  for (const [label, path] of cases) {
    const get = async () => {
      const res = await fetch(`${base}${path}`, { headers: { cookie: main.cookie } });
      if (res.status !== 200) throw new Error(`${label}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    await get();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await get();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(`| ${label} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 99).toFixed(1)} |`);
  }

  if (args.explain) {
    const from = new Date(Date.now() - 365 * 86_400_000);
    const to = new Date();
    for (const [label, query] of [
      ['outbound AI calls of a range', sql`SELECT count(*) FROM ai_outbound_calls o WHERE o.org_id = ${main.orgId} AND o.started_at IS NOT NULL AND o.started_at >= ${from} AND o.started_at < ${to}`],
      ['inbound AI calls of a range', sql`SELECT count(*) FROM calls c WHERE c.org_id = ${main.orgId} AND c.ai_agent_id IS NOT NULL AND c.direction = 'inbound' AND c.created_at >= ${from} AND c.created_at < ${to}`],
      ['priced conversations of a range', sql`SELECT sum(cost) FROM ai_conversations v WHERE v.org_id = ${main.orgId} AND v.started_at >= ${from} AND v.started_at < ${to} AND v.cost IS NOT NULL AND v.channel = 'voice'`],
      ['the settler: ended, not yet priced', sql`SELECT id FROM ai_outbound_calls o WHERE o.cost IS NULL AND o.ended_at IS NOT NULL AND o.ended_at <= now() ORDER BY o.ended_at LIMIT 100`],
    ] as const) {
      const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, COSTS OFF) ${query}`.execute(db);
      console.log(`\n${label}:\n${plan.rows.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`);
    }
  }
  await bench.app.close();
} finally {
  await close();
  if (args.keep) console.log(`\nkept schema ${schema}`);
  else await dropBenchSchema(databaseUrl, schema);
}
