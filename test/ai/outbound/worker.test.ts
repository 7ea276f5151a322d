// The AI outbound worker with a recording carrier and an injected clock (as the dialer's tests):
// due calls placed high priority first from the agent's number; DNC never dialled; calling hours
// in the call's zone (23:00 → 08:00); an agent without a number or inactive; a refusal; lapsed
// leases never dialling twice (an answered call whose final status was lost ends completed); the
// answer webhook (TwiML to the agent, the call recorded once) and the status webhook (final once,
// retries by the agent's policy with backoff); an attempt placed but unanswered is still an AI
// call in the analytics (started_at with its CallSid).
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { aiOutboundUrls } from '../../../server/ai/outbound/urls.js';
import { type AiCallWorkerDeps, runAiCallTick } from '../../../server/ai/outbound/worker.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { postWebhook } from '../../helpers/twilio-webhook.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { assignNumber, createAiAgent, outboundIdOf, recordingTelephony } from './helpers.js';

let t: TestApp;
let owner: Member;
let agentId: string;
let agentNumber: string;

/** Noon UTC on a Monday, years after any real call of the test: every call created is due. */
const NOON = new Date('2031-06-02T12:00:00Z');

function deps(telephony: AiCallWorkerDeps['telephony'], now: Date = NOON, batch?: number): AiCallWorkerDeps {
  return { db: t.db, telephony, urls: aiOutboundUrls(t.config.publicBaseUrl), now: () => now, ...(batch ? { batch } : {}) };
}

const row = (id: string) => t.db.selectFrom('ai_outbound_calls').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

async function create(body: Record<string, unknown>): Promise<string> {
  const res = await owner.client.POST('/api/outbound-calls', { body: { agentId, toPhone: '+14155550160', ...body } as never });
  if (res.response.status !== 201) throw new Error(`create: ${res.response.status} ${JSON.stringify(res.error)}`);
  return res.data!.id;
}

beforeAll(async () => {
  t = await startTestApp({ env: { AI_CALL_INTERVAL_MS: '0' } });
  owner = await registerOrg(t, 'AI Worker Org');
  agentId = await createAiAgent(t, owner.orgId, {
    retryPolicy: {
      no_answer: { maxAttempts: 3, initialDelaySec: 600, backoffMultiplier: 2 },
      busy: { maxAttempts: 2, initialDelaySec: 60, backoffMultiplier: 1 },
      failed: { maxAttempts: 2, initialDelaySec: 900, backoffMultiplier: 1 },
      voicemail: null,
    },
  });
  agentNumber = await assignNumber(t, owner, agentId);
});
afterAll(async () => t?.close());
// Each test starts with nothing due (the worker takes every organisation's due calls).
beforeEach(async () => {
  await t.db.updateTable('ai_outbound_calls').set({ status: 'canceled' }).where('status', 'in', ['scheduled', 'queued']).execute();
});

