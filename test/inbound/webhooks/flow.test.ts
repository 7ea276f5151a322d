// Call flows (IVR, DESIGN.md 4.5) run statelessly across Twilio webhooks: each TwiML's action URL
// names the next node; a Route node routes the call and continues at its `next` node when nobody
// takes it; a Voicemail node keeps the recording.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Member, registerOrg } from '../../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { postWebhook, XML_HEAD } from '../../helpers/twilio-webhook.js';
import { buyerCampaign, callRow, callSid, dialStatus, FLOW, legRows, voice } from './helpers.js';

let t: TestApp;
let owner: Member;

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Flow Org');
});
afterAll(async () => t.close());


async function flowCampaign() {
  const { campaign, buyers } = await buyerCampaign(owner.client, [{ phoneNumber: '+13125550301' }]);
  const flow = await owner.client.POST('/api/call-flows', { body: { name: 'IVR', status: 'active', campaignId: campaign.id, flowDefinition: FLOW as never } });
  expect(flow.response.status).toBe(201);
  return { campaign, buyers, flowId: flow.data!.id };
}

function step(flowId: number, query: string): string {
  return `${t.config.publicBaseUrl}/api/webhooks/flow-step?flowId=${flowId}&amp;node=${query}`;
}

function menuXml(flowId: number, attempt: number, next: string): string {
  return (
    `${XML_HEAD}<Response><Gather action="${step(flowId, `menu_1&amp;gather=1&amp;attempt=${attempt}`)}" numDigits="1" timeout="5">` +
    `<Say>Press 1 for sales, 2 to leave a message.</Say></Gather><Redirect>${next}</Redirect></Response>`
  );
}

