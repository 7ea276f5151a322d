// Two server instances on one database route parallel voice webhooks without ever exceeding a
// buyer's concurrency or cap (issue 4). On PostgreSQL: the test app plus a second app built the
// same way over its own pg pool on the same schema, the webhooks alternating between the two.
// On PGlite a second handle on one database is not possible: the same parallel webhooks go to
// the one app (its single connection serialises them), and the test names say so.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/app.js';
import { MemoryRateLimitStore } from '../../../server/platform/http/rate-limit/store.js';
import { loadSpec } from '../../../server/platform/spec.js';
import { newCallSid, onPostgres, openSecondInstance } from '../calls/db-helpers.js';
import { installContractCheck } from '../../helpers/contract.js';
import { createBuyer, createCampaign, registerOrg, type Member } from '../../helpers/fixtures.js';
import { startTestApp, TEST_SECRETS_KEY, TEST_SESSION_KEY, TEST_WEBHOOK_TOKEN, type TestApp } from '../../helpers/test-app.js';
import { postWebhook, type WebhookAnswer } from '../../helpers/twilio-webhook.js';

const where = onPostgres ? 'two app instances (two pg pools) on one PostgreSQL schema' : 'PGlite: one app (a second handle on one PGlite is not possible)';

let t: TestApp;
let owner: Member;
/** Instance 0 and instance 1 (the same app on PGlite). */
let instances: [TestApp, TestApp];
let secondApp: { app: FastifyInstance; store: MemoryRateLimitStore; close: () => Promise<void> } | null = null;

/** A second server like startTestApp's: same config, webhook token and contract check, another pool. */
async function startSecondInstance(first: TestApp): Promise<TestApp> {
  const database = await openSecondInstance(first);
  const spec = loadSpec();
  const store = new MemoryRateLimitStore();
  const app = await buildApp({
    config: first.config,
    db: database.db,
    sessionKey: Buffer.from(first.config.sessionKey ?? TEST_SESSION_KEY, 'hex'),
    secretsKey: Buffer.from(first.config.secretsKey ?? TEST_SECRETS_KEY, 'hex'),
    rateLimitStore: store,
    spec,
    logger: false,
    webhookToken: TEST_WEBHOOK_TOKEN,
    beforeRoutes: (instance) => installContractCheck(instance, spec),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const close = async () => {
    await app.close();
    await store.close();
    await database.close();
  };
  secondApp = { app, store, close };
  return { ...first, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, app, db: database.db, close };
}

beforeAll(async () => {
  t = await startTestApp();
  instances = [t, onPostgres ? await startSecondInstance(t) : t];
  owner = await registerOrg(t, 'Two Instances Webhooks');
});

afterAll(async () => {
  await secondApp?.close();
  await t?.close();
});

async function assign(campaignId: string, buyerId: number, priority: number): Promise<void> {
  const assigned = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: campaignId } }, body: { buyerId, priority } });
  expect(assigned.response.status).toBe(201);
}

/** A campaign with buyer A (its limits, priority 1) and buyer B (no limit, priority 2). */
async function setUp(tag: string, limitsOfA: { maxConcurrentCalls?: number; dailyCap?: number }) {
  const campaignNumber = `+1212555${tag}00`;
  const aNumber = `+1212555${tag}01`;
  const bNumber = `+1212555${tag}02`;
  const campaign = await createCampaign(owner.client, { name: `Race ${tag}`, phoneNumber: campaignNumber, enableRtb: false, routingType: 'priority', payout: 10 });
  const a = await createBuyer(owner.client, { name: `A ${tag}`, phoneNumber: aNumber, priority: 1, ...limitsOfA });
  const b = await createBuyer(owner.client, { name: `B ${tag}`, phoneNumber: bNumber, priority: 2 });
  await assign(campaign.id, a.id, 1);
  await assign(campaign.id, b.id, 2);
  return { campaign, a, b, campaignNumber, aNumber, bNumber };
}

async function campaignOf(phoneNumber: string): Promise<string> {
  const row = await t.db.selectFrom('campaigns').select('id').where('phone_number', '=', phoneNumber).executeTakeFirstOrThrow();
  return row.id;
}

