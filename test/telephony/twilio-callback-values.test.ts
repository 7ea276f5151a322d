// Values Twilio really sends in its callbacks, which our webhook forms must accept (a 400 loses
// the callback: Twilio does not retry it): a call's Price as a decimal ("-0.01300"), and the
// `Digits=hangup` of a <Record> the caller ended by hanging up (the usual end of a voicemail).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { postWebhook, XML_HEAD } from '../helpers/twilio-webhook.js';
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

  it('voicemail: a recording the caller ended by hanging up (Digits=hangup) is kept', async () => {
    const voicemail = await buyerCampaign(owner.client, [], { fallbackAction: 'voicemail' });
    const sid = callSid();
    expect((await voice(t, sid, voicemail.campaign.phoneNumber!)).status).toBe(200);
    const recording = 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE2';
    const left = await postWebhook(t, '/api/webhooks/voicemail', { CallSid: sid, RecordingUrl: recording, RecordingSid: 'RE2', RecordingDuration: '14', Digits: 'hangup' });
    expect(left.status).toBe(200);
    expect(left.text).toBe(`${XML_HEAD}<Response><Hangup/></Response>`);
    expect((await callRow(t, sid)).voicemail_url).toBe(recording);
  });

  it('voicemail: Digits other than keys or hangup are still refused, naming the field', async () => {
    const voicemail = await buyerCampaign(owner.client, [], { fallbackAction: 'voicemail' });
    const sid = callSid();
    expect((await voice(t, sid, voicemail.campaign.phoneNumber!)).status).toBe(200);
    const left = await postWebhook(t, '/api/webhooks/voicemail', { CallSid: sid, RecordingUrl: 'https://api.twilio.com/r', RecordingSid: 'RE3', Digits: 'hangup1' });
    expect(left.status).toBe(400);
    expect(JSON.parse(left.text).details).toHaveProperty('Digits');
    expect((await callRow(t, sid)).voicemail_url).toBeNull();
  });
});