describe('placing due calls', () => {
  it('high priority first, then the earliest; from the agent\'s number, to our signed webhooks, with the version and a lease', async () => {
    const low = await create({ priority: 'low', toPhone: '+14155550161' });
    const normal = await create({ priority: 'normal', toPhone: '+14155550162' });
    const high = await create({ priority: 'high', toPhone: '+14155550163' });
    const { placed, telephony } = recordingTelephony();
    for (let i = 0; i < 3; i += 1) expect((await runAiCallTick(deps(telephony, NOON, 1))).placed).toBe(1);
    expect(placed.map((p) => outboundIdOf(p.answerUrl))).toEqual([high, normal, low]);
    const first = placed[0]!;
    expect(first).toMatchObject({ to: '+14155550163', from: agentNumber, timeoutSeconds: 30 });
    expect(first.answerUrl).toBe(`${t.config.publicBaseUrl}/api/webhooks/ai/outbound/answer?outboundCallId=${high}`);
    expect(first.statusCallbackUrl).toBe(`${t.config.publicBaseUrl}/api/webhooks/ai/outbound/status?outboundCallId=${high}`);
    const stored = await row(high);
    expect(stored).toMatchObject({ status: 'queued', call_sid: first.callSid, agent_version: 1, metadata: { callerId: agentNumber } });
    expect(stored.locked_until!.getTime()).toBeGreaterThan(Date.now() + 3600_000);
    // Nothing is due any more: a further pass places nothing.
    expect((await runAiCallTick(deps(telephony))).placed).toBe(0);
  });

  it('passes running at once (two on PostgreSQL) place each due call once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) ids.push(await create({ toPhone: `+1415555${String(2000 + i)}` }));
    const { placed, telephony } = recordingTelephony();
    await Promise.all([runAiCallTick(deps(telephony, NOON, 5)), runAiCallTick(deps(telephony, NOON, 5)), runAiCallTick(deps(telephony, NOON, 5))]);
    await Promise.all([runAiCallTick(deps(telephony, NOON, 5)), runAiCallTick(deps(telephony, NOON, 5))]);
    const mine = placed.map((p) => outboundIdOf(p.answerUrl)).filter((id) => ids.includes(id));
    expect(mine.sort()).toEqual([...ids].sort());
  });

  it('a call not yet due waits', async () => {
    const id = await create({ scheduledFor: '2031-06-02T12:30:00Z' });
    const { placed, telephony } = recordingTelephony();
    await runAiCallTick(deps(telephony));
    expect(placed).toHaveLength(0);
    expect((await row(id)).status).toBe('scheduled');
    await runAiCallTick(deps(telephony, new Date('2031-06-02T12:30:00Z')));
    expect(placed.map((p) => outboundIdOf(p.answerUrl))).toEqual([id]);
  });

  it('a number on the do-not-call list is never dialled: failed, dnc', async () => {
    expect((await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: '+14155550164' } })).response.status).toBe(201);
    const id = await create({ toPhone: '+14155550164' });
    const { placed, telephony } = recordingTelephony();
    const result = await runAiCallTick(deps(telephony));
    expect(result.dnc).toBe(1);
    expect(placed).toHaveLength(0);
    expect(await row(id)).toMatchObject({ status: 'failed', failure_reason: 'dnc', call_sid: null });
    // Failed for DNC is final: no retry is made.
    expect(await t.db.selectFrom('ai_outbound_calls').select('id').where('original_call_id', '=', id).execute()).toEqual([]);
  });

  it('calling hours in the call\'s zone: due at 23:00 local it is deferred to 08:00, then placed', async () => {
    // 03:00Z on 3 June 2031 is 23:00 on 2 June in New York (EDT).
    const late = new Date('2031-06-03T03:00:00Z');
    const id = await create({ timezone: 'America/New_York', scheduledFor: late.toISOString() });
    const { placed, telephony } = recordingTelephony();
    const result = await runAiCallTick(deps(telephony, late));
    expect(result.deferred).toBe(1);
    expect(placed).toHaveLength(0);
    expect(await row(id)).toMatchObject({ status: 'scheduled', scheduled_for: new Date('2031-06-03T12:00:00Z') });
    // 07:59 local: still not.
    await runAiCallTick(deps(telephony, new Date('2031-06-03T11:59:00Z')));
    expect(placed).toHaveLength(0);
    await runAiCallTick(deps(telephony, new Date('2031-06-03T12:00:00Z')));
    expect(placed.map((p) => outboundIdOf(p.answerUrl))).toEqual([id]);
  });

  it('an agent that lost its number fails the call with the reason; an inactive agent too', async () => {
    const agent = await createAiAgent(t, owner.orgId);
    await assignNumber(t, owner, agent);
    const noNumber = await create({ agentId: agent });
    await t.db.updateTable('phone_numbers').set({ ai_agent_id: null }).where('ai_agent_id', '=', agent).execute();
    const inactive = await create({});
    const other = await createAiAgent(t, owner.orgId);
    await assignNumber(t, owner, other);
    const off = await create({ agentId: other });
    await t.db.updateTable('ai_agents').set({ is_active: false }).where('id', '=', other).execute();
    const { placed, telephony } = recordingTelephony();
    await runAiCallTick(deps(telephony));
    expect(await row(noNumber)).toMatchObject({ status: 'failed', failure_reason: 'no_caller_id' });
    expect(await row(off)).toMatchObject({ status: 'failed', failure_reason: 'agent_unavailable' });
    expect(placed.map((p) => outboundIdOf(p.answerUrl))).toEqual([inactive]);
  });

  it('a call the carrier refuses ends failed and is retried by the agent\'s policy', async () => {
    const id = await create({});
    const { telephony } = recordingTelephony(() => true);
    await runAiCallTick(deps(telephony));
    expect(await row(id)).toMatchObject({ status: 'failed', failure_reason: 'carrier_refused' });
    const retry = await t.db.selectFrom('ai_outbound_calls').selectAll().where('original_call_id', '=', id).executeTakeFirstOrThrow();
    expect(retry).toMatchObject({ attempt: 2, status: 'scheduled' });
    // The policy's failed rule: 900 s after the failure (the worker's clock).
    expect(retry.scheduled_for.getTime()).toBe(NOON.getTime() + 900_000);
  });
});

