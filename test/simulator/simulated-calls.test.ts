// The simulator plays the carrier (issue 13.4): POST /api/simulator/calls places a simulated
// inbound call through the real, signed webhooks and plays Twilio's part — the <Dial> outcome as
// asked, the dial-status and call-status callbacks — so the call record, its revenue and the
// reports move as with Twilio, and the record says `source: simulator`. Simulator only, admin only,
// the organisation's own numbers only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '../../client/index.js';
import { type Client, type Member, addMember, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { buyerCampaign, callRow, FLOW, legRows } from '../inbound/webhooks/helpers.js';

type SimulatedCallCreate = components['schemas']['SimulatedCallCreate'];


let t: TestApp;
let owner: Member;
let other: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Simulator Org');
  other = await registerOrg(t, 'Other Simulator Org');
});
afterAll(async () => t.close());

async function simulate(client: Client, body: SimulatedCallCreate) {
  const res = await client.POST('/api/simulator/calls', { body });
  return { status: res.response.status, data: res.data, error: res.error as { code?: string; details?: unknown } | undefined };
}

async function analytics(client: Client, campaignId: string, source?: 'twilio' | 'simulator' | 'manual') {
  const res = await client.GET('/api/reports/call-analytics', { params: { query: { campaignId, ...(source ? { source } : {}) } } });
  expect(res.response.status).toBe(200);
  return res.data!.summary;
}

