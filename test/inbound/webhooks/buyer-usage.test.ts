// The routing plan's usage of limited buyers (server/inbound/webhooks/buyer-usage.ts, over
// calls/queries/usage-counters.ts): read from the leg counters where they can answer, counted from
// call_legs otherwise, and the same figures either way wherever a limit depends on them. Runs on
// PGlite and on PostgreSQL.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCallEvent, type LegLimits, recordInboundCall, reserveLeg } from '../../../server/inbound/calls/queries/index.js';
import { buyersUsage, type UsageRequest } from '../../../server/inbound/webhooks/buyer-usage.js';
import { createBuyer, createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { fixedWindows, newCallSid, noLimits } from '../calls/db-helpers.js';
import { dial } from '../calls/helpers.js';

let t: TestApp;
let owner: Member;
let campaignId: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Usage Org');
  campaignId = (await createCampaign(owner.client, { enableRtb: false })).id;
});

afterAll(async () => {
  await t?.close();
});

const limitsOf = (id: number, l: LegLimits): UsageRequest['buyer'] => ({ id, maxConcurrentCalls: l.maxConcurrent, hourlyCap: l.hourlyCap, dailyCap: l.dailyCap, monthlyCap: l.monthlyCap });

async function reserveNew(buyerId: number, limits: LegLimits, startedAt?: Date) {
  const { call } = await recordInboundCall(t.db, { orgId: owner.orgId, callSid: newCallSid(), campaignId });
  expect(await reserveLeg(t.db, { orgId: owner.orgId, callId: call.id, attempt: 1, buyerId, destination: '+12125550001', payout: '5', limits, startedAt })).toEqual({ reserved: true });
  return call;
}

const trustCounters = () => sql`UPDATE leg_usage_counters SET trusted_from = now() - interval '1 second'`.execute(t.db);
const counterRows = async (buyerId: number) =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM leg_usage_counters WHERE owner_kind = 'buyer' AND owner_id = ${buyerId}`.execute(t.db)).rows[0]?.n);

describe('buyersUsage', () => {
  it('trusted counters and the count agree on every limit, a finished and a failed leg included', async () => {
    const buyerId = (await createBuyer(owner.client)).id;
    const windows = fixedWindows();
    const limits = { ...noLimits(windows), maxConcurrent: 50, hourlyCap: 100, dailyCap: 100, monthlyCap: 100 };
    const calls = [];
    for (let i = 0; i < 4; i += 1) calls.push(await reserveNew(buyerId, limits));
    await applyCallEvent(t.db, calls[0]!.call_sid, dial(1, 'completed', { dialCallDuration: 20 }), { minDurationSec: 0, payout: '5' });
    await applyCallEvent(t.db, calls[1]!.call_sid, dial(1, 'busy'), { minDurationSec: 0, payout: '5' });
    const request = [{ buyer: limitsOf(buyerId, limits), windows }];
    // Untrusted counters (their first 30 s): counted.
    const counted = await buyersUsage(t.db, owner.orgId, request);
    expect(counted.get(buyerId)).toEqual({ activeCalls: 2, callsThisHour: 3, callsToday: 3, callsThisMonth: 3 });
    await trustCounters();
    expect(await counterRows(buyerId)).toBe(4);
    expect(await buyersUsage(t.db, owner.orgId, request)).toEqual(counted);
    // The counters are what answered: moved off by one, the figure follows them.
    await sql`UPDATE leg_usage_counters SET legs = legs + 1 WHERE owner_kind = 'buyer' AND owner_id = ${buyerId} AND period = 'hour'`.execute(t.db);
    expect((await buyersUsage(t.db, owner.orgId, request)).get(buyerId)?.callsThisHour).toBe(4);
  });

  it('another window than the counter holds is counted (the next hour, another time zone)', async () => {
    const buyerId = (await createBuyer(owner.client)).id;
    const windows = fixedWindows();
    const limits = { ...noLimits(windows), hourlyCap: 10 };
    await reserveNew(buyerId, limits, new Date(windows.hourStart.getTime() + 1000));
    await reserveNew(buyerId, limits);
    await trustCounters();
    await sql`UPDATE leg_usage_counters SET legs = 99 WHERE owner_kind = 'buyer' AND owner_id = ${buyerId}`.execute(t.db);
    const later = { ...windows, hourStart: new Date(Date.now() - 60_000) };
    // The counter's window answers from the (altered) counter; a later window is counted.
    expect((await buyersUsage(t.db, owner.orgId, [{ buyer: limitsOf(buyerId, limits), windows }])).get(buyerId)?.callsThisHour).toBe(99);
    expect((await buyersUsage(t.db, owner.orgId, [{ buyer: limitsOf(buyerId, limits), windows: later }])).get(buyerId)?.callsThisHour).toBe(1);
  });

  it('stale open legs fill the open counter: the count decides, and the buyer is under its limit', async () => {
    const buyerId = (await createBuyer(owner.client)).id;
    const windows = fixedWindows();
    const longAgo = new Date(Date.now() - 6 * 3_600_000);
    await reserveNew(buyerId, noLimits(windows), longAgo);
    await reserveNew(buyerId, noLimits(windows), longAgo);
    const limits = { ...noLimits(windows), maxConcurrent: 2 };
    await reserveNew(buyerId, limits);
    await trustCounters();
    expect((await buyersUsage(t.db, owner.orgId, [{ buyer: limitsOf(buyerId, limits), windows }])).get(buyerId)?.activeCalls).toBe(1);
  });

  it('several buyers in one call: each from its counters or its count', async () => {
    const windows = fixedWindows();
    const a = (await createBuyer(owner.client)).id;
    const b = (await createBuyer(owner.client)).id;
    const limits = { ...noLimits(windows), dailyCap: 10 };
    await reserveNew(a, limits);
    await trustCounters();
    await reserveNew(b, limits);
    await reserveNew(b, limits);
    const usage = await buyersUsage(t.db, owner.orgId, [
      { buyer: limitsOf(a, limits), windows },
      { buyer: limitsOf(b, limits), windows },
    ]);
    expect([usage.get(a)?.callsToday, usage.get(b)?.callsToday]).toEqual([1, 2]);
  });
});
