// Follow-up tasks (a call log's scheduledFollowUp): the due list (soonest first; agents see their
// own), completing, cancelling, reopening and moving one, and the lead's nextFollowUpAt following
// every change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let admin: Member;
let manager: Member;
let agent: Member;
let otherAgent: Member;
let leadId: string;
let otherLeadId: string;
/** Task ids by name: the agent's (overdue, tomorrow, later) and the other agent's. */
const tasks = {} as { overdue: string; tomorrow: string; later: string; others: string };

const HOUR = 3_600_000;
const at = (offsetMs: number) => new Date(Math.floor((Date.now() + offsetMs) / 1000) * 1000).toISOString();

async function schedule(by: Member, lead: string, due: string): Promise<string> {
  const { data, response } = await by.client.POST('/api/call-logs', { body: { leadId: lead, outcome: 'Callback Requested', scheduledFollowUp: due } });
  if (response.status !== 201 || !data?.followUp) throw new Error(`createCallLog failed: ${response.status}`);
  return data.followUp.id;
}

const nextFollowUp = async (id: string) => (await owner.client.GET('/api/leads/{id}', { params: { path: { id } } })).data!.nextFollowUpAt;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Follow-up Org');
  admin = await addMember(t, owner, 'admin');
  manager = await addMember(t, owner, 'manager');
  agent = await addMember(t, owner, 'agent');
  otherAgent = await addMember(t, owner, 'agent');
  leadId = (await owner.client.POST('/api/leads', { body: { phone: '+14155550201', name: 'Due Lead', assignedTo: agent.id } })).data!.id;
  otherLeadId = (await owner.client.POST('/api/leads', { body: { phone: '+14155550202', name: 'Other Lead', assignedTo: otherAgent.id } })).data!.id;
  tasks.overdue = await schedule(agent, leadId, at(-2 * HOUR));
  tasks.tomorrow = await schedule(agent, leadId, at(24 * HOUR));
  tasks.later = await schedule(agent, leadId, at(72 * HOUR));
  tasks.others = await schedule(otherAgent, otherLeadId, at(-1 * HOUR));
});
afterAll(async () => t.close());

