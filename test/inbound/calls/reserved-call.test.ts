// record_reserved_call() (migrations 0041, 0042) through recordReservedCall(): each candidate buyer
// in turn is locked and checked exactly against its limits; the call is written once with the first
// one under them (its buyer, payout, answer and plan), and its leg; nobody → the fallback. A buyer
// whose last place another instance takes while this call waits for its lock is passed over; a
// buyer found at a limit is not kept locked (two calls trying two capped buyers in opposite orders
// never deadlock, migration 0048).
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../../../db/types.js';
import { recordReservedCall, type ReservedCallCandidate, type ReservedCallInput } from '../../../server/inbound/calls/reserved-call.js';
import { recordInboundCall } from '../../../server/inbound/calls/queries/index.js';
import { createBuyer, createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fixedWindows, newCallSid, onPostgres, openSecondInstance } from './db-helpers.js';

let t: TestApp;
let second: { db: Kysely<DB>; close: () => Promise<void> } | null = null;
let owner: Member;
let campaignId: string;

beforeAll(async () => {
  t = await startTestApp();
  if (onPostgres) second = await openSecondInstance(t);
  owner = await registerOrg(t, 'Reserved Calls');
  campaignId = (await createCampaign(owner.client, { enableRtb: false })).id;
});

afterAll(async () => {
  await second?.close();
  await t?.close();
});

type Limits = Partial<Pick<ReservedCallCandidate, 'maxConcurrent' | 'hourlyCap' | 'dailyCap' | 'monthlyCap'>>;

function candidate(buyerId: number, limits: Limits = {}): ReservedCallCandidate {
  return {
    buyerId,
    destination: `+1212555${String(buyerId).padStart(4, '0')}`,
    payout: '7.50',
    minDurationSec: 60,
    maxConcurrent: limits.maxConcurrent ?? null,
    hourlyCap: limits.hourlyCap ?? null,
    dailyCap: limits.dailyCap ?? null,
    monthlyCap: limits.monthlyCap ?? null,
    windows: fixedWindows(),
    twiml: `<Response><Dial>buyer ${buyerId}</Dial></Response>`,
  };
}

function input(candidates: ReservedCallCandidate[], callSid = newCallSid()): ReservedCallInput {
  return {
    orgId: owner.orgId,
    callSid,
    campaignId,
    phoneNumberId: null,
    from: '+13105551234',
    to: '+12125550000',
    callerState: null,
    callerZip: null,
    source: 'twilio',
    candidates,
    plan: { mode: 'auto', order: candidates.map((c) => c.buyerId), skipped: [] },
    inputOrder: candidates.map((c) => c.buyerId),
    routingMethod: 'priority',
    fallback: { twiml: '<Response><Say>fallback</Say></Response>', to: 'campaign:message' },
  };
}

async function twoBuyers(tag: string) {
  const a = await createBuyer(owner.client, { name: `A ${tag}`, phoneNumber: `+1646555${tag}01` });
  const b = await createBuyer(owner.client, { name: `B ${tag}`, phoneNumber: `+1646555${tag}02` });
  return { a: a.id, b: b.id };
}

/** An open leg of another call for the buyer, written on `db` (committed unless `db` is a transaction). */
async function openLeg(db: Kysely<DB>, buyerId: number): Promise<void> {
  const { call } = await recordInboundCall(db, { orgId: owner.orgId, callSid: newCallSid(), campaignId });
  await db
    .insertInto('call_legs')
    .values({ call_id: call.id, attempt: 1, org_id: owner.orgId, buyer_id: buyerId, destination: '+12125550001', payout: '1', min_duration_sec: 0 })
    .execute();
}

async function callBySid(callSid: string) {
  return t.db.selectFrom('calls').select(['id', 'buyer_id', 'payout', 'twiml', 'routing_method', 'routing_plan']).where('call_sid', '=', callSid).executeTakeFirst();
}

async function legsOf(buyerId: number) {
  return t.db.selectFrom('call_legs').select(['call_id']).where('buyer_id', '=', buyerId).execute();
}

