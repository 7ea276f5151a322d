// GET /api/analytics/performance (seed 003) on the hand-computed world of outcome-world.ts: every
// figure asserted exactly, for the organisation, per campaign, per agent, for an agent-role user
// (its own figures only), for the named periods; bad input is a 400 naming the field.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NOW, PERIOD, withOutcomeWorld } from './outcome-world.js';

const ctx = withOutcomeWorld();

const none = { answered: 0, voicemail: 0, noAnswer: 0, busy: 0, failed: 0, abandoned: 0, canceled: 0 };
const noOutcomes = { interested: 0, notInterested: 0, voicemail: 0, noAnswer: 0, busy: 0, callback: 0 };

describe('GET /api/analytics/performance', () => {
  it("counts the organisation's calls, logged calls and leads of the period, today and this week", async () => {
    const { data, response } = await ctx.w.manager.client.GET('/api/analytics/performance', { params: { query: PERIOD } });
    expect(response.status).toBe(200);
    expect(data).toEqual({
      period: 'custom',
      range: { startDate: '2025-03-01', endDate: '2025-03-12', timeZone: 'UTC', from: '2025-03-01T00:00:00.000Z', to: '2025-03-13T00:00:00.000Z' },
      filters: { scope: 'organization', campaignId: null, agentId: null },
      // Calls 1–9 and 11; completed 1, 2, 3, 4, 7, 8; call 8 pays; durations 100+20+200+60+5+120 over 6.
      calls: { total: 10, today: 4, thisWeek: 7, completed: 6, answered: 3, converted: 1, averageDuration: 84.17, averageTalkTime: 106.67, conversionRate: 0.1 },
      callLogs: { total: 6, today: 2, thisWeek: 4, averageDuration: 74 },
      // lead1 converted; lead2 reached qualified before it was lost; lead6 is qualified.
      leads: { total: 6, qualified: 3, converted: 1, qualificationRate: 0.5, conversionRate: 0.1667 },
      outcomes: { interested: 2, notInterested: 1, voicemail: 1, noAnswer: 1, busy: 0, callback: 1 },
      dispositions: { answered: 3, voicemail: 1, noAnswer: 1, busy: 1, failed: 1, abandoned: 1, canceled: 0 },
      generatedAt: NOW.toISOString(),
    });
  });

  it('narrows to a campaign: its calls, the logs of its leads, its leads', async () => {
    const { data } = await ctx.w.owner.client.GET('/api/analytics/performance', { params: { query: { ...PERIOD, campaignId: ctx.w.c1 } } });
    expect(data?.filters).toEqual({ scope: 'organization', campaignId: ctx.w.c1, agentId: null });
    expect(data?.calls).toEqual({ total: 6, today: 2, thisWeek: 3, completed: 5, answered: 2, converted: 1, averageDuration: 61, averageTalkTime: 70, conversionRate: 0.1667 });
    expect(data?.callLogs).toEqual({ total: 4, today: 1, thisWeek: 2, averageDuration: 47.5 });
    expect(data?.leads).toEqual({ total: 3, qualified: 2, converted: 1, qualificationRate: 0.6667, conversionRate: 0.3333 });
    expect(data?.outcomes).toEqual({ ...noOutcomes, interested: 2, notInterested: 1, voicemail: 1 });
    expect(data?.dispositions).toEqual({ ...none, answered: 2, voicemail: 1, busy: 1, abandoned: 1 });
  });

  it("narrows to an agent: its calls, its user's logs and leads", async () => {
    const { data } = await ctx.w.manager.client.GET('/api/analytics/performance', { params: { query: { ...PERIOD, agentId: ctx.w.agents.bob } } });
    expect(data?.calls).toEqual({ total: 2, today: 1, thisWeek: 2, completed: 1, answered: 1, converted: 0, averageDuration: 60, averageTalkTime: 50, conversionRate: 0 });
    expect(data?.callLogs).toEqual({ total: 2, today: 1, thisWeek: 2, averageDuration: 50 });
    expect(data?.leads).toEqual({ total: 2, qualified: 0, converted: 0, qualificationRate: 0, conversionRate: 0 });
    expect(data?.dispositions).toEqual({ ...none, answered: 1, noAnswer: 1 });
  });

  it('gives a user with role agent its own figures only, and 404 for another agent', async () => {
    const own = await ctx.w.ann.client.GET('/api/analytics/performance', { params: { query: PERIOD } });
    expect(own.data).toMatchObject({
      filters: { scope: 'own', campaignId: null, agentId: null },
      calls: { total: 4, today: 1, thisWeek: 2, completed: 4, answered: 2, converted: 0, averageDuration: 81.25, averageTalkTime: 135, conversionRate: 0 },
      callLogs: { total: 3, today: 0, thisWeek: 1, averageDuration: 96.67 },
      leads: { total: 3, qualified: 2, converted: 1, qualificationRate: 0.6667, conversionRate: 0.3333 },
      outcomes: { ...noOutcomes, interested: 1, voicemail: 1, callback: 1 },
      dispositions: { ...none, answered: 2, voicemail: 1, abandoned: 1 },
    });
    const self = await ctx.w.ann.client.GET('/api/analytics/performance', { params: { query: { ...PERIOD, agentId: ctx.w.agents.ann } } });
    expect(self.data?.calls.total).toBe(4);
    const otherAgent = await ctx.w.ann.client.GET('/api/analytics/performance', { params: { query: { agentId: ctx.w.agents.bob } } });
    expect(otherAgent.response.status).toBe(404);
    expect(otherAgent.error?.code).toBe('RESOURCE_NOT_FOUND');
  });

  it('takes seed 003\'s named periods (default the last 30 days), in the time zone asked for', async () => {
    const byName = async (period: 'today' | 'this_week' | 'last_7_days' | 'last_30_days' | 'last_90_days' | undefined, timeZone?: string) =>
      (await ctx.w.manager.client.GET('/api/analytics/performance', { params: { query: { period, timeZone } } })).data!;
    const defaults = await byName(undefined);
    expect([defaults.period, defaults.range.startDate, defaults.range.endDate]).toEqual(['last_30_days', '2025-02-11', '2025-03-12']);
    // The last 30 days (from 02-11) also hold call 10 (02-27), log L7 (02-20) and lead0 (02-15).
    expect([defaults.calls.total, defaults.callLogs.total, defaults.leads.total]).toEqual([11, 7, 7]);
    const today = await byName('today');
    expect([today.range.startDate, today.calls.total, today.calls.today, today.callLogs.total]).toEqual(['2025-03-12', 4, 4, 2]);
    const week = await byName('this_week');
    expect([week.range.startDate, week.range.endDate, week.calls.total]).toEqual(['2025-03-10', '2025-03-12', 7]);
    expect((await byName('last_7_days')).range.startDate).toBe('2025-03-06');
    expect((await byName('last_90_days')).calls.total).toBe(11);
    // In Kolkata (+05:30) "today" is 2025-03-12 from 03-11 18:30 UTC: call 11 (18:40 UTC) is today there.
    const kolkata = await byName('today', 'Asia/Kolkata');
    expect([kolkata.range.from, kolkata.calls.total, kolkata.calls.today, kolkata.dispositions.failed]).toEqual(['2025-03-11T18:30:00.000Z', 5, 5, 1]);
  });

  it('answers 400 naming the field for bad input, 404 for unknown ids', async () => {
    const api = ctx.w.manager.client;
    const cases: Array<[Record<string, string>, string]> = [
      [{ period: 'last_30_days', startDate: '2025-03-01' }, 'period'],
      [{ period: 'fortnight' }, 'period'],
      [{ startDate: '2025-03-10', endDate: '2025-03-01' }, 'startDate'],
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ agentId: 'not-a-uuid' }, 'agentId'],
      [{ campaignId: '12' }, 'campaignId'],
    ];
    for (const [query, field] of cases) {
      const { response, error } = await api.GET('/api/analytics/performance', { params: { query: query as never } });
      expect({ query, status: response.status, fields: Object.keys((error?.details ?? {}) as object) }).toEqual({ query, status: 400, fields: [field] });
    }
    for (const query of [{ agentId: randomUUID() }, { campaignId: randomUUID() }, { agentId: ctx.w.agents.other }, { campaignId: ctx.w.otherCampaign }]) {
      const { response } = await api.GET('/api/analytics/performance', { params: { query } });
      expect({ query, status: response.status }).toEqual({ query, status: 404 });
    }
  });
});