describe('POST /api/simulator/calls', () => {
  it('plays an answered call through the real webhooks: revenue on the call (source simulator) and in the reports', async () => {
    const { campaign, buyers } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550301', payout: 25, minCallDurationSec: 60 }]);
    const placed = await simulate(owner.client, { to: campaign.phoneNumber!, outcome: 'answered', durationSec: 90, timeScale: 0, callerState: 'CA', callerZip: '90210' });
    expect(placed.status).toBe(201);
    const call = placed.data!;
    expect(call).toMatchObject({ simulated: true, status: 'completed', callSid: expect.stringMatching(/^CA[0-9a-f]{32}$/) });
    expect(call.label).toMatch(/simulator/i);
    expect(call.steps.map((s) => [s.request.split('?')[0], s.status])).toEqual([
      ['/api/webhooks/voice', 200],
      ['/api/webhooks/dial-status', 200],
      ['/api/webhooks/call-status', 204],
    ]);
    expect(call.steps[0]!.answer).toEqual(['Dial +13125550301']);
    expect(call.steps[1]!.params).toMatchObject({ DialCallStatus: 'completed', DialCallDuration: '90' });
    expect(call.steps[2]!.params).toMatchObject({ CallStatus: 'completed', CallDuration: '93' }); // 3 s ringing + 90 s

    const got = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(call.callId) } } });
    expect(got.response.status).toBe(200);
    expect(got.data).toMatchObject({ callSid: call.callSid, source: 'simulator', status: 'completed', revenue: 25, connectedDuration: 90, duration: 93 });
    expect(call.links.call).toBe(`/api/calls/${call.callId}`);
    expect(await callRow(t, call.callSid)).toMatchObject({ caller_state: 'CA', caller_zip: '90210', buyer_id: buyers[0]!.id });

    expect(await analytics(owner.client, campaign.id)).toMatchObject({ totalCalls: 1, completedCalls: 1, convertedCalls: 1, totalRevenue: 25 });
    expect(await analytics(owner.client, campaign.id, 'simulator')).toMatchObject({ totalCalls: 1, totalRevenue: 25 });
    expect(await analytics(owner.client, campaign.id, 'twilio')).toMatchObject({ totalCalls: 0, totalRevenue: 0 });
    const listed = await owner.client.GET('/api/calls', { params: { query: { campaignId: campaign.id, source: 'simulator' } } });
    expect(listed.data!.calls.map((c) => [c.callSid, c.source])).toEqual([[call.callSid, 'simulator']]);
    const real = await owner.client.GET('/api/calls', { params: { query: { campaignId: campaign.id, source: 'twilio' } } });
    expect(real.data!.calls).toEqual([]);
  });

  it('busy and no-answer fall through to the next buyer, who is paid; all busy ends in the fallback and pays nothing', async () => {
    const { campaign, buyers } = await buyerCampaign(owner.client, [
      { phoneNumber: '+13125550311', payout: 10, assignmentPriority: 1 },
      { phoneNumber: '+13125550312', payout: 12, assignmentPriority: 2 },
      { phoneNumber: '+13125550313', payout: 14, assignmentPriority: 3 },
    ]);
    const placed = await simulate(owner.client, { to: campaign.phoneNumber!, dialOutcomes: ['busy', 'no-answer', 'answered'], durationSec: 120, timeScale: 0 });
    expect(placed.status).toBe(201);
    const legs = await legRows(t, placed.data!.callSid);
    expect(legs.map((l) => [l.attempt, l.buyer_id, l.dial_status])).toEqual([
      [1, buyers[0]!.id, 'busy'],
      [2, buyers[1]!.id, 'no-answer'],
      [3, buyers[2]!.id, 'completed'],
    ]);
    expect(await callRow(t, placed.data!.callSid)).toMatchObject({ revenue: '14.0000', revenue_attempt: 3, source: 'simulator', status: 'completed' });

    const busy = await simulate(owner.client, { to: campaign.phoneNumber!, outcome: 'busy', timeScale: 0 });
    expect(busy.status).toBe(201);
    expect(busy.data!.steps.at(-2)!.answer).toEqual(['Say Sorry, nobody is available to take your call right now. P...', 'Hangup']);
    expect((await legRows(t, busy.data!.callSid)).map((l) => l.dial_status)).toEqual(['busy', 'busy', 'busy']);
    expect(await callRow(t, busy.data!.callSid)).toMatchObject({ revenue: null, status: 'completed' });
  });

  it('a buyer who would pick up (or be busy) only after the <Dial> timeout is no-answer at the timeout, and is not paid', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550381', payout: 20 }]);
    // The campaign's <Dial timeout> is 30 s; the buyer would answer after 45 s of ringing.
    const placed = await simulate(owner.client, { to: campaign.phoneNumber!, outcome: 'answered', ringSec: 45, durationSec: 90, timeScale: 0 });
    expect(placed.status).toBe(201);
    const dial = placed.data!.steps.find((s) => s.request.startsWith('/api/webhooks/dial-status'))!;
    expect(dial.params.DialCallStatus).toBe('no-answer');
    expect(dial.params.DialCallDuration).toBeUndefined();
    expect(placed.data!.steps.at(-1)!.params).toMatchObject({ CallStatus: 'completed', CallDuration: '30' });
    expect((await legRows(t, placed.data!.callSid)).map((l) => l.dial_status)).toEqual(['no-answer']);
    expect(await callRow(t, placed.data!.callSid)).toMatchObject({ revenue: null, status: 'completed' });

    const busy = await simulate(owner.client, { to: campaign.phoneNumber!, outcome: 'busy', ringSec: 30, timeScale: 0 });
    expect((await legRows(t, busy.data!.callSid)).map((l) => l.dial_status)).toEqual(['no-answer']);
  });

  it('follows a call flow: the <Gather> gets the digits asked for, <Redirect>s are followed, a <Record> leaves a voicemail', async () => {
    const { campaign, buyers } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550371' }]);
    const flow = await owner.client.POST('/api/call-flows', { body: { name: 'IVR', status: 'active', campaignId: campaign.id, flowDefinition: FLOW as never } });
    expect(flow.response.status).toBe(201);
    const placed = await simulate(owner.client, { to: campaign.phoneNumber!, digits: ['1'], outcome: 'busy', timeScale: 0 });
    expect(placed.status).toBe(201);
    const steps = placed.data!.steps;
    expect(steps.map((s) => s.request.replace(/\?.*node=([a-z_0-9]+).*/, ' $1').replace(/\?.*/, ''))).toEqual([
      '/api/webhooks/voice',
      '/api/webhooks/flow-step menu_1',
      '/api/webhooks/dial-status',
      '/api/webhooks/flow-step sorry',
      '/api/webhooks/flow-step vm_1',
      '/api/webhooks/flow-step vm_1',
      '/api/webhooks/call-status',
    ]);
    expect(steps[1]!.params).toMatchObject({ Digits: '1' });
    expect(steps[2]!.params).toMatchObject({ DialCallStatus: 'busy' });
    const call = await callRow(t, placed.data!.callSid);
    expect(call).toMatchObject({ routing_method: 'flow', status: 'completed', source: 'simulator', revenue: null });
    expect(call.voicemail_url).toMatch(/^https:\/\/simulator\.invalid\/recordings\/RE[0-9a-f]{32}$/);
    expect((await legRows(t, placed.data!.callSid)).map((l) => [l.buyer_id, l.dial_status])).toEqual([[buyers[0]!.id, 'busy']]);
  });

  it('does not wait for the call: 202 while it rings, then the callbacks arrive after the (scaled) duration', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550321', payout: 9 }]);
    const placed = await simulate(owner.client, { to: campaign.phoneNumber!, durationSec: 60, ringSec: 2, timeScale: 0.005 });
    expect(placed.status).toBe(202);
    expect(placed.data).toMatchObject({ simulated: true, status: 'in-progress' });
    expect(placed.data!.steps.map((s) => s.request)).toEqual(['/api/webhooks/voice']);
    // Still ringing: a live call the simulator knows, so call control works on it (held, then resumed:
    // the buyer is dialled again).
    const hold = await owner.client.POST('/api/calls/{callSid}/hold', { params: { path: { callSid: placed.data!.callSid } } });
    expect(hold.response.status).toBe(200);
    const resume = await owner.client.POST('/api/calls/{callSid}/resume', { params: { path: { callSid: placed.data!.callSid } } });
    expect(resume.response.status).toBe(200);
    let row = await callRow(t, placed.data!.callSid);
    for (let i = 0; i < 100 && row.status !== 'completed'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      row = await callRow(t, placed.data!.callSid);
    }
    // The planned 2 s of ringing and 60 s of talk, plus however long it was on hold (simulated seconds pass at 5 ms each).
    expect(row).toMatchObject({ status: 'completed', connected_duration_sec: 60, revenue: '9.0000', source: 'simulator' });
    expect(row.duration_sec).toBeGreaterThanOrEqual(62);
  });

  it('is the organisation’s: another organisation’s number or an unknown one is a 404, and nothing is recorded', async () => {
    const { campaign } = await buyerCampaign(other.client, [{ phoneNumber: '+13125550341' }]);
    const before = await t.db.selectFrom('calls').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    for (const to of [campaign.phoneNumber!, '+19995550100']) {
      const answer = await simulate(owner.client, { to, timeScale: 0 });
      expect(answer.status).toBe(404);
      expect(answer.error).toMatchObject({ code: 'RESOURCE_NOT_FOUND' });
    }
    const after = await t.db.selectFrom('calls').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('is for admins, refuses bad input naming the field, and needs a session', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550351' }]);
    const manager = await addMember(t, owner, 'manager');
    expect((await simulate(manager.client, { to: campaign.phoneNumber!, timeScale: 0 })).status).toBe(403);
    expect((await simulate(t.client(), { to: campaign.phoneNumber!, timeScale: 0 })).status).toBe(401);
    const bad = await simulate(owner.client, { to: campaign.phoneNumber!, outcome: 'maybe' as never });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.error?.details)).toContain('outcome');
    const slow = await simulate(owner.client, { to: campaign.phoneNumber!, timeScale: 2 });
    expect(slow.status).toBe(400);
    expect(JSON.stringify(slow.error?.details)).toContain('timeScale');
  });

  it('answers in real time without blocking, and a closing server stops the calls still playing', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550332' }]);
    const started = Date.now();
    const placed = await simulate(owner.client, { to: campaign.phoneNumber!, durationSec: 3600 });
    expect(placed.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await callRow(t, placed.data!.callSid)).status).not.toBe('completed');
    // A restart closes this app: the hour-long call stops playing at once (no hanging close).
    const closing = Date.now();
    t = await t.restart();
    expect(Date.now() - closing).toBeLessThan(20000);
    expect((await callRow(t, placed.data!.callSid)).status).not.toBe('completed');
  }, 60000);
});

describe('with Twilio (TELEPHONY=twilio)', () => {
  it('the simulator endpoint is absent: 404, and nothing is recorded', async () => {
    // The same database, restarted with Twilio as the carrier.
    t = await t.restart({ TELEPHONY: 'twilio', TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'twilio-auth-token-0123456789' });
    expect(t.config.telephony).toBe('twilio');
    const admin = await registerOrg(t, 'Twilio Org');
    // With Twilio a campaign may only use a number the organisation bought, so there is none here:
    // the endpoint must be absent whatever number it is asked to call.
    const count = async () => (await t.db.selectFrom('calls').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n;
    const before = await count();
    const answer = await simulate(admin.client, { to: '+13125550361', timeScale: 0 });
    expect(answer.status).toBe(404);
    expect(answer.error).toMatchObject({ code: 'RESOURCE_NOT_FOUND' });
    expect(JSON.stringify(answer.error?.details)).toContain('simulator is off');
    expect(await count()).toBe(before);
  }, 60000);
});