describe('record_reserved_call(): each buyer locked and checked, the call written once', () => {
  it('dials the first candidate under its limits: the call written once with its buyer, payout, answer and plan, and its leg', async () => {
    const { a, b } = await twoBuyers('01');
    const call = input([candidate(a, { maxConcurrent: 2 }), candidate(b)]);
    const answer = await recordReservedCall(t.db, call);
    expect(answer).toMatchObject({ created: true, twiml: call.candidates[0]!.twiml });
    const row = await callBySid(call.callSid);
    expect(row).toMatchObject({ id: answer!.callId, buyer_id: a, payout: '7.5000', twiml: call.candidates[0]!.twiml, routing_method: 'priority' });
    expect(row!.routing_plan).toEqual({ mode: 'auto', order: [a, b], skipped: [], attempts: [{ attempt: 1, candidate: `buyer:${a}`, result: 'dialled' }] });
    expect(await legsOf(a)).toEqual([{ call_id: answer!.callId }]);
    // A second delivery of the CallSid writes nothing and gets no answer of its own.
    expect(await recordReservedCall(t.db, call)).toEqual({ created: false, twiml: null, callId: null });
    expect(await legsOf(a)).toHaveLength(1);
  });

  it('a buyer seen at a limit is skipped with its reason; nobody under a limit → the fallback, no leg', async () => {
    const { a, b } = await twoBuyers('02');
    await openLeg(t.db, a);
    const toB = input([candidate(a, { maxConcurrent: 1 }), candidate(b, { maxConcurrent: 1 })]);
    expect(await recordReservedCall(t.db, toB)).toMatchObject({ created: true, twiml: toB.candidates[1]!.twiml });
    expect((await callBySid(toB.callSid))!.routing_plan).toEqual({
      mode: 'auto',
      order: [b],
      skipped: [{ buyerId: a, reason: 'concurrency_reached' }],
      attempts: [{ attempt: 1, candidate: `buyer:${b}`, result: 'dialled' }],
    });

    const nobody = input([candidate(a, { maxConcurrent: 1 }), candidate(b, { maxConcurrent: 1 })]);
    expect(await recordReservedCall(t.db, nobody)).toMatchObject({ created: true, twiml: nobody.fallback.twiml });
    const row = await callBySid(nobody.callSid);
    expect(row).toMatchObject({ buyer_id: null, payout: null, routing_method: 'none' });
    expect(row!.routing_plan).toMatchObject({
      order: [],
      skipped: [
        { buyerId: a, reason: 'concurrency_reached' },
        { buyerId: b, reason: 'concurrency_reached' },
      ],
      attempts: [{ attempt: 1, result: 'fallback', to: 'campaign:message' }],
    });
    expect(await legsOf(b)).toHaveLength(1);
  });

  it('a first candidate at its limit leaves nothing of the call first written for it: one row, counted once, for the buyer that took it', async () => {
    const { a, b } = await twoBuyers('05');
    await openLeg(t.db, a);
    const callsBefore = await t.db.selectFrom('calls').select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', owner.orgId).executeTakeFirstOrThrow();
    const toB = input([candidate(a, { maxConcurrent: 1 }), candidate(b, { maxConcurrent: 1 })]);
    const answer = await recordReservedCall(t.db, toB);
    expect(answer).toMatchObject({ created: true, twiml: toB.candidates[1]!.twiml });
    const callsAfter = await t.db.selectFrom('calls').select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', owner.orgId).executeTakeFirstOrThrow();
    expect(Number(callsAfter.n) - Number(callsBefore.n)).toBe(1);
    expect(await callBySid(toB.callSid)).toMatchObject({ id: answer.callId, buyer_id: b });
    expect(await legsOf(a)).toHaveLength(1); // the other call's leg only
    expect(await legsOf(b)).toEqual([{ call_id: answer.callId }]);
    // The reports: the call counted once, for B; A's count is the open leg's call alone (0 calls routed to A here).
    const statsOf = async (id: number) => (await owner.client.GET('/api/stats/buyers/{id}', { params: { path: { id: String(id) } } })).data?.totalCalls;
    expect(await statsOf(b)).toBe(1);
    expect(await statsOf(a)).toBe(0);
  });

  it('a first candidate deleted since the plan was made is skipped as not found, and the next one dials', async () => {
    const { a, b } = await twoBuyers('06');
    const call = input([candidate(a, { maxConcurrent: 5 }), candidate(b, { maxConcurrent: 5 })]);
    await t.db.deleteFrom('buyers').where('id', '=', a).execute();
    expect(await recordReservedCall(t.db, call)).toMatchObject({ created: true, twiml: call.candidates[1]!.twiml });
    expect((await callBySid(call.callSid))!.routing_plan).toMatchObject({
      order: [a, b],
      attempts: [
        { attempt: 1, candidate: `buyer:${a}`, result: 'skipped', reason: 'not_found' },
        { attempt: 1, candidate: `buyer:${b}`, result: 'dialled' },
      ],
    });
  });

  it(
    onPostgres
      ? 'a buyer whose last place another instance takes while the call waits for its lock → the call goes to the next buyer, once'
      : 'PGlite (one connection, no second transaction meanwhile): the other leg is committed first, and the call goes to the next buyer, once',
    async () => {
      const { a, b } = await twoBuyers('03');
      const call = input([candidate(a, { maxConcurrent: 1 }), candidate(b)]);
      if (second) {
        // Another instance holds A's lock and has an open leg for A, not yet committed.
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        let locked!: () => void;
        const holding = new Promise<void>((resolve) => (locked = resolve));
        const other = second.db.transaction().execute(async (trx) => {
          await sql`SELECT 1 FROM buyers WHERE id = ${a} FOR NO KEY UPDATE`.execute(trx);
          await openLeg(trx, a);
          locked();
          await released;
        });
        await holding;
        const answering = recordReservedCall(t.db, call);
        // The procedure waits for A's lock.
        await waitFor(
          'the procedure waiting for a lock',
          async () => {
            const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid
              WHERE NOT l.granted AND s.query LIKE '%record_reserved_call%'`.execute(second!.db);
            return rows[0]!.n;
          },
          (waiting) => waiting > 0,
        );
        release();
        await other;
        expect(await answering).toMatchObject({ created: true, twiml: call.candidates[1]!.twiml });
      } else {
        await openLeg(t.db, a);
        expect(await recordReservedCall(t.db, call)).toMatchObject({ created: true, twiml: call.candidates[1]!.twiml });
      }
      const row = await callBySid(call.callSid);
      expect(row).toMatchObject({ buyer_id: b, twiml: call.candidates[1]!.twiml });
      expect(row!.routing_plan).toMatchObject({ order: [b], skipped: [{ buyerId: a, reason: 'concurrency_reached' }] });
      expect(await t.db.selectFrom('calls').select('id').where('call_sid', '=', call.callSid).execute()).toHaveLength(1);
      expect(await legsOf(a)).toHaveLength(1);
      expect(await legsOf(b)).toEqual([{ call_id: row!.id }]);
    },
  );

  it(`two buyers at their limits, tried in opposite orders by 40 calls at once (${onPostgres ? 'two pg pools' : 'one PGlite handle'}): every call → the fallback, none deadlocks`, async () => {
    const { a, b } = await twoBuyers('05');
    await openLeg(t.db, a);
    await openLeg(t.db, b);
    const limits = { maxConcurrent: 1 };
    const instances = [t.db, second?.db ?? t.db];
    const calls = Array.from({ length: 40 }, (_, i) => input(i % 2 === 0 ? [candidate(a, limits), candidate(b, limits)] : [candidate(b, limits), candidate(a, limits)]));
    const results = await Promise.allSettled(calls.map((call, i) => recordReservedCall(instances[i % 2]!, call)));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    expect(results.map((r) => (r as PromiseFulfilledResult<{ twiml: string | null }>).value.twiml)).toEqual(calls.map((c) => c.fallback.twiml));
    expect(await legsOf(a)).toHaveLength(1);
    expect(await legsOf(b)).toHaveLength(1);
  });

  it('a counter not yet trusted is re-counted under the lock: a daily cap reached → the next buyer', async () => {
    const { a, b } = await twoBuyers('04');
    await openLeg(t.db, a);
    // A's daily counter row is new (trusted only after 30 s) and says 0: the exact check re-counts.
    const windows = fixedWindows();
    await sql`INSERT INTO leg_usage_counters (owner_kind, owner_id, period, window_start, legs, trusted_from)
      VALUES ('buyer', ${a}, 'day', ${windows.dayStart}, 0, now() + interval '1 minute')`.execute(t.db);
    const call = input([{ ...candidate(a, { dailyCap: 1 }), windows }, candidate(b)]);
    expect(await recordReservedCall(t.db, call)).toMatchObject({ created: true, twiml: call.candidates[1]!.twiml });
    expect((await callBySid(call.callSid))!.routing_plan).toMatchObject({ order: [b], skipped: [{ buyerId: a, reason: 'daily_cap_reached' }] });
    expect(await legsOf(a)).toHaveLength(1);
    expect(await legsOf(b)).toHaveLength(1);
    // A refused buyer's check is rolled back with its lock (migration 0048): the re-count is not
    // kept, and the row stays untrusted, so the next call counts again.
    const { rows } = await sql<{ legs: number; trusted: boolean }>`
      SELECT legs, trusted_from <= now() AS trusted FROM leg_usage_counters WHERE owner_kind = 'buyer' AND owner_id = ${a}`.execute(t.db);
    expect(rows).toEqual([{ legs: 0, trusted: false }]);
    const next = input([{ ...candidate(a, { dailyCap: 1 }), windows }, candidate(b)]);
    expect(await recordReservedCall(t.db, next)).toMatchObject({ created: true, twiml: next.candidates[1]!.twiml });
  });
});
