// Values Twilio really sends in its callbacks, which our webhook forms must accept (a 400 loses
// the callback: Twilio does not retry it): a call's Price as a decimal ("-0.01300").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { postWebhook } from '../helpers/twilio-webhook.js';
import { buyerCampaign, callRow, callSid, voice } from '../inbound/webhooks/helpers.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Twilio Callback Values Org');
});
afterAll(async () => t.close());

describe("Twilio's callback values", () => {
  it('call-status: a decimal Price (as Twilio sends it, negative, in PriceUnit) is accepted and the call ends', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550171' }]);
    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).status).toBe(200);
    const answer = await postWebhook(t, '/api/webhooks/call-status', { CallSid: sid, CallStatus: 'completed', CallDuration: '42', Price: '-0.01300', PriceUnit: 'USD' });
    expect(answer.status).toBe(204);
    expect((await callRow(t, sid)).status).toBe('completed');
  });

  it('call-status: an empty Price (not priced yet) is accepted', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550172' }]);
    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).status).toBe(200);
    const answer = await postWebhook(t, '/api/webhooks/call-status', { CallSid: sid, CallStatus: 'completed', CallDuration: '5', Price: '' });
    expect(answer.status).toBe(204);
    expect((await callRow(t, sid)).status).toBe('completed');
  });

  it('call-status: a Price that is not a number is still refused, naming the field', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550173' }]);
    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).status).toBe(200);
    const answer = await postWebhook(t, '/api/webhooks/call-status', { CallSid: sid, CallStatus: 'completed', Price: '-0\\01' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).details).toHaveProperty('Price');
  });
});
