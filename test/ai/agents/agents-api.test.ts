// /api/ai-agents (issue 20 items 1, DESIGN.md 9.4, seed 004 /agents and /retry/config): CRUD with
// seed 004's fields, every bad field named (nothing changed), immutable versions counted right
// under concurrent updates, the retry configuration, delete refused / archived / deleted, roles,
// and another organisation's agent as a 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables } from '../../helpers/db-snapshot.js';
import { type Member, addMember, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { buyNumber, createAiAgent, path, SEED_AGENT } from './helpers.js';

let t: TestApp;
let owner: Member;
let manager: Member;
let agentMember: Member;
let other: Member;
let humanAgentId: string;
let campaignId: string;
let otherCampaignId: string;
let otherHumanAgentId: string;

beforeAll(async () => {
  t = await startTestApp({ env: { AI_MODEL: 'llama3.1:8b' } });
  owner = await registerOrg(t, 'AI Agents Org');
  manager = await addMember(t, owner, 'manager');
  agentMember = await addMember(t, owner, 'agent');
  other = await registerOrg(t, 'Other AI Org');
  const human = await owner.client.POST('/api/agents', { body: { name: 'Human', phone: '+14155550190' } });
  const otherHuman = await other.client.POST('/api/agents', { body: { name: 'Other human', phone: '+14155550191' } });
  if (!human.data || !otherHuman.data) throw new Error('agent setup failed');
  humanAgentId = human.data.id;
  otherHumanAgentId = otherHuman.data.id;
  campaignId = (await createCampaign(owner.client, { name: 'Transfer target' })).id;
  otherCampaignId = (await createCampaign(other.client, { name: 'Other campaign' })).id;
});
afterAll(async () => t.close());

const versionCount = async (agentId: string) =>
  Number((await t.db.selectFrom('ai_agent_versions').select((eb) => eb.fn.countAll<string>().as('n')).where('agent_id', '=', agentId).executeTakeFirstOrThrow()).n);

describe('create, get, list', () => {
  it("creates seed 004's agent with defaults (model from AI_MODEL when not given) at version 1", async () => {
    const created = await createAiAgent(owner.client);
    expect(created).toMatchObject({
      ...SEED_AGENT,
      firstMessage: null,
      language: 'en-US',
      tools: [],
      version: 1,
      createdBy: owner.id,
      retryConfig: {
        no_answer: { maxAttempts: 3, initialDelay: 3_600_000, backoffMultiplier: 1 },
        busy: { maxAttempts: 3, initialDelay: 3_600_000, backoffMultiplier: 1 },
        failed: { maxAttempts: 3, initialDelay: 3_600_000, backoffMultiplier: 1 },
        voicemail: null,
      },
    });
    const noModel = await createAiAgent(owner.client, { model: undefined, name: 'Default model' });
    expect(noModel.model).toBe('llama3.1:8b');
    const got = await owner.client.GET('/api/ai-agents/{id}', path(created.id));
    expect(got.data).toEqual(created);
    const version = await owner.client.GET('/api/ai-agents/{id}/versions/{version}', { params: { path: { id: created.id, version: '1' } } });
    const { id: _id, version: _v, createdBy: _c, createdAt: _a, updatedAt: _u, ...settings } = created;
    expect(version.data).toEqual({ agentId: created.id, version: 1, settings, createdBy: owner.id, createdAt: created.createdAt });
  });

  it('keeps first message, language, tools (references lower-cased) and retries', async () => {
    const created = await createAiAgent(manager.client, {
      name: 'Billing',
      firstMessage: '  Hello, this is billing.  ',
      language: 'hi-IN',
      temperature: 0.333,
      tools: [
        { type: 'transfer_to_person', humanAgentId: humanAgentId.toUpperCase(), description: 'A human' },
        { type: 'transfer_to_number', phoneNumber: '+14155550123' },
        { type: 'transfer_to_campaign', campaignId },
        { type: 'end_call' },
        { type: 'search_knowledge_base' },
        { type: 'schedule_callback' },
      ],
      retryConfig: { no_answer: { maxAttempts: 5, initialDelay: 300_000, backoffMultiplier: 2 }, voicemail: { maxAttempts: 2 } },
    });
    expect(created).toMatchObject({
      firstMessage: 'Hello, this is billing.',
      language: 'hi-IN',
      temperature: 0.33,
      tools: [
        { type: 'transfer_to_person', humanAgentId, description: 'A human' },
        { type: 'transfer_to_number', phoneNumber: '+14155550123' },
        { type: 'transfer_to_campaign', campaignId },
        { type: 'end_call' },
        { type: 'search_knowledge_base' },
        { type: 'schedule_callback' },
      ],
      retryConfig: {
        no_answer: { maxAttempts: 5, initialDelay: 300_000, backoffMultiplier: 2 },
        busy: { maxAttempts: 3, initialDelay: 3_600_000, backoffMultiplier: 1 },
        voicemail: { maxAttempts: 2, initialDelay: 3_600_000, backoffMultiplier: 1 },
      },
      createdBy: manager.id,
    });
    // The version stores the settings as the runtime reads them (settings.ts AgentSettings).
    const stored = await t.db.selectFrom('ai_agent_versions').select('settings').where('agent_id', '=', created.id).executeTakeFirstOrThrow();
    expect(stored.settings).toMatchObject({
      name: 'Billing',
      temperature: 0.33,
      language: 'hi-IN',
      retryPolicy: { no_answer: { maxAttempts: 5, initialDelaySec: 300, backoffMultiplier: 2 }, failed: { maxAttempts: 3, initialDelaySec: 3600, backoffMultiplier: 1 } },
    });
  });

  it('takes every tool type at once (all eight), on create and on update', async () => {
    const tools = [
      { type: 'transfer_to_person' as const, humanAgentId },
      { type: 'transfer_to_number' as const, phoneNumber: '+14155550124' },
      { type: 'transfer_to_campaign' as const, campaignId },
      { type: 'end_call' as const },
      { type: 'search_knowledge_base' as const },
      { type: 'schedule_callback' as const },
      { type: 'play_audio' as const, audioUrl: 'https://example.com/audio/disclosure.mp3' },
      { type: 'send_digits' as const },
    ];
    const created = await createAiAgent(manager.client, { name: 'Every tool', tools });
    expect(created.tools).toEqual(tools);
    const plain = await createAiAgent(manager.client, { name: 'Tools later' });
    const updated = await manager.client.PUT('/api/ai-agents/{id}', { params: { path: { id: plain.id } }, body: { tools } });
    expect([updated.response.status, updated.data?.tools, updated.data?.version]).toEqual([200, tools, 2]);
  });

  it('lists newest first, filters by isActive and pages, hiding other organisations', async () => {
    const fresh = await registerOrg(t, 'Listing Org');
    const made = [];
    for (const [i, isActive] of [true, false, true].entries()) made.push(await createAiAgent(fresh.client, { name: `Agent ${i}`, isActive }));
    await createAiAgent(other.client, { name: 'Not theirs' });
    const all = await fresh.client.GET('/api/ai-agents');
    expect(all.data?.agents.map((a) => a.name)).toEqual(['Agent 2', 'Agent 1', 'Agent 0']);
    expect(all.data?.pagination).toEqual({ page: 1, limit: 50, total: 3, totalPages: 1 });
    const active = await fresh.client.GET('/api/ai-agents', { params: { query: { isActive: true } } });
    expect(active.data?.agents.map((a) => a.id)).toEqual([made[2]!.id, made[0]!.id]);
    const inactive = await fresh.client.GET('/api/ai-agents', { params: { query: { isActive: false } } });
    expect(inactive.data?.agents.map((a) => a.id)).toEqual([made[1]!.id]);
    const page2 = await fresh.client.GET('/api/ai-agents', { params: { query: { page: 2, limit: 2 } } });
    expect(page2.data?.agents.map((a) => a.name)).toEqual(['Agent 0']);
    expect(page2.data?.pagination).toEqual({ page: 2, limit: 2, total: 3, totalPages: 2 });
  });

  it('lets an agent-role member read but not change; managers change', async () => {
    const created = await createAiAgent(owner.client, { name: 'Read only' });
    expect((await agentMember.client.GET('/api/ai-agents/{id}', path(created.id))).response.status).toBe(200);
    expect((await agentMember.client.GET('/api/ai-agents')).response.status).toBe(200);
    const refused = await Promise.all([
      agentMember.client.POST('/api/ai-agents', { body: SEED_AGENT }),
      agentMember.client.PUT('/api/ai-agents/{id}', { ...path(created.id), body: { name: 'Nope' } }),
      agentMember.client.DELETE('/api/ai-agents/{id}', path(created.id)),
      agentMember.client.PUT('/api/ai-agents/{id}/retry-config', { ...path(created.id), body: { busy: null } }),
      manager.client.POST('/api/ai-agents/exotel-secret'),
    ]);
    expect(refused.map((r) => r.response.status)).toEqual([403, 403, 403, 403, 403]);
    expect(await versionCount(created.id)).toBe(1);
  });
});

describe('validation (400 naming every bad field, nothing changed)', () => {
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['blank name', { ...SEED_AGENT, name: '   ' }, ['name']],
    ['missing systemPrompt', { name: 'x' }, ['systemPrompt']],
    ['temperature out of range', { ...SEED_AGENT, temperature: 2.5 }, ['temperature']],
    ['maxTokens zero', { ...SEED_AGENT, maxTokens: 0 }, ['maxTokens']],
    ['language', { ...SEED_AGENT, language: 'english please' }, ['language']],
    ['number as a string', { ...SEED_AGENT, maxTokens: '150' }, ['maxTokens']],
    ['unknown tool type', { ...SEED_AGENT, tools: [{ type: 'launch_rockets' }] }, ['tools.0.type']],
    ['bad E.164', { ...SEED_AGENT, tools: [{ type: 'transfer_to_number', phoneNumber: '555-1234' }] }, ['tools.0.phoneNumber']],
    ['missing humanAgentId', { ...SEED_AGENT, tools: [{ type: 'transfer_to_person' }] }, ['tools[0].humanAgentId']],
    ['field of another tool', { ...SEED_AGENT, tools: [{ type: 'end_call', phoneNumber: '+14155550123' }] }, ['tools[0].phoneNumber']],
    ['a type twice', { ...SEED_AGENT, tools: [{ type: 'end_call' }, { type: 'end_call' }] }, ['tools[1].type']],
    ['play_audio without audioUrl', { ...SEED_AGENT, tools: [{ type: 'play_audio' }] }, ['tools[0].audioUrl']],
    ['play_audio with an ftp URL', { ...SEED_AGENT, tools: [{ type: 'play_audio', audioUrl: 'ftp://example.com/a.mp3' }] }, ['tools.0.audioUrl']],
    ['play_audio with credentials in the URL', { ...SEED_AGENT, tools: [{ type: 'play_audio', audioUrl: 'https://user:pw@example.com/a.mp3' }] }, ['tools[0].audioUrl']],
    ['audioUrl on send_digits', { ...SEED_AGENT, tools: [{ type: 'send_digits', audioUrl: 'https://example.com/a.mp3' }] }, ['tools[0].audioUrl']],
    ['retry out of bounds', { ...SEED_AGENT, retryConfig: { busy: { maxAttempts: 21 } } }, ['retryConfig.busy.maxAttempts']],
    ['retry unknown outcome', { ...SEED_AGENT, retryConfig: { hung_up: null } }, ['retryConfig.hung_up']],
  ];

  it.each(cases)('%s', async (_label, body, fields) => {
    const before = await snapshotTables(t.db, { api_keys: ['last_used_at'] });
    const sent = await owner.client.POST('/api/ai-agents', { body: body as never });
    expect(sent.response.status).toBe(400);
    expect(sent.error?.code).toBe('VALIDATION_ERROR');
    expect(Object.keys(sent.error?.details as Record<string, string>).sort()).toEqual([...fields].sort());
    expect(await snapshotTables(t.db, { api_keys: ['last_used_at'] })).toEqual(before);
  });

  it("names tool references that are not the organisation's (another org's agent and campaign, an unknown one)", async () => {
    const sent = await owner.client.POST('/api/ai-agents', {
      body: {
        ...SEED_AGENT,
        tools: [
          { type: 'transfer_to_person', humanAgentId: otherHumanAgentId },
          { type: 'transfer_to_campaign', campaignId: otherCampaignId },
        ],
      },
    });
    expect(sent.response.status).toBe(400);
    expect(sent.error?.details).toEqual({
      'tools[0].humanAgentId': "is not one of the organisation's agents",
      'tools[1].campaignId': "is not one of the organisation's campaigns",
    });
    const created = await createAiAgent(owner.client, { name: 'Update refs' });
    const update = await owner.client.PUT('/api/ai-agents/{id}', {
      ...path(created.id),
      body: { tools: [{ type: 'transfer_to_campaign', campaignId: '00000000-0000-4000-8000-000000000000' }] },
    });
    expect(update.response.status).toBe(400);
    expect(Object.keys(update.error?.details as object)).toEqual(['tools[0].campaignId']);
    expect(await versionCount(created.id)).toBe(1);
  });

  it("refuses a transfer_to_number tool aimed at one of the organisation's own tracking numbers (the call would loop back in), not another organisation's", async () => {
    const ours = await buyNumber(owner.client);
    const theirs = await buyNumber(other.client);
    const before = await snapshotTables(t.db, { api_keys: ['last_used_at'] });
    const sent = await owner.client.POST('/api/ai-agents', {
      body: { ...SEED_AGENT, name: 'Loop', tools: [{ type: 'end_call' }, { type: 'transfer_to_number', phoneNumber: ours.phoneNumber }] },
    });
    expect(sent.response.status).toBe(400);
    expect(sent.error?.details).toEqual({
      'tools[1].phoneNumber': "is one of this organisation's tracking numbers: the transferred call would come back in as a new call",
    });
    expect(await snapshotTables(t.db, { api_keys: ['last_used_at'] })).toEqual(before);
    const created = await createAiAgent(owner.client, { name: 'Transfers out' });
    const update = await owner.client.PUT('/api/ai-agents/{id}', {
      ...path(created.id),
      body: { tools: [{ type: 'transfer_to_number', phoneNumber: ours.phoneNumber }] },
    });
    expect(update.response.status).toBe(400);
    expect(Object.keys(update.error?.details as object)).toEqual(['tools[0].phoneNumber']);
    expect(await versionCount(created.id)).toBe(1);
    const elsewhere = await owner.client.PUT('/api/ai-agents/{id}', {
      ...path(created.id),
      body: { tools: [{ type: 'transfer_to_number', phoneNumber: theirs.phoneNumber }] },
    });
    expect(elsewhere.response.status).toBe(200);
    expect(elsewhere.data?.tools).toEqual([{ type: 'transfer_to_number', phoneNumber: theirs.phoneNumber }]);
  });

  it('refuses an empty update and a bad field in one, changing nothing', async () => {
    const created = await createAiAgent(owner.client, { name: 'Empty update' });
    const empty = await owner.client.PUT('/api/ai-agents/{id}', { ...path(created.id), body: {} });
    expect(empty.response.status).toBe(400);
    const bad = await owner.client.PUT('/api/ai-agents/{id}', { ...path(created.id), body: { name: 'Fine', temperature: -1 } });
    expect(bad.response.status).toBe(400);
    expect(Object.keys(bad.error?.details as object)).toEqual(['temperature']);
    expect((await owner.client.GET('/api/ai-agents/{id}', path(created.id))).data).toEqual(created);
  });
});

