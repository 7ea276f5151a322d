import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '../../../client/index.js';
import { type Client, type Member, addMember, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

type FlowDefinition = components['schemas']['FlowDefinition'];
type CallFlow = components['schemas']['CallFlow'];
type CallFlowCreate = components['schemas']['CallFlowCreate'];
type Json = Record<string, unknown>;

let t: TestApp;
let owner: Member;
let other: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Flow Org');
  other = await registerOrg(t, 'Other Flow Org');
});
afterAll(async () => t.close());

/** The generated FlowNode types `config` as an empty record; flows here are plain JSON. */
const def = (value: Json): FlowDefinition => value as unknown as FlowDefinition;

// Seed 000's "List Call Flows" flow: the options point at nodes that are never defined.
const seed000Flow = (): Json => ({
  startNodeId: 'menu_1',
  nodes: [
    {
      id: 'menu_1',
      type: 'Menu',
      name: 'Main Menu',
      config: {
        message: 'Press 1 for sales, 2 for support',
        options: [
          { digit: '1', action: 'route_sales' },
          { digit: '2', action: 'route_support' },
        ],
      },
    },
  ],
});

// The same menu, completed (seed 000's `action` alias kept on the first option).
const completeFlow = (): Json => ({
  startNodeId: 'menu_1',
  nodes: [
    {
      id: 'menu_1',
      type: 'Menu',
      name: 'Main Menu',
      config: {
        message: 'Press 1 for sales, 2 for support',
        options: [
          { digit: '1', action: 'route_sales' },
          { digit: '2', next: 'voicemail' },
        ],
      },
    },
    { id: 'route_sales', type: 'Route', config: { target: 'buyers', next: 'voicemail' } },
    { id: 'voicemail', type: 'Voicemail', config: { message: 'Please leave a message.' } },
  ],
});

// What validateFlow makes of completeFlow(): `action` becomes `next`.
const completeFlowNormalised = (): Json => ({
  startNodeId: 'menu_1',
  nodes: [
    {
      id: 'menu_1',
      type: 'Menu',
      name: 'Main Menu',
      config: {
        message: 'Press 1 for sales, 2 for support',
        options: [
          { digit: '1', next: 'route_sales' },
          { digit: '2', next: 'voicemail' },
        ],
      },
    },
    { id: 'route_sales', type: 'Route', config: { target: 'buyers', next: 'voicemail' } },
    { id: 'voicemail', type: 'Voicemail', config: { message: 'Please leave a message.' } },
  ],
});

const SEED_000_ACTIVATION_DETAILS = {
  'flowDefinition.nodes[0].config.options[0].action': 'refers to an unknown node: route_sales',
  'flowDefinition.nodes[0].config.options[1].action': 'refers to an unknown node: route_support',
};

async function createFlow(client: Client, body: Omit<CallFlowCreate, 'flowDefinition'> & { flowDefinition: Json }): Promise<CallFlow> {
  const { data, response } = await client.POST('/api/call-flows', { body: { ...body, flowDefinition: def(body.flowDefinition) } });
  if (response.status !== 201 || !data) throw new Error(`createCallFlow failed: ${response.status}`);
  return data;
}

function putFlow(client: Client, id: number | string, body: Json) {
  return client.PUT('/api/call-flows/{id}', { params: { path: { id: String(id) } }, body: body as never });
}

/** Every call_flows row (all organisations), to prove a failed request changed nothing. */
function allRows() {
  return t.db.selectFrom('call_flows').selectAll().orderBy('id').execute();
}

async function unchanged<T>(request: () => Promise<T>): Promise<T> {
  const before = await allRows();
  const result = await request();
  expect(await allRows()).toEqual(before);
  return result;
}

