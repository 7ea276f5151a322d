// Shared set-up for the call-path tests: campaigns with buyers or RTB targets, calls through the
// signed webhooks, and the exact TwiML the call path answers.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { components } from '../../../client/index.js';
import { type Client, createBuyer, createCampaign } from '../../helpers/fixtures.js';
import { bid, startStubBidder, type StubBidder } from '../../helpers/stub-bidder.js';
import type { TestApp } from '../../helpers/test-app.js';
import { postWebhook, XML_HEAD } from '../../helpers/twilio-webhook.js';

let numberCounter = 0;

/** A tracking number no other test in this process uses. */
export function trackingNumber(): string {
  numberCounter += 1;
  return `+1646${String(process.pid % 1000).padStart(3, '0')}${String(numberCounter).padStart(4, '0')}`;
}

export function callSid(): string {
  return `CA${randomBytes(16).toString('hex')}`;
}

export async function buyerCampaign(
  client: Client,
  buyers: Array<Partial<components['schemas']['BuyerCreate']> & { phoneNumber: string; weight?: number; assignmentPriority?: number }>,
  overrides: Partial<components['schemas']['CampaignCreate']> = {},
) {
  const campaign = await createCampaign(client, { name: `Calls ${trackingNumber()}`, phoneNumber: trackingNumber(), enableRtb: false, ...overrides });
  const created = [];
  for (const { weight, assignmentPriority, ...body } of buyers) {
    const buyer = await createBuyer(client, body);
    const added = await client.POST('/api/campaigns/{id}/buyers', {
      params: { path: { id: campaign.id } },
      body: { buyerId: buyer.id, ...(weight !== undefined ? { weight } : {}), ...(assignmentPriority !== undefined ? { priority: assignmentPriority } : {}) },
    });
    expect(added.response.status).toBe(201);
    created.push(buyer);
  }
  return { campaign, buyers: created };
}

/**
 * An RTB campaign (one fallback buyer) whose targets are stub bidders answering `answers` in order
 * of priority; the bidders are pushed onto `stubs` for the caller to close.
 */
export async function rtbCampaign(
  client: Client,
  stubs: StubBidder[],
  answers: Array<{ amount: number; destination: string; delayMs?: number }>,
  options: { buyerPhone?: string; dailyCap?: number; campaign?: Partial<components['schemas']['CampaignCreate']> } = {},
) {
  const targetIds: number[] = [];
  for (const a of answers) {
    const s = await startStubBidder(() => ({ body: bid(a.amount, a.destination), delayMs: a.delayMs ?? 0 }));
    stubs.push(s);
    const cap = options.dailyCap === undefined ? {} : { dailyCap: options.dailyCap };
    const target = await client.POST('/api/rtb/targets', { body: { name: `T ${s.url}`, endpointUrl: s.url, minBidAmount: 1, maxBidAmount: 100, timeoutMs: 1000, ...cap } });
    targetIds.push(target.data!.id);
  }
  const { campaign, buyers } = await buyerCampaign(client, [{ phoneNumber: options.buyerPhone ?? '+13125550171' }], {
    enableRtb: true,
    minBiddersRequired: 1,
    biddingTimeoutMs: 1000,
    ...options.campaign,
  });
  await client.PUT('/api/campaigns/{id}/rtb-targets', {
    params: { path: { id: campaign.id } },
    body: { assignments: targetIds.map((targetId, i) => ({ targetId, priority: i + 1 })) },
  });
  return { campaign, buyers, targetIds };
}

export function voice(t: TestApp, sid: string, to: string, extra: Record<string, string> = {}) {
  return postWebhook(t, '/api/webhooks/voice', { CallSid: sid, To: to, From: '+13105551234', ...extra });
}

export function dialStatus(t: TestApp, sid: string, attempt: number, status: string, duration?: number, query = 'route=auto') {
  return postWebhook(t, `/api/webhooks/dial-status?attempt=${attempt}&${query}`, {
    CallSid: sid,
    DialCallStatus: status,
    DialCallSid: `CA${String(attempt).padStart(32, '0')}`,
    ...(duration !== undefined ? { DialCallDuration: String(duration) } : {}),
  });
}

export function callStatus(t: TestApp, sid: string, status: string, duration?: number) {
  return postWebhook(t, '/api/webhooks/call-status', { CallSid: sid, CallStatus: status, ...(duration !== undefined ? { CallDuration: String(duration) } : {}) });
}

/** The exact <Dial> TwiML of attempt `attempt` to `destination`. */
export function dialXml(t: TestApp, destination: string, attempt: number, options: { route?: string; timeout?: number; extra?: string } = {}): string {
  const action = `${t.config.publicBaseUrl}/api/webhooks/dial-status?attempt=${attempt}&amp;route=${options.route ?? 'auto'}${options.extra ?? ''}`;
  return `${XML_HEAD}<Response><Dial action="${action}" method="POST" timeout="${options.timeout ?? 30}"><Number>${destination}</Number></Dial></Response>`;
}

export const HANGUP_XML = `${XML_HEAD}<Response><Hangup/></Response>`;

export function fallbackXml(message = 'Sorry, nobody is available to take your call right now. Please try again later.'): string {
  return `${XML_HEAD}<Response><Say>${message}</Say><Hangup/></Response>`;
}

export async function callRow(t: TestApp, sid: string) {
  return t.db.selectFrom('calls').selectAll().where('call_sid', '=', sid).executeTakeFirstOrThrow();
}

export async function legRows(t: TestApp, sid: string) {
  const call = await callRow(t, sid);
  return t.db.selectFrom('call_legs').selectAll().where('call_id', '=', call.id).orderBy('attempt').execute();
}

/** A flow with every kind of step a call can take: a menu, routing to buyers, a message, voicemail, hang-up. */
export const FLOW = {
  startNodeId: 'menu_1',
  nodes: [
    {
      id: 'menu_1',
      type: 'Menu',
      config: { message: 'Press 1 for sales, 2 to leave a message.', options: [{ digit: '1', next: 'route_1' }, { digit: '2', next: 'vm_1' }], invalid: 'bye', maxRetries: 1 },
    },
    { id: 'route_1', type: 'Route', config: { target: 'buyers', next: 'sorry' } },
    { id: 'sorry', type: 'Say', config: { message: 'Everybody is busy.', next: 'vm_1' } },
    { id: 'vm_1', type: 'Voicemail', config: { message: 'Leave a message.', maxLengthSeconds: 60 } },
    { id: 'bye', type: 'Hangup', config: { message: 'Goodbye.' } },
  ],
};
