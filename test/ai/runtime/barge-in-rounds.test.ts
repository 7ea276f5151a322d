// Barge-in on an answer that runs over several rounds (text, tool calls, the model's next round),
// on a ConversationSession with a scripted model client and a tool that waits for the test: a
// barge-in while the tool runs, or while the next round waits for the model, cuts what this answer
// said, stops its remaining rounds, and never touches an earlier, fully spoken answer.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatRequest, ModelClient } from '../../../server/ai/runtime/model-client.js';

let releaseTool: () => void = () => {};
vi.mock('../../../server/ai/runtime/tool-runner.js', () => ({
  runTool: vi.fn(
    () =>
      new Promise((resolve) => {
        releaseTool = () => resolve({ result: 'We ship to Canada.', end: null });
      }),
  ),
}));

import { ConversationSession } from '../../../server/ai/runtime/session.js';
import { registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { createAgent } from './fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { AI_CALL_INTERVAL_MS: '0' } });
});
afterAll(async () => t?.close());

const log = { warn() {}, info() {}, debug() {}, error() {}, child: () => log } as never;
const sink = { text() {}, end() {}, act() {} };
const say = (text: string) => ({ text, kind: 'speech' as const, receivedAt: 0 });
const CHECKING = 'Let me check that for you.';
const toolCall = { type: 'toolCalls' as const, calls: [{ id: 'c1', name: 'search_knowledge_base', arguments: '{"query":"canada"}' }] };

async function openSession(name: string, model: ModelClient) {
  const owner = await registerOrg(t, name);
  const agent = await createAgent(t, owner.orgId, { tools: [{ type: 'search_knowledge_base' }] });
  const conversation = await t.db
    .insertInto('ai_conversations')
    .values({ org_id: owner.orgId, agent_id: agent.id, agent_version: agent.version, channel: 'voice', mode: 'model' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const session = new ConversationSession(
    { db: t.db, config: { aiResponseTimeoutMs: 5000 }, model, embedder: null, log },
    {
      conversationId: conversation.id,
      orgId: owner.orgId,
      version: { agentId: agent.id, orgId: owner.orgId, version: agent.version, settings: agent.settings, createdAt: new Date() },
      channel: 'voice',
      mode: 'model',
      personPhone: '+13105550123',
      outboundContext: null,
      outbound: false,
    },
  );
  const assistantTurns = async () => {
    await session.flush();
    const rows = await t.db.selectFrom('ai_turns').select(['role', 'content', 'interrupted']).where('conversation_id', '=', conversation.id).orderBy('seq').execute();
    return rows.filter((r) => r.role === 'assistant').map((r) => [r.content, r.interrupted]);
  };
  return { session, assistantTurns };
}

describe('barge-in on an answer with tool calls', () => {
  it('while its tool runs: cuts what it said, asks the model nothing more, leaves the answer before it whole', async () => {
    const requests: ChatRequest[] = [];
    const scripts = [[{ type: 'text' as const, text: 'We open at nine.' }], [{ type: 'text' as const, text: CHECKING }, toolCall], [{ type: 'text' as const, text: 'OK.' }]];
    const model: ModelClient = {
      async *stream(request) {
        requests.push(structuredClone(request));
        yield* scripts.shift()!;
      },
      complete: async () => ({ text: '', usage: { promptTokens: 0, completionTokens: 0 } }),
    };
    const { session, assistantTurns } = await openSession('Barge-in Tool', model);
    await session.respond(say('When do you open?'), sink);
    const answer = session.respond(say('Do you ship to Canada?'), sink);
    await vi.waitFor(() => expect(requests).toHaveLength(2));
    await new Promise((r) => setTimeout(r, 20)); // the tool is running
    session.interrupt('Let me');
    releaseTool();
    await answer;
    expect(requests).toHaveLength(2); // no round after the tool

    await session.respond(say('Thanks'), sink);
    const history = requests.at(-1)!.messages.filter((m) => m.role === 'assistant').map((m) => m.content);
    expect(history).toEqual(['We open at nine.', 'Let me']);
    expect(await assistantTurns()).toEqual([
      ['We open at nine.', false],
      ['Let me', true],
      ['OK.', false],
    ]);
  });

  it('while its next round waits for the model: cuts the first round’s text, adds no turn beside it', async () => {
    const requests: ChatRequest[] = [];
    const model: ModelClient = {
      async *stream(request, signal) {
        requests.push(structuredClone(request));
        if (requests.length === 1) {
          yield { type: 'text', text: CHECKING };
          yield toolCall;
          return;
        }
        if (requests.length === 2) await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
        yield { type: 'text', text: 'OK.' };
      },
      complete: async () => ({ text: '', usage: { promptTokens: 0, completionTokens: 0 } }),
    };
    const { session, assistantTurns } = await openSession('Barge-in Round', model);
    const answer = session.respond(say('Do you ship to Canada?'), sink);
    await vi.waitFor(() => expect(requests).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 10));
    releaseTool();
    await vi.waitFor(() => expect(requests).toHaveLength(2));
    session.interrupt('Let me');
    const result = await answer;
    expect(result.reply).toBe('Let me');
    expect(await assistantTurns()).toEqual([['Let me', true]]);

    await session.respond(say('Sorry, go on'), sink);
    const last = requests.at(-1)!.messages;
    expect(last.filter((m) => m.role === 'assistant').map((m) => m.content)).toEqual(['Let me']);
    expect(last.at(-1)).toEqual({ role: 'user', content: 'Sorry, go on' });
  });
});