function callVoice(instance: TestApp, to: string, callSid = newCallSid()): Promise<WebhookAnswer & { callSid: string }> {
  return postWebhook(instance, '/api/webhooks/voice', { CallSid: callSid, To: to, From: '+13105551234' }).then((a) => ({ ...a, callSid }));
}

/** 20 voice webhooks at once, alternating between the two instances. */
async function twentyInParallel(to: string) {
  return Promise.all(Array.from({ length: 20 }, (_, i) => callVoice(instances[i % 2]!, to)));
}

function dialled(answers: readonly WebhookAnswer[], number: string): number {
  return answers.filter((a) => a.text.includes(`<Number>${number}</Number>`)).length;
}

async function legsOf(buyerId: number) {
  return t.db.selectFrom('call_legs').select(['call_id', 'attempt', 'ended_at', 'dial_status']).where('buyer_id', '=', buyerId).execute();
}

describe(`parallel voice webhooks (${where})`, () => {
  it('the second instance is another server on the same database', async () => {
    if (onPostgres) {
      expect(instances[1].url).not.toBe(instances[0].url);
      expect(instances[1].db).not.toBe(instances[0].db);
    }
    // A call answered by instance 1 is seen (and called back) through instance 0.
    const { campaignNumber, aNumber } = await setUp('09', {});
    const answer = await callVoice(instances[1], campaignNumber);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(`<Number>${aNumber}</Number>`);
    const row = await instances[0].db.selectFrom('calls').select(['id', 'status']).where('call_sid', '=', answer.callSid).executeTakeFirst();
    expect(row?.status).toBe('queued');
    const done = await postWebhook(instances[0], '/api/webhooks/call-status', { CallSid: answer.callSid, CallStatus: 'completed', CallDuration: '12' });
    expect(done.status).toBe(204);
    const { data } = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(row!.id) } } });
    expect(data).toMatchObject({ status: 'completed', duration: 12 });
  });

  it(`20 calls at once, buyer A maxConcurrentCalls 3 → exactly 3 dial A, 17 dial B; freeing one A leg lets the next call reach A (${where})`, async () => {
    const { a, b, campaignNumber, aNumber, bNumber } = await setUp('01', { maxConcurrentCalls: 3 });
    const answers = await twentyInParallel(campaignNumber);
    expect(answers.map((x) => x.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(dialled(answers, aNumber)).toBe(3);
    expect(dialled(answers, bNumber)).toBe(17);
    const aLegs = await legsOf(a.id);
    expect(aLegs.filter((l) => l.ended_at === null)).toHaveLength(3);
    expect(aLegs).toHaveLength(3);
    expect(await legsOf(b.id)).toHaveLength(17);
    // Each call has its one leg (attempt 1), and answers point at attempt 1.
    expect(answers.every((x) => x.text.includes('dial-status?attempt=1&amp;route=auto'))).toBe(true);

    // A 21st call while A is full → B.
    expect((await callVoice(instances[0], campaignNumber)).text).toContain(`<Number>${bNumber}</Number>`);

    // One of A's calls ends (its <Dial> completed) → the next call gets A again, on either instance.
    const aCall = answers.find((x) => x.text.includes(`<Number>${aNumber}</Number>`))!;
    const ended = await postWebhook(instances[1], '/api/webhooks/dial-status?attempt=1&route=auto', { CallSid: aCall.callSid, DialCallStatus: 'completed', DialCallDuration: '60' });
    expect(ended.status).toBe(200);
    expect(ended.text).toContain('<Hangup/>');
    expect((await legsOf(a.id)).filter((l) => l.ended_at === null)).toHaveLength(2);
    const next = await callVoice(instances[0], campaignNumber);
    expect(next.text).toContain(`<Number>${aNumber}</Number>`);
    expect((await legsOf(a.id)).filter((l) => l.ended_at === null)).toHaveLength(3);
    // And A is full again.
    expect((await callVoice(instances[1], campaignNumber)).text).toContain(`<Number>${bNumber}</Number>`);
  });

  it(`20 calls at once, buyer A dailyCap 5 → exactly 5 dial A, 15 dial B; ending calls does not free a cap (${where})`, async () => {
    const { a, b, campaignNumber, aNumber, bNumber } = await setUp('02', { dailyCap: 5 });
    const answers = await twentyInParallel(campaignNumber);
    expect(answers.map((x) => x.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(dialled(answers, aNumber)).toBe(5);
    expect(dialled(answers, bNumber)).toBe(15);
    expect(await legsOf(a.id)).toHaveLength(5);
    expect(await legsOf(b.id)).toHaveLength(15);

    // A's calls end: the day's cap is still used up.
    for (const x of answers.filter((y) => y.text.includes(`<Number>${aNumber}</Number>`))) {
      const ended = await postWebhook(instances[0], '/api/webhooks/call-status', { CallSid: x.callSid, CallStatus: 'completed', CallDuration: '40' });
      expect(ended.status).toBe(204);
    }
    expect((await legsOf(a.id)).filter((l) => l.ended_at === null)).toHaveLength(0);
    const more = await Promise.all([callVoice(instances[0], campaignNumber), callVoice(instances[1], campaignNumber)]);
    expect(dialled(more, bNumber)).toBe(2);
    expect(await legsOf(a.id)).toHaveLength(5);
  });

  it(`50 calls at once to one hot buyer, maxConcurrentCalls 10 → exactly 10 dial it, 40 overflow to B (${where})`, async () => {
    const { a, b, campaignNumber, aNumber, bNumber } = await setUp('04', { maxConcurrentCalls: 10 });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => callVoice(instances[i % 2]!, campaignNumber)));
    expect(answers.map((x) => x.status)).toEqual(Array.from({ length: 50 }, () => 200));
    expect(dialled(answers, aNumber)).toBe(10);
    expect(dialled(answers, bNumber)).toBe(40);
    const aLegs = await legsOf(a.id);
    expect(aLegs).toHaveLength(10);
    expect(aLegs.filter((l) => l.ended_at === null)).toHaveLength(10);
    expect(await legsOf(b.id)).toHaveLength(40);
    // The calls record their buyer; each overflow call records why A was passed over (at planning
    // time from the usage count, or at reservation time from the locked count).
    const rows = await t.db.selectFrom('calls').select(['buyer_id', 'routing_plan']).where('campaign_id', '=', await campaignOf(campaignNumber)).execute();
    expect(rows.filter((c) => c.buyer_id === a.id)).toHaveLength(10);
    const overflow = rows.filter((c) => c.buyer_id === b.id);
    expect(overflow).toHaveLength(40);
    for (const c of overflow) {
      const plan = c.routing_plan as { skipped: Array<{ buyerId: number; reason: string }>; attempts: Array<{ candidate: string; reason?: string }> };
      const passedOver =
        plan.skipped.some((s) => s.buyerId === a.id && s.reason === 'concurrency_reached') ||
        plan.attempts.some((x) => x.candidate === `buyer:${a.id}` && x.reason === 'concurrency_reached');
      expect(passedOver).toBe(true);
    }
    // The reports count each call once, for the buyer it went to.
    for (const [buyer, calls] of [[a, 10], [b, 40]] as const) {
      const stats = await owner.client.GET('/api/stats/buyers/{id}', { params: { path: { id: String(buyer.id) } } });
      expect(stats.data?.totalCalls).toBe(calls);
    }
  });

  it(`the same CallSid delivered to both instances at once → one call, one leg, one TwiML (${where})`, async () => {
    const { campaignNumber, a } = await setUp('03', { maxConcurrentCalls: 3 });
    const sid = newCallSid();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => callVoice(instances[i % 2]!, campaignNumber, sid)));
    expect(answers.map((x) => x.status)).toEqual(Array.from({ length: 10 }, () => 200));
    expect(new Set(answers.map((x) => x.text)).size).toBe(1);
    expect(await t.db.selectFrom('calls').select('id').where('call_sid', '=', sid).execute()).toHaveLength(1);
    // One A slot taken, not ten.
    expect(await legsOf(a.id)).toHaveLength(1);
  });
});
