// Event webhook deliveries (issue 19 item 4) through the one delivery worker, to a real local HTTP
// receiver: signed (the signature verifies as a receiver checks it), every body as the contract's
// `webhooks` section says, retried with backoff after 5xx, ended at once by a 4xx, the endpoint
// disabled after 10 failed deliveries in a row (the reason visible), replay, ping, and durability:
// a crashed worker's lease expires and another worker delivers; two workers never send one twice.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WEBHOOK_QUEUE } from '../../../server/integrations/webhooks/queue.js';
import { claimDue } from '../../../server/platform/deliveries/queries.js';
import { createDeliveryDispatcher, deliverDue } from '../../../server/platform/deliveries/worker.js';
import type { DeliveryOptions } from '../../../server/platform/deliveries/types.js';
import { raiseEvent } from '../../../server/platform/events/raise.js';
import { createOutboundPolicy } from '../../../server/platform/http/outbound/url-policy.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { startReceiver, type Receiver } from '../../attribution/pixels/receiver.js';
import { AGENT_STATUS_DATA, attemptRows, contractProblems, createEndpoint, deliveryRows, drain, verifySignature } from './helpers.js';

let t: TestApp;
let owner: Member;
let other: Member;
let receiver: Receiver;
let options: DeliveryOptions;

const path = (id: string) => ({ params: { path: { id } } });

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Webhook Delivery Org');
  other = await registerOrg(t, 'Another Webhook Org');
  receiver = await startReceiver();
  const policy = createOutboundPolicy(t.config.outboundAllowPrivate);
  options = { dispatcher: createDeliveryDispatcher(policy, WEBHOOK_QUEUE), policy, retryBaseMs: 0 };
});
afterAll(async () => {
  await options?.dispatcher.close();
  await receiver?.close();
  await t?.close();
});
beforeEach(async () => {
  await t.db.deleteFrom('webhook_endpoints').execute();
  receiver.requests.length = 0;
  receiver.fail(0);
});


