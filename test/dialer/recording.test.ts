// The recording of an outbound campaign's call (recordCalls): Twilio's recording status callback
// keeps the recording's sid and its URL on the call, shown as the call's `recordingUrl` like an
// inbound call's; a repeat or a status other than `completed` changes nothing, a URL that is not
// http(s) is a 400 naming it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDialerTick } from '../../server/dialer/loop/tick.js';
import { outboundUrls } from '../../server/dialer/webhooks/urls.js';
import type { PlaceCallInput } from '../../server/telephony/types.js';
import { type Member, registerOrg } from '../helpers/fixtures.js';
import { postWebhook } from '../helpers/twilio-webhook.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { daytimeZone } from './zones.js';

let t: TestApp;
let owner: Member;
let stranger: Member;
let campaignId: string;
const placed: PlaceCallInput[] = [];

const telephony = {
  kind: 'simulator' as const,
  async placeCall(input: PlaceCallInput) {
    placed.push(input);
    return { callSid: `CA${placed.length.toString(16).padStart(32, '0')}` };
  },
};

beforeAll(async () => {
  t = await startTestApp();
  owner = await registerOrg(t, 'Recording Org');
  stranger = await registerOrg(t, 'Other Recording Org');
  const found = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 1 } } });
  const callerId = (await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: found.data!.numbers[0]!.phoneNumber } })).data!.phoneNumber;
  const groupId = (await owner.client.POST('/api/agent-groups', { body: { name: 'Recorded floor' } })).data!.id;
  const agent = (await owner.client.POST('/api/agents', { body: { name: 'Rec Agent', phone: '+13125559100', groupId } })).data!;
  await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agent.id } }, body: { status: 'available' } });
  const zone = daytimeZone();
  const campaign = (await owner.client.POST('/api/campaigns', { body: { name: 'Recorded', direction: 'outbound', callerId, agentGroupId: groupId, timeZone: zone, recordCalls: true } })).data!;
  campaignId = campaign.id;
  expect((await owner.client.POST('/api/leads', { body: { phone: '+14155609911', campaignId, timeZone: zone } })).response.status).toBe(201);
  await owner.client.POST('/api/campaigns/{id}/start', { params: { path: { id: campaignId } } });
});
afterAll(async () => t?.close());

describe('the recording of an outbound call', () => {
  it("keeps the completed recording's URL as the call's recordingUrl; repeats and other statuses change nothing; a bad URL is a 400", async () => {
    await runDialerTick({ db: t.db, telephony, urls: outboundUrls(t.config.publicBaseUrl) });
    const call = await t.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    expect(placed.find((p) => p.statusCallbackUrl.includes(`callId=${call.id}`))?.recordingStatusCallbackUrl).toBe(outboundUrls(t.config.publicBaseUrl).recording(call.id));
    const path = `/api/webhooks/outbound/recording?callId=${call.id}`;
    const recordingSid = `RE${'1'.repeat(32)}`;
    const url = `https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/${recordingSid}`;
    const form = { CallSid: call.call_sid, RecordingSid: recordingSid, RecordingUrl: url, RecordingStatus: 'completed', RecordingDuration: '31' };

    // In progress: nothing kept yet.
    expect((await postWebhook(t, path, { ...form, RecordingStatus: 'in-progress' })).status).toBe(204);
    let shown = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(call.id) } } });
    expect(shown.data?.recordingUrl).toBeNull();

    // A URL that is not http(s): refused naming it, nothing kept.
    const bad = await postWebhook(t, path, { ...form, RecordingUrl: 'javascript:alert(1)' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('RecordingUrl');
    expect(await t.db.selectFrom('calls').select(['recording_sid', 'recording_url']).where('id', '=', call.id).executeTakeFirstOrThrow()).toEqual({ recording_sid: null, recording_url: null });

    expect((await postWebhook(t, path, form)).status).toBe(204);
    expect((await postWebhook(t, path, form)).status).toBe(204);
    expect(await t.db.selectFrom('calls').select(['recording_sid', 'recording_url']).where('id', '=', call.id).executeTakeFirstOrThrow()).toEqual({ recording_sid: recordingSid, recording_url: url });
    shown = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(call.id) } } });
    expect(shown.data?.recordingUrl).toBe(url);

    // A later failed recording of the same call leaves the completed one.
    expect((await postWebhook(t, path, { ...form, RecordingSid: `RE${'2'.repeat(32)}`, RecordingStatus: 'failed', RecordingUrl: 'https://example.com/other' })).status).toBe(204);
    shown = await owner.client.GET('/api/calls/{id}', { params: { path: { id: String(call.id) } } });
    expect(shown.data?.recordingUrl).toBe(url);

    // Another organisation never sees it.
    expect((await stranger.client.GET('/api/calls/{id}', { params: { path: { id: String(call.id) } } })).response.status).toBe(404);
  });
});
