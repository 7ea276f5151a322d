// A lead's timeline (GET /api/leads/{id}/activity): the import that created it, its call logs,
// follow-ups and stage changes in time order, paged; stage changes recorded with the update that
// makes them; an agent's view limited to its own leads and its own logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { upload, waitForImport } from './helpers.js';

let t: TestApp;
let owner: Member;
let manager: Member;
let agent: Member;
let otherAgent: Member;
let leadId: string;
let importId: string;
const ids = {} as { log: string; followUp: string; stage: string; managerLog: string };

type Item = { type: string; at: string; id: string; userId: number | null; summary: string; data: Record<string, unknown> };

async function activity(who: Member, query: Record<string, unknown> = {}, id = leadId) {
  const { data, response, error } = await who.client.GET('/api/leads/{id}/activity', { params: { path: { id }, query: query as never } });
  return { status: response.status, data, error, items: (data?.items ?? []) as Item[] };
}

/** Pin a row's time so that the order is known. */
async function setTime(table: 'call_logs' | 'lead_stage_changes' | 'leads', column: string, id: string, at: string) {
  await t.db.updateTable(table).set({ [column]: at } as never).where('id' as never, '=', id as never).execute();
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Timeline Org');
  manager = await addMember(t, owner, 'manager');
  agent = await addMember(t, owner, 'agent');
  otherAgent = await addMember(t, owner, 'agent');
  // The lead comes from a CSV import.
  const imported = await upload(t, owner, '/api/leads/imports', 'phone,name,stage\n+14155550301,Imported Ivy,New\n', {}, { fileName: 'leads-january.csv' });
  importId = (await waitForImport(owner, imported.body.id)).id;
  leadId = (await owner.client.GET('/api/leads', { params: { query: { q: 'Imported Ivy' } } })).data!.leads[0]!.id;
  await owner.client.PUT('/api/leads/{id}', { params: { path: { id: leadId } }, body: { assignedTo: agent.id } });
  await setTime('leads', 'created_at', leadId, '2024-01-19T09:00:00Z');

  const first = await agent.client.POST('/api/call-logs', {
    body: { leadId, outcome: 'Interested', duration: 420, notes: 'Customer wants to schedule demo for next Tuesday', scheduledFollowUp: '2024-01-25T14:00:00Z' },
  });
  ids.log = first.data!.id;
  ids.followUp = first.data!.followUp!.id;
  await setTime('call_logs', 'created_at', ids.log, '2024-01-20T10:30:00Z');
  await agent.client.PUT('/api/leads/{id}', { params: { path: { id: leadId } }, body: { status: 'Qualified' } });
  ids.stage = (await t.db.selectFrom('lead_stage_changes').select('id').where('lead_id', '=', leadId).executeTakeFirstOrThrow()).id;
  await setTime('lead_stage_changes', 'changed_at', ids.stage, '2024-01-20T10:31:00Z');
  const managers = await manager.client.POST('/api/call-logs', { body: { leadId, outcome: 'No Answer', duration: 35 } });
  ids.managerLog = managers.data!.id;
  await setTime('call_logs', 'created_at', ids.managerLog, '2024-01-22T08:00:00Z');
});
afterAll(async () => t.close());

