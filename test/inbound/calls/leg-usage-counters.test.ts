// The leg counters behind the limits: per window for the caps (migration 0022), the legs not
// ended for a concurrency limit (0047). Reservations read a counter row instead of counting the
// owner's legs, and the counter stays equal to the count whatever writes the legs (reservations,
// the unlimited path, dial callbacks, deletes, moved windows). A new counter row is re-counted
// until one re-count after its first 30 s trusts it (migration 0048); `trustCounters` trusts the
// rows so that these tests exercise the counters themselves. Runs on PGlite and on PostgreSQL; the
// cross-instance race runs on two pg pools on PostgreSQL.
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../../../db/types.js';
import { applyCallEvent, type LegLimits, recordInboundCall, reserveLeg } from '../../../server/inbound/calls/queries/index.js';
import { createBuyer, createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { seeded } from '../routing/prng.js';
import { fixedWindows, newCallSid, noLimits, onPostgres, openSecondInstance } from './db-helpers.js';
import { dial } from './helpers.js';

const POLICY = { minDurationSec: 0, payout: '5' };

let t: TestApp;
let owner: Member;
let campaignId: string;
let second: { db: Kysely<DB>; close: () => Promise<void> } | null = null;

beforeAll(async () => {
  t = await startTestApp();
  if (onPostgres) second = await openSecondInstance(t);
  owner = await registerOrg(t, 'Counters Org');
  campaignId = (await createCampaign(owner.client, { enableRtb: false })).id;
});

afterAll(async () => {
  await second?.close();
  await t?.close();
});

async function newCall(db: Kysely<DB> = t.db) {
  const { call } = await recordInboundCall(db, { orgId: owner.orgId, callSid: newCallSid(), campaignId });
  return call;
}

const newBuyer = async () => (await createBuyer(owner.client)).id;

function reserve(buyerId: number, callId: number, limits: LegLimits, startedAt?: Date, db: Kysely<DB> = t.db) {
  return reserveLeg(db, { orgId: owner.orgId, callId, attempt: 1, buyerId, destination: '+12125550001', payout: '5', limits, startedAt });
}

/** Ends the grace period of every counter row (as 30 s passing would); the rows stay untrusted until re-counted. */
async function endGrace(): Promise<void> {
  await sql`UPDATE leg_usage_counters SET grace_until = now() - interval '1 second'`.execute(t.db);
}

/** Trusts every counter row (as a re-count after its grace would). */
async function trustCounters(): Promise<void> {
  await sql`UPDATE leg_usage_counters SET trusted_from = now() - interval '1 second'`.execute(t.db);
}

async function counters(buyerId: number) {
  const { rows } = await sql<{ period: string; window_start: Date; legs: number; trusted: boolean }>`
    SELECT period, window_start, legs, trusted_from <= now() AS trusted FROM leg_usage_counters
    WHERE owner_kind = 'buyer' AND owner_id = ${buyerId} ORDER BY period`.execute(t.db);
  return rows;
}

/** The count a window row must equal: the buyer's counted legs started at or after `since`. */
async function scanned(buyerId: number, since: Date): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT count(*) AS n FROM call_legs WHERE buyer_id = ${buyerId} AND started_at >= ${since}
      AND (dial_status IS NULL OR dial_status IN ('answered', 'completed'))`.execute(t.db);
  return Number(rows[0]?.n ?? 0);
}

/** The count the open row must equal (migration 0047): the buyer's legs not ended, stale ones included. */
async function scannedOpen(buyerId: number): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM call_legs WHERE buyer_id = ${buyerId} AND ended_at IS NULL`.execute(t.db);
  return Number(rows[0]?.n ?? 0);
}

async function expectCountersMatch(buyerId: number): Promise<void> {
  for (const row of await counters(buyerId)) {
    const legs = row.period === 'open' ? await scannedOpen(buyerId) : await scanned(buyerId, row.window_start);
    expect({ period: row.period, legs: row.legs }).toEqual({ period: row.period, legs });
  }
}

