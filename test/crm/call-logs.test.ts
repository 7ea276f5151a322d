// Call logs over HTTP (seed 003's POST/GET /calls at /api/call-logs): seed bodies and spellings,
// bounded input (400 naming the field, nothing changed), links to leads and call records, the
// scheduledFollowUp that becomes a follow-up task, filters and pages, and roles per operation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createCampaign, type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let admin: Member;
let manager: Member;
let agent: Member;
let otherAgent: Member;
let campaignId: string;
/** Assigned to `agent`, to `otherAgent`, and to nobody. */
let agentLead: string;
let otherLead: string;
let openLead: string;
let callId: number;

const FOLLOW_UP = '2030-01-25T14:00:00.000Z';

async function lead(by: Member, phone: string, assignedTo: number | null): Promise<string> {
  const { data, response } = await by.client.POST('/api/leads', { body: { campaignId, phone, name: `Lead ${phone}`, assignedTo } });
  if (response.status !== 201 || !data) throw new Error(`createLead failed: ${response.status}`);
  return data.id;
}

async function log(by: Member, leadId: string, extra: Record<string, unknown> = {}) {
  const { data, response, error } = await by.client.POST('/api/call-logs', { body: { leadId, outcome: 'voicemail', ...extra } });
  if (response.status !== 201 || !data) throw new Error(`createCallLog failed: ${response.status} ${JSON.stringify(error)}`);
  return data;
}

