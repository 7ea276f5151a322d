// The ConversationRelay runtime end to end: a scripted OpenAI-compatible server (streamed chunks,
// tool calls, a slow first token, a stream that stalls, an HTTP 500, a stream cut mid-way) and a
// scripted relay client over a real WebSocket — a whole conversation, barge-in, a transfer and the
// relay-end TwiML, a DTMF entry, a callback booked, the handshake refused when forged, Socket.IO
// beside the relay.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connected, recordingClient } from '../../helpers/live-contract.js';
import { registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { postWebhook, XML_HEAD } from '../../helpers/twilio-webhook.js';
import { APOLOGY_LINE, FALLBACK_LINE } from '../../../server/ai/runtime/session.js';
import { addKnowledge, createAgent, createAgentCall, sleep, type TestAgent } from './fixtures.js';
import { connectRelay, relaySignature, setupMessage, type RelayClient } from './relay-client.js';
import { startScriptedModel, type ScriptedModel } from './scripted-model.js';
import { RELAY_END_PATH } from '../../../server/ai/runtime/answer.js';

let t: TestApp;
let model: ScriptedModel;
let owner: Member;
let agent: TestAgent;
const open: RelayClient[] = [];

beforeAll(async () => {
  model = await startScriptedModel();
  t = await startTestApp({ env: { AI_BASE_URL: model.baseUrl, AI_API_KEY: 'sk-test-key', AI_RESPONSE_TIMEOUT_MS: '500' } });
  owner = await registerOrg(t, 'Relay Org');
  agent = await createAgent(t, owner.orgId, {
    tools: [
      { type: 'transfer_to_number', phoneNumber: '+12125551234' },
      { type: 'end_call' },
      { type: 'search_knowledge_base' },
      { type: 'schedule_callback' },
    ],
  });
});

afterAll(async () => {
  for (const c of open) await c.close();
  await t?.close();
  await model?.close();
});

beforeEach(() => {
  model.queue.length = 0;
  model.requests.length = 0;
});

async function startCall(a = agent): Promise<{ relay: RelayClient; call: Awaited<ReturnType<typeof createAgentCall>> }> {
  const call = await createAgentCall(t, owner.orgId, a);
  const relay = await connectRelay(t);
  open.push(relay);
  relay.send(setupMessage(call.callSid, call.parameters));
  return { relay, call };
}

async function conversationOf(callId: number) {
  return t.db.selectFrom('ai_conversations').selectAll().where('call_id', '=', callId).executeTakeFirst();
}

async function endedConversation(callId: number) {
  for (let i = 0; i < 200; i += 1) {
    const row = await conversationOf(callId);
    if (row?.status === 'ended') return row;
    await sleep(25);
  }
  throw new Error('the conversation did not end');
}

async function turns(conversationId: string) {
  return t.db.selectFrom('ai_turns').selectAll().where('conversation_id', '=', conversationId).orderBy('seq').execute();
}

type Message = { role: string; content: unknown };
const messagesOf = (request: Record<string, unknown>) => request.messages as Message[];

describe('a whole conversation', () => {
  it('streams each content delta as a text token, stores the transcript with timings, then a summary from the model', async () => {
    model.queue.push({ kind: 'stream', firstTokenDelayMs: 30, chunks: ['We are open ', 'Monday to Friday, ', '9 to 5.'], chunkDelayMs: 5, usage: { prompt_tokens: 120, completion_tokens: 9 } });
    model.queue.push({ kind: 'stream', chunks: ['You are welcome. ', 'Goodbye!'] });
    model.queue.push({ kind: 'json', content: '{"summary": "The caller asked for the opening hours.", "outcome": "completed"}' });
    const { relay, call } = await startCall();

    const first = await relay.prompt('What are your opening hours?');
    expect(first.text).toBe('We are open Monday to Friday, 9 to 5.');
    const tokens = relay.messages.filter((m) => m.type === 'text');
    expect(tokens.map((m) => m.token)).toEqual(['We are open ', 'Monday to Friday, ', '9 to 5.', '']);
    expect(tokens.map((m) => m.last)).toEqual([false, false, false, true]);
    expect(first.firstAt! - first.sentAt).toBeGreaterThanOrEqual(25);

    const request = model.requests[0]!;
    expect(request).toMatchObject({ model: 'scripted-model', stream: true, stream_options: { include_usage: true }, max_tokens: 150, temperature: 0.7 });
    const messages = messagesOf(request);
    expect(messages[0]!.role).toBe('system');
    expect(String(messages[0]!.content)).toContain('You are the friendly support line of Acme Corp.');
    expect(String(messages[0]!.content)).toContain('+13105550123');
    expect(messages.slice(1)).toEqual([
      { role: 'assistant', content: 'Hello! This is customer support from Acme Corp.' },
      { role: 'user', content: 'What are your opening hours?' },
    ]);
    expect((request.tools as { function: { name: string } }[]).map((tool) => tool.function.name)).toEqual(['transfer_to_number', 'end_call', 'search_knowledge_base', 'schedule_callback']);

    const second = await relay.prompt('Thank you!');
    expect(second.text).toBe('You are welcome. Goodbye!');
    expect(messagesOf(model.requests[1]!).slice(-2)).toEqual([
      { role: 'assistant', content: 'We are open Monday to Friday, 9 to 5.' },
      { role: 'user', content: 'Thank you!' },
    ]);
    await relay.close();

    const conversation = await endedConversation(call.id);
    expect(conversation).toMatchObject({ channel: 'voice', mode: 'model', end_reason: 'caller_hung_up', summary: 'The caller asked for the opening hours.', outcome: 'completed', agent_version: agent.version });
    expect(conversation.prompt_tokens).toBeGreaterThanOrEqual(120);
    // Spoken by text-to-speech: the welcome greeting (Twilio says it from the TwiML) and the answers.
    expect(conversation.tts_characters).toBe('Hello! This is customer support from Acme Corp.We are open Monday to Friday, 9 to 5.You are welcome. Goodbye!'.length);
    expect(Number(conversation.stt_seconds)).toBeGreaterThan(0);
    const summaryRequest = model.requests[2]!;
    expect(summaryRequest.stream).toBeUndefined();

    const stored = await turns(conversation.id);
    expect(stored.map((r) => [r.role, r.content])).toEqual([
      ['assistant', 'Hello! This is customer support from Acme Corp.'],
      ['user', 'What are your opening hours?'],
      ['assistant', 'We are open Monday to Friday, 9 to 5.'],
      ['user', 'Thank you!'],
      ['assistant', 'You are welcome. Goodbye!'],
    ]);
    const answer = stored[2]!;
    expect(answer.model_first_token_ms).toBeGreaterThanOrEqual(25);
    expect(answer.first_token_ms).toBeGreaterThanOrEqual(answer.model_first_token_ms!);
    expect(answer.interrupted).toBe(false);

    const api = await owner.client.GET('/api/ai/conversations/{id}', { params: { path: { id: conversation.id } } });
    expect(api.response.status).toBe(200);
    expect(api.data!.transcript).toHaveLength(5);
    expect(api.data!.outcome).toBe('completed');
    expect(api.data!.usage.ttsCharacters).toBe(conversation.tts_characters);
  });

  it('refuses a setup whose callSid is not the call’s, with a spoken line and an end', async () => {
    const call = await createAgentCall(t, owner.orgId, agent);
    const relay = await connectRelay(t);
    open.push(relay);
    relay.send(setupMessage('CA00000000000000000000000000000000', call.parameters));
    const end = await relay.waitFor((m) => m.type === 'end');
    expect(JSON.parse(end.handoffData!)).toEqual({ reason: 'error' });
    expect(await conversationOf(call.id)).toBeUndefined();
  });
});

describe('barge-in', () => {
  it('aborts the stream and keeps only what was spoken', async () => {
    model.queue.push({ kind: 'stream', chunks: ['Our refund policy ', 'lets you return ', 'any item ', 'within thirty days ', 'of purchase.'], chunkDelayMs: 150 });
    model.queue.push({ kind: 'stream', chunks: ['Sure, go ahead.'] });
    const { relay, call } = await startCall();
    relay.send({ type: 'prompt', voicePrompt: 'Tell me about refunds', lang: 'en-US', last: true });
    await relay.waitFor((m) => m.type === 'text' && m.token === 'Our refund policy ');
    relay.send({ type: 'interrupt', utteranceUntilInterrupt: 'Our refund', durationUntilInterruptMs: 640 });
    await sleep(400);
    const afterCut = relay.messages.filter((m) => m.type === 'text').map((m) => m.token);
    expect(afterCut).not.toContain('of purchase.');
    expect(relay.messages.some((m) => m.type === 'text' && m.last)).toBe(false);

    const next = await relay.prompt('Actually, I have another question');
    expect(next.text).toBe('Sure, go ahead.');
    expect(messagesOf(model.requests[1]!).slice(-2)).toEqual([
      { role: 'assistant', content: 'Our refund' },
      { role: 'user', content: 'Actually, I have another question' },
    ]);
    await relay.close();
    const conversation = await endedConversation(call.id);
    const cut = (await turns(conversation.id)).find((r) => r.interrupted);
    expect(cut).toMatchObject({ role: 'assistant', content: 'Our refund', interrupted: true });
  });

  it('cuts an answer already sent whole when the caller interrupts its speech', async () => {
    model.queue.push({ kind: 'stream', chunks: ['One, two, three, four.'] });
    model.queue.push({ kind: 'stream', chunks: ['OK.'] });
    const { relay, call } = await startCall();
    await relay.prompt('Count for me');
    relay.send({ type: 'interrupt', utteranceUntilInterrupt: 'One, two', durationUntilInterruptMs: 900 });
    await relay.prompt('Stop');
    expect(messagesOf(model.requests[1]!).slice(-2)).toEqual([
      { role: 'assistant', content: 'One, two' },
      { role: 'user', content: 'Stop' },
    ]);
    await relay.close();
    const conversation = await endedConversation(call.id);
    expect((await turns(conversation.id)).filter((r) => r.interrupted).map((r) => r.content)).toEqual(['One, two']);
  });

  it('cuts the welcome greeting when the caller speaks over it', async () => {
    model.queue.push({ kind: 'stream', chunks: ['Sure.'] });
    const { relay, call } = await startCall();
    while (!(await conversationOf(call.id))) await sleep(20); // the session is open, the greeting said
    await sleep(50);
    // Twilio's welcome greeting is interruptible: the caller cuts it short.
    relay.send({ type: 'interrupt', utteranceUntilInterrupt: 'Hello!', durationUntilInterruptMs: 400 });
    await relay.prompt('I need help with my bill');
    expect(messagesOf(model.requests[0]!).slice(1)).toEqual([
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'I need help with my bill' },
    ]);
    await relay.close();
    const conversation = await endedConversation(call.id);
    expect((await turns(conversation.id)).filter((r) => r.interrupted).map((r) => r.content)).toEqual(['Hello!']);
  });
});

