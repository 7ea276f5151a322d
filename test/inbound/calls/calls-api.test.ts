// The read side of call records: seed 000's paginated list and one call with its routing
// decisions and dial attempts, recorded through the same query functions the webhooks use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capWindows } from '../../../server/inbound/routing/eligibility.js';
import { applyCallEvent, recordInboundCall, reserveLeg, saveAnswer } from '../../../server/inbound/calls/queries/index.js';
import { type Member, addMember, createBuyer, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let other: Member;
let campaignId: string;
let buyerId: number;
let answeredCallId: number;

const NO_LIMITS = { maxConcurrent: null, hourlyCap: null, dailyCap: null, monthlyCap: null };

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Calls Org');
  other = await registerOrg(t, 'Other Calls Org');
  campaignId = (await createCampaign(owner.client, { name: 'Calls campaign', phoneNumber: '+12125550100' })).id;
  buyerId = (await createBuyer(owner.client, { name: 'John Doe', phoneNumber: '+12125554567' })).id;
  // 30 calls: one answered and paid, the rest ringing.
  for (let i = 0; i < 30; i += 1) {
    const callSid = `CA${String(i).padStart(32, '0')}`;
    const { call } = await recordInboundCall(t.db, {
      orgId: owner.orgId,
      callSid,
      campaignId,
      from: '+13105551234',
      to: '+12125550100',
      callerState: 'CA',
      callerZip: '90210',
    });
    if (i !== 7) continue;
    answeredCallId = call.id;
    await saveAnswer(t.db, call.id, {
      twiml: '<Response/>',
      routingMethod: 'priority',
      routingPlan: { order: [buyerId], skipped: [{ buyerId: 999, reason: 'outside_hours' }] },
    });
    const windows = capWindows('UTC', new Date());
    expect(await reserveLeg(t.db, { orgId: owner.orgId, callId: call.id, attempt: 1, buyerId, destination: '+12125554567', payout: '25.5', limits: { ...NO_LIMITS, windows } })).toEqual({ reserved: true });
    const policy = { minDurationSec: 60, payout: '25.5000' };
    await applyCallEvent(t.db, callSid, { kind: 'status', callStatus: 'in-progress' }, policy);
    await applyCallEvent(t.db, callSid, { kind: 'dial', attempt: 1, dialCallStatus: 'completed', dialCallDuration: 172, dialCallSid: 'CAleg1' }, policy);
    await applyCallEvent(t.db, callSid, { kind: 'status', callStatus: 'completed', callDuration: 180 }, policy);
  }
});
afterAll(async () => t.close());

describe('GET /api/calls', () => {
  it('answers seed 000 pagination, newest first, callers obfuscated and tracking numbers whole', async () => {
    const first = await owner.client.GET('/api/calls', { params: { query: { page: 1, limit: 25 } } });
    expect(first.response.status).toBe(200);
    expect(first.data?.pagination).toEqual({ page: 1, limit: 25, total: 30, totalPages: 2, hasNextPage: true, hasPreviousPage: false });
    expect(first.data?.calls).toHaveLength(25);
    expect(first.data?.calls[0]).toMatchObject({ phoneNumber: '+12125550100', callerNumber: '310***1234', campaignId });
    const ids = first.data!.calls.map((c) => c.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    const second = await owner.client.GET('/api/calls', { params: { query: { page: 2, limit: 25 } } });
    expect(second.data?.calls).toHaveLength(5);
    expect(second.data?.pagination).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('filters by status and campaign, and validates its query', async () => {
    const completed = await owner.client.GET('/api/calls', { params: { query: { status: 'completed' } } });
    expect(completed.data?.calls.map((c) => c.id)).toEqual([answeredCallId]);
    expect(completed.data?.calls[0]).toMatchObject({ status: 'completed', duration: 180, revenue: 25.5, routingMethod: 'priority', buyerId, buyerName: 'John Doe' });
    const none = await owner.client.GET('/api/calls', { params: { query: { campaignId: '00000000-0000-4000-8000-000000000000' } } });
    expect(none.data?.pagination.total).toBe(0);
    for (const query of [{ limit: 101 }, { page: 0 }, { status: 'bogus' }, { campaignId: 'nope' }]) {
      const bad = await owner.client.GET('/api/calls', { params: { query: query as never } });
      expect(bad.response.status).toBe(400);
    }
  });

  it("shows nothing of another organisation's calls", async () => {
    const foreign = await other.client.GET('/api/calls');
    expect(foreign.data?.pagination.total).toBe(0);
    // A user with role agent sees only the calls of its own agent (outbound-calls.test.ts): none of these.
    const agent = await addMember(t, owner, 'agent');
    expect((await agent.client.GET('/api/calls')).data?.pagination.total).toBe(0);
    const manager = await addMember(t, owner, 'manager');
    expect((await manager.client.GET('/api/calls')).data?.pagination.total).toBe(30);
  });
});

describe('GET /api/calls/{id}', () => {
  it('answers the call with its routing decisions, legs and money', async () => {
    const { data, response } = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(answeredCallId) } } });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({
      id: answeredCallId,
      direction: 'inbound',
      status: 'completed',
      duration: 180,
      connectedDuration: 172,
      routingMethod: 'priority',
      routingPlan: { order: [buyerId], skipped: [{ buyerId: 999, reason: 'outside_hours' }] },
      payout: 25.5,
      revenue: 25.5,
      callerNumber: '310***1234',
      callerState: 'CA',
    });
    expect(data?.revenueQualifiedAt).not.toBeNull();
    expect(data?.legs).toEqual([
      expect.objectContaining({ attempt: 1, buyerId, destination: '212***4567', dialStatus: 'completed', dialDuration: 172 }),
    ]);
  });

  it('answers 404 for an unknown, malformed or foreign id', async () => {
    for (const id of ['999999', 'abc', '-1', '2147483648']) {
      expect((await owner.client.GET('/api/calls/{id}', { params: { path: { id } } })).response.status).toBe(404);
    }
    const foreign = await other.client.GET('/api/calls/{id}', { params: { path: { id: String(answeredCallId) } } });
    expect(foreign.response.status).toBe(404);
    expect(foreign.error?.code).toBe('RESOURCE_NOT_FOUND');
  });
});
