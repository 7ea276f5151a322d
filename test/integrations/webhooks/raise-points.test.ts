// The real raise points (issue 19 item 4): an inbound call through the signed Twilio webhooks
// (call.started, call.answered, call.completed — once each however often Twilio repeats a
// callback), an outbound dialer call through its webhooks, a lead created and moved to qualified
// and converted through the API, an agent's presence. Each event arrives at a real receiver,
// signed, its body as the contract's `webhooks` section says.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WEBHOOK_QUEUE } from '../../../server/integrations/webhooks/queue.js';
import { createDeliveryDispatcher } from '../../../server/platform/deliveries/worker.js';
import type { DeliveryOptions } from '../../../server/platform/deliveries/types.js';
import { createOutboundPolicy } from '../../../server/platform/http/outbound/url-policy.js';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { postWebhook } from '../../helpers/twilio-webhook.js';
import { startReceiver, type Receiver } from '../../attribution/pixels/receiver.js';
import { buyerCampaign, callRow, callSid, callStatus, dialStatus, voice } from '../../inbound/webhooks/helpers.js';
import { contractProblems, createEndpoint, drain, verifySignature } from './helpers.js';

let t: TestApp;
let owner: Member;
let receiver: Receiver;
let options: DeliveryOptions;
let secret: string;

interface Received {
  id: string;
  type: string;
  data: Record<string, any>;
}

/** Deliver what is queued; every request signed and as the contract says. Returns the bodies in order of sending. */
async function received(): Promise<Received[]> {
  await drain(t, options);
  for (const request of receiver.requests) {
    expect(verifySignature(secret, request.headers['x-ccp-signature'] as string, request.body)).toBe(true);
    expect(contractProblems(request)).toEqual([]);
  }
  return receiver.requests.map((r) => JSON.parse(r.body) as Received);
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Raise Points Org');
  receiver = await startReceiver();
  const policy = createOutboundPolicy(t.config.outboundAllowPrivate);
  options = { dispatcher: createDeliveryDispatcher(policy, WEBHOOK_QUEUE), policy, retryBaseMs: 0 };
  secret = (await createEndpoint(owner, { url: `${receiver.url}/events`, events: ['*'] })).secret;
});
afterAll(async () => {
  await options?.dispatcher.close();
  await receiver?.close();
  await t?.close();
});
beforeEach(async () => {
  await drain(t, options);
  receiver.requests.length = 0;
});

describe('calls', () => {
  it('an inbound call raises call.started, call.answered and call.completed once each, callbacks delivered twice', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+12125550161', payout: 30, minCallDurationSec: 60 }]);
    const sid = callSid();
    for (let i = 0; i < 2; i += 1) expect((await voice(t, sid, campaign.phoneNumber!)).status).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await dialStatus(t, sid, 1, 'completed', 90)).status).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await callStatus(t, sid, 'completed', 95)).status).toBe(204);
    const call = await callRow(t, sid);
    const events = await received();
    expect(events.map((e) => e.type)).toEqual(['call.started', 'call.answered', 'call.completed']);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    const completed = events[2]!.data;
    expect(completed).toMatchObject({
      callId: call.id,
      callSid: sid,
      direction: 'inbound',
      status: 'completed',
      campaignId: campaign.id,
      from: '310***1234',
      to: campaign.phoneNumber,
      durationSec: 95,
      revenue: 30,
    });
    expect(events[0]!.data).toMatchObject({ callSid: sid, revenue: null });
  });

  it("a call that ends unanswered raises call.completed with its status, once its <Dial>'s outcome is in", async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+12125550162' }]);
    const sid = callSid();
    await voice(t, sid, campaign.phoneNumber!);
    await callStatus(t, sid, 'no-answer', 0);
    expect((await callRow(t, sid)).completion_pending).toBe(true);
    await dialStatus(t, sid, 1, 'no-answer', 0);
    const events = await received();
    expect(events.map((e) => [e.type, e.data.status])).toEqual([
      ['call.started', 'queued'],
      ['call.completed', 'no-answer'],
    ]);
  });

  it('an outbound dialer call raises call.started, call.answered and call.completed once each', async () => {
    const lead = await owner.client.POST('/api/leads', { body: { phone: '+14155550171', name: 'Dialled Lead' } });
    const sid = callSid();
    const { id } = await t.db
      .insertInto('calls')
      .values({ org_id: owner.orgId, call_sid: sid, direction: 'outbound', lead_id: lead.data!.id, from_number: '+14155550100', to_number: '+14155550171', status: 'queued', status_rank: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    receiver.requests.length = 0;
    await drain(t, options);
    receiver.requests.length = 0;
    const status = (CallStatus: string, extra: Record<string, string> = {}) =>
      postWebhook(t, `/api/webhooks/outbound/status?callId=${id}`, { CallSid: sid, CallStatus, To: '+14155550171', From: '+14155550100', ...extra });
    for (const s of ['initiated', 'ringing', 'ringing', 'in-progress', 'in-progress']) expect((await status(s)).status).toBe(204);
    for (let i = 0; i < 2; i += 1) expect((await status('completed', { CallDuration: '42' })).status).toBe(204);
    // A late progress callback changes nothing and raises nothing.
    expect((await status('ringing')).status).toBe(204);
    const events = await received();
    expect(events.map((e) => [e.type, e.data.status])).toEqual([
      ['call.started', 'initiated'],
      ['call.answered', 'in-progress'],
      ['call.completed', 'completed'],
    ]);
    expect(events[2]!.data).toMatchObject({ callId: id, direction: 'outbound', leadId: lead.data!.id, from: '+14155550100', to: '415***0171', durationSec: 42 });
    expect(events[1]!.data.answeredAt).not.toBeNull();
  });
});