describe('lapsed leases', () => {
  it('a claim whose worker died before the carrier had the call is placed again, once', async () => {
    const id = await create({});
    // The worker "dies" while placing: a carrier that never answers.
    const dead = { kind: 'simulator' as const, placeCall: () => new Promise<never>(() => undefined) };
    void runAiCallTick(deps(dead));
    for (let i = 0; i < 100 && (await row(id)).status !== 'queued'; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(await row(id)).toMatchObject({ status: 'queued', call_sid: null });
    const { placed, telephony } = recordingTelephony();
    // Not before the lease lapses.
    await runAiCallTick(deps(telephony));
    expect(placed).toHaveLength(0);
    await sql`UPDATE ai_outbound_calls SET locked_until = now() - interval '1 second' WHERE id = ${id}`.execute(t.db);
    const result = await runAiCallTick(deps(telephony));
    expect(result.released).toBe(1);
    expect(placed.map((p) => outboundIdOf(p.answerUrl))).toEqual([id]);
    await sql`UPDATE ai_outbound_calls SET locked_until = now() - interval '1 second' WHERE id = ${id}`.execute(t.db);
    await runAiCallTick(deps(telephony));
    expect(placed).toHaveLength(1);
  });

  it('a call the carrier has (its CallSid stored, by the worker or by the first webhook) is never dialled again', async () => {
    const id = await create({});
    const dead = { kind: 'simulator' as const, placeCall: () => new Promise<never>(() => undefined) };
    void runAiCallTick(deps(dead));
    for (let i = 0; i < 100 && (await row(id)).status !== 'queued'; i += 1) await new Promise((r) => setTimeout(r, 20));
    // The carrier had it after all: its first status callback names the sid.
    const sid = 'CA0123456789abcdef0123456789abcd01';
    const progress = await postWebhook(t, `/api/webhooks/ai/outbound/status?outboundCallId=${id}`, { CallSid: sid, CallStatus: 'initiated' });
    expect(progress.status).toBe(204);
    expect((await row(id)).call_sid).toBe(sid);
    expect((await row(id)).started_at).not.toBeNull(); // placed: an AI call from now on
    await sql`UPDATE ai_outbound_calls SET locked_until = now() - interval '1 second' WHERE id = ${id}`.execute(t.db);
    const { placed, telephony } = recordingTelephony();
    const result = await runAiCallTick(deps(telephony));
    expect(placed).toHaveLength(0);
    expect(result.lost).toBe(1);
    expect(await row(id)).toMatchObject({ status: 'failed', failure_reason: 'no_final_status' });
  });
});

describe('an answered call whose final status was lost', () => {
  it('ends completed when its lease lapses: never retried, its person not called again', async () => {
    const id = await create({ toPhone: '+14155550191' });
    const { placed, telephony } = recordingTelephony();
    await runAiCallTick(deps(telephony));
    const call = placed.find((p) => outboundIdOf(p.answerUrl) === id)!;
    const answered = await postWebhook(t, call.answerUrl.slice(t.config.publicBaseUrl.length), { CallSid: call.callSid, CallStatus: 'in-progress' });
    expect(answered.text).toContain('ConversationRelay');
    // The final status callback never comes; the lease (4 h 10 min) lapses.
    await sql`UPDATE ai_outbound_calls SET locked_until = now() - interval '1 second' WHERE id = ${id}`.execute(t.db);
    const result = await runAiCallTick(deps(telephony));
    expect(result.lost).toBe(1);
    expect(placed).toHaveLength(1);
    expect(await row(id)).toMatchObject({ status: 'completed', failure_reason: null, duration_sec: null });
    const callRow = await t.db.selectFrom('calls').select(['status', 'duration_sec']).where('call_sid', '=', call.callSid).executeTakeFirstOrThrow();
    expect(callRow).toEqual({ status: 'completed', duration_sec: null });
    expect(await t.db.selectFrom('ai_outbound_calls').select('id').where('original_call_id', '=', id).execute()).toEqual([]);
  });
});

describe('cancel while being placed', () => {
  it('a call the worker is placing cannot be canceled (409, being placed): it is never shown canceled while the carrier rings it', async () => {
    const id = await create({ toPhone: '+14155550175' });
    let release: (sid: { callSid: string }) => void = () => undefined;
    const asked: string[] = [];
    const slow = {
      kind: 'simulator' as const,
      placeCall: (input: { to: string }) => {
        asked.push(input.to);
        return new Promise<{ callSid: string }>((resolve) => (release = resolve));
      },
    };
    const tick = runAiCallTick(deps(slow));
    for (let i = 0; i < 200 && asked.length === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(asked).toEqual(['+14155550175']);
    // The carrier request is in flight: a cancel now would be answered 200 while the phone rings.
    const canceled = await owner.client.DELETE('/api/outbound-calls/{id}', { params: { path: { id } } });
    expect(canceled.response.status).toBe(409);
    expect(canceled.error?.details).toMatchObject({ status: expect.stringContaining('being placed') });
    expect((await row(id)).status).toBe('queued');
    const sid = 'CA0123456789abcdef0123456789abcd75';
    release({ callSid: sid });
    expect((await tick).placed).toBe(1);
    expect(await row(id)).toMatchObject({ status: 'queued', call_sid: sid });
    // The person answers: the agent speaks to them, as the call was never canceled.
    const answer = await postWebhook(t, `/api/webhooks/ai/outbound/answer?outboundCallId=${id}`, { CallSid: sid, CallStatus: 'in-progress' });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('ConversationRelay');
    expect((await row(id)).status).toBe('in-progress');
  });

  it('a claim whose worker died (lease lapsed, no CallSid) is given back and can then be canceled', async () => {
    const id = await create({ toPhone: '+14155550176' });
    const dead = { kind: 'simulator' as const, placeCall: () => new Promise<never>(() => undefined) };
    void runAiCallTick(deps(dead));
    for (let i = 0; i < 200 && (await row(id)).status !== 'queued'; i += 1) await new Promise((r) => setTimeout(r, 20));
    await sql`UPDATE ai_outbound_calls SET locked_until = now() - interval '1 second' WHERE id = ${id}`.execute(t.db);
    const { telephony } = recordingTelephony();
    // A pass before the call is due: it gives the lapsed claim back without claiming it again.
    await runAiCallTick(deps(telephony, new Date('2020-01-01T12:00:00Z')));
    expect((await row(id)).status).toBe('scheduled');
    const canceled = await owner.client.DELETE('/api/outbound-calls/{id}', { params: { path: { id } } });
    expect(canceled.response.status).toBe(200);
    expect(canceled.data?.status).toBe('canceled');
  });
});

describe('the webhooks', () => {
  async function placedCall(toPhone = '+14155550170') {
    const id = await create({ toPhone });
    const { placed, telephony } = recordingTelephony();
    await runAiCallTick(deps(telephony));
    const call = placed.find((p) => outboundIdOf(p.answerUrl) === id)!;
    return { id, sid: call.callSid, answer: call.answerUrl.slice(t.config.publicBaseUrl.length), status: call.statusCallbackUrl.slice(t.config.publicBaseUrl.length) };
  }

  it('answer: the call recorded once with the agent and version, in progress, TwiML handing it to the agent', async () => {
    const call = await placedCall();
    const params = { CallSid: call.sid, CallStatus: 'in-progress', From: agentNumber, To: '+14155550170' };
    const first = await postWebhook(t, call.answer, params);
    expect(first.status).toBe(200);
    expect(first.contentType).toContain('text/xml');
    expect(first.text).toContain('<Connect');
    expect(first.text).toContain('<ConversationRelay');
    expect(first.text).toContain(`url="${t.config.publicBaseUrl.replace(/^http/, 'ws')}/api/ai/relay"`);
    expect(first.text).toContain('welcomeGreeting="Hello, this is Acme calling about your order."');
    expect(first.text).toContain(`<Parameter name="outboundCallId" value="${call.id}"/>`);
    expect(first.text).toContain(`<Parameter name="agentId" value="${agentId}"/>`);
    expect(first.text).toContain('<Parameter name="agentVersion" value="1"/>');
    // Twilio retries: the same answer, one call record.
    const second = await postWebhook(t, call.answer, params);
    expect(second.text).toBe(first.text);
    const calls = await t.db.selectFrom('calls').selectAll().where('call_sid', '=', call.sid).execute();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ org_id: owner.orgId, direction: 'outbound', ai_agent_id: agentId, ai_agent_version: 1, from_number: agentNumber, to_number: '+14155550170', status: 'in-progress' });
    expect(first.text).toContain(`<Parameter name="callId" value="${calls[0]!.id}"/>`);
    const stored = await row(call.id);
    expect(stored).toMatchObject({ status: 'in-progress', call_id: calls[0]!.id, agent_version: 1 });
    expect(stored.started_at).not.toBeNull();
    // The API shows it.
    const shown = await owner.client.GET('/api/outbound-calls/{id}', { params: { path: { id: call.id } } });
    expect(shown.data).toMatchObject({ status: 'in-progress', callId: calls[0]!.id, agentVersion: 1, metadata: { callerId: agentNumber } });
  });

  it('a CallSid that is not the call\'s is a 404; a bad signature a 403; neither changes anything', async () => {
    const call = await placedCall('+14155550171');
    const before = await row(call.id);
    const wrong = await postWebhook(t, call.answer, { CallSid: 'CA99999999999999999999999999999999', CallStatus: 'in-progress' });
    expect(wrong.status).toBe(404);
    const forged = await postWebhook(t, call.status, { CallSid: call.sid, CallStatus: 'completed', CallDuration: '10' }, { signature: 'bad' });
    expect(forged.status).toBe(403);
    const unknown = await postWebhook(t, '/api/webhooks/ai/outbound/status?outboundCallId=00000000-0000-4000-8000-000000000000', { CallSid: call.sid, CallStatus: 'completed' });
    expect(unknown.status).toBe(404);
    expect(await row(call.id)).toEqual(before);
  });

  it('completed: final once with the duration, the call record too; no retry', async () => {
    const call = await placedCall('+14155550172');
    await postWebhook(t, call.answer, { CallSid: call.sid, CallStatus: 'in-progress' });
    const done = await postWebhook(t, call.status, { CallSid: call.sid, CallStatus: 'completed', CallDuration: '42' });
    expect(done.status).toBe(204);
    // Late and repeated callbacks change nothing.
    await postWebhook(t, call.status, { CallSid: call.sid, CallStatus: 'completed', CallDuration: '99' });
    await postWebhook(t, call.status, { CallSid: call.sid, CallStatus: 'ringing' });
    const stored = await row(call.id);
    expect(stored).toMatchObject({ status: 'completed', duration_sec: 42, failure_reason: null });
    expect(stored.ended_at).not.toBeNull();
    const record = await t.db.selectFrom('calls').selectAll().where('id', '=', stored.call_id!).executeTakeFirstOrThrow();
    expect(record).toMatchObject({ status: 'completed', status_rank: 4, duration_sec: 42 });
    expect(await t.db.selectFrom('ai_outbound_calls').select('id').where('original_call_id', '=', call.id).execute()).toEqual([]);
  });

  it('no answer: retried by the policy with backoff (600 s, then 1200 s), until its attempts are used up', async () => {
    const first = await placedCall('+14155550173');
    const t0 = Date.now();
    await postWebhook(t, first.status, { CallSid: first.sid, CallStatus: 'no-answer', CallDuration: '0' });
    await postWebhook(t, first.status, { CallSid: first.sid, CallStatus: 'no-answer', CallDuration: '0' });
    expect(await row(first.id)).toMatchObject({ status: 'no-answer', failure_reason: 'no_answer' });
    const retries = () => t.db.selectFrom('ai_outbound_calls').selectAll().where('original_call_id', '=', first.id).orderBy('attempt').execute();
    const [second] = await retries();
    expect(await retries()).toHaveLength(1);
    expect(second).toMatchObject({ attempt: 2, status: 'scheduled', to_phone: '+14155550173' });
    expect(second!.scheduled_for.getTime() - t0).toBeGreaterThanOrEqual(600_000 - 1000);
    expect(second!.scheduled_for.getTime() - t0).toBeLessThan(600_000 + 30_000);
    const pending = await owner.client.GET('/api/outbound-calls/retries');
    expect(pending.data!.retries).toContainEqual(expect.objectContaining({ id: second!.id, retryAttempt: 2, failureReason: 'no_answer', originalCallId: first.id }));

    // The retry is placed when due and goes unanswered too: the next waits twice as long.
    const { placed, telephony } = recordingTelephony();
    await runAiCallTick(deps(telephony));
    const again = placed.find((p) => outboundIdOf(p.answerUrl) === second!.id)!;
    const t1 = Date.now();
    await postWebhook(t, again.statusCallbackUrl.slice(t.config.publicBaseUrl.length), { CallSid: again.callSid, CallStatus: 'no-answer' });
    const third = (await retries())[1]!;
    expect(third).toMatchObject({ attempt: 3, original_call_id: first.id });
    expect(third.scheduled_for.getTime() - t1).toBeGreaterThanOrEqual(1_200_000 - 1000);
    expect(third.scheduled_for.getTime() - t1).toBeLessThan(1_200_000 + 30_000);

    // The third attempt is the policy's last: busy or not, no fourth.
    await runAiCallTick(deps(telephony));
    const last = placed.find((p) => outboundIdOf(p.answerUrl) === third.id)!;
    await postWebhook(t, last.statusCallbackUrl.slice(t.config.publicBaseUrl.length), { CallSid: last.callSid, CallStatus: 'no-answer' });
    expect(await retries()).toHaveLength(2);
  });

  it('an attempt placed but never answered has started_at (from its CallSid), so the analytics count it', async () => {
    const org = await registerOrg(t, 'AI Worker Unanswered');
    const orgAgent = await createAiAgent(t, org.orgId);
    await assignNumber(t, org, orgAgent);
    const created = await org.client.POST('/api/outbound-calls', { body: { agentId: orgAgent, toPhone: '+14155550190' } });
    const { placed, telephony } = recordingTelephony();
    await runAiCallTick(deps(telephony));
    const call = placed.find((p) => outboundIdOf(p.answerUrl) === created.data!.id)!;
    expect((await row(created.data!.id)).started_at).not.toBeNull();
    await postWebhook(t, call.statusCallbackUrl.slice(t.config.publicBaseUrl.length), { CallSid: call.callSid, CallStatus: 'no-answer', CallDuration: '0' });
    const today = new Date().toISOString().slice(0, 10);
    const figures = await org.client.GET('/api/ai/analytics/calls', { params: { query: { startDate: today, endDate: today } } });
    expect(figures.response.status).toBe(200);
    expect(figures.data!.summary).toMatchObject({ totalCalls: 1, successfulCalls: 0, failedCalls: 1, outboundCalls: 1 });
    expect(figures.data!.byStatus.noAnswer).toBe(1);
  });

  it('busy: its own rule (60 s, 2 attempts in all)', async () => {
    const call = await placedCall('+14155550174');
    await postWebhook(t, call.status, { CallSid: call.sid, CallStatus: 'busy' });
    const retry = await t.db.selectFrom('ai_outbound_calls').selectAll().where('original_call_id', '=', call.id).executeTakeFirstOrThrow();
    expect(retry.scheduled_for.getTime() - Date.now()).toBeLessThanOrEqual(60_000);
    expect(retry.scheduled_for.getTime() - Date.now()).toBeGreaterThan(30_000);
    expect(await row(call.id)).toMatchObject({ status: 'busy', failure_reason: 'busy' });
  });
});