describe('slow and failing answers', () => {
  it('says a fallback line when the first token is later than AI_RESPONSE_TIMEOUT_MS, and records the turn', async () => {
    model.queue.push({ kind: 'stream', firstTokenDelayMs: 1500, chunks: ['Too late.'] });
    model.queue.push({ kind: 'stream', chunks: ['Here I am.'] });
    const { relay, call } = await startCall();
    const started = Date.now();
    const answer = await relay.prompt('Hello?');
    expect(answer.text).toBe(FALLBACK_LINE);
    expect(Date.now() - started).toBeLessThan(1400);
    expect((await relay.prompt('Hello again')).text).toBe('Here I am.');
    await relay.close();
    const conversation = await endedConversation(call.id);
    const stored = await turns(conversation.id);
    expect(stored.map((r) => r.content)).toContain(FALLBACK_LINE);
    expect(stored.find((r) => r.content === FALLBACK_LINE)!.first_token_ms).toBeGreaterThanOrEqual(450);
  });

  it('apologises when the stream stalls after its first token for AI_RESPONSE_TIMEOUT_MS, and goes on', async () => {
    model.queue.push({ kind: 'stream', chunks: ['Our hours ', 'are nine to five.'], chunkDelayMs: 20_000 });
    model.queue.push({ kind: 'stream', chunks: ['Hello again.'] });
    const { relay, call } = await startCall();
    const started = Date.now();
    expect((await relay.prompt('What are your hours?')).text).toBe(`Our hours  ${APOLOGY_LINE}`);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await relay.prompt('Hello? Are you there?')).text).toBe('Hello again.');
    await relay.close();
    const conversation = await endedConversation(call.id);
    expect((await turns(conversation.id)).map((r) => r.content)).toContain(`Our hours  ${APOLOGY_LINE}`);
  });

  it('waits for a tool call the model writes slowly: each piece of its arguments re-arms AI_RESPONSE_TIMEOUT_MS', async () => {
    // Four pieces 300 ms apart: 900 ms from the call's first delta to its last, each gap within the 500 ms.
    model.queue.push({ kind: 'stream', toolCalls: [{ name: 'transfer_to_number', arguments: { reason: 'the caller wants the billing department' } }], toolArgumentPieces: { count: 4, delayMs: 300 } });
    const { relay, call } = await startCall();
    const answer = await relay.prompt('Put me through to billing');
    expect(answer.text).not.toContain(FALLBACK_LINE);
    expect(JSON.parse(answer.end!.handoffData!)).toEqual({ reason: 'transfer', type: 'transfer_to_number', phoneNumber: '+12125551234', note: 'the caller wants the billing department' });
    await relay.close();
    expect(await endedConversation(call.id)).toMatchObject({ end_reason: 'transferred' });
  });

  it('apologises for an HTTP 500 and goes on', async () => {
    model.queue.push({ kind: 'error', status: 500 });
    model.queue.push({ kind: 'stream', chunks: ['Yes, ', 'we ship abroad.'] });
    const { relay } = await startCall();
    expect((await relay.prompt('Do you ship abroad?')).text).toBe(APOLOGY_LINE);
    expect((await relay.prompt('Do you ship abroad?')).text).toBe('Yes, we ship abroad.');
  });

  it('apologises after a stream cut mid-way, keeping what was said', async () => {
    model.queue.push({ kind: 'stream', chunks: ['Our hours ', 'are nine ', 'to five.'], chunkDelayMs: 20, cutAfter: 1 });
    model.queue.push({ kind: 'stream', chunks: ['Nine to five.'] });
    const { relay, call } = await startCall();
    expect((await relay.prompt('What are your hours?')).text).toBe(`Our hours  ${APOLOGY_LINE}`);
    expect((await relay.prompt('Once more?')).text).toBe('Nine to five.');
    await relay.close();
    const conversation = await endedConversation(call.id);
    expect((await turns(conversation.id)).map((r) => r.content)).toContain(`Our hours  ${APOLOGY_LINE}`);
  });
});

