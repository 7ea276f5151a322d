// Seed 004's analytics over AI calls the test writes itself: the figures, exactly; the time zone
// and grouping; another organisation's calls and agents; roles; bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { SERVICE_VERSION } from '../../../server/platform/version.js';
import { settleAgentCallBatch } from '../../../server/ai/analytics/settle.js';
import { insertAgent, insertCall, insertConversation, insertOutbound } from './helpers.js';

let t: TestApp;
let A: Member;
let B: Member;
let agentRole: Member;
let sales: string;
let support: string;
let bAgent: string;

const at = (iso: string) => new Date(iso);
const NOV = { startDate: '2025-11-01', endDate: '2025-11-30' };
const zeros = (n: number, from: string) => {
  const out = [];
  const start = Date.parse(`${from}T00:00:00Z`);
  for (let i = 0; i < n; i++) out.push(new Date(start + i * 86_400_000).toISOString().slice(0, 10));
  return out;
};

beforeAll(async () => {
  t = await startTestApp({ env: { AI_CALL_INTERVAL_MS: '0' } });
  A = await registerOrg(t, 'Analytics A');
  B = await registerOrg(t, 'Analytics B');
  agentRole = await addMember(t, A, 'agent');
  const db = t.db;
  sales = await insertAgent(db, A.orgId, 'Sales');
  support = await insertAgent(db, A.orgId, 'Support');
  await insertAgent(db, A.orgId, 'Paused', { isActive: false });
  await insertAgent(db, A.orgId, 'Old', { archived: true });
  bAgent = await insertAgent(db, B.orgId, 'Bee');

  const s = (r: Parameters<typeof insertOutbound>[3]) => insertOutbound(db, A.orgId, sales, r);
  // Sales: outbound attempts.
  await s({ status: 'completed', startedAt: at('2025-11-01T10:00:00Z'), endedAt: at('2025-11-01T10:02:00Z'), durationSec: 120, cost: 0.5, costBreakdown: { telephony: 0.03, stt: 0.1, llm: 0.27, tts: 0.1 } });
  await s({ status: 'no-answer', startedAt: at('2025-11-01T12:00:00Z'), endedAt: at('2025-11-01T12:00:30Z'), durationSec: 0, cost: 0, costBreakdown: { telephony: 0, stt: 0, llm: 0, tts: 0 } });
  await s({ status: 'completed', startedAt: at('2025-11-02T09:00:00Z'), durationSec: 60, attempt: 2, outcome: 'voicemail', cost: 0.25, costBreakdown: { telephony: 0.05, stt: 0.05, llm: 0.1, tts: 0.05 } });
  await s({ status: 'busy', startedAt: at('2025-11-03T09:00:00Z'), attempt: 2 });
  await s({ status: 'failed', startedAt: at('2025-11-03T10:00:00Z'), failureReason: 'Carrier error', metadata: { voicemailDetected: true } });
  const machineCall = await insertCall(db, A.orgId, { agentId: sales, direction: 'outbound', createdAt: at('2025-11-10T09:00:00Z'), durationSec: 300, answeredBy: 'machine_start' });
  await s({ status: 'completed', startedAt: at('2025-11-10T09:00:00Z'), durationSec: 300, callId: machineCall, cost: 1, costBreakdown: { telephony: 0.07, stt: 0.2, llm: 0.53, tts: 0.2 } });
  await s({ status: 'scheduled', startedAt: null, scheduledFor: at('2025-11-20T09:00:00Z') }); // never placed: waiting
  await s({ status: 'completed', startedAt: at('2025-10-31T23:00:00Z'), durationSec: 50, cost: 7, costBreakdown: { telephony: 7, stt: 0, llm: 0, tts: 0 } }); // before the range
  await s({ status: 'completed', startedAt: at('2025-11-01T05:00:00Z'), durationSec: 10 }); // 31 October in Los Angeles; not priced yet
  await s({ status: 'no-answer', startedAt: at('2025-11-04T09:00:00Z'), durationSec: 0 });
  await s({ status: 'scheduled', startedAt: null, scheduledFor: at('2099-01-01T09:00:00Z') });
  await s({ status: 'queued', startedAt: null });
  await s({ status: 'in-progress', startedAt: new Date() });
  // Sales: inbound calls.
  const inbound = await insertCall(db, A.orgId, { agentId: sales, createdAt: at('2025-11-02T15:00:00Z'), durationSec: 200 });
  await insertConversation(db, A.orgId, sales, { callId: inbound, startedAt: at('2025-11-02T15:00:00Z'), endedAt: at('2025-11-02T15:03:20Z'), cost: 0.8, costBreakdown: { telephony: 0.04, stt: 0.16, llm: 0.4, tts: 0.2 } });
  const live = await insertCall(db, A.orgId, { agentId: sales, status: 'in-progress', createdAt: at('2025-11-10T10:00:00Z') });
  await insertConversation(db, A.orgId, sales, { callId: live, startedAt: new Date() });
  // Support.
  await insertOutbound(db, A.orgId, support, { status: 'completed', startedAt: at('2025-11-02T10:00:00Z'), durationSec: 100, cost: 0.3, costBreakdown: { telephony: 0.02, stt: 0.08, llm: 0.1, tts: 0.1 } });
  await insertCall(db, A.orgId, { agentId: support, status: 'canceled', createdAt: at('2025-11-03T08:00:00Z') });
  await insertConversation(db, A.orgId, support, { channel: 'text', startedAt: at('2025-11-02T11:00:00Z'), endedAt: at('2025-11-02T11:05:00Z'), cost: 0.5, costBreakdown: { telephony: 0, stt: 0, llm: 0.5, tts: 0 } });
  // Not AI calls: a call no agent took.
  await insertCall(db, A.orgId, { agentId: null, createdAt: at('2025-11-02T12:00:00Z'), durationSec: 500 });
  // Organisation B.
  await insertOutbound(db, B.orgId, bAgent, { status: 'completed', startedAt: at('2025-11-05T10:00:00Z'), durationSec: 30, cost: 9.9, costBreakdown: { telephony: 9.9, stt: 0, llm: 0, tts: 0 } });
});
afterAll(async () => t.close());

