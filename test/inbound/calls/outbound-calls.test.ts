// Outbound call fields on the call records API (issue 18 item 6; seed 002): the lead, agent,
// answering-machine result, disposition, talk time, cost, conference and attempt on GET
// /api/calls and GET /api/calls/{id}; seed 002's list filters; GET /api/calls/stats/summary and
// /api/calls/stats/by-disposition. The calls are inserted directly (as the dialer writes them),
// on known UTC days; the expected figures come from hand-written literals and, for every
// combination of filters, from a plain-JS model of the same rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnsweredBy, CallDisposition, CallStatusValue, Direction } from '../../../db/types.js';
import { callStatusRank } from '../../../server/inbound/calls/status.js';
import { type Client, type Member, addMember, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { newCallSid } from './db-helpers.js';

let t: TestApp;
let owner: Member;
let manager: Member;
/** Users with role agent: the first two are agents 1 and 2, the third is no agent at all. */
let agentUser1: Member;
let agentUser2: Member;
let agentUserWithoutAgent: Member;
let other: Member;

interface Ids {
  campaign1: string;
  campaign2: string;
  emptyCampaign: string;
  lead1: string;
  lead2: string;
  agent1: string;
  agent2: string;
  otherAgent: string;
  otherLead: string;
}
let ids: Ids;

/** One call of the fixture, as the dialer (or the voice webhook, for inbound calls) leaves it. */
interface Fixture {
  key: string;
  org: 'mine' | 'other';
  direction: Direction;
  createdAt: string;
  status?: CallStatusValue;
  campaign?: keyof Ids;
  lead?: keyof Ids;
  agent?: keyof Ids;
  answeredBy?: AnsweredBy;
  disposition?: CallDisposition;
  duration?: number;
  talk?: number;
  cost?: string;
  attempt?: number;
  conference?: string;
}

const FIXTURES: Fixture[] = [
  { key: 'c1', org: 'mine', direction: 'outbound', createdAt: '2024-01-10T10:00:00Z', campaign: 'campaign1', lead: 'lead1', agent: 'agent1', answeredBy: 'human', disposition: 'answered', duration: 120, talk: 100, cost: '0.013', attempt: 1, conference: 'conf-c1' },
  { key: 'c2', org: 'mine', direction: 'outbound', createdAt: '2024-01-11T10:00:00Z', campaign: 'campaign1', lead: 'lead1', answeredBy: 'machine_end_beep', disposition: 'voicemail', duration: 40, cost: '0.0065', attempt: 2 },
  { key: 'c3', org: 'mine', direction: 'outbound', createdAt: '2024-01-12T00:00:00Z', status: 'no-answer', campaign: 'campaign1', lead: 'lead2', disposition: 'no_answer', duration: 0, attempt: 1 },
  { key: 'c4', org: 'mine', direction: 'outbound', createdAt: '2024-01-15T23:59:59.999Z', campaign: 'campaign2', lead: 'lead2', agent: 'agent2', answeredBy: 'human', disposition: 'answered', duration: 300, talk: 280, cost: '0.039', attempt: 2, conference: 'conf-c4' },
  { key: 'c5', org: 'mine', direction: 'outbound', createdAt: '2024-01-20T08:00:00Z', status: 'busy', campaign: 'campaign2', lead: 'lead2', disposition: 'busy', cost: '0', attempt: 3 },
  { key: 'c6', org: 'mine', direction: 'outbound', createdAt: '2024-01-31T12:00:00Z', campaign: 'campaign2', lead: 'lead1', answeredBy: 'fax', disposition: 'failed', status: 'failed', attempt: 3 },
  { key: 'c7', org: 'mine', direction: 'outbound', createdAt: '2024-02-01T00:00:00Z', campaign: 'campaign1', lead: 'lead1', agent: 'agent2', answeredBy: 'machine_start', disposition: 'voicemail', duration: 30, cost: '0.00425', attempt: 4 },
  { key: 'c8', org: 'mine', direction: 'outbound', createdAt: '2024-02-02T09:00:00Z', campaign: 'campaign1', lead: 'lead2', agent: 'agent1', answeredBy: 'unknown', disposition: 'abandoned', duration: 15, talk: 0, cost: '0.0021', attempt: 4 },
  { key: 'c9', org: 'mine', direction: 'inbound', createdAt: '2024-01-10T12:00:00Z', campaign: 'campaign1', duration: 60 },
  { key: 'c10', org: 'mine', direction: 'inbound', createdAt: '2024-01-05T12:00:00Z', status: 'ringing' },
  { key: 'c11', org: 'mine', direction: 'outbound', createdAt: '2024-02-03T10:00:00Z', status: 'in-progress', campaign: 'campaign1', lead: 'lead1', agent: 'agent1', answeredBy: 'human', attempt: 5, conference: 'conf-c11' },
  { key: 'c12', org: 'mine', direction: 'outbound', createdAt: '2024-02-03T11:00:00Z', status: 'canceled', campaign: 'campaign2', lead: 'lead1', disposition: 'canceled', attempt: 6 },
  // Another organisation's calls: one bridged to its own agent, one (an impossible row the
  // foreign key alone would allow) naming our agent 1 — never ours to see or count.
  { key: 'x1', org: 'other', direction: 'outbound', createdAt: '2024-01-10T10:00:00Z', lead: 'otherLead', agent: 'otherAgent', answeredBy: 'human', disposition: 'answered', duration: 500, talk: 450, cost: '9.99', attempt: 1 },
  { key: 'x2', org: 'other', direction: 'outbound', createdAt: '2024-01-11T10:00:00Z', agent: 'agent1', answeredBy: 'machine_start', disposition: 'voicemail', duration: 20, cost: '1.5', attempt: 1 },
];

/** The call id of each fixture key. */
const callIds = new Map<string, number>();
const keyOf = (id: number) => [...callIds].find(([, value]) => value === id)?.[0];

async function insertFixture(f: Fixture): Promise<void> {
  const status = f.status ?? 'completed';
  const { id } = await t.db
    .insertInto('calls')
    .values({
      org_id: f.org === 'mine' ? owner.orgId : other.orgId,
      call_sid: newCallSid(),
      direction: f.direction,
      campaign_id: f.campaign ? ids[f.campaign] : null,
      // Outbound: our caller id calls the lead; inbound: a caller dials our tracking number.
      from_number: f.direction === 'outbound' ? '+12125550100' : '+13105551234',
      to_number: f.direction === 'outbound' ? '+14155552671' : '+12125550100',
      status,
      status_rank: callStatusRank(status),
      duration_sec: f.duration ?? null,
      created_at: f.createdAt,
      lead_id: f.lead ? ids[f.lead] : null,
      agent_id: f.agent ? ids[f.agent] : null,
      answered_by: f.answeredBy ?? null,
      disposition: f.disposition ?? null,
      talk_time_sec: f.talk ?? null,
      cost: f.cost ?? null,
      conference_name: f.conference ?? null,
      dial_attempt: f.attempt ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  callIds.set(f.key, id);
}

async function createLead(client: Client, phone: string, campaignId?: string): Promise<string> {
  const { data, response } = await client.POST('/api/leads', { body: { phone, name: 'Sara Ahmed', ...(campaignId ? { campaignId } : {}) } });
  if (!data) throw new Error(`createLead failed: ${response.status}`);
  return data.id;
}

async function createAgent(client: Client, name: string, phone: string, userId?: number): Promise<string> {
  const { data, response } = await client.POST('/api/agents', { body: { name, phone, ...(userId ? { userId } : {}) } });
  if (!data) throw new Error(`createAgent failed: ${response.status}`);
  return data.id;
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Outbound Calls Org');
  other = await registerOrg(t, 'Other Outbound Org');
  manager = await addMember(t, owner, 'manager');
  agentUser1 = await addMember(t, owner, 'agent');
  agentUser2 = await addMember(t, owner, 'agent');
  agentUserWithoutAgent = await addMember(t, owner, 'agent');
  const campaign1 = (await createCampaign(owner.client, { name: 'Q1 2024 Outreach' })).id;
  ids = {
    campaign1,
    campaign2: (await createCampaign(owner.client, { name: 'Renewals' })).id,
    emptyCampaign: (await createCampaign(owner.client, { name: 'Nothing yet' })).id,
    lead1: await createLead(owner.client, '+14155552671', campaign1),
    lead2: await createLead(owner.client, '+14155552672'),
    agent1: await createAgent(owner.client, 'John Doe', '+14155553331', agentUser1.id),
    agent2: await createAgent(owner.client, 'Jane Roe', '+14155553332', agentUser2.id),
    otherAgent: await createAgent(other.client, 'Foreign agent', '+14155553339'),
    otherLead: await createLead(other.client, '+14155552679'),
  };
  for (const f of FIXTURES) await insertFixture(f);
});
afterAll(async () => t.close());

// ---- a plain-JS model of the figures --------------------------------------------------------

interface Filters {
  campaignId?: string;
  agentId?: string;
  leadId?: string;
  disposition?: CallDisposition;
  answeredBy?: AnsweredBy;
  direction?: Direction;
  dateFrom?: string;
  dateTo?: string;
}

const MACHINE: ReadonlySet<string> = new Set(['machine_start', 'machine_end_beep', 'machine_end_silence', 'machine_end_other', 'fax']);

function matching(filters: Filters, visible: (f: Fixture) => boolean = (f) => f.org === 'mine'): Fixture[] {
  return FIXTURES.filter(
    (f) =>
      visible(f) &&
      (filters.campaignId === undefined || (f.campaign && ids[f.campaign]) === filters.campaignId) &&
      (filters.agentId === undefined || (f.agent && ids[f.agent]) === filters.agentId) &&
      (filters.leadId === undefined || (f.lead && ids[f.lead]) === filters.leadId) &&
      (filters.disposition === undefined || f.disposition === filters.disposition) &&
      (filters.answeredBy === undefined || f.answeredBy === filters.answeredBy) &&
      (filters.direction === undefined || f.direction === filters.direction) &&
      (filters.dateFrom === undefined || f.createdAt.slice(0, 10) >= filters.dateFrom) &&
      (filters.dateTo === undefined || f.createdAt.slice(0, 10) <= filters.dateTo),
  );
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;
}

function modelSummary(rows: Fixture[]) {
  const count = (d: CallDisposition) => rows.filter((f) => f.disposition === d).length;
  // Costs in 1/100,000 (numeric(12,5)), summed exactly.
  const costUnits = rows.reduce((sum, f) => sum + (f.cost === undefined ? 0 : Math.round(Number(f.cost) * 100_000)), 0);
  return {
    totalCalls: rows.length,
    answeredCalls: count('answered'),
    voicemailCalls: count('voicemail'),
    noAnswerCalls: count('no_answer'),
    busyCalls: count('busy'),
    failedCalls: count('failed'),
    abandonedCalls: count('abandoned'),
    canceledCalls: count('canceled'),
    humanAnswered: rows.filter((f) => f.answeredBy === 'human').length,
    machineAnswered: rows.filter((f) => f.answeredBy !== undefined && MACHINE.has(f.answeredBy)).length,
    avgDuration: mean(rows.flatMap((f) => (f.duration === undefined ? [] : [f.duration]))),
    avgTalkTime: mean(rows.flatMap((f) => (f.talk === undefined ? [] : [f.talk]))),
    totalCost: costUnits / 100_000,
  };
}

function modelDispositions(rows: Fixture[]) {
  const counts = new Map<string, number>();
  for (const f of rows) if (f.disposition) counts.set(f.disposition, (counts.get(f.disposition) ?? 0) + 1);
  return [...counts]
    .map(([disposition, count]) => ({ disposition, count }))
    .sort((a, b) => b.count - a.count || (a.disposition < b.disposition ? -1 : 1));
}

/** Every call of a list (all pages), as fixture keys in the list's order. */
async function listedKeys(client: Client, query: Filters = {}): Promise<string[]> {
  const keys: string[] = [];
  for (let page = 1; ; page += 1) {
    const { data, response } = await client.GET('/api/calls', { params: { query: { ...query, page, limit: 100 } } });
    expect(response.status).toBe(200);
    keys.push(...data!.calls.map((c) => keyOf(c.id) ?? `unknown ${c.id}`));
    if (!data!.pagination.hasNextPage) return keys;
  }
}

/** Fixture keys newest first, as the list orders them (created_at, then id, descending). */
function newestFirst(rows: Fixture[]): string[] {
  return [...rows].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || callIds.get(b.key)! - callIds.get(a.key)!).map((f) => f.key);
}

async function summary(client: Client, query: Filters = {}) {
  const { data, response, error } = await client.GET('/api/calls/stats/summary', { params: { query } });
  expect({ status: response.status, error }).toEqual({ status: 200, error: undefined });
  return data!.stats;
}

async function byDisposition(client: Client, query: Filters = {}) {
  const { data, response } = await client.GET('/api/calls/stats/by-disposition', { params: { query } });
  expect(response.status).toBe(200);
  return data!.dispositions;
}

// ---- the tests ------------------------------------------------------------------------------

describe('the outbound fields of a call', () => {
  it('shows an outbound call with its lead, agent, AMD result, disposition, talk time, cost, conference and attempt', async () => {
    const id = callIds.get('c1')!;
    const { data, response } = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(id) } } });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({
      id,
      direction: 'outbound',
      campaignId: ids.campaign1,
      leadId: ids.lead1,
      agentId: ids.agent1,
      answeredBy: 'human',
      disposition: 'answered',
      talkTimeSec: 100,
      cost: 0.013,
      conferenceName: 'conf-c1',
      dialAttempt: 1,
      duration: 120,
      // The lead is a person (obfuscated); the caller id is the organisation's own number (whole).
      phoneNumber: '415***2671',
      callerNumber: '+12125550100',
    });
    const listed = await owner.client.GET('/api/calls', { params: { query: { leadId: ids.lead1, disposition: 'answered' } } });
    expect(listed.data?.calls).toEqual([
      expect.objectContaining({
        id,
        direction: 'outbound',
        leadId: ids.lead1,
        agentId: ids.agent1,
        answeredBy: 'human',
        disposition: 'answered',
        talkTimeSec: 100,
        cost: 0.013,
        conferenceName: 'conf-c1',
        dialAttempt: 1,
        phoneNumber: '415***2671',
        callerNumber: '+12125550100',
      }),
    ]);
  });

  it('leaves them null on an inbound call, whose caller stays obfuscated and tracking number whole', async () => {
    const id = callIds.get('c9')!;
    const { data } = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(id) } } });
    expect(data).toMatchObject({
      direction: 'inbound',
      leadId: null,
      agentId: null,
      answeredBy: null,
      disposition: null,
      talkTimeSec: null,
      cost: null,
      conferenceName: null,
      dialAttempt: null,
      phoneNumber: '+12125550100',
      callerNumber: '310***1234',
    });
  });
});

