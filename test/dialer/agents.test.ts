// Agents over HTTP (seed 002's /api/agents and agent groups): CRUD, roles per operation, bad input
// (400 naming the field, nothing changed), another organisation's ids (404), presence and the
// day's figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, type Member, registerOrg } from '../helpers/fixtures.js';
import { snapshotTables } from '../helpers/db-snapshot.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let owner: Member;
let admin: Member;
let manager: Member;
let agentUser: Member;
let otherAgentUser: Member;
let stranger: Member;

async function newAgent(by: Member, body: Record<string, unknown> = {}) {
  const { data, response, error } = await by.client.POST('/api/agents', { body: { name: 'John Doe', phone: '+14155553333', ...body } });
  if (response.status !== 201 || !data) throw new Error(`createAgent failed: ${response.status} ${JSON.stringify(error)}`);
  return data;
}

async function newGroup(by: Member, name: string) {
  const { data, response } = await by.client.POST('/api/agent-groups', { body: { name } });
  if (response.status !== 201 || !data) throw new Error(`createAgentGroup failed: ${response.status}`);
  return data;
}

const tables = () => snapshotTables(t.db, { api_keys: ['last_used_at'] });

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Agent Org');
  admin = await addMember(t, owner, 'admin');
  manager = await addMember(t, owner, 'manager');
  agentUser = await addMember(t, owner, 'agent');
  otherAgentUser = await addMember(t, owner, 'agent');
  stranger = await registerOrg(t, 'Other Org');
});
afterAll(async () => t.close());

