// One organisation with one of everything, made through the API (and one recorded call): the
// objects hostile-input tests aim their requests at.
import { makeMp3 } from '../crm/audio-fixtures.js';
import { upload } from '../crm/audio-helpers.js';
import { recordInboundCall } from '../../server/inbound/calls/queries/index.js';
import { type Member, addMember, createBuyer, createCampaign, registerOrg } from './fixtures.js';
import type { TestApp } from './test-app.js';

export const WORLD_CALL_SID = 'CA00000000000000000000000000000001';

export interface World {
  owner: Member;
  /** An uploaded audio file (an MP3). */
  audioId: string;
  /** An agent of the organisation (a user the tests may change or delete). */
  member: Member;
  /** The owner's session cookie, as a Cookie header. */
  cookie: string;
  campaignId: string;
  /** A buyer assigned to the campaign. */
  buyerId: number;
  /** A buyer assigned to nothing. */
  spareBuyerId: number;
  apiKeyId: string;
  targetId: number;
  routerId: number;
  rtbId: string;
  numberId: number;
  numberPhone: string;
  poolId: number;
  flowId: number;
  pixelId: number;
  tagId: number;
  tagCode: string;
  callId: number;
  callSid: string;
  /** A lead, a call log on it (about the recorded call) and the follow-up task the log scheduled. */
  leadId: string;
  callLogId: string;
  followUpId: string;
}

/** `callSid`: the recorded call's (a CallSid belongs to one organisation: another world needs another). */
export async function createWorld(t: TestApp, organizationName: string, callSid = WORLD_CALL_SID): Promise<World> {
  const owner = await registerOrg(t, organizationName);
  const member = await addMember(t, owner, 'agent');
  const cookie = [...owner.client.cookieJar!.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const campaign = await createCampaign(owner.client, { name: 'Target campaign' });
  const campaignId = campaign.id;
  const buyerId = (await createBuyer(owner.client, { name: 'Target buyer' })).id;
  const spareBuyerId = (await createBuyer(owner.client, { name: 'Spare buyer', phoneNumber: '+12125550999' })).id;
  const assigned = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: campaignId } }, body: { buyerId } });
  if (assigned.response.status !== 201) throw new Error(`addCampaignBuyer failed: ${assigned.response.status}`);
  const key = await owner.client.POST('/api/api-keys', { body: { name: 'Target key', role: 'manager' } });
  if (!key.data) throw new Error(`createApiKey failed: ${key.response.status}`);
  const target = await owner.client.POST('/api/rtb/targets', { body: { name: 'Target target', endpointUrl: 'http://127.0.0.1:9/bid' } });
  const router = await owner.client.POST('/api/rtb/routers', { body: { name: 'Target router' } });
  if (!target.data || !router.data) throw new Error('RTB setup failed');
  await owner.client.PUT('/api/campaigns/{id}/rtb-targets', { params: { path: { id: campaignId } }, body: { assignments: [{ targetId: target.data.id }] } });
  const found = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 1 } } });
  const number = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: found.data!.numbers[0]!.phoneNumber } });
  const pool = await owner.client.POST('/api/number-pools', { body: { name: 'Target pool' } });
  const flow = await owner.client.POST('/api/call-flows', {
    body: { name: 'Target flow', flowDefinition: { startNodeId: 'start', nodes: [{ id: 'start', type: 'Hangup', config: { message: 'Goodbye' } }] } },
  });
  if (!number.data || !pool.data || !flow.data) throw new Error('number/pool/flow setup failed');
  const pixel = await owner.client.POST('/api/tracking-pixels', { body: { name: 'Target pixel', url: 'https://pixels.example.com/p' } });
  if (!pixel.data) throw new Error(`createTrackingPixel failed: ${pixel.response.status}`);
  const tag = await owner.client.POST('/api/tracking-tags', { body: { name: 'Target tag', campaignId, poolId: pool.data.id } });
  if (!tag.data) throw new Error(`createTrackingTag failed: ${tag.response.status}`);
  const audio = await upload(owner.client, { data: makeMp3(10), name: 'Target audio' });
  if (!audio.data) throw new Error(`uploadAudio failed: ${audio.response.status}`);
  const call = await recordInboundCall(t.db, { orgId: owner.orgId, callSid, campaignId, from: '+13105550000', to: number.data.phoneNumber });
  const lead = await owner.client.POST('/api/leads', { body: { phone: '+14155550180', name: 'Target lead', campaignId } });
  if (!lead.data) throw new Error(`createLead failed: ${lead.response.status}`);
  const callLog = await owner.client.POST('/api/call-logs', {
    body: { leadId: lead.data.id, outcome: 'Callback Requested', callId: call.call.id, scheduledFollowUp: '2030-01-25T14:00:00Z' },
  });
  if (!callLog.data?.followUp) throw new Error(`createCallLog failed: ${callLog.response.status}`);
  return {
    ...{ leadId: lead.data.id, callLogId: callLog.data.id, followUpId: callLog.data.followUp.id },
    ...{ owner, member, cookie, campaignId, buyerId, spareBuyerId, apiKeyId: key.data.id, targetId: target.data.id, routerId: router.data.id, rtbId: campaign.rtbId },
    ...{ numberId: number.data.id, numberPhone: number.data.phoneNumber, poolId: pool.data.id, flowId: flow.data.id, pixelId: pixel.data.id },
    ...{ tagId: tag.data.id, tagCode: tag.data.tagCode, callId: call.call.id, callSid, audioId: audio.data.id },
  };
}
