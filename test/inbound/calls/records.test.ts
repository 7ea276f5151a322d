// Call records in the database: one per CallSid, the first answer kept, callbacks merged so that
// a call never moves backwards and its revenue is counted once (DESIGN.md 4.1), and leg
// reservations under concurrency and caps (4.3). Runs on PGlite and on PostgreSQL.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerOnce } from '../../../server/inbound/calls/service.js';
import { applyCallEvent, CallSidConflictError, endLeg, getCallBySid, listCallLegs, recordInboundCall, reserveLeg, saveAnswer, stateFromRows } from '../../../server/inbound/calls/queries/index.js';
import { applyEvent, type CallEvent, type CallState, type Effect, type RevenuePolicy } from '../../../server/inbound/calls/state.js';
import { capWindows } from '../../../server/inbound/routing/cap-windows.js';
import { createBuyer, createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { seeded } from '../routing/prng.js';
import { fixedWindows, newCallSid, noLimits, sqlState } from './db-helpers.js';
import { dial, status } from './helpers.js';

let t: TestApp;
let owner: Member;
let other: Member;
let campaignId: string;
let otherCampaignId: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Calls Org');
  other = await registerOrg(t, 'Other Org');
  campaignId = (await createCampaign(owner.client, { enableRtb: false })).id;
  otherCampaignId = (await createCampaign(other.client, { enableRtb: false })).id;
});

afterAll(async () => {
  await t?.close();
});

async function newCall(sid = newCallSid()) {
  const { call } = await recordInboundCall(t.db, { orgId: owner.orgId, callSid: sid, campaignId, from: '+12125550100', to: '+18005550199' });
  return call;
}

async function newBuyer(): Promise<number> {
  return (await createBuyer(owner.client)).id;
}

async function callRow(sid: string) {
  const call = await getCallBySid(t.db, sid);
  if (!call) throw new Error(`no call ${sid}`);
  return call;
}

describe('recording a call (idempotent by CallSid)', () => {
  it('the same CallSid twice gives one row, created false the second time', async () => {
    const sid = newCallSid();
    const input = { orgId: owner.orgId, callSid: sid, campaignId, from: '+12125550100', to: '+18005550199', callerState: 'NY', callerZip: '10001' };
    const first = await recordInboundCall(t.db, input);
    const second = await recordInboundCall(t.db, input);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.call.id).toBe(first.call.id);
    expect(first.call).toMatchObject({ status: 'queued', status_rank: 0, direction: 'inbound', caller_state: 'NY', revenue: null, twiml: null });
    const rows = await t.db.selectFrom('calls').select('id').where('call_sid', '=', sid).execute();
    expect(rows).toHaveLength(1);
  });

  it('ten concurrent deliveries of one CallSid create exactly one row', async () => {
    const sid = newCallSid();
    const results = await Promise.all(Array.from({ length: 10 }, () => recordInboundCall(t.db, { orgId: owner.orgId, callSid: sid, campaignId })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.call.id)).size).toBe(1);
  });

  it('a call to an unknown number is recorded without an organisation', async () => {
    const { call, created } = await recordInboundCall(t.db, { orgId: null, callSid: newCallSid(), to: '+18005550000' });
    expect(created).toBe(true);
    expect(call.org_id).toBeNull();
  });

  it('keeps calls inside their tenant', async () => {
    // Another organisation's campaign: the composite foreign key refuses it.
    expect(await sqlState(recordInboundCall(t.db, { orgId: owner.orgId, callSid: newCallSid(), campaignId: otherCampaignId }))).toBe('23503');
    // A CallSid recorded for one organisation is not handed to another.
    const sid = newCallSid();
    await recordInboundCall(t.db, { orgId: owner.orgId, callSid: sid, campaignId });
    await expect(recordInboundCall(t.db, { orgId: other.orgId, callSid: sid })).rejects.toBeInstanceOf(CallSidConflictError);
  });
});