describe('GET /api/calls filters', () => {
  it('lists every call of the organisation without filters, newest first', async () => {
    expect(await listedKeys(owner.client)).toEqual(newestFirst(matching({})));
    expect(await listedKeys(owner.client)).toHaveLength(12);
  });

  it('narrows by each filter alone', async () => {
    const cases: Array<[Filters, string[]]> = [
      [{ agentId: ids.agent1 }, ['c11', 'c8', 'c1']],
      [{ agentId: ids.agent2 }, ['c7', 'c4']],
      [{ leadId: ids.lead2 }, ['c8', 'c5', 'c4', 'c3']],
      [{ disposition: 'voicemail' }, ['c7', 'c2']],
      [{ answeredBy: 'human' }, ['c11', 'c4', 'c1']],
      [{ answeredBy: 'fax' }, ['c6']],
      [{ direction: 'inbound' }, ['c9', 'c10']],
      [{ campaignId: ids.campaign2 }, ['c12', 'c6', 'c5', 'c4']],
      // UTC days, both ends included (c4 at 23:59:59.999 on the 15th is in; c7 at midnight on 1 February is out).
      [{ dateFrom: '2024-01-12', dateTo: '2024-01-15' }, ['c4', 'c3']],
      [{ dateFrom: '2024-02-01' }, ['c12', 'c11', 'c8', 'c7']],
      [{ dateTo: '2024-01-10' }, ['c9', 'c1', 'c10']],
      [{ dateFrom: '2024-01-31', dateTo: '2024-01-31' }, ['c6']],
    ];
    for (const [query, expected] of cases) {
      expect({ query, keys: await listedKeys(owner.client, query) }).toEqual({ query, keys: expected });
      expect({ query, model: newestFirst(matching(query)) }).toEqual({ query, model: expected });
    }
  });

  it('combines filters (all must hold), and counts the total of the filtered set', async () => {
    const cases: Filters[] = [
      { direction: 'outbound', disposition: 'answered' },
      { campaignId: ids.campaign1, agentId: ids.agent1, dateTo: '2024-02-02' },
      { leadId: ids.lead1, answeredBy: 'machine_end_beep', direction: 'outbound' },
      { leadId: ids.lead1, disposition: 'busy' },
      { campaignId: ids.campaign2, dateFrom: '2024-01-16', dateTo: '2024-01-31', direction: 'outbound' },
      { agentId: ids.agent2, leadId: ids.lead2, answeredBy: 'human', disposition: 'answered', campaignId: ids.campaign2 },
    ];
    for (const query of cases) {
      const expected = newestFirst(matching(query));
      expect({ query, keys: await listedKeys(owner.client, query) }).toEqual({ query, keys: expected });
      const page = await owner.client.GET('/api/calls', { params: { query: { ...query, limit: 1 } } });
      expect({ query, total: page.data?.pagination.total }).toEqual({ query, total: expected.length });
    }
    expect(await listedKeys(owner.client, { campaignId: ids.campaign1, agentId: ids.agent1, dateTo: '2024-02-02' })).toEqual(['c8', 'c1']);
    // The filters that existed before still combine with the new ones.
    const completedVoicemails = await owner.client.GET('/api/calls', { params: { query: { status: 'completed', disposition: 'voicemail', source: 'twilio' } } });
    expect(completedVoicemails.data?.calls.map((c) => keyOf(c.id))).toEqual(['c7', 'c2']);
  });

  it("finds nothing for another organisation's agent, lead or campaign", async () => {
    expect(await listedKeys(owner.client, { agentId: ids.otherAgent })).toEqual([]);
    expect(await listedKeys(owner.client, { leadId: ids.otherLead })).toEqual([]);
    expect(await listedKeys(other.client, { agentId: ids.agent1 })).toEqual(['x2']);
    expect(await listedKeys(other.client, { campaignId: ids.campaign1 })).toEqual([]);
  });
});

