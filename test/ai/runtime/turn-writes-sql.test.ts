// record_ai_turn_writes (migration 0040) through recordTurnWrites, on each database: turns, a cut
// of a turn written in the same batch, usage added up over batches, a seq already stored left as
// it was, and the timings and tool arguments kept as given; text PostgreSQL cannot hold (a NUL, an
// unpaired surrogate a model wrote) stored as U+FFFD, in a batch and in a conversation's end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endConversation, insertConversation, recordTurnWrites, turnsOf } from '../../../server/ai/runtime/queries.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { createAgent } from './fixtures.js';

let t: TestApp;
let conversationId: string;

beforeAll(async () => {
  t = await startTestApp();
  const org = await t.db.insertInto('organizations').values({ name: 'Turn Writes Org' }).returning('id').executeTakeFirstOrThrow();
  const agent = await createAgent(t, org.id);
  conversationId = (await insertConversation(t.db, { orgId: org.id, agentId: agent.id, agentVersion: agent.version, channel: 'text', mode: 'model', callId: null, outboundCallId: null })).id;
});

afterAll(async () => {
  await t?.close();
});

describe('recordTurnWrites', () => {
  it('writes the turns, then the cuts (even of a turn in the same batch), then the usage', async () => {
    const startedAt = new Date('2026-12-05T10:00:00.000Z');
    await recordTurnWrites(t.db, conversationId, {
      turns: [
        { seq: 0, role: 'user', content: 'When are you open?', startedAt },
        { seq: 1, role: 'tool', content: '{"open":"9-5"}', toolName: 'search_knowledge_base', toolCallId: 'call_1', toolArguments: { query: 'hours' }, startedAt },
        { seq: 2, role: 'assistant', content: 'We are open nine to five, Monday to Friday.', startedAt, endedAt: new Date('2026-12-05T10:00:01.500Z'), firstTokenMs: 204, modelFirstTokenMs: 201 },
      ],
      cuts: new Map([[2, 'We are open nine']]),
      usage: { promptTokens: 80, completionTokens: 12, sttSeconds: 1.25, ttsCharacters: 16 },
    });
    await recordTurnWrites(t.db, conversationId, {
      turns: [{ seq: 0, role: 'user', content: 'a second writer of seq 0', startedAt }],
      cuts: new Map(),
      usage: { promptTokens: 20, completionTokens: 3, sttSeconds: 0.5, ttsCharacters: 4 },
    });

    const rows = await turnsOf(t.db, conversationId);
    expect(rows.map((r) => [r.seq, r.role, r.content, r.interrupted])).toEqual([
      [0, 'user', 'When are you open?', false],
      [1, 'tool', '{"open":"9-5"}', false],
      [2, 'assistant', 'We are open nine', true],
    ]);
    expect(rows[1]).toMatchObject({ tool_name: 'search_knowledge_base', tool_call_id: 'call_1', tool_arguments: { query: 'hours' } });
    expect(rows[2]).toMatchObject({ first_token_ms: 204, model_first_token_ms: 201 });
    expect(new Date(rows[2]!.started_at).toISOString()).toBe('2026-12-05T10:00:00.000Z');
    expect(new Date(rows[2]!.ended_at!).toISOString()).toBe('2026-12-05T10:00:01.500Z');

    const conversation = await t.db.selectFrom('ai_conversations').select(['prompt_tokens', 'completion_tokens', 'stt_seconds', 'tts_characters']).where('id', '=', conversationId).executeTakeFirstOrThrow();
    expect({ ...conversation, stt_seconds: Number(conversation.stt_seconds) }).toEqual({ prompt_tokens: 100, completion_tokens: 15, stt_seconds: 1.75, tts_characters: 20 });
  });

  it('stores a batch whose text PostgreSQL cannot hold as given (a NUL, an unpaired surrogate from the model): each becomes U+FFFD, nothing of the batch lost', async () => {
    const org = await t.db.insertInto('organizations').values({ name: 'Turn Writes NUL Org' }).returning('id').executeTakeFirstOrThrow();
    const agent = await createAgent(t, org.id);
    const id = (await insertConversation(t.db, { orgId: org.id, agentId: agent.id, agentVersion: agent.version, channel: 'voice', mode: 'model', callId: null, outboundCallId: null })).id;
    const startedAt = new Date();
    await recordTurnWrites(t.db, id, {
      turns: [
        { seq: 0, role: 'user', content: 'Hello', startedAt },
        { seq: 1, role: 'tool', content: 'ok', toolName: 'send_digits', toolCallId: 'call_1', toolArguments: { digits: '1\u00002', ['k\u0000']: ['\ud83d'] }, startedAt },
        { seq: 2, role: 'assistant', content: 'Hi\u0000 there \ud83d!', startedAt },
      ],
      cuts: new Map([[2, 'Hi\u0000']]),
      usage: { promptTokens: 10, completionTokens: 2, sttSeconds: 1, ttsCharacters: 9 },
    });
    const rows = await turnsOf(t.db, id);
    expect(rows.map((r) => [r.seq, r.content, r.interrupted])).toEqual([
      [0, 'Hello', false],
      [1, 'ok', false],
      [2, 'Hi\uFFFD', true],
    ]);
    expect(rows[1]!.tool_arguments).toEqual({ digits: '1\uFFFD2', ['k\uFFFD']: ['\uFFFD'] });
    const usage = await t.db.selectFrom('ai_conversations').select(['prompt_tokens', 'tts_characters']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(usage).toEqual({ prompt_tokens: 10, tts_characters: 9 });

    // The model's summary, and a transfer's note it gave, end the conversation the same way.
    const ended = await endConversation(t.db, org.id, id, { endReason: 'transferred', handoff: { reason: 'transfer', note: 'VIP\u0000' }, summary: 'Asked\u0000 for \udc00a person.', outcome: 'transferred', usage: null });
    expect(ended).toBe(true);
    const row = await t.db.selectFrom('ai_conversations').select(['status', 'summary', 'handoff']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'ended', summary: 'Asked\uFFFD for \uFFFDa person.', handoff: { reason: 'transfer', note: 'VIP\uFFFD' } });
  });
});