describe('GET /api/ai/analytics/calls', () => {
  it('counts the organisation’s AI calls of the period (UTC, by day)', async () => {
    const { data, response } = await A.client.GET('/api/ai/analytics/calls', { params: { query: NOV } });
    expect(response.status).toBe(200);
    const days = zeros(30, '2025-11-01').map((date) => ({ date, calls: 0, successfulCalls: 0, successRate: 0 }));
    const set = (date: string, calls: number, successfulCalls: number, successRate: number) => {
      days[days.findIndex((d) => d.date === date)] = { date, calls, successfulCalls, successRate };
    };
    set('2025-11-01', 3, 2, 66.67);
    set('2025-11-02', 3, 3, 100);
    set('2025-11-03', 3, 0, 0);
    set('2025-11-04', 1, 0, 0);
    set('2025-11-10', 2, 1, 50);
    expect(data).toEqual({
      range: { from: '2025-11-01T00:00:00.000Z', to: '2025-12-01T00:00:00.000Z', timeZone: 'UTC' },
      agentId: null,
      groupBy: 'day',
      summary: { totalCalls: 12, successfulCalls: 6, failedCalls: 5, inProgressCalls: 1, inboundCalls: 3, outboundCalls: 9, successRate: 50, averageDuration: 131.67 },
      byStatus: { completed: 6, noAnswer: 2, busy: 1, failed: 1, canceled: 1, inProgress: 1 },
      byDate: days,
    });
  });

  it('groups by ISO week (from Monday) and by month', async () => {
    const weeks = await A.client.GET('/api/ai/analytics/calls', { params: { query: { ...NOV, groupBy: 'week' } } });
    expect(weeks.data?.byDate).toEqual([
      { date: '2025-10-27', calls: 6, successfulCalls: 5, successRate: 83.33 },
      { date: '2025-11-03', calls: 4, successfulCalls: 0, successRate: 0 },
      { date: '2025-11-10', calls: 2, successfulCalls: 1, successRate: 50 },
      { date: '2025-11-17', calls: 0, successfulCalls: 0, successRate: 0 },
      { date: '2025-11-24', calls: 0, successfulCalls: 0, successRate: 0 },
    ]);
    const months = await A.client.GET('/api/ai/analytics/calls', { params: { query: { startDate: '2025-10-15', endDate: '2025-11-30', groupBy: 'month' } } });
    expect(months.data?.byDate).toEqual([
      { date: '2025-10-01', calls: 1, successfulCalls: 1, successRate: 100 },
      { date: '2025-11-01', calls: 12, successfulCalls: 6, successRate: 50 },
    ]);
  });

  it("uses the days of timeZone (Los Angeles: a call at 05:00 UTC on 1 November is 31 October's)", async () => {
    const { data } = await A.client.GET('/api/ai/analytics/calls', { params: { query: { ...NOV, timeZone: 'America/Los_Angeles' } } });
    expect(data?.range).toEqual({ from: '2025-11-01T07:00:00.000Z', to: '2025-12-01T08:00:00.000Z', timeZone: 'America/Los_Angeles' });
    expect(data?.summary).toEqual({ totalCalls: 11, successfulCalls: 5, failedCalls: 5, inProgressCalls: 1, inboundCalls: 3, outboundCalls: 8, successRate: 45.45, averageDuration: 156 });
    expect(data?.byDate.filter((d) => d.calls > 0)).toEqual([
      { date: '2025-11-01', calls: 2, successfulCalls: 1, successRate: 50 },
      { date: '2025-11-02', calls: 3, successfulCalls: 3, successRate: 100 },
      { date: '2025-11-03', calls: 3, successfulCalls: 0, successRate: 0 },
      { date: '2025-11-04', calls: 1, successfulCalls: 0, successRate: 0 },
      { date: '2025-11-10', calls: 2, successfulCalls: 1, successRate: 50 },
    ]);
    expect(data?.byDate).toHaveLength(30);
  });

  it('takes date-times as instants, and narrows to one agent', async () => {
    const instants = await A.client.GET('/api/ai/analytics/calls', { params: { query: { startDate: '2025-11-01T10:00:00Z', endDate: '2025-11-01T12:00:00Z' } } });
    expect(instants.data?.summary.totalCalls).toBe(1); // 10:00 in, 12:00 out
    const one = await A.client.GET('/api/ai/analytics/calls', { params: { query: { ...NOV, agentId: support } } });
    expect(one.data?.agentId).toBe(support);
    expect(one.data?.summary).toEqual({ totalCalls: 2, successfulCalls: 1, failedCalls: 1, inProgressCalls: 0, inboundCalls: 1, outboundCalls: 1, successRate: 50, averageDuration: 100 });
    expect(one.data?.byStatus).toEqual({ completed: 1, noAnswer: 0, busy: 0, failed: 0, canceled: 1, inProgress: 0 });
  });
});

