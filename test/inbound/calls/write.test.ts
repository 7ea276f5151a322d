// Manual call records (seed 001's POST /api/calls) and corrections (PUT /api/calls/{id},
// GET /api/calls/{id}/corrections), through the real server on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '../../../client/index.js';
import { legUsage } from '../../../server/inbound/calls/queries/index.js';
import type { CallStatus } from '../../../server/inbound/calls/status.js';
import { callStatusRank } from '../../../server/inbound/calls/status.js';
import { type Member, addMember, createBuyer, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { fixedWindows, newCallSid } from './db-helpers.js';

let t: TestApp;
let owner: Member;
let manager: Member;
let agent: Member;
let other: Member;
let campaignId: string;
let buyerId: number;
let otherCampaignId: string;
let otherBuyerId: number;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Write Org');
  manager = await addMember(t, owner, 'manager');
  agent = await addMember(t, owner, 'agent');
  other = await registerOrg(t, 'Other Write Org');
  campaignId = (await createCampaign(owner.client, { name: 'Manual campaign' })).id;
  buyerId = (await createBuyer(owner.client, { name: 'John Doe', phoneNumber: '+12125554567' })).id;
  otherCampaignId = (await createCampaign(other.client, { name: 'Foreign campaign' })).id;
  otherBuyerId = (await createBuyer(other.client, { name: 'Foreign buyer' })).id;
});
afterAll(async () => t.close());