describe('the answer (TwiML) of a call', () => {
  const plan = { order: [1, 2], skipped: [{ buyerId: 3, reason: 'outside_hours' }] };

  it('the first answer wins and is returned to later ones', async () => {
    const call = await newCall();
    const first = await saveAnswer(t.db, call.id, { twiml: '<Response><Dial>+1</Dial></Response>', routingMethod: 'priority', routingPlan: plan });
    const second = await saveAnswer(t.db, call.id, { twiml: '<Response><Say>other</Say></Response>', routingMethod: 'none', routingPlan: null });
    expect(first).toEqual({ twiml: '<Response><Dial>+1</Dial></Response>', saved: true });
    expect(second).toEqual({ twiml: '<Response><Dial>+1</Dial></Response>', saved: false });
    const row = await callRow(call.call_sid);
    expect(row.routing_method).toBe('priority');
    expect(row.routing_plan).toEqual(plan);
  });

  it('the database refuses to replace a stored answer', async () => {
    const call = await newCall();
    await saveAnswer(t.db, call.id, { twiml: '<Response/>', routingMethod: 'none', routingPlan: null });
    expect(await sqlState(t.db.updateTable('calls').set({ twiml: '<Response><Hangup/></Response>' }).where('id', '=', call.id).execute())).toBe('23514');
  });

  it('concurrent deliveries of the voice webhook route once and all get the same TwiML', async () => {
    const sid = newCallSid();
    let routed = 0;
    const route = async () => {
      routed += 1;
      await new Promise((resolve) => setTimeout(resolve, 30));
      return { twiml: `<Response><Dial>+1212555${routed}</Dial></Response>`, routingMethod: 'priority' as const, routingPlan: plan };
    };
    const input = { orgId: owner.orgId, callSid: sid, campaignId };
    const results = await Promise.all(Array.from({ length: 5 }, () => answerOnce(t.db, input, route, { waitMs: 5000, pollMs: 5 })));
    expect(routed).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.twiml))).toEqual(new Set(['<Response><Dial>+12125551</Dial></Response>']));
    // A later retry replays it too.
    const retry = await answerOnce(t.db, input, route);
    expect(retry).toMatchObject({ twiml: '<Response><Dial>+12125551</Dial></Response>', replayed: true });
    expect(routed).toBe(1);
  });
});

// A call routed to attempt 1 (busy) then attempt 2 (connected 45 s); the call lasts 60 s.
const POLICY: RevenuePolicy = { minDurationSec: 30, payout: '12.5' };
const HISTORY: CallEvent[] = [
  status('initiated', { sequence: 0 }),
  status('ringing', { sequence: 1 }),
  status('in-progress', { sequence: 2, timestamp: '2025-03-01T15:00:00.000Z' }),
  dial(1, 'busy', { dialCallSid: 'CA-leg-1' }),
  dial(2, 'answered', { dialCallSid: 'CA-leg-2', dialCallDuration: 12 }),
  dial(2, 'completed', { dialCallSid: 'CA-leg-2', dialCallDuration: 45 }),
  status('completed', { sequence: 3, callDuration: 60 }),
];