describe('the list of follow-ups', () => {
  const ids = async (who: Member, query: Record<string, unknown> = {}) => {
    const { data, response } = await who.client.GET('/api/follow-ups', { params: { query: query as never } });
    expect(response.status).toBe(200);
    return data!.followUps.map((f) => f.id);
  };

  it('lists the open tasks soonest first; dueBefore gives what is due now, dueAfter what is to come', async () => {
    expect(await ids(owner)).toEqual([tasks.overdue, tasks.others, tasks.tomorrow, tasks.later]);
    expect(await ids(owner, { dueBefore: at(0) })).toEqual([tasks.overdue, tasks.others]);
    expect(await ids(owner, { dueAfter: at(0) })).toEqual([tasks.tomorrow, tasks.later]);
    expect(await ids(owner, { dueAfter: at(0), dueBefore: at(48 * HOUR) })).toEqual([tasks.tomorrow]);
    expect(await ids(owner, { leadId: otherLeadId })).toEqual([tasks.others]);
    expect(await ids(owner, { userId: otherAgent.id })).toEqual([tasks.others]);
    const { data } = await owner.client.GET('/api/follow-ups', { params: { query: { limit: 1, page: 2 } } });
    expect(data?.followUps.map((f) => f.id)).toEqual([tasks.others]);
    expect(data?.pagination).toEqual({ page: 2, limit: 1, total: 4, totalPages: 4 });
  });

  it('takes a leap second (23:59:60, a valid date-time) in dueBefore / dueAfter as the instant after 23:59:59, not a 500', async () => {
    expect(await ids(owner, { dueBefore: '2016-12-31T23:59:60Z' })).toEqual([]);
    expect(await ids(owner, { dueAfter: '2016-12-31T23:59:60Z' })).toEqual([tasks.overdue, tasks.others, tasks.tomorrow, tasks.later]);
  });

  it('shows an agent only its own tasks; managers and above the organisation\'s', async () => {
    expect(await ids(agent)).toEqual([tasks.overdue, tasks.tomorrow, tasks.later]);
    expect(await ids(agent, { userId: otherAgent.id })).toEqual([]);
    expect(await ids(otherAgent, { dueBefore: at(0) })).toEqual([tasks.others]);
    for (const who of [manager, admin]) expect(await ids(who)).toHaveLength(4);
  });

  it('shows each task as the contract says', async () => {
    const { data } = await owner.client.GET('/api/follow-ups/{id}', { params: { path: { id: tasks.others } } });
    expect(data).toEqual({
      id: tasks.others,
      leadId: otherLeadId,
      callLogId: expect.any(String),
      userId: otherAgent.id,
      dueAt: expect.any(String),
      status: 'open',
      completedAt: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('answers 400 naming the parameter for a bad filter', async () => {
    const bad: Array<[string, Record<string, unknown>]> = [
      ['status', { status: 'later' }],
      ['dueBefore', { dueBefore: 'tomorrow' }],
      ['dueBefore', { dueBefore: at(0), dueAfter: at(HOUR) }],
      ['dueAfter', { dueAfter: '10000-01-01T00:00:00Z' }],
      ['leadId', { leadId: 'lead' }],
      ['userId', { userId: -1 }],
    ];
    for (const [field, query] of bad) {
      const { response, error } = await owner.client.GET('/api/follow-ups', { params: { query: query as never } });
      expect({ field, status: response.status, named: Object.keys((error?.details as object) ?? {}) }).toEqual({ field, status: 400, named: [field] });
    }
  });
});

describe('completing, cancelling, reopening and moving a task', () => {
  it('marks it done (completedAt set), and the lead\'s next follow-up moves to the next open one', async () => {
    expect(await nextFollowUp(leadId)).toBe((await owner.client.GET('/api/follow-ups/{id}', { params: { path: { id: tasks.overdue } } })).data!.dueAt);
    const done = await agent.client.PUT('/api/follow-ups/{id}', { params: { path: { id: tasks.overdue } }, body: { status: 'done' } });
    expect(done.response.status).toBe(200);
    expect(done.data).toMatchObject({ id: tasks.overdue, status: 'done', completedAt: expect.any(String) });
    const tomorrow = (await agent.client.GET('/api/follow-ups/{id}', { params: { path: { id: tasks.tomorrow } } })).data!;
    expect(await nextFollowUp(leadId)).toBe(tomorrow.dueAt);
    // Done twice: completedAt stays.
    const again = await agent.client.PUT('/api/follow-ups/{id}', { params: { path: { id: tasks.overdue } }, body: { status: 'done' } });
    expect(again.data?.completedAt).toBe(done.data?.completedAt);
    const { data } = await agent.client.GET('/api/follow-ups', { params: { query: { status: 'done' } } });
    expect(data?.followUps.map((f) => f.id)).toEqual([tasks.overdue]);
    // ...and the log that scheduled it says so.
    const logs = await agent.client.GET('/api/call-logs', { params: { query: { leadId } } });
    expect(logs.data?.callLogs.find((l) => l.followUp?.id === tasks.overdue)?.followUp?.status).toBe('done');
  });

  it('cancels, reopens (completedAt cleared) and moves it', async () => {
    const cancelled = await agent.client.PUT('/api/follow-ups/{id}', { params: { path: { id: tasks.tomorrow } }, body: { status: 'cancelled' } });
    expect(cancelled.data).toMatchObject({ status: 'cancelled', completedAt: expect.any(String) });
    const later = (await agent.client.GET('/api/follow-ups/{id}', { params: { path: { id: tasks.later } } })).data!;
    expect(await nextFollowUp(leadId)).toBe(later.dueAt);
    const reopened = await agent.client.PUT('/api/follow-ups/{id}', { params: { path: { id: tasks.tomorrow } }, body: { status: 'open', dueAt: '2030-06-01T09:00:00+02:00' } });
    expect(reopened.data).toMatchObject({ status: 'open', completedAt: null, dueAt: '2030-06-01T07:00:00.000Z' });
    expect(await nextFollowUp(leadId)).toBe(later.dueAt);
    const moved = await agent.client.PUT('/api/follow-ups/{id}', { params: { path: { id: tasks.later } }, body: { dueAt: '2030-07-01T09:00:00Z' } });
    expect(moved.data).toMatchObject({ status: 'open', dueAt: '2030-07-01T09:00:00.000Z' });
    expect(await nextFollowUp(leadId)).toBe('2030-06-01T07:00:00.000Z');
    // Nothing open: no next follow-up.
    for (const id of [tasks.tomorrow, tasks.later]) await agent.client.PUT('/api/follow-ups/{id}', { params: { path: { id } }, body: { status: 'done' } });
    expect(await nextFollowUp(leadId)).toBeNull();
  });

  it('answers 400 naming the field for a bad change, and changes nothing', async () => {
    const before = await t.db.selectFrom('follow_ups').selectAll().where('id', '=', tasks.others).executeTakeFirstOrThrow();
    const bad: Array<[string, Record<string, unknown>]> = [
      ['body', {}],
      ['status', { status: 'finished' }],
      ['dueAt', { dueAt: 'next week' }],
      ['dueAt', { dueAt: null }],
      ['completedAt', { completedAt: '2030-01-01T00:00:00Z' }],
    ];
    for (const [field, body] of bad) {
      const { response, error } = await owner.client.PUT('/api/follow-ups/{id}', { params: { path: { id: tasks.others } }, body: body as never });
      expect({ field, status: response.status, named: Object.keys((error?.details as object) ?? {}) }).toEqual({ field, status: 400, named: [field] });
    }
    expect(await t.db.selectFrom('follow_ups').selectAll().where('id', '=', tasks.others).executeTakeFirstOrThrow()).toEqual(before);
  });
});

describe('concurrent changes of one lead', () => {
  it("leave nextFollowUpAt the soonest open task (each change waits for the lead's lock)", async () => {
    const id = (await owner.client.POST('/api/leads', { body: { phone: '+14155550203', name: 'Busy Lead' } })).data!.id;
    const dues = Array.from({ length: 8 }, (_, i) => `2030-0${(i % 8) + 1}-15T09:00:00.000Z`);
    const created = await Promise.all(dues.map((due, i) => schedule([owner, manager, admin][i % 3]!, id, due)));
    expect(await nextFollowUp(id)).toBe(dues[0]);
    // Complete the four soonest while moving two others earlier, all at once.
    await Promise.all([
      ...created.slice(0, 4).map((taskId) => owner.client.PUT('/api/follow-ups/{id}', { params: { path: { id: taskId } }, body: { status: 'done' } })),
      owner.client.PUT('/api/follow-ups/{id}', { params: { path: { id: created[6]! } }, body: { dueAt: '2030-05-01T09:00:00Z' } }),
      manager.client.PUT('/api/follow-ups/{id}', { params: { path: { id: created[7]! } }, body: { dueAt: '2030-05-02T09:00:00Z' } }),
    ]);
    const open = await owner.client.GET('/api/follow-ups', { params: { query: { leadId: id } } });
    expect(open.data?.followUps.map((f) => f.dueAt)).toEqual(['2030-05-01T09:00:00.000Z', '2030-05-02T09:00:00.000Z', '2030-05-15T09:00:00.000Z', '2030-06-15T09:00:00.000Z']);
    expect(await nextFollowUp(id)).toBe('2030-05-01T09:00:00.000Z');
  });
});

describe('roles (seed 003 matrix)', () => {
  it("an agent reaches no one else's task (404, unchanged)", async () => {
    const before = await t.db.selectFrom('follow_ups').selectAll().where('id', '=', tasks.others).executeTakeFirstOrThrow();
    const get = await agent.client.GET('/api/follow-ups/{id}', { params: { path: { id: tasks.others } } });
    const put = await agent.client.PUT('/api/follow-ups/{id}', { params: { path: { id: tasks.others } }, body: { status: 'done' } });
    expect([get.response.status, put.response.status]).toEqual([404, 404]);
    expect(await t.db.selectFrom('follow_ups').selectAll().where('id', '=', tasks.others).executeTakeFirstOrThrow()).toEqual(before);
    expect(await nextFollowUp(otherLeadId)).toBe(before.due_at.toISOString());
  });

  it("managers and above read and change an agent's task", async () => {
    for (const who of [owner, admin, manager]) {
      const id = await schedule(otherAgent, otherLeadId, '2031-01-01T09:00:00Z');
      const get = await who.client.GET('/api/follow-ups/{id}', { params: { path: { id } } });
      const put = await who.client.PUT('/api/follow-ups/{id}', { params: { path: { id } }, body: { status: 'cancelled' } });
      expect({ role: who.role, get: get.response.status, status: put.data?.status, userId: put.data?.userId }).toEqual({ role: who.role, get: 200, status: 'cancelled', userId: otherAgent.id });
    }
  });

  it('answers 404 for a malformed or unknown id', async () => {
    for (const id of ['not-an-id', '00000000-0000-4000-8000-000000000000']) {
      expect((await owner.client.GET('/api/follow-ups/{id}', { params: { path: { id } } })).response.status).toBe(404);
      expect((await owner.client.PUT('/api/follow-ups/{id}', { params: { path: { id } }, body: { status: 'done' } })).response.status).toBe(404);
    }
  });
});