describe('call flows: drafts may be incomplete', () => {
  it('creates seed 000 draft with no nodes (201), as sent', async () => {
    const body = { name: 'New Call Flow', description: 'Description', status: 'draft' as const, flowDefinition: { startNodeId: 'menu_1', nodes: [] } };
    const { data, response } = await owner.client.POST('/api/call-flows', { body: { ...body, flowDefinition: def(body.flowDefinition) } });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({
      name: 'New Call Flow',
      description: 'Description',
      status: 'draft',
      isActive: false,
      campaignId: null,
      flowDefinition: { startNodeId: 'menu_1', nodes: [] },
    });
    expect(data?.id).toEqual(expect.any(Number));
    const got = await owner.client.GET('/api/call-flows/{id}', { params: { path: { id: String(data!.id) } } });
    expect(got.data).toEqual(data);
    const list = await owner.client.GET('/api/call-flows');
    expect(list.data).toContainEqual(data);
    const row = await t.db.selectFrom('call_flows').selectAll().where('id', '=', data!.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ org_id: owner.orgId, status: 'draft', flow_definition: { startNodeId: 'menu_1', nodes: [] } });
  });

  it('defaults status to draft and description to null', async () => {
    const flow = await createFlow(owner.client, { name: 'Defaults', flowDefinition: { startNodeId: null, nodes: [] } });
    expect(flow).toMatchObject({ status: 'draft', isActive: false, description: null, flowDefinition: { startNodeId: null, nodes: [] } });
  });

  it("saves seed 000's flow (options pointing at missing nodes) as a draft, as sent, and refuses to activate it", async () => {
    const flow = await createFlow(owner.client, { name: 'Seed 000', status: 'draft', flowDefinition: seed000Flow() });
    expect(flow.flowDefinition).toEqual(seed000Flow());
    const { error, response } = await unchanged(() => putFlow(owner.client, flow.id, { status: 'active' }));
    expect(response.status).toBe(400);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: SEED_000_ACTIVATION_DETAILS });
    expect(Object.keys(error?.details as Json).sort()).toEqual(Object.keys(SEED_000_ACTIVATION_DETAILS).sort());
  });

  it('refuses to activate seed 001 (no nodes) or a flow without a start node, naming startNodeId', async () => {
    const empty = await createFlow(owner.client, { name: 'Seed 001', flowDefinition: { startNodeId: 'menu_1', nodes: [] } });
    const first = await unchanged(() => putFlow(owner.client, empty.id, { status: 'active' }));
    expect(first.response.status).toBe(400);
    expect(first.error?.details).toEqual({ 'flowDefinition.startNodeId': 'refers to an unknown node: menu_1' });

    const noStart = await createFlow(owner.client, { name: 'No start', flowDefinition: { ...completeFlow(), startNodeId: null } });
    const second = await unchanged(() => putFlow(owner.client, noStart.id, { status: 'active' }));
    expect(second.response.status).toBe(400);
    expect(second.error?.details).toEqual({ 'flowDefinition.startNodeId': 'is required' });
  });

  it('still checks the shape of a draft (400 naming the node field)', async () => {
    const { error, response } = await unchanged(() =>
      owner.client.POST('/api/call-flows', {
        body: {
          name: 'Bad draft',
          flowDefinition: def({ startNodeId: 'a', nodes: [{ id: 'a', type: 'Script' }, { id: 'bad id', type: 'Say' }] }),
        },
      }),
    );
    expect(response.status).toBe(400);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(error?.details).toEqual({
      'flowDefinition.nodes[0].type': 'must be one of: Say, Play, Menu, BusinessHours, Route, Voicemail, Hangup',
      'flowDefinition.nodes[1].id': expect.stringMatching(/^must be 1-64 characters/),
    });
  });

  it('refuses a definition outside the contract (no nodes key, unknown key) before any check', async () => {
    for (const flowDefinition of [{ startNodeId: 'a' }, { startNodeId: 'a', nodes: [], extra: 1 }]) {
      const { error, response } = await unchanged(() => owner.client.POST('/api/call-flows', { body: { name: 'X', flowDefinition: def(flowDefinition) } }));
      expect(response.status).toBe(400);
      expect(error?.code).toBe('VALIDATION_ERROR');
    }
  });
});

