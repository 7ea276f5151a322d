// The RTB pre-filter's limits (server/rtb/auctions/caps.ts): a target's usage read from its leg
// counters when they can answer, counted otherwise, and the same blocks either way. Runs on PGlite
// and on PostgreSQL.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LegLimits, recordInboundCall, reserveLeg } from '../../../server/inbound/calls/queries/index.js';
import { capWindows } from '../../../server/inbound/routing/cap-windows.js';
import { capBlocks, type TargetLimits } from '../../../server/rtb/auctions/caps.js';
import { createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { newCallSid } from '../../inbound/calls/db-helpers.js';

let t: TestApp;
let owner: Member;
let campaignId: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'RTB Caps Org');
  campaignId = (await createCampaign(owner.client, { enableRtb: false })).id;
});

afterAll(async () => {
  await t?.close();
});

async function newTarget(limits: Omit<TargetLimits, 'id'>): Promise<TargetLimits> {
  const row = await t.db
    .insertInto('rtb_targets')
    .values({
      org_id: owner.orgId,
      name: `Target ${newCallSid().slice(-6)}`,
      endpoint_url: 'https://bidder.example.com/bid',
      max_concurrent_calls: limits.maxConcurrentCalls,
      hourly_cap: limits.hourlyCap,
      daily_cap: limits.dailyCap,
      monthly_cap: limits.monthlyCap,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, ...limits };
}

async function winCall(target: TargetLimits): Promise<void> {
  const { call } = await recordInboundCall(t.db, { orgId: owner.orgId, callSid: newCallSid(), campaignId });
  const limits: LegLimits = { maxConcurrent: target.maxConcurrentCalls, hourlyCap: target.hourlyCap, dailyCap: target.dailyCap, monthlyCap: target.monthlyCap, windows: capWindows('UTC', new Date()) };
  expect(await reserveLeg(t.db, { orgId: owner.orgId, callId: call.id, attempt: 1, rtbTargetId: target.id, destination: '+12125550001', payout: '5', limits })).toEqual({ reserved: true });
}

const trustCounters = () => sql`UPDATE leg_usage_counters SET trusted_from = now() - interval '1 second'`.execute(t.db);
const setCounter = (target: TargetLimits, period: string, legs: number) =>
  sql`UPDATE leg_usage_counters SET legs = ${legs} WHERE owner_kind = 'target' AND owner_id = ${target.id} AND period = ${period}`.execute(t.db);

describe('capBlocks', () => {
  it('counts targets without counters, then reads the trusted counters: the same blocks', async () => {
    const capped = await newTarget({ maxConcurrentCalls: null, hourlyCap: 2, dailyCap: null, monthlyCap: 100 });
    const busy = await newTarget({ maxConcurrentCalls: 2, hourlyCap: null, dailyCap: null, monthlyCap: null });
    const free = await newTarget({ maxConcurrentCalls: 5, hourlyCap: 5, dailyCap: 5, monthlyCap: 5 });
    for (const target of [capped, capped, busy, busy, free]) await winCall(target);
    const counted = await capBlocks(t.db, owner.orgId, [capped, busy, free]);
    expect(Object.fromEntries(counted)).toEqual({ [capped.id]: 'cap_reached', [busy.id]: 'concurrency_reached' });
    await trustCounters();
    expect(await capBlocks(t.db, owner.orgId, [capped, busy, free])).toEqual(counted);
    // The counters are what answered for `capped` and `free`: altered, the blocks follow them.
    await setCounter(capped, 'hour', 1);
    await setCounter(free, 'month', 5);
    expect(Object.fromEntries(await capBlocks(t.db, owner.orgId, [capped, busy, free]))).toEqual({ [busy.id]: 'concurrency_reached', [free.id]: 'cap_reached' });
  });

  it('an open counter at the limit is checked by a count (it may hold stale legs)', async () => {
    const target = await newTarget({ maxConcurrentCalls: 2, hourlyCap: null, dailyCap: null, monthlyCap: null });
    await winCall(target);
    await trustCounters();
    await setCounter(target, 'open', 2);
    // One leg is open in fact: not blocked.
    expect(await capBlocks(t.db, owner.orgId, [target])).toEqual(new Map());
  });

  it('targets without limits cost no query and are never blocked', async () => {
    const target = await newTarget({ maxConcurrentCalls: null, hourlyCap: null, dailyCap: null, monthlyCap: null });
    expect(await capBlocks(t.db, owner.orgId, [target])).toEqual(new Map());
  });
});
