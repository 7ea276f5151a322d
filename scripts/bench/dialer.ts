// Dialer benchmark (issue 18): a campaign of --leads leads dialled by --instances dial loops on one
// PostgreSQL (each its own pg pool, as separate servers would have), with --agents available
// agents, for each dial mode asked. The carrier is in-process and plays each call on a clock
// --speedup times faster than real time, by the simulator's number patterns (busy, no answer,
// an answering machine, a person answering after 3 s and talking 30 s); it drives the dialer's own
// code — runDialerTick, the answer decision (answerOutbound: agent claimed, or the person waits
// and is abandoned after 2 s), finishCall — but not HTTP (the webhook path has its own benchmark).
//
//   npx tsx scripts/bench/dialer.ts [--leads 100000] [--agents 50] [--instances 2] [--modes progressive,predictive]
//                                   [--lines-per-agent 2] [--speedup 1000] [--database-url URL] [--debug]
//
// Counted and printed: call starts per second (the dialer's own rate), dial decisions per second
// (leads placed, deferred or found on the DNC list), time to drain, the abandonment rate, the most
// calls open at once against the lines allowed, and violations — a call placed outside the lead's
// calling hours, to a DNC number, or a lead dialled twice — which must be 0. 1 % of the leads are
// on the DNC list and 5 % live where it is night; both must never be dialled.
import { parseArgs } from 'node:util';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../db/connection.js';
import { migrateToLatest } from '../../db/migrate.js';
import { LOCAL_TEST_DATABASE_URL } from '../../server/platform/config.js';
import { isCallable } from '../../server/dialer/schedule/calling-hours.js';
import { callingWindow } from '../../server/dialer/loop/selection.js';
import { runDialerTick } from '../../server/dialer/loop/tick.js';
import { answerOutbound } from '../../server/dialer/webhooks/answer.js';
import { finishCall } from '../../server/dialer/webhooks/finish.js';
import { outboundUrls } from '../../server/dialer/webhooks/urls.js';
import { outboundBehaviour } from '../../server/telephony/simulator/outbound.js';
import type { PlaceCallInput } from '../../server/telephony/types.js';
import type { DialMode } from '../../db/types.js';
import { createBenchSchema, dropBenchSchema } from './load.js';
import { markdownTable } from './markdown-table.js';
import { zoneAtHour } from '../../test/dialer/zones.js';

const { values: args } = parseArgs({
  options: {
    leads: { type: 'string', default: '100000' },
    agents: { type: 'string', default: '50' },
    instances: { type: 'string', default: '2' },
    modes: { type: 'string', default: 'progressive,predictive' },
    'lines-per-agent': { type: 'string', default: '2' },
    speedup: { type: 'string', default: '1000' },
    'database-url': { type: 'string', default: LOCAL_TEST_DATABASE_URL },
    debug: { type: 'boolean', default: false },
  },
});
const LEADS = Number(args.leads);
const AGENTS = Number(args.agents);
const INSTANCES = Number(args.instances);
const SPEEDUP = Number(args.speedup);
const LINES_PER_AGENT = Number(args['lines-per-agent']);
const BASE_URL = 'http://bench.invalid';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const scaled = (seconds: number) => sleep((seconds * 1000) / SPEEDUP);


/** The i-th lead's number: its last four digits choose the outcome (1 in 10 busy, no answer, machine; 7 in 10 a person). */
function phoneOf(i: number): string {
  const group = Math.floor(i / 10);
  const kind = i % 10;
  const last4 = kind === 0 ? '0001' : kind === 1 ? '0002' : kind === 2 ? '0004' : String(2000 + kind);
  return `+1${200 + (group % 800)}${200 + Math.floor(group / 800)}${last4}`;
}

interface Row {
  mode: string;
  placed: number;
  decided: number;
  seconds: number;
  abandoned: number;
  personAnswered: number;
  maxOpen: number;
  lines: number;
  violations: { hours: number; dnc: number; twice: number };
  /** CPU seconds of this process (dial loops + carrier) per second of run. */
  processBusy: number;
}

