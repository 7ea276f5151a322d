// Tenancy: every operation that takes an id must treat another organisation's object as absent
// (404 RESOURCE_NOT_FOUND) and leave it untouched. The table below must name every id-bearing
// operation of openapi.yaml, so a new one without a case fails this file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { components } from '../../client/schema.js';
import { type Client, type Member, addMember, createBuyer, createCampaign, registerOrg } from '../helpers/fixtures.js';
import { snapshotTables } from '../helpers/db-snapshot.js';
import { upload, waitForImport } from '../crm/helpers.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';
import { makeMp3 } from '../crm/audio-fixtures.js';
import { upload as uploadAudio } from '../crm/audio-helpers.js';
import { randomBytes } from 'node:crypto';
import { callStatusRank } from '../../server/inbound/calls/status.js';
import { indexOperations, loadSpec } from '../../server/platform/spec.js';
import { createSimulatorTelephony, type SimulatorTelephony } from '../../server/telephony/simulator/simulator.js';
import { assignNumber, createAiAgent } from '../ai/outbound/helpers.js';

let t: TestApp;
/** The telephony the app controls calls with: B's attempts on A's calls must leave it untouched. */
let sim: SimulatorTelephony;

interface Tenant {
  owner: Member;
  member: Member;
  apiKey: { id: string; key: string };
  campaign: { id: string };
  buyer: { id: number };
  target: { id: number };
  router: { id: number };
  auction: { id: string; requestId: string };
  number: { id: number };
  pooledNumber: { id: number };
  pool: { id: number };
  flow: { id: number };
  /** A tracking pixel filtered to the tenant's campaign, with a signing secret. */
  pixel: { id: number };
  /** A tracking tag on the tenant's campaign and pool, a visitor session it assigned a pool number, and a conversion event of that session. */
  tag: { id: number; tagCode: string };
  visitor: { sessionId: string };
  /** A live call (in-progress, known to the simulator), corrected once and being recorded. */
  call: { id: number; callSid: string; recordingSid: string };
  /** An uploaded audio file (an MP3). */
  audio: { id: string };
  /** A lead in the tenant's campaign, a do-not-call number, and a finished lead import. */
  lead: { id: string };
  dncNumber: { id: string };
  leadImport: { id: string };
  /** A call log on the lead (about the tenant's call) with the follow-up task it scheduled. */
  callLog: { id: string };
  followUp: { id: string };
  /** An agent (in a group) and its group. */
  agent: { id: string };
  agentGroup: { id: string };
  /** An event webhook endpoint with a delivery (a ping, failed: so a replay would be allowed). */
  webhook: { id: string; deliveryId: string };
  // AI agents (issue 20)
  /** An AI agent changed once (two versions). */
  aiAgent: { id: string };
  // AI outbound (issue 20)
  /** An AI outbound call scheduled years ahead, one that went unanswered (so a retry would be allowed), a recurring schedule, a finished CSV import of calls. */
  aiOutbound: { callId: string; unansweredId: string; scheduleId: string; importId: string };
  // AI knowledge base (issue 20): a processed document of an agent of its own.
  kbDocument: { id: string };
}

let A: Tenant;
let B: Tenant;
/** B's owner through an API key (owner role) rather than the session. */
let bKeyClient: Client;
// AI runtime (issue 20): each tenant's AI agent and a text conversation with it.
let aiA: { agentId: string; conversationId: string };
let aiB: { agentId: string; conversationId: string };

type Attempt = Promise<{ response: Response; error?: unknown }>;
/** Requests by B's owner (`api`) aimed at A's objects: each must answer 404. */
type Case = (api: Client) => Attempt[];

