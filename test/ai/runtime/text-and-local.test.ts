// The text test endpoint (POST /api/ai-agents/{id}/test) through the same runtime as a call, the
// conversations API, and the labelled local mode (no AI_BASE_URL) over both the endpoint and a
// real ConversationRelay socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { LOCAL_MODE_LABEL, LOCAL_NO_ANSWER } from '../../../server/ai/runtime/local-mode.js';
import { addKnowledge, createAgent, createAgentCall, sleep, type TestAgent } from './fixtures.js';
import { connectRelay, setupMessage } from './relay-client.js';
import { startScriptedModel, type ScriptedModel } from './scripted-model.js';

describe('with a model', () => {
  let t: TestApp;
  let model: ScriptedModel;
  let owner: Member;
  let other: Member;
  let agent: TestAgent;

  beforeAll(async () => {
    model = await startScriptedModel();
    t = await startTestApp({ env: { AI_BASE_URL: model.baseUrl, AI_RESPONSE_TIMEOUT_MS: '500' } });
    owner = await registerOrg(t, 'Text Org');
    other = await registerOrg(t, 'Other Org');
    agent = await createAgent(t, owner.orgId, { tools: [{ type: 'end_call' }, { type: 'transfer_to_number', phoneNumber: '+12125551234' }, { type: 'schedule_callback' }] });
  });

  afterAll(async () => {
    await t?.close();
    await model?.close();
  });

  it('talks by text through the same runtime, goes on with conversationId, and ends with a tool', async () => {
    model.queue.push({ kind: 'stream', chunks: ['Hi! ', 'How can I help?'] });
    const first = await owner.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: agent.id } }, body: { message: 'Hello there' } });
    expect(first.response.status).toBe(200);
    expect(first.data).toMatchObject({ reply: 'Hi! How can I help?', mode: 'model', toolCalls: [], ended: false, handoff: null });
    const conversationId = first.data!.conversationId;
    expect(String(model.requests[0]!.messages && (model.requests[0]!.messages as { content: string }[])[0]!.content)).toContain('text test of a phone agent');

    model.queue.push({ kind: 'stream', chunks: ['Transferring you now.'], toolCalls: [{ name: 'transfer_to_number', arguments: {} }] });
    model.queue.push({ kind: 'json', content: '{"summary":"The user asked to be transferred.","outcome":"transferred"}' });
    const second = await owner.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: agent.id } }, body: { message: 'Put me through to sales', conversationId } });
    expect(second.data).toMatchObject({
      conversationId,
      reply: 'Transferring you now.',
      ended: true,
      handoff: { reason: 'transfer', type: 'transfer_to_number', phoneNumber: '+12125551234' },
      toolCalls: [{ name: 'transfer_to_number', arguments: {}, result: 'Transferring the call.' }],
    });
    const history = model.requests[1]!.messages as { role: string; content: string }[];
    expect(history.slice(1).map((m) => [m.role, m.content])).toEqual([
      ['assistant', 'Hello! This is customer support from Acme Corp.'],
      ['user', 'Hello there'],
      ['assistant', 'Hi! How can I help?'],
      ['user', 'Put me through to sales'],
    ]);

    const ended = await owner.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: agent.id } }, body: { message: 'Hello?', conversationId } });
    expect(ended.response.status).toBe(409);

    const detail = await owner.client.GET('/api/ai/conversations/{id}', { params: { path: { id: conversationId } } });
    expect(detail.data).toMatchObject({ channel: 'text', mode: 'model', status: 'ended', endReason: 'transferred', outcome: 'transferred', summary: 'The user asked to be transferred.', callId: null });
    expect(detail.data!.transcript.map((turn) => [turn.role, turn.toolName])).toEqual([
      ['assistant', null],
      ['user', null],
      ['assistant', null],
      ['user', null],
      ['assistant', null],
      ['tool', 'transfer_to_number'],
    ]);
  });

  it('counts no speech in a text conversation: its greeting and replies are never spoken (no text-to-speech cost)', async () => {
    model.queue.push({ kind: 'stream', chunks: ['We are open ', 'nine to five.'] });
    const org = await registerOrg(t, 'Text Speech Org');
    const texting = await createAgent(t, org.orgId);
    const res = await org.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: texting.id } }, body: { message: 'When are you open?' } });
    expect(res.data!.reply).toBe('We are open nine to five.');
    const row = await t.db.selectFrom('ai_conversations').select(['tts_characters', 'stt_seconds', 'completion_tokens']).where('id', '=', res.data!.conversationId).executeTakeFirstOrThrow();
    expect({ ...row, stt_seconds: Number(row.stt_seconds) }).toEqual({ tts_characters: 0, stt_seconds: 0, completion_tokens: expect.any(Number) as number });
    expect(row.completion_tokens).toBeGreaterThan(0);
  });

  it('adds the summary request’s tokens to the conversation’s usage when it ends', async () => {
    model.queue.push({ kind: 'stream', chunks: ['Goodbye!'], toolCalls: [{ name: 'end_call', arguments: {} }], usage: { prompt_tokens: 100, completion_tokens: 10 } });
    // The scripted JSON answer reports usage { prompt_tokens: 10, completion_tokens: 5 }.
    model.queue.push({ kind: 'json', content: '{"summary":"The user said goodbye.","outcome":"completed"}' });
    const requestsBefore = model.requests.length;
    // An organisation of its own: the other tests count the owner's conversations.
    const org = await registerOrg(t, 'Summary Usage Org');
    const ending = await createAgent(t, org.orgId, { tools: [{ type: 'end_call' }] });
    const res = await org.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: ending.id } }, body: { message: 'Bye' } });
    expect(res.data!.ended).toBe(true);
    expect(model.requests.length - requestsBefore).toBe(2);
    const row = await t.db.selectFrom('ai_conversations').select(['prompt_tokens', 'completion_tokens', 'summary', 'status']).where('id', '=', res.data!.conversationId).executeTakeFirstOrThrow();
    expect(row).toEqual({ prompt_tokens: 110, completion_tokens: 15, summary: 'The user said goodbye.', status: 'ended' });
  });

  it('books a callback from a text conversation only with a phone number given', async () => {
    const when = new Date(Date.now() + 86_400_000).toISOString();
    model.queue.push({ kind: 'stream', toolCalls: [{ name: 'schedule_callback', arguments: { scheduledFor: when } }] });
    model.queue.push({ kind: 'stream', toolCalls: [{ name: 'schedule_callback', arguments: { scheduledFor: when, phoneNumber: '+14155550111' } }] });
    model.queue.push({ kind: 'stream', chunks: ['Done.'] });
    const res = await owner.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: agent.id } }, body: { message: 'Call me tomorrow' } });
    expect(res.data!.reply).toBe('Done.');
    expect(res.data!.toolCalls.map((c) => c.result.slice(0, 20))).toEqual(['No callback booked: ', 'Callback booked for ']);
    const booked = await t.db.selectFrom('ai_outbound_calls').select(['to_phone', 'status']).where('org_id', '=', owner.orgId).where('to_phone', '=', '+14155550111').execute();
    expect(booked).toEqual([{ to_phone: '+14155550111', status: 'scheduled' }]);

    // The next request rebuilds the conversation from its turns: the model gets its calls back as made.
    model.queue.push({ kind: 'stream', chunks: ['Anything else?'] });
    const next = await owner.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: agent.id } }, body: { message: 'Thanks', conversationId: res.data!.conversationId } });
    expect(next.data!.reply).toBe('Anything else?');
    const replayed = (model.requests.at(-1)!.messages as { role: string; tool_calls?: { function: { name: string; arguments: string } }[] }[]).flatMap((m) => m.tool_calls ?? []);
    expect(replayed.map((c) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ['schedule_callback', { scheduledFor: when }],
      ['schedule_callback', { scheduledFor: when, phoneNumber: '+14155550111' }],
    ]);
    const detail = await owner.client.GET('/api/ai/conversations/{id}', { params: { path: { id: res.data!.conversationId } } });
    expect(detail.data!.transcript.filter((turn) => turn.role === 'tool').map((turn) => turn.toolArguments)).toEqual([{ scheduledFor: when }, { scheduledFor: when, phoneNumber: '+14155550111' }]);
  });

  it('lists the organisation’s conversations by agent and channel, page by page', async () => {
    const call = await createAgentCall(t, owner.orgId, agent);
    const relay = await connectRelay(t);
    relay.send(setupMessage(call.callSid, call.parameters));
    await relay.prompt('Hi');
    await relay.close();
    const all = await owner.client.GET('/api/ai/conversations', { params: { query: {} } });
    expect(all.response.status).toBe(200);
    expect(all.data!.pagination.total).toBe(3);
    const voice = await owner.client.GET('/api/ai/conversations', { params: { query: { channel: 'voice', agentId: agent.id } } });
    expect(voice.data!.conversations.map((c) => c.callId)).toEqual([call.id]);
    const paged = await owner.client.GET('/api/ai/conversations', { params: { query: { limit: 1, page: 2 } } });
    expect(paged.data!.conversations).toHaveLength(1);
    expect(paged.data!.pagination).toEqual({ page: 2, limit: 1, total: 3, totalPages: 3 });
    const theirs = await other.client.GET('/api/ai/conversations', { params: { query: {} } });
    expect(theirs.data!.pagination.total).toBe(0);
  });

  it('answers one message of a conversation at a time: a second sent meanwhile is a 409, and nothing of either is lost', async () => {
    const org = await registerOrg(t, 'One At A Time Org');
    const quiet = await createAgent(t, org.orgId, { firstMessage: null });
    const send = (message: string, conversationId?: string) =>
      org.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: quiet.id } }, body: { message, ...(conversationId ? { conversationId } : {}) } });
    model.queue.push({ kind: 'stream', chunks: ['First answer.'] });
    const first = await send('One');
    const conversationId = first.data!.conversationId;
    // The model takes 300 ms over the next answer; a second message comes meanwhile.
    model.queue.push({ kind: 'stream', firstTokenDelayMs: 300, chunks: ['Slow answer.'] });
    const slow = send('Two', conversationId);
    await sleep(100);
    const meanwhile = await send('Three', conversationId);
    expect(meanwhile.response.status).toBe(409);
    expect(meanwhile.error).toMatchObject({ code: 'CONFLICT', details: { conversationId: expect.stringContaining('being answered') } });
    expect((await slow).data).toMatchObject({ conversationId, reply: 'Slow answer.' });
    // Answered: the next message is taken, and the transcript holds every answered turn once.
    model.queue.push({ kind: 'stream', chunks: ['Third answer.'] });
    expect((await send('Three again', conversationId)).data).toMatchObject({ reply: 'Third answer.' });
    const detail = await org.client.GET('/api/ai/conversations/{id}', { params: { path: { id: conversationId } } });
    expect(detail.data!.transcript.map((turn) => [turn.role, turn.content])).toEqual([
      ['user', 'One'],
      ['assistant', 'First answer.'],
      ['user', 'Two'],
      ['assistant', 'Slow answer.'],
      ['user', 'Three again'],
      ['assistant', 'Third answer.'],
    ]);
    // A hold left by a server that died lapses.
    await t.db.updateTable('ai_conversations').set({ busy_until: new Date(Date.now() + 60_000) }).where('id', '=', conversationId).execute();
    expect((await send('Blocked', conversationId)).response.status).toBe(409);
    await t.db.updateTable('ai_conversations').set({ busy_until: new Date(Date.now() - 1_000) }).where('id', '=', conversationId).execute();
    model.queue.push({ kind: 'stream', chunks: ['Back.'] });
    expect((await send('After the lapse', conversationId)).data).toMatchObject({ reply: 'Back.' });
  });

  it('keeps organisations apart and checks its input', async () => {
    const own = await owner.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: agent.id } }, body: { message: 'Hi' } });
    const conversationId = own.data!.conversationId;
    const byOther = await other.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: agent.id } }, body: { message: 'Hi' } });
    expect(byOther.response.status).toBe(404);
    const theirAgent = await createAgent(t, other.orgId);
    const foreignConversation = await other.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: theirAgent.id } }, body: { message: 'Hi', conversationId } });
    expect(foreignConversation.response.status).toBe(404);
    expect((await other.client.GET('/api/ai/conversations/{id}', { params: { path: { id: conversationId } } })).response.status).toBe(404);
    expect((await owner.client.GET('/api/ai/conversations/{id}', { params: { path: { id: 'not-a-uuid' } } })).response.status).toBe(404);
    expect((await owner.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: 'nope' } }, body: { message: 'Hi' } })).response.status).toBe(404);

    const before = await t.db.selectFrom('ai_conversations').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const empty = await owner.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: agent.id } }, body: { message: '' } });
    expect(empty.response.status).toBe(400);
    expect(JSON.stringify(empty.error)).toContain('message');
    const extra = await owner.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: agent.id } }, body: { message: 'Hi', mood: 'happy' } as never });
    expect(extra.response.status).toBe(400);
    const badChannel = await owner.client.GET('/api/ai/conversations', { params: { query: { channel: 'fax' as never } } });
    expect(badChannel.response.status).toBe(400);
    const after = await t.db.selectFrom('ai_conversations').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);

    const agentUser = await addMember(t, owner, 'agent');
    expect((await agentUser.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: agent.id } }, body: { message: 'Hi' } })).response.status).toBe(403);
    expect((await t.client().GET('/api/ai/conversations', { params: { query: {} } })).response.status).toBe(401);
  });
});