describe('updates and versions', () => {
  it('changes only the fields sent, one version per change, none for a change that changes nothing', async () => {
    const created = await createAiAgent(owner.client, { name: 'Versioned', firstMessage: 'Hi', tools: [{ type: 'end_call' }] });
    const renamed = await owner.client.PUT('/api/ai-agents/{id}', { ...path(created.id), body: { name: 'Renamed', isActive: false } });
    expect(renamed.data).toMatchObject({ ...created, name: 'Renamed', isActive: false, version: 2, updatedAt: expect.any(String) });
    const same = await owner.client.PUT('/api/ai-agents/{id}', { ...path(created.id), body: { name: 'Renamed', tools: [{ type: 'end_call' }], temperature: 0.7 } });
    expect(same.data?.version).toBe(2);
    const cleared = await owner.client.PUT('/api/ai-agents/{id}', { ...path(created.id), body: { firstMessage: null, voice: null } });
    expect(cleared.data).toMatchObject({ firstMessage: null, voice: null, name: 'Renamed', version: 3 });
    expect(await versionCount(created.id)).toBe(3);

    const list = await owner.client.GET('/api/ai-agents/{id}/versions', path(created.id));
    expect(list.data?.versions.map((v) => [v.version, v.settings.name, v.settings.isActive, v.settings.firstMessage])).toEqual([
      [3, 'Renamed', false, null],
      [2, 'Renamed', false, 'Hi'],
      [1, 'Versioned', true, 'Hi'],
    ]);
    expect(list.data?.pagination).toEqual({ page: 1, limit: 50, total: 3, totalPages: 1 });
    const paged = await owner.client.GET('/api/ai-agents/{id}/versions', { params: { path: { id: created.id }, query: { page: 2, limit: 2 } } });
    expect(paged.data?.versions.map((v) => v.version)).toEqual([1]);
    const v1 = await owner.client.GET('/api/ai-agents/{id}/versions/{version}', { params: { path: { id: created.id, version: '1' } } });
    expect(v1.data?.settings).toMatchObject({ name: 'Versioned', isActive: true, tools: [{ type: 'end_call' }] });
    for (const version of ['4', '0', 'x', '-1', '1.0']) {
      const missing = await owner.client.GET('/api/ai-agents/{id}/versions/{version}', { params: { path: { id: created.id, version } } });
      expect({ version, status: missing.response.status }).toEqual({ version, status: 404 });
    }
  });

  it('keeps versions immutable in the database', async () => {
    const created = await createAiAgent(owner.client, { name: 'Immutable' });
    await expect(t.db.updateTable('ai_agent_versions').set({ settings: '{}' }).where('agent_id', '=', created.id).execute()).rejects.toThrow(/immutable/);
    const v1 = await owner.client.GET('/api/ai-agents/{id}/versions/{version}', { params: { path: { id: created.id, version: '1' } } });
    expect(v1.data?.settings.name).toBe('Immutable');
  });

  it('counts versions right under concurrent updates (no number twice, none lost)', async () => {
    const created = await createAiAgent(owner.client, { name: 'Concurrent' });
    const n = 12;
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) => (i % 2 === 0 ? owner : manager).client.PUT('/api/ai-agents/{id}', { ...path(created.id), body: { systemPrompt: `Prompt ${i}` } })),
    );
    expect(answers.map((a) => a.response.status)).toEqual(Array(n).fill(200));
    expect(answers.map((a) => a.data!.version).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 2));
    const rows = await t.db.selectFrom('ai_agent_versions').select(['version', 'settings']).where('agent_id', '=', created.id).orderBy('version').execute();
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: n + 1 }, (_, i) => i + 1));
    // Each version holds the prompt its own update sent; the agent is at the last one.
    const prompts = rows.slice(1).map((r) => (r.settings as { systemPrompt: string }).systemPrompt);
    expect(new Set(prompts).size).toBe(n);
    const now = await owner.client.GET('/api/ai-agents/{id}', path(created.id));
    expect(now.data?.version).toBe(n + 1);
    expect(now.data?.systemPrompt).toBe(prompts[n - 1]);
  });
});