describe('bad filter values', () => {
  const UUID = '9c3e5a7b-1d2f-4a6b-8c0d-2e4f6a8b0c1d';
  const LIST_CASES: Array<[string, string]> = [
    ['agentId', 'nope'],
    ['agentId', `urn:uuid:${UUID}`],
    ['leadId', '12345'],
    ['leadId', `${UUID}0`],
    ['campaignId', `urn:uuid:${UUID}`],
    ['disposition', 'hung_up'],
    ['disposition', 'ANSWERED'],
    ['answeredBy', 'robot'],
    ['direction', 'sideways'],
    ['dateFrom', '2024-13-01'],
    ['dateFrom', '1969-12-31'],
    ['dateTo', '01/31/2024'],
    ['dateTo', '2024-02-30'],
    ['dateFrom', '2024-01-01T00:00:00Z'],
  ];
  const STATS_CASES = LIST_CASES.filter(([name]) => ['agentId', 'campaignId', 'direction', 'dateFrom', 'dateTo'].includes(name));

  async function badRequest(path: string, name: string, value: string) {
    const response = await t.app.inject({ method: 'GET', url: `${path}?${new URLSearchParams({ [name]: value })}`, headers: { cookie: cookieOf(owner) } });
    const body = response.json() as { code?: string; details?: Record<string, unknown> };
    return { name, value, status: response.statusCode, code: body.code, named: Object.keys(body.details ?? {}) };
  }

  it('are a 400 naming the parameter on the list', async () => {
    for (const [name, value] of LIST_CASES) {
      expect(await badRequest('/api/calls', name, value)).toEqual({ name, value, status: 400, code: 'VALIDATION_ERROR', named: [name] });
    }
  });

  it('are a 400 naming the parameter on both statistics', async () => {
    for (const path of ['/api/calls/stats/summary', '/api/calls/stats/by-disposition']) {
      for (const [name, value] of STATS_CASES) {
        expect(await badRequest(path, name, value)).toEqual({ name, value, status: 400, code: 'VALIDATION_ERROR', named: [name] });
      }
    }
  });

  it('refuses dateTo before dateFrom (400 naming dateTo) everywhere', async () => {
    for (const path of ['/api/calls', '/api/calls/stats/summary', '/api/calls/stats/by-disposition']) {
      const response = await t.app.inject({ method: 'GET', url: `${path}?dateFrom=2024-01-15&dateTo=2024-01-14`, headers: { cookie: cookieOf(owner) } });
      expect({ path, status: response.statusCode, body: response.json() }).toMatchObject({
        path,
        status: 400,
        body: { code: 'VALIDATION_ERROR', details: { dateTo: 'must not be before dateFrom' } },
      });
    }
  });
});