describe('GET /api/ai/analytics/agents/{id}', () => {
  it("gives the agent's performance", async () => {
    const { data, response } = await A.client.GET('/api/ai/analytics/agents/{id}', { params: { path: { id: sales }, query: NOV } });
    expect(response.status).toBe(200);
    expect(data).toEqual({
      range: { from: '2025-11-01T00:00:00.000Z', to: '2025-12-01T00:00:00.000Z', timeZone: 'UTC' },
      agentId: sales,
      agentName: 'Sales',
      totalCalls: 10,
      successfulCalls: 5,
      successRate: 50,
      averageDuration: 138,
      voicemailDetectionRate: 37.5, // 3 of 8 outbound: an outcome, the metadata, the carrier's machine detection
      retrySuccessRate: 50,
      topFailureReasons: [
        { reason: 'no-answer', count: 2 },
        { reason: 'Carrier error', count: 1 },
        { reason: 'busy', count: 1 },
      ],
    });
  });

  it('answers zeros for a period without calls', async () => {
    const { data } = await A.client.GET('/api/ai/analytics/agents/{id}', { params: { path: { id: support }, query: { startDate: '2024-01-01', endDate: '2024-01-31' } } });
    expect(data).toMatchObject({ agentName: 'Support', totalCalls: 0, successfulCalls: 0, successRate: 0, averageDuration: 0, voicemailDetectionRate: 0, retrySuccessRate: 0, topFailureReasons: [] });
  });
});

