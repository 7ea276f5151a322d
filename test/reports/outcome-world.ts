// A hand-computed world for the analytics and the generated reports (issue 19 item 5), written
// straight into the database at chosen instants: an organisation with campaigns Alpha and Beta,
// agents Ann and Bob (each a user with role agent) and Cy (no user), a manager; eleven calls
// (outbound calls bridged to the agents with their dispositions and talk time, two inbound calls,
// one before the period), seven call logs, seven leads with their stage histories — and another
// organisation with a call, a log and a lead of its own that must never be counted. "Now" is
// NOW (a Wednesday): the tests pin the clock to it. Some calls end after the deltas were folded
// into the summaries, so figures are exact across a fold.
//
// Calls (UTC; c1 Alpha, c2 Beta):
//  1 03-03 10:00 c1 Ann  answered   dur 100 talk 90      7 03-12 14:45 c1 Ann  abandoned  dur 5
//  2 03-05 11:00 c1 Ann  voicemail  dur 20               8 03-04 10:00 c1 inbound completed dur 120, pays 10.00
//  3 03-10 09:00 c2 Ann  answered   dur 200 talk 180     9 03-12 10:00 c2 inbound busy
//  4 03-11 12:00 c1 Bob  answered   dur 60 talk 50      10 02-27 10:00 c1 Ann  answered dur 300 talk 280 (before the period)
//  5 03-12 08:00 c2 Bob  no_answer                      11 03-11 18:40 c2 Cy   failed
//  6 03-12 14:30 c1 Cy   busy
// Call logs: L1 03-03 Ann lead1 interested 90 s; L2 03-05 Ann lead2 voicemail 20 s; L3 03-10 Ann
// lead3 callback 180 s; L4 03-11 Bob lead4 not interested 50 s; L5 03-12 08:05 Bob lead5 no answer;
// L6 03-12 09:00 manager lead1 interested 30 s; L7 02-20 Ann lead0 interested (before the period).
// Leads (created; campaign; assigned; stage now; source; history):
//  lead1 03-02 c1 Ann converted api    new→contacted 03-03, →qualified 03-04, →converted 03-06 (Ann)
//  lead2 03-02 c1 Ann lost      import new→contacted 03-05, →qualified 03-06, →lost 03-07
//  lead3 03-09 c2 Ann follow_up api    new→contacted 03-10, →follow_up 03-10
//  lead4 03-10 c1 Bob contacted import new→contacted 03-11
//  lead5 03-11 c2 Bob new       api
//  lead6 03-11 —  —   qualified api    (no history)
//  lead0 02-15 c1 Ann converted api    qualified→converted 03-08 (Ann): a conversion in the period, a lead before it
import { afterAll, beforeAll, vi } from 'vitest';
import type { CallDisposition, CallLogOutcome, LeadStage } from '../../db/types.js';
import { foldAllDeltas } from '../../server/reports/rollups.js';
import { addMember, createCampaign, type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { type CallSpec, insertCall } from './fixture.js';

export const NOW = new Date('2025-03-12T15:00:00Z');
export const PERIOD = { startDate: '2025-03-01', endDate: '2025-03-12' };

export interface OutcomeWorld {
  owner: Member;
  manager: Member;
  ann: Member;
  bob: Member;
  other: Member;
  c1: string;
  c2: string;
  agents: { ann: string; bob: string; cy: string; other: string };
  otherCampaign: string;
}

let phoneSeq = 0;
const phone = () => `+1415555${String(1000 + (phoneSeq++ % 9000)).padStart(4, '0')}`;

async function insertAgent(t: TestApp, orgId: string, name: string, userId: number | null): Promise<string> {
  const row = await t.db.insertInto('agents').values({ org_id: orgId, name, user_id: userId, phone_e164: phone() }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

interface LeadSpec {
  created: string;
  campaignId: string | null;
  assignedTo: number | null;
  stage: LeadStage;
  source: 'api' | 'import';
  history: Array<[string, LeadStage, LeadStage, number | null]>;
}

/** A lead created at its stage — or as new, then moved through its history as the API moves it (the stage updated, the change recorded). */
async function insertLead(t: TestApp, orgId: string, l: LeadSpec): Promise<string> {
  const number = phone();
  const first = l.history.length === 0 ? l.stage : l.history[0]![1];
  const row = await t.db
    .insertInto('leads')
    .values({ org_id: orgId, campaign_id: l.campaignId, phone: number, phone_e164: number, assigned_to: l.assignedTo, stage: first, source: l.source, created_at: new Date(l.created) })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [at, from, to, userId] of l.history) {
    await t.db.updateTable('leads').set({ stage: to }).where('id', '=', row.id).execute();
    await t.db.insertInto('lead_stage_changes').values({ org_id: orgId, lead_id: row.id, user_id: userId, from_stage: from, to_stage: to, changed_at: new Date(at) }).execute();
  }
  if (l.history.length > 0 && l.history.at(-1)![2] !== l.stage) throw new Error("a lead's history must end at its stage");
  return row.id;
}

async function insertLog(t: TestApp, orgId: string, at: string, userId: number, leadId: string, outcome: CallLogOutcome, duration: number | null): Promise<void> {
  await t.db
    .insertInto('call_logs')
    .values({ org_id: orgId, lead_id: leadId, user_id: userId, phone_e164: phone(), outcome, duration_sec: duration, created_at: new Date(at) })
    .execute();
}

const outbound = (at: string, campaignId: string, agentId: string, disposition: CallDisposition, duration: number | null, talk: number): CallSpec => ({
  at,
  campaignId,
  agentId,
  disposition,
  status: disposition === 'no_answer' ? 'no-answer' : disposition === 'busy' ? 'busy' : disposition === 'failed' ? 'failed' : 'completed',
  duration,
  talkTime: talk,
});

export async function buildOutcomeWorld(t: TestApp): Promise<OutcomeWorld> {
  const owner = await registerOrg(t, 'Acme Calls');
  const manager = await addMember(t, owner, 'manager');
  const ann = await addMember(t, owner, 'agent');
  const bob = await addMember(t, owner, 'agent');
  const other = await registerOrg(t, 'Other Calls');
  const org = owner.orgId;
  const c1 = (await createCampaign(owner.client, { name: 'Alpha', enableRtb: false })).id;
  const c2 = (await createCampaign(owner.client, { name: 'Beta', enableRtb: false })).id;
  const otherCampaign = (await createCampaign(other.client, { name: 'Other', enableRtb: false })).id;
  const agents = {
    ann: await insertAgent(t, org, 'Agent Ann', ann.id),
    bob: await insertAgent(t, org, 'Agent Bob', bob.id),
    cy: await insertAgent(t, org, 'Agent Cy', null),
    other: await insertAgent(t, other.orgId, 'Other Agent', other.id),
  };

  await insertCall(t.db, org, outbound('2025-03-03T10:00:00Z', c1, agents.ann, 'answered', 100, 90));
  await insertCall(t.db, org, outbound('2025-03-05T11:00:00Z', c1, agents.ann, 'voicemail', 20, 0));
  // Calls 3 and 5 are still ringing when the deltas are folded; they end afterwards.
  const call3 = await insertCall(t.db, org, { at: '2025-03-10T09:00:00Z', campaignId: c2, agentId: agents.ann, status: 'ringing' });
  await insertCall(t.db, org, outbound('2025-03-11T12:00:00Z', c1, agents.bob, 'answered', 60, 50));
  const call5 = await insertCall(t.db, org, { at: '2025-03-12T08:00:00Z', campaignId: c2, agentId: agents.bob, status: 'ringing' });
  await insertCall(t.db, org, outbound('2025-03-12T14:30:00Z', c1, agents.cy, 'busy', null, 0));
  await insertCall(t.db, org, outbound('2025-03-12T14:45:00Z', c1, agents.ann, 'abandoned', 5, 0));
  await insertCall(t.db, org, { at: '2025-03-04T10:00:00Z', campaignId: c1, status: 'completed', duration: 120, revenue: '10.00' });
  await insertCall(t.db, org, { at: '2025-03-12T10:00:00Z', campaignId: c2, status: 'busy' });
  await insertCall(t.db, org, outbound('2025-02-27T10:00:00Z', c1, agents.ann, 'answered', 300, 280));
  await insertCall(t.db, org, outbound('2025-03-11T18:40:00Z', c2, agents.cy, 'failed', null, 0));
  await insertCall(t.db, other.orgId, outbound('2025-03-12T09:00:00Z', otherCampaign, agents.other, 'answered', 500, 400));
  await foldAllDeltas(t.db);
  await t.db.updateTable('calls').set({ status: 'completed', status_rank: 4, duration_sec: 200, disposition: 'answered', talk_time_sec: 180 }).where('id', '=', call3).execute();
  await t.db.updateTable('calls').set({ status: 'no-answer', status_rank: 4, disposition: 'no_answer', talk_time_sec: 0 }).where('id', '=', call5).execute();

  const lead = (l: LeadSpec) => insertLead(t, org, l);
  const lead1 = await lead({
    created: '2025-03-02T09:00:00Z', campaignId: c1, assignedTo: ann.id, stage: 'converted', source: 'api',
    history: [['2025-03-03T10:06:00Z', 'new', 'contacted', ann.id], ['2025-03-04T09:00:00Z', 'contacted', 'qualified', ann.id], ['2025-03-06T09:00:00Z', 'qualified', 'converted', ann.id]],
  });
  const lead2 = await lead({
    created: '2025-03-02T10:00:00Z', campaignId: c1, assignedTo: ann.id, stage: 'lost', source: 'import',
    history: [['2025-03-05T11:06:00Z', 'new', 'contacted', ann.id], ['2025-03-06T10:00:00Z', 'contacted', 'qualified', ann.id], ['2025-03-07T10:00:00Z', 'qualified', 'lost', owner.id]],
  });
  const lead3 = await lead({
    created: '2025-03-09T10:00:00Z', campaignId: c2, assignedTo: ann.id, stage: 'follow_up', source: 'api',
    history: [['2025-03-10T09:06:00Z', 'new', 'contacted', ann.id], ['2025-03-10T09:07:00Z', 'contacted', 'follow_up', ann.id]],
  });
  const lead4 = await lead({ created: '2025-03-10T10:00:00Z', campaignId: c1, assignedTo: bob.id, stage: 'contacted', source: 'import', history: [['2025-03-11T12:06:00Z', 'new', 'contacted', bob.id]] });
  const lead5 = await lead({ created: '2025-03-11T10:00:00Z', campaignId: c2, assignedTo: bob.id, stage: 'new', source: 'api', history: [] });
  await lead({ created: '2025-03-11T11:00:00Z', campaignId: null, assignedTo: null, stage: 'qualified', source: 'api', history: [] });
  const lead0 = await lead({ created: '2025-02-15T10:00:00Z', campaignId: c1, assignedTo: ann.id, stage: 'converted', source: 'api', history: [['2025-03-08T10:00:00Z', 'qualified', 'converted', ann.id]] });

  await insertLog(t, org, '2025-03-03T10:05:00Z', ann.id, lead1, 'interested', 90);
  await insertLog(t, org, '2025-03-05T11:05:00Z', ann.id, lead2, 'voicemail', 20);
  await insertLog(t, org, '2025-03-10T09:05:00Z', ann.id, lead3, 'callback_requested', 180);
  await insertLog(t, org, '2025-03-11T12:05:00Z', bob.id, lead4, 'not_interested', 50);
  await insertLog(t, org, '2025-03-12T08:05:00Z', bob.id, lead5, 'no_answer', null);
  await insertLog(t, org, '2025-03-12T09:00:00Z', manager.id, lead1, 'interested', 30);
  await insertLog(t, org, '2025-02-20T10:00:00Z', ann.id, lead0, 'interested', 40);

  const otherLead = await insertLead(t, other.orgId, {
    created: '2025-03-05T10:00:00Z', campaignId: otherCampaign, assignedTo: other.id, stage: 'converted', source: 'api',
    history: [['2025-03-06T10:00:00Z', 'new', 'converted', other.id]],
  });
  await insertLog(t, other.orgId, '2025-03-06T10:00:00Z', other.id, otherLead, 'interested', 60);
  return { owner, manager, ann, bob, other, c1, c2, agents, otherCampaign };
}

/**
 * A test file's app with the world built in it, the clock pinned to NOW (Date only) from before
 * the app starts until it is closed. The fields are there from beforeAll on.
 */
export function withOutcomeWorld(): { t: TestApp; w: OutcomeWorld } {
  const ctx = {} as { t: TestApp; w: OutcomeWorld };
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    ctx.t = await startTestApp();
    ctx.w = await buildOutcomeWorld(ctx.t);
  });
  afterAll(async () => {
    await ctx.t.close();
    vi.useRealTimers();
  });
  return ctx;
}