describe('GET /api/calls/stats/summary', () => {
  it("answers seed 002's figures on the organisation's calls, exactly", async () => {
    expect(await summary(owner.client)).toEqual({
      totalCalls: 12,
      answeredCalls: 2,
      voicemailCalls: 2,
      noAnswerCalls: 1,
      busyCalls: 1,
      failedCalls: 1,
      abandonedCalls: 1,
      canceledCalls: 1,
      humanAnswered: 3,
      // machine_end_beep, fax, machine_start; `unknown` counts as neither.
      machineAnswered: 3,
      // (120 + 40 + 0 + 300 + 30 + 15 + 60) / 7 calls with a duration; (100 + 280 + 0) / 3 with a talk time.
      avgDuration: 80.71,
      avgTalkTime: 126.67,
      totalCost: 0.06485,
    });
  });

  it('answers zeros, null averages and a 0 cost when no call matches', async () => {
    const zero = { totalCalls: 0, answeredCalls: 0, voicemailCalls: 0, noAnswerCalls: 0, busyCalls: 0, failedCalls: 0, abandonedCalls: 0, canceledCalls: 0, humanAnswered: 0, machineAnswered: 0, avgDuration: null, avgTalkTime: null, totalCost: 0 };
    expect(await summary(owner.client, { campaignId: ids.emptyCampaign })).toEqual(zero);
    expect(await summary(owner.client, { dateFrom: '2030-01-01' })).toEqual(zero);
    // Calls without a duration, a talk time or a cost: counted, but no average and nothing to add.
    expect(await summary(owner.client, { dateFrom: '2024-01-31', dateTo: '2024-01-31' })).toEqual({ ...zero, totalCalls: 1, failedCalls: 1, machineAnswered: 1 });
  });

  it('applies its filters alone and combined, as the model of the same calls says', async () => {
    const cases: Filters[] = [
      { campaignId: ids.campaign1 },
      { campaignId: ids.campaign2 },
      { agentId: ids.agent1 },
      { agentId: ids.agent2 },
      { direction: 'inbound' },
      { direction: 'outbound' },
      { dateFrom: '2024-01-11' },
      { dateTo: '2024-01-15' },
      { dateFrom: '2024-01-12', dateTo: '2024-01-20' },
      { campaignId: ids.campaign1, direction: 'outbound', dateTo: '2024-02-01' },
      { agentId: ids.agent1, campaignId: ids.campaign1, dateFrom: '2024-01-10', dateTo: '2024-02-03' },
    ];
    for (const query of cases) {
      expect({ query, stats: await summary(owner.client, query) }).toEqual({ query, stats: modelSummary(matching(query)) });
    }
    expect(await summary(owner.client, { agentId: ids.agent2 })).toMatchObject({ totalCalls: 2, answeredCalls: 1, voicemailCalls: 1, avgTalkTime: 280, totalCost: 0.04325 });
  });
});

