// Pixel delivery (issue 5): a call through the webhooks queues each event once, the worker sends
// the rendered URL through the guarded client, retries with backoff, records every attempt, signs
// when asked, refuses private addresses at send time, and a restart loses nothing.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { components } from '../../../client/index.js';
import type { PixelEvent } from '../../../db/types.js';
import { createGuardedDispatcher } from '../../../server/platform/http/outbound/guarded-client.js';
import { createOutboundPolicy } from '../../../server/platform/http/outbound/url-policy.js';
import { enqueuePixelEvent } from '../../../server/attribution/pixels/enqueue.js';
import { recordOverdueCompletions } from '../../../server/inbound/calls/completion-sweep.js';
import { claimDueDeliveries, createPixelDispatcher, deliverDuePixels, type DeliveryOptions } from '../../../server/attribution/pixels/worker.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { buyerCampaign, callRow, callSid, callStatus, dialStatus, voice } from '../../inbound/webhooks/helpers.js';
import { startReceiver, type Receiver } from './receiver.js';

type PixelCreate = components['schemas']['TrackingPixelCreate'];

const ALL_EVENTS: PixelEvent[] = ['call_started', 'call_answered', 'call_completed', 'conversion'];
const SECRET = 'pixel-signing-secret-0123456789';

let t: TestApp;
let owner: Member;
let receiver: Receiver;
let options: DeliveryOptions;

async function createPixel(body: Partial<PixelCreate> & { url: string }) {
  const { data, response, error } = await owner.client.POST('/api/tracking-pixels', { body: { name: 'Pixel', fireOn: ALL_EVENTS, ...body } });
  if (response.status !== 201 || !data) throw new Error(`createTrackingPixel failed: ${response.status} ${JSON.stringify(error)}`);
  return data;
}

async function deliveriesOf(pixelId: number) {
  return t.db.selectFrom('pixel_deliveries').selectAll().where('pixel_id', '=', pixelId).orderBy('id').execute();
}

async function attemptsOf(deliveryId: string | number) {
  return t.db.selectFrom('pixel_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('attempt').execute();
}

/** Run the worker until nothing is due (retries are due at once with retryBaseMs 0). */
async function drain(extra: Partial<DeliveryOptions> = {}): Promise<void> {
  while ((await deliverDuePixels(t.db, { ...options, ...extra })) > 0);
}

/** A completed, paying call through the webhooks, each callback delivered twice. */
async function paidCall(phoneNumber: string, payout = 25.5): Promise<string> {
  const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber, payout, minCallDurationSec: 60 }]);
  const sid = callSid();
  for (let i = 0; i < 2; i += 1) expect((await voice(t, sid, campaign.phoneNumber!)).status).toBe(200);
  for (let i = 0; i < 2; i += 1) expect((await dialStatus(t, sid, 1, 'completed', 90)).status).toBe(200);
  for (let i = 0; i < 2; i += 1) expect((await callStatus(t, sid, 'completed', 95)).status).toBe(204);
  return sid;
}