describe('tools', () => {
  it('transfers: `end` with handoffData, then the relay-end webhook dials the number', async () => {
    model.queue.push({ kind: 'stream', chunks: ['Let me transfer you to billing.'], toolCalls: [{ name: 'transfer_to_number', arguments: { reason: 'billing question' } }] });
    const { relay, call } = await startCall();
    const answer = await relay.prompt('I want to talk to billing');
    expect(answer.text).toBe('Let me transfer you to billing.');
    const end = await relay.waitFor((m) => m.type === 'end');
    const handoff = JSON.parse(end.handoffData!) as Record<string, unknown>;
    expect(handoff).toEqual({ reason: 'transfer', type: 'transfer_to_number', phoneNumber: '+12125551234', note: 'billing question' });
    await relay.close();

    const conversation = await endedConversation(call.id);
    expect(conversation).toMatchObject({ end_reason: 'transferred', outcome: 'transferred', handoff });
    const stored = await turns(conversation.id);
    expect(stored.filter((r) => r.role === 'tool').map((r) => [r.tool_name, r.tool_call_id])).toEqual([['transfer_to_number', 'call_0_transfer_to_number']]);

    const twiml = await postWebhook(t, `${RELAY_END_PATH}?callId=${call.id}`, { CallSid: call.callSid, CallStatus: 'in-progress', SessionStatus: 'ended', HandoffData: end.handoffData! });
    expect(twiml.status).toBe(200);
    expect(twiml.contentType).toContain('text/xml');
    expect(twiml.text).toBe(`${XML_HEAD}<Response><Dial><Number>+12125551234</Number></Dial></Response>`);
  });

  it('relay-end: a person dials the dialer agent’s phone, a campaign its number, anything else hangs up; refused unsigned or for another call', async () => {
    const call = await createAgentCall(t, owner.orgId, agent);
    const person = await t.db.insertInto('agents').values({ org_id: owner.orgId, name: 'Human Helper', phone_e164: '+13125550199' }).returning('id').executeTakeFirstOrThrow();
    const campaign = await owner.client.POST('/api/campaigns', { body: { name: 'Overflow', routingType: 'priority', status: 'active' } });
    const campaignId = campaign.data!.id;
    await t.db.insertInto('phone_numbers').values({ org_id: owner.orgId, phone_number: '+12125550177', provider_sid: 'PN00000000000000000000000000000177', provider: 'simulator', campaign_id: campaignId }).execute();
    const post = (params: Record<string, string>, options = {}) => postWebhook(t, `${RELAY_END_PATH}?callId=${call.id}`, { CallSid: call.callSid, ...params }, options);

    const toPerson = await post({ CallStatus: 'in-progress', HandoffData: JSON.stringify({ reason: 'transfer', type: 'transfer_to_person', humanAgentId: person.id }) });
    expect(toPerson.text).toBe(`${XML_HEAD}<Response><Dial><Number>+13125550199</Number></Dial></Response>`);
    const toCampaign = await post({ CallStatus: 'in-progress', HandoffData: JSON.stringify({ reason: 'transfer', type: 'transfer_to_campaign', campaignId }) });
    expect(toCampaign.text).toBe(`${XML_HEAD}<Response><Dial><Number>+12125550177</Number></Dial></Response>`);
    const hangup = `${XML_HEAD}<Response><Hangup/></Response>`;
    expect((await post({ CallStatus: 'in-progress', HandoffData: JSON.stringify({ reason: 'end_call' }) })).text).toBe(hangup);
    expect((await post({ CallStatus: 'in-progress' })).text).toBe(hangup);
    expect((await post({ CallStatus: 'in-progress', HandoffData: 'not json' })).text).toBe(hangup);
    expect((await post({ CallStatus: 'completed', HandoffData: JSON.stringify({ reason: 'transfer', type: 'transfer_to_number', phoneNumber: '+12125551234' }) })).text).toBe(hangup);
    const unknownPerson = await post({ CallStatus: 'in-progress', HandoffData: JSON.stringify({ reason: 'transfer', type: 'transfer_to_person', humanAgentId: '00000000-0000-4000-8000-000000000000' }) });
    expect(unknownPerson.text).toBe(hangup);

    expect((await post({ CallStatus: 'in-progress' }, { signature: 'bad' })).status).toBe(403);
    expect((await post({ CallStatus: 'in-progress' }, { signature: 'none' })).status).toBe(403);
    const otherSid = await postWebhook(t, `${RELAY_END_PATH}?callId=${call.id}`, { CallSid: 'CA11111111111111111111111111111111' });
    expect(otherSid.status).toBe(404);
  });

  it('ends the call with end_call', async () => {
    model.queue.push({ kind: 'stream', chunks: ['Goodbye!'], toolCalls: [{ name: 'end_call', arguments: {} }] });
    const { relay, call } = await startCall();
    await relay.prompt('That is all, bye');
    const end = await relay.waitFor((m) => m.type === 'end');
    expect(JSON.parse(end.handoffData!)).toEqual({ reason: 'end_call' });
    await relay.close();
    expect(await endedConversation(call.id)).toMatchObject({ end_reason: 'ended_by_agent' });
  });

  it('plays a recording and presses keys through ConversationRelay (`play`, `sendDigits`); bad digits are refused to the model', async () => {
    const keys = await createAgent(t, owner.orgId, { tools: [{ type: 'play_audio', audioUrl: 'https://example.com/disclosure.mp3' }, { type: 'send_digits' }] });
    model.queue.push({ kind: 'stream', chunks: ['One moment.'], toolCalls: [{ name: 'play_audio', arguments: {} }, { name: 'send_digits', arguments: { digits: '1w2#' } }] });
    model.queue.push({ kind: 'stream', chunks: ['Done.'] });
    model.queue.push({ kind: 'stream', toolCalls: [{ name: 'send_digits', arguments: { digits: '12; DROP' } }] });
    model.queue.push({ kind: 'stream', chunks: ['I could not press that.'] });
    const { relay, call } = await startCall(keys);
    const first = await relay.prompt('Please go ahead');
    expect(first.text).toContain('One moment.');
    const played = await relay.waitFor((m) => m.type === 'play');
    const pressed = await relay.waitFor((m) => m.type === 'sendDigits');
    expect(played).toMatchObject({ source: 'https://example.com/disclosure.mp3' });
    expect(pressed).toMatchObject({ digits: '1w2#' });
    expect(relay.messages.indexOf(played)).toBeLessThan(relay.messages.indexOf(pressed));
    const done = await relay.waitFor((m) => m.type === 'text' && m.token === 'Done.');
    expect(relay.messages.indexOf(pressed)).toBeLessThan(relay.messages.indexOf(done));
    const second = await relay.prompt('Press twelve');
    expect(second.text).toBe('I could not press that.');
    expect(relay.messages.filter((m) => m.type === 'sendDigits')).toHaveLength(1);
    const toolMessages = model.requests.flatMap((r) => messagesOf(r)).filter((m) => m.role === 'tool').map((m) => m.content);
    expect(toolMessages).toContain('Pressed 1w2#.');
    expect(toolMessages.some((c) => typeof c === 'string' && c.startsWith('No keys pressed'))).toBe(true);
    await relay.close();
    const conversation = await endedConversation(call.id);
    expect((await turns(conversation.id)).filter((r) => r.role === 'tool').map((r) => r.tool_name)).toEqual(['play_audio', 'send_digits', 'send_digits']);
  });

  it('searches the knowledge base, feeds the passages back and lets the model go on', async () => {
    await addKnowledge(t, owner.orgId, agent.id, 'Shipping FAQ', ['We ship to Canada and Mexico within five business days.', 'Gift wrapping costs three dollars.']);
    model.queue.push({ kind: 'stream', toolCalls: [{ name: 'search_knowledge_base', arguments: { query: 'ship Canada' } }] });
    model.queue.push({ kind: 'stream', chunks: ['We ship to Canada within five business days.'] });
    const { relay } = await startCall();
    const answer = await relay.prompt('Do you ship to Canada?');
    expect(answer.text).toBe('We ship to Canada within five business days.');
    const followUp = messagesOf(model.requests[1]!);
    const toolMessage = followUp.find((m) => m.role === 'tool') as unknown as { content: string; tool_call_id: string };
    expect(toolMessage.tool_call_id).toBe('call_0_search_knowledge_base');
    expect(JSON.parse(toolMessage.content)[0]).toMatchObject({ documentTitle: 'Shipping FAQ', content: 'We ship to Canada and Mexico within five business days.' });
    expect(followUp.find((m) => m.role === 'assistant' && 'tool_calls' in m)).toBeDefined();
  });

  it('books a callback to the caller as a scheduled AI outbound call, refusing a time in the past', async () => {
    const when = new Date(Date.now() + 2 * 86_400_000).toISOString().replace('Z', '+00:00');
    model.queue.push({ kind: 'stream', toolCalls: [{ name: 'schedule_callback', arguments: { scheduledFor: '2001-01-01T10:00:00Z' } }] });
    model.queue.push({ kind: 'stream', toolCalls: [{ name: 'schedule_callback', arguments: { scheduledFor: when, reason: 'wants a quote' } }] });
    model.queue.push({ kind: 'stream', chunks: ['Booked, talk soon.'] });
    const { relay, call } = await startCall();
    expect((await relay.prompt('Call me back the day after tomorrow')).text).toBe('Booked, talk soon.');
    const results = model.requests.slice(1).map((r) => messagesOf(r).filter((m) => m.role === 'tool').map((m) => String(m.content)));
    expect(results[0]![0]).toContain('must be in the future');
    expect(results[1]![1]).toContain('Callback booked');
    const booked = await t.db.selectFrom('ai_outbound_calls').selectAll().where('org_id', '=', owner.orgId).where('context', '=', 'wants a quote').executeTakeFirstOrThrow();
    expect(booked).toMatchObject({ agent_id: agent.id, agent_version: agent.version, to_phone: '+13105550123', status: 'scheduled' });
    expect(booked.scheduled_for.getTime()).toBe(new Date(when).getTime());
    await relay.close();
    expect(await endedConversation(call.id)).toMatchObject({ outcome: 'callback_scheduled' });
  });

  it('books a callback to the number a caller without caller ID gives (withheld, a SIP or client address)', async () => {
    for (const from of ['anonymous', 'sip:alice@example.com', 'client:alice']) {
      model.requests.length = 0;
      const when = new Date(Date.now() + 86_400_000).toISOString();
      model.queue.push({ kind: 'stream', toolCalls: [{ name: 'schedule_callback', arguments: { scheduledFor: when, phoneNumber: '+12125550177', reason: `withheld ${from}` } }] });
      model.queue.push({ kind: 'stream', chunks: ['Booked.'] });
      const call = await createAgentCall(t, owner.orgId, agent);
      const relay = await connectRelay(t);
      open.push(relay);
      relay.send(setupMessage(call.callSid, call.parameters, from));
      expect((await relay.prompt('Call me back tomorrow on plus one two one two five five five zero one seven seven')).text).toBe('Booked.');
      expect(String(messagesOf(model.requests[0]!)[0]!.content)).not.toContain(from);
      const booked = await t.db.selectFrom('ai_outbound_calls').select(['to_phone', 'status']).where('org_id', '=', owner.orgId).where('context', '=', `withheld ${from}`).executeTakeFirst();
      expect(booked).toEqual({ to_phone: '+12125550177', status: 'scheduled' });
      await relay.close();
      await endedConversation(call.id); // its summary request is made before the next call's
    }
  });
});