const cases: Record<string, Case> = {
  getUser: (api) => [
    api.GET('/api/users/{id}', { params: { path: { id: String(A.member.id) } } }),
    api.GET('/api/users/{id}', { params: { path: { id: String(A.owner.id) } } }),
  ],
  updateUser: (api) => [
    api.PUT('/api/users/{id}', { params: { path: { id: String(A.member.id) } }, body: { role: 'agent', firstName: 'Hijacked' } }),
    api.PUT('/api/users/{id}', { params: { path: { id: String(A.owner.id) } }, body: { role: 'agent' } }),
  ],
  deleteUser: (api) => [
    api.DELETE('/api/users/{id}', { params: { path: { id: String(A.member.id) } } }),
    api.DELETE('/api/users/{id}', { params: { path: { id: String(A.owner.id) } } }),
  ],
  setUserPassword: (api) => [
    api.PUT('/api/users/{id}/password', { params: { path: { id: String(A.member.id) } }, body: { password: 'taken-over-passphrase' } }),
    api.PUT('/api/users/{id}/password', { params: { path: { id: String(A.owner.id) } }, body: { password: 'taken-over-passphrase' } }),
  ],
  revokeApiKey: (api) => [api.DELETE('/api/api-keys/{id}', { params: { path: { id: A.apiKey.id } } })],
  getCampaign: (api) => [api.GET('/api/campaigns/{id}', { params: { path: { id: A.campaign.id } } })],
  getCampaignStats: (api) => [api.GET('/api/stats/campaigns/{id}', { params: { path: { id: A.campaign.id } } })],
  updateCampaign: (api) => [
    api.PUT('/api/campaigns/{id}', { params: { path: { id: A.campaign.id } }, body: { name: 'Hijacked', status: 'inactive', phoneNumber: null } }),
  ],
  deleteCampaign: (api) => [api.DELETE('/api/campaigns/{id}', { params: { path: { id: A.campaign.id } } })],
  startCampaign: (api) => [api.POST('/api/campaigns/{id}/start', { params: { path: { id: A.campaign.id } } })],
  pauseCampaign: (api) => [api.POST('/api/campaigns/{id}/pause', { params: { path: { id: A.campaign.id } } })],
  stopCampaign: (api) => [api.POST('/api/campaigns/{id}/stop', { params: { path: { id: A.campaign.id } } })],
  updateCampaignRtbConfig: (api) => [
    api.PUT('/api/campaigns/{id}/rtb-config', { params: { path: { id: A.campaign.id } }, body: { enableRtb: false, minBiddersRequired: 99 } }),
  ],
  listCampaignBuyers: (api) => [api.GET('/api/campaigns/{id}/buyers', { params: { path: { id: A.campaign.id } } })],
  addCampaignBuyer: (api) => [
    // A's campaign, A's buyer; A's campaign, B's buyer; B's campaign, A's buyer.
    api.POST('/api/campaigns/{id}/buyers', { params: { path: { id: A.campaign.id } }, body: { buyerId: A.buyer.id } }),
    api.POST('/api/campaigns/{id}/buyers', { params: { path: { id: A.campaign.id } }, body: { buyerId: B.buyer.id } }),
    api.POST('/api/campaigns/{id}/buyers', { params: { path: { id: B.campaign.id } }, body: { buyerId: A.buyer.id } }),
  ],
  removeCampaignBuyer: (api) => [
    api.DELETE('/api/campaigns/{id}/buyers/{buyerId}', { params: { path: { id: A.campaign.id, buyerId: String(A.buyer.id) } } }),
    api.DELETE('/api/campaigns/{id}/buyers/{buyerId}', { params: { path: { id: B.campaign.id, buyerId: String(A.buyer.id) } } }),
  ],
  getBuyer: (api) => [api.GET('/api/buyers/{id}', { params: { path: { id: String(A.buyer.id) } } })],
  getBuyerStats: (api) => [api.GET('/api/stats/buyers/{id}', { params: { path: { id: String(A.buyer.id) } } })],
  updateBuyer: (api) => [
    api.PUT('/api/buyers/{id}', {
      params: { path: { id: String(A.buyer.id) } },
      body: { name: 'Hijacked', phoneNumber: '+19995550000', isActive: false, operatingHours: null },
    }),
  ],
  deleteBuyer: (api) => [api.DELETE('/api/buyers/{id}', { params: { path: { id: String(A.buyer.id) } } })],
  getRtbTarget: (api) => [api.GET('/api/rtb/targets/{id}', { params: { path: { id: String(A.target.id) } } })],
  updateRtbTarget: (api) => [
    api.PUT('/api/rtb/targets/{id}', { params: { path: { id: String(A.target.id) } }, body: { name: 'Hijacked', isActive: false, authToken: null } }),
  ],
  deleteRtbTarget: (api) => [api.DELETE('/api/rtb/targets/{id}', { params: { path: { id: String(A.target.id) } } })],
  getRtbTargetUptime: (api) => [api.GET('/api/rtb/targets/{id}/uptime', { params: { path: { id: String(A.target.id) } } })],
  testRtbTarget: (api) => [api.POST('/api/rtb/webhook/{targetId}', { params: { path: { targetId: String(A.target.id) } }, body: {} })],
  listCampaignRtbTargets: (api) => [api.GET('/api/campaigns/{id}/rtb-targets', { params: { path: { id: A.campaign.id } } })],
  replaceCampaignRtbTargets: (api) => [
    api.PUT('/api/campaigns/{id}/rtb-targets', { params: { path: { id: A.campaign.id } }, body: { assignments: [] } }),
    api.PUT('/api/campaigns/{id}/rtb-targets', { params: { path: { id: A.campaign.id } }, body: { assignments: [{ targetId: B.target.id }] } }),
  ],
  updateRtbRouter: (api) => [api.PUT('/api/rtb/routers/{id}', { params: { path: { id: String(A.router.id) } }, body: { isActive: false } })],
  deleteRtbRouter: (api) => [api.DELETE('/api/rtb/routers/{id}', { params: { path: { id: String(A.router.id) } } })],
  releasePhoneNumber: (api) => [api.DELETE('/api/phone-numbers/{id}', { params: { path: { id: String(A.number.id) } } })],
  assignPhoneNumberToCampaign: (api) => [
    api.POST('/api/phone-numbers/{id}/assign-campaign', { params: { path: { id: String(A.number.id) } }, body: { campaignId: null } }),
    api.POST('/api/phone-numbers/{id}/assign-campaign', { params: { path: { id: String(B.number.id) } }, body: { campaignId: A.campaign.id } }),
  ],
  getNumberPool: (api) => [api.GET('/api/number-pools/{id}', { params: { path: { id: String(A.pool.id) } } })],
  updateNumberPool: (api) => [api.PUT('/api/number-pools/{id}', { params: { path: { id: String(A.pool.id) } }, body: { name: 'Hijacked', isActive: false } })],
  deleteNumberPool: (api) => [api.DELETE('/api/number-pools/{id}', { params: { path: { id: String(A.pool.id) } } })],
  addNumberToPool: (api) => [
    api.POST('/api/number-pools/{id}/numbers', { params: { path: { id: String(A.pool.id) } }, body: { phoneNumberId: B.number.id } }),
    api.POST('/api/number-pools/{id}/numbers', { params: { path: { id: String(B.pool.id) } }, body: { phoneNumberId: A.number.id } }),
  ],
  removeNumberFromPool: (api) => [
    api.DELETE('/api/number-pools/{id}/numbers/{phoneNumberId}', { params: { path: { id: String(A.pool.id), phoneNumberId: String(A.pooledNumber.id) } } }),
    api.DELETE('/api/number-pools/{id}/numbers/{phoneNumberId}', { params: { path: { id: String(B.pool.id), phoneNumberId: String(A.pooledNumber.id) } } }),
  ],
  getNumberPoolLegacy: (api) => [api.GET('/api/pools/{id}', { params: { path: { id: String(A.pool.id) } } })],
  updateNumberPoolLegacy: (api) => [api.PUT('/api/pools/{id}', { params: { path: { id: String(A.pool.id) } }, body: { name: 'Hijacked', isActive: false } })],
  deleteNumberPoolLegacy: (api) => [api.DELETE('/api/pools/{id}', { params: { path: { id: String(A.pool.id) } } })],
  addNumberToPoolLegacy: (api) => [
    api.POST('/api/pools/{id}/numbers', { params: { path: { id: String(A.pool.id) } }, body: { phoneNumberId: B.number.id } }),
    api.POST('/api/pools/{id}/numbers', { params: { path: { id: String(B.pool.id) } }, body: { phoneNumberId: A.number.id } }),
  ],
  removeNumberFromPoolLegacy: (api) => [
    api.DELETE('/api/pools/{id}/numbers/{phoneNumberId}', { params: { path: { id: String(A.pool.id), phoneNumberId: String(A.pooledNumber.id) } } }),
    api.DELETE('/api/pools/{id}/numbers/{phoneNumberId}', { params: { path: { id: String(B.pool.id), phoneNumberId: String(A.pooledNumber.id) } } }),
  ],
  getCall: (api) => [api.GET('/api/calls/{id}', { params: { path: { id: String(A.call.id) } } })],
  updateCall: (api) => [
    api.PUT('/api/calls/{id}', { params: { path: { id: String(A.call.id) } }, body: { status: 'completed', duration: 600, revenue: 999, reason: 'Hijacked' } }),
    api.PUT('/api/calls/{id}', { params: { path: { id: String(A.call.id) } }, body: { revenue: 0 } }),
  ],
  listCallCorrections: (api) => [api.GET('/api/calls/{id}/corrections', { params: { path: { id: String(A.call.id) } } })],
  transferCall: (api) => [
    api.POST('/api/calls/{callSid}/transfer', { params: { path: { callSid: A.call.callSid } }, body: { targetNumber: '+12125559999' } }),
  ],
  holdCall: (api) => [api.POST('/api/calls/{callSid}/hold', { params: { path: { callSid: A.call.callSid } } })],
  resumeCall: (api) => [api.POST('/api/calls/{callSid}/resume', { params: { path: { callSid: A.call.callSid } } })],
  muteCall: (api) => [api.POST('/api/calls/{callSid}/mute', { params: { path: { callSid: A.call.callSid } } })],
  unmuteCall: (api) => [api.POST('/api/calls/{callSid}/unmute', { params: { path: { callSid: A.call.callSid } } })],
  startCallRecording: (api) => [api.POST('/api/calls/{callSid}/recording/start', { params: { path: { callSid: A.call.callSid } } })],
  stopCallRecording: (api) => [
    // The recording A started last, and the same one named by its sid.
    api.POST('/api/calls/{callSid}/recording/stop', { params: { path: { callSid: A.call.callSid } } }),
    api.POST('/api/calls/{callSid}/recording/stop', { params: { path: { callSid: A.call.callSid } }, body: { recordingSid: A.call.recordingSid } }),
  ],
  getCallFlow: (api) => [api.GET('/api/call-flows/{id}', { params: { path: { id: String(A.flow.id) } } })],
  updateCallFlow: (api) => [api.PUT('/api/call-flows/{id}', { params: { path: { id: String(A.flow.id) } }, body: { name: 'Hijacked', status: 'inactive' } })],
  deleteCallFlow: (api) => [api.DELETE('/api/call-flows/{id}', { params: { path: { id: String(A.flow.id) } } })],
  getTrackingPixel: (api) => [api.GET('/api/tracking-pixels/{id}', { params: { path: { id: String(A.pixel.id) } } })],
  updateTrackingPixel: (api) => [
    api.PUT('/api/tracking-pixels/{id}', {
      params: { path: { id: String(A.pixel.id) } },
      body: { name: 'Hijacked', url: 'https://attacker.example/p', isActive: false, signingSecret: null, campaignId: null },
    }),
    // B's own pixel pointed at A's campaign.
    api.PUT('/api/tracking-pixels/{id}', { params: { path: { id: String(B.pixel.id) } }, body: { campaignId: A.campaign.id } }),
  ],
  deleteTrackingPixel: (api) => [api.DELETE('/api/tracking-pixels/{id}', { params: { path: { id: String(A.pixel.id) } } })],
  getTrackingTag: (api) => [api.GET('/api/tracking-tags/{id}', { params: { path: { id: String(A.tag.id) } } })],
  updateTrackingTag: (api) => [
    api.PUT('/api/tracking-tags/{id}', {
      params: { path: { id: String(A.tag.id) } },
      body: { name: 'Hijacked', isActive: false, campaignId: null, poolId: null, defaultNumber: '+19995550000', numberSelector: '#hijacked' },
    }),
    // B's own tag pointed at A's campaign, at A's pool.
    api.PUT('/api/tracking-tags/{id}', { params: { path: { id: String(B.tag.id) } }, body: { campaignId: A.campaign.id } }),
    api.PUT('/api/tracking-tags/{id}', { params: { path: { id: String(B.tag.id) } }, body: { poolId: A.pool.id } }),
  ],
  deleteTrackingTag: (api) => [api.DELETE('/api/tracking-tags/{id}', { params: { path: { id: String(A.tag.id) } } })],
  getAudio: (api) => [api.GET('/api/audio/{id}', { params: { path: { id: A.audio.id } } })],
  deleteAudio: (api) => [api.DELETE('/api/audio/{id}', { params: { path: { id: A.audio.id } } })],
  streamAudio: (api) => [
    api.GET('/api/audio/{id}/stream', { params: { path: { id: A.audio.id } }, parseAs: 'arrayBuffer' }),
    api.GET('/api/audio/{id}/stream', { params: { path: { id: A.audio.id } }, headers: { range: 'bytes=0-3' }, parseAs: 'arrayBuffer' }),
  ],
  replayAuction: (api) => [
    api.POST('/api/rtb/auctions/{id}/replay', { params: { path: { id: A.auction.requestId } } }),
    api.POST('/api/rtb/auctions/{id}/replay', { params: { path: { id: A.auction.id } } }),
  ],
  getLead: (api) => [api.GET('/api/leads/{id}', { params: { path: { id: A.lead.id } } })],
  updateLead: (api) => [
    api.PUT('/api/leads/{id}', { params: { path: { id: A.lead.id } }, body: { notes: 'Hijacked', stage: 'lost', assignedTo: null } }),
    // B's own lead moved into A's campaign.
    api.PUT('/api/leads/{id}', { params: { path: { id: B.lead.id } }, body: { campaignId: A.campaign.id } }),
  ],
  deleteLead: (api) => [api.DELETE('/api/leads/{id}', { params: { path: { id: A.lead.id } } })],
  getLeadImport: (api) => [api.GET('/api/leads/imports/{id}', { params: { path: { id: A.leadImport.id } } })],
  getLeadImportErrorsCsv: (api) => [api.GET('/api/leads/imports/{id}/errors', { params: { path: { id: A.leadImport.id } }, parseAs: 'text' })],
  removeDncNumber: (api) => [api.DELETE('/api/dnc-numbers/{id}', { params: { path: { id: A.dncNumber.id } } })],
  getLeadActivity: (api) => [
    api.GET('/api/leads/{id}/activity', { params: { path: { id: A.lead.id } } }),
    api.GET('/api/leads/{id}/activity', { params: { path: { id: A.lead.id }, query: { types: ['call_log'], order: 'desc' } } }),
  ],
  getCallLog: (api) => [api.GET('/api/call-logs/{id}', { params: { path: { id: A.callLog.id } } })],
  updateCallLog: (api) => [
    api.PUT('/api/call-logs/{id}', {
      params: { path: { id: A.callLog.id } },
      body: { outcome: 'Not Interested', notes: 'Hijacked', duration: 1, callId: null, scheduledFollowUp: null },
    }),
    // B's own log pointed at A's call.
    api.PUT('/api/call-logs/{id}', { params: { path: { id: B.callLog.id } }, body: { callId: A.call.id } }),
  ],
  deleteCallLog: (api) => [api.DELETE('/api/call-logs/{id}', { params: { path: { id: A.callLog.id } } })],
  getFollowUp: (api) => [api.GET('/api/follow-ups/{id}', { params: { path: { id: A.followUp.id } } })],
  updateFollowUp: (api) => [
    api.PUT('/api/follow-ups/{id}', { params: { path: { id: A.followUp.id } }, body: { status: 'cancelled' } }),
    api.PUT('/api/follow-ups/{id}', { params: { path: { id: A.followUp.id } }, body: { dueAt: '2031-01-01T00:00:00Z' } }),
  ],
  getAgent: (api) => [api.GET('/api/agents/{id}', { params: { path: { id: A.agent.id } } })],
  updateAgent: (api) => [
    api.PUT('/api/agents/{id}', { params: { path: { id: A.agent.id } }, body: { name: 'Hijacked', isActive: false, groupId: null } }),
    // B's own agent put into A's group, or linked to A's user.
    api.PUT('/api/agents/{id}', { params: { path: { id: B.agent.id } }, body: { groupId: A.agentGroup.id } }),
    api.PUT('/api/agents/{id}', { params: { path: { id: B.agent.id } }, body: { userId: A.member.id } }),
  ],
  deleteAgent: (api) => [api.DELETE('/api/agents/{id}', { params: { path: { id: A.agent.id } } })],
  updateAgentStatus: (api) => [api.PUT('/api/agents/{id}/status', { params: { path: { id: A.agent.id } }, body: { status: 'break' } })],
  getAgentStats: (api) => [api.GET('/api/agents/{id}/stats', { params: { path: { id: A.agent.id } } })],
  getAgentGroup: (api) => [api.GET('/api/agent-groups/{id}', { params: { path: { id: A.agentGroup.id } } })],
  previewNextLead: (api) => [api.POST('/api/campaigns/{id}/preview/next', { params: { path: { id: A.campaign.id } }, body: { agentId: A.agent.id } })],
  dialPreviewLead: (api) => [
    api.POST('/api/campaigns/{id}/preview/{leadId}/dial', { params: { path: { id: A.campaign.id, leadId: A.lead.id } }, body: { agentId: A.agent.id } }),
  ],
  skipPreviewLead: (api) => [
    api.POST('/api/campaigns/{id}/preview/{leadId}/skip', { params: { path: { id: A.campaign.id, leadId: A.lead.id } }, body: { agentId: A.agent.id } }),
  ],
  updateAgentGroup: (api) => [api.PUT('/api/agent-groups/{id}', { params: { path: { id: A.agentGroup.id } }, body: { name: 'Hijacked', description: null } })],
  deleteAgentGroup: (api) => [api.DELETE('/api/agent-groups/{id}', { params: { path: { id: A.agentGroup.id } } })],
  getWebhookEndpoint: (api) => [api.GET('/api/webhook-endpoints/{id}', { params: { path: { id: A.webhook.id } } })],
  updateWebhookEndpoint: (api) => [
    api.PUT('/api/webhook-endpoints/{id}', {
      params: { path: { id: A.webhook.id } },
      body: { url: 'https://attacker.example/hook', events: ['*'], isActive: false, description: 'Hijacked' },
    }),
  ],
  deleteWebhookEndpoint: (api) => [api.DELETE('/api/webhook-endpoints/{id}', { params: { path: { id: A.webhook.id } } })],
  rotateWebhookEndpointSecret: (api) => [api.POST('/api/webhook-endpoints/{id}/rotate-secret', { params: { path: { id: A.webhook.id } } })],
  testWebhookEndpoint: (api) => [api.POST('/api/webhook-endpoints/{id}/test', { params: { path: { id: A.webhook.id } } })],
  listWebhookDeliveries: (api) => [
    api.GET('/api/webhook-endpoints/{id}/deliveries', { params: { path: { id: A.webhook.id } } }),
    api.GET('/api/webhook-endpoints/{id}/deliveries', { params: { path: { id: A.webhook.id }, query: { status: 'failed' } } }),
  ],
  replayWebhookDelivery: (api) => [
    api.POST('/api/webhook-endpoints/{id}/deliveries/{deliveryId}/replay', { params: { path: { id: A.webhook.id, deliveryId: A.webhook.deliveryId } } }),
    // B's own endpoint, A's delivery.
    api.POST('/api/webhook-endpoints/{id}/deliveries/{deliveryId}/replay', { params: { path: { id: B.webhook.id, deliveryId: A.webhook.deliveryId } } }),
  ],
  // AI agents (issue 20)
  getAiAgent: (api) => [api.GET('/api/ai-agents/{id}', { params: { path: { id: A.aiAgent.id } } })],
  updateAiAgent: (api) => [
    api.PUT('/api/ai-agents/{id}', { params: { path: { id: A.aiAgent.id } }, body: { name: 'Hijacked', isActive: false, tools: [] } }),
  ],
  deleteAiAgent: (api) => [api.DELETE('/api/ai-agents/{id}', { params: { path: { id: A.aiAgent.id } } })],
  listAiAgentVersions: (api) => [api.GET('/api/ai-agents/{id}/versions', { params: { path: { id: A.aiAgent.id } } })],
  getAiAgentVersion: (api) => [
    api.GET('/api/ai-agents/{id}/versions/{version}', { params: { path: { id: A.aiAgent.id, version: '1' } } }),
    api.GET('/api/ai-agents/{id}/versions/{version}', { params: { path: { id: A.aiAgent.id, version: '2' } } }),
  ],
  getAiAgentRetryConfig: (api) => [api.GET('/api/ai-agents/{id}/retry-config', { params: { path: { id: A.aiAgent.id } } })],
  updateAiAgentRetryConfig: (api) => [
    api.PUT('/api/ai-agents/{id}/retry-config', { params: { path: { id: A.aiAgent.id } }, body: { no_answer: null, busy: { maxAttempts: 20 } } }),
  ],
  listAiAgentNumbers: (api) => [api.GET('/api/ai-agents/{id}/numbers', { params: { path: { id: A.aiAgent.id } } })],
  updatePhoneNumber: (api) => [
    api.PUT('/api/phone-numbers/{id}', { params: { path: { id: String(A.number.id) } }, body: { aiAgentId: null, isActive: false } }),
    // B's own number given A's agent.
    api.PUT('/api/phone-numbers/{id}', { params: { path: { id: String(B.pooledNumber.id) } }, body: { aiAgentId: A.aiAgent.id } }),
  ],
  // AI analytics (issue 20)
  getAiAgentAnalytics: (api) => [
    api.GET('/api/ai/analytics/agents/{id}', { params: { path: { id: A.aiAgent.id }, query: { startDate: '2025-11-01', endDate: '2025-11-30' } } }),
    api.GET('/api/ai/analytics/agents/{id}', { params: { path: { id: A.aiAgent.id }, query: { startDate: '2025-11-01T00:00:00Z', endDate: '2025-11-02T00:00:00Z', timeZone: 'Europe/Paris' } } }),
  ],
  // AI outbound (issue 20)
  getOutboundCall: (api) => [
    api.GET('/api/outbound-calls/{id}', { params: { path: { id: A.aiOutbound.callId } } }),
    api.GET('/api/outbound-calls/{id}', { params: { path: { id: A.aiOutbound.unansweredId } } }),
  ],
  cancelOutboundCall: (api) => [api.DELETE('/api/outbound-calls/{id}', { params: { path: { id: A.aiOutbound.callId } } })],
  retryOutboundCall: (api) => [api.POST('/api/outbound-calls/{id}/retry', { params: { path: { id: A.aiOutbound.unansweredId } } })],
  getAiSchedule: (api) => [api.GET('/api/ai-schedules/{id}', { params: { path: { id: A.aiOutbound.scheduleId } } })],
  deleteAiSchedule: (api) => [api.DELETE('/api/ai-schedules/{id}', { params: { path: { id: A.aiOutbound.scheduleId } } })],
  getOutboundCallImport: (api) => [api.GET('/api/outbound-call-imports/{id}', { params: { path: { id: A.aiOutbound.importId } } })],
  // AI knowledge base (issue 20)
  getKnowledgeDocument: (api) => [api.GET('/api/knowledge-base/{id}', { params: { path: { id: A.kbDocument.id } } })],
  deleteKnowledgeDocument: (api) => [api.DELETE('/api/knowledge-base/{id}', { params: { path: { id: A.kbDocument.id } } })],
  // AI runtime (issue 20)
  testAiAgent: (api) => [
    api.POST('/api/ai-agents/{id}/test', { params: { path: { id: aiA.agentId } }, body: { message: 'Hello' } }),
    api.POST('/api/ai-agents/{id}/test', { params: { path: { id: aiA.agentId } }, body: { message: 'Hello', conversationId: aiA.conversationId } }),
    // B's own agent, A's conversation.
    api.POST('/api/ai-agents/{id}/test', { params: { path: { id: aiB.agentId } }, body: { message: 'Hello', conversationId: aiA.conversationId } }),
  ],
  getAiConversation: (api) => [api.GET('/api/ai/conversations/{id}', { params: { path: { id: aiA.conversationId } } })],
};