describe('GET /api/calls/stats/by-disposition', () => {
  it('counts each disposition, most first and ties by name, leaving out calls without one', async () => {
    expect(await byDisposition(owner.client)).toEqual([
      { disposition: 'answered', count: 2 },
      { disposition: 'voicemail', count: 2 },
      { disposition: 'abandoned', count: 1 },
      { disposition: 'busy', count: 1 },
      { disposition: 'canceled', count: 1 },
      { disposition: 'failed', count: 1 },
      { disposition: 'no_answer', count: 1 },
    ]);
  });

  it('applies its filters as the model says, and answers an empty list when nothing matches', async () => {
    const cases: Filters[] = [
      { campaignId: ids.campaign1 },
      { campaignId: ids.campaign2, dateFrom: '2024-01-16' },
      { agentId: ids.agent1 },
      { direction: 'outbound', dateTo: '2024-01-31' },
      { direction: 'inbound' },
    ];
    for (const query of cases) {
      expect({ query, dispositions: await byDisposition(owner.client, query) }).toEqual({ query, dispositions: modelDispositions(matching(query)) });
    }
    expect(await byDisposition(owner.client, { campaignId: ids.campaign1 })).toEqual([
      { disposition: 'voicemail', count: 2 },
      { disposition: 'abandoned', count: 1 },
      { disposition: 'answered', count: 1 },
      { disposition: 'no_answer', count: 1 },
    ]);
    expect(await byDisposition(owner.client, { direction: 'inbound' })).toEqual([]);
    expect(await byDisposition(owner.client, { campaignId: ids.emptyCampaign })).toEqual([]);
  });
});