describe('an agent archived or deactivated mid-call', () => {
  it('books no callback the agent could not make (its outbound calls would fail), and says why to the model', async () => {
    for (const change of [{ archived_at: new Date() }, { is_active: false }]) {
      model.requests.length = 0;
      const own = await createAgent(t, owner.orgId, { tools: [{ type: 'schedule_callback' }] });
      const when = new Date(Date.now() + 86_400_000).toISOString();
      model.queue.push({ kind: 'stream', toolCalls: [{ name: 'schedule_callback', arguments: { scheduledFor: when, reason: 'agent gone' } }] });
      model.queue.push({ kind: 'stream', chunks: ['Sorry, I cannot book that.'] });
      const { relay, call } = await startCall(own);
      while (!(await conversationOf(call.id))) await sleep(20);
      await t.db.updateTable('ai_agents').set(change).where('id', '=', own.id).execute();
      expect((await relay.prompt('Call me back tomorrow')).text).toBe('Sorry, I cannot book that.');
      const result = messagesOf(model.requests[1]!).filter((m) => m.role === 'tool').map((m) => String(m.content));
      expect(result[0]).toMatch(/^No callback booked: /);
      expect(await t.db.selectFrom('ai_outbound_calls').select('id').where('agent_id', '=', own.id).execute()).toEqual([]);
      await relay.close();
      await endedConversation(call.id);
    }
  });
});

