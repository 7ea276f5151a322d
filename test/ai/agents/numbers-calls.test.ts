// Numbers answered by an AI agent (issue 20 item 1, seed 004 /phones): assignment through
// PUT /api/phone-numbers/{id}, never with a campaign; a signed Twilio voice webhook to such a
// number is recorded with the agent and its version and answered with ConversationRelay; an
// inactive agent gets a polite message. Exotel's incoming webhook (item 6): the organisation's
// secret, idempotent by CallSid, recorded against the number's agent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables } from '../../helpers/db-snapshot.js';
import { type Member, createCampaign, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { postWebhook, XML_HEAD } from '../../helpers/twilio-webhook.js';
import { callSid } from '../../inbound/webhooks/helpers.js';
import { AI_AGENT_UNAVAILABLE_MESSAGE } from '../../../server/inbound/webhooks/twiml.js';
import { numberCandidates } from '../../../server/ai/agents/exotel.js';
import { buyNumber, createAiAgent, path } from './helpers.js';

let t: TestApp;
let owner: Member;
let other: Member;

beforeAll(async () => {
  t = await startTestApp({ env: { PUBLIC_BASE_URL: 'https://calls.example.com' } });
  owner = await registerOrg(t, 'AI Numbers Org');
  other = await registerOrg(t, 'Other Numbers Org');
});
afterAll(async () => t.close());

const numberPath = (id: number) => ({ params: { path: { id: String(id) } } });
const snapshot = () => snapshotTables(t.db, { api_keys: ['last_used_at'] });

describe('assigning numbers to agents', () => {
  it('shows aiAgentId, assigns, lists per agent, unassigns with null', async () => {
    const agent = await createAiAgent(owner.client, { name: 'Front desk' });
    const number = await buyNumber(owner.client);
    expect(number).toMatchObject({ aiAgentId: null, status: 'unassigned' });
    const assigned = await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(number.id), body: { aiAgentId: agent.id.toUpperCase() } });
    expect(assigned.data).toMatchObject({ id: number.id, aiAgentId: agent.id, campaignId: null, status: 'ai_agent', isActive: true });
    const listed = await owner.client.GET('/api/ai-agents/{id}/numbers', path(agent.id));
    expect(listed.data).toEqual([{ id: number.id, phoneNumber: number.phoneNumber, friendlyName: number.friendlyName, aiAgentId: agent.id, isActive: true }]);
    const off = await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(number.id), body: { isActive: false } });
    expect(off.data).toMatchObject({ aiAgentId: agent.id, isActive: false });
    const unassigned = await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(number.id), body: { aiAgentId: null, isActive: true } });
    expect(unassigned.data).toMatchObject({ aiAgentId: null, status: 'unassigned', isActive: true });
    expect((await owner.client.GET('/api/ai-agents/{id}/numbers', path(agent.id))).data).toEqual([]);
  });

  it("refuses an agent on a number that a campaign uses as its phoneNumber (409 naming aiAgentId), changing nothing", async () => {
    const agent = await createAiAgent(owner.client, { name: 'Would take its calls' });
    const number = await buyNumber(owner.client);
    const campaign = await createCampaign(owner.client, { name: 'Owns the agent line', phoneNumber: number.phoneNumber });
    const before = await snapshot();
    const assigned = await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(number.id), body: { aiAgentId: agent.id } });
    expect(assigned.response.status).toBe(409);
    expect(Object.keys(assigned.error?.details as object)).toEqual(['aiAgentId']);
    expect((assigned.error?.details as Record<string, string>).aiAgentId).toContain(campaign.id);
    expect(await snapshot()).toEqual(before);
    // Turning it off and on stays possible.
    const off = await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(number.id), body: { isActive: false } });
    expect(off.data).toMatchObject({ isActive: false, aiAgentId: null });
  });

  it('refuses an agent on a number with a campaign, and a campaign on a number with an agent (409 naming the field)', async () => {
    const agent = await createAiAgent(owner.client, { name: 'Exclusive' });
    const campaign = await createCampaign(owner.client, { name: 'Numbers campaign' });
    const number = await buyNumber(owner.client);
    await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', { ...numberPath(number.id), body: { campaignId: campaign.id } });
    const before = await snapshot();
    const withCampaign = await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(number.id), body: { aiAgentId: agent.id } });
    expect(withCampaign.response.status).toBe(409);
    expect(Object.keys(withCampaign.error?.details as object)).toEqual(['aiAgentId']);
    expect(await snapshot()).toEqual(before);

    const agentNumber = await buyNumber(owner.client);
    await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(agentNumber.id), body: { aiAgentId: agent.id } });
    const campaignOnAgent = await owner.client.POST('/api/phone-numbers/{id}/assign-campaign', { ...numberPath(agentNumber.id), body: { campaignId: campaign.id } });
    expect(campaignOnAgent.response.status).toBe(409);
    expect(JSON.stringify(campaignOnAgent.error?.details)).toContain('answered by AI agent');

    // Nor into a number pool (a pooled number is the pool's campaign's): 409 naming the number, nothing changed.
    const pool = await owner.client.POST('/api/number-pools', { body: { name: 'Agent pool' } });
    const beforePool = await snapshot();
    const pooled = await owner.client.POST('/api/number-pools/{id}/numbers', { params: { path: { id: String(pool.data!.id) } }, body: { phoneNumberId: agentNumber.id } });
    expect(pooled.response.status).toBe(409);
    expect(pooled.error?.details).toEqual({ phoneNumberId: `is answered by AI agent ${agent.id}; unassign it (aiAgentId null) before pooling it` });
    expect(await snapshot()).toEqual(beforePool);
    await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(agentNumber.id), body: { aiAgentId: null } });
    const afterUnassign = await owner.client.POST('/api/number-pools/{id}/numbers', { params: { path: { id: String(pool.data!.id) } }, body: { phoneNumberId: agentNumber.id } });
    expect(afterUnassign.response.status).toBe(201);
  });

  it("answers 404 for another organisation's agent or number, and 400 for a bad body", async () => {
    const mine = await buyNumber(owner.client);
    const theirAgent = await createAiAgent(other.client, { name: 'Theirs' });
    const theirNumber = await buyNumber(other.client);
    const myAgent = await createAiAgent(owner.client, { name: 'Mine' });
    const before = await snapshot();
    const attempts = await Promise.all([
      owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(mine.id), body: { aiAgentId: theirAgent.id } }),
      owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(theirNumber.id), body: { aiAgentId: myAgent.id } }),
      owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(theirNumber.id), body: { aiAgentId: null } }),
    ]);
    expect(attempts.map((a) => a.response.status)).toEqual([404, 404, 404]);
    const bad = await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(mine.id), body: { aiAgentId: 'not-a-uuid' } });
    expect(bad.response.status).toBe(400);
    expect(Object.keys(bad.error?.details as object)).toEqual(['aiAgentId']);
    expect(await snapshot()).toEqual(before);
  });
});