async function counts() {
  const [logs, tasks] = await Promise.all([
    t.db.selectFrom('call_logs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    t.db.selectFrom('follow_ups').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { callLogs: Number(logs.n), followUps: Number(tasks.n) };
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Call Log Org');
  admin = await addMember(t, owner, 'admin');
  manager = await addMember(t, owner, 'manager');
  agent = await addMember(t, owner, 'agent');
  otherAgent = await addMember(t, owner, 'agent');
  campaignId = (await createCampaign(owner.client, { name: 'Cold calls' })).id;
  agentLead = await lead(owner, '(555) 123-4567', agent.id);
  otherLead = await lead(owner, '+1 415 555 0102', otherAgent.id);
  openLead = await lead(owner, '+1 415 555 0103', null);
  const call = await owner.client.POST('/api/calls', { body: { callerNumber: '+14155550102', campaignId, status: 'completed', duration: 420 } });
  if (!call.data) throw new Error(`createCall failed: ${call.response.status}`);
  callId = call.data.id;
});
afterAll(async () => t.close());

describe('logging a call', () => {
  it("takes seed 003's body: the outcome in the seed's spelling, the phone normalised, the follow-up scheduled", async () => {
    const { data, response } = await agent.client.POST('/api/call-logs', {
      body: { leadId: agentLead, phone: '(555) 123-4567', duration: 420, outcome: 'Interested', notes: 'Customer wants to schedule demo for next Tuesday', scheduledFollowUp: '2030-01-25T14:00:00Z' },
    });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({
      leadId: agentLead,
      userId: agent.id,
      phone: '555***4567',
      duration: 420,
      outcome: 'interested',
      notes: 'Customer wants to schedule demo for next Tuesday',
      recordingUrl: null,
      callId: null,
      scheduledFollowUp: FOLLOW_UP,
      followUp: { id: expect.any(String), dueAt: FOLLOW_UP, status: 'open' },
    });
    const row = await t.db.selectFrom('call_logs').selectAll().where('id', '=', data!.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ org_id: owner.orgId, lead_id: agentLead, user_id: agent.id, phone_e164: '+15551234567', outcome: 'interested', duration_sec: 420 });
    const task = await t.db.selectFrom('follow_ups').selectAll().where('call_log_id', '=', data!.id).executeTakeFirstOrThrow();
    expect(task).toMatchObject({ id: data!.followUp!.id, lead_id: agentLead, user_id: agent.id, status: 'open', completed_at: null });
    expect(task.due_at.toISOString()).toBe(FOLLOW_UP);
    // The lead shows its next follow-up.
    const leadNow = await agent.client.GET('/api/leads/{id}', { params: { path: { id: agentLead } } });
    expect(leadNow.data?.nextFollowUpAt).toBe(FOLLOW_UP);
  });

  it("takes every outcome in either spelling, and the lead's number when no phone is sent", async () => {
    const spellings: Array<[string, string]> = [
      ['Not Interested', 'not_interested'],
      ['Voicemail', 'voicemail'],
      ['No Answer', 'no_answer'],
      ['Busy', 'busy'],
      ['Callback Requested', 'callback_requested'],
      ['no_answer', 'no_answer'],
      ['interested', 'interested'],
    ];
    for (const [given, stored] of spellings) {
      const created = await log(owner, openLead, { outcome: given });
      expect({ given, outcome: created.outcome, phone: created.phone, followUp: created.followUp, scheduledFollowUp: created.scheduledFollowUp }).toEqual({
        given,
        outcome: stored,
        phone: '415***0103',
        followUp: null,
        scheduledFollowUp: null,
      });
    }
  });

  it("reads a national number in the lead's number's country, not the campaign's (a UK lead in a US campaign)", async () => {
    const ukLead = (await owner.client.POST('/api/leads', { body: { campaignId, phone: '020 7946 0958', defaultCountry: 'GB', assignedTo: agent.id } })).data!.id;
    // The number as the agent has it from the lead, nationally written.
    const created = await log(agent, ukLead, { phone: '020 7946 0958' });
    const row = await t.db.selectFrom('call_logs').select('phone_e164').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.phone_e164).toBe('+442079460958');
    // A number with its country code is that number; a national one of a +1 lead stays American.
    expect((await t.db.selectFrom('call_logs').select('phone_e164').where('id', '=', (await log(agent, ukLead, { phone: '+1 415 555 0199' })).id).executeTakeFirstOrThrow()).phone_e164).toBe('+14155550199');
    expect((await t.db.selectFrom('call_logs').select('phone_e164').where('id', '=', (await log(agent, agentLead, { phone: '(415) 555-0198' })).id).executeTakeFirstOrThrow()).phone_e164).toBe('+14155550198');
  });

  it('links one of our call records (callId) and a recording URL', async () => {
    const created = await log(manager, openLead, { callId, recordingUrl: 'https://recordings.example.com/call-123.wav', duration: 0 });
    expect(created).toMatchObject({ callId, recordingUrl: 'https://recordings.example.com/call-123.wav', duration: 0, userId: manager.id });
  });

  it('answers 400 naming the field for bad input, and stores nothing', async () => {
    const before = await counts();
    const bad: Array<[string, Record<string, unknown>]> = [
      ['outcome', { leadId: agentLead, outcome: 'Maybe' }],
      ['outcome', { leadId: agentLead }],
      ['leadId', { outcome: 'Busy' }],
      ['leadId', { leadId: 'lead-1', outcome: 'Busy' }],
      ['leadId', { leadId: 1, outcome: 'Busy' }],
      ['duration', { leadId: agentLead, outcome: 'Busy', duration: -1 }],
      ['duration', { leadId: agentLead, outcome: 'Busy', duration: 86_401 }],
      ['duration', { leadId: agentLead, outcome: 'Busy', duration: 1.5 }],
      ['duration', { leadId: agentLead, outcome: 'Busy', duration: '60' }],
      ['notes', { leadId: agentLead, outcome: 'Busy', notes: 'x'.repeat(1001) }],
      ['recordingUrl', { leadId: agentLead, outcome: 'Busy', recordingUrl: 'javascript:alert(1)' }],
      ['recordingUrl', { leadId: agentLead, outcome: 'Busy', recordingUrl: `https://example.com/${'x'.repeat(2048)}` }],
      ['phone', { leadId: agentLead, outcome: 'Busy', phone: 'call me maybe' }],
      ['phone', { leadId: agentLead, outcome: 'Busy', phone: '12' }],
      ['callId', { leadId: agentLead, outcome: 'Busy', callId: 0 }],
      ['callId', { leadId: agentLead, outcome: 'Busy', callId: 2_147_483_648 }],
      ['scheduledFollowUp', { leadId: agentLead, outcome: 'Busy', scheduledFollowUp: 'next Tuesday' }],
      ['scheduledFollowUp', { leadId: agentLead, outcome: 'Busy', scheduledFollowUp: '0000-01-01T00:00:00Z' }],
      ['userId', { leadId: agentLead, outcome: 'Busy', userId: otherAgent.id }],
    ];
    for (const [field, body] of bad) {
      const { response, error } = await agent.client.POST('/api/call-logs', { body: body as never });
      expect({ field, status: response.status, code: error?.code, named: Object.keys((error?.details as object) ?? {}) }).toEqual({ field, status: 400, code: 'VALIDATION_ERROR', named: [field] });
    }
    expect(await counts()).toEqual(before);
  });

  it("answers 404 for another organisation's lead or call, an unknown lead, and (an agent) a lead not assigned to it; stores nothing", async () => {
    const other = await registerOrg(t, 'Other Org');
    const foreignLead = (await other.client.POST('/api/leads', { body: { phone: '+14155550199' } })).data!.id;
    const foreignCall = (await other.client.POST('/api/calls', { body: { callerNumber: '+14155550199' } })).data!.id;
    const before = await counts();
    const attempts: Array<[Member, Record<string, unknown>]> = [
      [owner, { leadId: foreignLead, outcome: 'Busy' }],
      [owner, { leadId: '00000000-0000-4000-8000-000000000000', outcome: 'Busy' }],
      [owner, { leadId: openLead, outcome: 'Busy', callId: foreignCall }],
      [owner, { leadId: openLead, outcome: 'Busy', callId: 2_000_000_000 }],
      [agent, { leadId: otherLead, outcome: 'Busy' }],
      [agent, { leadId: openLead, outcome: 'Busy' }],
    ];
    for (const [who, body] of attempts) {
      const { response, error } = await who.client.POST('/api/call-logs', { body: body as never });
      expect({ body, status: response.status, code: error?.code }).toEqual({ body, status: 404, code: 'RESOURCE_NOT_FOUND' });
    }
    expect(await counts()).toEqual(before);
  });
});