describe('DTMF', () => {
  it('passes a key entry to the model as the caller’s input (# ends it at once)', async () => {
    model.queue.push({ kind: 'stream', chunks: ['Thanks, order 42 found.'] });
    const { relay } = await startCall();
    for (const digit of ['4', '2', '#']) relay.send({ type: 'dtmf', digit });
    const answer = await relay.waitFor((m) => m.type === 'text' && m.last === true);
    expect(answer.last).toBe(true);
    expect(messagesOf(model.requests[0]!).at(-1)).toEqual({ role: 'user', content: '(The caller pressed the keys: 4 2 #)' });
  });
});

describe('an outbound call’s conversation', () => {
  it('copies the summary and outcome (from rules when the model answers nonsense) to the AI outbound call', async () => {
    const outbound = await t.db.insertInto('ai_outbound_calls').values({ org_id: owner.orgId, agent_id: agent.id, to_phone: '+14155550142', context: 'Renewal reminder', status: 'in-progress' }).returning('id').executeTakeFirstOrThrow();
    const call = await createAgentCall(t, owner.orgId, agent);
    model.queue.push({ kind: 'stream', chunks: ['Your plan renews next week.'] });
    model.queue.push({ kind: 'json', content: 'I cannot summarise.' });
    const relay = await connectRelay(t);
    open.push(relay);
    relay.send(setupMessage(call.callSid, { ...call.parameters, outboundCallId: outbound.id }, '+12125550100', '+14155550142'));
    await relay.prompt('Hello?');
    const system = String(messagesOf(model.requests[0]!)[0]!.content);
    expect(system).toContain('Renewal reminder');
    expect(system).toContain('+14155550142');
    await relay.close();
    const conversation = await endedConversation(call.id);
    expect(conversation.outbound_call_id).toBe(outbound.id);
    const row = await t.db.selectFrom('ai_outbound_calls').select(['summary', 'outcome']).where('id', '=', outbound.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ summary: conversation.summary, outcome: 'caller_hung_up' });
    expect(row.summary).toContain('Hello?');
  });
});