describe('a call to an agent number (signed Twilio voice webhook)', () => {
  it('is recorded with the agent and its current version and answered with ConversationRelay', async () => {
    const agent = await createAiAgent(owner.client, { name: 'Receptionist', firstMessage: 'Hello & welcome!', language: 'en-GB', voice: 'Polly.Amy' });
    await owner.client.PUT('/api/ai-agents/{id}', { ...path(agent.id), body: { systemPrompt: 'Version two prompt' } });
    const number = await buyNumber(owner.client);
    await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(number.id), body: { aiAgentId: agent.id } });
    const sid = callSid();
    const answer = await postWebhook(t, '/api/webhooks/voice', { CallSid: sid, To: number.phoneNumber, From: '+13105551234' });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/xml; charset=utf-8');
    const call = await t.db.selectFrom('calls').selectAll().where('call_sid', '=', sid).executeTakeFirstOrThrow();
    expect(call).toMatchObject({
      org_id: owner.orgId,
      phone_number_id: number.id,
      campaign_id: null,
      from_number: '+13105551234',
      to_number: number.phoneNumber,
      ai_agent_id: agent.id,
      ai_agent_version: 2,
      routing_method: 'none',
      twiml: answer.text,
    });
    expect(answer.text).toBe(
      `${XML_HEAD}<Response><Connect action="https://calls.example.com/api/webhooks/ai/relay-end?callId=${call.id}" method="POST">` +
        `<ConversationRelay url="wss://calls.example.com/api/ai/relay" dtmfDetection="true" interruptible="any" welcomeGreeting="Hello &amp; welcome!" language="en-GB" voice="Polly.Amy">` +
        `<Parameter name="agentId" value="${agent.id}"/><Parameter name="agentVersion" value="2"/><Parameter name="callId" value="${call.id}"/>` +
        `</ConversationRelay></Connect></Response>`,
    );
    // Twilio's retry of the same CallSid gets the same answer, and no second call.
    const retry = await postWebhook(t, '/api/webhooks/voice', { CallSid: sid, To: number.phoneNumber, From: '+13105551234' });
    expect(retry.text).toBe(answer.text);
    expect((await t.db.selectFrom('calls').select('id').where('call_sid', '=', sid).execute()).length).toBe(1);
  });

  it('takes a change of the agent at once (new version in the next call)', async () => {
    const agent = await createAiAgent(owner.client, { name: 'Changing' });
    const number = await buyNumber(owner.client);
    await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(number.id), body: { aiAgentId: agent.id } });
    const first = callSid();
    await postWebhook(t, '/api/webhooks/voice', { CallSid: first, To: number.phoneNumber, From: '+13105551234' });
    await owner.client.PUT('/api/ai-agents/{id}', { ...path(agent.id), body: { firstMessage: 'Changed' } });
    const second = callSid();
    const answer = await postWebhook(t, '/api/webhooks/voice', { CallSid: second, To: number.phoneNumber, From: '+13105551234' });
    expect(answer.text).toContain('welcomeGreeting="Changed"');
    const versions = await t.db.selectFrom('calls').select(['call_sid', 'ai_agent_version']).where('call_sid', 'in', [first, second]).orderBy('id').execute();
    expect(versions.map((v) => v.ai_agent_version)).toEqual([1, 2]);
  });

  it('answers an inactive agent with a polite message and a hang-up, and still records the call', async () => {
    const agent = await createAiAgent(owner.client, { name: 'Sleeping', isActive: false });
    const number = await buyNumber(owner.client);
    await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(number.id), body: { aiAgentId: agent.id } });
    const sid = callSid();
    const answer = await postWebhook(t, '/api/webhooks/voice', { CallSid: sid, To: number.phoneNumber, From: '+13105551234' });
    expect(answer.text).toBe(`${XML_HEAD}<Response><Say>${AI_AGENT_UNAVAILABLE_MESSAGE}</Say><Hangup/></Response>`);
    const call = await t.db.selectFrom('calls').selectAll().where('call_sid', '=', sid).executeTakeFirstOrThrow();
    expect(call).toMatchObject({ org_id: owner.orgId, ai_agent_id: agent.id, ai_agent_version: 1, routing_plan: { reason: 'ai_agent_inactive' } });
  });

  it('refuses an unsigned call to an agent number (403), writing nothing', async () => {
    const agent = await createAiAgent(owner.client, { name: 'Guarded' });
    const number = await buyNumber(owner.client);
    await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(number.id), body: { aiAgentId: agent.id } });
    const before = await snapshot();
    const answer = await postWebhook(t, '/api/webhooks/voice', { CallSid: callSid(), To: number.phoneNumber }, { signature: 'bad' });
    expect(answer.status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });
});