/** A call as the call path records it, inserted directly (a counted revenue needs no webhooks here). */
async function insertCall(values: { status: CallStatus; duration?: number; revenue?: string }): Promise<number> {
  const row = await t.db
    .insertInto('calls')
    .values({
      org_id: owner.orgId,
      call_sid: newCallSid(),
      campaign_id: campaignId,
      from_number: '+13105551234',
      to_number: '+12125550100',
      status: values.status,
      status_rank: callStatusRank(values.status),
      duration_sec: values.duration ?? null,
      revenue: values.revenue ?? null,
      revenue_qualified_at: values.revenue === undefined ? null : new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function callRow(id: number) {
  return t.db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

function correctionRows(callId: number) {
  return t.db.selectFrom('call_corrections').selectAll().where('call_id', '=', callId).orderBy('id').execute();
}

async function orgCallCount(orgId: string): Promise<number> {
  const row = await t.db.selectFrom('calls').select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
  return Number(row.n);
}

function put(member: Member, id: number | string, body: components['schemas']['CallUpdate']) {
  return member.client.PUT('/api/calls/{id}', { params: { path: { id: String(id) } }, body });
}

function corrections(member: Member, id: number | string) {
  return member.client.GET('/api/calls/{id}/corrections', { params: { path: { id: String(id) } } });
}

describe('POST /api/calls', () => {
  it("records seed 001's call: 201 with the call, a manual MC… sid and the buyer's leg", async () => {
    const body = { campaignId, buyerId, callerNumber: '+13105551234', destinationNumber: '+12125551234', status: 'initiated' as const };
    const { data, response } = await manager.client.POST('/api/calls', { body });
    expect(response.status).toBe(201);
    const created = data!;
    expect(created.createdAt).toBe(created.updatedAt);
    expect(created).toEqual({
      id: expect.any(Number),
      callSid: expect.stringMatching(/^MC[0-9a-f]{32}$/),
      direction: 'inbound',
      source: 'manual',
      campaignId,
      poolId: null,
      buyerId,
      buyerName: 'John Doe',
      rtbTargetId: null,
      phoneNumber: null,
      callerNumber: '310***1234',
      callerState: null,
      callerZip: null,
      status: 'initiated',
      duration: null,
      connectedDuration: 0,
      answeredAt: null,
      endedAt: null,
      routingMethod: 'none',
      routingPlan: null,
      rtbRequestId: null,
      winningBidAmount: null,
      payout: null,
      revenue: null,
      countedRevenue: null,
      revenueQualifiedAt: null,
      voicemailUrl: null,
      recordingUrl: null,
      visitorSessionId: null,
      attribution: null,
      leadId: null,
      agentId: null,
      answeredBy: null,
      disposition: null,
      talkTimeSec: null,
      cost: null,
      conferenceName: null,
      dialAttempt: null,
      legs: [
        // Nobody dialled it: the leg is recorded ended, holding none of the buyer's concurrency.
        { attempt: 1, buyerId, rtbTargetId: null, destination: '212***1234', dialStatus: null, dialDuration: null, startedAt: created.createdAt, endedAt: created.createdAt },
      ],
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: created.createdAt,
    });

    const row = await callRow(created.id);
    expect(row).toMatchObject({
      org_id: owner.orgId,
      call_sid: created.callSid,
      source: 'manual',
      direction: 'inbound',
      from_number: '+13105551234',
      routing_method: 'none',
      status: 'initiated',
      status_rank: 1,
      buyer_id: buyerId,
      revenue: null,
      revenue_override: null,
    });
    const legs = await t.db.selectFrom('call_legs').selectAll().where('call_id', '=', created.id).execute();
    expect(legs).toEqual([expect.objectContaining({ attempt: 1, org_id: owner.orgId, buyer_id: buyerId, destination: '+12125551234' })]);
    expect((await legUsage(t.db, { column: 'buyer_id', id: buyerId }, fixedWindows())).activeCalls).toBe(0);
    const read = await manager.client.GET('/api/calls/{id}', { params: { path: { id: String(created.id) } } });
    expect(read.data).toEqual(created);
    // A user with role agent reaches only its own agent's calls (outbound-calls.test.ts): not this one.
    expect((await agent.client.GET('/api/calls/{id}', { params: { path: { id: String(created.id) } } })).response.status).toBe(404);
  });

  it("counts a revenue given at creation, and dials the buyer's own number when no destination is given", async () => {
    const { data, response } = await owner.client.POST('/api/calls', {
      body: { buyerId, callerNumber: '+442071838750', status: 'completed', duration: 95, revenue: 12.34 },
    });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({ campaignId: null, buyerId, status: 'completed', duration: 95, revenue: 12.34, countedRevenue: 12.34 });
    expect(data?.revenueQualifiedAt).toBe(data?.createdAt);
    expect(data?.legs).toEqual([expect.objectContaining({ attempt: 1, buyerId, destination: '212***4567' })]);
    const row = await callRow(data!.id);
    expect(row).toMatchObject({ revenue: '12.3400', revenue_override: null, status_rank: 4, duration_sec: 95 });
    expect(row.revenue_qualified_at).not.toBeNull();
  });

  it('records a bare call (caller only) without legs; a destination alone makes a leg without buyer', async () => {
    const bare = await manager.client.POST('/api/calls', { body: { callerNumber: '+13105559876' } });
    expect(bare.response.status).toBe(201);
    expect(bare.data).toMatchObject({ status: 'initiated', campaignId: null, buyerId: null, buyerName: null, legs: [], revenue: null });
    const toNumber = await manager.client.POST('/api/calls', { body: { callerNumber: '+13105559876', destinationNumber: '+13125550000', status: 'queued' } });
    expect(toNumber.response.status).toBe(201);
    expect(toNumber.data).toMatchObject({ status: 'queued', buyerId: null, legs: [expect.objectContaining({ buyerId: null, destination: '312***0000' })] });
    expect((await callRow(toNumber.data!.id)).status_rank).toBe(0);
  });

  it("answers 404 for another organisation's (or an unknown) campaign or buyer, and records nothing", async () => {
    const before = await orgCallCount(owner.orgId);
    const bodies = [
      { callerNumber: '+13105551234', campaignId: otherCampaignId },
      { callerNumber: '+13105551234', buyerId: otherBuyerId },
      { callerNumber: '+13105551234', campaignId, buyerId: otherBuyerId },
      { callerNumber: '+13105551234', campaignId: '00000000-0000-4000-8000-000000000000' },
      { callerNumber: '+13105551234', buyerId: 2_147_483_647 },
    ];
    for (const body of bodies) {
      const { error, response } = await manager.client.POST('/api/calls', { body });
      expect(response.status, JSON.stringify(body)).toBe(404);
      expect(error?.code).toBe('RESOURCE_NOT_FOUND');
    }
    expect(await orgCallCount(owner.orgId)).toBe(before);
  });

  it('needs the manager role and a valid body', async () => {
    const before = await orgCallCount(owner.orgId);
    const denied = await agent.client.POST('/api/calls', { body: { callerNumber: '+13105551234' } });
    expect(denied.response.status).toBe(403);
    expect(denied.error?.code).toBe('FORBIDDEN');
    const invalid = await manager.client.POST('/api/calls', { body: { callerNumber: '3105551234' } });
    expect(invalid.response.status).toBe(400);
    expect(await orgCallCount(owner.orgId)).toBe(before);
  });
});

describe('PUT /api/calls/{id}', () => {
  it('moves the status forward, and refuses to move it back (409 naming status, nothing changed)', async () => {
    const id = await insertCall({ status: 'ringing' });
    const forward = await put(manager, id, { status: 'in-progress' });
    expect(forward.response.status).toBe(200);
    expect(forward.data).toMatchObject({ id, status: 'in-progress' });
    const before = await callRow(id);

    const back = await put(manager, id, { status: 'ringing', reason: 'wrong' });
    expect(back.response.status).toBe(409);
    expect(back.error).toMatchObject({ code: 'CONFLICT', details: { status: 'cannot go back from in-progress to ringing' } });
    expect(await callRow(id)).toEqual(before);
    expect((await correctionRows(id)).map((r) => [r.field, r.old_value, r.new_value])).toEqual([['status', 'ringing', 'in-progress']]);
  });

  it('never replaces a final status, not even with another final one', async () => {
    const id = await insertCall({ status: 'completed', duration: 30 });
    const before = await callRow(id);
    for (const status of ['failed', 'in-progress'] as const) {
      const refused = await put(manager, id, { status, duration: 40 });
      expect(refused.response.status).toBe(409);
      expect(Object.keys(refused.error?.details as object)).toEqual(['status']);
    }
    expect(await callRow(id)).toEqual(before);
    expect(await correctionRows(id)).toEqual([]);
  });

  it("ends a live call's open legs when a correction makes it final (the buyer's slot is free; its completion events follow)", async () => {
    const id = await insertCall({ status: 'in-progress' });
    await t.db.insertInto('call_legs').values({ call_id: id, attempt: 1, org_id: owner.orgId, buyer_id: buyerId, destination: '+12125554567' }).execute();
    const usage = () => legUsage(t.db, { column: 'buyer_id', id: buyerId }, fixedWindows());
    const active = (await usage()).activeCalls;
    expect(active).toBeGreaterThan(0);

    const closed = await put(manager, id, { status: 'completed', reason: 'the caller hung up' });
    expect(closed.response.status).toBe(200);
    expect((await usage()).activeCalls).toBe(active - 1);
    const row = await callRow(id);
    expect(row.ended_at).not.toBeNull();
    // Twilio's own final status changes nothing now: the correction's transition is the one that records the completion.
    expect(row.completion_pending).toBe(true);
  });

  it('lets the duration grow and refuses to shrink it (409 naming duration)', async () => {
    const id = await insertCall({ status: 'completed', duration: 60 });
    const grown = await put(manager, id, { duration: 90 });
    expect(grown.response.status).toBe(200);
    expect(grown.data?.duration).toBe(90);
    const shrunk = await put(manager, id, { duration: 89 });
    expect(shrunk.response.status).toBe(409);
    expect(shrunk.error).toMatchObject({ code: 'CONFLICT', details: { duration: 'cannot decrease (now 90 seconds)' } });
    expect((await callRow(id)).duration_sec).toBe(90);
    expect((await correctionRows(id)).map((r) => [r.field, r.old_value, r.new_value])).toEqual([['duration', '60', '90']]);
  });

  it('records a revenue correction beside the counted revenue, which never changes', async () => {
    const id = await insertCall({ status: 'completed', duration: 120, revenue: '25.5' });
    const before = await callRow(id);
    const { data, response } = await manager.client.PUT('/api/calls/{id}', {
      params: { path: { id: String(id) } },
      body: { revenue: 30, reason: 'Buyer confirmed a sale' },
    });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ id, revenue: 30, countedRevenue: 25.5, status: 'completed', duration: 120 });
    const after = await callRow(id);
    expect(after).toMatchObject({ revenue: '25.5000', revenue_override: '30.0000', revenue_qualified_at: before.revenue_qualified_at });
    expect(after.updated_at.getTime()).toBeGreaterThanOrEqual(before.updated_at.getTime());
    const rows = await correctionRows(id);
    expect(rows).toEqual([
      expect.objectContaining({
        org_id: owner.orgId,
        call_id: id,
        field: 'revenue',
        old_value: '25.5000',
        new_value: '30.0000',
        reason: 'Buyer confirmed a sale',
        user_id: manager.id,
      }),
    ]);
    const listed = await corrections(manager, id);
    expect(listed.response.status).toBe(200);
    expect(listed.data).toEqual([
      { id: Number(rows[0]!.id), field: 'revenue', oldValue: '25.5000', newValue: '30.0000', reason: 'Buyer confirmed a sale', userId: manager.id, createdAt: rows[0]!.created_at.toISOString() },
    ]);
  });

  it('changes nothing and adds no correction when every value is the current one', async () => {
    const id = await insertCall({ status: 'in-progress', duration: 45, revenue: '25.5' });
    const before = await callRow(id);
    const same = await put(manager, id, { status: 'in-progress', duration: 45, revenue: 25.5, reason: 'no-op' });
    expect(same.response.status).toBe(200);
    expect(same.data).toMatchObject({ status: 'in-progress', duration: 45, revenue: 25.5, countedRevenue: 25.5 });
    expect(await callRow(id)).toEqual(before);
    expect(await correctionRows(id)).toEqual([]);
    expect((await corrections(manager, id)).data).toEqual([]);
  });

  it("applies seed 000's body to an in-progress call: three corrections, listed oldest first", async () => {
    const id = await insertCall({ status: 'in-progress', revenue: '25.5' });
    const seed = await put(owner, id, { status: 'completed', duration: 180, revenue: 30 });
    expect(seed.response.status).toBe(200);
    expect(seed.data).toMatchObject({ status: 'completed', duration: 180, revenue: 30, countedRevenue: 25.5 });
    const later = await put(manager, id, { revenue: 31.25, reason: 'Second thoughts' });
    expect(later.data).toMatchObject({ revenue: 31.25, countedRevenue: 25.5 });

    const { data } = await corrections(manager, id);
    expect(data?.map((c) => [c.field, c.oldValue, c.newValue, c.reason])).toEqual([
      ['status', 'in-progress', 'completed', null],
      ['duration', null, '180', null],
      ['revenue', '25.5000', '30.0000', null],
      ['revenue', '30.0000', '31.2500', 'Second thoughts'],
    ]);
    const ids = data!.map((c) => c.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect((await callRow(id)).status_rank).toBe(4);
  });

  it('answers 400 for a reason alone or an empty body, naming the body', async () => {
    const id = await insertCall({ status: 'ringing' });
    const reasonOnly = await put(manager, id, { reason: 'just because' });
    expect(reasonOnly.response.status).toBe(400);
    expect(reasonOnly.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { body: 'needs at least one of status, duration, revenue' } });
    const empty = await put(manager, id, {});
    expect(empty.response.status).toBe(400);
    expect(empty.error?.code).toBe('VALIDATION_ERROR');
    expect(await correctionRows(id)).toEqual([]);
  });

  it('needs the manager role', async () => {
    const id = await insertCall({ status: 'ringing' });
    const denied = await put(agent, id, { status: 'completed' });
    expect(denied.response.status).toBe(403);
    expect((await callRow(id)).status).toBe('ringing');
  });

  it("answers 404 for another organisation's, an unknown or a malformed call, for the correction and its list", async () => {
    const id = await insertCall({ status: 'ringing', revenue: '25.5' });
    const before = await callRow(id);
    const foreign = await put(other, id, { status: 'completed', revenue: 1 });
    expect(foreign.response.status).toBe(404);
    expect(foreign.error?.code).toBe('RESOURCE_NOT_FOUND');
    expect((await corrections(other, id)).response.status).toBe(404);
    for (const raw of ['999999', 'abc', '0', '2147483648']) {
      expect((await put(manager, raw, { status: 'completed' })).response.status, raw).toBe(404);
      expect((await corrections(manager, raw)).response.status, raw).toBe(404);
    }
    expect(await callRow(id)).toEqual(before);
    expect(await correctionRows(id)).toEqual([]);
  });

  it('serialises concurrent corrections: each one starts from the previous one', async () => {
    const id = await insertCall({ status: 'completed', duration: 60, revenue: '25.5' });
    const amounts = Array.from({ length: 10 }, (_, i) => 40 + i * 1.25);
    const answers = await Promise.all(amounts.map((revenue) => put(manager, id, { revenue, reason: `race ${revenue}` })));
    expect(answers.map((a) => a.response.status)).toEqual(amounts.map(() => 200));

    const rows = await correctionRows(id);
    expect(rows).toHaveLength(10);
    expect(rows[0]!.old_value).toBe('25.5000');
    rows.slice(1).forEach((row, i) => expect(row.old_value, `row ${i + 1}`).toBe(rows[i]!.new_value));
    expect(rows.map((r) => r.new_value).sort()).toEqual(amounts.map((a) => a.toFixed(4)).sort());
    const last = rows[rows.length - 1]!;
    expect(await callRow(id)).toMatchObject({ revenue: '25.5000', revenue_override: last.new_value });
  });
});