describe('listing', () => {
  let listLead: string;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    listLead = await lead(owner, '+1 415 555 0110', agent.id);
    ids.jan = (await log(agent, listLead, { outcome: 'Interested' })).id;
    ids.feb = (await log(agent, listLead, { outcome: 'Busy' })).id;
    ids.mar = (await log(manager, listLead, { outcome: 'Busy' })).id;
    // Logged on known days (UTC).
    for (const [id, at] of [
      [ids.jan, '2024-01-20T10:30:00Z'],
      [ids.feb, '2024-02-29T23:59:59Z'],
      [ids.mar, '2024-03-01T00:00:00Z'],
    ] as const) {
      await t.db.updateTable('call_logs').set({ created_at: at } as never).where('id', '=', id!).execute();
    }
  });

  const list = async (who: Member, query: Record<string, unknown>) => {
    const { data, response } = await who.client.GET('/api/call-logs', { params: { query: query as never } });
    expect(response.status).toBe(200);
    return data!;
  };

  it('filters by lead, outcome (either spelling), UTC days and author, newest first', async () => {
    expect((await list(owner, { leadId: listLead })).callLogs.map((l) => l.id)).toEqual([ids.mar, ids.feb, ids.jan]);
    expect((await list(owner, { leadId: listLead, outcome: 'Busy' })).callLogs.map((l) => l.id)).toEqual([ids.mar, ids.feb]);
    expect((await list(owner, { leadId: listLead, outcome: 'interested' })).callLogs.map((l) => l.id)).toEqual([ids.jan]);
    expect((await list(owner, { leadId: listLead, startDate: '2024-02-01', endDate: '2024-02-29' })).callLogs.map((l) => l.id)).toEqual([ids.feb]);
    expect((await list(owner, { leadId: listLead, startDate: '2024-02-01' })).callLogs.map((l) => l.id)).toEqual([ids.mar, ids.feb]);
    expect((await list(owner, { leadId: listLead, endDate: '2024-01-20' })).callLogs.map((l) => l.id)).toEqual([ids.jan]);
    expect((await list(owner, { leadId: listLead, userId: manager.id })).callLogs.map((l) => l.id)).toEqual([ids.mar]);
  });

  it('pages with page / limit like the lead list', async () => {
    const first = await list(owner, { leadId: listLead, limit: 2 });
    expect(first.pagination).toEqual({ page: 1, limit: 2, total: 3, totalPages: 2 });
    const second = await list(owner, { leadId: listLead, limit: 2, page: 2 });
    expect(second.callLogs.map((l) => l.id)).toEqual([ids.jan]);
    expect(second.pagination).toEqual({ page: 2, limit: 2, total: 3, totalPages: 2 });
  });

  it('shows an agent only its own logs, whatever userId it names; a manager everyone\'s', async () => {
    expect((await list(agent, { leadId: listLead })).callLogs.map((l) => l.id)).toEqual([ids.feb, ids.jan]);
    expect((await list(agent, { leadId: listLead, userId: manager.id })).callLogs).toEqual([]);
    expect((await list(otherAgent, { leadId: listLead })).callLogs).toEqual([]);
    expect((await list(manager, { leadId: listLead })).pagination.total).toBe(3);
    const everything = await list(agent, { limit: 100 });
    expect(everything.callLogs.every((l) => l.userId === agent.id)).toBe(true);
  });

  it('answers 400 naming the parameter for a bad filter', async () => {
    const bad: Array<[string, string]> = [
      ['endDate', 'startDate=2024-02-02&endDate=2024-02-01'],
      ['outcome', 'outcome=Maybe'],
      ['leadId', 'leadId=lead-1'],
      ['startDate', 'startDate=2024-02-30'],
      ['startDate', 'startDate=0001-01-01'],
      ['userId', 'userId=0'],
      ['limit', 'limit=101'],
      ['page', 'page=0'],
    ];
    for (const [field, query] of bad) {
      const response = await fetch(`${t.url}/api/call-logs?${query}`, { headers: { authorization: `Bearer ${await ownerKey()}` } });
      const body = (await response.json()) as { code: string; details: Record<string, string> };
      expect({ field, status: response.status, code: body.code, named: Object.keys(body.details) }).toEqual({ field, status: 400, code: 'VALIDATION_ERROR', named: [field] });
    }
  });
});