describe('call flows: active flows are complete', () => {
  it('creates a complete flow as active and stores it normalised (action -> next)', async () => {
    const flow = await createFlow(owner.client, { name: 'Main IVR Flow', status: 'active', flowDefinition: completeFlow() });
    expect(flow).toMatchObject({ status: 'active', isActive: true, campaignId: null });
    expect(flow.flowDefinition).toEqual(completeFlowNormalised());
    const row = await t.db.selectFrom('call_flows').select('flow_definition').where('id', '=', flow.id).executeTakeFirstOrThrow();
    expect(row.flow_definition).toEqual(completeFlowNormalised());
  });

  it('refuses to create an incomplete active flow, keyed by flowDefinition paths', async () => {
    const { error, response } = await unchanged(() =>
      owner.client.POST('/api/call-flows', { body: { name: 'Incomplete', status: 'active', flowDefinition: def(seed000Flow()) } }),
    );
    expect(response.status).toBe(400);
    expect(error?.details).toEqual(SEED_000_ACTIVATION_DETAILS);
  });

  it('activates a completed draft; later edits of an active flow are checked as a whole', async () => {
    const flow = await createFlow(owner.client, { name: 'To complete', flowDefinition: seed000Flow() });
    const completed = await putFlow(owner.client, flow.id, { flowDefinition: completeFlow() });
    expect(completed.response.status).toBe(200);
    expect(completed.data).toMatchObject({ status: 'draft', isActive: false, flowDefinition: completeFlow() });

    const active = await putFlow(owner.client, flow.id, { status: 'active' });
    expect(active.response.status).toBe(200);
    expect(active.data).toMatchObject({ status: 'active', isActive: true, name: 'To complete', flowDefinition: completeFlowNormalised() });
    expect(Date.parse(active.data!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(flow.updatedAt));

    const renamed = await putFlow(owner.client, flow.id, { name: 'Renamed', description: 'Now live' });
    expect(renamed.data).toMatchObject({ name: 'Renamed', description: 'Now live', status: 'active', flowDefinition: completeFlowNormalised() });

    const dangling = completeFlow();
    ((dangling.nodes as Json[])[0]!.config as { options: Json[] }).options[1]!.next = 'nowhere';
    const broken = await unchanged(() => putFlow(owner.client, flow.id, { flowDefinition: dangling }));
    expect(broken.response.status).toBe(400);
    expect(broken.error?.details).toEqual({ 'flowDefinition.nodes[0].config.options[1].next': 'refers to an unknown node: nowhere' });

    const cyclic = {
      startNodeId: 'a',
      nodes: [
        { id: 'a', type: 'Say', config: { message: 'a', next: 'b' } },
        { id: 'b', type: 'Say', config: { message: 'b', next: 'a' } },
      ],
    };
    const cycle = await unchanged(() => putFlow(owner.client, flow.id, { flowDefinition: cyclic }));
    expect(cycle.response.status).toBe(400);
    expect(cycle.error?.details).toEqual({ 'flowDefinition.nodes[1].config.next': 'forms a cycle without caller input: a -> b -> a' });

    // Back to draft: an incomplete definition may be saved again.
    const draft = await putFlow(owner.client, flow.id, { status: 'draft', flowDefinition: seed000Flow() });
    expect(draft.response.status).toBe(200);
    expect(draft.data).toMatchObject({ status: 'draft', isActive: false, flowDefinition: seed000Flow() });
  });

  it("refuses to activate a Route to one of the organisation's own tracking numbers (each call would dial itself again), naming the node's number", async () => {
    const offered = await owner.client.GET('/api/phone-numbers/search', { params: { query: { areaCode: '415' } } });
    const bought = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: offered.data!.numbers[0]!.phoneNumber } });
    const campaign = await createCampaign(owner.client, { name: 'Self-dialling', phoneNumber: bought.data!.phoneNumber });
    const routeTo = (number: string): Json => ({
      startNodeId: 'route',
      nodes: [{ id: 'route', type: 'Route', config: { target: 'number', number } }],
    });
    const active = await owner.client.POST('/api/call-flows', { body: { name: 'Loop', status: 'active', flowDefinition: def(routeTo(campaign.phoneNumber!)) } });
    expect(active.response.status).toBe(400);
    expect(active.error?.details).toEqual({ 'flowDefinition.nodes[0].config.number': expect.stringContaining('tracking number') });
    const draft = await owner.client.POST('/api/call-flows', { body: { name: 'Loop draft', flowDefinition: def(routeTo(campaign.phoneNumber!)) } });
    expect(draft.response.status).toBe(201);
    const activate = await owner.client.PUT('/api/call-flows/{id}', { params: { path: { id: String(draft.data!.id) } }, body: { status: 'active' } });
    expect(activate.response.status).toBe(400);
    expect(activate.error?.details).toEqual({ 'flowDefinition.nodes[0].config.number': expect.stringContaining('tracking number') });
    const elsewhere = await owner.client.POST('/api/call-flows', { body: { name: 'Fine', status: 'active', flowDefinition: def(routeTo('+12125550188')) } });
    expect(elsewhere.response.status).toBe(201);
  });

  it('answers 400 for an empty update and 404 for unknown or malformed ids', async () => {
    const flow = await createFlow(owner.client, { name: 'Empty update', flowDefinition: { startNodeId: null, nodes: [] } });
    const empty = await unchanged(() => putFlow(owner.client, flow.id, {}));
    expect(empty.response.status).toBe(400);
    for (const id of ['invalid-id', '0', '2147483648', '999999', '1.5', "1' OR '1'='1", '00000000-0000-4000-8000-000000000000']) {
      const get = await owner.client.GET('/api/call-flows/{id}', { params: { path: { id } } });
      expect(get.response.status).toBe(404);
      expect(get.error?.code).toBe('RESOURCE_NOT_FOUND');
      const put = await unchanged(() => putFlow(owner.client, id, { name: 'Nope' }));
      expect(put.response.status).toBe(404);
      const del = await unchanged(() => owner.client.DELETE('/api/call-flows/{id}', { params: { path: { id } } }));
      expect(del.response.status).toBe(404);
    }
  });
});