describe('leads', () => {
  it('created, updated, qualified and converted through the API; nothing for a change that changes nothing', async () => {
    const created = await owner.client.POST('/api/leads', { body: { phone: '+14155550181', name: 'Sara Ahmed', company: 'ABC Corp' } });
    expect(created.response.status).toBe(201);
    const id = created.data!.id;
    const put = (body: Record<string, unknown>) => owner.client.PUT('/api/leads/{id}', { params: { path: { id } }, body });
    expect((await put({ notes: 'Called back' })).response.status).toBe(200);
    expect((await put({ notes: 'Called back' })).response.status).toBe(200);
    expect((await put({ status: 'Qualified' })).response.status).toBe(200);
    expect((await put({ stage: 'converted', company: 'ABC Corporation' })).response.status).toBe(200);
    const events = await received();
    expect(events.map((e) => e.type)).toEqual(['lead.created', 'lead.updated', 'lead.updated', 'lead.qualified', 'lead.updated', 'lead.converted']);
    expect(events.map((e) => [e.data.changedFields, e.data.previousStage, e.data.lead.stage])).toEqual([
      [[], null, 'new'],
      [['notes'], 'new', 'new'],
      [['stage'], 'new', 'qualified'],
      [[], 'new', 'qualified'],
      [['company', 'stage'], 'qualified', 'converted'],
      [[], 'qualified', 'converted'],
    ]);
    expect(events[0]!.data.lead).toMatchObject({ id, name: 'Sara Ahmed', phone: '415***0181' });
  });

  it('a lead created qualified raises lead.created and lead.qualified', async () => {
    await owner.client.POST('/api/leads', { body: { phone: '+14155550182', stage: 'qualified' } });
    const events = await received();
    expect(events.map((e) => [e.type, e.data.previousStage])).toEqual([
      ['lead.created', null],
      ['lead.qualified', null],
    ]);
  });
});

describe('agents', () => {
  it('a presence change raises agent.status_changed; setting the same status raises nothing', async () => {
    const agent = await owner.client.POST('/api/agents', { body: { name: 'Ada', phone: '+14155550191' } });
    const set = (status: 'available' | 'break') => owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agent.data!.id } }, body: { status } });
    await set('available');
    await set('available');
    await set('break');
    const events = await received();
    expect(events.map((e) => [e.type, e.data.previousStatus, e.data.status, e.data.reason])).toEqual([
      ['agent.status_changed', 'offline', 'available', 'user'],
      ['agent.status_changed', 'available', 'break', 'user'],
    ]);
    expect(events[1]!.data.statusVersion).toBe(events[0]!.data.statusVersion + 1);
  });
});
