// POST /api/reports/generate (seed 003) on the hand-computed world of outcome-world.ts: the three
// reports' figures asserted exactly, the filters, an agent-role user's own figures, bad input as a
// 400 naming the field, and the CSV read back (csv-parse) to the JSON report's numbers.
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { components } from '../../client/schema.js';
import { reportTable } from '../../server/reports/generate/table.js';
import type { Client } from '../helpers/fixtures.js';
import { NOW, withOutcomeWorld } from './outcome-world.js';

type Request = components['schemas']['ReportRequest'];
type Schemas = components['schemas'];

const ctx = withOutcomeWorld();

const dateRange = { start: '2025-03-01', end: '2025-03-12' };
const none = { answered: 0, voicemail: 0, noAnswer: 0, busy: 0, failed: 0, abandoned: 0, canceled: 0 };
const noOutcomes = { interested: 0, notInterested: 0, voicemail: 0, noAnswer: 0, busy: 0, callback: 0 };

async function generate<T extends Schemas['GeneratedReport']>(api: Client, body: Request): Promise<T> {
  const { data, response, error } = await api.POST('/api/reports/generate', { body });
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${JSON.stringify(error)}`);
  return data as T;
}

describe('agent_performance', () => {
  it("gives every agent's calls, talk time, dispositions, logged calls and conversions, and the totals", async () => {
    const report = await generate<Schemas['AgentPerformanceReport']>(ctx.w.manager.client, { reportType: 'agent_performance', dateRange });
    expect(report).toMatchObject({
      reportType: 'agent_performance',
      title: 'Agent performance',
      organizationName: 'Acme Calls',
      range: { startDate: '2025-03-01', endDate: '2025-03-12', timeZone: 'UTC' },
      filters: { campaigns: [], agents: [], outcomes: [] },
      scope: 'organization',
      generatedAt: NOW.toISOString(),
    });
    expect(report.rows).toEqual([
      // Calls 1, 2, 3, 7; logs L1–L3; conversions of lead1 (03-06) and lead0 (03-08).
      {
        agentId: ctx.w.agents.ann, agentName: 'Agent Ann', calls: 4, answered: 2, answerRate: 0.5, talkTime: 270, averageHandleTime: 135,
        dispositions: { ...none, answered: 2, voicemail: 1, abandoned: 1 }, callLogs: 3, outcomes: { ...noOutcomes, interested: 1, voicemail: 1, callback: 1 },
        conversions: 2, conversionRate: 1,
      },
      {
        agentId: ctx.w.agents.bob, agentName: 'Agent Bob', calls: 2, answered: 1, answerRate: 0.5, talkTime: 50, averageHandleTime: 50,
        dispositions: { ...none, answered: 1, noAnswer: 1 }, callLogs: 2, outcomes: { ...noOutcomes, notInterested: 1, noAnswer: 1 },
        conversions: 0, conversionRate: 0,
      },
      {
        agentId: ctx.w.agents.cy, agentName: 'Agent Cy', calls: 2, answered: 0, answerRate: 0, talkTime: 0, averageHandleTime: null,
        dispositions: { ...none, busy: 1, failed: 1 }, callLogs: 0, outcomes: noOutcomes, conversions: 0, conversionRate: null,
      },
    ]);
    // The manager's log L6 is nobody's agent row, so not in the totals either.
    expect(report.totals).toEqual({
      agentId: null, agentName: 'Total', calls: 8, answered: 3, answerRate: 0.375, talkTime: 320, averageHandleTime: 106.67,
      dispositions: { ...none, answered: 3, voicemail: 1, noAnswer: 1, busy: 1, failed: 1, abandoned: 1 }, callLogs: 5,
      outcomes: { interested: 1, notInterested: 1, voicemail: 1, noAnswer: 1, busy: 0, callback: 1 }, conversions: 2, conversionRate: 0.6667,
    });
  });

  it('filters by agent, campaign and logged-call outcome (seed 003 spelling)', async () => {
    const report = await generate<Schemas['AgentPerformanceReport']>(ctx.w.owner.client, {
      reportType: 'agent_performance',
      dateRange,
      filters: { agents: [ctx.w.agents.ann, ctx.w.agents.cy], campaigns: [ctx.w.c1], outcomes: ['Interested', 'voicemail'] },
    });
    expect(report.filters).toEqual({ agents: [ctx.w.agents.ann, ctx.w.agents.cy], campaigns: [ctx.w.c1], outcomes: ['interested', 'voicemail'] });
    // Alpha only: Ann's calls 1, 2, 7; logs L1, L2 (leads of Alpha); conversion of lead1 and lead0 (both Alpha).
    expect(report.rows.map((r) => [r.agentName, r.calls, r.answered, r.talkTime, r.callLogs, r.outcomes.interested, r.outcomes.voicemail, r.conversions])).toEqual([
      ['Agent Ann', 3, 1, 90, 2, 1, 1, 2],
      ['Agent Cy', 1, 0, 0, 0, 0, 0, 0],
    ]);
    expect([report.totals.calls, report.totals.callLogs, report.totals.conversions]).toEqual([4, 2, 2]);
  });

  it('gives a user with role agent its own row only; another agent is a 404', async () => {
    const own = await generate<Schemas['AgentPerformanceReport']>(ctx.w.bob.client, { reportType: 'agent_performance', dateRange });
    expect(own.scope).toBe('own');
    expect(own.rows.map((r) => [r.agentName, r.calls, r.callLogs])).toEqual([['Agent Bob', 2, 2]]);
    const other = await ctx.w.bob.client.POST('/api/reports/generate', { body: { reportType: 'agent_performance', filters: { agents: [ctx.w.agents.ann] } } });
    expect([other.response.status, other.error?.code]).toEqual([404, 'RESOURCE_NOT_FOUND']);
  });
});

describe('call_outcomes', () => {
  it('per day: every day of the period, calls by disposition, calls without one, logged outcomes', async () => {
    const report = await generate<Schemas['CallOutcomesReport']>(ctx.w.manager.client, { reportType: 'call_outcomes', dateRange: { start: '2025-03-10', end: '2025-03-12' } });
    expect(report.groupBy).toBe('day');
    expect(report.rows).toEqual([
      { groupKey: '2025-03-10', groupId: '2025-03-10', calls: 1, dispositions: { ...none, answered: 1 }, withoutDisposition: 0, callLogs: 1, outcomes: { ...noOutcomes, callback: 1 } },
      { groupKey: '2025-03-11', groupId: '2025-03-11', calls: 2, dispositions: { ...none, answered: 1, failed: 1 }, withoutDisposition: 0, callLogs: 1, outcomes: { ...noOutcomes, notInterested: 1 } },
      {
        groupKey: '2025-03-12', groupId: '2025-03-12', calls: 4, dispositions: { ...none, noAnswer: 1, busy: 1, abandoned: 1 }, withoutDisposition: 1,
        callLogs: 2, outcomes: { ...noOutcomes, interested: 1, noAnswer: 1 },
      },
    ]);
    expect(report.totals).toEqual({
      calls: 7, dispositions: { ...none, answered: 2, noAnswer: 1, busy: 1, failed: 1, abandoned: 1 }, withoutDisposition: 1, callLogs: 4,
      outcomes: { ...noOutcomes, interested: 1, notInterested: 1, noAnswer: 1, callback: 1 },
    });
  });

  it("per day in the zone's own days (Kolkata, +05:30: a boundary inside a UTC hour)", async () => {
    const report = await generate<Schemas['CallOutcomesReport']>(ctx.w.manager.client, {
      reportType: 'call_outcomes',
      dateRange: { start: '2025-03-12', end: '2025-03-12' },
      timeZone: 'Asia/Kolkata',
    });
    // 03-11 18:30 … 03-12 18:30 UTC: call 11 (18:40) is in, call 4 (03-11 12:00) and log L4 are not.
    expect(report.rows).toEqual([
      {
        groupKey: '2025-03-12', groupId: '2025-03-12', calls: 5, dispositions: { ...none, noAnswer: 1, busy: 1, failed: 1, abandoned: 1 }, withoutDisposition: 1,
        callLogs: 2, outcomes: { ...noOutcomes, interested: 1, noAnswer: 1 },
      },
    ]);
  });

  it('per campaign, by name, calls without a campaign last', async () => {
    const report = await generate<Schemas['CallOutcomesReport']>(ctx.w.manager.client, { reportType: 'call_outcomes', groupBy: 'campaign', dateRange });
    expect(report.rows.map((r) => [r.groupKey, r.groupId, r.calls, r.withoutDisposition, r.callLogs])).toEqual([
      ['Alpha', ctx.w.c1, 6, 1, 4],
      ['Beta', ctx.w.c2, 4, 1, 2],
    ]);
    expect([report.totals.calls, report.totals.callLogs]).toEqual([10, 6]);
  });

  it('empty filter lists filter nothing out, as their report says (filters [], "all" in print)', async () => {
    const plain = await generate<Schemas['CallOutcomesReport']>(ctx.w.manager.client, { reportType: 'call_outcomes', groupBy: 'campaign', dateRange });
    const empty = await generate<Schemas['CallOutcomesReport']>(ctx.w.manager.client, {
      reportType: 'call_outcomes',
      groupBy: 'campaign',
      dateRange,
      filters: { campaigns: [], agents: [], outcomes: [] },
    });
    expect(empty.filters).toEqual({ campaigns: [], agents: [], outcomes: [] });
    expect([empty.totals.calls, empty.totals.callLogs]).toEqual([10, 6]);
    expect(empty).toEqual(plain);
    const agents = await generate<Schemas['AgentPerformanceReport']>(ctx.w.manager.client, { reportType: 'agent_performance', dateRange, filters: { agents: [] } });
    expect(agents.rows.map((r) => r.agentName)).toEqual(['Agent Ann', 'Agent Bob', 'Agent Cy']);
  });

  it('for a user with role agent, its own calls and logs', async () => {
    const report = await generate<Schemas['CallOutcomesReport']>(ctx.w.ann.client, { reportType: 'call_outcomes', groupBy: 'campaign', dateRange });
    expect(report.rows.map((r) => [r.groupKey, r.calls, r.callLogs])).toEqual([
      ['Alpha', 3, 2],
      ['Beta', 1, 1],
    ]);
  });
});

describe('lead_conversion', () => {
  it('per campaign: leads at each stage, the furthest stage each reached, the rates', async () => {
    const report = await generate<Schemas['LeadConversionReport']>(ctx.w.manager.client, { reportType: 'lead_conversion', dateRange });
    expect(report.groupBy).toBe('campaign');
    expect(report.rows).toEqual([
      {
        groupKey: 'Alpha', groupId: ctx.w.c1, leads: 3, stages: { new: 0, contacted: 1, followUp: 0, qualified: 0, converted: 1, lost: 1 },
        reached: { contacted: 3, followUp: 2, qualified: 2, converted: 1 }, qualificationRate: 0.6667, conversionRate: 0.3333,
      },
      {
        groupKey: 'Beta', groupId: ctx.w.c2, leads: 2, stages: { new: 1, contacted: 0, followUp: 1, qualified: 0, converted: 0, lost: 0 },
        reached: { contacted: 1, followUp: 1, qualified: 0, converted: 0 }, qualificationRate: 0, conversionRate: 0,
      },
      {
        groupKey: '(none)', groupId: null, leads: 1, stages: { new: 0, contacted: 0, followUp: 0, qualified: 1, converted: 0, lost: 0 },
        reached: { contacted: 1, followUp: 1, qualified: 1, converted: 0 }, qualificationRate: 1, conversionRate: 0,
      },
    ]);
    expect(report.totals).toEqual({
      leads: 6, stages: { new: 1, contacted: 1, followUp: 1, qualified: 1, converted: 1, lost: 1 },
      reached: { contacted: 5, followUp: 4, qualified: 3, converted: 1 }, qualificationRate: 0.5, conversionRate: 0.1667,
    });
  });

  it('per source, and for a user with role agent its assigned leads', async () => {
    const bySource = await generate<Schemas['LeadConversionReport']>(ctx.w.manager.client, { reportType: 'lead_conversion', groupBy: 'source', dateRange });
    expect(bySource.rows.map((r) => [r.groupKey, r.leads, r.reached.contacted, r.reached.followUp, r.reached.qualified, r.reached.converted, r.qualificationRate, r.conversionRate])).toEqual([
      ['api', 4, 3, 3, 2, 1, 0.5, 0.25],
      ['import', 2, 2, 1, 1, 0, 0.5, 0],
    ]);
    const own = await generate<Schemas['LeadConversionReport']>(ctx.w.ann.client, { reportType: 'lead_conversion', dateRange });
    expect(own.rows.map((r) => [r.groupKey, r.leads])).toEqual([
      ['Alpha', 2],
      ['Beta', 1],
    ]);
  });
});

describe('bad input and other organisations', () => {
  it('answers 400 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'reportType'],
      [{ reportType: 'sales' }, 'reportType'],
      [{ reportType: 'call_outcomes', format: 'xlsx' }, 'format'],
      [{ reportType: 'call_outcomes', dateRange: { start: '2025-03-12', end: '2025-03-01' } }, 'dateRange.start'],
      [{ reportType: 'call_outcomes', dateRange: { start: '2024-01-01', end: '2025-03-01' } }, 'dateRange.end'],
      [{ reportType: 'call_outcomes', dateRange: { start: '2025-02-30' } }, 'dateRange.start'],
      [{ reportType: 'call_outcomes', timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ reportType: 'call_outcomes', groupBy: 'source' }, 'groupBy'],
      [{ reportType: 'lead_conversion', groupBy: 'day' }, 'groupBy'],
      [{ reportType: 'agent_performance', groupBy: 'campaign' }, 'groupBy'],
      [{ reportType: 'lead_conversion', filters: { outcomes: ['Interested'] } }, 'filters.outcomes'],
      [{ reportType: 'agent_performance', filters: { outcomes: ['Qualified'] } }, 'filters.outcomes.0'],
      [{ reportType: 'agent_performance', filters: { agents: [1, 2, 3] } }, 'filters.agents.0'],
      [{ reportType: 'agent_performance', filters: { teams: [] } }, 'filters.teams'],
    ];
    for (const [body, field] of cases) {
      const { response, error } = await ctx.w.manager.client.POST('/api/reports/generate', { body: body as Request });
      const fields = Object.keys((error?.details ?? {}) as object);
      expect({ body, status: response.status, named: fields.some((f) => f === field || f.startsWith(`${field}`)) }, JSON.stringify(fields)).toEqual({ body, status: 400, named: true });
    }
  });

  it("answers 404 for another organisation's (or no) campaign or agent", async () => {
    const bodies: Request[] = [
      { reportType: 'agent_performance', filters: { agents: [ctx.w.agents.other] } },
      { reportType: 'call_outcomes', filters: { campaigns: [ctx.w.c1, ctx.w.otherCampaign] } },
      { reportType: 'lead_conversion', format: 'pdf', filters: { campaigns: [randomUUID()] } },
    ];
    for (const body of bodies) {
      const { response, error } = await ctx.w.owner.client.POST('/api/reports/generate', { body });
      expect([response.status, error?.code]).toEqual([404, 'RESOURCE_NOT_FOUND']);
    }
  });
});

describe('CSV', () => {
  it.each([
    ['agent_performance', {}],
    ['call_outcomes', { groupBy: 'day' }],
    ['call_outcomes', { groupBy: 'campaign' }],
    ['lead_conversion', { groupBy: 'source' }],
  ] as const)('%s %j: an attachment that parses back to the JSON report', async (reportType, extra) => {
    const body: Request = { reportType, dateRange, ...extra };
    const json = await generate(ctx.w.manager.client, body);
    const { response, data } = await ctx.w.manager.client.POST('/api/reports/generate', { body: { ...body, format: 'csv' }, parseAs: 'text' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${reportType}_2025-03-01_2025-03-12.csv"`);
    const records = parse(data as string, { relax_column_count: false }) as string[][];
    const table = reportTable(json);
    expect(records[0]).toEqual(table.columns.map((c) => c.label));
    const asCells = (cells: ReadonlyArray<string | number | null>) => cells.map((c) => (c === null ? '' : String(c)));
    expect(records.slice(1)).toEqual([...table.rows, table.totals].map(asCells));
    expect(records.at(-1)![0]).toBe('Total');
    // Numbers read back as numbers: the totals' calls / leads column.
    expect(Number(records.at(-1)![1])).toBe('calls' in json.totals ? json.totals.calls : json.totals.leads);
  });
});
