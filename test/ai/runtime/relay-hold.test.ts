// One socket runs a call's conversation (voice-hold.ts): a second ConversationRelay socket for the
// same call while the first is open is refused, and the first's turns are all kept; a socket that
// comes after the server holding the conversation died (its hold lapsed) goes on with it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { createAgent, createAgentCall, sleep, type TestAgent } from './fixtures.js';
import { connectRelay, setupMessage, type RelayClient } from './relay-client.js';
import { startScriptedModel, type ScriptedModel } from './scripted-model.js';
import { keepVoiceHold } from '../../../server/ai/runtime/voice-hold.js';

let t: TestApp;
let model: ScriptedModel;
let owner: Member;
let agent: TestAgent;
const open: RelayClient[] = [];

beforeAll(async () => {
  model = await startScriptedModel();
  t = await startTestApp({ env: { AI_BASE_URL: model.baseUrl, AI_API_KEY: 'sk-test-key', AI_RESPONSE_TIMEOUT_MS: '500' } });
  owner = await registerOrg(t, 'Relay Hold Org');
  agent = await createAgent(t, owner.orgId);
});

afterAll(async () => {
  for (const c of open) await c.close();
  await t?.close();
  await model?.close();
});

beforeEach(() => {
  model.queue.length = 0;
});

const conversationOf = (callId: number) => t.db.selectFrom('ai_conversations').selectAll().where('call_id', '=', callId).executeTakeFirst();
const turnsOf = async (id: string) =>
  (await t.db.selectFrom('ai_turns').select(['seq', 'role', 'content']).where('conversation_id', '=', id).orderBy('seq').execute()).map((r) => [r.seq, r.role, r.content]);

async function endedConversation(callId: number) {
  for (let i = 0; i < 200; i += 1) {
    const row = await conversationOf(callId);
    if (row?.status === 'ended') return row;
    await sleep(25);
  }
  throw new Error('the conversation did not end');
}

async function openSocket(call: Awaited<ReturnType<typeof createAgentCall>>): Promise<RelayClient> {
  const relay = await connectRelay(t);
  open.push(relay);
  relay.send(setupMessage(call.callSid, call.parameters));
  return relay;
}

describe('one socket per conversation', () => {
  it('refuses a second socket for a call while the first runs its conversation; nothing of the first is lost', async () => {
    const call = await createAgentCall(t, owner.orgId, agent);
    const first = await openSocket(call);
    while (!(await conversationOf(call.id))) await sleep(20);
    const second = await openSocket(call);
    const end = await second.waitFor((m) => m.type === 'end');
    expect(JSON.parse(end.handoffData!)).toEqual({ reason: 'error' });

    model.queue.push({ kind: 'stream', chunks: ['We open at nine.'] });
    expect((await first.prompt('When do you open?')).text).toBe('We open at nine.');
    model.queue.push({ kind: 'stream', chunks: ['We close at five.'] });
    expect((await first.prompt('And close?')).text).toBe('We close at five.');
    await second.close();
    await sleep(200);
    expect((await conversationOf(call.id))?.status).toBe('active');
    await first.close();

    const conversation = await endedConversation(call.id);
    expect(await turnsOf(conversation.id)).toEqual([
      [0, 'assistant', agent.settings.firstMessage],
      [1, 'user', 'When do you open?'],
      [2, 'assistant', 'We open at nine.'],
      [3, 'user', 'And close?'],
      [4, 'assistant', 'We close at five.'],
    ]);
    expect(conversation.busy_until).toBeNull();
  });

  it('goes on with the conversation when its holder died (the hold lapsed), at the next turn', async () => {
    const call = await createAgentCall(t, owner.orgId, agent);
    const conversation = await t.db
      .insertInto('ai_conversations')
      .values({ org_id: owner.orgId, agent_id: agent.id, agent_version: agent.version, channel: 'voice', mode: 'model', call_id: call.id, busy_until: new Date(Date.now() - 1000) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('ai_turns')
      .values([
        { conversation_id: conversation.id, seq: 0, role: 'assistant', content: 'Hello!', started_at: new Date() },
        { conversation_id: conversation.id, seq: 1, role: 'user', content: 'Hi there', started_at: new Date() },
      ])
      .execute();
    const relay = await openSocket(call);
    model.queue.push({ kind: 'stream', chunks: ['Welcome back.'] });
    expect((await relay.prompt('Are you still there?')).text).toBe('Welcome back.');
    expect((await conversationOf(call.id))!.busy_until!.getTime()).toBeGreaterThan(Date.now());
    await relay.close();
    await endedConversation(call.id);
    expect(await turnsOf(conversation.id)).toEqual([
      [0, 'assistant', 'Hello!'],
      [1, 'user', 'Hi there'],
      [2, 'user', 'Are you still there?'],
      [3, 'assistant', 'Welcome back.'],
    ]);
  });

  it('renews the hold while the socket is open, and stops when told', async () => {
    const call = await createAgentCall(t, owner.orgId, agent);
    const { id } = await t.db
      .insertInto('ai_conversations')
      .values({ org_id: owner.orgId, agent_id: agent.id, agent_version: agent.version, channel: 'voice', mode: 'model', call_id: call.id, busy_until: new Date(Date.now() - 1000) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const hold = keepVoiceHold(t.db, owner.orgId, id, 0.3);
    await sleep(250);
    await hold.stop();
    const renewed = (await conversationOf(call.id))!.busy_until!;
    expect(renewed.getTime()).toBeGreaterThan(Date.now());
    await sleep(250);
    expect((await conversationOf(call.id))!.busy_until).toEqual(renewed);
  });
});