describe('routes', () => {
  it('keeps /api/calls/{id} for ids: /api/calls/stats is a 404 like any id that is not a number', async () => {
    for (const url of ['/api/calls/stats', '/api/calls/summary', '/api/calls/by-disposition']) {
      const response = await t.app.inject({ method: 'GET', url, headers: { cookie: cookieOf(owner) } });
      expect({ url, status: response.statusCode, code: response.json().code }).toEqual({ url, status: 404, code: 'RESOURCE_NOT_FOUND' });
    }
    const corrections = await owner.client.GET('/api/calls/{id}/corrections', { params: { path: { id: 'stats' } } });
    expect(corrections.response.status).toBe(404);
  });

  it('needs a login for the statistics (401)', async () => {
    const anonymous = t.client();
    expect((await anonymous.GET('/api/calls/stats/summary')).response.status).toBe(401);
    expect((await anonymous.GET('/api/calls/stats/by-disposition')).response.status).toBe(401);
  });
});

describe('tenancy', () => {
  it("never counts or lists another organisation's calls", async () => {
    const otherRows = matching({}, (f) => f.org === 'other');
    expect(await summary(other.client)).toEqual(modelSummary(otherRows));
    expect(await summary(other.client)).toMatchObject({ totalCalls: 2, totalCost: 11.49 });
    expect(await byDisposition(other.client)).toEqual([
      { disposition: 'answered', count: 1 },
      { disposition: 'voicemail', count: 1 },
    ]);
    expect((await listedKeys(other.client)).sort()).toEqual(['x1', 'x2']);
    // Our figures hold none of theirs, even filtered by the agent their odd row names.
    expect(await summary(owner.client, { agentId: ids.agent1 })).toEqual(modelSummary(matching({ agentId: ids.agent1 })));
    expect(await summary(owner.client, { agentId: ids.otherAgent })).toMatchObject({ totalCalls: 0 });
    expect(await byDisposition(owner.client, { agentId: ids.otherAgent })).toEqual([]);
  });

  it("answers 404 for another organisation's call", async () => {
    const foreign = await other.client.GET('/api/calls/{id}', { params: { path: { id: String(callIds.get('c1')) } } });
    expect(foreign.response.status).toBe(404);
    expect(foreign.error?.code).toBe('RESOURCE_NOT_FOUND');
  });
});