describe('raiseEvent', () => {
  it('queues one delivery per active endpoint subscribed to the type (or *), none elsewhere', async () => {
    const subscribed = await createEndpoint(owner, { url: `${receiver.url}/a`, events: ['agent.status_changed'] });
    const everything = await createEndpoint(owner, { url: `${receiver.url}/all`, events: ['*'] });
    const elsewhere = await createEndpoint(owner, { url: `${receiver.url}/leads`, events: ['lead.created'] });
    const inactive = await createEndpoint(owner, { url: `${receiver.url}/off`, events: ['*'], isActive: false });
    const otherOrg = await createEndpoint(other, { url: `${receiver.url}/other`, events: ['*'] });
    const raised = await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    expect(raised.deliveries).toBe(2);
    for (const [endpoint, count] of [[subscribed, 1], [everything, 1], [elsewhere, 0], [inactive, 0], [otherOrg, 0]] as const) {
      expect((await deliveryRows(t, endpoint.id)).length).toBe(count);
    }
    const [row] = await deliveryRows(t, subscribed.id);
    expect(row).toMatchObject({ event_id: raised.id, event: 'agent.status_changed', method: 'POST', status: 'pending', attempts: 0 });
    expect(row!.headers).toEqual({ 'X-CCP-Event-Id': raised.id, 'X-CCP-Event-Type': 'agent.status_changed' });
  });

  it('commits with the caller’s transaction, or not at all', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/trx`, events: ['*'] });
    await expect(
      t.db.transaction().execute(async (trx) => {
        await raiseEvent(trx, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await deliveryRows(t, endpoint.id)).toHaveLength(0);
  });
});

describe('the webhook worker', () => {
  it('POSTs the signed envelope; the signature verifies, the body is what the contract says', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/signed`, events: ['*'] });
    const raised = await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA, occurredAt: new Date('2025-08-04T11:55:10.000Z') });
    await drain(t, options);
    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0]!;
    expect(request).toMatchObject({ method: 'POST', url: '/signed' });
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'CallCenterPro-Webhooks/1',
      'x-ccp-event-id': raised.id,
      'x-ccp-event-type': 'agent.status_changed',
    });
    expect(verifySignature(endpoint.secret, request.headers['x-ccp-signature'] as string, request.body)).toBe(true);
    expect(verifySignature(endpoint.secret, request.headers['x-ccp-signature'] as string, `${request.body} `)).toBe(false);
    expect(verifySignature('whsec_another', request.headers['x-ccp-signature'] as string, request.body)).toBe(false);
    expect(JSON.parse(request.body)).toEqual({
      id: raised.id,
      type: 'agent.status_changed',
      event: 'agent.status_changed',
      createdAt: '2025-08-04T11:55:10.000Z',
      organizationId: owner.orgId,
      data: AGENT_STATUS_DATA,
    });
    expect(contractProblems(request)).toEqual([]);
    const [row] = await deliveryRows(t, endpoint.id);
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, last_error: null, locked_until: null });
    // The secret is never stored beside the delivery or its attempts.
    expect(JSON.stringify([row, await attemptRows(t, row!.id)])).not.toContain(endpoint.secret);
    const shown = await owner.client.GET('/api/webhook-endpoints/{id}', path(endpoint.id));
    expect(shown.data!.deliveries).toEqual({ pending: 0, delivered: 1, failed: 0 });
  });

  it('signs with the rotated secret from then on (retries too)', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/rotated`, events: ['*'] });
    receiver.fail(1, 503);
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, options)).toBe(1);
    const rotated = await owner.client.POST('/api/webhook-endpoints/{id}/rotate-secret', path(endpoint.id));
    await drain(t, options);
    const [first, second] = receiver.requests;
    expect(verifySignature(endpoint.secret, first!.headers['x-ccp-signature'] as string, first!.body)).toBe(true);
    expect(verifySignature(rotated.data!.secret, second!.headers['x-ccp-signature'] as string, second!.body)).toBe(true);
    expect(verifySignature(endpoint.secret, second!.headers['x-ccp-signature'] as string, second!.body)).toBe(false);
    expect(first!.headers['x-ccp-event-id']).toBe(second!.headers['x-ccp-event-id']);
  });

  it('retries after 5xx with exponential backoff: every attempt in the log, then delivered', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/flaky`, events: ['*'] });
    receiver.fail(2, 500);
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, { ...options, retryBaseMs: 300 })).toBe(1);
    const [afterFirst] = await deliveryRows(t, endpoint.id);
    expect(afterFirst).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 500' });
    // Not due yet: nothing is claimed; then the second try, due after 300 ms, fails too: 600 ms more.
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, options)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, { ...options, retryBaseMs: 300 })).toBe(1);
    const [afterSecond] = await deliveryRows(t, endpoint.id);
    const wait = afterSecond!.next_attempt_at.getTime() - Date.now();
    expect(wait).toBeGreaterThan(300);
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, options)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, wait + 50));
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, options)).toBe(1);

    const log = await owner.client.GET('/api/webhook-endpoints/{id}/deliveries', path(endpoint.id));
    const [delivery] = log.data!.deliveries;
    expect(delivery).toMatchObject({ status: 'delivered', attemptCount: 3, lastError: null, nextAttemptAt: null });
    expect(delivery!.attempts.map((a) => [a.attempt, a.httpStatus, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 500, 'HTTP 500'],
      [3, 200, null],
    ]);
    expect(receiver.requests).toHaveLength(3);
  });

  it('fails after the 8th try, and at once on a 4xx other than 408 / 429', async () => {
    const down = await createEndpoint(owner, { url: `${receiver.url}/down`, events: ['*'] });
    receiver.fail(Infinity, 502);
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    await drain(t, options);
    expect((await deliveryRows(t, down.id))[0]).toMatchObject({ status: 'failed', attempts: 8, last_error: 'HTTP 502' });
    expect(receiver.requests).toHaveLength(8);

    await owner.client.PUT('/api/webhook-endpoints/{id}', { ...path(down.id), body: { isActive: false } });
    const gone = await createEndpoint(owner, { url: `${receiver.url}/gone`, events: ['*'] });
    receiver.requests.length = 0;
    receiver.fail(Infinity, 410);
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    await drain(t, options);
    expect((await deliveryRows(t, gone.id))[0]).toMatchObject({ status: 'failed', attempts: 1, last_error: 'HTTP 410' });
    expect(receiver.requests).toHaveLength(1);
    const shown = await owner.client.GET('/api/webhook-endpoints/{id}', path(gone.id));
    expect(shown.data).toMatchObject({ isActive: true, consecutiveFailures: 1, deliveries: { pending: 0, delivered: 0, failed: 1 } });
  });

  it('disables an endpoint after 10 failed deliveries in a row, with the reason visible; its pending ones end', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/broken`, events: ['*'] });
    receiver.fail(Infinity, 404);
    for (let i = 0; i < 9; i += 1) await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    await drain(t, options);
    expect((await owner.client.GET('/api/webhook-endpoints/{id}', path(endpoint.id))).data).toMatchObject({ isActive: true, consecutiveFailures: 9 });
    // A delivered one resets the streak…
    receiver.fail(0);
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    await drain(t, options);
    expect((await owner.client.GET('/api/webhook-endpoints/{id}', path(endpoint.id))).data).toMatchObject({ consecutiveFailures: 0 });
    // …then 10 failures in a row disable it; an 11th queued meanwhile (pending) ends with it.
    receiver.fail(Infinity, 404);
    for (let i = 0; i < 11; i += 1) await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    await t.db.updateTable('webhook_deliveries').set({ next_attempt_at: new Date(Date.now() + 3_600_000) }).where('id', '=', (await deliveryRows(t, endpoint.id)).at(-1)!.id).execute();
    await drain(t, options);
    const shown = (await owner.client.GET('/api/webhook-endpoints/{id}', path(endpoint.id))).data!;
    expect(shown).toMatchObject({ isActive: false, consecutiveFailures: 10, disabledReason: '10 consecutive deliveries failed (the last: HTTP 404)' });
    expect(shown.disabledAt).not.toBeNull();
    expect(shown.deliveries).toEqual({ pending: 0, delivered: 1, failed: 20 });
    const last = (await deliveryRows(t, endpoint.id)).at(-1)!;
    expect(last).toMatchObject({ status: 'failed', attempts: 0, last_error: 'endpoint disabled: 10 consecutive deliveries failed (the last: HTTP 404)' });
    // Disabled: new events are not queued for it.
    expect((await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA })).deliveries).toBe(0);
    // Re-enabled by hand: events flow again.
    receiver.fail(0);
    await owner.client.PUT('/api/webhook-endpoints/{id}', { ...path(endpoint.id), body: { isActive: true } });
    expect((await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA })).deliveries).toBe(1);
  });

  it('refuses a metadata address at send time: failed with the guard’s error, nothing sent', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/ok`, events: ['*'] });
    await t.db.updateTable('webhook_endpoints').set({ url: 'http://169.254.169.254/latest/meta-data/' }).where('id', '=', endpoint.id).execute();
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    await drain(t, options);
    const [row] = await deliveryRows(t, endpoint.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.last_error).toMatch(/^blocked: .*169\.254\.169\.254/);
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('ping and replay', () => {
  it('a test queues a ping, sent like any delivery; a replay sends the same event again as a new delivery', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/ping`, events: ['lead.created'] });
    const ping = await owner.client.POST('/api/webhook-endpoints/{id}/test', path(endpoint.id));
    expect(ping.response.status).toBe(202);
    expect(ping.data).toMatchObject({ endpointId: endpoint.id, eventType: 'ping', status: 'pending', attemptCount: 0, replayOf: null, attempts: [] });
    expect(ping.data!.payload).toMatchObject({ type: 'ping', event: 'ping', organizationId: owner.orgId, data: { endpointId: endpoint.id } });
    // Still pending: a replay would send it twice at once.
    const early = await owner.client.POST('/api/webhook-endpoints/{id}/deliveries/{deliveryId}/replay', { params: { path: { id: endpoint.id, deliveryId: ping.data!.id } } });
    expect(early.response.status).toBe(409);

    await drain(t, options);
    expect(receiver.requests).toHaveLength(1);
    expect(contractProblems(receiver.requests[0]!)).toEqual([]);
    expect(verifySignature(endpoint.secret, receiver.requests[0]!.headers['x-ccp-signature'] as string, receiver.requests[0]!.body)).toBe(true);

    const replay = await owner.client.POST('/api/webhook-endpoints/{id}/deliveries/{deliveryId}/replay', { params: { path: { id: endpoint.id, deliveryId: ping.data!.id } } });
    expect(replay.response.status).toBe(202);
    expect(replay.data).toMatchObject({ eventId: ping.data!.eventId, replayOf: ping.data!.id, status: 'pending', attemptCount: 0 });
    expect(replay.data!.id).not.toBe(ping.data!.id);
    await drain(t, options);
    expect(receiver.requests).toHaveLength(2);
    const [first, second] = receiver.requests;
    expect(second!.body).toBe(first!.body);
    expect(second!.headers['x-ccp-event-id']).toBe(ping.data!.eventId);
    const log = await owner.client.GET('/api/webhook-endpoints/{id}/deliveries', path(endpoint.id));
    expect(log.data!.deliveries.map((d) => [d.id, d.status, d.replayOf])).toEqual([
      [replay.data!.id, 'delivered', ping.data!.id],
      [ping.data!.id, 'delivered', null],
    ]);
    expect(log.data!.pagination).toEqual({ page: 1, limit: 50, total: 2, totalPages: 1 });
  });

  it('a failed delivery replayed twice (a double click) queues the event once: 409 while a replay of it is pending', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/twice`, events: ['*'] });
    receiver.fail(Infinity, 400);
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    await drain(t, options);
    receiver.fail(0);
    receiver.requests.length = 0;
    const [failed] = await deliveryRows(t, endpoint.id);
    expect(failed).toMatchObject({ status: 'failed' });
    const replay = () => owner.client.POST('/api/webhook-endpoints/{id}/deliveries/{deliveryId}/replay', { params: { path: { id: endpoint.id, deliveryId: failed!.id } } });
    const [a, b] = await Promise.all([replay(), replay()]);
    expect([a.response.status, b.response.status].sort()).toEqual([202, 409]);
    const refused = a.response.status === 409 ? a : b;
    expect(refused.error).toMatchObject({ code: 'CONFLICT', details: { deliveryId: expect.stringMatching(/pending/) } });
    const third = await replay();
    expect(third.response.status).toBe(409);
    expect((await deliveryRows(t, endpoint.id)).filter((r) => r.status === 'pending')).toHaveLength(1);
    await drain(t, options);
    expect(receiver.requests).toHaveLength(1);
    // Once that replay is over, the event may be sent again.
    expect((await replay()).response.status).toBe(202);
  });

  it('pings and replays a disabled endpoint (to check a fix before re-enabling it); the log pages and filters', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/fixed`, events: ['*'] });
    receiver.fail(Infinity, 400);
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    await drain(t, options);
    await owner.client.PUT('/api/webhook-endpoints/{id}', { ...path(endpoint.id), body: { isActive: false } });
    receiver.fail(0);
    const [failed] = await deliveryRows(t, endpoint.id);
    const replay = await owner.client.POST('/api/webhook-endpoints/{id}/deliveries/{deliveryId}/replay', { params: { path: { id: endpoint.id, deliveryId: failed!.id } } });
    expect(replay.response.status).toBe(202);
    await owner.client.POST('/api/webhook-endpoints/{id}/test', path(endpoint.id));
    await drain(t, options);
    const shown = (await owner.client.GET('/api/webhook-endpoints/{id}', path(endpoint.id))).data!;
    // Delivered again: the streak ends; the endpoint stays disabled until re-enabled by hand.
    expect(shown).toMatchObject({ isActive: false, consecutiveFailures: 0, deliveries: { pending: 0, delivered: 2, failed: 1 } });
    const failedOnly = await owner.client.GET('/api/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpoint.id }, query: { status: 'failed' } } });
    expect(failedOnly.data!.deliveries.map((d) => d.id)).toEqual([failed!.id]);
    const page2 = await owner.client.GET('/api/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpoint.id }, query: { page: 2, limit: 2 } } });
    expect(page2.data!.deliveries.map((d) => d.id)).toEqual([failed!.id]);
    expect(page2.data!.pagination).toEqual({ page: 2, limit: 2, total: 3, totalPages: 2 });
  });
});

describe('durability', () => {
  it('a crashed worker’s lease expires and another worker delivers', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/lease`, events: ['*'] });
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    // A worker claims the row (a short lease) and dies before sending.
    expect(await claimDue(t.db, WEBHOOK_QUEUE, 10, 200)).toHaveLength(1);
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, options)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, options)).toBe(1);
    expect(receiver.requests).toHaveLength(1);
    expect((await deliveryRows(t, endpoint.id))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('two workers running at once never send one delivery twice', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/race`, events: ['*'] });
    for (let i = 0; i < 30; i += 1) await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    const worker = async () => {
      while ((await deliverDue(t.db, WEBHOOK_QUEUE, { ...options, batchSize: 4 })) > 0);
    };
    await Promise.all([worker(), worker()]);
    expect(receiver.requests).toHaveLength(30);
    expect(new Set(receiver.requests.map((r) => r.headers['x-ccp-event-id'])).size).toBe(30);
    const rows = await deliveryRows(t, endpoint.id);
    expect(rows.every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
  });

  it('loses nothing over a restart: the next instance’s background worker delivers what is pending', async () => {
    const endpoint = await createEndpoint(owner, { url: `${receiver.url}/restart`, events: ['*'] });
    receiver.fail(1);
    await raiseEvent(t.db, { orgId: owner.orgId, type: 'agent.status_changed', data: AGENT_STATUS_DATA });
    expect(await deliverDue(t.db, WEBHOOK_QUEUE, options)).toBe(1);
    t = await t.restart({ WEBHOOK_DELIVERY_INTERVAL_MS: '25', WEBHOOK_RETRY_BASE_MS: '0' });
    const deadline = Date.now() + 10_000;
    let row = (await deliveryRows(t, endpoint.id))[0];
    while (row?.status === 'pending' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      row = (await deliveryRows(t, endpoint.id))[0];
    }
    expect(row).toMatchObject({ status: 'delivered', attempts: 2 });
    expect((await attemptRows(t, row!.id)).map((a) => a.http_status)).toEqual([500, 200]);
  });
});