describe('retry configuration (seed 004 /retry/config/:agentId)', () => {
  it('reads and changes only the outcomes and fields sent, as a new version', async () => {
    const created = await createAiAgent(owner.client, { name: 'Retries' });
    const got = await owner.client.GET('/api/ai-agents/{id}/retry-config', path(created.id));
    expect(got.data).toEqual({ agentId: created.id, version: 1, retryConfig: created.retryConfig });
    const put = await owner.client.PUT('/api/ai-agents/{id}/retry-config', { ...path(created.id), body: { no_answer: { maxAttempts: 5, initialDelay: 600_000 }, failed: null } });
    expect(put.data).toEqual({
      agentId: created.id,
      version: 2,
      retryConfig: {
        no_answer: { maxAttempts: 5, initialDelay: 600_000, backoffMultiplier: 1 },
        busy: { maxAttempts: 3, initialDelay: 3_600_000, backoffMultiplier: 1 },
        failed: null,
        voicemail: null,
      },
    });
    const again = await owner.client.PUT('/api/ai-agents/{id}/retry-config', { ...path(created.id), body: { failed: null } });
    expect(again.data?.version).toBe(2);
    const agent = await owner.client.GET('/api/ai-agents/{id}', path(created.id));
    expect(agent.data?.retryConfig).toEqual(put.data?.retryConfig);
    const v2 = await owner.client.GET('/api/ai-agents/{id}/versions/{version}', { params: { path: { id: created.id, version: '2' } } });
    expect(v2.data?.settings.retryConfig).toEqual(put.data?.retryConfig);
    const bad = await owner.client.PUT('/api/ai-agents/{id}/retry-config', { ...path(created.id), body: { busy: { backoffMultiplier: 0.5 }, voicemail: { initialDelay: -1 } } });
    expect(bad.response.status).toBe(400);
    expect(Object.keys(bad.error?.details as object).sort()).toEqual(['busy.backoffMultiplier', 'voicemail.initialDelay']);
  });
});