/** A call of the org recorded directly (for tests about the worker rather than the call path). */
async function bareCall(): Promise<number> {
  const row = await t.db
    .insertInto('calls')
    .values({ org_id: owner.orgId, call_sid: callSid(), from_number: '+13105550000', to_number: '+16465550000', status: 'completed', status_rank: 4 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Pixel Delivery Org');
  receiver = await startReceiver();
  const policy = createOutboundPolicy(t.config.outboundAllowPrivate);
  options = { dispatcher: createPixelDispatcher(policy), policy, retryBaseMs: 0 };
});
afterAll(async () => {
  await options?.dispatcher.close();
  await receiver?.close();
  await t?.close();
});
beforeEach(async () => {
  // Each test starts with an empty queue and a receiver that answers 200.
  await t.db.updateTable('tracking_pixels').set({ is_active: false }).execute();
  await t.db.deleteFrom('pixel_deliveries').execute();
  receiver.requests.length = 0;
  receiver.fail(0);
});

describe('pixels from the call path', () => {
  it('queues call_started, call_answered, conversion and call_completed once each, callbacks delivered twice', async () => {
    const pixel = await createPixel({ url: `${receiver.url}/p?ev=[Call:Event]&caller=[Call:CallerId]&payout=[Call:ConversionPayout]&sid=[Call:CallSid]&click=[tag:User:clickid]&x=[Call:Unknown]` });
    const sid = await paidCall('+12125550101');
    const call = await callRow(t, sid);
    const rows = await deliveriesOf(pixel.id);
    expect(rows.map((r) => r.event).sort()).toEqual([...ALL_EVENTS].sort());
    expect(rows.every((r) => r.call_id === call.id && r.status === 'pending' && r.method === 'GET' && r.body === null)).toBe(true);

    await drain();
    expect(receiver.requests).toHaveLength(4);
    const byEvent = new Map(receiver.requests.map((r) => [new URL(r.url, receiver.url).searchParams.get('ev'), r]));
    const conversion = byEvent.get('conversion')!;
    expect(conversion.method).toBe('GET');
    // Values URL-encoded: +1… travels as %2B1…; the payout as 25.5; unknown macros and tags empty.
    expect(conversion.url).toBe(`/p?ev=conversion&caller=%2B13105551234&payout=25.5&sid=${sid}&click=&x=`);
    expect(conversion.headers['x-ccp-signature']).toBeUndefined();
    // call_started is queued before the call is answered: nothing to pay yet.
    expect(byEvent.get('call_started')!.url).toContain('payout=&');
    expect(byEvent.get('call_completed')!.url).toContain('payout=25.5&');

    const after = await deliveriesOf(pixel.id);
    expect(after.every((r) => r.status === 'delivered' && r.attempts === 1 && r.delivered_at !== null && r.locked_until === null)).toBe(true);
    const api = await owner.client.GET('/api/tracking-pixels/{id}', { params: { path: { id: String(pixel.id) } } });
    expect(api.data!.deliveries).toEqual({ pending: 0, delivered: 4, failed: 0 });
    // Replaying the callbacks once delivered queues nothing new.
    await dialStatus(t, sid, 1, 'completed', 90);
    await callStatus(t, sid, 'completed', 95);
    expect(await deliveriesOf(pixel.id)).toHaveLength(4);
  });

  it("waits for the <Dial> outcome when the call's final status comes first: call_completed carries the revenue", async () => {
    const pixel = await createPixel({ url: `${receiver.url}/late?ev=[Call:Event]&payout=[Call:ConversionPayout]` });
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+12125550105', payout: 30, minCallDurationSec: 60 }]);
    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).status).toBe(200);
    expect((await callStatus(t, sid, 'completed', 95)).status).toBe(204);
    expect((await deliveriesOf(pixel.id)).map((r) => r.event)).toEqual(['call_started']);
    expect((await callRow(t, sid)).completion_pending).toBe(true);

    expect((await dialStatus(t, sid, 1, 'completed', 90)).status).toBe(200);
    const rows = await deliveriesOf(pixel.id);
    expect(rows.map((r) => r.event).sort()).toEqual([...ALL_EVENTS].sort());
    expect(rows.find((r) => r.event === 'call_completed')!.url).toBe(`${receiver.url}/late?ev=call_completed&payout=30`);
    expect((await callRow(t, sid)).completion_pending).toBe(false);
    // The conversion event of call_completed holds the revenue too (the call is not attributed: none is written).
    await dialStatus(t, sid, 1, 'completed', 90);
    await callStatus(t, sid, 'completed', 95);
    expect(await deliveriesOf(pixel.id)).toHaveLength(4);
  });

  it('records the completion events without the outcome when it never comes (the sweep), once', async () => {
    const pixel = await createPixel({ url: `${receiver.url}/lost?ev=[Call:Event]&payout=[Call:ConversionPayout]` });
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+12125550106', payout: 30, minCallDurationSec: 60 }]);
    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).status).toBe(200);
    expect((await callStatus(t, sid, 'completed', 95)).status).toBe(204);
    // Not yet overdue: nothing recorded.
    expect(await recordOverdueCompletions(t.db, t.app.log)).toBe(0);
    expect(await recordOverdueCompletions(t.db, t.app.log, 0)).toBeGreaterThanOrEqual(1);
    const rows = await deliveriesOf(pixel.id);
    expect(rows.map((r) => r.event).sort()).toEqual(['call_completed', 'call_started']);
    expect(rows.find((r) => r.event === 'call_completed')!.url).toBe(`${receiver.url}/lost?ev=call_completed&payout=`);
    expect((await callRow(t, sid)).completion_pending).toBe(false);
    expect(await recordOverdueCompletions(t.db, t.app.log, 0)).toBe(0);
    // The outcome arriving after all: its conversion is recorded, call_completed not a second time.
    expect((await dialStatus(t, sid, 1, 'completed', 90)).status).toBe(200);
    expect((await deliveriesOf(pixel.id)).map((r) => r.event).sort()).toEqual(['call_answered', 'call_completed', 'call_started', 'conversion']);
  });

  it('fires only the chosen events, for the chosen campaign, and nothing for inactive pixels', async () => {
    const { campaign: otherCampaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+12125550102' }]);
    const onlyConversion = await createPixel({ url: `${receiver.url}/conv`, fireOn: ['conversion'] });
    const elsewhere = await createPixel({ url: `${receiver.url}/elsewhere`, campaignId: otherCampaign.id });
    const inactive = await createPixel({ url: `${receiver.url}/off`, isActive: false });
    await paidCall('+12125550103');
    expect((await deliveriesOf(onlyConversion.id)).map((r) => r.event)).toEqual(['conversion']);
    expect(await deliveriesOf(elsewhere.id)).toHaveLength(0);
    expect(await deliveriesOf(inactive.id)).toHaveLength(0);
  });

  it('POSTs the call facts as JSON and signs the request when the pixel has a secret', async () => {
    const pixel = await createPixel({ url: `${receiver.url}/signed?e=[Call:Event]`, method: 'POST', fireOn: ['conversion'], signingSecret: SECRET });
    const sid = await paidCall('+12125550104', 40);
    await drain();
    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0]!;
    expect(request).toMatchObject({ method: 'POST', url: '/signed?e=conversion' });
    expect(request.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request.body) as Record<string, unknown>;
    expect(body).toMatchObject({ event: 'conversion', callSid: sid, callerId: '+13105551234', payout: 40, durationSec: null });
    expect(typeof body.timestamp).toBe('string');

    const header = String(request.headers['x-ccp-signature']);
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    expect(match).not.toBeNull();
    const [, ts, v1] = match!;
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
    expect(v1).toBe(createHmac('sha256', SECRET).update(`${ts}.${request.body}`).digest('hex'));
    // The secret is never stored beside the delivery or its attempts.
    const [delivery] = await deliveriesOf(pixel.id);
    expect(JSON.stringify(delivery)).not.toContain(SECRET);
    expect(JSON.stringify(await attemptsOf(delivery!.id))).not.toContain(SECRET);
  });

  it('signs a GET over its path and query (its data), so that a signature fits no other request', async () => {
    const pixel = await createPixel({ url: `${receiver.url}/get-signed?sid=[Call:CallSid]&e=[Call:Event]`, signingSecret: SECRET });
    await enqueuePixelEvent(t.db, { orgId: owner.orgId, callId: await bareCall(), event: 'call_completed' });
    await enqueuePixelEvent(t.db, { orgId: owner.orgId, callId: await bareCall(), event: 'call_completed' });
    await drain();
    expect(receiver.requests).toHaveLength(2);
    const signatures = receiver.requests.map((request) => {
      expect(request.url).toMatch(/^\/get-signed\?sid=[^&]+&e=call_completed$/);
      const [, ts, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(request.headers['x-ccp-signature']))!;
      // What the receiver sees as the request's target (Node's req.url), after `<t>.`.
      expect(v1).toBe(createHmac('sha256', SECRET).update(`${ts}.${request.url}`).digest('hex'));
      expect(v1).not.toBe(createHmac('sha256', SECRET).update(`${ts}.`).digest('hex'));
      return v1;
    });
    expect(new Set(signatures).size).toBe(2);
    expect((await deliveriesOf(pixel.id)).map((d) => d.status)).toEqual(['delivered', 'delivered']);
  });
});