let key: string | undefined;
async function ownerKey(): Promise<string> {
  if (!key) key = (await owner.client.POST('/api/api-keys', { body: { name: 'call logs', role: 'owner' } })).data!.key;
  return key;
}

describe('changing and deleting', () => {
  it('changes only the fields sent; scheduledFollowUp moves, cancels and reopens the task, and the lead follows', async () => {
    const leadId = await lead(owner, '+1 415 555 0120', agent.id);
    const created = await log(agent, leadId, { outcome: 'No Answer', notes: 'Rang out', scheduledFollowUp: '2030-02-01T09:00:00Z' });
    const put = (body: Record<string, unknown>) => agent.client.PUT('/api/call-logs/{id}', { params: { path: { id: created.id } }, body: body as never });
    const nextFollowUp = async () => (await owner.client.GET('/api/leads/{id}', { params: { path: { id: leadId } } })).data!.nextFollowUpAt;

    const changed = await put({ outcome: 'Callback Requested', duration: 95, phone: '415-555-0199' });
    expect(changed.response.status).toBe(200);
    expect(changed.data).toMatchObject({ outcome: 'callback_requested', duration: 95, notes: 'Rang out', phone: '415***0199', scheduledFollowUp: '2030-02-01T09:00:00.000Z' });

    const moved = await put({ scheduledFollowUp: '2030-02-03T09:00:00Z' });
    expect(moved.data).toMatchObject({ scheduledFollowUp: '2030-02-03T09:00:00.000Z', followUp: { id: created.followUp!.id, status: 'open', dueAt: '2030-02-03T09:00:00.000Z' } });
    expect(await nextFollowUp()).toBe('2030-02-03T09:00:00.000Z');

    const cancelled = await put({ scheduledFollowUp: null, notes: null });
    expect(cancelled.data).toMatchObject({ scheduledFollowUp: null, notes: null, followUp: { id: created.followUp!.id, status: 'cancelled' } });
    expect(await nextFollowUp()).toBeNull();
    const task = await t.db.selectFrom('follow_ups').select(['status', 'completed_at']).where('id', '=', created.followUp!.id).executeTakeFirstOrThrow();
    expect(task.status).toBe('cancelled');
    expect(task.completed_at).toBeInstanceOf(Date);

    const reopened = await put({ scheduledFollowUp: '2030-02-05T09:00:00Z' });
    expect(reopened.data).toMatchObject({ scheduledFollowUp: '2030-02-05T09:00:00.000Z', followUp: { id: created.followUp!.id, status: 'open' } });
    expect(await nextFollowUp()).toBe('2030-02-05T09:00:00.000Z');

    // A log without a task gets one.
    const plain = await log(agent, leadId);
    const scheduled = await agent.client.PUT('/api/call-logs/{id}', { params: { path: { id: plain.id } }, body: { scheduledFollowUp: '2030-01-31T09:00:00Z' } });
    expect(scheduled.data?.followUp).toMatchObject({ status: 'open', dueAt: '2030-01-31T09:00:00.000Z' });
    expect(await nextFollowUp()).toBe('2030-01-31T09:00:00.000Z');
  });

  it('a log sent back as it was read (its done follow-up\'s time with it) leaves the done task done; another time reopens it', async () => {
    const leadId = await lead(owner, '+1 415 555 0124', agent.id);
    const created = await log(agent, leadId, { outcome: 'No Answer', notes: 'Rang out', scheduledFollowUp: '2030-02-07T09:00:00Z' });
    const done = await agent.client.PUT('/api/follow-ups/{id}', { params: { path: { id: created.followUp!.id } }, body: { status: 'done' } });
    expect(done.data).toMatchObject({ status: 'done', completedAt: expect.any(String) });
    const read = (await agent.client.GET('/api/call-logs/{id}', { params: { path: { id: created.id } } })).data!;
    expect(read.scheduledFollowUp).toBe('2030-02-07T09:00:00.000Z');

    // Notes edited, the rest sent back as read.
    const edited = await agent.client.PUT('/api/call-logs/{id}', { params: { path: { id: created.id } }, body: { notes: 'Called back, done', scheduledFollowUp: read.scheduledFollowUp } });
    expect(edited.response.status).toBe(200);
    expect(edited.data).toMatchObject({ notes: 'Called back, done', followUp: { id: created.followUp!.id, status: 'done' } });
    const task = await t.db.selectFrom('follow_ups').select(['status', 'completed_at']).where('id', '=', created.followUp!.id).executeTakeFirstOrThrow();
    expect(task.status).toBe('done');
    expect(task.completed_at?.toISOString()).toBe(done.data!.completedAt);
    expect((await owner.client.GET('/api/leads/{id}', { params: { path: { id: leadId } } })).data!.nextFollowUpAt).toBeNull();

    const reopened = await agent.client.PUT('/api/call-logs/{id}', { params: { path: { id: created.id } }, body: { scheduledFollowUp: '2030-02-08T09:00:00Z' } });
    expect(reopened.data).toMatchObject({ followUp: { id: created.followUp!.id, status: 'open', dueAt: '2030-02-08T09:00:00.000Z' } });
  });

  it('answers 400 naming the field for a bad change, and changes nothing', async () => {
    const created = await log(owner, openLead, { notes: 'Original', scheduledFollowUp: '2030-03-01T09:00:00Z' });
    const before = await t.db.selectFrom('call_logs').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    const bad: Array<[string, Record<string, unknown>]> = [
      ['body', {}],
      ['outcome', { outcome: 'Maybe' }],
      ['duration', { duration: 86_401 }],
      ['notes', { notes: 'x'.repeat(1001) }],
      ['phone', { phone: 'nope' }],
      ['leadId', { leadId: otherLead }],
      ['userId', { userId: agent.id }],
      ['scheduledFollowUp', { scheduledFollowUp: 'soon' }],
    ];
    for (const [field, body] of bad) {
      const { response, error } = await owner.client.PUT('/api/call-logs/{id}', { params: { path: { id: created.id } }, body: body as never });
      expect({ field, status: response.status, named: Object.keys((error?.details as object) ?? {}) }).toEqual({ field, status: 400, named: [field] });
    }
    expect(await t.db.selectFrom('call_logs').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow()).toEqual(before);
    expect((await owner.client.GET('/api/call-logs/{id}', { params: { path: { id: created.id } } })).data?.followUp?.dueAt).toBe('2030-03-01T09:00:00.000Z');
  });

  it('deletes a log with its follow-up task; the lead\'s next follow-up is the next open one', async () => {
    const leadId = await lead(owner, '+1 415 555 0130', agent.id);
    const soon = await log(agent, leadId, { scheduledFollowUp: '2030-04-01T09:00:00Z' });
    await log(agent, leadId, { scheduledFollowUp: '2030-04-02T09:00:00Z' });
    const nextFollowUp = async () => (await owner.client.GET('/api/leads/{id}', { params: { path: { id: leadId } } })).data!.nextFollowUpAt;
    expect(await nextFollowUp()).toBe('2030-04-01T09:00:00.000Z');
    const deleted = await agent.client.DELETE('/api/call-logs/{id}', { params: { path: { id: soon.id } } });
    expect(deleted.response.status).toBe(204);
    expect(await t.db.selectFrom('follow_ups').select('id').where('id', '=', soon.followUp!.id).executeTakeFirst()).toBeUndefined();
    expect(await nextFollowUp()).toBe('2030-04-02T09:00:00.000Z');
    expect((await agent.client.GET('/api/call-logs/{id}', { params: { path: { id: soon.id } } })).response.status).toBe(404);
    expect((await agent.client.DELETE('/api/call-logs/{id}', { params: { path: { id: soon.id } } })).response.status).toBe(404);
  });

  it("stays when its author is deleted (userId null), with the author's follow-up", async () => {
    const leaving = await addMember(t, owner, 'agent');
    const leadId = await lead(owner, '+1 415 555 0145', leaving.id);
    const created = await log(leaving, leadId, { scheduledFollowUp: '2030-05-02T09:00:00Z' });
    expect((await owner.client.DELETE('/api/users/{id}', { params: { path: { id: String(leaving.id) } } })).response.status).toBe(204);
    const kept = await manager.client.GET('/api/call-logs/{id}', { params: { path: { id: created.id } } });
    expect(kept.data).toMatchObject({ id: created.id, userId: null, followUp: { status: 'open' } });
    const task = await manager.client.GET('/api/follow-ups/{id}', { params: { path: { id: created.followUp!.id } } });
    expect(task.data).toMatchObject({ userId: null, status: 'open' });
  });

  it('goes with its lead', async () => {
    const leadId = await lead(owner, '+1 415 555 0140', null);
    const created = await log(owner, leadId, { scheduledFollowUp: '2030-05-01T09:00:00Z' });
    expect((await owner.client.DELETE('/api/leads/{id}', { params: { path: { id: leadId } } })).response.status).toBe(204);
    expect((await owner.client.GET('/api/call-logs/{id}', { params: { path: { id: created.id } } })).response.status).toBe(404);
    expect(await t.db.selectFrom('follow_ups').select('id').where('lead_id', '=', leadId).execute()).toEqual([]);
  });
});