async function runMode(mode: DialMode, databases: Database[]): Promise<Row> {
  const db = databases[0]!.db;
  const org = await db.insertInto('organizations').values({ name: `Dialer bench ${mode}` }).returning('id').executeTakeFirstOrThrow();
  const group = await db.insertInto('agent_groups').values({ org_id: org.id, name: 'Floor' }).returning('id').executeTakeFirstOrThrow();
  for (let i = 0; i < AGENTS; i += 1) {
    await db.insertInto('agents').values({ org_id: org.id, group_id: group.id, name: `Agent ${i}`, phone_e164: `+1312555${String(1000 + i)}`, status: 'available' }).execute();
  }
  const day = zoneAtHour(9, 20);
  const night = zoneAtHour(1, 6);
  const campaign = await db
    .insertInto('campaigns')
    .values({
      org_id: org.id,
      name: `Bench ${mode}`,
      rtb_id: randomBytes(16).toString('hex'),
      direction: 'outbound',
      status: 'paused',
      caller_id: '+14155550000',
      agent_group_id: group.id,
      time_zone: day,
      dial_mode: mode,
      amd_enabled: true,
      voicemail_drop: JSON.stringify({ text: 'Please call us back.' }),
      lines_per_agent: LINES_PER_AGENT,
      max_abandon_rate: 0.03,
      calling_days: [1, 2, 3, 4, 5, 6, 7],
      // No retries: the campaign drains.
      retry_policy: JSON.stringify({ no_answer: null, busy: null, failed: null, voicemail: null }),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  // Leads in bulk: 5 % in the night zone, 1 % on the DNC list.
  const BATCH = 5000;
  const dnc = new Set<string>();
  for (let start = 0; start < LEADS; start += BATCH) {
    const rows = [];
    for (let i = start; i < Math.min(LEADS, start + BATCH); i += 1) {
      const phone = phoneOf(i);
      if (i % 100 === 50) dnc.add(phone);
      rows.push({ org_id: org.id, campaign_id: campaign.id, phone, phone_e164: phone, time_zone: i % 20 === 7 ? night : day });
    }
    await db.insertInto('leads').values(rows).execute();
  }
  await db.insertInto('dnc_numbers').values([...dnc].map((phone_e164) => ({ org_id: org.id, phone_e164 }))).execute();
  await sql`ANALYZE leads`.execute(db);

  // The carrier: plays each placed call on the scaled clock through the dialer's own functions.
  const window = callingWindow(campaign);
  const zoneOfPhone = new Map<string, string>();
  for (let i = 0; i < LEADS; i += 1) zoneOfPhone.set(phoneOf(i), i % 20 === 7 ? night : day);
  const dialled = new Set<string>();
  const violations = { hours: 0, dnc: 0, twice: 0 };
  const plays: Array<Promise<void>> = [];
  const urls = outboundUrls(BASE_URL);
  const newSid = () => `CA${randomBytes(16).toString('hex')}`;
  const agentLegs = { kind: 'simulator' as const, placeCall: async () => ({ callSid: newSid() }) };
  const play = async (input: PlaceCallInput, callSid: string): Promise<void> => {
    const callId = Number(new URL(input.statusCallbackUrl).searchParams.get('callId'));
    const behaviour = outboundBehaviour(input.to);
    if (behaviour.kind !== 'person' && behaviour.kind !== 'machine') {
      // Busy and failed end after a second; nobody answering rings until the call's timeout.
      await scaled(behaviour.kind === 'no-answer' ? (input.timeoutSeconds ?? 30) : 1);
      await finishCall(db, callId, { status: behaviour.kind, durationSec: 0 }, new Date());
      return;
    }
    await scaled(behaviour.answerAfterSec);
    const callRow = async () => db.selectFrom('calls').selectAll().where('id', '=', callId).where('call_sid', '=', callSid).executeTakeFirst();
    // Asynchronous AMD: a person is known after 2 s, a machine at the beep (the AMD webhook's write).
    await scaled(behaviour.kind === 'person' ? 2 : behaviour.greetingSec);
    await db.updateTable('calls').set({ answered_by: behaviour.kind === 'person' ? 'human' : 'machine_end_beep' }).where('id', '=', callId).where('answered_by', 'is', null).execute();
    // The answer, asked again after each wait (as Twilio follows <Redirect>), until it bridges or gives up.
    let talk = behaviour.kind === 'person' ? behaviour.talkSec : 3;
    for (let agentWait = 0; ; agentWait += 1) {
      let row = await callRow();
      for (let i = 0; !row && i < 50; i += 1) {
        await sleep(2);
        row = await callRow();
      }
      if (!row) return;
      const twiml = await answerOutbound({ db, telephony: agentLegs, urls, audioUrl: (id) => id }, row, { callId, poll: 0, agentWait });
      if (twiml.includes('<Redirect')) {
        await scaled(1);
        continue;
      }
      if (twiml.includes('all of our agents are busy')) talk = 5;
      break;
    }
    await scaled(talk);
    await finishCall(db, callId, { status: 'completed', durationSec: Math.round(talk) }, new Date());
  };
  const carrier = {
    kind: 'simulator' as const,
    async placeCall(input: PlaceCallInput) {
      const zone = zoneOfPhone.get(input.to)!;
      if (!isCallable(new Date(), zone, window)) violations.hours += 1;
      if (dnc.has(input.to)) violations.dnc += 1;
      if (dialled.has(input.to)) violations.twice += 1;
      dialled.add(input.to);
      const callSid = newSid();
      plays.push(play(input, callSid).catch((err: unknown) => console.error('play failed', err)));
      return { callSid };
    },
  };

  await db.updateTable('campaigns').set({ status: 'active' }).where('id', '=', campaign.id).execute();
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  let maxOpen = 0;
  let running = true;
  // Left to dial: leads in a call, and leads due now (index scans: leads_calling_idx, leads_due_idx).
  const remaining = async () => {
    const calling = await db.selectFrom('leads').select((eb) => eb.fn.countAll<string>().as('n')).where('campaign_id', '=', campaign.id).where('dial_status', '=', 'calling').executeTakeFirstOrThrow();
    const due = await db
      .selectFrom('leads')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('campaign_id', '=', campaign.id)
      .where('dial_status', 'in', ['pending', 'queued'])
      .where('do_not_call', '=', false)
      .where((eb) => eb.or([eb('next_call_at', 'is', null), eb('next_call_at', '<=', sql<Date>`now()`)]))
      .executeTakeFirstOrThrow();
    return Number(calling.n) + Number(due.n);
  };
  // What autovacuum does on a production server (this one may run with it off): dead row versions
  // of the dialled leads and the calls are cleared every 10 s, so index scans do not wade through them.
  const vacuum = (async () => {
    while (running) {
      await sleep(10_000);
      if (running) await sql`VACUUM (ANALYZE) leads, calls, campaigns, agents`.execute(db);
    }
  })();
  const sampler = (async () => {
    while (running) {
      const open = await db.selectFrom('calls').select((eb) => eb.fn.countAll<string>().as('n')).where('campaign_id', '=', campaign.id).where('status_rank', '<', 4).where('agent_id', 'is', null).executeTakeFirstOrThrow();
      maxOpen = Math.max(maxOpen, Number(open.n));
      await sleep(50);
    }
  })();
  let decided = 0;
  const loops = databases.map(async (database) => {
    while (running) {
      const result = await runDialerTick({ db: database.db, telephony: carrier, urls });
      decided += result.placed + result.deferred + result.dnc;
      await sleep(5);
    }
  });
  let lastReport = performance.now();
  while ((await remaining()) > 0) {
    await sleep(500);
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      console.error(`  ${mode}: ${dialled.size} placed, ${await remaining()} to go, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  running = false;
  await db.updateTable('campaigns').set({ status: 'inactive' }).where('id', '=', campaign.id).execute();
  await Promise.all([...loops, sampler, vacuum]);
  await Promise.all(plays);
  const outcome = await db
    .selectFrom('calls')
    .select([sql<string>`count(*) FILTER (WHERE disposition = 'abandoned')`.as('abandoned'), sql<string>`count(*) FILTER (WHERE disposition IN ('answered', 'abandoned'))`.as('person')])
    .where('campaign_id', '=', campaign.id)
    .executeTakeFirstOrThrow();
  if (args.debug) {
    // The calls by outcome, to read the figures against.
    const byDisposition = await db.selectFrom('calls').select(['status', 'disposition', 'answered_by', (eb) => eb.fn.countAll<string>().as('n')]).where('campaign_id', '=', campaign.id).groupBy(['status', 'disposition', 'answered_by']).execute();
    console.error(byDisposition);
  }
  const twice = await db
    .selectFrom('calls')
    .select('lead_id')
    .where('campaign_id', '=', campaign.id)
    .groupBy('lead_id')
    .having(sql<boolean>`count(*) > 1`)
    .execute();
  violations.twice += twice.length;
  return {
    mode,
    placed: dialled.size,
    decided,
    seconds,
    abandoned: Number(outcome.abandoned),
    personAnswered: Number(outcome.person),
    maxOpen,
    lines: AGENTS * LINES_PER_AGENT,
    violations,
    processBusy: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

const schema = `bench_dialer_${process.pid}`;
await createBenchSchema(args['database-url'], schema);
const databases: Database[] = [];
try {
  for (let i = 0; i < INSTANCES; i += 1) databases.push(await openDatabase({ databaseUrl: args['database-url'], searchPath: schema, poolSize: 10 }));
  await migrateToLatest(databases[0]!.db, schema);
  const autovacuum = (await sql<{ autovacuum: string }>`SHOW autovacuum`.execute(databases[0]!.db)).rows[0]?.autovacuum ?? '?';
  const rows: Row[] = [];
  for (const mode of args.modes.split(',') as DialMode[]) {
    console.error(`  ${mode}: ${LEADS} leads, ${AGENTS} agents, ${INSTANCES} dial loops…`);
    rows.push(await runMode(mode, databases));
  }
  const cpus = os.cpus();
  console.log(
    `\nDialer benchmark: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, PostgreSQL; ${INSTANCES} dial loops (separate pg pools) in one process with the in-process carrier; VACUUM of leads and calls every 10 s (autovacuum ${autovacuum}); ` +
      `${LEADS} leads (1 % DNC, 5 % at night), ${AGENTS} agents, ${LINES_PER_AGENT} lines per agent, clock ×${SPEEDUP}; load average after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  const header = ['mode', 'leads', 'calls placed', 'seconds to drain', 'call starts/s', 'dial decisions/s', 'most outstanding / lines', 'abandoned / person-answered', 'violations (hours, DNC, twice)', 'bench process CPU', 'target ≥ 200 starts/s', 'met?'];
  const body = rows.map((r) => [
    r.mode,
    String(LEADS),
    String(r.placed),
    r.seconds.toFixed(1),
    (r.placed / r.seconds).toFixed(0),
    (r.decided / r.seconds).toFixed(0),
    `${r.maxOpen} / ${r.lines}`,
    `${r.abandoned} / ${r.personAnswered} (${r.personAnswered ? ((100 * r.abandoned) / r.personAnswered).toFixed(1) : '0.0'} %)`,
    `${r.violations.hours}, ${r.violations.dnc}, ${r.violations.twice}`,
    `${(100 * r.processBusy).toFixed(0)} %`,
    '≥ 200, 0 violations',
    r.placed / r.seconds >= 200 && r.violations.hours + r.violations.dnc + r.violations.twice === 0 ? 'yes' : 'NO',
  ]);
  for (const line of markdownTable(header, body, (c) => c === 0 || c >= 6)) console.log(line);
} finally {
  for (const d of databases) await d.close();
  await dropBenchSchema(args['database-url'], schema);
}
