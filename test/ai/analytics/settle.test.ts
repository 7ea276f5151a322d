// The cost settler: every ended AI call priced once from the configured rates (AI_RATES), the
// waiting rules, idempotence, and several settlers at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleAgentCallBatch, settleConversationBatch, settleCosts, settleOutboundBatch } from '../../../server/ai/analytics/settle.js';
import { registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { waitFor } from '../../helpers/wait-for.js';
import { insertAgent, insertCall, insertConversation, insertOutbound } from './helpers.js';

// telephony 0.01 / started minute, stt 0.02 / minute, model 0.5 and 1.5 / 1k tokens, tts 0.25 / 1k characters.
const AI_RATES = 'telephony=0.01,stt=0.02,llmInput=0.5,llmOutput=1.5,tts=0.25';
const HOUR = 3_600_000;

let t: TestApp;
let orgId: string;
let agentId: string;
const ago = (ms: number) => new Date(Date.now() - ms);
const rates = () => t.config.aiRates;

async function outboundCost(id: string) {
  const row = await t.db.selectFrom('ai_outbound_calls').select(['cost', 'cost_breakdown', 'updated_at']).where('id', '=', id).executeTakeFirstOrThrow();
  return { cost: row.cost === null ? null : Number(row.cost), breakdown: row.cost_breakdown };
}

async function conversationCost(id: string) {
  const row = await t.db.selectFrom('ai_conversations').select(['cost', 'cost_breakdown', 'priced_at']).where('id', '=', id).executeTakeFirstOrThrow();
  return { cost: row.cost === null ? null : Number(row.cost), breakdown: row.cost_breakdown, priced: row.priced_at !== null };
}

beforeAll(async () => {
  t = await startTestApp({ env: { AI_CALL_INTERVAL_MS: '0', AI_RATES } });
  orgId = (await registerOrg(t, 'Costs Org')).orgId;
  agentId = await insertAgent(t.db, orgId, 'Support');
});
afterAll(async () => t.close());

describe('rates', () => {
  it('come from AI_RATES in the configuration', () => {
    expect(rates()).toEqual({ telephonyPerMinute: 0.01, sttPerMinute: 0.02, llmInputPer1kTokens: 0.5, llmOutputPer1kTokens: 1.5, ttsPer1kCharacters: 0.25 });
  });
});

describe('settling', () => {
  it('prices an ended outbound call with its conversation, once; the conversation gets no cost of its own', async () => {
    const call = await insertOutbound(t.db, orgId, agentId, { startedAt: ago(2 * HOUR), endedAt: ago(HOUR), durationSec: 125 });
    const conversation = await insertConversation(t.db, orgId, agentId, {
      outboundCallId: call,
      startedAt: ago(2 * HOUR),
      endedAt: ago(HOUR),
      promptTokens: 2000,
      completionTokens: 100,
      sttSeconds: 30,
      ttsCharacters: 1234,
    });
    const priced = await settleOutboundBatch(t.db, { rates: rates() });
    expect(priced).toEqual([{ id: call, cost: { telephony: 0.03, stt: 0.01, llm: 1.15, tts: 0.3085, total: 1.4985 } }]);
    expect(await outboundCost(call)).toEqual({ cost: 1.4985, breakdown: { telephony: 0.03, stt: 0.01, llm: 1.15, tts: 0.3085 } });
    expect(await conversationCost(conversation)).toEqual({ cost: null, breakdown: null, priced: true });
    // Again: nothing left to price, nothing changed.
    expect(await settleCosts(t.db, { rates: rates() })).toEqual({ outbound: 0, conversations: 0, calls: 0 });
    expect(await outboundCost(call)).toEqual({ cost: 1.4985, breakdown: { telephony: 0.03, stt: 0.01, llm: 1.15, tts: 0.3085 } });
  });

  it("takes the call's duration and a conversation linked by the call when the attempt has neither", async () => {
    const callId = await insertCall(t.db, orgId, { agentId, direction: 'outbound', durationSec: 61, createdAt: ago(2 * HOUR) });
    const call = await insertOutbound(t.db, orgId, agentId, { startedAt: ago(2 * HOUR), endedAt: ago(HOUR), callId });
    const conversation = await insertConversation(t.db, orgId, agentId, { callId, startedAt: ago(2 * HOUR), endedAt: ago(HOUR), promptTokens: 1000 });
    const done = await settleCosts(t.db, { rates: rates() });
    expect(done).toEqual({ outbound: 1, conversations: 0, calls: 0 });
    expect(await outboundCost(call)).toEqual({ cost: 0.52, breakdown: { telephony: 0.02, stt: 0, llm: 0.5, tts: 0 } });
    expect(await conversationCost(conversation)).toEqual({ cost: null, breakdown: null, priced: true });
  });

  it("takes the conversations' own length for an answered call whose final status never came (no duration anywhere)", async () => {
    // The worker ended it `completed` with its length unknown (server/ai/outbound/worker.ts).
    const call = await insertOutbound(t.db, orgId, agentId, { startedAt: ago(2 * HOUR), endedAt: ago(HOUR), durationSec: null });
    const start = ago(2 * HOUR);
    await insertConversation(t.db, orgId, agentId, { outboundCallId: call, startedAt: start, endedAt: new Date(start.getTime() + 150_000), sttSeconds: 60 });
    expect(await settleOutboundBatch(t.db, { rates: rates() })).toEqual([{ id: call, cost: { telephony: 0.03, stt: 0.02, llm: 0, tts: 0, total: 0.05 } }]);
    // A crash left the conversation active: its length runs to its last turn.
    const crashed = await insertOutbound(t.db, orgId, agentId, { startedAt: ago(2 * HOUR), endedAt: ago(HOUR), durationSec: null });
    const active = await insertConversation(t.db, orgId, agentId, { outboundCallId: crashed, startedAt: start });
    await t.db
      .insertInto('ai_turns')
      .values([
        { conversation_id: active, seq: 1, role: 'assistant', content: 'Hello', started_at: new Date(start.getTime() + 1_000), ended_at: new Date(start.getTime() + 3_000) },
        { conversation_id: active, seq: 2, role: 'user', content: 'Hi', started_at: new Date(start.getTime() + 61_000), ended_at: null },
      ])
      .execute();
    expect(await settleOutboundBatch(t.db, { rates: rates() })).toEqual([{ id: crashed, cost: { telephony: 0.02, stt: 0, llm: 0, tts: 0, total: 0.02 } }]);
  });

  it('prices an unanswered attempt at 0, and leaves calls not ended alone', async () => {
    const unanswered = await insertOutbound(t.db, orgId, agentId, { status: 'no-answer', startedAt: ago(HOUR), endedAt: ago(HOUR), durationSec: 0 });
    const ongoing = await insertOutbound(t.db, orgId, agentId, { status: 'in-progress', startedAt: ago(HOUR) });
    expect(await settleCosts(t.db, { rates: rates() })).toEqual({ outbound: 1, conversations: 0, calls: 0 });
    expect(await outboundCost(unanswered)).toEqual({ cost: 0, breakdown: { telephony: 0, stt: 0, llm: 0, tts: 0 } });
    expect(await outboundCost(ongoing)).toEqual({ cost: null, breakdown: null });
  });

  it('waits while a conversation of the call is still active, until it is stale', async () => {
    const call = await insertOutbound(t.db, orgId, agentId, { startedAt: ago(5 * 60_000), endedAt: ago(60_000), durationSec: 60 });
    await insertConversation(t.db, orgId, agentId, { outboundCallId: call, startedAt: ago(5 * 60_000), completionTokens: 1000 });
    expect(await settleCosts(t.db, { rates: rates() })).toEqual({ outbound: 0, conversations: 0, calls: 0 });
    expect(await outboundCost(call)).toEqual({ cost: null, breakdown: null });
    // 15 minutes after the call ended the conversation no longer holds it back.
    expect(await settleCosts(t.db, { rates: rates(), now: new Date(Date.now() + 15 * 60_000) })).toEqual({ outbound: 1, conversations: 0, calls: 0 });
    expect(await outboundCost(call)).toEqual({ cost: 1.51, breakdown: { telephony: 0.01, stt: 0, llm: 1.5, tts: 0 } });
  });

  it('waits settleDelayMs after the end (the summary may still add tokens)', async () => {
    const call = await insertOutbound(t.db, orgId, agentId, { startedAt: ago(60_000), endedAt: ago(10_000), durationSec: 30 });
    expect(await settleCosts(t.db, { rates: rates() })).toEqual({ outbound: 0, conversations: 0, calls: 0 });
    expect(await settleCosts(t.db, { rates: rates(), settleDelayMs: 0 })).toEqual({ outbound: 1, conversations: 0, calls: 0 });
    expect(await outboundCost(call)).toEqual({ cost: 0.01, breakdown: { telephony: 0.01, stt: 0, llm: 0, tts: 0 } });
  });

  it("prices an inbound call's conversation on its own row, with the call's duration", async () => {
    const callId = await insertCall(t.db, orgId, { agentId, durationSec: 90, createdAt: ago(2 * HOUR) });
    const conversation = await insertConversation(t.db, orgId, agentId, { callId, startedAt: ago(2 * HOUR), endedAt: ago(HOUR), sttSeconds: 60, completionTokens: 1000 });
    expect(await settleConversationBatch(t.db, { rates: rates() })).toEqual([{ id: conversation, cost: { telephony: 0.02, stt: 0.02, llm: 1.5, tts: 0, total: 1.54 } }]);
    expect(await conversationCost(conversation)).toEqual({ cost: 1.54, breakdown: { telephony: 0.02, stt: 0.02, llm: 1.5, tts: 0 }, priced: true });
    expect(await settleConversationBatch(t.db, { rates: rates() })).toEqual([]);
  });

  it("waits for the inbound call's duration, then takes the conversation's own length when it is stale", async () => {
    const callId = await insertCall(t.db, orgId, { agentId, status: 'in-progress', durationSec: null });
    const end = ago(60_000);
    const conversation = await insertConversation(t.db, orgId, agentId, { callId, startedAt: new Date(end.getTime() - 150_000), endedAt: end });
    expect(await settleCosts(t.db, { rates: rates() })).toEqual({ outbound: 0, conversations: 0, calls: 0 });
    expect(await settleCosts(t.db, { rates: rates(), now: new Date(Date.now() + 15 * 60_000) })).toEqual({ outbound: 0, conversations: 1, calls: 0 });
    expect(await conversationCost(conversation)).toEqual({ cost: 0.03, breakdown: { telephony: 0.03, stt: 0, llm: 0, tts: 0 }, priced: true });
  });

  it("prices an agent's inbound call that never reached a conversation on the call, telephony only, once", async () => {
    const hungUp = await insertCall(t.db, orgId, { agentId, durationSec: 75, createdAt: ago(2 * HOUR), endedAt: ago(HOUR) });
    const talked = await insertCall(t.db, orgId, { agentId, durationSec: 90, createdAt: ago(2 * HOUR), endedAt: ago(HOUR) });
    const conversation = await insertConversation(t.db, orgId, agentId, { callId: talked, startedAt: ago(2 * HOUR), endedAt: ago(HOUR), completionTokens: 1000 });
    const viaExotel = await insertCall(t.db, orgId, { agentId, durationSec: 60, createdAt: ago(2 * HOUR), endedAt: ago(HOUR), source: 'exotel' });
    const recent = await insertCall(t.db, orgId, { agentId, durationSec: 30, createdAt: ago(60_000), endedAt: ago(10_000) });
    const batch = await settleAgentCallBatch(t.db, { rates: rates() });
    expect(batch.priced).toEqual([{ id: String(hungUp), cost: { telephony: 0.02, stt: 0, llm: 0, tts: 0, total: 0.02 } }]);
    expect(batch.seen).toBe(3); // the recent call waits settleDelayMs
    const rows = await t.db.selectFrom('calls').select(['id', 'ai_cost', 'ai_cost_breakdown', 'ai_priced_at']).where('id', 'in', [hungUp, talked, viaExotel, recent]).orderBy('id').execute();
    expect(rows.map((r) => ({ id: r.id, cost: r.ai_cost === null ? null : Number(r.ai_cost), breakdown: r.ai_cost_breakdown, priced: r.ai_priced_at !== null }))).toEqual([
      { id: hungUp, cost: 0.02, breakdown: { telephony: 0.02, stt: 0, llm: 0, tts: 0 }, priced: true },
      { id: talked, cost: null, breakdown: null, priced: true },
      { id: viaExotel, cost: null, breakdown: null, priced: true },
      { id: recent, cost: null, breakdown: null, priced: false },
    ]);
    // The conversation is priced on its own row as before; nothing is priced twice.
    expect(await settleCosts(t.db, { rates: rates() })).toEqual({ outbound: 0, conversations: 1, calls: 0 });
    expect(await conversationCost(conversation)).toMatchObject({ cost: 1.52, priced: true });
    expect(await settleAgentCallBatch(t.db, { rates: rates() })).toEqual({ priced: [], seen: 0 });
  });

  it('prices a text test session by its model tokens only', async () => {
    const conversation = await insertConversation(t.db, orgId, agentId, { channel: 'text', startedAt: ago(3 * HOUR), endedAt: ago(HOUR), promptTokens: 1000 });
    expect(await settleCosts(t.db, { rates: rates() })).toEqual({ outbound: 0, conversations: 1, calls: 0 });
    expect(await conversationCost(conversation)).toEqual({ cost: 0.5, breakdown: { telephony: 0, stt: 0, llm: 0.5, tts: 0 }, priced: true });
  });
});

describe('several settlers at once', () => {
  it('price every call exactly once between them', async () => {
    const N = 40;
    const crowd = await insertAgent(t.db, orgId, 'Crowd');
    for (let i = 0; i < N; i++) {
      const call = await insertOutbound(t.db, orgId, crowd, { startedAt: ago(2 * HOUR), endedAt: ago(HOUR), durationSec: 60 + i });
      await insertConversation(t.db, orgId, crowd, { outboundCallId: call, startedAt: ago(2 * HOUR), endedAt: ago(HOUR), promptTokens: 100 * i });
      const callId = await insertCall(t.db, orgId, { agentId: crowd, durationSec: 30, createdAt: ago(2 * HOUR) });
      await insertConversation(t.db, orgId, crowd, { callId, startedAt: ago(2 * HOUR), endedAt: ago(HOUR), completionTokens: 10 });
    }
    const results = await Promise.all([1, 2, 3, 4].map(() => settleCosts(t.db, { rates: rates(), batchSize: 7 })));
    expect(results.reduce((sum, r) => sum + r.outbound, 0)).toBe(N);
    expect(results.reduce((sum, r) => sum + r.conversations, 0)).toBe(N);
    const left = await t.db.selectFrom('ai_outbound_calls').select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', orgId).where('ended_at', 'is not', null).where('cost', 'is', null).executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
    // Each was priced from its own usage: 60+i seconds → 1 or 2 minutes, 100·i prompt tokens.
    const costs = await t.db.selectFrom('ai_outbound_calls').select(['duration_sec', 'cost']).where('agent_id', '=', crowd).orderBy('duration_sec').execute();
    expect(costs.map((c) => Number(c.cost))).toEqual(Array.from({ length: N }, (_, i) => Math.round(((i === 0 ? 0.01 : 0.02) + (100 * i * 0.5) / 1000) * 10_000) / 10_000));
  });
});

describe('the background settler of the app (AI_CALL_INTERVAL_MS)', () => {
  it('prices ended calls on its own', async () => {
    const call = await insertOutbound(t.db, orgId, agentId, { startedAt: ago(2 * HOUR), endedAt: ago(HOUR), durationSec: 600 });
    t = await t.restart({ AI_CALL_INTERVAL_MS: '50' });
    const priced = await waitFor('the settler', () => outboundCost(call), (c) => c.cost !== null);
    expect(priced).toEqual({ cost: 0.1, breakdown: { telephony: 0.1, stt: 0, llm: 0, tts: 0 } });
  });
});
