// /api/ai-schedules (seed 004 /scheduling/*): create with its checks, list, get, deactivate, the
// worker making each due run into exactly one call (even with two passes at once), and the queue
// statistics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aiOutboundUrls } from '../../../server/ai/outbound/urls.js';
import { runAiCallTick } from '../../../server/ai/outbound/worker.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { assignNumber, createAiAgent, recordingTelephony } from './helpers.js';

let t: TestApp;
let owner: Member;
let other: Member;
let agentId: string;

beforeAll(async () => {
  t = await startTestApp({ env: { AI_CALL_INTERVAL_MS: '0' } });
  owner = await registerOrg(t, 'Schedule Org');
  other = await registerOrg(t, 'Other Schedule Org');
  agentId = await createAiAgent(t, owner.orgId);
  await assignNumber(t, owner, agentId);
});
afterAll(async () => t?.close());

const base = { toPhone: '+919876543210', pattern: 'daily' as const, time: '10:00', timezone: 'Asia/Kolkata', startDate: '2030-11-01' };

describe('create, list, get, delete', () => {
  it('creates (201) with nextRunAt its first run, in the zone', async () => {
    const res = await owner.client.POST('/api/ai-schedules', { body: { ...base, agentId, endDate: '2030-11-30', businessHoursOnly: true, context: 'Daily check-in', priority: 'high' } });
    expect(res.response.status).toBe(201);
    expect(res.data).toMatchObject({
      agentId,
      toPhone: '+919876543210',
      pattern: 'daily',
      time: '10:00',
      timezone: 'Asia/Kolkata',
      startDate: '2030-11-01',
      endDate: '2030-11-30',
      businessHoursOnly: true,
      isActive: true,
      priority: 'high',
      context: 'Daily check-in',
      lastRunAt: null,
      // 1 November 2030 is a Friday; 10:00 IST is 04:30Z.
      nextRunAt: '2030-11-01T04:30:00.000Z',
    });
    const got = await owner.client.GET('/api/ai-schedules/{id}', { params: { path: { id: res.data!.id } } });
    expect(got.data).toEqual(res.data);
    const list = await owner.client.GET('/api/ai-schedules');
    expect(list.data!.schedules.map((s) => s.id)).toContain(res.data!.id);
    expect((await other.client.GET('/api/ai-schedules')).data!.schedules).toEqual([]);
  });

  it.each([
    ['time', { time: '25:00' }],
    ['time', { businessHoursOnly: true, time: '08:30' }],
    ['timezone', { timezone: 'Nowhere/Special' }],
    ['pattern', { pattern: 'hourly' }],
    ['startDate', { startDate: '2030-02-30' }],
    // Year 0 is a date JSON Schema's format accepts and PostgreSQL's date type refuses (was a 500).
    ['startDate', { startDate: '0000-01-01' }],
    ['startDate', { startDate: '0000-01-01', endDate: '2020-01-31' }],
    ['endDate', { endDate: '2030-10-01' }],
    ['endDate', { startDate: '2020-01-01', endDate: '2020-01-31' }],
    ['toPhone', { toPhone: 'nobody' }],
    ['agentId', { agentId: '00000000-0000-4000-8000-000000000000' }],
    ['daysOfWeek', { daysOfWeek: ['monday'] }],
    ['daysOfWeek', { pattern: 'weekly', daysOfWeek: [] }],
    ['daysOfWeek', { pattern: 'weekly', daysOfWeek: ['funday'] }],
    ['daysOfWeek', { pattern: 'weekly', daysOfWeek: ['monday', 'monday'] }],
    ['dayOfMonth', { pattern: 'weekly', dayOfMonth: 3 }],
    ['dayOfMonth', { pattern: 'monthly', dayOfMonth: 32 }],
  ])('400 naming %s, nothing stored', async (field, change) => {
    const before = (await owner.client.GET('/api/ai-schedules')).data!.pagination.total;
    const res = await owner.client.POST('/api/ai-schedules', { body: { ...base, agentId, ...change } as never });
    expect(res.response.status).toBe(400);
    expect(JSON.stringify(res.error?.details)).toContain(field);
    expect((await owner.client.GET('/api/ai-schedules')).data!.pagination.total).toBe(before);
  });

  it('runs on named weekdays (weekly daysOfWeek) or a named day of the month (monthly dayOfMonth)', async () => {
    // 1 November 2030 is a Friday: the first Tuesday or Thursday after it is Tuesday the 5th.
    const weekly = await owner.client.POST('/api/ai-schedules', { body: { ...base, agentId, pattern: 'weekly', daysOfWeek: ['thursday', 'tuesday'] } });
    expect(weekly.response.status).toBe(201);
    expect(weekly.data).toMatchObject({ pattern: 'weekly', daysOfWeek: ['tuesday', 'thursday'], dayOfMonth: null, nextRunAt: '2030-11-05T04:30:00.000Z' });
    const monthly = await owner.client.POST('/api/ai-schedules', { body: { ...base, agentId, pattern: 'monthly', dayOfMonth: 31 } });
    expect(monthly.data).toMatchObject({ pattern: 'monthly', daysOfWeek: null, dayOfMonth: 31, nextRunAt: '2030-11-30T04:30:00.000Z' });
    expect((await owner.client.GET('/api/ai-schedules/{id}', { params: { path: { id: monthly.data!.id } } })).data).toEqual(monthly.data);
  });

  it('409 naming agentId when the agent has no number to call from', async () => {
    const bare = await createAiAgent(t, owner.orgId);
    const res = await owner.client.POST('/api/ai-schedules', { body: { ...base, agentId: bare } });
    expect(res.response.status).toBe(409);
    expect((res.error?.details as Record<string, string>).agentId).toContain('has no number to call from');
  });

  it('delete deactivates (isActive false, no next run); another organisation gets 404', async () => {
    const created = (await owner.client.POST('/api/ai-schedules', { body: { ...base, agentId } })).data!;
    expect((await other.client.DELETE('/api/ai-schedules/{id}', { params: { path: { id: created.id } } })).response.status).toBe(404);
    expect((await other.client.GET('/api/ai-schedules/{id}', { params: { path: { id: created.id } } })).response.status).toBe(404);
    const res = await owner.client.DELETE('/api/ai-schedules/{id}', { params: { path: { id: created.id } } });
    expect(res.response.status).toBe(200);
    expect(res.data).toMatchObject({ id: created.id, isActive: false, nextRunAt: null });
    const inactive = await owner.client.GET('/api/ai-schedules', { params: { query: { isActive: false } } });
    expect(inactive.data!.schedules.map((s) => s.id)).toEqual([created.id]);
    expect((await owner.client.GET('/api/ai-schedules/{id}', { params: { path: { id: 'x' } } })).response.status).toBe(404);
  });
});

