// The simulator plays ConversationRelay: given <Connect><ConversationRelay> TwiML (aiAnswerTwiml,
// as our webhooks answer an agent's call), the simulated carrier opens the real WebSocket with a
// valid signature, plays its scripted caller, then posts the action URL (relay-end) like Twilio
// and follows the TwiML it gets — for an inbound call and for an answered outbound call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aiAnswerTwiml, RELAY_END_PATH } from '../../../server/ai/runtime/answer.js';
import { agentVersion } from '../../../server/ai/agents/versions.js';
import { type CarrierIo, play, type Step } from '../../../server/simulator/carrier.js';
import { playOutbound } from '../../../server/simulator/outbound-carrier.js';
import { relayCaller, SIMULATED_CALLER_SCRIPT } from '../../../server/simulator/relay-caller.js';
import { readTwiml } from '../../../server/simulator/twiml-reader.js';
import { webhookPoster } from '../../../server/simulator/webhook-poster.js';
import { registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, TEST_WEBHOOK_TOKEN, type TestApp } from '../../helpers/test-app.js';
import { createAgent, createAgentCall, sleep, type TestAgent } from './fixtures.js';
import { startScriptedModel, type ScriptedModel } from './scripted-model.js';

let t: TestApp;
let model: ScriptedModel;
let owner: Member;
let agent: TestAgent;

beforeAll(async () => {
  model = await startScriptedModel();
  t = await startTestApp({ env: { AI_BASE_URL: model.baseUrl, AI_RESPONSE_TIMEOUT_MS: '2000' } });
  owner = await registerOrg(t, 'Simulator Org');
  agent = await createAgent(t, owner.orgId, { tools: [{ type: 'transfer_to_number', phoneNumber: '+12125551234' }] });
});

afterAll(async () => {
  await t?.close();
  await model?.close();
});

function carrierIo(steps: Step[], answers: Record<string, string> = {}): CarrierIo {
  const base = t.config.publicBaseUrl;
  const post = webhookPoster(t.app, base, TEST_WEBHOOK_TOKEN);
  return {
    // The agents and outbound areas own the webhooks that answer with this TwiML; here it is given.
    post: async (url, params) => (answers[url] !== undefined ? { status: 200, body: answers[url]! } : post(url, params)),
    wait: async () => {},
    onStep: (step) => steps.push(step),
    relay: relayCaller({ server: t.app.server, token: TEST_WEBHOOK_TOKEN }),
  };
}

async function endedConversation(callId: number) {
  for (let i = 0; i < 200; i += 1) {
    const row = await t.db.selectFrom('ai_conversations').selectAll().where('call_id', '=', callId).executeTakeFirst();
    if (row?.status === 'ended') return row;
    await sleep(25);
  }
  throw new Error('the conversation did not end');
}

describe('the simulated carrier plays ConversationRelay', () => {
  it('an inbound call: the scripted caller talks with the agent over the WebSocket, is transferred, and the carrier dials the handoff', async () => {
    model.queue.push({ kind: 'stream', chunks: ['We are open nine to five.'] });
    model.queue.push({ kind: 'stream', chunks: ['Let me put you through.'], toolCalls: [{ name: 'transfer_to_number', arguments: {} }] });
    const call = await createAgentCall(t, owner.orgId, agent);
    const version = (await agentVersion(t.db, owner.orgId, agent.id, agent.version))!;
    const twiml = aiAnswerTwiml({ publicBaseUrl: t.config.publicBaseUrl, version, callId: call.id });
    const steps: Step[] = [];
    const base = t.config.publicBaseUrl;
    await play(
      { callSid: call.callSid, to: '+12125550100', from: '+13105550123', dialOutcomes: ['answered'], outcome: 'answered', durationSec: 10, ringSec: 1, digits: [] },
      { voiceUrl: `${base}/api/webhooks/voice`, statusCallbackUrl: `${base}/api/webhooks/call-status`, base },
      carrierIo(steps),
      readTwiml(twiml),
    );
    const relayStep = steps.find((s) => s.request.endsWith('/api/ai/relay'))!;
    expect(relayStep.status).toBe(101);
    expect(relayStep.answer).toEqual([
      'agent: Hello! This is customer support from Acme Corp.',
      `caller: ${SIMULATED_CALLER_SCRIPT[0]}`,
      'agent: We are open nine to five.',
      `caller: ${SIMULATED_CALLER_SCRIPT[1]}`,
      'agent: Let me put you through.',
    ]);
    const end = steps.find((s) => s.request.startsWith(RELAY_END_PATH))!;
    expect(end.status).toBe(200);
    expect(JSON.parse(end.params.HandoffData!)).toMatchObject({ reason: 'transfer', phoneNumber: '+12125551234' });
    expect(end.params).toMatchObject({ CallStatus: 'in-progress', SessionStatus: 'ended' });
    expect(end.answer).toEqual(['Dial +12125551234']);
    expect(await endedConversation(call.id)).toMatchObject({ outcome: 'transferred', channel: 'voice' });
  });

  it('an outbound call answered by a person: the agent talks, the caller hangs up, relay-end hangs up', async () => {
    model.queue.push({ kind: 'stream', chunks: ['Hi, this is Acme calling about your renewal.'] });
    model.queue.push({ kind: 'stream', chunks: ['Goodbye!'] });
    const outbound = await t.db.insertInto('ai_outbound_calls').values({ org_id: owner.orgId, agent_id: agent.id, to_phone: '+14155550142', status: 'in-progress' }).returning('id').executeTakeFirstOrThrow();
    const call = await createAgentCall(t, owner.orgId, agent);
    const version = (await agentVersion(t.db, owner.orgId, agent.id, agent.version))!;
    const base = t.config.publicBaseUrl;
    const answerUrl = `${base}/api/test-only/ai-answer`;
    const steps: Step[] = [];
    const io = carrierIo(steps, { [answerUrl]: aiAnswerTwiml({ publicBaseUrl: base, version, callId: call.id, outboundCallId: outbound.id }) });
    const result = await playOutbound(
      { callSid: call.callSid, input: { to: '+14155550142', from: '+12125550100', answerUrl, statusCallbackUrl: `${base}/api/webhooks/outbound/status?callId=${call.id}`, statusEvents: ['completed'] }, behaviour: { kind: 'person', answerAfterSec: 1, talkSec: 60 } },
      { base },
      io,
    );
    expect(result.status).toBe('completed');
    const relayStep = steps.find((s) => s.request.endsWith('/api/ai/relay'))!;
    expect(relayStep.answer).toContain('agent: Hi, this is Acme calling about your renewal.');
    const end = steps.find((s) => s.request.startsWith(RELAY_END_PATH))!;
    expect(end.params).toMatchObject({ CallStatus: 'completed', SessionStatus: 'ended' });
    expect(end.params.HandoffData).toBeUndefined();
    expect(end.answer).toEqual(['Hangup']);
    const conversation = await endedConversation(call.id);
    expect(conversation.outbound_call_id).toBe(outbound.id);
    const row = await t.db.selectFrom('ai_outbound_calls').select(['summary', 'outcome']).where('id', '=', outbound.id).executeTakeFirstOrThrow();
    expect(row.outcome).toBe('caller_hung_up');
    expect(row.summary).toContain(SIMULATED_CALLER_SCRIPT[0]!);
  });

  it('a relay the server refuses (a forged token) is a failed session, and the call is hung up', async () => {
    const call = await createAgentCall(t, owner.orgId, agent);
    const version = (await agentVersion(t.db, owner.orgId, agent.id, agent.version))!;
    const steps: Step[] = [];
    const io = { ...carrierIo(steps), relay: relayCaller({ server: t.app.server, token: 'not-the-token' }) };
    const base = t.config.publicBaseUrl;
    await play(
      { callSid: call.callSid, to: '+12125550100', from: '+13105550123', dialOutcomes: [], outcome: 'answered', durationSec: 1, ringSec: 1, digits: [] },
      { voiceUrl: `${base}/api/webhooks/voice`, statusCallbackUrl: `${base}/api/webhooks/call-status`, base },
      io,
      readTwiml(aiAnswerTwiml({ publicBaseUrl: base, version, callId: call.id })),
    );
    const end = steps.find((s) => s.request.startsWith(RELAY_END_PATH))!;
    expect(end.params.SessionStatus).toBe('failed');
    expect(end.answer).toEqual(['Hangup']);
    expect(await t.db.selectFrom('ai_conversations').select('id').where('call_id', '=', call.id).executeTakeFirst()).toBeUndefined();
  });
});