describe('a user with role agent', () => {
  const mineOnly = (agent: keyof Ids) => (f: Fixture) => f.org === 'mine' && f.agent === agent;

  it("lists only its own agent's calls, with every filter applied inside them", async () => {
    expect(await listedKeys(agentUser1.client)).toEqual(['c11', 'c8', 'c1']);
    expect(await listedKeys(agentUser2.client)).toEqual(['c7', 'c4']);
    expect(await listedKeys(agentUser1.client, { disposition: 'answered' })).toEqual(['c1']);
    // Naming another agent does not widen its view.
    expect(await listedKeys(agentUser1.client, { agentId: ids.agent2 })).toEqual([]);
    expect(await listedKeys(agentUser1.client, { agentId: ids.agent1, dateFrom: '2024-02-01' })).toEqual(['c11', 'c8']);
    // A user with role agent that is no agent sees no call; managers see them all.
    expect(await listedKeys(agentUserWithoutAgent.client)).toEqual([]);
    expect(await listedKeys(manager.client)).toEqual(newestFirst(matching({})));
  });

  it("gets only its own agent's figures", async () => {
    expect(await summary(agentUser1.client)).toEqual(modelSummary(matching({}, mineOnly('agent1'))));
    expect(await summary(agentUser1.client)).toMatchObject({ totalCalls: 3, answeredCalls: 1, abandonedCalls: 1, humanAnswered: 2, avgTalkTime: 50, totalCost: 0.0151 });
    expect(await summary(agentUser2.client, { campaignId: ids.campaign2 })).toEqual(modelSummary(matching({ campaignId: ids.campaign2 }, mineOnly('agent2'))));
    expect(await summary(agentUser1.client, { agentId: ids.agent2 })).toMatchObject({ totalCalls: 0, avgDuration: null });
    expect(await summary(agentUserWithoutAgent.client)).toMatchObject({ totalCalls: 0, totalCost: 0 });
    expect(await byDisposition(agentUser1.client)).toEqual([
      { disposition: 'abandoned', count: 1 },
      { disposition: 'answered', count: 1 },
    ]);
    expect(await byDisposition(agentUserWithoutAgent.client)).toEqual([]);
    expect(await summary(manager.client)).toEqual(modelSummary(matching({})));
  });

  it("reaches only its own agent's calls one by one (any other is a 404)", async () => {
    const own = String(callIds.get('c1'));
    const notOwn = String(callIds.get('c4'));
    expect((await agentUser1.client.GET('/api/calls/{id}', { params: { path: { id: own } } })).data?.agentId).toBe(ids.agent1);
    const denied = await agentUser1.client.GET('/api/calls/{id}', { params: { path: { id: notOwn } } });
    expect(denied.response.status).toBe(404);
    expect(denied.error?.code).toBe('RESOURCE_NOT_FOUND');
    expect((await agentUser1.client.GET('/api/calls/{id}/corrections', { params: { path: { id: own } } })).response.status).toBe(200);
    expect((await agentUser1.client.GET('/api/calls/{id}/corrections', { params: { path: { id: notOwn } } })).response.status).toBe(404);
    // The odd row of the other organisation names agent 1: still not agent 1's user's to see.
    expect((await agentUser1.client.GET('/api/calls/{id}', { params: { path: { id: String(callIds.get('x2')) } } })).response.status).toBe(404);
    expect((await manager.client.GET('/api/calls/{id}', { params: { path: { id: notOwn } } })).response.status).toBe(200);
  });
});

function cookieOf(member: Member): string {
  return [...member.client.cookieJar!.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}
