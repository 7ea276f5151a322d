// A buyer's leg put on hold and resumed (call control on a two-party <Dial>: the caller is parked,
// then our resume webhook dials the same attempt again). Twilio requests the first <Dial>'s action
// when the call is modified (connected for the seconds before the hold), and the resumed <Dial>'s
// action when it ends, each with its own DialCallSid. The buyer talked for the sum: the call pays
// once that sum reaches the minimum duration. Before, the larger of the two was kept ("durations
// only grow"), so 60 s + 60 s of a 90 s minimum was never paid. And the held segment's action
// ended the leg, so the resumed call no longer counted against the buyer's concurrency limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { postWebhook } from '../../helpers/twilio-webhook.js';
import { buyerCampaign, callRow, callSid, callStatus, dialXml, fallbackXml, legRows, voice } from './helpers.js';

let t: TestApp;
let owner: Member;
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Hold Revenue Org');
});
afterAll(async () => t.close());

function dialed(sid: string, dialCallSid: string, status: string, duration: number) {
  return postWebhook(t, '/api/webhooks/dial-status?attempt=1&route=auto', { CallSid: sid, DialCallSid: dialCallSid, DialCallStatus: status, DialCallDuration: String(duration) });
}

const BEFORE_HOLD = `CA${'a'.repeat(32)}`;
const AFTER_RESUME = `CA${'b'.repeat(32)}`;

describe('a buyer leg held and resumed', () => {
  it('pays once the seconds of both segments reach the minimum; repeated and late callbacks change nothing', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550951' }], { payout: 10, minCallDurationSec: 90 });
    const sid = callSid();
    expect((await voice(t, sid, campaign.phoneNumber!)).text).toBe(dialXml(t, '+13125550951', 1));

    // Hold: Twilio requests the <Dial> action of the segment the call update ended.
    expect((await dialed(sid, BEFORE_HOLD, 'completed', 60)).status).toBe(200);
    expect(await callRow(t, sid)).toMatchObject({ revenue: null, connected_duration_sec: 60 });

    // Resume: the same attempt dialled again.
    const resumed = await postWebhook(t, '/api/webhooks/resume', { CallSid: sid });
    expect(resumed.text).toBe(dialXml(t, '+13125550951', 1));
    expect((await dialed(sid, AFTER_RESUME, 'completed', 60)).status).toBe(200);
    expect(await callRow(t, sid)).toMatchObject({ revenue: '10.0000', revenue_attempt: 1, connected_duration_sec: 120 });
    expect(await legRows(t, sid)).toMatchObject([{ attempt: 1, dial_status: 'completed', dial_duration_sec: 120, dial_call_sid: BEFORE_HOLD }]);

    // Repeated deliveries of either segment's callback add nothing.
    await dialed(sid, AFTER_RESUME, 'completed', 60);
    await dialed(sid, BEFORE_HOLD, 'completed', 60);
    await callStatus(t, sid, 'completed', 150);
    expect(await callRow(t, sid)).toMatchObject({ revenue: '10.0000', connected_duration_sec: 120 });
    expect(await legRows(t, sid)).toMatchObject([{ attempt: 1, dial_status: 'completed', dial_duration_sec: 120 }]);
  });

  it('a repeated callback of one segment (same DialCallSid) still keeps its largest duration only', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550952' }], { payout: 10, minCallDurationSec: 90 });
    const sid = callSid();
    await voice(t, sid, campaign.phoneNumber!);
    await dialed(sid, BEFORE_HOLD.replace('a', 'c'), 'completed', 60);
    await dialed(sid, BEFORE_HOLD.replace('a', 'c'), 'completed', 60);
    expect(await callRow(t, sid)).toMatchObject({ revenue: null, connected_duration_sec: 60 });
  });

  it("the resumed leg holds the buyer's concurrency slot again until it ends", async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550953', maxConcurrentCalls: 1 }]);
    const held = callSid();
    expect((await voice(t, held, campaign.phoneNumber!)).text).toBe(dialXml(t, '+13125550953', 1));
    await dialed(held, `CA${'d'.repeat(32)}`, 'completed', 30);
    expect(await legRows(t, held)).toMatchObject([{ attempt: 1, ended_at: expect.any(Date) }]);

    expect((await postWebhook(t, '/api/webhooks/resume', { CallSid: held })).text).toBe(dialXml(t, '+13125550953', 1));
    expect(await legRows(t, held)).toMatchObject([{ attempt: 1, ended_at: null }]);
    // The buyer is talking to the resumed caller: a second call does not get it.
    const other = callSid();
    expect((await voice(t, other, campaign.phoneNumber!)).text).toBe(fallbackXml());
    await callStatus(t, other, 'completed', 5);

    // The resumed segment ends: the slot is free again.
    await dialed(held, `CA${'e'.repeat(32)}`, 'completed', 40);
    expect(await legRows(t, held)).toMatchObject([{ attempt: 1, ended_at: expect.any(Date), dial_duration_sec: 70 }]);
    const third = callSid();
    expect((await voice(t, third, campaign.phoneNumber!)).text).toBe(dialXml(t, '+13125550953', 1));
  });

  it('a resume of a call that has ended re-opens nothing', async () => {
    const { campaign } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550954', maxConcurrentCalls: 1 }]);
    const sid = callSid();
    await voice(t, sid, campaign.phoneNumber!);
    await dialed(sid, `CA${'f'.repeat(32)}`, 'completed', 30);
    await callStatus(t, sid, 'completed', 40);
    await postWebhook(t, '/api/webhooks/resume', { CallSid: sid });
    expect(await legRows(t, sid)).toMatchObject([{ attempt: 1, ended_at: expect.any(Date) }]);
  });
});