describe('call flows: campaigns', () => {
  it('saves a draft naming a campaign incomplete (seed 000), never runs it, and validates it when it is made active', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Assigned' });
    const draft = await createFlow(owner.client, { name: 'Incomplete draft', flowDefinition: seed000Flow() });
    const assign = await putFlow(owner.client, draft.id, { campaignId: campaign.id });
    expect(assign.response.status).toBe(200);
    expect(assign.data).toMatchObject({ campaignId: campaign.id, status: 'draft', isActive: false, flowDefinition: seed000Flow() });

    // Seed 000's request as written: a draft with a campaign, a start node that does not exist yet.
    const created = await owner.client.POST('/api/call-flows', {
      body: { name: 'New Call Flow', description: 'Description', campaignId: campaign.id, status: 'draft', flowDefinition: def({ startNodeId: 'menu_1', nodes: [] }) },
    });
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({ campaignId: campaign.id, status: 'draft', isActive: false, flowDefinition: { startNodeId: 'menu_1', nodes: [] } });

    // Made active: validated as a whole, 400 naming the problem, nothing changed.
    const activate = await unchanged(() => putFlow(owner.client, created.data!.id, { status: 'active' }));
    expect(activate.response.status).toBe(400);
    expect(activate.error?.details).toEqual({ 'flowDefinition.startNodeId': 'refers to an unknown node: menu_1' });
    const activateOther = await unchanged(() => putFlow(owner.client, draft.id, { status: 'active' }));
    expect(activateOther.response.status).toBe(400);
    expect(activateOther.error?.details).toEqual(SEED_000_ACTIVATION_DETAILS);

    // Completed, it may be made active (and is then stored normalised).
    const completed = await putFlow(owner.client, created.data!.id, { status: 'active', flowDefinition: completeFlow() });
    expect(completed.response.status).toBe(200);
    expect(completed.data).toMatchObject({ campaignId: campaign.id, status: 'active', isActive: true, flowDefinition: completeFlowNormalised() });
    const unassigned = await putFlow(owner.client, draft.id, { campaignId: null, flowDefinition: seed000Flow() });
    expect(unassigned.response.status).toBe(200);
    expect(unassigned.data).toMatchObject({ campaignId: null, flowDefinition: seed000Flow() });
  });

  it('answers 409 naming campaignId for a second active flow on a campaign; deactivate then activate another', async () => {
    const campaign = await createCampaign(owner.client, { name: 'One active flow' });
    const first = await createFlow(owner.client, { name: 'First', status: 'active', campaignId: campaign.id, flowDefinition: completeFlow() });
    expect(first).toMatchObject({ campaignId: campaign.id, isActive: true });

    const second = await unchanged(() =>
      owner.client.POST('/api/call-flows', { body: { name: 'Second', status: 'active', campaignId: campaign.id, flowDefinition: def(completeFlow()) } }),
    );
    expect(second.response.status).toBe(409);
    expect(second.error).toMatchObject({ code: 'CONFLICT', details: { campaignId: expect.stringContaining(campaign.id) } });

    // Several drafts (and inactive flows) may name the campaign; only one may be active.
    const other = await createFlow(owner.client, { name: 'Other', campaignId: campaign.id, flowDefinition: completeFlow() });
    const activate = await unchanged(() => putFlow(owner.client, other.id, { status: 'active' }));
    expect(activate.response.status).toBe(409);
    expect(activate.error?.details).toEqual({ campaignId: expect.stringContaining(campaign.id) });

    const off = await putFlow(owner.client, first.id, { status: 'inactive' });
    expect(off.response.status).toBe(200);
    expect(off.data).toMatchObject({ status: 'inactive', isActive: false, campaignId: campaign.id });
    const on = await putFlow(owner.client, other.id, { status: 'active' });
    expect(on.response.status).toBe(200);
    expect(on.data).toMatchObject({ status: 'active', isActive: true, campaignId: campaign.id });

    // Moving the active flow to the same campaign as another active one is a conflict too.
    const elsewhere = await createFlow(owner.client, { name: 'Elsewhere', status: 'active', flowDefinition: completeFlow() });
    const move = await unchanged(() => putFlow(owner.client, elsewhere.id, { campaignId: campaign.id }));
    expect(move.response.status).toBe(409);
  });

  it('lets exactly one of two concurrent creates become the active flow of a campaign', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Race create' });
    const results = await Promise.all(
      ['A', 'B', 'C'].map((name) =>
        owner.client.POST('/api/call-flows', { body: { name, status: 'active', campaignId: campaign.id, flowDefinition: def(completeFlow()) } }),
      ),
    );
    const statuses = results.map((r) => r.response.status).sort();
    expect(statuses).toEqual([201, 409, 409]);
    for (const r of results.filter((x) => x.response.status === 409)) {
      expect(r.error).toMatchObject({ code: 'CONFLICT', details: { campaignId: expect.stringContaining(campaign.id) } });
    }
    const active = await t.db.selectFrom('call_flows').select('id').where('campaign_id', '=', campaign.id).where('status', '=', 'active').execute();
    expect(active).toHaveLength(1);
  });

  it('lets exactly one of two concurrent activations succeed', async () => {
    const campaign = await createCampaign(owner.client, { name: 'Race update' });
    const drafts = await Promise.all(
      ['A', 'B'].map((name) => createFlow(owner.client, { name, campaignId: campaign.id, flowDefinition: completeFlow() })),
    );
    const results = await Promise.all(drafts.map((d) => putFlow(owner.client, d.id, { status: 'active' })));
    expect(results.map((r) => r.response.status).sort()).toEqual([200, 409]);
    const conflict = results.find((r) => r.response.status === 409);
    expect(conflict?.error).toMatchObject({ code: 'CONFLICT', details: { campaignId: expect.stringContaining(campaign.id) } });
    const active = await t.db.selectFrom('call_flows').select('id').where('campaign_id', '=', campaign.id).where('status', '=', 'active').execute();
    expect(active).toHaveLength(1);
  });

  it("answers 404 for another organisation's campaign or an unknown one, changing nothing", async () => {
    const foreign = await createCampaign(other.client, { name: 'Foreign' });
    const flow = await createFlow(owner.client, { name: 'Mine', flowDefinition: completeFlow() });
    for (const campaignId of [foreign.id, '00000000-0000-4000-8000-000000000000']) {
      const post = await unchanged(() =>
        owner.client.POST('/api/call-flows', { body: { name: 'Steal', campaignId, flowDefinition: def(completeFlow()) } }),
      );
      expect(post.response.status).toBe(404);
      expect(post.error?.code).toBe('RESOURCE_NOT_FOUND');
      const put = await unchanged(() => putFlow(owner.client, flow.id, { campaignId, status: 'active' }));
      expect(put.response.status).toBe(404);
      expect(put.error?.code).toBe('RESOURCE_NOT_FOUND');
    }
    // The campaign is checked before the definition: a foreign campaign with an incomplete draft is 404 too.
    const incomplete = await unchanged(() =>
      owner.client.POST('/api/call-flows', { body: { name: 'Sneaky', campaignId: foreign.id, flowDefinition: def({ startNodeId: null, nodes: [] }) } }),
    );
    expect(incomplete.response.status).toBe(404);
    const draft = await createFlow(owner.client, { name: 'Sneaky draft', flowDefinition: seed000Flow() });
    const assign = await unchanged(() => putFlow(owner.client, draft.id, { campaignId: foreign.id }));
    expect(assign.response.status).toBe(404);
    const malformed = await unchanged(() =>
      owner.client.POST('/api/call-flows', { body: { name: 'Bad', campaignId: 'not-a-uuid', flowDefinition: def(completeFlow()) } }),
    );
    expect(malformed.response.status).toBe(400);
    expect(malformed.error?.details).toMatchObject({ campaignId: expect.any(String) });
  });

  it("keeps the flow when its campaign is deleted (campaignId becomes null)", async () => {
    const campaign = await createCampaign(owner.client, { name: 'Short-lived' });
    const flow = await createFlow(owner.client, { name: 'Survivor', status: 'active', campaignId: campaign.id, flowDefinition: completeFlow() });
    expect((await owner.client.DELETE('/api/campaigns/{id}', { params: { path: { id: campaign.id } } })).response.status).toBe(204);
    const got = await owner.client.GET('/api/call-flows/{id}', { params: { path: { id: String(flow.id) } } });
    expect(got.data).toMatchObject({ id: flow.id, campaignId: null, status: 'active' });
  });
});