describe('delete', () => {
  it('deletes an agent nothing refers to, with its versions', async () => {
    const created = await createAiAgent(owner.client, { name: 'Disposable' });
    expect((await owner.client.DELETE('/api/ai-agents/{id}', path(created.id))).response.status).toBe(204);
    expect(await t.db.selectFrom('ai_agents').select('id').where('id', '=', created.id).executeTakeFirst()).toBeUndefined();
    expect(await versionCount(created.id)).toBe(0);
    expect((await owner.client.GET('/api/ai-agents/{id}', path(created.id))).response.status).toBe(404);
  });

  it('refuses (409, naming why) while scheduled calls or active schedules use it', async () => {
    const created = await createAiAgent(owner.client, { name: 'Busy agent' });
    const call = await t.db
      .insertInto('ai_outbound_calls')
      .values({ org_id: owner.orgId, agent_id: created.id, to_phone: '+14155550177', status: 'queued' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const refused = await owner.client.DELETE('/api/ai-agents/{id}', path(created.id));
    expect(refused.response.status).toBe(409);
    expect(refused.error?.details).toEqual({ id: 'is used by 1 scheduled AI outbound call(s); cancel them first' });
    await t.db.updateTable('ai_outbound_calls').set({ status: 'canceled' }).where('id', '=', call.id).execute();
    await t.db
      .insertInto('ai_schedules')
      .values({ org_id: owner.orgId, agent_id: created.id, to_phone: '+14155550177', pattern: 'daily', time_of_day: '09:00', start_date: '2030-01-01' })
      .execute();
    const stillRefused = await owner.client.DELETE('/api/ai-agents/{id}', path(created.id));
    expect(stillRefused.response.status).toBe(409);
    expect(JSON.stringify(stillRefused.error?.details)).toContain('active recurring schedule');
    expect((await owner.client.GET('/api/ai-agents/{id}', path(created.id))).response.status).toBe(200);
  });

  it('archives an agent that calls refer to: hidden afterwards, versions kept, numbers unassigned', async () => {
    const created = await createAiAgent(owner.client, { name: 'Archived' });
    const number = await buyNumber(owner.client);
    const assigned = await owner.client.PUT('/api/phone-numbers/{id}', { params: { path: { id: String(number.id) } }, body: { aiAgentId: created.id } });
    expect(assigned.data?.aiAgentId).toBe(created.id);
    await t.db.insertInto('calls').values({ org_id: owner.orgId, call_sid: 'CAarchivedagentcall000000000000001', ai_agent_id: created.id, ai_agent_version: 1 }).execute();
    expect((await owner.client.DELETE('/api/ai-agents/{id}', path(created.id))).response.status).toBe(204);
    const row = await t.db.selectFrom('ai_agents').select(['archived_at']).where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.archived_at).toBeInstanceOf(Date);
    expect(await versionCount(created.id)).toBe(1);
    const after = await Promise.all([
      owner.client.GET('/api/ai-agents/{id}', path(created.id)),
      owner.client.PUT('/api/ai-agents/{id}', { ...path(created.id), body: { name: 'Back' } }),
      owner.client.DELETE('/api/ai-agents/{id}', path(created.id)),
      owner.client.GET('/api/ai-agents/{id}/versions', path(created.id)),
      owner.client.GET('/api/ai-agents/{id}/retry-config', path(created.id)),
      owner.client.GET('/api/ai-agents/{id}/numbers', path(created.id)),
    ]);
    expect(after.map((r) => r.response.status)).toEqual([404, 404, 404, 404, 404, 404]);
    expect((await owner.client.GET('/api/ai-agents')).data?.agents.map((a) => a.id)).not.toContain(created.id);
    const numbers = await owner.client.GET('/api/phone-numbers');
    expect(numbers.data?.find((n) => n.id === number.id)).toMatchObject({ aiAgentId: null, status: 'unassigned' });
    // The call keeps naming the agent and version it ran.
    const call = await t.db.selectFrom('calls').select(['ai_agent_id', 'ai_agent_version']).where('call_sid', '=', 'CAarchivedagentcall000000000000001').executeTakeFirstOrThrow();
    expect(call).toEqual({ ai_agent_id: created.id, ai_agent_version: 1 });
  });
});

describe('tenancy', () => {
  it("answers 404 for another organisation's agent on every operation, changing nothing", async () => {
    const theirs = await createAiAgent(other.client, { name: 'Theirs' });
    const before = await snapshotTables(t.db, { api_keys: ['last_used_at'] });
    const attempts = await Promise.all([
      owner.client.GET('/api/ai-agents/{id}', path(theirs.id)),
      owner.client.PUT('/api/ai-agents/{id}', { ...path(theirs.id), body: { name: 'Hijacked' } }),
      owner.client.DELETE('/api/ai-agents/{id}', path(theirs.id)),
      owner.client.GET('/api/ai-agents/{id}/versions', path(theirs.id)),
      owner.client.GET('/api/ai-agents/{id}/versions/{version}', { params: { path: { id: theirs.id, version: '1' } } }),
      owner.client.GET('/api/ai-agents/{id}/retry-config', path(theirs.id)),
      owner.client.PUT('/api/ai-agents/{id}/retry-config', { ...path(theirs.id), body: { busy: null } }),
      owner.client.GET('/api/ai-agents/{id}/numbers', path(theirs.id)),
    ]);
    expect(attempts.map((a) => [a.response.status, (a.error as { code?: string } | undefined)?.code])).toEqual(attempts.map(() => [404, 'RESOURCE_NOT_FOUND']));
    expect(await snapshotTables(t.db, { api_keys: ['last_used_at'] })).toEqual(before);
    expect((await owner.client.GET('/api/ai-agents')).data?.agents.map((a) => a.id)).not.toContain(theirs.id);
  });
});