describe('Exotel incoming webhook', () => {
  const exotel = (body: Record<string, string>, options: { secret?: string; via?: 'header' | 'query'; form?: boolean } = {}) => {
    const via = options.via ?? 'header';
    const query = options.secret !== undefined && via === 'query' ? `?secret=${encodeURIComponent(options.secret)}` : '';
    const headers: Record<string, string> = { 'content-type': options.form ? 'application/x-www-form-urlencoded' : 'application/json' };
    if (options.secret !== undefined && via === 'header') headers['x-exotel-secret'] = options.secret;
    return fetch(`${t.url}/api/webhooks/exotel/incoming${query}`, {
      method: 'POST',
      headers,
      body: options.form ? new URLSearchParams(body).toString() : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  };

  it('needs the organisation secret (rotated by an admin, shown once, only its hash stored)', async () => {
    const agent = await createAiAgent(owner.client, { name: 'Exotel agent' });
    const number = await buyNumber(owner.client);
    await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(number.id), body: { aiAgentId: agent.id } });
    const rotated = await owner.client.POST('/api/ai-agents/exotel-secret');
    expect(rotated.response.status).toBe(201);
    const secret = rotated.data!.secret;
    expect(rotated.data?.webhookUrl).toBe(`https://calls.example.com/api/webhooks/exotel/incoming?secret=${encodeURIComponent(secret)}`);
    const org = await t.db.selectFrom('organizations').select('exotel_secret_hash').where('id', '=', owner.orgId).executeTakeFirstOrThrow();
    expect(org.exotel_secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(org.exotel_secret_hash).not.toContain(secret);

    const body = { CallSid: 'exo_abc123', From: '+919876543210', To: number.phoneNumber, CallStatus: 'in-progress', Direction: 'inbound' };
    const before = await snapshot();
    // The secret is checked before the body: a bad body without it is a 401 too, not a 400.
    const refused = [await exotel(body), await exotel(body, { secret: 'exws_wrong' }), await exotel(body, { secret: `${secret}x`, via: 'query' }), await exotel({ From: 'nonsense' }), await exotel({ CallSid: '' }, { secret: 'exws_wrong', form: true })];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual([
      [401, 'UNAUTHORIZED'],
      [401, 'UNAUTHORIZED'],
      [401, 'UNAUTHORIZED'],
      [401, 'UNAUTHORIZED'],
      [401, 'UNAUTHORIZED'],
    ]);
    expect(await snapshot()).toEqual(before);

    const first = await exotel(body, { secret });
    expect(first).toEqual({ status: 200, body: { success: true, message: 'Webhook received', callId: expect.any(Number), agentId: agent.id, agentVersion: 1, agentActive: true, duplicate: false } });
    const call = await t.db.selectFrom('calls').selectAll().where('call_sid', '=', 'exotel:exo_abc123').executeTakeFirstOrThrow();
    expect(call).toMatchObject({ id: first.body.callId, org_id: owner.orgId, source: 'exotel', phone_number_id: number.id, from_number: '+919876543210', to_number: number.phoneNumber, ai_agent_id: agent.id, ai_agent_version: 1 });

    // A repeat (JSON or form, header or query) changes nothing and gets the same call back.
    await owner.client.PUT('/api/ai-agents/{id}', { ...path(agent.id), body: { name: 'Exotel agent v2' } });
    const afterFirst = await snapshot();
    const repeats = [await exotel(body, { secret, via: 'query' }), await exotel({ ...body, CallStatus: 'completed' }, { secret, form: true })];
    expect(repeats).toEqual(repeats.map(() => ({ status: 200, body: { ...first.body, duplicate: true } })));
    expect(await snapshot()).toEqual(afterFirst);

    // A form body on its own (Exotel's usual encoding) records a new call with the new version.
    const form = await exotel({ CallSid: 'exo_form1', From: '09876543210', To: number.phoneNumber }, { secret, form: true });
    expect(form.body).toMatchObject({ success: true, agentVersion: 2, duplicate: false });
    // `To` as a national number of the organisation's country.
    const national = number.phoneNumber.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, '($1) $2-$3');
    expect(national).not.toBe(number.phoneNumber);
    const nationalCall = await exotel({ CallSid: 'exo_national', From: '+919876543210', To: national }, { secret });
    expect(nationalCall.body).toMatchObject({ success: true, agentId: agent.id, duplicate: false });

    // The old secret stops when a new one is made.
    await owner.client.POST('/api/ai-agents/exotel-secret');
    expect((await exotel({ ...body, CallSid: 'exo_after' }, { secret })).status).toBe(401);
  });

  it("records a call to a switched-off agent's number as the voice webhook does: agentActive false, reason ai_agent_inactive", async () => {
    const agent = await createAiAgent(owner.client, { name: 'Exotel sleeper', isActive: false });
    const number = await buyNumber(owner.client);
    await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(number.id), body: { aiAgentId: agent.id } });
    const secret = (await owner.client.POST('/api/ai-agents/exotel-secret')).data!.secret;
    const body = { CallSid: 'exo_sleeping', From: '+919876543210', To: number.phoneNumber };
    const first = await exotel(body, { secret });
    expect(first).toEqual({
      status: 200,
      body: { success: true, message: 'Webhook received; the agent is switched off', callId: expect.any(Number), agentId: agent.id, agentVersion: 1, agentActive: false, duplicate: false },
    });
    const call = await t.db.selectFrom('calls').select(['id', 'ai_agent_id', 'routing_plan']).where('call_sid', '=', 'exotel:exo_sleeping').executeTakeFirstOrThrow();
    expect(call).toMatchObject({ id: first.body.callId, ai_agent_id: agent.id, routing_plan: { carrier: 'exotel', reason: 'ai_agent_inactive' } });
    // Switched on since: a repeat of the same CallSid still tells how the call was received.
    await owner.client.PUT('/api/ai-agents/{id}', { ...path(agent.id), body: { isActive: true } });
    expect(await exotel(body, { secret })).toEqual({ status: 200, body: { ...first.body, duplicate: true } });
    const next = await exotel({ ...body, CallSid: 'exo_awake' }, { secret });
    expect(next.body).toMatchObject({ message: 'Webhook received', agentVersion: 2, agentActive: true, duplicate: false });
  });

  it("answers 404 for a number that is not the secret's organisation's or has no agent, 400 for a bad body", async () => {
    const secret = (await other.client.POST('/api/ai-agents/exotel-secret')).data!.secret;
    const ownerNumber = await buyNumber(owner.client);
    const ownerAgent = await createAiAgent(owner.client, { name: 'Not for other' });
    await owner.client.PUT('/api/phone-numbers/{id}', { ...numberPath(ownerNumber.id), body: { aiAgentId: ownerAgent.id } });
    const plain = await buyNumber(other.client);
    const before = await snapshot();
    const answers = [
      await exotel({ CallSid: 'exo_x1', From: '+919876543210', To: ownerNumber.phoneNumber }, { secret }),
      await exotel({ CallSid: 'exo_x2', From: '+919876543210', To: plain.phoneNumber }, { secret }),
      await exotel({ CallSid: 'exo_x3', From: '+919876543210', To: '+10000000000' }, { secret }),
    ];
    expect(answers.map((a) => [a.status, a.body.code])).toEqual([
      [404, 'RESOURCE_NOT_FOUND'],
      [404, 'RESOURCE_NOT_FOUND'],
      [404, 'RESOURCE_NOT_FOUND'],
    ]);
    const bad = [
      await exotel({ From: '+919876543210', To: plain.phoneNumber }, { secret }),
      await exotel({ CallSid: 'has spaces', From: '+919876543210', To: plain.phoneNumber }, { secret }),
    ];
    expect(bad.map((a) => [a.status, Object.keys(a.body.details as object)])).toEqual([
      [400, ['CallSid']],
      [400, ['CallSid']],
    ]);
    expect(await snapshot()).toEqual(before);
  });
});

describe('numberCandidates', () => {
  it("tries the number as sent, as +digits, and as a national number of the organisation's country", () => {
    expect(numberCandidates('09876543210', 'IN')).toEqual(['09876543210', '+09876543210', '+919876543210']);
    expect(numberCandidates(' +14155550123 ', 'US')).toEqual(['+14155550123']);
    expect(numberCandidates('not a number', 'US')).toEqual(['not a number']);
  });
});