describe('the delivery worker', () => {
  it('retries a receiver that fails twice: 3 attempt rows, then delivered', async () => {
    const pixel = await createPixel({ url: `${receiver.url}/flaky` });
    receiver.fail(2, 503);
    expect(await enqueuePixelEvent(t.db, { orgId: owner.orgId, callId: await bareCall(), event: 'call_completed' })).toBe(1);
    await drain();
    const [delivery] = await deliveriesOf(pixel.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, last_error: null });
    const attempts = await attemptsOf(delivery!.id);
    expect(attempts.map((a) => [a.attempt, a.http_status, a.error])).toEqual([
      [1, 503, 'HTTP 503'],
      [2, 503, 'HTTP 503'],
      [3, 200, null],
    ]);
    expect(attempts.every((a) => a.duration_ms !== null && a.duration_ms >= 0)).toBe(true);
    expect(receiver.requests).toHaveLength(3);
  });

  it('waits the backoff before the next try', async () => {
    const pixel = await createPixel({ url: `${receiver.url}/backoff` });
    receiver.fail(1);
    await enqueuePixelEvent(t.db, { orgId: owner.orgId, callId: await bareCall(), event: 'call_completed' });
    expect(await deliverDuePixels(t.db, { ...options, retryBaseMs: 400 })).toBe(1);
    const [failed] = await deliveriesOf(pixel.id);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 500', locked_until: null });
    // Not due yet: nothing is claimed.
    expect(await deliverDuePixels(t.db, options)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await deliverDuePixels(t.db, options)).toBe(1);
    expect((await deliveriesOf(pixel.id))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('marks a delivery failed after the third failed try, every attempt recorded', async () => {
    const pixel = await createPixel({ url: `${receiver.url}/down` });
    receiver.fail(Infinity, 502);
    await enqueuePixelEvent(t.db, { orgId: owner.orgId, callId: await bareCall(), event: 'call_completed' });
    await drain();
    const [delivery] = await deliveriesOf(pixel.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 3, last_error: 'HTTP 502', delivered_at: null });
    expect((await attemptsOf(delivery!.id)).map((a) => a.http_status)).toEqual([502, 502, 502]);
    expect(receiver.requests).toHaveLength(3);
    // A failed delivery is never tried again.
    expect(await deliverDuePixels(t.db, options)).toBe(0);
  });

  it('gives up at once on a 4xx other than 408 / 429', async () => {
    const pixel = await createPixel({ url: `${receiver.url}/gone` });
    receiver.fail(Infinity, 410);
    await enqueuePixelEvent(t.db, { orgId: owner.orgId, callId: await bareCall(), event: 'call_completed' });
    await drain();
    expect((await deliveriesOf(pixel.id))[0]).toMatchObject({ status: 'failed', attempts: 1, last_error: 'HTTP 410' });
  });

  it('refuses a metadata address at send time: failed with the guard’s error, nothing sent', async () => {
    const pixel = await createPixel({ url: `${receiver.url}/ok` });
    const inserted = await t.db
      .insertInto('pixel_deliveries')
      .values({ org_id: owner.orgId, pixel_id: pixel.id, call_id: null, event: 'call_completed', method: 'GET', url: 'http://169.254.169.254/latest/meta-data/' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await drain();
    const delivery = await t.db.selectFrom('pixel_deliveries').selectAll().where('id', '=', inserted.id).executeTakeFirstOrThrow();
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect(delivery.last_error).toMatch(/^blocked: .*169\.254\.169\.254/);
    expect((await attemptsOf(inserted.id))[0]).toMatchObject({ http_status: null, error: delivery.last_error });
  });

  it('refuses at send time a pixel saved while its address was allowed', async () => {
    const pixel = await createPixel({ url: `${receiver.url}/was-allowed` });
    await enqueuePixelEvent(t.db, { orgId: owner.orgId, callId: await bareCall(), event: 'call_completed' });
    const strict = createOutboundPolicy([]);
    const dispatcher = createGuardedDispatcher(strict);
    try {
      await drain({ policy: strict, dispatcher });
    } finally {
      await dispatcher.close();
    }
    const [delivery] = await deliveriesOf(pixel.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect(delivery!.last_error).toMatch(/^blocked: .*127\.0\.0\.1/);
    expect(receiver.requests).toHaveLength(0);
  });

  it('never lets two claims take the same row', async () => {
    const pixel = await createPixel({ url: `${receiver.url}/claims` });
    const rows = Array.from({ length: 10 }, () => ({ org_id: owner.orgId, pixel_id: pixel.id, call_id: null, event: 'call_completed', method: 'GET', url: `${receiver.url}/claims` }));
    await t.db.insertInto('pixel_deliveries').values(rows).execute();
    const [a, b] = await Promise.all([claimDueDeliveries(t.db, 10, 60_000), claimDueDeliveries(t.db, 10, 60_000)]);
    const ids = [...a!, ...b!].map((d) => d.id);
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(10);
    // Leased rows are not due again until the lease ends.
    expect(await claimDueDeliveries(t.db, 10, 60_000)).toHaveLength(0);
  });
});

describe('a restart', () => {
  it('loses nothing: a delivery pending after a failed try is delivered by the next instance’s worker', async () => {
    const pixel = await createPixel({ url: `${receiver.url}/restart?sid=[Call:CallSid]` });
    receiver.fail(1);
    await enqueuePixelEvent(t.db, { orgId: owner.orgId, callId: await bareCall(), event: 'call_completed' });
    expect(await deliverDuePixels(t.db, options)).toBe(1);
    expect((await deliveriesOf(pixel.id))[0]).toMatchObject({ status: 'pending', attempts: 1 });

    // The process goes away and comes back on the same database, its background worker on.
    t = await t.restart({ PIXEL_DELIVERY_INTERVAL_MS: '25', PIXEL_RETRY_BASE_MS: '0' });
    const deadline = Date.now() + 10_000;
    let delivery = (await deliveriesOf(pixel.id))[0];
    while (delivery?.status === 'pending' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      delivery = (await deliveriesOf(pixel.id))[0];
    }
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(receiver.requests).toHaveLength(2);
    expect((await attemptsOf(delivery!.id)).map((a) => a.http_status)).toEqual([500, 200]);
  });
});