describe('agents and groups', () => {
  it("creates an agent from seed 002's body: offline, phone in E.164 (shown obfuscated), defaults", async () => {
    const agent = await newAgent(manager, { email: 'john@example.com', maxConcurrentCalls: 2, workingHours: { monday: { start: '09:00', end: '17:00' } } });
    expect(agent).toMatchObject({
      name: 'John Doe',
      email: 'john@example.com',
      phone: '415***3333',
      userId: null,
      groupId: null,
      status: 'offline',
      statusVersion: 0,
      maxConcurrentCalls: 2,
      timeZone: 'UTC',
      workingHours: { monday: { start: '09:00', end: '17:00' } },
      isActive: true,
    });
    const row = await t.db.selectFrom('agents').selectAll().where('id', '=', agent.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ org_id: owner.orgId, phone_e164: '+14155553333', max_concurrent_calls: 2 });
  });

  it('reads a national number in the organisation country, links a user once (409 the second time) and a group', async () => {
    const group = await newGroup(admin, 'Sales floor');
    const agent = await newAgent(manager, { name: 'Jane Roe', phone: '(415) 555-0199', userId: agentUser.id, groupId: group.id, timeZone: 'America/Los_Angeles' });
    expect(agent).toMatchObject({ userId: agentUser.id, groupId: group.id, timeZone: 'America/Los_Angeles', phone: '415***0199' });
    const again = await manager.client.POST('/api/agents', { body: { name: 'Twin', phone: '+14155550100', userId: agentUser.id } });
    expect(again.response.status).toBe(409);
    expect(again.error?.details).toHaveProperty('userId');
    const groupView = await manager.client.GET('/api/agent-groups/{id}', { params: { path: { id: group.id } } });
    expect(groupView.data).toMatchObject({ name: 'Sales floor', agentCount: 1 });
    const filtered = await manager.client.GET('/api/agents', { params: { query: { groupId: group.id } } });
    expect(filtered.data?.agents.map((a) => a.id)).toEqual([agent.id]);
    // A deleted group leaves its agents without one.
    expect((await admin.client.DELETE('/api/agent-groups/{id}', { params: { path: { id: group.id } } })).response.status).toBe(204);
    const after = await manager.client.GET('/api/agents/{id}', { params: { path: { id: agent.id } } });
    expect(after.data?.groupId).toBeNull();
  });

  it('updates only the fields sent, and deletes', async () => {
    const agent = await newAgent(manager, { name: 'Temp' });
    const updated = await manager.client.PUT('/api/agents/{id}', { params: { path: { id: agent.id } }, body: { maxConcurrentCalls: 3, isActive: false, workingHours: null } });
    expect(updated.data).toMatchObject({ name: 'Temp', maxConcurrentCalls: 3, isActive: false, workingHours: null, phone: '415***3333' });
    expect((await manager.client.DELETE('/api/agents/{id}', { params: { path: { id: agent.id } } })).response.status).toBe(204);
    expect((await manager.client.GET('/api/agents/{id}', { params: { path: { id: agent.id } } })).response.status).toBe(404);
  });

  it('group names are unique in the organisation (409), groups can be renamed and listed', async () => {
    const group = await newGroup(manager, 'Closers');
    const twin = await manager.client.POST('/api/agent-groups', { body: { name: 'closers' } });
    expect(twin.response.status).toBe(409);
    expect(twin.error?.details).toHaveProperty('name');
    const renamed = await manager.client.PUT('/api/agent-groups/{id}', { params: { path: { id: group.id } }, body: { name: 'Closers East', description: 'East coast' } });
    expect(renamed.data).toMatchObject({ name: 'Closers East', description: 'East coast', agentCount: 0 });
    const list = await manager.client.GET('/api/agent-groups');
    expect(list.data?.groups.map((g) => g.name)).toContain('Closers East');
    // Another organisation may use the same name.
    expect((await stranger.client.POST('/api/agent-groups', { body: { name: 'Closers East' } })).response.status).toBe(201);
  });

  it('refuses bad input with a 400 naming the field, changing nothing', async () => {
    const agent = await newAgent(manager, { name: 'Bad input' });
    const before = await tables();
    const attempts: Array<[Promise<{ response: Response; error?: unknown }>, string]> = [
      [manager.client.POST('/api/agents', { body: { name: 'X', phone: 'not a phone' } }), 'phone'],
      [manager.client.POST('/api/agents', { body: { name: 'X', phone: '+14155553333', timeZone: 'Mars/Olympus' } }), 'timeZone'],
      [manager.client.POST('/api/agents', { body: { name: 'X', phone: '+14155553333', maxConcurrentCalls: 0 } }), 'maxConcurrentCalls'],
      [manager.client.POST('/api/agents', { body: { name: 'X', phone: '+14155553333', maxConcurrentCalls: 11 } }), 'maxConcurrentCalls'],
      [manager.client.POST('/api/agents', { body: { name: 'X', phone: '+14155553333', workingHours: { monday: { start: '25:00', end: '17:00' } } } }), 'workingHours.monday.start'],
      [manager.client.POST('/api/agents', { body: { phone: '+14155553333' } as never }), 'name'],
      [manager.client.PUT('/api/agents/{id}', { params: { path: { id: agent.id } }, body: { phone: '12' } }), 'phone'],
      [manager.client.PUT('/api/agents/{id}', { params: { path: { id: agent.id } }, body: { email: 'nope' } }), 'email'],
      [manager.client.PUT('/api/agents/{id}/status', { params: { path: { id: agent.id } }, body: { status: 'asleep' as never } }), 'status'],
      [manager.client.GET('/api/agents', { params: { query: { status: 'asleep' as never } } }), 'status'],
      [manager.client.POST('/api/agent-groups', { body: { name: '' } }), 'name'],
    ];
    for (const [attempt, field] of attempts) {
      const { response, error } = await attempt;
      expect({ field, status: response.status }).toEqual({ field, status: 400 });
      expect(Object.keys((error as { details: Record<string, string> }).details).join(',')).toContain(field);
    }
    expect(await tables()).toEqual(before);
  });

  it("treats another organisation's agent, group and user as absent (404), changing nothing", async () => {
    const agent = await newAgent(manager, { name: 'Mine' });
    const group = await newGroup(manager, 'Mine too');
    const before = await tables();
    const attempts = await Promise.all([
      stranger.client.GET('/api/agents/{id}', { params: { path: { id: agent.id } } }),
      stranger.client.PUT('/api/agents/{id}', { params: { path: { id: agent.id } }, body: { name: 'Hijacked' } }),
      stranger.client.PUT('/api/agents/{id}/status', { params: { path: { id: agent.id } }, body: { status: 'available' } }),
      stranger.client.GET('/api/agents/{id}/stats', { params: { path: { id: agent.id } } }),
      stranger.client.DELETE('/api/agents/{id}', { params: { path: { id: agent.id } } }),
      stranger.client.GET('/api/agent-groups/{id}', { params: { path: { id: group.id } } }),
      stranger.client.PUT('/api/agent-groups/{id}', { params: { path: { id: group.id } }, body: { name: 'Hijacked' } }),
      stranger.client.DELETE('/api/agent-groups/{id}', { params: { path: { id: group.id } } }),
      stranger.client.POST('/api/agents', { body: { name: 'Sneaky', phone: '+14155550101', groupId: group.id } }),
      stranger.client.POST('/api/agents', { body: { name: 'Sneaky', phone: '+14155550101', userId: agentUser.id } }),
      stranger.client.GET('/api/agents/{id}', { params: { path: { id: 'not-a-uuid' } } }),
    ]);
    expect(attempts.map((a) => [a.response.status, (a.error as { code?: string } | undefined)?.code])).toEqual(attempts.map(() => [404, 'RESOURCE_NOT_FOUND']));
    expect(await tables()).toEqual(before);
    const list = await stranger.client.GET('/api/agents');
    expect(list.data?.agents).toEqual([]);
  });
});