describe('GET /api/ai/analytics/costs', () => {
  it('sums the priced calls by component and agent (text sessions, other periods and organisations left out)', async () => {
    const { data, response } = await A.client.GET('/api/ai/analytics/costs', { params: { query: NOV } });
    expect(response.status).toBe(200);
    expect(data).toEqual({
      range: { from: '2025-11-01T00:00:00.000Z', to: '2025-12-01T00:00:00.000Z', timeZone: 'UTC' },
      agentId: null,
      totalCost: 2.85,
      calls: 6,
      costPerCall: 0.475,
      breakdown: { telephony: 0.21, exotel: 0.21, stt: 0.59, llm: 1.4, tts: 0.65 },
      byAgent: [
        { agentId: sales, agentName: 'Sales', totalCost: 2.55, calls: 5 },
        { agentId: support, agentName: 'Support', totalCost: 0.3, calls: 1 },
      ],
    });
  });

  it('adds byPeriod with groupBy, and narrows to one agent', async () => {
    const { data } = await A.client.GET('/api/ai/analytics/costs', { params: { query: { ...NOV, groupBy: 'day' } } });
    expect(data?.byPeriod).toHaveLength(30);
    expect(data?.byPeriod?.filter((p) => p.calls > 0)).toEqual([
      { date: '2025-11-01', totalCost: 0.5, calls: 2 },
      { date: '2025-11-02', totalCost: 1.35, calls: 3 },
      { date: '2025-11-10', totalCost: 1, calls: 1 },
    ]);
    const one = await A.client.GET('/api/ai/analytics/costs', { params: { query: { ...NOV, agentId: support, groupBy: 'month' } } });
    expect(one.data).toMatchObject({ agentId: support, totalCost: 0.3, calls: 1, costPerCall: 0.3, breakdown: { telephony: 0.02, exotel: 0.02, stt: 0.08, llm: 0.1, tts: 0.1 } });
    expect(one.data?.byPeriod).toEqual([{ date: '2025-11-01', totalCost: 0.3, calls: 1 }]);
  });

  it("counts an agent's inbound call that never reached a conversation, priced by the settler on the call", async () => {
    const C = await registerOrg(t, 'Analytics C');
    const agent = await insertAgent(t.db, C.orgId, 'Cee');
    await insertCall(t.db, C.orgId, { agentId: agent, createdAt: at('2025-11-07T09:00:00Z'), endedAt: at('2025-11-07T09:02:30Z'), durationSec: 150 });
    const rates = { telephonyPerMinute: 0.01, sttPerMinute: 0.02, llmInputPer1kTokens: 0.5, llmOutputPer1kTokens: 1.5, ttsPer1kCharacters: 0.25 };
    expect((await settleAgentCallBatch(t.db, { rates })).priced).toHaveLength(1);
    const { data } = await C.client.GET('/api/ai/analytics/costs', { params: { query: { ...NOV, groupBy: 'month' } } });
    expect(data).toMatchObject({
      totalCost: 0.03,
      calls: 1,
      costPerCall: 0.03,
      breakdown: { telephony: 0.03, exotel: 0.03, stt: 0, llm: 0, tts: 0 },
      byAgent: [{ agentId: agent, agentName: 'Cee', totalCost: 0.03, calls: 1 }],
      byPeriod: [{ date: '2025-11-01', totalCost: 0.03, calls: 1 }],
    });
  });

  it('answers zeros without priced calls', async () => {
    const { data } = await A.client.GET('/api/ai/analytics/costs', { params: { query: { startDate: '2024-01-01', endDate: '2024-01-31' } } });
    expect(data).toMatchObject({ totalCost: 0, calls: 0, costPerCall: 0, breakdown: { telephony: 0, exotel: 0, stt: 0, llm: 0, tts: 0 }, byAgent: [] });
    expect(data).not.toHaveProperty('byPeriod');
  });
});

describe('GET /api/ai/stats', () => {
  it("counts the organisation's AI calls, agents and queue now, with the process's uptime and the version", async () => {
    const { data, response } = await A.client.GET('/api/ai/stats');
    expect(response.status).toBe(200);
    expect(data).toMatchObject({
      calls: { total: 14, inbound: 3, outbound: 11, successRate: 50 },
      agents: { total: 3, active: 2 },
      queue: { waiting: 2, scheduled: 1, active: 2 },
      version: SERVICE_VERSION,
    });
    expect(data!.uptime).toBe(Math.floor((Date.parse(data!.generatedAt) - Date.parse(data!.startedAt)) / 1000));
    expect(Date.parse(data!.startedAt)).toBeLessThanOrEqual(Date.now());
    const ofB = await B.client.GET('/api/ai/stats');
    expect(ofB.data).toMatchObject({ calls: { total: 1, inbound: 0, outbound: 1, successRate: 100 }, agents: { total: 1, active: 1 }, queue: { waiting: 0, scheduled: 0, active: 0 } });
  });
});