// Authenticated operations with an id in the path. (Inbound RTB is public: its RTB ID is a
// capability a publisher is given, not another tenant's object.)
const ID_OPERATIONS = [...indexOperations(loadSpec()).values()]
  .filter((op) => op.path.includes('{') && op.minRole !== null)
  .map((op) => op.operationId);

/** Every row of every table (from the database's own table list), i.e. both tenants' whole state. */
async function snapshot() {
  // last_used_at moves when B's own key authenticates; everything else must stay.
  const tables = await snapshotTables(t.db, { api_keys: ['last_used_at'] });
  // What the carrier was told to do, and the state of A's call there.
  return { tables, telephony: { actions: sim.actions(), aCall: sim.callState(A.call.callSid) } };
}

/** What A itself sees of its objects through the API. */
async function viewOfA() {
  const api = A.owner.client;
  const [member, owner, keys, campaign, buyer, assignments, call, corrections, audio, callLog, followUp, activity] = await Promise.all([
    api.GET('/api/users/{id}', { params: { path: { id: String(A.member.id) } } }),
    api.GET('/api/users/{id}', { params: { path: { id: String(A.owner.id) } } }),
    api.GET('/api/api-keys'),
    api.GET('/api/campaigns/{id}', { params: { path: { id: A.campaign.id } } }),
    api.GET('/api/buyers/{id}', { params: { path: { id: String(A.buyer.id) } } }),
    api.GET('/api/campaigns/{id}/buyers', { params: { path: { id: A.campaign.id } } }),
    api.GET('/api/calls/{id}', { params: { path: { id: String(A.call.id) } } }),
    api.GET('/api/calls/{id}/corrections', { params: { path: { id: String(A.call.id) } } }),
    api.GET('/api/audio/{id}', { params: { path: { id: A.audio.id } } }),
    api.GET('/api/call-logs/{id}', { params: { path: { id: A.callLog.id } } }),
    api.GET('/api/follow-ups/{id}', { params: { path: { id: A.followUp.id } } }),
    api.GET('/api/leads/{id}/activity', { params: { path: { id: A.lead.id } } }),
  ]);
  for (const r of [member, owner, keys, campaign, buyer, assignments, call, corrections, audio, callLog, followUp, activity]) expect(r.response.status).toBe(200);
  return {
    member: member.data,
    owner: owner.data,
    keys: keys.data?.map(({ lastUsedAt: _ignored, ...rest }) => rest),
    campaign: campaign.data,
    buyer: buyer.data,
    assignments: assignments.data,
    call: call.data,
    corrections: corrections.data,
    audio: audio.data,
    callLog: callLog.data,
    followUp: followUp.data,
    activity: activity.data,
  };
}