function shuffledWithDuplicates(events: readonly CallEvent[], random: () => number): CallEvent[] {
  const list = [...events];
  const extra = 1 + Math.floor(random() * 4);
  for (let i = 0; i < extra; i += 1) list.push(events[Math.floor(random() * events.length)]!);
  for (let i = list.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

describe('status and dial callbacks', () => {
  let buyerA: number;
  let buyerB: number;
  beforeAll(async () => {
    buyerA = await newBuyer();
    buyerB = await newBuyer();
  });

  async function routedCall() {
    const call = await newCall();
    const windows = fixedWindows();
    expect(await reserveLeg(t.db, { orgId: owner.orgId, callId: call.id, attempt: 1, buyerId: buyerA, destination: '+12125550001', payout: '12.5', limits: noLimits(windows) })).toEqual({ reserved: true });
    expect(await reserveLeg(t.db, { orgId: owner.orgId, callId: call.id, attempt: 2, buyerId: buyerB, destination: '+12125550002', payout: '12.5', limits: noLimits(windows) })).toEqual({ reserved: true });
    return call;
  }

  it('in any order and duplicated: never backwards, same final row, revenue counted once', async () => {
    const random = seeded(20250301);
    let expected: CallState | null = null;
    for (let run = 0; run < 12; run += 1) {
      const call = await routedCall();
      const events = run === 0 ? [...HISTORY] : shuffledWithDuplicates(HISTORY, random);
      const effects: Effect[] = [];
      let lastRank = 0;
      for (const event of events) {
        const before = stateFromRows(await callRow(call.call_sid), await listCallLegs(t.db, call.id));
        const result = await applyCallEvent(t.db, call.call_sid, event, POLICY);
        if (!result) throw new Error('call not found');
        // The database took exactly the pure transition.
        expect(result.state).toEqual(applyEvent(before, event, POLICY).state);
        const row = await callRow(call.call_sid);
        expect(row.status_rank).toBeGreaterThanOrEqual(lastRank);
        lastRank = row.status_rank;
        expect(stateFromRows(row, await listCallLegs(t.db, call.id))).toEqual(result.state);
        effects.push(...result.effects);
      }
      const row = await callRow(call.call_sid);
      expect(row).toMatchObject({
        status: 'completed',
        status_rank: 4,
        duration_sec: 60,
        connected_duration_sec: 45,
        revenue: '12.5000',
        revenue_attempt: 2,
        payout: '12.5000',
        buyer_id: buyerB,
      });
      expect(row.answered_at?.toISOString()).toBe('2025-03-01T15:00:00.000Z');
      expect(row.revenue_qualified_at).toBeInstanceOf(Date);
      expect(row.ended_at).toBeInstanceOf(Date);
      const legs = await listCallLegs(t.db, call.id);
      expect(legs.map((l) => [l.attempt, l.buyer_id, l.dial_status, l.dial_duration_sec, l.dial_call_sid, l.ended_at !== null])).toEqual([
        [1, buyerA, 'busy', null, 'CA-leg-1', true],
        [2, buyerB, 'completed', 45, 'CA-leg-2', true],
      ]);
      expect(effects.filter((e) => e.type === 'revenue_qualified')).toEqual([{ type: 'revenue_qualified', amount: '12.5000', qualifiedBy: { kind: 'leg', attempt: 2 } }]);
      expect(effects.filter((e) => e.type === 'call_ended')).toHaveLength(1);
      expect(effects.filter((e) => e.type === 'leg_failed')).toHaveLength(1);
      expect(effects.filter((e) => e.type === 'leg_answered')).toHaveLength(1);
      const final = stateFromRows(row, legs);
      if (expected === null) expected = final;
      else expect(final).toEqual(expected);
    }
  });

  it('a late ringing after completed changes nothing; a contradicting final status is ignored once', async () => {
    const call = await newCall();
    await applyCallEvent(t.db, call.call_sid, status('completed', { callDuration: 40 }), POLICY);
    const late = await applyCallEvent(t.db, call.call_sid, status('ringing'), POLICY);
    expect(late).toMatchObject({ changed: false, effects: [] });
    const contradiction = await applyCallEvent(t.db, call.call_sid, status('no-answer', { callDuration: 0 }), POLICY);
    expect(contradiction?.effects).toEqual([{ type: 'outcome_ignored', attempt: null, kept: 'completed', ignored: 'no-answer' }]);
    const again = await applyCallEvent(t.db, call.call_sid, status('no-answer'), POLICY);
    expect(again).toMatchObject({ changed: false, effects: [] });
    const row = await callRow(call.call_sid);
    expect(row).toMatchObject({ status: 'completed', duration_sec: 40, connected_duration_sec: 40, revenue: '12.5000', revenue_attempt: null });
    expect(row.ignored_outcomes).toEqual([{ attempt: null, status: 'no-answer' }]);
  });

  it('a call that never reaches the minimum pays nothing', async () => {
    const call = await routedCall();
    await applyCallEvent(t.db, call.call_sid, dial(1, 'completed', { dialCallDuration: 29 }), POLICY);
    await applyCallEvent(t.db, call.call_sid, status('completed', { callDuration: 35 }), POLICY);
    expect(await callRow(call.call_sid)).toMatchObject({ revenue: null, revenue_qualified_at: null, connected_duration_sec: 29 });
  });

  it('an unknown CallSid is reported as such', async () => {
    expect(await applyCallEvent(t.db, newCallSid(), status('ringing'), POLICY)).toBeUndefined();
  });

  it('concurrent duplicate callbacks yield exactly one revenue_qualified effect in total', async () => {
    for (let run = 0; run < 3; run += 1) {
      const call = await routedCall();
      const events: CallEvent[] = [
        ...Array.from({ length: 8 }, () => dial(2, 'completed', { dialCallDuration: 45 })),
        ...Array.from({ length: 4 }, () => dial(2, 'answered', { dialCallDuration: 31 })),
        ...Array.from({ length: 6 }, () => status('completed', { callDuration: 50 })),
      ];
      const results = await Promise.all(events.map((e) => applyCallEvent(t.db, call.call_sid, e, POLICY)));
      const effects = results.flatMap((r) => r?.effects ?? []);
      expect(effects.filter((e) => e.type === 'revenue_qualified')).toHaveLength(1);
      expect(effects.filter((e) => e.type === 'call_ended')).toHaveLength(1);
      expect(effects.filter((e) => e.type === 'leg_answered')).toHaveLength(1);
      expect(await callRow(call.call_sid)).toMatchObject({ status: 'completed', revenue: '12.5000', revenue_attempt: 2, connected_duration_sec: 45 });
    }
  });
});

describe('database guards on calls', () => {
  it('refuses to move a status backwards, to replace a final status, or to mismatch its rank', async () => {
    const call = await newCall();
    await applyCallEvent(t.db, call.call_sid, status('in-progress'), POLICY);
    const set = (status: 'ringing' | 'completed' | 'busy', rank: number) =>
      t.db.updateTable('calls').set({ status, status_rank: rank }).where('id', '=', call.id).execute();
    expect(await sqlState(set('ringing', 2))).toBe('23514');
    expect(await sqlState(set('completed', 3))).toBe('23514'); // rank tied to status by the CHECK
    await set('completed', 4);
    expect(await sqlState(set('busy', 4))).toBe('23514');
    expect((await callRow(call.call_sid)).status).toBe('completed');
  });

  it('refuses to change a counted revenue; the conditional UPDATE changes nothing', async () => {
    const call = await newCall();
    const result = await applyCallEvent(t.db, call.call_sid, status('completed', { callDuration: 90 }), POLICY);
    expect(result?.effects.filter((e) => e.type === 'revenue_qualified')).toHaveLength(1);
    expect(await sqlState(t.db.updateTable('calls').set({ revenue: '99' }).where('id', '=', call.id).execute())).toBe('23514');
    expect(await sqlState(t.db.updateTable('calls').set({ revenue: null, revenue_qualified_at: null }).where('id', '=', call.id).execute())).toBe('23514');
    const conditional = await t.db.updateTable('calls').set({ revenue: '99', revenue_qualified_at: sql`now()` }).where('id', '=', call.id).where('revenue', 'is', null).executeTakeFirst();
    expect(conditional.numUpdatedRows).toBe(0n);
    // revenue and revenue_qualified_at go together.
    const fresh = await newCall();
    expect(await sqlState(t.db.updateTable('calls').set({ revenue: '1' }).where('id', '=', fresh.id).execute())).toBe('23514');
    expect((await callRow(call.call_sid)).revenue).toBe('12.5000');
  });

  it('refuses to shorten a duration', async () => {
    const call = await newCall();
    await applyCallEvent(t.db, call.call_sid, status('completed', { callDuration: 20 }), POLICY);
    expect(await sqlState(t.db.updateTable('calls').set({ duration_sec: 10 }).where('id', '=', call.id).execute())).toBe('23514');
  });
});

describe('reserving legs (concurrency and caps)', () => {
  const reserve = (buyerId: number, callId: number, limits: Parameters<typeof reserveLeg>[1]['limits'], extra: { attempt?: number; startedAt?: Date } = {}) =>
    reserveLeg(t.db, { orgId: owner.orgId, callId, attempt: extra.attempt ?? 1, buyerId, destination: '+12125550001', payout: '10', limits, startedAt: extra.startedAt });

  it('concurrency: exactly maxConcurrent open legs; ending one frees a slot; endLeg is idempotent', async () => {
    const buyer = await newBuyer();
    const limits = { ...noLimits(fixedWindows()), maxConcurrent: 2 };
    const calls = await Promise.all(Array.from({ length: 4 }, () => newCall()));
    expect(await reserve(buyer, calls[0]!.id, limits)).toEqual({ reserved: true });
    expect(await reserve(buyer, calls[1]!.id, limits)).toEqual({ reserved: true });
    expect(await reserve(buyer, calls[2]!.id, limits)).toEqual({ reserved: false, reason: 'concurrency_reached' });
    expect(await endLeg(t.db, { orgId: owner.orgId, callId: calls[0]!.id, attempt: 1 })).toEqual({ ended: true });
    expect(await endLeg(t.db, { orgId: owner.orgId, callId: calls[0]!.id, attempt: 1 })).toEqual({ ended: false });
    expect(await reserve(buyer, calls[2]!.id, limits)).toEqual({ reserved: true });
    expect(await reserve(buyer, calls[3]!.id, limits)).toEqual({ reserved: false, reason: 'concurrency_reached' });
    // The final call status releases the slot.
    await applyCallEvent(t.db, calls[1]!.call_sid, status('completed', { callDuration: 3 }), POLICY);
    expect(await reserve(buyer, calls[3]!.id, limits)).toEqual({ reserved: true });
  });

  it('concurrency: a leg open for longer than a call can last no longer counts', async () => {
    const buyer = await newBuyer();
    const limits = { ...noLimits(fixedWindows()), maxConcurrent: 1 };
    const stale = await newCall();
    expect(await reserve(buyer, stale.id, limits, { startedAt: new Date(Date.now() - 5 * 3_600_000) })).toEqual({ reserved: true });
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: true });
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: false, reason: 'concurrency_reached' });
  });

  for (const [cap, key, reason] of [
    ['hour', 'hourlyCap', 'hourly_cap_reached'],
    ['day', 'dailyCap', 'daily_cap_reached'],
    ['month', 'monthlyCap', 'monthly_cap_reached'],
  ] as const) {
    it(`${key}: counts legs started at or after the ${cap} start, not one millisecond before`, async () => {
      const buyer = await newBuyer();
      const windows = fixedWindows();
      const start = cap === 'hour' ? windows.hourStart : cap === 'day' ? windows.dayStart : windows.monthStart;
      const limits = { ...noLimits(windows), [key]: 2 };
      const before = await newCall();
      const atStart = await newCall();
      // One millisecond before the window: does not count (reserved even with the cap at 2 below).
      expect(await reserve(buyer, before.id, { ...limits, [key]: 1 }, { startedAt: new Date(start.getTime() - 1) })).toEqual({ reserved: true });
      expect(await reserve(buyer, atStart.id, limits, { startedAt: start })).toEqual({ reserved: true });
      const third = await newCall();
      expect(await reserve(buyer, third.id, limits)).toEqual({ reserved: true });
      // Two in the window now: the cap is reached, even with every leg ended.
      for (const c of [before, atStart, third]) await endLeg(t.db, { orgId: owner.orgId, callId: c.id, attempt: 1 });
      expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: false, reason });
      // A cap of 3 leaves room for one more.
      expect(await reserve(buyer, (await newCall()).id, { ...limits, [key]: 3 })).toEqual({ reserved: true });
    });
  }

  it('caps: an attempt that failed to connect does not count; one still ringing does', async () => {
    const buyer = await newBuyer();
    const limits = { ...noLimits(fixedWindows()), hourlyCap: 1 };
    const busy = await newCall();
    expect(await reserve(buyer, busy.id, limits)).toEqual({ reserved: true });
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: false, reason: 'hourly_cap_reached' });
    await applyCallEvent(t.db, busy.call_sid, dial(1, 'busy'), POLICY);
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: true });
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: false, reason: 'hourly_cap_reached' });
  });

  it('reports concurrency before the caps, works with capWindows, and counts per buyer', async () => {
    const buyer = await newBuyer();
    const otherBuyer = await newBuyer();
    const windows = capWindows('America/New_York', new Date());
    const limits = { maxConcurrent: 1, hourlyCap: 1, dailyCap: 1, monthlyCap: 1, windows };
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: true });
    expect(await reserve(buyer, (await newCall()).id, limits)).toEqual({ reserved: false, reason: 'concurrency_reached' });
    expect(await reserve(otherBuyer, (await newCall()).id, limits)).toEqual({ reserved: true });
  });

  it('a retried reservation of the same attempt is idempotent; another buyer cannot take it', async () => {
    const buyer = await newBuyer();
    const otherBuyer = await newBuyer();
    const limits = { ...noLimits(fixedWindows()), maxConcurrent: 1 };
    const call = await newCall();
    expect(await reserve(buyer, call.id, limits)).toEqual({ reserved: true });
    expect(await reserve(buyer, call.id, limits)).toEqual({ reserved: true });
    expect(await reserve(otherBuyer, call.id, limits)).toEqual({ reserved: false, reason: 'attempt_taken' });
    expect(await listCallLegs(t.db, call.id)).toHaveLength(1);
    expect(await callRow(call.call_sid)).toMatchObject({ buyer_id: buyer, payout: '10.0000' });
  });

  it('RTB targets are reserved the same way', async () => {
    const target = await t.db
      .insertInto('rtb_targets')
      .values({ org_id: owner.orgId, name: 'Target', endpoint_url: 'https://bids.example/x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const limits = { ...noLimits(fixedWindows()), maxConcurrent: 1 };
    const input = (callId: number) => ({ orgId: owner.orgId, callId, attempt: 1, rtbTargetId: target.id, destination: '+12125550009', payout: '7.25', limits });
    expect(await reserveLeg(t.db, input((await newCall()).id))).toEqual({ reserved: true });
    expect(await reserveLeg(t.db, input((await newCall()).id))).toEqual({ reserved: false, reason: 'concurrency_reached' });
  });

  it("another organisation's buyer or call is not found", async () => {
    const foreignBuyer = (await createBuyer(other.client)).id;
    const limits = noLimits(fixedWindows());
    expect(await reserve(foreignBuyer, (await newCall()).id, limits)).toEqual({ reserved: false, reason: 'not_found' });
    const foreignCall = (await recordInboundCall(t.db, { orgId: other.orgId, callSid: newCallSid() })).call;
    expect(await reserve(await newBuyer(), foreignCall.id, limits)).toEqual({ reserved: false, reason: 'not_found' });
    expect(await endLeg(t.db, { orgId: other.orgId, callId: foreignCall.id, attempt: 1 })).toEqual({ ended: false });
  });
});