describe('the worker makes each run one call', () => {
  it('a due run becomes exactly one call (two passes at once), and the next run is set', async () => {
    const org = await registerOrg(t, 'Runs Org');
    const agent = await createAiAgent(t, org.orgId);
    await assignNumber(t, org, agent);
    const created = (await org.client.POST('/api/ai-schedules', { body: { toPhone: '+442079460001', agentId: agent, pattern: 'weekly', time: '10:00', timezone: 'Europe/London', startDate: '2031-03-24' } })).data!;
    // Monday 24 March 2031, 10:00 GMT; the next Monday is after the clocks change (31 March, BST).
    expect(created.nextRunAt).toBe('2031-03-24T10:00:00.000Z');
    const { telephony } = recordingTelephony();
    const now = new Date('2031-03-24T10:00:30Z');
    const deps = { db: t.db, telephony, urls: aiOutboundUrls(t.config.publicBaseUrl), now: () => now };
    await Promise.all([runAiCallTick(deps), runAiCallTick(deps)]);
    const calls = await t.db.selectFrom('ai_outbound_calls').selectAll().where('schedule_id', '=', created.id).execute();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ org_id: org.orgId, agent_id: agent, to_phone: '+442079460001', scheduled_for: new Date('2031-03-24T10:00:00Z'), timezone: 'Europe/London', attempt: 1 });
    const after = await org.client.GET('/api/ai-schedules/{id}', { params: { path: { id: created.id } } });
    expect(after.data).toMatchObject({ lastRunAt: '2031-03-24T10:00:00.000Z', nextRunAt: '2031-03-31T09:00:00.000Z' });
    await runAiCallTick(deps);
    expect(await t.db.selectFrom('ai_outbound_calls').select('id').where('schedule_id', '=', created.id).execute()).toHaveLength(1);
    // The call it made is an ordinary AI call of the organisation.
    const listed = await org.client.GET('/api/outbound-calls');
    expect(listed.data!.calls.map((c) => c.scheduleId)).toEqual([created.id]);
  });

  it('after a pause only the latest missed run is made up; past endDate nothing more', async () => {
    const org = await registerOrg(t, 'Missed Org');
    const agent = await createAiAgent(t, org.orgId);
    await assignNumber(t, org, agent);
    const created = (await org.client.POST('/api/ai-schedules', { body: { toPhone: '+14155550190', agentId: agent, pattern: 'daily', time: '12:00', timezone: 'UTC', startDate: '2031-01-01', endDate: '2031-01-10' } })).data!;
    const { telephony } = recordingTelephony();
    const deps = { db: t.db, telephony, urls: aiOutboundUrls(t.config.publicBaseUrl), now: () => new Date('2031-01-05T13:00:00Z') };
    await runAiCallTick(deps);
    expect(await t.db.selectFrom('ai_outbound_calls').select('id').where('schedule_id', '=', created.id).execute()).toHaveLength(1);
    expect((await org.client.GET('/api/ai-schedules/{id}', { params: { path: { id: created.id } } })).data!.nextRunAt).toBe('2031-01-06T12:00:00.000Z');
    await runAiCallTick({ ...deps, now: () => new Date('2031-02-01T00:00:00Z') });
    const done = (await org.client.GET('/api/ai-schedules/{id}', { params: { path: { id: created.id } } })).data!;
    expect(done.nextRunAt).toBeNull();
    expect(await t.db.selectFrom('ai_outbound_calls').select('id').where('schedule_id', '=', created.id).execute()).toHaveLength(2);
  });
});