/**
 * A live call of the tenant, inserted directly (in-progress, one answered leg to its buyer) and
 * known to the simulator; then corrected once by its owner and recorded, so that there is a
 * correction and a recording for B to reach for.
 */
async function liveCall(owner: Member, campaignId: string, buyerId: number, tracking: string): Promise<Tenant['call']> {
  const callSid = `CA${randomBytes(16).toString('hex')}`;
  const bridgedTo = '+12125554567';
  const { id } = await t.db
    .insertInto('calls')
    .values({
      org_id: owner.orgId,
      call_sid: callSid,
      campaign_id: campaignId,
      buyer_id: buyerId,
      status: 'in-progress',
      status_rank: callStatusRank('in-progress'),
      from_number: '+13105550000',
      to_number: tracking,
      answered_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.db.insertInto('call_legs').values({ call_id: id, attempt: 1, org_id: owner.orgId, buyer_id: buyerId, destination: bridgedTo, dial_status: 'answered' }).execute();
  sim.registerCall(callSid, { bridgedTo });
  const corrected = await owner.client.PUT('/api/calls/{id}', { params: { path: { id: String(id) } }, body: { revenue: 12.5, reason: 'Confirmed by the buyer' } });
  if (corrected.response.status !== 200) throw new Error(`updateCall failed: ${corrected.response.status}`);
  const recording = await owner.client.POST('/api/calls/{callSid}/recording/start', { params: { path: { callSid } } });
  if (!recording.data?.recordingSid) throw new Error(`startCallRecording failed: ${recording.response.status}`);
  return { id, callSid, recordingSid: recording.data.recordingSid };
}

async function setUpTenant(name: string, phone: string): Promise<Tenant> {
  const owner = await registerOrg(t, name);
  const member = await addMember(t, owner, 'manager');
  const key = await owner.client.POST('/api/api-keys', { body: { name: `${name} key`, role: 'owner' } });
  if (key.response.status !== 201 || !key.data) throw new Error(`createApiKey failed: ${key.response.status}`);
  const campaign = await createCampaign(owner.client, { name: `${name} campaign`, phoneNumber: phone });
  const buyer = await createBuyer(owner.client, { name: `${name} buyer`, operatingHours: { monday: { start: '09:00', end: '17:00' } } });
  const assigned = await owner.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: campaign.id } }, body: { buyerId: buyer.id, priority: 3 } });
  if (assigned.response.status !== 201) throw new Error(`addCampaignBuyer failed: ${assigned.response.status}`);
  const target = await owner.client.POST('/api/rtb/targets', { body: { name: `${name} target`, endpointUrl: 'http://127.0.0.1:9/bid', authMethod: 'bearer', authToken: 'secret' } });
  const router = await owner.client.POST('/api/rtb/routers', { body: { name: `${name} router` } });
  if (!target.data || !router.data) throw new Error('RTB setup failed');
  await owner.client.PUT('/api/campaigns/{id}/rtb-targets', { params: { path: { id: campaign.id } }, body: { assignments: [{ targetId: target.data.id }] } });
  const auction = await t.db
    .insertInto('bid_requests')
    .values({
      org_id: owner.orgId,
      request_id: `req_${name.replace(/\W/g, '')}`,
      campaign_id: campaign.id,
      call_start_time: new Date(),
      source: 'call',
      auction_type: 'first_price',
      status: 'no_valid_bids',
      total_targets_pinged: 1,
      successful_responses: 0,
      bidding_started_at: new Date(),
      bidding_completed_at: new Date(),
      total_response_time_ms: 3,
      ledger: '{}',
    })
    .returning(['id', 'request_id'])
    .executeTakeFirstOrThrow();
  const found = await owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 2 } } });
  const [first, second] = found.data?.numbers ?? [];
  if (!first || !second) throw new Error(`number search failed: ${found.response.status}`);
  const number = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: first.phoneNumber, campaignId: campaign.id } });
  const pooledNumber = await owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: second.phoneNumber } });
  const pool = await owner.client.POST('/api/number-pools', { body: { name: `${name} pool`, campaignId: campaign.id } });
  if (!number.data || !pooledNumber.data || !pool.data) throw new Error('number setup failed');
  await owner.client.POST('/api/number-pools/{id}/numbers', { params: { path: { id: String(pool.data.id) } }, body: { phoneNumberId: pooledNumber.data.id } });
  const flow = await owner.client.POST('/api/call-flows', {
    body: { name: `${name} flow`, campaignId: campaign.id, status: 'active', flowDefinition: { startNodeId: 'bye', nodes: [{ id: 'bye', type: 'Hangup', config: { message: 'Goodbye' } }] } },
  });
  if (!flow.data) throw new Error(`flow setup failed: ${flow.response.status}`);
  const pixel = await owner.client.POST('/api/tracking-pixels', {
    body: { name: `${name} pixel`, url: 'https://pixels.example.com/p?c=[Call:CallerId]', campaignId: campaign.id, signingSecret: 'pixel-secret-0123456789' },
  });
  if (!pixel.data) throw new Error(`pixel setup failed: ${pixel.response.status}`);
  const tag = await owner.client.POST('/api/tracking-tags', {
    body: { name: `${name} tag`, campaignId: campaign.id, poolId: pool.data.id, defaultNumber: phone },
  });
  if (!tag.data) throw new Error(`tag setup failed: ${tag.response.status}`);
  // A visitor of the tag's page: a session holding one of the pool's numbers, then a conversion.
  const sessionId = `visitor_${name.replace(/\W/g, '')}`;
  const tracked = await t.client().POST('/api/dni/track', { body: { tagCode: tag.data.tagCode, sessionId, utmSource: 'google' } });
  if (tracked.data?.source !== 'pool') throw new Error(`dniTrack failed: ${tracked.response.status} ${JSON.stringify(tracked.data)}`);
  const session = await t.db.selectFrom('visitor_sessions').select('id').where('org_id', '=', owner.orgId).where('session_id', '=', sessionId).executeTakeFirstOrThrow();
  await t.db
    .insertInto('conversion_events')
    .values({ org_id: owner.orgId, visitor_session_id: session.id, event_type: 'phone_click', event_value: '25', phone_number: tracked.data.phoneNumber })
    .execute();
  const call = await liveCall(owner, campaign.id, buyer.id, phone);
  const audio = await uploadAudio(owner.client, { data: makeMp3(10), name: `${name} greeting` });
  if (!audio.data) throw new Error(`uploadAudio failed: ${audio.response.status}`);
  const lead = await owner.client.POST('/api/leads', { body: { campaignId: campaign.id, phone: phone.replace(/\d{2}$/, '99'), name: `${name} lead` } });
  const dncNumber = await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: phone.replace(/\d{2}$/, '98') } });
  if (!lead.data || !dncNumber.data) throw new Error('lead setup failed');
  const imported = await upload(t, owner, '/api/leads/imports', `phone,name\n${phone.replace(/\d{2}$/, '97')},Imported\nnot-a-phone,Bad\n`, { campaignId: campaign.id });
  if (imported.status !== 202) throw new Error(`lead import failed: ${imported.status}`);
  await waitForImport(owner, imported.body.id);
  const callLog = await owner.client.POST('/api/call-logs', {
    body: { leadId: lead.data.id, outcome: 'Interested', duration: 300, notes: `${name} call`, callId: call.id, scheduledFollowUp: '2030-01-25T14:00:00Z' },
  });
  if (!callLog.data?.followUp) throw new Error(`createCallLog failed: ${callLog.response.status}`);
  const agentGroup = await owner.client.POST('/api/agent-groups', { body: { name: `${name} team` } });
  if (!agentGroup.data) throw new Error(`createAgentGroup failed: ${agentGroup.response.status}`);
  const agent = await owner.client.POST('/api/agents', { body: { name: `${name} agent`, phone: phone.replace(/\d{2}$/, '96'), groupId: agentGroup.data.id, userId: member.id } });
  if (!agent.data) throw new Error(`createAgent failed: ${agent.response.status}`);
  const available = await owner.client.PUT('/api/agents/{id}/status', { params: { path: { id: agent.data.id } }, body: { status: 'available' } });
  if (available.response.status !== 200) throw new Error(`updateAgentStatus failed: ${available.response.status}`);
  const webhook = await owner.client.POST('/api/webhook-endpoints', { body: { url: 'https://hooks.example.com/events', events: ['*'], description: `${name} CRM` } });
  if (!webhook.data) throw new Error(`createWebhookEndpoint failed: ${webhook.response.status}`);
  const ping = await owner.client.POST('/api/webhook-endpoints/{id}/test', { params: { path: { id: webhook.data.id } } });
  if (!ping.data) throw new Error(`testWebhookEndpoint failed: ${ping.response.status}`);
  await t.db.updateTable('webhook_deliveries').set({ status: 'failed', last_error: 'HTTP 500' }).where('id', '=', ping.data.id).execute();
  // AI agents (issue 20)
  const aiAgent = await owner.client.POST('/api/ai-agents', {
    body: { name: `${name} AI agent`, systemPrompt: 'Be helpful.', tools: [{ type: 'transfer_to_campaign', campaignId: campaign.id }, { type: 'end_call' }] },
  });
  if (!aiAgent.data) throw new Error(`createAiAgent failed: ${aiAgent.response.status}`);
  const aiChanged = await owner.client.PUT('/api/ai-agents/{id}', { params: { path: { id: aiAgent.data.id } }, body: { firstMessage: `Hello from ${name}` } });
  if (aiChanged.data?.version !== 2) throw new Error(`updateAiAgent failed: ${aiChanged.response.status}`);
  // AI outbound (issue 20)
  const aiAgentId = await createAiAgent(t, owner.orgId);
  await assignNumber(t, owner, aiAgentId);
  const aiCall = await owner.client.POST('/api/outbound-calls', { body: { toPhone: phone.replace(/\d{2}$/, '95'), agentId: aiAgentId, scheduledFor: '2031-01-01T10:00:00Z' } });
  const aiUnanswered = await owner.client.POST('/api/outbound-calls', { body: { toPhone: phone.replace(/\d{2}$/, '94'), agentId: aiAgentId, scheduledFor: '2031-01-01T10:00:00Z' } });
  const aiSchedule = await owner.client.POST('/api/ai-schedules', { body: { toPhone: phone.replace(/\d{2}$/, '95'), agentId: aiAgentId, pattern: 'weekly', time: '10:00', startDate: '2031-01-06' } });
  if (!aiCall.data || !aiUnanswered.data || !aiSchedule.data) throw new Error('AI outbound setup failed');
  await t.db.updateTable('ai_outbound_calls').set({ status: 'no-answer', failure_reason: 'no_answer', ended_at: new Date() }).where('id', '=', aiUnanswered.data.id).execute();
  const aiImport = await upload(t, owner, '/api/outbound-call-imports', `phoneNumber,agentId,scheduledFor\n${phone.replace(/\d{2}$/, '93')},${aiAgentId},2031-01-01T10:00:00Z\nnot-a-phone,${aiAgentId},\n`);
  if (aiImport.status !== 202) throw new Error(`AI call import failed: ${aiImport.status}`);
  for (let i = 0; i < 200; i += 1) {
    const state = await owner.client.GET('/api/outbound-call-imports/{id}', { params: { path: { id: aiImport.body.id } } });
    if (state.data?.status === 'completed') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const aiOutbound = { callId: aiCall.data.id, unansweredId: aiUnanswered.data.id, scheduleId: aiSchedule.data.id, importId: aiImport.body.id as string };
  // AI knowledge base (issue 20): an agent (inserted: its API is another area's) and its processed document.
  const kbAgent = await t.db.insertInto('ai_agents').values({ org_id: owner.orgId, name: `${name} AI`, system_prompt: 'Answer from the knowledge base.', model: 'gpt-4o-mini' }).returning('id').executeTakeFirstOrThrow();
  const kbForm = new FormData();
  kbForm.append('agentId', kbAgent.id);
  kbForm.append('file', new Blob([Buffer.from(`${name} returns are accepted within 30 days.`)]), 'returns.txt');
  const kbDocument = await owner.client.POST('/api/knowledge-base', { body: {} as never, bodySerializer: () => kbForm });
  if (!kbDocument.data) throw new Error(`uploadKnowledgeDocument failed: ${kbDocument.response.status}`);
  await waitFor('the knowledge document', () => t.db.selectFrom('kb_documents').select('status').where('id', '=', kbDocument.data!.id).executeTakeFirstOrThrow(), (r) => r.status === 'ready');
  return {
    aiAgent: { id: aiAgent.data.id },
    aiOutbound,
    kbDocument: { id: kbDocument.data.id },
    webhook: { id: webhook.data.id, deliveryId: ping.data.id },
    agent: { id: agent.data.id },
    agentGroup: { id: agentGroup.data.id },
    callLog: { id: callLog.data.id },
    followUp: { id: callLog.data.followUp.id },
    audio: { id: audio.data.id },
    lead: lead.data,
    dncNumber: dncNumber.data,
    leadImport: { id: imported.body.id },
    pixel: pixel.data,
    tag: { id: tag.data.id, tagCode: tag.data.tagCode },
    visitor: { sessionId },
    owner,
    member,
    number: number.data,
    pooledNumber: pooledNumber.data,
    pool: pool.data,
    flow: flow.data,
    call,
    apiKey: { id: key.data.id, key: key.data.key },
    campaign,
    buyer,
    target: target.data,
    router: router.data,
    auction: { id: auction.id, requestId: auction.request_id },
  };
}