describe('the local mode (no AI_BASE_URL)', () => {
  let t: TestApp;
  let owner: Member;
  let agent: TestAgent;

  beforeAll(async () => {
    t = await startTestApp();
    owner = await registerOrg(t, 'Local Org');
    agent = await createAgent(t, owner.orgId, { tools: [{ type: 'search_knowledge_base' }] });
    await addKnowledge(t, owner.orgId, agent.id, 'Returns policy', ['Items can be returned within thirty days with the receipt.', 'Store credit is given for returns without a receipt.']);
    await addKnowledge(t, owner.orgId, null, 'Opening hours', ['The shop is open from nine to five, Monday to Saturday.']);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers from the knowledge base alone, labelled, through the test endpoint', async () => {
    const first = await owner.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: agent.id } }, body: { message: 'Do I get store credit for a return without a receipt?' } });
    expect(first.data!.mode).toBe('local');
    expect(first.data!.reply).toBe(`${LOCAL_MODE_LABEL} From "Returns policy": Store credit is given for returns without a receipt.`);
    const conversationId = first.data!.conversationId;
    const second = await owner.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: agent.id } }, body: { message: 'When are you open?', conversationId } });
    expect(second.data!.reply).toBe('From "Opening hours": The shop is open from nine to five, Monday to Saturday.');
    const third = await owner.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: agent.id } }, body: { message: 'zebra astronomy', conversationId } });
    expect(third.data!.reply).toBe(LOCAL_NO_ANSWER);
    const detail = await owner.client.GET('/api/ai/conversations/{id}', { params: { path: { id: conversationId } } });
    expect(detail.data).toMatchObject({ mode: 'local', status: 'active' });
    expect(detail.data!.transcript.filter((turn) => turn.role === 'assistant' && turn.firstTokenMs !== null)).toHaveLength(3);
  });

  it('answers a call over ConversationRelay, and summarises by rules when the caller hangs up', async () => {
    const call = await createAgentCall(t, owner.orgId, agent);
    const relay = await connectRelay(t);
    relay.send(setupMessage(call.callSid, call.parameters));
    const answer = await relay.prompt('What are your opening hours?');
    expect(answer.text).toBe(`${LOCAL_MODE_LABEL} From "Opening hours": The shop is open from nine to five, Monday to Saturday.`);
    await relay.close();
    let row;
    for (let i = 0; i < 200 && row?.status !== 'ended'; i += 1) {
      row = await t.db.selectFrom('ai_conversations').selectAll().where('call_id', '=', call.id).executeTakeFirst();
      await sleep(25);
    }
    expect(row).toMatchObject({ mode: 'local', status: 'ended', outcome: 'caller_hung_up', end_reason: 'caller_hung_up' });
    expect(row!.summary).toBe('The caller opened with "What are your opening hours?" (1 message). Then the caller hung up.');
  });
});