describe('roles', () => {
  it('managers and above manage agents and groups; agents may not', async () => {
    for (const member of [owner, admin, manager]) {
      const agent = await newAgent(member, { name: `By ${member.role}` });
      expect((await member.client.GET('/api/agents')).response.status).toBe(200);
      expect((await member.client.PUT('/api/agents/{id}', { params: { path: { id: agent.id } }, body: { name: 'Renamed' } })).response.status).toBe(200);
      expect((await member.client.DELETE('/api/agents/{id}', { params: { path: { id: agent.id } } })).response.status).toBe(204);
      expect((await member.client.GET('/api/agent-groups')).response.status).toBe(200);
    }
    const agent = await newAgent(manager, { name: 'Target' });
    const group = await newGroup(manager, 'Forbidden fruit');
    const before = await tables();
    const attempts = await Promise.all([
      agentUser.client.GET('/api/agents'),
      agentUser.client.POST('/api/agents', { body: { name: 'X', phone: '+14155550101' } }),
      agentUser.client.PUT('/api/agents/{id}', { params: { path: { id: agent.id } }, body: { name: 'X' } }),
      agentUser.client.DELETE('/api/agents/{id}', { params: { path: { id: agent.id } } }),
      agentUser.client.GET('/api/agent-groups'),
      agentUser.client.POST('/api/agent-groups', { body: { name: 'X' } }),
      agentUser.client.GET('/api/agent-groups/{id}', { params: { path: { id: group.id } } }),
      agentUser.client.PUT('/api/agent-groups/{id}', { params: { path: { id: group.id } }, body: { name: 'X' } }),
      agentUser.client.DELETE('/api/agent-groups/{id}', { params: { path: { id: group.id } } }),
    ]);
    expect(attempts.map((a) => a.response.status)).toEqual(attempts.map(() => 403));
    expect(await tables()).toEqual(before);
  });

  it('a user with role agent reads its own agent record and sets its own presence only', async () => {
    const own = await newAgent(manager, { name: 'Own', userId: otherAgentUser.id });
    const someone = await newAgent(manager, { name: 'Someone else' });
    const read = await otherAgentUser.client.GET('/api/agents/{id}', { params: { path: { id: own.id } } });
    expect(read.data?.id).toBe(own.id);
    const set = await otherAgentUser.client.PUT('/api/agents/{id}/status', { params: { path: { id: own.id } }, body: { status: 'available' } });
    expect(set.data).toMatchObject({ status: 'available', statusVersion: 1 });
    expect((await otherAgentUser.client.GET('/api/agents/{id}/stats', { params: { path: { id: own.id } } })).response.status).toBe(200);
    const before = await tables();
    const others = await Promise.all([
      otherAgentUser.client.GET('/api/agents/{id}', { params: { path: { id: someone.id } } }),
      otherAgentUser.client.PUT('/api/agents/{id}/status', { params: { path: { id: someone.id } }, body: { status: 'available' } }),
      otherAgentUser.client.GET('/api/agents/{id}/stats', { params: { path: { id: someone.id } } }),
    ]);
    expect(others.map((a) => a.response.status)).toEqual([404, 404, 404]);
    expect(await tables()).toEqual(before);
  });
});

describe('presence and stats', () => {
  it('records each change (from, to, who), changes nothing when the status is already the one asked', async () => {
    const agent = await newAgent(manager, { name: 'Presence' });
    const set = (status: 'available' | 'busy' | 'offline' | 'break') =>
      manager.client.PUT('/api/agents/{id}/status', { params: { path: { id: agent.id } }, body: { status } });
    expect((await set('available')).data).toMatchObject({ status: 'available', statusVersion: 1 });
    expect((await set('break')).data).toMatchObject({ status: 'break', statusVersion: 2 });
    expect((await set('break')).data).toMatchObject({ status: 'break', statusVersion: 2 });
    const history = await t.db.selectFrom('agent_status_changes').selectAll().where('agent_id', '=', agent.id).orderBy('id').execute();
    expect(history.map((h) => [h.from_status, h.to_status, h.reason, h.user_id])).toEqual([
      ['offline', 'available', 'user', manager.id],
      ['available', 'break', 'user', manager.id],
    ]);
    const stats = await manager.client.GET('/api/agents/{id}/stats', { params: { path: { id: agent.id } } });
    expect(stats.data?.agent.id).toBe(agent.id);
    expect(stats.data?.stats).toMatchObject({ timeZone: 'UTC', totalCalls: 0, answeredCalls: 0, currentCalls: 0, availableNow: false });
    const s = stats.data!.stats;
    expect(s.date).toBe(new Date().toISOString().slice(0, 10));
    const total = s.timeInStatus.available + s.timeInStatus.busy + s.timeInStatus.offline + s.timeInStatus.break;
    expect(total).toBe(Math.round((Date.parse(s.to) - Date.parse(s.from)) / 1000));
    expect((await set('available')).data?.status).toBe('available');
    const now = await manager.client.GET('/api/agents/{id}/stats', { params: { path: { id: agent.id } } });
    expect(now.data?.stats.availableNow).toBe(true);
    const list = await manager.client.GET('/api/agents', { params: { query: { status: 'available' } } });
    expect(list.data?.agents.map((a) => a.id)).toContain(agent.id);
  });
});