describe('the timeline', () => {
  it('lists the import, call logs, stage change and follow-up in time order, each with who, what and a summary', async () => {
    const { status, data, items } = await activity(owner);
    expect(status).toBe(200);
    expect(data?.leadId).toBe(leadId);
    expect(items).toEqual([
      { type: 'import', at: '2024-01-19T09:00:00.000Z', id: importId, userId: owner.id, summary: 'Imported from leads-january.csv', data: { importId, fileName: 'leads-january.csv' } },
      {
        type: 'call_log',
        at: '2024-01-20T10:30:00.000Z',
        id: ids.log,
        userId: agent.id,
        summary: 'Interested (7 min): Customer wants to schedule demo for next Tuesday',
        data: { outcome: 'interested', duration: 420, notes: 'Customer wants to schedule demo for next Tuesday', callId: null },
      },
      { type: 'stage_change', at: '2024-01-20T10:31:00.000Z', id: ids.stage, userId: agent.id, summary: 'New → Qualified', data: { from: 'new', to: 'qualified' } },
      { type: 'call_log', at: '2024-01-22T08:00:00.000Z', id: ids.managerLog, userId: manager.id, summary: 'No Answer (35 s)', data: { outcome: 'no_answer', duration: 35, notes: null, callId: null } },
      { type: 'follow_up', at: '2024-01-25T14:00:00.000Z', id: ids.followUp, userId: agent.id, summary: 'Follow-up (open)', data: { status: 'open', callLogId: ids.log, completedAt: null } },
    ]);
    expect(data?.pagination).toEqual({ page: 1, limit: 50, total: 5, totalPages: 1 });
  });

  it('pages, reverses, and keeps only the kinds asked for', async () => {
    const page2 = await activity(owner, { limit: 2, page: 2 });
    expect(page2.items.map((i) => i.id)).toEqual([ids.stage, ids.managerLog]);
    expect(page2.data?.pagination).toEqual({ page: 2, limit: 2, total: 5, totalPages: 3 });
    expect((await activity(owner, { order: 'desc' })).items.map((i) => i.type)).toEqual(['follow_up', 'call_log', 'stage_change', 'call_log', 'import']);
    const some = await activity(owner, { types: ['stage_change', 'import'] });
    expect(some.items.map((i) => i.type)).toEqual(['import', 'stage_change']);
    expect(some.data?.pagination.total).toBe(2);
    // The parameter repeated, as the contract's exploded form style sends it (once is enough too).
    const raw = await fetch(`${t.url}/api/leads/${leadId}/activity?types=call_log&types=follow_up`, { headers: { cookie: cookieOf(owner) } });
    expect(((await raw.json()) as { items: Item[] }).items.map((i) => i.type)).toEqual(['call_log', 'call_log', 'follow_up']);
    const once = await fetch(`${t.url}/api/leads/${leadId}/activity?types=import`, { headers: { cookie: cookieOf(owner) } });
    expect(((await once.json()) as { items: Item[] }).items.map((i) => i.type)).toEqual(['import']);
  });

  it('records a stage change only when the stage moves, by whom it was moved', async () => {
    const count = async () => (await activity(owner, { types: ['stage_change'] })).items.length;
    const before = await count();
    await owner.client.PUT('/api/leads/{id}', { params: { path: { id: leadId } }, body: { stage: 'qualified', notes: 'Same stage' } });
    await owner.client.PUT('/api/leads/{id}', { params: { path: { id: leadId } }, body: { notes: 'No stage' } });
    expect(await count()).toBe(before);
    await manager.client.PUT('/api/leads/{id}', { params: { path: { id: leadId } }, body: { stage: 'Converted' } });
    const changes = (await activity(owner, { types: ['stage_change'] })).items;
    expect(changes.at(-1)).toMatchObject({ userId: manager.id, summary: 'Qualified → Converted', data: { from: 'qualified', to: 'converted' } });
    // A refused update records nothing.
    const refused = await owner.client.PUT('/api/leads/{id}', { params: { path: { id: leadId } }, body: { stage: 'lost', timeZone: 'Mars/Olympus' } });
    expect(refused.response.status).toBe(400);
    expect((await activity(owner, { types: ['stage_change'] })).items).toHaveLength(before + 1);
  });

  it('shows a follow-up with its state once it is done', async () => {
    await agent.client.PUT('/api/follow-ups/{id}', { params: { path: { id: ids.followUp } }, body: { status: 'done' } });
    const task = (await activity(owner, { types: ['follow_up'] })).items[0]!;
    expect(task).toMatchObject({ summary: 'Follow-up (done)', data: { status: 'done', completedAt: expect.any(String) } });
  });
});