describe('POST /api/simulator/calls to a number answered by an agent', () => {
  it('plays the whole call: voice webhook → ConversationRelay on the real WebSocket → relay-end → status callback', async () => {
    const created = await owner.client.POST('/api/ai-agents', {
      body: { name: 'Front desk', systemPrompt: 'You answer the front desk line.', model: 'scripted-model', firstMessage: 'Front desk, how can I help?' },
    });
    expect(created.response.status).toBe(201);
    const found = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 1 } } });
    const bought = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: found.data!.numbers[0]!.phoneNumber } });
    await owner.client.PUT('/api/phone-numbers/{id}', { params: { path: { id: String(bought.data!.id) } }, body: { aiAgentId: created.data!.id } });
    model.queue.push({ kind: 'stream', chunks: ['We open at nine.'] });
    model.queue.push({ kind: 'stream', chunks: ['Goodbye!'] });

    const call = await owner.client.POST('/api/simulator/calls', { body: { to: bought.data!.phoneNumber, timeScale: 0 } });
    expect(call.response.status).toBe(201);
    const steps = call.data!.steps;
    expect(steps[0]!.answer).toEqual([expect.stringMatching(/^ConversationRelay wss?:\/\/.*\/api\/ai\/relay$/)]);
    const relay = steps.find((s) => s.request.endsWith('/api/ai/relay'))!;
    expect(relay.answer).toEqual([
      'agent: Front desk, how can I help?',
      `caller: ${SIMULATED_CALLER_SCRIPT[0]}`,
      'agent: We open at nine.',
      `caller: ${SIMULATED_CALLER_SCRIPT[1]}`,
      'agent: Goodbye!',
    ]);
    const end = steps.find((s) => s.request.startsWith(RELAY_END_PATH))!;
    expect(end).toMatchObject({ status: 200, answer: ['Hangup'] });
    const conversation = await endedConversation(call.data!.callId!);
    expect(conversation).toMatchObject({ agent_id: created.data!.id, outcome: 'caller_hung_up', channel: 'voice' });

    // The caller's words can be given (`callerSays`): the agent hears exactly those, in order.
    model.queue.push({ kind: 'stream', chunks: ['Yes, within five days.'] });
    const asked = await owner.client.POST('/api/simulator/calls', { body: { to: bought.data!.phoneNumber, timeScale: 0, callerSays: ['Do you ship to Canada?'] } });
    expect(asked.response.status).toBe(201);
    expect(asked.data!.steps.find((s) => s.request.endsWith('/api/ai/relay'))!.answer).toEqual(['agent: Front desk, how can I help?', 'caller: Do you ship to Canada?', 'agent: Yes, within five days.']);
    const userWords = model.requests.filter((r) => r.stream === true).map((r) => (r.messages as { role: string; content: string }[]).filter((m) => m.role === 'user').map((m) => m.content));
    expect(userWords).toContainEqual(['Do you ship to Canada?']);
  });
});