describe('queue statistics', () => {
  it('counts the queue by state and the calls of the next 24 hours and week, schedule runs included', async () => {
    const org = await registerOrg(t, 'Stats Org');
    const agent = await createAiAgent(t, org.orgId);
    await assignNumber(t, org, agent);
    const empty = await org.client.GET('/api/ai-schedules/stats');
    expect(empty.data).toEqual({ queue: { waiting: 0, active: 0, completed: 0, failed: 0 }, scheduledCalls: { next24Hours: 0, nextWeek: 0 } });
    const hours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
    const ids: string[] = [];
    for (const at of [hours(1), hours(30), hours(24 * 10)]) ids.push((await org.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550191', agentId: agent, scheduledFor: at } })).data!.id);
    for (const status of ['in-progress', 'completed', 'completed', 'failed', 'no-answer', 'busy', 'canceled'] as const) {
      const id = (await org.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550192', agentId: agent, scheduledFor: hours(-1) } })).data!.id;
      await t.db.updateTable('ai_outbound_calls').set({ status }).where('id', '=', id).execute();
    }
    // A daily schedule starting tomorrow (UTC): at most 7 runs in the next 7 days, 1 in the next 24 hours at most.
    const tomorrow = new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 10);
    await org.client.POST('/api/ai-schedules', { body: { toPhone: '+14155550193', agentId: agent, pattern: 'daily', time: '00:00', timezone: 'UTC', startDate: tomorrow } });
    const stats = await org.client.GET('/api/ai-schedules/stats');
    // Runs at 00:00 UTC from tomorrow: the first is within 24 hours; 7 of them within the week.
    expect(stats.data).toEqual({ queue: { waiting: 3, active: 1, completed: 2, failed: 3 }, scheduledCalls: { next24Hours: 1 + 1, nextWeek: 2 + 7 } });
    expect((await other.client.GET('/api/ai-schedules/stats')).data!.queue.waiting).toBe(0);
  });
});