describe('call flows over webhooks', () => {
  it('menu → keys → route to buyers → busy → the Route node’s next → voicemail recorded', async () => {
    const { campaign, buyers, flowId } = await flowCampaign();
    const sid = callSid();
    const first = await voice(t, sid, campaign.phoneNumber!);
    expect(first.text).toBe(menuXml(flowId, 1, step(flowId, 'menu_1&amp;attempt=2')));
    expect(await callRow(t, sid)).toMatchObject({ routing_method: 'flow', flow_id: flowId });

    const pressed = await postWebhook(t, `/api/webhooks/flow-step?flowId=${flowId}&node=menu_1&gather=1&attempt=1`, { CallSid: sid, Digits: '1' });
    const action = `${t.config.publicBaseUrl}/api/webhooks/dial-status?attempt=1&amp;route=buyers&amp;flowId=${flowId}&amp;next=sorry`;
    expect(pressed.text).toBe(`${XML_HEAD}<Response><Dial action="${action}" method="POST" timeout="30"><Number>+13125550301</Number></Dial></Response>`);
    expect(await legRows(t, sid)).toMatchObject([{ attempt: 1, buyer_id: buyers[0]!.id }]);

    const busy = await dialStatus(t, sid, 1, 'busy', undefined, `route=buyers&flowId=${flowId}&next=sorry`);
    expect(busy.text).toBe(`${XML_HEAD}<Response><Redirect method="POST">${step(flowId, 'sorry')}</Redirect></Response>`);

    const sorry = await postWebhook(t, `/api/webhooks/flow-step?flowId=${flowId}&node=sorry`, { CallSid: sid });
    expect(sorry.text).toBe(`${XML_HEAD}<Response><Say>Everybody is busy.</Say><Redirect>${step(flowId, 'vm_1')}</Redirect></Response>`);

    const vm = await postWebhook(t, `/api/webhooks/flow-step?flowId=${flowId}&node=vm_1`, { CallSid: sid });
    expect(vm.text).toBe(`${XML_HEAD}<Response><Say>Leave a message.</Say><Record action="${step(flowId, 'vm_1&amp;recorded=1')}" maxLength="60"/><Hangup/></Response>`);

    const recording = 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE9';
    const done = await postWebhook(t, `/api/webhooks/flow-step?flowId=${flowId}&node=vm_1&recorded=1`, { CallSid: sid, RecordingUrl: recording });
    expect(done.text).toBe(`${XML_HEAD}<Response><Hangup/></Response>`);
    const call = await callRow(t, sid);
    expect(call.voicemail_url).toBe(recording);
    expect((call.routing_plan as { attempts: unknown[] }).attempts).toEqual([
      { attempt: 1, candidate: `buyer:${buyers[0]!.id}`, result: 'dialled' },
      { attempt: 2, result: 'fallback', to: 'flow:sorry' },
    ]);
  });

  it("a repeated delivery of the keys that route the call gets the same <Dial>: no second buyer reserved, the first buyer's payout paid", async () => {
    const { campaign, buyers } = await buyerCampaign(owner.client, [
      { phoneNumber: '+13125550311', payout: 10, priority: 1 },
      { phoneNumber: '+13125550312', payout: 99, priority: 2 },
    ]);
    const flow = await owner.client.POST('/api/call-flows', { body: { name: 'IVR twice', status: 'active', campaignId: campaign.id, flowDefinition: FLOW as never } });
    const flowId = flow.data!.id;
    const sid = callSid();
    await voice(t, sid, campaign.phoneNumber!);
    const url = `/api/webhooks/flow-step?flowId=${flowId}&node=menu_1&gather=1&attempt=1`;
    const first = await postWebhook(t, url, { CallSid: sid, Digits: '1' });
    const again = await postWebhook(t, url, { CallSid: sid, Digits: '1' });
    expect(again.text).toBe(first.text);
    expect(await legRows(t, sid)).toMatchObject([{ attempt: 1, buyer_id: buyers[0]!.id }]);
    await dialStatus(t, sid, 1, 'completed', 90, `route=buyers&flowId=${flowId}&next=sorry`);
    expect(await callRow(t, sid)).toMatchObject({ revenue: '10.0000', revenue_attempt: 1 });
  });

  it('a wrong key plays the menu again, then goes to the invalid node', async () => {
    const { campaign, flowId } = await flowCampaign();
    const sid = callSid();
    await voice(t, sid, campaign.phoneNumber!);
    const again = await postWebhook(t, `/api/webhooks/flow-step?flowId=${flowId}&node=menu_1&gather=1&attempt=1`, { CallSid: sid, Digits: '9' });
    expect(again.text).toBe(menuXml(flowId, 2, step(flowId, 'bye')));
    const bye = await postWebhook(t, `/api/webhooks/flow-step?flowId=${flowId}&node=menu_1&gather=1&attempt=2`, { CallSid: sid, Digits: '' });
    expect(bye.text).toBe(`${XML_HEAD}<Response><Say>Goodbye.</Say><Hangup/></Response>`);
    expect(await legRows(t, sid)).toHaveLength(0);
  });

  it('a stale URL (deleted flow, unknown node) ends politely; an ended call just hangs up; an unknown call is 404', async () => {
    const { campaign, flowId } = await flowCampaign();
    const sid = callSid();
    await voice(t, sid, campaign.phoneNumber!);
    const unknownNode = await postWebhook(t, `/api/webhooks/flow-step?flowId=${flowId}&node=gone`, { CallSid: sid });
    expect(unknownNode.text).toBe(`${XML_HEAD}<Response><Say>Sorry, this call cannot be completed.</Say><Hangup/></Response>`);
    const otherFlow = await postWebhook(t, `/api/webhooks/flow-step?flowId=999999&node=menu_1`, { CallSid: sid });
    expect(otherFlow.text).toBe(`${XML_HEAD}<Response><Say>Sorry, this call cannot be completed.</Say><Hangup/></Response>`);
    await postWebhook(t, '/api/webhooks/call-status', { CallSid: sid, CallStatus: 'completed', CallDuration: '20' });
    const ended = await postWebhook(t, `/api/webhooks/flow-step?flowId=${flowId}&node=menu_1`, { CallSid: sid });
    expect(ended.text).toBe(`${XML_HEAD}<Response><Hangup/></Response>`);
    const unknown = await postWebhook(t, `/api/webhooks/flow-step?flowId=${flowId}&node=menu_1`, { CallSid: callSid() });
    expect(unknown.status).toBe(404);
  });
});