describe('call flows: tenancy, roles, mass assignment', () => {
  it("treats another organisation's flow as absent (404) and leaves it untouched", async () => {
    const theirs = await createFlow(other.client, { name: 'Theirs', flowDefinition: completeFlow() });
    const id = String(theirs.id);
    const get = await owner.client.GET('/api/call-flows/{id}', { params: { path: { id } } });
    expect(get.response.status).toBe(404);
    const put = await unchanged(() => putFlow(owner.client, id, { name: 'Hijacked', status: 'inactive' }));
    expect(put.response.status).toBe(404);
    const del = await unchanged(() => owner.client.DELETE('/api/call-flows/{id}', { params: { path: { id } } }));
    expect(del.response.status).toBe(404);
    const list = await owner.client.GET('/api/call-flows');
    expect(list.data?.some((f) => f.id === theirs.id)).toBe(false);
    const still = await other.client.GET('/api/call-flows/{id}', { params: { path: { id } } });
    expect(still.data).toEqual(theirs);
  });

  it('answers 401 without a session', async () => {
    const { error, response } = await t.client().GET('/api/call-flows');
    expect(response.status).toBe(401);
    expect(error?.code).toBe('UNAUTHORIZED');
  });

  it('applies the role matrix: agents read, managers write, admins delete', async () => {
    const flow = await createFlow(owner.client, { name: 'Roles', flowDefinition: { startNodeId: null, nodes: [] } });
    const id = String(flow.id);
    const agent = await addMember(t, owner, 'agent');
    const manager = await addMember(t, owner, 'manager');
    const admin = await addMember(t, owner, 'admin');

    expect((await agent.client.GET('/api/call-flows')).response.status).toBe(200);
    expect((await agent.client.GET('/api/call-flows/{id}', { params: { path: { id } } })).data).toEqual(flow);
    const agentCreate = await unchanged(() =>
      agent.client.POST('/api/call-flows', { body: { name: 'Nope', flowDefinition: def({ startNodeId: null, nodes: [] }) } }),
    );
    expect(agentCreate.response.status).toBe(403);
    expect(agentCreate.error?.code).toBe('FORBIDDEN');
    expect((await unchanged(() => putFlow(agent.client, id, { name: 'Nope' }))).response.status).toBe(403);
    expect((await unchanged(() => agent.client.DELETE('/api/call-flows/{id}', { params: { path: { id } } }))).response.status).toBe(403);

    const created = await manager.client.POST('/api/call-flows', { body: { name: 'By manager', flowDefinition: def({ startNodeId: null, nodes: [] }) } });
    expect(created.response.status).toBe(201);
    const updated = await putFlow(manager.client, id, { name: 'Managed' });
    expect(updated.response.status).toBe(200);
    expect(updated.data?.name).toBe('Managed');
    const managerDelete = await unchanged(() => manager.client.DELETE('/api/call-flows/{id}', { params: { path: { id } } }));
    expect(managerDelete.response.status).toBe(403);

    const del = await admin.client.DELETE('/api/call-flows/{id}', { params: { path: { id } } });
    expect(del.response.status).toBe(204);
    expect((await owner.client.GET('/api/call-flows/{id}', { params: { path: { id } } })).response.status).toBe(404);
    expect((await admin.client.DELETE('/api/call-flows/{id}', { params: { path: { id } } })).response.status).toBe(404);
  });

  it('refuses mass assignment of id, orgId, isActive and timestamps, changing nothing', async () => {
    const flow = await createFlow(owner.client, { name: 'Guarded', flowDefinition: completeFlow() });
    for (const extra of [{ id: 999 }, { orgId: other.orgId }, { isActive: true }, { createdAt: '2020-01-01T00:00:00Z' }, { updatedAt: '2020-01-01T00:00:00Z' }]) {
      const field = Object.keys(extra)[0]!;
      const put = await unchanged(() => putFlow(owner.client, flow.id, { name: 'Hijacked', ...extra }));
      expect(put.response.status).toBe(400);
      expect(put.error?.details).toMatchObject({ [field]: 'is not allowed' });
      const post = await unchanged(() =>
        owner.client.POST('/api/call-flows', { body: { name: 'Injected', flowDefinition: def({ startNodeId: null, nodes: [] }), ...extra } as never }),
      );
      expect(post.response.status).toBe(400);
      expect(post.error?.details).toMatchObject({ [field]: 'is not allowed' });
    }
    const after = await owner.client.GET('/api/call-flows/{id}', { params: { path: { id: String(flow.id) } } });
    expect(after.data).toEqual(flow);
  });

  it('does not coerce types in bodies', async () => {
    const flow = await createFlow(owner.client, { name: 'Typed', flowDefinition: completeFlow() });
    const put = await unchanged(() => putFlow(owner.client, flow.id, { name: 5, status: 'enabled' }));
    expect(put.response.status).toBe(400);
    expect(put.error?.details).toMatchObject({ name: expect.any(String), status: expect.any(String) });
  });
});