describe('tenancy and roles', () => {
  it("another organisation's agent is a 404 wherever it is named; B's figures are B's own", async () => {
    const attempts = await Promise.all([
      B.client.GET('/api/ai/analytics/agents/{id}', { params: { path: { id: sales }, query: NOV } }),
      B.client.GET('/api/ai/analytics/calls', { params: { query: { ...NOV, agentId: sales } } }),
      B.client.GET('/api/ai/analytics/costs', { params: { query: { ...NOV, agentId: sales } } }),
      A.client.GET('/api/ai/analytics/agents/{id}', { params: { path: { id: bAgent }, query: NOV } }),
      A.client.GET('/api/ai/analytics/agents/{id}', { params: { path: { id: 'not-a-uuid' }, query: NOV } }),
      A.client.GET('/api/ai/analytics/agents/{id}', { params: { path: { id: '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b' }, query: NOV } }),
    ]);
    expect(attempts.map((a) => [a.response.status, (a.error as { code?: string } | undefined)?.code])).toEqual(attempts.map(() => [404, 'RESOURCE_NOT_FOUND']));
    const calls = await B.client.GET('/api/ai/analytics/calls', { params: { query: NOV } });
    expect(calls.data?.summary).toMatchObject({ totalCalls: 1, successfulCalls: 1 });
    const costs = await B.client.GET('/api/ai/analytics/costs', { params: { query: NOV } });
    expect(costs.data).toMatchObject({ totalCost: 9.9, calls: 1, byAgent: [{ agentId: bAgent, agentName: 'Bee', totalCost: 9.9, calls: 1 }] });
  });

  it('an agent-role user gets 403; an anonymous caller 401', async () => {
    const denied = await Promise.all([
      agentRole.client.GET('/api/ai/analytics/calls', { params: { query: NOV } }),
      agentRole.client.GET('/api/ai/analytics/agents/{id}', { params: { path: { id: sales }, query: NOV } }),
      agentRole.client.GET('/api/ai/analytics/costs', { params: { query: NOV } }),
      agentRole.client.GET('/api/ai/stats'),
    ]);
    expect(denied.map((d) => d.response.status)).toEqual([403, 403, 403, 403]);
    const anonymous = await t.client().GET('/api/ai/stats');
    expect(anonymous.response.status).toBe(401);
  });
});

describe('bad input', () => {
  type Query = Record<string, string>;
  const cases: Array<[string, Query, Record<string, string>]> = [
    ['no startDate', { endDate: '2025-11-30' }, { startDate: expect.any(String) }],
    ['no endDate', { startDate: '2025-11-01' }, { endDate: expect.any(String) }],
    ['end before start', { startDate: '2025-11-30', endDate: '2025-11-01' }, { endDate: 'must be after startDate' }],
    ['more than 366 days', { startDate: '2024-01-01', endDate: '2025-01-01' }, { endDate: 'must be at most 366 days after startDate' }],
    ['a malformed date', { startDate: '01/11/2025', endDate: '2025-11-30' }, { startDate: expect.any(String) }],
    ['an impossible date', { startDate: '2025-11-01', endDate: '2025-11-31' }, { endDate: 'is not a real date or time' }],
    ['an unknown time zone', { ...NOV, timeZone: 'Atlantis/Lost' }, { timeZone: 'must be an IANA time zone such as America/New_York or UTC' }],
    ['an unknown grouping', { ...NOV, groupBy: 'year' }, { groupBy: expect.any(String) }],
    ['a malformed agentId', { ...NOV, agentId: 'abc' }, { agentId: expect.any(String) }],
  ];

  it.each(cases)('calls and costs: %s is a 400 naming the field', async (_label, query, details) => {
    for (const path of ['/api/ai/analytics/calls', '/api/ai/analytics/costs'] as const) {
      // (Deliberately off the typed shape: the client sends what it is given.)
      const res = await A.client.GET(path, { params: { query: query as never } });
      expect({ path, status: res.response.status, code: res.error?.code, details: res.error?.details }).toEqual({ path, status: 400, code: 'VALIDATION_ERROR', details });
    }
  });

  it('the agent analytics: a bad range is a 400 naming the field', async () => {
    const res = await A.client.GET('/api/ai/analytics/agents/{id}', { params: { path: { id: sales }, query: { startDate: '2025-11-30', endDate: '2025-11-01' } } });
    expect(res.response.status).toBe(400);
    expect(res.error?.details).toEqual({ endDate: 'must be after startDate' });
  });
});