describe('calls the dialer placed to the lead', () => {
  it('are in the timeline (DESIGN 9.1: its calls, logs and stage changes), an agent seeing only the calls bridged to it', async () => {
    const agentRecord = await t.db
      .insertInto('agents')
      .values({ org_id: owner.orgId, user_id: agent.id, name: 'Agent Ann', phone_e164: '+14155550390' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const call = async (sid: string, values: Record<string, unknown>) =>
      (await t.db.insertInto('calls').values({ org_id: owner.orgId, call_sid: sid, direction: 'outbound', lead_id: leadId, to_number: '+14155550301', ...values } as never).returning('id').executeTakeFirstOrThrow()).id;
    const bridged = await call('CAactivitycall00000000000000000001', { agent_id: agentRecord.id, status: 'completed', status_rank: 4, disposition: 'answered', duration_sec: 125, created_at: '2024-01-21T09:00:00Z' });
    const unanswered = await call('CAactivitycall00000000000000000002', { status: 'no-answer', status_rank: 4, disposition: 'no_answer', created_at: '2024-01-21T12:00:00Z' });
    // Another lead's call is not this lead's.
    await t.db.insertInto('calls').values({ org_id: owner.orgId, call_sid: 'CAactivitycall00000000000000000003', direction: 'outbound', created_at: '2024-01-21T13:00:00Z' } as never).execute();

    const calls = (await activity(owner, { types: ['call'] })).items;
    expect(calls).toEqual([
      { type: 'call', at: '2024-01-21T09:00:00.000Z', id: String(bridged), userId: agent.id, summary: 'Call: answered (2 min)', data: { callId: bridged, status: 'completed', disposition: 'answered', duration: 125 } },
      { type: 'call', at: '2024-01-21T12:00:00.000Z', id: String(unanswered), userId: null, summary: 'Call: no answer', data: { callId: unanswered, status: 'no-answer', disposition: 'no_answer', duration: null } },
    ]);
    const all = (await activity(owner)).items;
    expect(all.filter((i) => i.type === 'call')).toHaveLength(2);
    expect(all.findIndex((i) => i.id === String(bridged))).toBeGreaterThan(all.findIndex((i) => i.id === ids.log));
    expect((await activity(agent, { types: ['call'] })).items.map((i) => i.id)).toEqual([String(bridged)]);
  });
});

describe('roles and bad input', () => {
  it("shows an agent its own lead's timeline with only its own logs and follow-ups", async () => {
    const { status, items } = await activity(agent);
    expect(status).toBe(200);
    expect(items.filter((i) => i.type === 'call_log').map((i) => i.id)).toEqual([ids.log]);
    expect(items.some((i) => i.type === 'import')).toBe(true);
    expect(items.filter((i) => i.type === 'stage_change').length).toBeGreaterThan(0);
  });

  it("answers 404 for a lead not assigned to the agent, another organisation's, a malformed or unknown id", async () => {
    expect((await activity(otherAgent)).status).toBe(404);
    const other = await registerOrg(t, 'Other Timeline Org');
    expect((await activity(other)).status).toBe(404);
    for (const id of ['not-a-lead', '00000000-0000-4000-8000-000000000000']) expect((await activity(owner, {}, id)).status).toBe(404);
  });

  it('answers 400 naming the parameter for a bad order, kind or page', async () => {
    const bad: Array<[string, Record<string, unknown>]> = [
      ['order', { order: 'sideways' }],
      ['types.0', { types: ['calls'] }],
      ['types', { types: ['call_log', 'follow_up', 'stage_change', 'import', 'call', 'call_log'] }],
      ['limit', { limit: 0 }],
      ['page', { page: 100001 }],
    ];
    for (const [field, query] of bad) {
      const { status, error } = await activity(owner, query);
      expect({ field, status, named: Object.keys((error?.details as object) ?? {}) }).toEqual({ field, status: 400, named: [field] });
    }
  });
});

function cookieOf(member: Member): string {
  return [...member.client.cookieJar!.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}