beforeAll(async () => {
  sim = createSimulatorTelephony();
  t = await startTestApp({ telephony: sim });
  A = await setUpTenant('Tenant A', '+14155550111');
  B = await setUpTenant('Tenant B', '+14155550222');
  bKeyClient = t.client({ apiKey: B.apiKey.key });
  // AI runtime (issue 20): a text conversation with each tenant's AI agent.
  const aiTenant = async (tenant: Tenant) => {
    const agentId = tenant.aiAgent.id;
    const talk = await tenant.owner.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: agentId } }, body: { message: 'Hello' } });
    if (!talk.data) throw new Error(`testAiAgent failed: ${talk.response.status}`);
    return { agentId, conversationId: talk.data.conversationId };
  };
  aiA = await aiTenant(A);
  aiB = await aiTenant(B);
});
afterAll(async () => t.close());

describe('cross-tenant isolation', () => {
  it('has a case for every id-bearing operation in openapi.yaml', () => {
    expect(ID_OPERATIONS.length).toBeGreaterThanOrEqual(40);
    expect(Object.keys(cases).sort()).toEqual([...ID_OPERATIONS].sort());
  });

  it.each(Object.keys(cases))("%s: B's owner gets 404 on A's object, which stays unchanged", async (operationId) => {
    const run = cases[operationId]!;
    const dbBefore = await snapshot();
    const viewBefore = await viewOfA();
    for (const [via, api] of [
      ['session', B.owner.client],
      ['api key', bKeyClient],
    ] as const) {
      const attempts = await Promise.all(run(api));
      expect(attempts.length).toBeGreaterThan(0);
      attempts.forEach(({ response, error }, i) => {
        expect({ via, attempt: i, status: response.status, code: (error as { code?: string } | undefined)?.code }).toEqual({
          via,
          attempt: i,
          status: 404,
          code: 'RESOURCE_NOT_FOUND',
        });
      });
    }
    expect(await snapshot()).toEqual(dbBefore);
    expect(await viewOfA()).toEqual(viewBefore);
  });

  it("B's campaign cannot get A's buyer assigned, nor A's campaign B's buyer", async () => {
    const before = await snapshot();
    const intoB = await B.owner.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: B.campaign.id } }, body: { buyerId: A.buyer.id } });
    expect(intoB.response.status).toBe(404);
    expect(intoB.error?.code).toBe('RESOURCE_NOT_FOUND');
    const intoA = await A.owner.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: A.campaign.id } }, body: { buyerId: B.buyer.id } });
    expect(intoA.response.status).toBe(404);
    expect(intoA.error?.code).toBe('RESOURCE_NOT_FOUND');
    // A manager of each tenant fares no better.
    const byMember = await A.member.client.POST('/api/campaigns/{id}/buyers', { params: { path: { id: A.campaign.id } }, body: { buyerId: B.buyer.id } });
    expect(byMember.response.status).toBe(404);
    expect(await snapshot()).toEqual(before);
    const listB = await B.owner.client.GET('/api/campaigns/{id}/buyers', { params: { path: { id: B.campaign.id } } });
    expect(listB.data?.map((a) => a.buyerId)).toEqual([B.buyer.id]);
    const listA = await A.owner.client.GET('/api/campaigns/{id}/buyers', { params: { path: { id: A.campaign.id } } });
    expect(listA.data?.map((a) => a.buyerId)).toEqual([A.buyer.id]);
  });

  it("B cannot assign A's RTB target to its own campaign (400 naming the item), changing nothing", async () => {
    const before = await snapshot();
    const attempt = await B.owner.client.PUT('/api/campaigns/{id}/rtb-targets', {
      params: { path: { id: B.campaign.id } },
      body: { assignments: [{ targetId: A.target.id }] },
    });
    expect(attempt.response.status).toBe(400);
    expect(JSON.stringify(attempt.error?.details)).toContain('targetId');
    expect(await snapshot()).toEqual(before);
  });

  it("a body naming another organisation's campaign or buyer creates nothing (404)", async () => {
    // (A search is an action at the carrier too: it comes before the snapshot.)
    const found = await B.owner.client.GET('/api/phone-numbers/search', { params: { query: { limit: 1 } } });
    const before = await snapshot();
    const attempts = await Promise.all([
      B.owner.client.POST('/api/phone-numbers/purchase', { body: { phoneNumber: found.data!.numbers[0]!.phoneNumber, campaignId: A.campaign.id } }),
      B.owner.client.POST('/api/number-pools', { body: { name: 'Sneaky pool', campaignId: A.campaign.id } }),
      B.owner.client.POST('/api/call-flows', { body: { name: 'Sneaky flow', campaignId: A.campaign.id, flowDefinition: { startNodeId: null, nodes: [] } } }),
      B.owner.client.POST('/api/calls', { body: { callerNumber: '+13105550001', campaignId: A.campaign.id } }),
      B.owner.client.POST('/api/calls', { body: { callerNumber: '+13105550001', buyerId: A.buyer.id } }),
      bKeyClient.POST('/api/calls', { body: { callerNumber: '+13105550001', campaignId: B.campaign.id, buyerId: A.buyer.id, status: 'completed', duration: 60 } }),
      B.owner.client.POST('/api/tracking-tags', { body: { name: 'Sneaky tag', campaignId: A.campaign.id } }),
      B.owner.client.POST('/api/leads', { body: { phone: '+13105550002', campaignId: A.campaign.id } }),
      B.owner.client.POST('/api/call-logs', { body: { leadId: A.lead.id, outcome: 'Interested' } }),
      B.owner.client.POST('/api/agents', { body: { name: 'Sneaky agent', phone: '+13105550003', groupId: A.agentGroup.id } }),
      bKeyClient.POST('/api/agents', { body: { name: 'Sneaky agent', phone: '+13105550003', userId: A.owner.id } }),
      bKeyClient.POST('/api/call-logs', { body: { leadId: B.lead.id, outcome: 'Busy', callId: A.call.id } }),
      B.owner.client.POST('/api/tracking-tags', { body: { name: 'Sneaky tag', poolId: A.pool.id } }),
      bKeyClient.POST('/api/tracking-tags', { body: { name: 'Sneaky tag', campaignId: B.campaign.id, poolId: A.pool.id } }),
      bKeyClient.POST('/api/tracking-tags', { body: { name: 'Sneaky tag', campaignId: A.campaign.id, poolId: B.pool.id } }),
    ]);
    expect(attempts.map((a) => [a.response.status, (a.error as { code?: string } | undefined)?.code])).toEqual(
      attempts.map(() => [404, 'RESOURCE_NOT_FOUND']),
    );
    expect(await snapshot()).toEqual(before);
  });

  it("analytics and generated reports naming A's campaign or agent are 404s, and count B's own only", async () => {
    const before = await snapshot();
    const attempts = await Promise.all([
      B.owner.client.GET('/api/analytics/performance', { params: { query: { campaignId: A.campaign.id } } }),
      bKeyClient.GET('/api/analytics/performance', { params: { query: { agentId: A.agent.id } } }),
      B.owner.client.POST('/api/reports/generate', { body: { reportType: 'agent_performance', filters: { agents: [A.agent.id] } } }),
      bKeyClient.POST('/api/reports/generate', { body: { reportType: 'call_outcomes', filters: { campaigns: [B.campaign.id, A.campaign.id] } } }),
      B.owner.client.POST('/api/reports/generate', { body: { reportType: 'lead_conversion', format: 'pdf', filters: { campaigns: [A.campaign.id] } } }),
      bKeyClient.POST('/api/reports/generate', { body: { reportType: 'call_outcomes', format: 'csv', filters: { agents: [B.agent.id, A.agent.id] } } }),
    ]);
    expect(attempts.map((a) => [a.response.status, (a.error as { code?: string } | undefined)?.code])).toEqual(attempts.map(() => [404, 'RESOURCE_NOT_FOUND']));
    expect(await snapshot()).toEqual(before);
    const agents = await bKeyClient.POST('/api/reports/generate', { body: { reportType: 'agent_performance' } });
    const agentReport = agents.data as components['schemas']['AgentPerformanceReport'];
    expect(agentReport.rows.map((r) => r.agentId)).toEqual([B.agent.id]);
    const leads = await B.owner.client.POST('/api/reports/generate', { body: { reportType: 'lead_conversion', groupBy: 'campaign' } });
    const leadReport = leads.data as components['schemas']['LeadConversionReport'];
    expect(leadReport.rows.map((r) => r.groupId)).toEqual([B.campaign.id]);
    const analytics = await B.owner.client.GET('/api/analytics/performance');
    expect([analytics.data?.calls.total, analytics.data?.leads.total, analytics.data?.callLogs.total]).toEqual([1, 2, 1]);
  });

  it("lists show only the caller's own objects", async () => {
    const [users, keys, campaigns, buyers, calls, callsOfA, tags, sessions, eventsOfA, ownEvents] = await Promise.all([
      B.owner.client.GET('/api/users'),
      B.owner.client.GET('/api/api-keys'),
      B.owner.client.GET('/api/campaigns'),
      B.owner.client.GET('/api/buyers'),
      B.owner.client.GET('/api/calls'),
      B.owner.client.GET('/api/calls', { params: { query: { campaignId: A.campaign.id } } }),
      B.owner.client.GET('/api/tracking-tags'),
      B.owner.client.GET('/api/visitor-sessions'),
      B.owner.client.GET('/api/conversion-events', { params: { query: { sessionId: A.visitor.sessionId } } }),
      B.owner.client.GET('/api/conversion-events', { params: { query: { sessionId: B.visitor.sessionId } } }),
    ]);
    expect(users.data?.map((u) => u.id).sort()).toEqual([B.owner.id, B.member.id].sort());
    expect(keys.data?.map((k) => k.id)).toEqual([B.apiKey.id]);
    expect(campaigns.data?.map((c) => c.id)).toEqual([B.campaign.id]);
    expect(buyers.data?.map((b) => b.id)).toEqual([B.buyer.id]);
    expect(calls.data?.calls.map((c) => c.id)).toEqual([B.call.id]);
    expect(calls.data?.pagination.total).toBe(1);
    expect(callsOfA.data?.calls).toEqual([]);
    expect(tags.data?.map((tag) => tag.id)).toEqual([B.tag.id]);
    expect(sessions.data?.sessions.map((s) => s.sessionId)).toEqual([B.visitor.sessionId]);
    expect(sessions.data?.pagination.total).toBe(1);
    expect(eventsOfA.response.status).toBe(200);
    expect(eventsOfA.data).toEqual([]);
    expect(ownEvents.data?.map((e) => e.sessionId)).toEqual([B.visitor.sessionId]);
    const [leads, leadsOfA, dnc, imports] = await Promise.all([
      B.owner.client.GET('/api/leads'),
      B.owner.client.GET('/api/leads', { params: { query: { campaignId: A.campaign.id } } }),
      B.owner.client.GET('/api/dnc-numbers'),
      B.owner.client.GET('/api/leads/imports'),
    ]);
    expect(leads.data?.leads.map((l) => l.name).sort()).toEqual(['Imported', 'Tenant B lead']);
    expect(leadsOfA.data?.total).toBe(0);
    expect(dnc.data?.numbers.map((n) => n.id)).toEqual([B.dncNumber.id]);
    expect(imports.data?.imports.map((i) => i.id)).toEqual([B.leadImport.id]);
    const [logs, logsOfA, followUps, followUpsOfA] = await Promise.all([
      B.owner.client.GET('/api/call-logs'),
      B.owner.client.GET('/api/call-logs', { params: { query: { leadId: A.lead.id } } }),
      B.owner.client.GET('/api/follow-ups'),
      B.owner.client.GET('/api/follow-ups', { params: { query: { leadId: A.lead.id } } }),
    ]);
    expect(logs.data?.callLogs.map((l) => l.id)).toEqual([B.callLog.id]);
    expect(logsOfA.data?.pagination.total).toBe(0);
    expect(followUps.data?.followUps.map((f) => f.id)).toEqual([B.followUp.id]);
    expect(followUpsOfA.data?.followUps).toEqual([]);
    const [agents, agentsOfA, groups] = await Promise.all([
      B.owner.client.GET('/api/agents'),
      B.owner.client.GET('/api/agents', { params: { query: { groupId: A.agentGroup.id } } }),
      B.owner.client.GET('/api/agent-groups'),
    ]);
    expect(agents.data?.agents.map((a) => a.id)).toEqual([B.agent.id]);
    expect(agentsOfA.data?.agents).toEqual([]);
    expect(groups.data?.groups.map((g) => g.id)).toEqual([B.agentGroup.id]);
    const endpoints = await B.owner.client.GET('/api/webhook-endpoints');
    expect(endpoints.data?.map((e) => e.id)).toEqual([B.webhook.id]);
    // Call figures count the caller's own calls only, whatever of A's a filter names.
    const [stats, statsOfAgentA, statsOfCampaignA, dispositions, callsOfAgentA] = await Promise.all([
      bKeyClient.GET('/api/calls/stats/summary'),
      B.owner.client.GET('/api/calls/stats/summary', { params: { query: { agentId: A.agent.id } } }),
      B.owner.client.GET('/api/calls/stats/summary', { params: { query: { campaignId: A.campaign.id } } }),
      B.owner.client.GET('/api/calls/stats/by-disposition', { params: { query: { agentId: A.agent.id } } }),
      B.owner.client.GET('/api/calls', { params: { query: { agentId: A.agent.id } } }),
    ]);
    expect(stats.data?.stats.totalCalls).toBe(1);
    expect(statsOfAgentA.data?.stats.totalCalls).toBe(0);
    expect(statsOfCampaignA.data?.stats.totalCalls).toBe(0);
    expect(dispositions.data?.dispositions).toEqual([]);
    expect(callsOfAgentA.data?.pagination.total).toBe(0);
  });

  it("A's objects still work for A after B's attempts", async () => {
    const viaKey = await t.client({ apiKey: A.apiKey.key }).GET('/api/auth/user');
    expect(viaKey.response.status).toBe(200);
    expect(viaKey.data?.organization.id).toBe(A.owner.orgId);
    const memberSelf = await A.member.client.GET('/api/auth/user');
    expect(memberSelf.data).toMatchObject({ id: A.member.id, role: 'manager' });
    const campaign = await A.owner.client.GET('/api/campaigns/{id}', { params: { path: { id: A.campaign.id } } });
    expect(campaign.data).toMatchObject({ name: 'Tenant A campaign', phoneNumber: '+14155550111', status: 'active' });
    const buyer = await A.owner.client.GET('/api/buyers/{id}', { params: { path: { id: String(A.buyer.id) } } });
    expect(buyer.data).toMatchObject({ name: 'Tenant A buyer', isActive: true, operatingHours: { monday: { start: '09:00', end: '17:00' } } });
    const call = await A.owner.client.GET('/api/calls/{id}', { params: { path: { id: String(A.call.id) } } });
    expect(call.data).toMatchObject({ callSid: A.call.callSid, status: 'in-progress', duration: null, revenue: 12.5 });
    const corrections = await A.owner.client.GET('/api/calls/{id}/corrections', { params: { path: { id: String(A.call.id) } } });
    expect(corrections.data?.map((c) => [c.field, c.reason, c.userId])).toEqual([['revenue', 'Confirmed by the buyer', A.owner.id]]);
    const tag = await A.owner.client.GET('/api/tracking-tags/{id}', { params: { path: { id: String(A.tag.id) } } });
    expect(tag.data).toMatchObject({ name: 'Tenant A tag', tagCode: A.tag.tagCode, campaignId: A.campaign.id, poolId: A.pool.id, defaultNumber: '+14155550111', isActive: true });
    const events = await A.owner.client.GET('/api/conversion-events', { params: { query: { sessionId: A.visitor.sessionId } } });
    expect(events.data?.map((e) => [e.sessionId, e.eventType, e.eventValue])).toEqual([[A.visitor.sessionId, 'phone_click', 25]]);
    // A's own control of its call still works: its recording is the one it started.
    const stopped = await A.owner.client.POST('/api/calls/{callSid}/recording/stop', { params: { path: { callSid: A.call.callSid } } });
    expect(stopped.data).toEqual({ callSid: A.call.callSid, action: 'recording_stop', via: null, recordingSid: A.call.recordingSid, simulated: true });
  });

  // AI knowledge base (issue 20)
  it("the knowledge base: A's agent named in B's list, search or upload is refused, and B lists and finds its own only", async () => {
    const before = await snapshot();
    const refusedForm = new FormData();
    refusedForm.append('agentId', A.aiAgent.id);
    refusedForm.append('file', new Blob([Buffer.from('Sneaky document')]), 'sneaky.txt');
    const [list, search, upload] = await Promise.all([
      B.owner.client.GET('/api/knowledge-base', { params: { query: { agentId: A.aiAgent.id } } }),
      bKeyClient.POST('/api/knowledge-base/search', { body: { query: 'returns accepted', agentId: A.aiAgent.id } }),
      B.owner.client.POST('/api/knowledge-base', { body: {} as never, bodySerializer: () => refusedForm }),
    ]);
    expect([list, search].map((a) => [a.response.status, (a.error as { code?: string } | undefined)?.code])).toEqual([
      [404, 'RESOURCE_NOT_FOUND'],
      [404, 'RESOURCE_NOT_FOUND'],
    ]);
    expect([upload.response.status, upload.error?.details]).toEqual([400, { agentId: "is not one of the organisation's AI agents" }]);
    expect(await snapshot()).toEqual(before);
    const [own, found] = await Promise.all([
      B.owner.client.GET('/api/knowledge-base'),
      B.owner.client.POST('/api/knowledge-base/search', { body: { query: 'returns accepted within 30 days', limit: 50 } }),
    ]);
    expect(own.data?.documents.map((d) => d.id)).toEqual([B.kbDocument.id]);
    expect(found.data?.results.map((r) => [r.documentId, r.content])).toEqual([[B.kbDocument.id, 'Tenant B returns are accepted within 30 days.']]);
  });
});