describe('leg usage counters (migrations 0022, 0047, 0048)', () => {
  it('a capped reservation creates one row per capped period, untrusted for its first 30 s', async () => {
    const buyer = await newBuyer();
    const windows = fixedWindows();
    expect(await reserve(buyer, (await newCall()).id, { ...noLimits(windows), hourlyCap: 5, monthlyCap: 50 })).toEqual({ reserved: true });
    const rows = await counters(buyer);
    expect(rows.map((r) => [r.period, r.legs, r.trusted])).toEqual([
      ['hour', 1, false],
      ['month', 1, false],
    ]);
    expect(rows.find((r) => r.period === 'hour')?.window_start.getTime()).toBe(windows.hourStart.getTime());
    // A concurrency limit keeps its own row of the legs not ended (migration 0047).
    const other = await newBuyer();
    await reserve(other, (await newCall()).id, { ...noLimits(windows), maxConcurrent: 3 });
    expect((await counters(other)).map((r) => [r.period, r.legs, r.trusted])).toEqual([['open', 1, false]]);
  });

  it('the open counter is only a bound: stale open legs fill it, and the exact count still lets a call through', async () => {
    const buyer = await newBuyer();
    const windows = fixedWindows();
    // Two legs whose status callbacks never came, started long before the stale horizon.
    const longAgo = new Date(Date.now() - 6 * 3_600_000);
    await reserve(buyer, (await newCall()).id, noLimits(windows), longAgo);
    await reserve(buyer, (await newCall()).id, noLimits(windows), longAgo);
    const limits = { ...noLimits(windows), maxConcurrent: 2 };
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: true });
    await trustCounters();
    expect((await counters(buyer)).map((r) => [r.period, r.legs])).toEqual([['open', 3]]);
    // The counter (3) is at the limit; the exact count (1, the stale legs left out) is not.
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: true });
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: false, reason: 'concurrency_reached' });
    await expectCountersMatch(buyer);
  });

  it.each([
    { limit: { hourlyCap: 5 }, period: 'hour' },
    { limit: { maxConcurrent: 5 }, period: 'open' },
  ] as const)('a new $period row is trusted only by a re-count after its grace: a leg its first count missed is counted then', async ({ limit, period }) => {
    const buyer = await newBuyer();
    const limits = { ...noLimits(fixedWindows()), ...limit };
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: true });
    // A leg another instance wrote while the row was made, which the row's first count missed.
    await reserve(buyer, (await newCall()).id, noLimits(fixedWindows()));
    await sql`UPDATE leg_usage_counters SET legs = legs - 1 WHERE owner_kind = 'buyer' AND owner_id = ${buyer}`.execute(t.db);
    expect((await counters(buyer)).map((r) => [r.period, r.legs, r.trusted])).toEqual([[period, 1, false]]);
    // The grace ends with no reservation in it: the row is still not trusted as it was made.
    await endGrace();
    expect((await counters(buyer)).map((r) => [r.period, r.legs, r.trusted])).toEqual([[period, 1, false]]);
    // The next reservation re-counts it (the missed leg included) and only then trusts it.
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: true });
    expect((await counters(buyer)).map((r) => [r.period, r.legs, r.trusted])).toEqual([[period, 3, true]]);
    await expectCountersMatch(buyer);
  });

  it('a re-count within the grace does not trust the row', async () => {
    const buyer = await newBuyer();
    const limits = { ...noLimits(fixedWindows()), dailyCap: 5 };
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: true });
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: true });
    expect((await counters(buyer)).map((r) => [r.period, r.legs, r.trusted])).toEqual([['day', 2, false]]);
  });

  // The first leg stops counting and the counter follows: busy (a cap counts legs that connected),
  // or completed (a concurrency limit counts legs not ended).
  it.each([
    { limit: { hourlyCap: 3 }, period: 'hour', reason: 'hourly_cap_reached', outcome: dial(1, 'busy') },
    { limit: { maxConcurrent: 3 }, period: 'open', reason: 'concurrency_reached', outcome: dial(1, 'completed', { dialCallDuration: 30 }) },
  ] as const)('trusted counters decide exactly: $period limit 3 → the fourth is refused; a leg that stops counting frees its place', async ({ limit, period, reason, outcome }) => {
    const buyer = await newBuyer();
    const limits = { ...noLimits(fixedWindows()), ...limit };
    const first = await newCall();
    expect(await reserve(buyer, first.id, limits)).toEqual({ reserved: true });
    await trustCounters();
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: true });
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: true });
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: false, reason });
    expect((await counters(buyer)).map((r) => [r.period, r.legs, r.trusted])).toEqual([[period, 3, true]]);
    await applyCallEvent(t.db, first.call_sid, outcome, POLICY);
    expect((await counters(buyer))[0]?.legs).toBe(2);
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: true });
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: false, reason });
    await expectCountersMatch(buyer);
  });

  it('legs written without limits (the unlimited path) and backdated legs are counted in the right window', async () => {
    const buyer = await newBuyer();
    const windows = fixedWindows();
    const capped = { ...noLimits(windows), dailyCap: 4 };
    await reserve(buyer, (await newCall()).id, capped);
    await trustCounters();
    // Two legs through the unlimited statement (the buyer's limits not known to that caller).
    await reserve(buyer, (await newCall()).id, noLimits(windows));
    await reserve(buyer, (await newCall()).id, noLimits(windows));
    // One leg from before the day began: not in the window.
    await reserve(buyer, (await newCall()).id, noLimits(windows), new Date(windows.dayStart.getTime() - 1));
    expect((await counters(buyer))[0]?.legs).toBe(3);
    await expectCountersMatch(buyer);
    expect(await reserve(buyer, (await newCall()).id, capped)).toEqual({ reserved: true });
    expect(await reserve(buyer, (await newCall()).id, capped)).toEqual({ reserved: false, reason: 'daily_cap_reached' });
  });

  it('a new window (the next hour, another time zone) re-counts once and counts only its own legs', async () => {
    const buyer = await newBuyer();
    const now = Date.now();
    const old = { ...noLimits({ hourStart: new Date(now - 50 * 60_000), dayStart: new Date(now - 3_600_000 * 3), monthStart: new Date(now - 86_400_000) }), hourlyCap: 10 };
    await reserve(buyer, (await newCall()).id, old, new Date(now - 40 * 60_000));
    await reserve(buyer, (await newCall()).id, old, new Date(now - 20 * 60_000));
    await trustCounters();
    await reserve(buyer, (await newCall()).id, old);
    expect((await counters(buyer))[0]?.legs).toBe(3);
    // The hour moves on (window 30 minutes ago): the row moves and holds the two legs since then.
    const moved = { ...old, windows: { ...old.windows, hourStart: new Date(now - 30 * 60_000) }, hourlyCap: 3 };
    expect(await reserve(buyer, (await newCall()).id, moved)).toEqual({ reserved: true });
    const [row] = await counters(buyer);
    expect(row?.window_start.getTime()).toBe(now - 30 * 60_000);
    expect(row?.legs).toBe(3);
    expect(row?.trusted).toBe(true);
    expect(await reserve(buyer, (await newCall()).id, moved)).toEqual({ reserved: false, reason: 'hourly_cap_reached' });
    // And back (a time zone changed back): re-counted again, never the stale figure.
    expect(await reserve(buyer, (await newCall()).id, { ...old, hourlyCap: 5 })).toEqual({ reserved: true });
    expect((await counters(buyer))[0]?.legs).toBe(5);
    await expectCountersMatch(buyer);
  });

  it('random reservations, callbacks, deletes and moved windows: every counter equals the count after every step', async () => {
    const random = seeded(0x1e9);
    const buyers = [await newBuyer(), await newBuyer()];
    const now = Date.now();
    const hourStarts = [new Date(now - 50 * 60_000), new Date(now - 25 * 60_000)];
    const open: Array<{ buyer: number; sid: string; id: number }> = [];
    for (let step = 0; step < 120; step += 1) {
      const buyer = buyers[Math.floor(random() * buyers.length)]!;
      const op = random();
      if (op < 0.45 || open.length === 0) {
        const windows = { hourStart: hourStarts[Math.floor(random() * 2)]!, dayStart: new Date(now - 5 * 3_600_000), monthStart: new Date(now - 10 * 86_400_000) };
        const limits = random() < 0.7 ? { ...noLimits(windows), maxConcurrent: 1000, hourlyCap: 1000, dailyCap: 1000, monthlyCap: 1000 } : noLimits(windows);
        const startedAt = random() < 0.3 ? new Date(now - Math.floor(random() * 60) * 60_000) : undefined;
        const call = await newCall();
        expect(await reserve(buyer, call.id, limits, startedAt)).toEqual({ reserved: true });
        open.push({ buyer, sid: call.call_sid, id: call.id });
      } else if (op < 0.8) {
        const leg = open.splice(Math.floor(random() * open.length), 1)[0]!;
        const outcome = (['busy', 'no-answer', 'completed', 'failed', 'answered'] as const)[Math.floor(random() * 5)]!;
        await applyCallEvent(t.db, leg.sid, dial(1, outcome, outcome === 'completed' ? { dialCallDuration: 12 } : {}), POLICY);
      } else if (op < 0.9) {
        const leg = open.splice(Math.floor(random() * open.length), 1)[0]!;
        await t.db.deleteFrom('calls').where('id', '=', leg.id).execute();
      } else {
        await trustCounters();
      }
      for (const b of buyers) await expectCountersMatch(b);
    }
    const periods = new Set([...(await counters(buyers[0]!)), ...(await counters(buyers[1]!))].map((r) => r.period));
    expect([...periods].sort()).toEqual(['day', 'hour', 'month', 'open']);
  });

  it('a deleted buyer takes its counters with it', async () => {
    const buyer = await newBuyer();
    await reserve(buyer, (await newCall()).id, { ...noLimits(fixedWindows()), monthlyCap: 9 });
    expect(await counters(buyer)).toHaveLength(1);
    await t.db.deleteFrom('buyers').where('id', '=', buyer).execute();
    expect(await counters(buyer)).toEqual([]);
  });

  const pools = onPostgres ? 'two pg pools' : 'one PGlite handle';
  it.each([
    { name: 'hourly cap 10 → exactly 10', limit: { hourlyCap: 10, dailyCap: 100 }, reason: 'hourly_cap_reached', rows: [['day', 10], ['hour', 10]] },
    { name: 'concurrency limit 10 → exactly 10 open', limit: { maxConcurrent: 10 }, reason: 'concurrency_reached', rows: [['open', 10]] },
  ] as const)(`trusted counters, 40 parallel reservations across ${pools}, $name`, async ({ limit, reason, rows }) => {
    const buyer = await newBuyer();
    const limits = { ...noLimits(fixedWindows()), ...limit };
    await reserve(buyer, (await newCall()).id, limits);
    await trustCounters();
    const instances = [t.db, second?.db ?? t.db];
    const calls = await Promise.all(Array.from({ length: 40 }, (_, i) => newCall(instances[i % 2])));
    const results = await Promise.all(calls.map((c, i) => reserve(buyer, c.id, limits, undefined, instances[i % 2])));
    expect(results.filter((r) => r.reserved)).toHaveLength(9);
    expect(results.filter((r) => !r.reserved && r.reason === reason)).toHaveLength(31);
    expect((await counters(buyer)).map((r) => [r.period, r.legs])).toEqual(rows);
    await expectCountersMatch(buyer);
  });
});