describe('roles (seed 003 matrix): every operation, every role', () => {
  // Each role works on its own log of a lead it can reach, then on the agent's log.
  const roles = () => [
    ['owner', owner],
    ['admin', admin],
    ['manager', manager],
    ['agent', agent],
  ] as const;

  it('each role logs, reads, lists, changes and deletes its own logs', async () => {
    for (const [role, who] of roles()) {
      const leadId = role === 'agent' ? agentLead : openLead;
      const created = await log(who, leadId, { notes: `by ${role}` });
      expect(created.userId, role).toBe(who.id);
      const got = await who.client.GET('/api/call-logs/{id}', { params: { path: { id: created.id } } });
      const listed = await who.client.GET('/api/call-logs', { params: { query: { leadId, limit: 100 } } });
      const changed = await who.client.PUT('/api/call-logs/{id}', { params: { path: { id: created.id } }, body: { outcome: 'Busy' } });
      const deleted = await who.client.DELETE('/api/call-logs/{id}', { params: { path: { id: created.id } } });
      expect({ role, get: got.response.status, listed: listed.data?.callLogs.some((l) => l.id === created.id), put: changed.response.status, del: deleted.response.status }).toEqual({
        role,
        get: 200,
        listed: true,
        put: 200,
        del: 204,
      });
    }
  });

  it("an agent reaches no one else's log (404, unchanged); managers and above reach the agent's", async () => {
    const managerLog = await log(manager, agentLead, { notes: "manager's" });
    const before = await t.db.selectFrom('call_logs').selectAll().where('id', '=', managerLog.id).executeTakeFirstOrThrow();
    const get = await agent.client.GET('/api/call-logs/{id}', { params: { path: { id: managerLog.id } } });
    const put = await agent.client.PUT('/api/call-logs/{id}', { params: { path: { id: managerLog.id } }, body: { notes: 'hijacked' } });
    const del = await agent.client.DELETE('/api/call-logs/{id}', { params: { path: { id: managerLog.id } } });
    expect([get.response.status, put.response.status, del.response.status]).toEqual([404, 404, 404]);
    expect(await t.db.selectFrom('call_logs').selectAll().where('id', '=', managerLog.id).executeTakeFirstOrThrow()).toEqual(before);

    for (const [role, who] of roles().filter(([role]) => role !== 'agent')) {
      const agentLog = await log(agent, agentLead, { notes: 'agent own' });
      const got = await who.client.GET('/api/call-logs/{id}', { params: { path: { id: agentLog.id } } });
      const changed = await who.client.PUT('/api/call-logs/{id}', { params: { path: { id: agentLog.id } }, body: { notes: `checked by ${role}` } });
      const deleted = await who.client.DELETE('/api/call-logs/{id}', { params: { path: { id: agentLog.id } } });
      expect({ role, get: got.response.status, put: changed.data?.notes, author: changed.data?.userId, del: deleted.response.status }).toEqual({
        role,
        get: 200,
        put: `checked by ${role}`,
        author: agent.id,
        del: 204,
      });
    }
  });

  it('an agent keeps its own logs of a lead given to someone else, and can log no new call on it', async () => {
    const leadId = await lead(owner, '+1 415 555 0150', agent.id);
    const mine = await log(agent, leadId);
    await owner.client.PUT('/api/leads/{id}', { params: { path: { id: leadId } }, body: { assignedTo: otherAgent.id } });
    expect((await agent.client.GET('/api/call-logs/{id}', { params: { path: { id: mine.id } } })).response.status).toBe(200);
    expect((await agent.client.POST('/api/call-logs', { body: { leadId, outcome: 'Busy' } })).response.status).toBe(404);
    expect((await otherAgent.client.GET('/api/call-logs/{id}', { params: { path: { id: mine.id } } })).response.status).toBe(404);
  });

  it("an agent edits its own log of a lead given to someone else, but schedules no new follow-up there (404 as for logging a call; nothing changed)", async () => {
    const leadId = await lead(owner, '+1 415 555 0151', agent.id);
    const mine = await log(agent, leadId, { notes: 'before' });
    const withTask = await log(agent, leadId, { scheduledFollowUp: FOLLOW_UP });
    await owner.client.PUT('/api/leads/{id}', { params: { path: { id: leadId } }, body: { assignedTo: otherAgent.id } });
    const before = await t.db.selectFrom('call_logs').selectAll().where('id', '=', mine.id).executeTakeFirstOrThrow();
    const tasksBefore = await t.db.selectFrom('follow_ups').selectAll().where('lead_id', '=', leadId).orderBy('id').execute();
    const leadBefore = await owner.client.GET('/api/leads/{id}', { params: { path: { id: leadId } } });

    const scheduling = await agent.client.PUT('/api/call-logs/{id}', { params: { path: { id: mine.id } }, body: { notes: 'after', scheduledFollowUp: '2030-02-01T09:00:00Z' } });
    expect({ status: scheduling.response.status, code: scheduling.error?.code, details: scheduling.error?.details }).toEqual({ status: 404, code: 'RESOURCE_NOT_FOUND', details: `Lead with ID '${leadId}' not found` });
    expect(await t.db.selectFrom('call_logs').selectAll().where('id', '=', mine.id).executeTakeFirstOrThrow()).toEqual(before);
    expect(await t.db.selectFrom('follow_ups').selectAll().where('lead_id', '=', leadId).orderBy('id').execute()).toEqual(tasksBefore);
    expect((await owner.client.GET('/api/leads/{id}', { params: { path: { id: leadId } } })).data?.nextFollowUpAt).toBe(leadBefore.data?.nextFollowUpAt);

    // Its other fields stay the author's to edit, and so does the task it already has (as at /api/follow-ups).
    const edited = await agent.client.PUT('/api/call-logs/{id}', { params: { path: { id: mine.id } }, body: { notes: 'after', outcome: 'Busy' } });
    expect({ status: edited.response.status, notes: edited.data?.notes, outcome: edited.data?.outcome, followUp: edited.data?.followUp }).toEqual({ status: 200, notes: 'after', outcome: 'busy', followUp: null });
    const moved = await agent.client.PUT('/api/call-logs/{id}', { params: { path: { id: withTask.id } }, body: { scheduledFollowUp: '2030-03-01T09:00:00Z' } });
    expect({ status: moved.response.status, due: moved.data?.followUp?.dueAt }).toEqual({ status: 200, due: '2030-03-01T09:00:00.000Z' });
    const cancelled = await agent.client.PUT('/api/call-logs/{id}', { params: { path: { id: withTask.id } }, body: { scheduledFollowUp: null } });
    expect({ status: cancelled.response.status, task: cancelled.data?.followUp?.status }).toEqual({ status: 200, task: 'cancelled' });

    // A manager may schedule on any lead, as it may log a call on any lead.
    const byManager = await manager.client.PUT('/api/call-logs/{id}', { params: { path: { id: mine.id } }, body: { scheduledFollowUp: '2030-02-01T09:00:00Z' } });
    expect({ status: byManager.response.status, due: byManager.data?.followUp?.dueAt }).toEqual({ status: 200, due: '2030-02-01T09:00:00.000Z' });
  });

  it('answers 401 to a caller without a session or key', async () => {
    const anonymous = t.client();
    expect((await anonymous.GET('/api/call-logs')).response.status).toBe(401);
    expect((await anonymous.POST('/api/call-logs', { body: { leadId: openLead, outcome: 'Busy' } })).response.status).toBe(401);
  });
});
