// Live events over Socket.IO (issue 19 item 1), with a stock Node socket.io-client: the handshake
// authenticated by API key, events token (never above the key or user that asked for it) or session
// cookie (and refused otherwise), and closed once its caller could no longer connect; a manager sees
// its organisation's events and no other's; an agent only its own offers and calls; seed 002's
// agent:join / agent:status acknowledged; a dialer call on the simulator seen end to end, in
// order; every event received validated against asyncapi.yaml.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, type Member, PASSWORD, registerOrg } from '../helpers/fixtures.js';
import { connected, recordingClient, type RecordingClient } from '../helpers/live-contract.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { daytimeZone } from '../dialer/zones.js';
import { buyerCampaign, callRow, callSid, dialXml, voice } from '../inbound/webhooks/helpers.js';

let t: TestApp;
let owner: Member;
let agentUser: Member;
let apiKey: string;
let groupId: string;
let callerId: string;
let ownAgentId: string;
let otherAgentId: string;
const clients: RecordingClient[] = [];

function client(options: Parameters<typeof recordingClient>[1]): RecordingClient {
  const c = recordingClient(t.url, options);
  clients.push(c);
  return c;
}

async function sessionCookie(email: string): Promise<string> {
  const res = await fetch(`${t.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

async function eventsToken(member: Member): Promise<string> {
  const res = await member.client.POST('/api/events/token');
  expect(res.response.status).toBe(201);
  expect(res.data!.socketPath).toBe('/socket.io/');
  return res.data!.token;
}

beforeAll(async () => {
  t = await startTestApp({ env: { DIALER_INTERVAL_MS: '100', SIMULATOR_SPEEDUP: '200' } });
  owner = await registerOrg(t, 'Live Org');
  agentUser = await addMember(t, owner, 'agent');
  apiKey = (await owner.client.POST('/api/api-keys', { body: { name: 'Live key', role: 'manager' } })).data!.key;
  const found = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 1 } } });
  callerId = (await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: found.data!.numbers[0]!.phoneNumber } })).data!.phoneNumber;
  groupId = (await owner.client.POST('/api/agent-groups', { body: { name: 'Live agents' } })).data!.id;
  ownAgentId = (await owner.client.POST('/api/agents', { body: { name: 'Own agent', phone: '+13125550270', groupId, userId: agentUser.id } })).data!.id;
  otherAgentId = (await owner.client.POST('/api/agents', { body: { name: 'Other agent', phone: '+13125550271', groupId } })).data!.id;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

describe('the handshake', () => {
  it('refuses a connection without valid credentials', async () => {
    for (const options of [{}, { auth: { token: 'not-a-key' } }, { auth: { token: 'ev1.e30.bad' } }, { extraHeaders: { authorization: 'Bearer nope' } }]) {
      const c = client(options);
      await expect(connected(c.socket)).rejects.toThrow('Unauthorized');
    }
  });

  it('accepts an API key (auth.token or Authorization), an events token, and the session cookie', async () => {
    const byKey = client({ auth: { token: apiKey } });
    const byHeader = client({ extraHeaders: { authorization: `Bearer ${apiKey}` } });
    const byToken = client({ auth: { token: await eventsToken(owner) } });
    const byCookie = client({ extraHeaders: { cookie: await sessionCookie(owner.email) } });
    await Promise.all([byKey, byHeader, byToken, byCookie].map((c) => connected(c.socket)));
    // Each is in the organisation's room: a presence change reaches all four.
    await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: otherAgentId } }, body: { status: 'break' } });
    for (const c of [byKey, byHeader, byToken, byCookie]) {
      const event = await c.waitFor((e) => e.name === 'agent:status:updated' && e.payload.agentId === otherAgentId);
      expect(event.payload).toMatchObject({ status: 'break', previousStatus: 'offline', reason: 'user' });
      expect(c.violations).toEqual([]);
    }
  });

  it('an events token expires with the session: after logout everywhere it is refused', async () => {
    const member = await addMember(t, owner, 'manager');
    const token = await eventsToken(member);
    await member.client.POST('/api/logout');
    const c = client({ auth: { token } });
    await expect(connected(c.socket)).rejects.toThrow('Unauthorized');
  });

  it("an events token asked for with an API key acts as that key: an agent key's socket is an agent's, and dies with the key", async () => {
    const created = (await owner.client.POST('/api/api-keys', { body: { name: 'Agent-only key', role: 'agent' } })).data!;
    const keyClient = t.client({ apiKey: created.key });
    const tokenRes = await keyClient.POST('/api/events/token');
    expect(tokenRes.response.status).toBe(201);
    const token = tokenRes.data!.token;
    const byToken = client({ auth: { token } });
    const manager = client({ auth: { token: apiKey } });
    await Promise.all([connected(byToken.socket), connected(manager.socket)]);
    // Not the owner's powers: another agent's status can be neither set nor followed.
    const ack = (event: string, payload: unknown) => byToken.socket.timeout(30_000).emitWithAck(event, payload);
    expect(await ack('agent:status', { agentId: otherAgentId, status: 'break' })).toMatchObject({ ok: false, error: { code: 'RESOURCE_NOT_FOUND' } });
    expect(await ack('agent:join', { agentId: otherAgentId })).toMatchObject({ ok: false, error: { code: 'RESOURCE_NOT_FOUND' } });
    for (const status of ['offline', 'break'] as const) {
      await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: otherAgentId } }, body: { status } });
      await manager.waitFor((e) => e.name === 'agent:status:updated' && e.payload.agentId === otherAgentId && e.payload.status === status);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(byToken.events.filter((e) => e.name === 'agent:status:updated')).toEqual([]);
    // Revoked: the token no longer connects.
    expect((await owner.client.DELETE('/api/api-keys/{id}', { params: { path: { id: created.id } } })).response.status).toBe(204);
    await expect(connected(client({ auth: { token } }).socket)).rejects.toThrow('Unauthorized');
  });
});

describe('rooms', () => {
  it("a manager sees its organisation's lead changes and presence, another organisation nothing of them", async () => {
    const stranger = await registerOrg(t, 'Other Live Org');
    const strangerKey = (await stranger.client.POST('/api/api-keys', { body: { name: 'k', role: 'manager' } })).data!.key;
    const mine = client({ auth: { token: apiKey } });
    const theirs = client({ auth: { token: strangerKey } });
    await Promise.all([connected(mine.socket), connected(theirs.socket)]);
    const lead = (await owner.client.POST('/api/leads', { body: { phone: '+14155550177', name: 'Live Lead' } })).data!;
    await owner.client.PUT('/api/leads/{id}', { params: { path: { id: lead.id } }, body: { stage: 'qualified', notes: 'Hot' } });
    const updated = await mine.waitFor((e) => e.name === 'lead_updated' && e.payload.leadId === lead.id);
    expect(updated.payload).toMatchObject({ changes: { stage: 'qualified', notes: 'Hot' }, updatedBy: owner.id });
    await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: otherAgentId } }, body: { status: 'offline' } });
    await mine.waitFor((e) => e.name === 'agent:status:updated' && e.payload.status === 'offline');
    await new Promise((r) => setTimeout(r, 100));
    expect(theirs.events).toEqual([]);
    expect(mine.violations).toEqual([]);
  });

  it("seed 002's agent:join and agent:status: acknowledged, checked, scoped", { timeout: 120_000 }, async () => {
    const agent = client({ auth: { token: await eventsToken(agentUser) } });
    await connected(agent.socket);
    const ack = (event: string, payload: unknown) => agent.socket.timeout(30_000).emitWithAck(event, payload);
    expect(await ack('agent:join', { agentId: ownAgentId, tenantId: owner.orgId })).toEqual({ ok: true });
    expect(await ack('agent:join', { agentId: otherAgentId })).toMatchObject({ ok: false, error: { code: 'RESOURCE_NOT_FOUND' } });
    expect(await ack('agent:join', { agentId: 'nope' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
    expect(await ack('agent:status', { agentId: ownAgentId, status: 'sleeping' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('status') } });
    expect(await ack('agent:status', { agentId: otherAgentId, status: 'break' })).toMatchObject({ ok: false, error: { code: 'RESOURCE_NOT_FOUND' } });
    expect(await ack('agent:status', { agentId: ownAgentId, status: 'break' })).toEqual({ ok: true });
    const changed = await agent.waitFor((e) => e.name === 'agent:status:updated' && e.payload.agentId === ownAgentId && e.payload.status === 'break');
    expect(changed.payload.reason).toBe('user');
    const row = await t.db.selectFrom('agents').select('status').where('id', '=', ownAgentId).executeTakeFirstOrThrow();
    expect(row.status).toBe('break');
    expect(agent.violations).toEqual([]);
  });
});

describe('connections checked again', () => {
  it('a socket or SSE stream whose caller could no longer connect (logged out everywhere, key revoked) is closed once the change commits', async () => {
    const member = await addMember(t, owner, 'manager');
    const key = (await owner.client.POST('/api/api-keys', { body: { name: 'Recheck key', role: 'manager' } })).data!;
    const bySession = client({ auth: { token: await eventsToken(member) } });
    const byKey = client({ auth: { token: key.key } });
    const steady = client({ auth: { token: apiKey } });
    await Promise.all([bySession, byKey, steady].map((c) => connected(c.socket)));
    const stream = await fetch(`${t.url}/api/events`, { headers: { cookie: await sessionCookie(member.email) } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    // (what earlier tests left: the socket of a key revoked there is closed by this first check)
    await t.app.live.connections.recheck(t.db);
    expect(await t.app.live.connections.recheck(t.db)).toBe(0);

    await member.client.POST('/api/logout');
    expect((await owner.client.DELETE('/api/api-keys/{id}', { params: { path: { id: key.id } } })).response.status).toBe(204);
    // Closed by the check each change asks for (not the periodic one, 30 s away).
    for (let i = 0; i < 150 && (bySession.socket.connected || byKey.socket.connected); i += 1) await new Promise((r) => setTimeout(r, 20));
    expect([bySession.socket.connected, byKey.socket.connected, steady.socket.connected]).toEqual([false, false, true]);
    let done = false;
    while (!done) done = (await reader.read()).done;
    expect(await t.app.live.connections.recheck(t.db)).toBe(0);
  });
});

describe('hostile client messages', () => {
  it('payloads of the wrong types are refused by name, and the server keeps serving', async () => {
    const agent = client({ auth: { token: await eventsToken(agentUser) } });
    await connected(agent.socket);
    const ack = (event: string, payload: unknown) => agent.socket.timeout(30_000).emitWithAck(event, payload);
    for (const payload of [{ agentId: { toString: 1 } }, { agentId: [ownAgentId] }, { agentId: 42 }, null, 'x', [ownAgentId]]) {
      expect(await ack('agent:join', payload)).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('agentId') } });
      expect(await ack('agent:status', payload)).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('agentId') } });
    }
    for (const status of [['available'], { toString: 1 }, 7, null]) {
      expect(await ack('agent:status', { agentId: ownAgentId, status })).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('status') } });
    }
    expect(agent.violations).toEqual([]);
    expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
    expect(await ack('agent:join', { agentId: ownAgentId })).toEqual({ ok: true });
  });
});

describe('a dialer call, live', () => {
  it('the manager sees call_started → presence busy → call_ended; the agent gets only its own incoming:call and call:ended', async () => {
    const manager = client({ auth: { token: apiKey } });
    const agent = client({ auth: { token: await eventsToken(agentUser) } });
    await Promise.all([connected(manager.socket), connected(agent.socket)]);
    for (const id of [ownAgentId, otherAgentId]) await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id } }, body: { status: 'available' } });
    const zone = daytimeZone();
    const campaign = (await owner.client.POST('/api/campaigns', { body: { name: 'Live dial', direction: 'outbound', callerId, agentGroupId: groupId, timeZone: zone } })).data!;
    for (const phone of ['+14155550261', '+14155550262']) {
      await owner.client.POST('/api/leads', { body: { phone, campaignId: campaign.id, firstName: 'Lee', lastName: `Caller ${phone.slice(-2)}`, notes: 'From the live test', timeZone: zone } });
    }
    await owner.client.POST('/api/campaigns/{id}/start', { params: { path: { id: campaign.id } } });

    const offer = await agent.waitFor((e) => e.name === 'incoming:call', 20_000);
    expect(offer.payload).toMatchObject({ agentId: ownAgentId, campaignId: campaign.id, firstName: 'Lee', notes: 'From the live test' });
    expect(String(offer.payload.conferenceName)).toMatch(/^cc-outbound-\d+$/);
    const callId = offer.payload.callId as number;
    const agentEnd = await agent.waitFor((e) => e.name === 'call:ended' && e.payload.callId === callId, 20_000);
    expect(agentEnd.payload).toMatchObject({ agentId: ownAgentId, disposition: 'answered' });
    expect(agentEnd.payload.talkTimeSec as number).toBeGreaterThan(0);

    // The manager's view of that call, in order.
    const ended = await manager.waitFor((e) => e.name === 'call_ended' && e.payload.callId === callId, 20_000);
    expect(ended.payload).toMatchObject({ direction: 'outbound', agentId: ownAgentId, outcome: 'answered' });
    const names = manager.events.filter((e) => e.payload.callId === callId || (e.name === 'agent:status:updated' && e.payload.agentId === ownAgentId)).map((e) => e.name);
    expect(names.indexOf('call_started')).toBeGreaterThanOrEqual(0);
    expect(names.indexOf('call_started')).toBeLessThan(names.indexOf('call_ended'));
    const busy = manager.events.findIndex((e) => e.name === 'agent:status:updated' && e.payload.agentId === ownAgentId && e.payload.status === 'busy');
    expect(busy).toBeGreaterThanOrEqual(0);
    expect(busy).toBeLessThan(manager.events.findIndex((e) => e.name === 'call_ended' && e.payload.callId === callId));
    await manager.waitFor((e) => e.name === 'lead_updated' && (e.payload.changes as Record<string, unknown>).dialStatus === 'completed');
    // Offers of the other agent never reach this agent; the manager (org room) is no agent room.
    await manager.waitFor((e) => e.name === 'call_ended' && e.payload.agentId === otherAgentId, 20_000);
    expect(agent.events.filter((e) => e.name === 'incoming:call').every((e) => e.payload.agentId === ownAgentId)).toBe(true);
    expect(agent.events.filter((e) => 'agentId' in e.payload && e.payload.agentId !== null).every((e) => e.payload.agentId === ownAgentId)).toBe(true);
    expect(manager.events.some((e) => e.name === 'incoming:call')).toBe(false);
    // Today's figures follow the ends of calls (seed 003's analytics_update), debounced.
    const figure = await manager.waitFor((e) => e.name === 'analytics_update' && e.payload.metric === 'callsToday' && (e.payload.value as number) >= 1, 5000);
    expect(figure.payload.period).toBe('today');
    expect([...manager.violations, ...agent.violations]).toEqual([]);
    // Events carry increasing ids on one instance.
    const ids = manager.events.map((e) => String(e.payload.eventId));
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('an inbound call, live', () => {
  it('a call routed to a buyer with limits (the one-round-trip path) is told as call_started with its id', async () => {
    const manager = client({ auth: { token: apiKey } });
    await connected(manager.socket);
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550171', maxConcurrentCalls: 2, dailyCap: 100 }]);
    const sid = callSid();
    const answer = await voice(t, sid, campaign.phoneNumber!);
    expect(answer.text).toBe(dialXml(t, '+13125550171', 1));
    const call = await callRow(t, sid);
    const started = await manager.waitFor((e) => e.name === 'call_started' && e.payload.callId === call.id);
    expect(started.payload).toMatchObject({ direction: 'inbound', campaignId: campaign.id, agentId: null, leadId: null });
    expect(manager.violations).toEqual([]);
  });
});
