// Two server instances on one database never exceed a buyer's limits, never record a CallSid
// twice, never count a revenue twice (issue 4, items 3 and 4) and never leave a leg open on a call
// whose final status raced its reservation (migration 0050). On PostgreSQL: two independent
// Kysely instances (two pg pools) on the same schema. On PGlite a second handle on the same
// database is not possible (one connection, owned by one process): the same race runs through
// the one handle, and the test names say so.
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../../../db/types.js';
import { applyCallEvent, type LegLimits, listCallLegs, recordInboundCall, recordNumberLeg, reserveLeg } from '../../../server/inbound/calls/queries/index.js';
import { createBuyer, createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { fixedWindows, newCallSid, noLimits, onPostgres, openSecondInstance } from './db-helpers.js';
import { dial, status } from './helpers.js';

const where = onPostgres ? 'two Kysely instances (two pg pools) on one PostgreSQL schema' : 'PGlite: one handle (a second handle on one PGlite is not possible)';

let t: TestApp;
let second: { db: Kysely<DB>; close: () => Promise<void> } | null = null;
let owner: Member;
let campaignId: string;
/** Instance 0 and instance 1 (the same handle on PGlite). */
let instances: [Kysely<DB>, Kysely<DB>];

beforeAll(async () => {
  t = await startTestApp();
  if (onPostgres) second = await openSecondInstance(t);
  instances = [t.db, second?.db ?? t.db];
  owner = await registerOrg(t, 'Two Instances');
  campaignId = (await createCampaign(owner.client, { enableRtb: false })).id;
});

afterAll(async () => {
  await second?.close();
  await t?.close();
});

async function race(limits: LegLimits, n = 20) {
  const buyerId = (await createBuyer(owner.client)).id;
  const calls = await Promise.all(
    Array.from({ length: n }, (_, i) => recordInboundCall(instances[i % 2]!, { orgId: owner.orgId, callSid: newCallSid(), campaignId })),
  );
  const results = await Promise.all(
    calls.map(({ call }, i) =>
      reserveLeg(instances[i % 2]!, { orgId: owner.orgId, callId: call.id, attempt: 1, buyerId, destination: '+12125550001', payout: '5', limits }),
    ),
  );
  const legs = await t.db.selectFrom('call_legs').select(['call_id']).where('buyer_id', '=', buyerId).execute();
  return { results, legs, calls };
}

describe(`races between instances (${where})`, () => {
  it('the second instance is a separate pool on the same database', async () => {
    if (onPostgres) expect(instances[1]).not.toBe(instances[0]);
    // Both see the same rows.
    const { call } = await recordInboundCall(instances[0], { orgId: owner.orgId, callSid: newCallSid(), campaignId });
    const seen = await instances[1].selectFrom('calls').select('id').where('id', '=', call.id).executeTakeFirst();
    expect(seen?.id).toBe(call.id);
  });

  it(`20 parallel reservations, maxConcurrent 3 → exactly 3 reserved (${where})`, async () => {
    const { results, legs } = await race({ ...noLimits(fixedWindows()), maxConcurrent: 3 });
    expect(results.filter((r) => r.reserved)).toHaveLength(3);
    expect(results.filter((r) => !r.reserved && r.reason === 'concurrency_reached')).toHaveLength(17);
    expect(legs).toHaveLength(3);
  });

  it(`20 parallel reservations, hourly cap 4 → exactly 4 reserved (${where})`, async () => {
    const { results, legs } = await race({ ...noLimits(fixedWindows()), hourlyCap: 4 });
    expect(results.filter((r) => r.reserved)).toHaveLength(4);
    expect(results.filter((r) => !r.reserved && r.reason === 'hourly_cap_reached')).toHaveLength(16);
    expect(legs).toHaveLength(4);
  });

  it(`20 parallel reservations, daily cap 2 and maxConcurrent 5 → exactly 2 reserved (${where})`, async () => {
    const { results } = await race({ ...noLimits(fixedWindows()), maxConcurrent: 5, dailyCap: 2 });
    expect(results.filter((r) => r.reserved)).toHaveLength(2);
  });

  it(`one CallSid delivered 10 times across both instances → one record (${where})`, async () => {
    const sid = newCallSid();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => recordInboundCall(instances[i % 2]!, { orgId: owner.orgId, callSid: sid, campaignId })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.call.id)).size).toBe(1);
  });

  it(`duplicate callbacks on both instances at once → revenue counted once (${where})`, async () => {
    const buyerId = (await createBuyer(owner.client)).id;
    const policy = { minDurationSec: 30, payout: '5' };
    for (let run = 0; run < 3; run += 1) {
      const { call } = await recordInboundCall(instances[0], { orgId: owner.orgId, callSid: newCallSid(), campaignId });
      await reserveLeg(instances[1], { orgId: owner.orgId, callId: call.id, attempt: 1, buyerId, destination: '+12125550001', payout: '5', limits: noLimits(fixedWindows()) });
      const events = [
        ...Array.from({ length: 10 }, () => dial(1, 'completed', { dialCallDuration: 40 })),
        ...Array.from({ length: 10 }, () => status('completed', { callDuration: 41 })),
      ];
      const results = await Promise.all(events.map((e, i) => applyCallEvent(instances[i % 2]!, call.call_sid, e, policy)));
      const effects = results.flatMap((r) => r?.effects ?? []);
      expect(effects.filter((e) => e.type === 'revenue_qualified')).toHaveLength(1);
      expect(effects.filter((e) => e.type === 'call_ended')).toHaveLength(1);
      const row = await t.db.selectFrom('calls').selectAll().where('id', '=', call.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'completed', revenue: '5.0000', connected_duration_sec: 40 });
      const legs = await listCallLegs(t.db, call.id);
      expect(legs.map((l) => [l.dial_status, l.ended_at !== null])).toEqual([['completed', true]]);
    }
  });

  it(`the next attempt reserved while the final status commits on the other instance → the call's legs all end, none is left open (${where})`, async () => {
    const [a, b] = [(await createBuyer(owner.client)).id, (await createBuyer(owner.client)).id];
    const limited = { ...noLimits(fixedWindows()), maxConcurrent: 1 };
    for (let run = 0; run < 6; run += 1) {
      const { call } = await recordInboundCall(instances[0], { orgId: owner.orgId, callSid: newCallSid(), campaignId });
      const base = { orgId: owner.orgId, callId: call.id, destination: '+12125550001', payout: '5' };
      await reserveLeg(instances[0], { ...base, attempt: 1, buyerId: a, limits: noLimits(fixedWindows()) });
      await applyCallEvent(instances[0], call.call_sid, dial(1, 'busy'), { minDurationSec: 0, payout: '5' });
      // Attempt 2 (limited, unlimited, a number, in turn) races the caller's hang-up.
      const next = () =>
        run % 3 === 0
          ? reserveLeg(instances[1], { ...base, attempt: 2, buyerId: b, limits: limited }).then((r) => (r.reserved ? 'reserved' : r.reason))
          : run % 3 === 1
            ? reserveLeg(instances[1], { ...base, attempt: 2, buyerId: b, limits: noLimits(fixedWindows()) }).then((r) => (r.reserved ? 'reserved' : r.reason))
            : recordNumberLeg(instances[1], { ...base, attempt: 2 }).then((r) => (r.recorded ? 'reserved' : r.reason));
      const [reserved] = await Promise.all([next(), applyCallEvent(instances[0], call.call_sid, status('completed', { callDuration: 9 }), { minDurationSec: 0, payout: '5' })]);
      expect(['reserved', 'call_ended']).toContain(reserved);
      const legs = await listCallLegs(t.db, call.id);
      expect(legs.filter((l) => l.ended_at === null)).toEqual([]);
      // Once the call has ended, nothing more is reserved for it.
      expect(await reserveLeg(instances[1], { ...base, attempt: 3, buyerId: b, limits: limited })).toEqual({ reserved: false, reason: 'call_ended' });
      expect(await reserveLeg(instances[1], { ...base, attempt: 3, buyerId: b, limits: noLimits(fixedWindows()) })).toEqual({ reserved: false, reason: 'call_ended' });
      expect(await recordNumberLeg(instances[1], { ...base, attempt: 3 })).toEqual({ recorded: false, reason: 'call_ended' });
      expect(await recordNumberLeg(instances[1], { ...base, attempt: 1 })).toEqual({ recorded: false, reason: 'attempt_taken' });
    }
    const open = await t.db.selectFrom('call_legs').select('call_id').where('buyer_id', '=', b).where('ended_at', 'is', null).execute();
    expect(open).toEqual([]);
  });
});
