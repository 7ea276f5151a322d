// /api/outbound-calls (seed 004 /calls/outbound, /retry/*): create with its checks (the number,
// the agent, the zone), list with filters and pages, get with the transcript, cancel before the
// call starts, pending retries and the manual retry; another organisation's call is a 404. The
// worker is off here (AI_CALL_INTERVAL_MS=0): nothing is placed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { assignNumber, createAiAgent } from './helpers.js';

let t: TestApp;
let owner: Member;
let other: Member;
let agentId: string;
let otherAgentId: string;

beforeAll(async () => {
  t = await startTestApp({ env: { AI_CALL_INTERVAL_MS: '0' } });
  owner = await registerOrg(t, 'AI Outbound Org');
  other = await registerOrg(t, 'Other AI Org');
  agentId = await createAiAgent(t, owner.orgId);
  await assignNumber(t, owner, agentId);
  otherAgentId = await createAiAgent(t, other.orgId);
  await assignNumber(t, other, otherAgentId);
});
afterAll(async () => t?.close());

const future = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();

describe('create', () => {
  it('schedules a call (201, status scheduled) with the number normalised and the defaults', async () => {
    const res = await owner.client.POST('/api/outbound-calls', { body: { toPhone: '(415) 555-0142', agentId, context: 'Order 12345' } });
    expect(res.response.status).toBe(201);
    expect(res.response.headers.get('location')).toBe(`/api/outbound-calls/${res.data!.id}`);
    expect(res.data).toMatchObject({ toPhone: '+14155550142', agentId, status: 'scheduled', priority: 'normal', timezone: 'UTC', attempt: 1, originalCallId: null, context: 'Order 12345', agentVersion: null });
    expect(Math.abs(new Date(res.data!.scheduledFor).getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('keeps a given time, zone and priority', async () => {
    const at = '2031-05-04T10:00:00.000Z';
    const res = await owner.client.POST('/api/outbound-calls', { body: { toPhone: '+919876543210', agentId, scheduledFor: at, timezone: 'Asia/Kolkata', priority: 'high' } });
    expect(res.response.status).toBe(201);
    expect(res.data).toMatchObject({ scheduledFor: at, timezone: 'Asia/Kolkata', priority: 'high', toPhone: '+919876543210' });
  });

  it.each([
    ['toPhone', { toPhone: 'call me maybe' }],
    ['toPhone', { toPhone: '12' }],
    ['timezone', { timezone: 'Mars/Olympus' }],
    ['priority', { priority: 'urgent' }],
    ['scheduledFor', { scheduledFor: 'tomorrow' }],
    // The year 0000: RFC 3339 has it, PostgreSQL's calendar has not.
    ['scheduledFor', { scheduledFor: '0000-06-01T10:00:00Z' }],
    // Past 9999 once in UTC: it was stored and shown as +010000-…, which is no date-time.
    ['scheduledFor', { scheduledFor: '9999-12-31T23:00:00-05:00' }],
    ['agentId', { agentId: 'not-a-uuid' }],
    ['agentId', { agentId: '00000000-0000-4000-8000-000000000000' }],
  ])('400 naming %s, nothing stored', async (field, change) => {
    const before = await t.db.selectFrom('ai_outbound_calls').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const res = await owner.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550142', agentId, ...change } as never });
    expect(res.response.status).toBe(400);
    expect(res.error?.code).toBe('VALIDATION_ERROR');
    expect(JSON.stringify(res.error?.details)).toContain(field);
    const after = await t.db.selectFrom('ai_outbound_calls').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it("400 for another organisation's agent, an inactive or archived one", async () => {
    const inactive = await createAiAgent(t, owner.orgId, { isActive: false });
    const archived = await createAiAgent(t, owner.orgId);
    await t.db.updateTable('ai_agents').set({ archived_at: new Date() }).where('id', '=', archived).execute();
    for (const id of [otherAgentId, inactive, archived]) {
      const res = await owner.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550142', agentId: id } });
      expect(res.response.status).toBe(400);
      expect(res.error?.details).toHaveProperty('agentId');
    }
  });

  it('409 naming agentId when the agent has no number to call from', async () => {
    const bare = await createAiAgent(t, owner.orgId);
    const res = await owner.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550142', agentId: bare } });
    expect(res.response.status).toBe(409);
    expect((res.error?.details as Record<string, string>).agentId).toContain('has no number to call from');
  });

  it('an agent role may not create (manager and above)', async () => {
    const agentUser = await addMember(t, owner, 'agent');
    const res = await agentUser.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550142', agentId } });
    expect(res.response.status).toBe(403);
  });
});

describe('list, get, cancel', () => {
  it('lists with filters and pages, newest scheduled first, only the organisation\'s', async () => {
    const org = await registerOrg(t, 'List Org');
    const agent = await createAiAgent(t, org.orgId);
    await assignNumber(t, org, agent);
    const times = ['2031-01-01T10:00:00.000Z', '2031-02-01T10:00:00.000Z', '2031-03-01T10:00:00.000Z'];
    for (const at of times) await org.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550150', agentId: agent, scheduledFor: at } });
    const all = await org.client.GET('/api/outbound-calls');
    expect(all.data!.calls.map((c) => c.scheduledFor)).toEqual([...times].reverse());
    expect(all.data!.pagination).toEqual({ page: 1, limit: 50, total: 3, totalPages: 1 });
    const paged = await org.client.GET('/api/outbound-calls', { params: { query: { limit: 2, page: 2 } } });
    expect(paged.data!.calls.map((c) => c.scheduledFor)).toEqual([times[0]]);
    const window = await org.client.GET('/api/outbound-calls', { params: { query: { startDate: '2031-01-15T00:00:00Z', endDate: '2031-03-01T00:00:00Z' } } });
    expect(window.data!.calls.map((c) => c.scheduledFor)).toEqual([times[1]]);
    const byAgent = await org.client.GET('/api/outbound-calls', { params: { query: { agentId: otherAgentId } } });
    expect(byAgent.data!.calls).toEqual([]);
    const byStatus = await org.client.GET('/api/outbound-calls', { params: { query: { status: 'completed' } } });
    expect(byStatus.data!.calls).toEqual([]);
    const bad = await org.client.GET('/api/outbound-calls', { params: { query: { startDate: '2031-03-01T00:00:00Z', endDate: '2031-01-01T00:00:00Z' } } });
    expect(bad.response.status).toBe(400);
  });

  it('get answers the call with its transcript, summary and outcome from the conversation', async () => {
    const created = (await owner.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550143', agentId } })).data!;
    const empty = await owner.client.GET('/api/outbound-calls/{id}', { params: { path: { id: created.id } } });
    expect(empty.data).toMatchObject({ id: created.id, transcript: [], summary: null });
    const conversation = await t.db
      .insertInto('ai_conversations')
      .values({ org_id: owner.orgId, agent_id: agentId, agent_version: 1, channel: 'voice', outbound_call_id: created.id, mode: 'local', summary: 'Confirmed the address.', outcome: 'resolved' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('ai_turns')
      .values([
        { conversation_id: conversation.id, seq: 1, role: 'assistant', content: 'Hello, this is Acme.', started_at: new Date('2031-01-01T10:00:05Z') },
        { conversation_id: conversation.id, seq: 2, role: 'user', content: 'Hi, about my order.', started_at: new Date('2031-01-01T10:00:10Z') },
      ])
      .execute();
    const got = await owner.client.GET('/api/outbound-calls/{id}', { params: { path: { id: created.id } } });
    expect(got.data).toMatchObject({ summary: 'Confirmed the address.', outcome: 'resolved' });
    expect(got.data!.transcript!.map((turn) => [turn.role, turn.content, turn.timestamp])).toEqual([
      ['assistant', 'Hello, this is Acme.', '2031-01-01T10:00:05.000Z'],
      ['user', 'Hi, about my order.', '2031-01-01T10:00:10.000Z'],
    ]);
  });

  it('cancel: a scheduled call (200, canceled); then, and once the call started, 409', async () => {
    const created = (await owner.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550144', agentId, scheduledFor: future(5) } })).data!;
    const canceled = await owner.client.DELETE('/api/outbound-calls/{id}', { params: { path: { id: created.id } } });
    expect(canceled.response.status).toBe(200);
    expect(canceled.data).toMatchObject({ status: 'canceled' });
    const again = await owner.client.DELETE('/api/outbound-calls/{id}', { params: { path: { id: created.id } } });
    expect(again.response.status).toBe(409);
    const started = (await owner.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550145', agentId } })).data!;
    await t.db.updateTable('ai_outbound_calls').set({ status: 'queued', call_sid: 'CA00000000000000000000000000000145' }).where('id', '=', started.id).execute();
    const ringing = await owner.client.DELETE('/api/outbound-calls/{id}', { params: { path: { id: started.id } } });
    expect(ringing.response.status).toBe(409);
    expect(JSON.stringify(ringing.error?.details)).toContain('queued');
    await t.db.updateTable('ai_outbound_calls').set({ status: 'in-progress' }).where('id', '=', started.id).execute();
    expect((await owner.client.DELETE('/api/outbound-calls/{id}', { params: { path: { id: started.id } } })).response.status).toBe(409);
    expect((await t.db.selectFrom('ai_outbound_calls').select('status').where('id', '=', started.id).executeTakeFirstOrThrow()).status).toBe('in-progress');
  });

  it("another organisation's call, or a malformed id, is a 404 and stays as it was", async () => {
    const created = (await owner.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550146', agentId, scheduledFor: future(5) } })).data!;
    for (const res of [
      await other.client.GET('/api/outbound-calls/{id}', { params: { path: { id: created.id } } }),
      await other.client.DELETE('/api/outbound-calls/{id}', { params: { path: { id: created.id } } }),
      await other.client.POST('/api/outbound-calls/{id}/retry', { params: { path: { id: created.id } } }),
      await owner.client.GET('/api/outbound-calls/{id}', { params: { path: { id: 'nope' } } }),
    ]) {
      expect(res.response.status).toBe(404);
      expect(res.error?.code).toBe('RESOURCE_NOT_FOUND');
    }
    expect((await other.client.GET('/api/outbound-calls')).data!.calls.some((c) => c.id === created.id)).toBe(false);
    expect((await owner.client.GET('/api/outbound-calls/{id}', { params: { path: { id: created.id } } })).data!.status).toBe('scheduled');
  });
});

describe('retries', () => {
  it('a manual retry of a finished no-answer call is a new attempt (201); pending retries list it with the reason', async () => {
    const org = await registerOrg(t, 'Retry Org');
    const agent = await createAiAgent(t, org.orgId);
    await assignNumber(t, org, agent);
    const first = (await org.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550147', agentId: agent, priority: 'high', context: 'Order 7' } })).data!;
    // Still pending: 409.
    expect((await org.client.POST('/api/outbound-calls/{id}/retry', { params: { path: { id: first.id } } })).response.status).toBe(409);
    await t.db.updateTable('ai_outbound_calls').set({ status: 'no-answer', failure_reason: 'no_answer', ended_at: new Date() }).where('id', '=', first.id).execute();
    const retry = await org.client.POST('/api/outbound-calls/{id}/retry', { params: { path: { id: first.id } } });
    expect(retry.response.status).toBe(201);
    expect(retry.data).toMatchObject({ attempt: 2, originalCallId: first.id, status: 'scheduled', priority: 'high', context: 'Order 7', toPhone: '+14155550147' });
    // A second manual retry of the same attempt: the later one exists already.
    expect((await org.client.POST('/api/outbound-calls/{id}/retry', { params: { path: { id: first.id } } })).response.status).toBe(409);
    const pending = await org.client.GET('/api/outbound-calls/retries');
    expect(pending.data!.retries).toEqual([
      { id: retry.data!.id, originalCallId: first.id, agentId: agent, toPhone: '+14155550147', retryAttempt: 2, nextRetryAt: retry.data!.scheduledFor, failureReason: 'no_answer' },
    ]);
    // The retry fails busy in turn; retrying it makes attempt 3 of the same original call.
    await t.db.updateTable('ai_outbound_calls').set({ status: 'busy', failure_reason: 'busy' }).where('id', '=', retry.data!.id).execute();
    const third = await org.client.POST('/api/outbound-calls/{id}/retry', { params: { path: { id: retry.data!.id } } });
    expect(third.data).toMatchObject({ attempt: 3, originalCallId: first.id });
    expect((await org.client.GET('/api/outbound-calls/retries')).data!.retries.map((r) => [r.retryAttempt, r.failureReason])).toEqual([[3, 'busy']]);
    expect((await other.client.GET('/api/outbound-calls/retries')).data!.retries).toEqual([]);
  });

  it('ten manual retries of one failed call at once make one attempt (201 once, 409 for the rest)', async () => {
    const org = await registerOrg(t, 'Double Click Org');
    const agent = await createAiAgent(t, org.orgId);
    await assignNumber(t, org, agent);
    const first = (await org.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550149', agentId: agent } })).data!;
    await t.db.updateTable('ai_outbound_calls').set({ status: 'busy', failure_reason: 'busy', ended_at: new Date() }).where('id', '=', first.id).execute();
    const answers = await Promise.all(Array.from({ length: 10 }, () => org.client.POST('/api/outbound-calls/{id}/retry', { params: { path: { id: first.id } } })));
    expect(answers.map((a) => a.response.status).sort()).toEqual([201, ...Array.from({ length: 9 }, () => 409)]);
    const attempts = await t.db.selectFrom('ai_outbound_calls').select('attempt').where('original_call_id', '=', first.id).execute();
    expect(attempts).toEqual([{ attempt: 2 }]);
  });

  it('409 naming agentId, and no attempt made, when the agent can no longer place calls (switched off, archived, no number)', async () => {
    const org = await registerOrg(t, 'Retry Gone Agent Org');
    const agent = await createAiAgent(t, org.orgId);
    await assignNumber(t, org, agent);
    const first = (await org.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550150', agentId: agent } })).data!;
    await t.db.updateTable('ai_outbound_calls').set({ status: 'no-answer', failure_reason: 'no_answer', ended_at: new Date() }).where('id', '=', first.id).execute();
    const changes = [
      () => t.db.updateTable('ai_agents').set({ is_active: false }).where('id', '=', agent).execute(),
      () => t.db.updateTable('ai_agents').set({ is_active: true, archived_at: new Date() }).where('id', '=', agent).execute(),
      async () => {
        await t.db.updateTable('ai_agents').set({ archived_at: null }).where('id', '=', agent).execute();
        await t.db.updateTable('phone_numbers').set({ ai_agent_id: null }).where('ai_agent_id', '=', agent).execute();
      },
    ];
    for (const change of changes) {
      await change();
      const res = await org.client.POST('/api/outbound-calls/{id}/retry', { params: { path: { id: first.id } } });
      expect(res.response.status).toBe(409);
      expect(Object.keys(res.error?.details ?? {})).toEqual(['agentId']);
    }
    expect(await t.db.selectFrom('ai_outbound_calls').select('id').where('original_call_id', '=', first.id).execute()).toEqual([]);
  });

  it('409 for a completed or canceled call', async () => {
    const created = (await owner.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550148', agentId } })).data!;
    await t.db.updateTable('ai_outbound_calls').set({ status: 'completed' }).where('id', '=', created.id).execute();
    const res = await owner.client.POST('/api/outbound-calls/{id}/retry', { params: { path: { id: created.id } } });
    expect(res.response.status).toBe(409);
    expect(JSON.stringify(res.error?.details)).toContain('completed');
  });
});