describe('a callback’s time zone (the calling hours it is placed in)', () => {
  it('an outbound call’s callback keeps the call’s zone; a caller’s takes the zone of the offset the model gave', async () => {
    const outbound = await t.db
      .insertInto('ai_outbound_calls')
      .values({ org_id: owner.orgId, agent_id: agent.id, to_phone: '+14155550142', timezone: 'America/Los_Angeles', status: 'in-progress' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    model.queue.push({ kind: 'stream', toolCalls: [{ name: 'schedule_callback', arguments: { scheduledFor: `${day}T19:00:00-08:00`, reason: 'zone of the outbound call' } }] });
    model.queue.push({ kind: 'stream', chunks: ['Booked.'] });
    model.queue.push({ kind: 'json', content: '{"summary": "Callback.", "outcome": "callback_scheduled"}' });
    const call = await createAgentCall(t, owner.orgId, agent);
    const relay = await connectRelay(t);
    open.push(relay);
    relay.send(setupMessage(call.callSid, { ...call.parameters, outboundCallId: outbound.id }, '+12125550100', '+14155550142'));
    expect((await relay.prompt('Call me back at seven tonight')).text).toBe('Booked.');
    await relay.close();
    await endedConversation(call.id);

    model.queue.push({ kind: 'stream', toolCalls: [{ name: 'schedule_callback', arguments: { scheduledFor: `${day}T19:00:00-05:00`, reason: 'zone of the offset' } }] });
    model.queue.push({ kind: 'stream', chunks: ['Booked too.'] });
    const { relay: inbound, call: second } = await startCall();
    expect((await inbound.prompt('Call me back at seven')).text).toBe('Booked too.');
    await inbound.close();
    await endedConversation(second.id);

    const booked = await t.db.selectFrom('ai_outbound_calls').select(['context', 'timezone']).where('org_id', '=', owner.orgId).where('context', 'like', 'zone of %').orderBy('context').execute();
    // 19:00 in New York is 00:00 UTC: in UTC the worker would defer it to 08:00 UTC, 3 in the morning there.
    expect(booked).toEqual([
      { context: 'zone of the offset', timezone: 'Etc/GMT+5' },
      { context: 'zone of the outbound call', timezone: 'America/Los_Angeles' },
    ]);
  });
});

describe('the handshake', () => {
  it('refuses a forged or missing X-Twilio-Signature with 403, and a signature of another URL', async () => {
    const before = await t.db.selectFrom('ai_conversations').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const forged = relaySignature(t, 'another-token');
    await expect(connectRelay(t, forged)).rejects.toMatchObject({ status: 403 });
    await expect(connectRelay(t, null)).rejects.toMatchObject({ status: 403 });
    const { default: twilio } = await import('twilio');
    const wrongUrl = twilio.getExpectedTwilioSignature('test-webhook-token-0123456789abcdef', `${t.config.publicBaseUrl}/api/ai/relay`, {});
    await expect(connectRelay(t, wrongUrl)).rejects.toMatchObject({ status: 403 });
    const after = await t.db.selectFrom('ai_conversations').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('coexists with Socket.IO: a relay socket held past engine.io’s upgrade timeout still talks, and Socket.IO still connects', async () => {
    model.queue.push({ kind: 'stream', chunks: ['Still here.'] });
    const { relay } = await startCall();
    await sleep(1500);
    expect(relay.ws.readyState).toBe(relay.ws.OPEN);
    expect((await relay.prompt('Are you there?')).text).toBe('Still here.');

    const token = (await owner.client.POST('/api/events/token')).data!.token;
    const live = recordingClient(t.url, { auth: { token } });
    await connected(live.socket);
    expect(live.socket.connected).toBe(true);
    live.socket.close();
  });
});
