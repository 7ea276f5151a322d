// Hostile and malformed input, table-driven over openapi.yaml: every operation with a request
// body (JSON, or the form of a Twilio webhook, sent validly signed), and every operation with a
// path parameter naming one of the caller's objects ({id}, {buyerId}, {phoneNumberId},
// {targetId}, {callSid}). Nothing sent here may change state (except the calls to an unknown
// pool, which the contract says are recorded: see there). The public path parameters ({rtbId},
// {poolId}, {tagCode}) are capabilities, not the caller's objects: each has its own expectation.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, WORLD_CALL_SID } from '../../helpers/api-world.js';
import { type Member, PASSWORD, uniqueEmail } from '../../helpers/fixtures.js';
import { FORM_TYPE, JSON_TYPE, type Sent, fillPath, formOf, sendRaw } from '../../helpers/raw-request.js';
import { snapshotTables } from '../../helpers/db-snapshot.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startTestApp, TEST_SECRETS_KEY, type TestApp } from '../../helpers/test-app.js';
import { createAudioUrlSigner, deriveAudioUrlKey } from '../../../server/crm/audio/signed-url.js';
import { upload, waitForImport } from '../../crm/helpers.js';
import { indexOperations, loadSpec, type OperationMeta } from '../../../server/platform/spec.js';
import { unknownNumberTwiml } from '../../../server/inbound/webhooks/twiml.js';
import { NOOP_SNIPPET } from '../../../server/attribution/tracking-tags/snippet.js';
import { assignNumber } from '../../ai/outbound/helpers.js';

let t: TestApp;
let owner: Member;
let member: Member;
let cookie: string;
let campaignId: string;
let buyerId: number;
let spareBuyerId: number;
let apiKeyId: string;
let targetId: number;
let routerId: number;
let rtbId: string;
let numberId: number;
let poolId: number;
let flowId: number;
let pixelId: number;
let tagId: number;
let tagCode: string;
let callId: number;
let numberPhone: string;
let audioId: string;
let leadId: string;
let leadImportId: string;
let dncNumberId: string;
let callLogId: string;
let followUpId: string;
let agentId: string;
let agentGroupId: string;
let webhookId: string;
let webhookDeliveryId: string;
// AI agents (issue 20)
let aiAgentId: string;
/** The owner's organisation's Exotel secret: the webhook's body is validated only after it. */
let exotelSecret: string;
// AI knowledge base (issue 20)
let kbDocumentId: string;
// AI runtime (issue 20)
let aiConversationId: string;
const CALL_SID = WORLD_CALL_SID;
let stateAfterSetup: Awaited<ReturnType<typeof snapshot>>;
// AI outbound (issue 20): the AI agent above given a number, a call scheduled years ahead, a schedule.
let aiOutboundCallId: string;
let aiScheduleId: string;
let aiImportId: string;

const spec = loadSpec();
const operations = [...indexOperations(spec).values()];
// Operations whose body is required (an optional free-form body, as the test bid's, has no wrong shape).
const BODY_OPERATIONS = operations.filter((op) => spec.paths[op.path]![op.method.toLowerCase()].requestBody?.required === true);
const bodyTypes = (op: OperationMeta): string[] => Object.keys(spec.paths[op.path]![op.method.toLowerCase()].requestBody?.content ?? {});
/** Bodies that are JSON only (the API's own operations). */
const JSON_BODY_OPERATIONS = BODY_OPERATIONS.filter((op) => bodyTypes(op).join() === JSON_TYPE);
/** Bodies that are multipart forms only: uploads (audio, read before validation) and CSV imports (streamed by their handlers). */
const MULTIPART_TYPE = 'multipart/form-data';
const MULTIPART_BODY_OPERATIONS = BODY_OPERATIONS.filter((op) => bodyTypes(op).join() === MULTIPART_TYPE);
/** Uploads: read into a body before validation (x-upload-limit). */
const BUFFERED_UPLOAD_OPERATIONS = MULTIPART_BODY_OPERATIONS.filter((op) => op.uploadLimit !== null);
/** CSV imports: streamed by their handlers. */
const STREAMED_UPLOAD_OPERATIONS = MULTIPART_BODY_OPERATIONS.filter((op) => op.uploadLimit === null);
/** Bodies that are forms only: the Twilio webhooks (X-Twilio-Signature instead of a user). */
const FORM_BODY_OPERATIONS = BODY_OPERATIONS.filter((op) => bodyTypes(op).join() === FORM_TYPE);
/** Bodies that are JSON or a form: a carrier's webhook that sends either (Exotel). */
const JSON_OR_FORM_BODY_OPERATIONS = BODY_OPERATIONS.filter((op) => bodyTypes(op).join() === `${JSON_TYPE},${FORM_TYPE}`);
const ID_OPERATIONS = operations.filter((op) => op.path.includes('{id}'));
const CALL_SID_OPERATIONS = operations.filter((op) => op.path.includes('{callSid}'));
/** The path parameters that name one of the caller's objects (a malformed one is a 404). */
const OBJECT_PARAMS = ['id', 'buyerId', 'phoneNumberId', 'targetId', 'callSid', 'leadId', 'deliveryId', 'version'] as const;
/** Public path parameters: capabilities given to a publisher or to Twilio, not the caller's objects. */
const PUBLIC_PARAMS = ['rtbId', 'poolId', 'tagCode'] as const;
const objectParamsOf = (op: OperationMeta) => OBJECT_PARAMS.filter((name) => op.path.includes(`{${name}}`));
const OBJECT_PARAM_OPERATIONS = operations.filter((op) => objectParamsOf(op).length > 0);

/** A component schema, its $ref followed. */
function resolve(schema: Record<string, any> | undefined): Record<string, any> {
  const ref = schema?.$ref as string | undefined;
  return ref ? spec.components.schemas[ref.replace('#/components/schemas/', '')] : (schema ?? {});
}

function bodySchema(op: OperationMeta, type: string): Record<string, any> {
  return resolve(spec.paths[op.path]![op.method.toLowerCase()].requestBody?.content?.[type]?.schema);
}

/** Optional JSON bodies with a closed shape (unlike the test bid's free-form one): a wrong one is still a 400. */
const OPTIONAL_SHAPED_BODY_OPERATIONS = operations.filter(
  (op) => !op.requestBodyRequired && bodyTypes(op).join() === JSON_TYPE && bodySchema(op, JSON_TYPE).additionalProperties === false,
);

interface Case {
  /** Real values for the path parameters (the caller's own objects). */
  params?: () => Record<string, string>;
  /** Query parameters the operation needs (a webhook's flowId / node). */
  query?: () => Record<string, string>;
  /** A body the operation would accept as it is (a form's values are strings). */
  body?: () => Record<string, unknown>;
}

const newCallSid = () => `CA${randomBytes(16).toString('hex')}`;

// One entry per operation that has a body or a path parameter; coverage is asserted below.
const table: Record<string, Case> = {
  login: { body: () => ({ email: owner.email, password: PASSWORD }) },
  loginLegacy: { body: () => ({ username: owner.email, password: PASSWORD }) },
  register: { body: () => ({ organizationName: 'Sneaky Org', email: uniqueEmail('sneaky'), password: PASSWORD }) },
  createUser: { body: () => ({ email: uniqueEmail('new'), password: PASSWORD, role: 'agent' }) },
  getUser: { params: () => ({ id: String(member.id) }) },
  updateUser: { params: () => ({ id: String(member.id) }), body: () => ({ firstName: 'Changed', role: 'manager' }) },
  deleteUser: { params: () => ({ id: String(member.id) }) },
  setUserPassword: { params: () => ({ id: String(member.id) }), body: () => ({ password: 'a-new-passphrase' }) },
  changePassword: { body: () => ({ currentPassword: PASSWORD, newPassword: 'a-new-passphrase' }) },
  createApiKey: { body: () => ({ name: 'Sneaky key', role: 'agent' }) },
  revokeApiKey: { params: () => ({ id: apiKeyId }) },
  createCampaign: { body: () => ({ name: 'Sneaky campaign', status: 'active', enableRtb: true }) },
  getCampaign: { params: () => ({ id: campaignId }) },
  updateCampaign: { params: () => ({ id: campaignId }), body: () => ({ name: 'Changed', status: 'paused' }) },
  deleteCampaign: { params: () => ({ id: campaignId }) },
  startCampaign: { params: () => ({ id: campaignId }) },
  pauseCampaign: { params: () => ({ id: campaignId }) },
  stopCampaign: { params: () => ({ id: campaignId }) },
  previewNextLead: { params: () => ({ id: campaignId }), body: () => ({ agentId }) },
  dialPreviewLead: { params: () => ({ id: campaignId, leadId }), body: () => ({ agentId }) },
  skipPreviewLead: { params: () => ({ id: campaignId, leadId }), body: () => ({ agentId, nextCallAt: '2099-01-01T00:00:00.000Z' }) },
  updateCampaignRtbConfig: { params: () => ({ id: campaignId }), body: () => ({ enableRtb: false, minBiddersRequired: 5 }) },
  listCampaignBuyers: { params: () => ({ id: campaignId }) },
  createLead: { body: () => ({ phone: '+14155550188', name: 'Sneaky lead', campaignId }) },
  getLead: { params: () => ({ id: leadId }) },
  updateLead: { params: () => ({ id: leadId }), body: () => ({ stage: 'lost', notes: 'Changed' }) },
  deleteLead: { params: () => ({ id: leadId }) },
  getLeadActivity: { params: () => ({ id: leadId }) },
  createCallLog: { body: () => ({ leadId, outcome: 'Interested', duration: 60, notes: 'Sneaky log', scheduledFollowUp: '2030-01-01T09:00:00Z' }) },
  getCallLog: { params: () => ({ id: callLogId }) },
  updateCallLog: { params: () => ({ id: callLogId }), body: () => ({ outcome: 'Busy', notes: 'Changed', scheduledFollowUp: null }) },
  deleteCallLog: { params: () => ({ id: callLogId }) },
  getFollowUp: { params: () => ({ id: followUpId }) },
  updateFollowUp: { params: () => ({ id: followUpId }), body: () => ({ status: 'done' }) },
  updateOrganization: { body: () => ({ name: 'Changed org', defaultCountry: 'GB' }) },
  createAgent: { body: () => ({ name: 'Sneaky agent', phone: '+14155550184', groupId: agentGroupId }) },
  getAgent: { params: () => ({ id: agentId }) },
  updateAgent: { params: () => ({ id: agentId }), body: () => ({ name: 'Changed', maxConcurrentCalls: 2 }) },
  deleteAgent: { params: () => ({ id: agentId }) },
  updateAgentStatus: { params: () => ({ id: agentId }), body: () => ({ status: 'available' }) },
  getAgentStats: { params: () => ({ id: agentId }) },
  createAgentGroup: { body: () => ({ name: 'Sneaky group' }) },
  generateReport: { body: () => ({ reportType: 'call_outcomes', dateRange: { start: '2025-01-01', end: '2025-01-31' }, format: 'csv' }) },
  getAgentGroup: { params: () => ({ id: agentGroupId }) },
  updateAgentGroup: { params: () => ({ id: agentGroupId }), body: () => ({ name: 'Changed group' }) },
  deleteAgentGroup: { params: () => ({ id: agentGroupId }) },
  getLeadImport: { params: () => ({ id: leadImportId }) },
  getLeadImportErrorsCsv: { params: () => ({ id: leadImportId }) },
  addDncNumber: { body: () => ({ phoneNumber: '+14155550189' }) },
  removeDncNumber: { params: () => ({ id: dncNumberId }) },
  // Multipart forms: the fields besides the file.
  uploadLeadsCsv: { body: () => ({ campaignId }) },
  createLeadImport: { body: () => ({ campaignId }) },
  validateLeadImport: { body: () => ({ skipHeader: 'true' }) },
  importDncNumbers: { body: () => ({ defaultCountry: 'US' }) },
  addCampaignBuyer: { params: () => ({ id: campaignId }), body: () => ({ buyerId: spareBuyerId, priority: 2, weight: 3 }) },
  removeCampaignBuyer: { params: () => ({ id: campaignId, buyerId: String(buyerId) }) },
  createBuyer: { body: () => ({ name: 'Sneaky buyer', phoneNumber: '+12125550123', timeZone: 'UTC' }) },
  getBuyer: { params: () => ({ id: String(buyerId) }) },
  updateBuyer: { params: () => ({ id: String(buyerId) }), body: () => ({ name: 'Changed', dailyCap: 7 }) },
  deleteBuyer: { params: () => ({ id: String(buyerId) }) },
  createRtbTarget: { body: () => ({ name: 'Sneaky target', endpointUrl: 'http://127.0.0.1:9/bid' }) },
  getRtbTarget: { params: () => ({ id: String(targetId) }) },
  updateRtbTarget: { params: () => ({ id: String(targetId) }), body: () => ({ name: 'Changed', minBidAmount: 2 }) },
  deleteRtbTarget: { params: () => ({ id: String(targetId) }) },
  getRtbTargetUptime: { params: () => ({ id: String(targetId) }) },
  testRtbTarget: { params: () => ({ targetId: String(targetId) }) },
  listCampaignRtbTargets: { params: () => ({ id: campaignId }) },
  replaceCampaignRtbTargets: { params: () => ({ id: campaignId }), body: () => ({ assignments: [{ targetId, priority: 2 }] }) },
  createRtbRouter: { body: () => ({ name: 'Sneaky router' }) },
  updateRtbRouter: { params: () => ({ id: String(routerId) }), body: () => ({ isActive: false }) },
  deleteRtbRouter: { params: () => ({ id: String(routerId) }) },
  replayAuction: { params: () => ({ id: 'req_unknown' }) },
  inboundRtbBid: { params: () => ({ rtbId }), body: () => ({ callerId: '+13105551234' }) },
  inboundRtbBidGet: { params: () => ({ rtbId }) },
  purchasePhoneNumber: { body: () => ({ phoneNumber: '+15555550188' }) },
  // A simulated call changes state when it succeeds; here only refused bodies are sent.
  placeSimulatedCall: { body: () => ({ to: numberPhone, outcome: 'busy', timeScale: 0 }) },
  releasePhoneNumber: { params: () => ({ id: String(numberId) }) },
  assignPhoneNumberToCampaign: { params: () => ({ id: String(numberId) }), body: () => ({ campaignId: null }) },
  createNumberPool: { body: () => ({ name: 'Sneaky pool' }) },
  getNumberPool: { params: () => ({ id: String(poolId) }) },
  updateNumberPool: { params: () => ({ id: String(poolId) }), body: () => ({ name: 'Changed' }) },
  deleteNumberPool: { params: () => ({ id: String(poolId) }) },
  addNumberToPool: { params: () => ({ id: String(poolId) }), body: () => ({ phoneNumberId: numberId }) },
  removeNumberFromPool: { params: () => ({ id: String(poolId), phoneNumberId: String(numberId) }) },
  createNumberPoolLegacy: { body: () => ({ name: 'Sneaky pool' }) },
  getNumberPoolLegacy: { params: () => ({ id: String(poolId) }) },
  updateNumberPoolLegacy: { params: () => ({ id: String(poolId) }), body: () => ({ name: 'Changed' }) },
  deleteNumberPoolLegacy: { params: () => ({ id: String(poolId) }) },
  addNumberToPoolLegacy: { params: () => ({ id: String(poolId) }), body: () => ({ phoneNumberId: numberId }) },
  removeNumberFromPoolLegacy: { params: () => ({ id: String(poolId), phoneNumberId: String(numberId) }) },
  createCallFlow: { body: () => ({ name: 'Sneaky flow', flowDefinition: { startNodeId: null, nodes: [] } }) },
  getCallFlow: { params: () => ({ id: String(flowId) }) },
  updateCallFlow: { params: () => ({ id: String(flowId) }), body: () => ({ name: 'Changed' }) },
  deleteCallFlow: { params: () => ({ id: String(flowId) }) },
  createTrackingPixel: { body: () => ({ name: 'Sneaky pixel', url: 'https://pixels.example.com/p?c=[Call:CallerId]', fireOn: ['conversion'] }) },
  getTrackingPixel: { params: () => ({ id: String(pixelId) }) },
  updateTrackingPixel: { params: () => ({ id: String(pixelId) }), body: () => ({ name: 'Changed', isActive: false }) },
  deleteTrackingPixel: { params: () => ({ id: String(pixelId) }) },
  createTrackingTag: { body: () => ({ name: 'Sneaky tag', tagCode: 'sneaky_tag', campaignId, poolId, defaultNumber: '+12125550100', isActive: true }) },
  getTrackingTag: { params: () => ({ id: String(tagId) }) },
  updateTrackingTag: { params: () => ({ id: String(tagId) }), body: () => ({ name: 'Changed', isActive: false }) },
  deleteTrackingTag: { params: () => ({ id: String(tagId) }) },
  // Public: the snippet and the number of a landing page's visitor.
  getDniSnippet: { params: () => ({ tagCode }) },
  dniTrack: { body: () => ({ tagCode, sessionId: 'bad_input_session', domain: 'example.com', utmSource: 'google', clickIds: { gclid: 'g1' } }) },
  dniUltraFast: { body: () => ({ campaignId, sessionId: 'bad_input_session', userAgent: 'curl/7.68.0', utmMedium: 'cpc' }) },
  // Public: RedTrack's reports (the tag code keeps them to this organisation).
  trackRedtrackSession: { body: () => ({ clickid: 'rt_bad_input', tagCode, campaign_id: 'campaign_123', source: 'google', medium: 'cpc', timestamp: '2025-08-04T12:00:00Z' }) },
  trackRedtrackConversion: { body: () => ({ clickid: 'rt_bad_input', tagCode, eventType: 'phone_click', phoneNumber: '+12125551234', conversionValue: 25 }) },
  trackRedtrackQuality: { body: () => ({ clickid: 'rt_bad_input', tagCode, conversionType: 'ConvertedCall', duration: 180, answered: true, converted: true, revenue: 50 }) },
  getCall: { params: () => ({ id: String(callId) }) },
  getCampaignStats: { params: () => ({ id: campaignId }) },
  getBuyerStats: { params: () => ({ id: String(buyerId) }) },
  createCall: { body: () => ({ callerNumber: '+13105551234', campaignId, buyerId, status: 'completed', duration: 60, revenue: 12.5 }) },
  updateCall: { params: () => ({ id: String(callId) }), body: () => ({ status: 'completed', duration: 60, revenue: 30, reason: 'Confirmed' }) },
  listCallCorrections: { params: () => ({ id: String(callId) }) },
  transferCall: { params: () => ({ callSid: CALL_SID }), body: () => ({ targetNumber: '+12125551234' }) },
  holdCall: { params: () => ({ callSid: CALL_SID }) },
  resumeCall: { params: () => ({ callSid: CALL_SID }) },
  muteCall: { params: () => ({ callSid: CALL_SID }) },
  unmuteCall: { params: () => ({ callSid: CALL_SID }) },
  startCallRecording: { params: () => ({ callSid: CALL_SID }) },
  stopCallRecording: { params: () => ({ callSid: CALL_SID }) },
  // Twilio webhooks: form bodies, sent with a valid X-Twilio-Signature.
  voiceWebhook: { body: () => ({ CallSid: newCallSid(), To: numberPhone, From: '+13105551234', CallerState: 'CA' }) },
  poolVoiceWebhook: { params: () => ({ poolId: String(poolId) }), body: () => ({ CallSid: newCallSid(), To: numberPhone, From: '+13105551234' }) },
  callStatusWebhook: { body: () => ({ CallSid: CALL_SID, CallStatus: 'completed', CallDuration: '60' }) },
  callStatusWebhookLegacy: { body: () => ({ CallSid: CALL_SID, CallStatus: 'completed', CallDuration: '60' }) },
  dialStatusWebhook: {
    query: () => ({ attempt: '1', route: 'auto' }),
    body: () => ({ CallSid: CALL_SID, DialCallStatus: 'completed', DialCallSid: newCallSid(), DialCallDuration: '60' }),
  },
  flowStepWebhook: { query: () => ({ flowId: String(flowId), node: 'start' }), body: () => ({ CallSid: CALL_SID, Digits: '1' }) },
  voicemailWebhook: {
    body: () => ({
      CallSid: CALL_SID,
      RecordingUrl: 'https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000/Recordings/RE1234567890abcdef1234567890abcdef',
      RecordingSid: 'RE1234567890abcdef1234567890abcdef',
    }),
  },
  resumeWebhook: { body: () => ({ CallSid: CALL_SID }) },
  recordingStatusWebhook: { body: () => ({ CallSid: CALL_SID, RecordingSid: 'RE1234567890abcdef1234567890abcdef', RecordingStatus: 'completed' }) },
  // The dialer's webhooks name our call in the query (no outbound call exists here: a valid request is a 404).
  outboundAnswerWebhook: { query: () => ({ callId: '1' }), body: () => ({ CallSid: CALL_SID, CallStatus: 'in-progress' }) },
  outboundStatusWebhook: { query: () => ({ callId: '1' }), body: () => ({ CallSid: CALL_SID, CallStatus: 'completed', CallDuration: '60' }) },
  outboundAmdWebhook: { query: () => ({ callId: '1' }), body: () => ({ CallSid: CALL_SID, AnsweredBy: 'human' }) },
  outboundAgentAnswerWebhook: { query: () => ({ callId: '1', agentId: '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b' }), body: () => ({ CallSid: CALL_SID }) },
  outboundAgentStatusWebhook: {
    query: () => ({ callId: '1', agentId: '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b' }),
    body: () => ({ CallSid: CALL_SID, CallStatus: 'completed' }),
  },
  outboundConferenceStatusWebhook: {
    query: () => ({ callId: '1' }),
    body: () => ({ ConferenceSid: 'CF1234567890abcdef1234567890abcdef', StatusCallbackEvent: 'participant-leave', CallSid: CALL_SID }),
  },
  outboundRecordingWebhook: {
    query: () => ({ callId: '1' }),
    body: () => ({ CallSid: CALL_SID, RecordingSid: 'RE1234567890abcdef1234567890abcdef', RecordingStatus: 'completed' }),
  },
  // Uploads: the text fields of a valid multipart body (the file part is added by the cases).
  uploadAudio: { body: () => ({ name: 'Sneaky audio', category: 'greetings' }) },
  getAudio: { params: () => ({ id: audioId }) },
  deleteAudio: { params: () => ({ id: audioId }) },
  streamAudio: { params: () => ({ id: audioId }) },
  createWebhookEndpoint: { body: () => ({ url: 'https://hooks.example.com/events', events: ['call.completed', 'lead.qualified'], description: 'Sneaky CRM' }) },
  getWebhookEndpoint: { params: () => ({ id: webhookId }) },
  updateWebhookEndpoint: { params: () => ({ id: webhookId }), body: () => ({ events: ['*'], isActive: false }) },
  deleteWebhookEndpoint: { params: () => ({ id: webhookId }) },
  rotateWebhookEndpointSecret: { params: () => ({ id: webhookId }) },
  testWebhookEndpoint: { params: () => ({ id: webhookId }) },
  listWebhookDeliveries: { params: () => ({ id: webhookId }) },
  replayWebhookDelivery: { params: () => ({ id: webhookId, deliveryId: webhookDeliveryId }) },
  // Public: the signed URL Twilio fetches (a malformed id is a 404 before the signature is read).
  playAudio: { params: () => ({ id: audioId }), query: () => signedQuery(audioId) },
  // AI agents (issue 20)
  createAiAgent: { body: () => ({ name: 'Sneaky agent', systemPrompt: 'Be helpful.', tools: [{ type: 'end_call' }], retryConfig: { busy: null } }) },
  getAiAgent: { params: () => ({ id: aiAgentId }) },
  updateAiAgent: { params: () => ({ id: aiAgentId }), body: () => ({ name: 'Changed', temperature: 0.2 }) },
  deleteAiAgent: { params: () => ({ id: aiAgentId }) },
  listAiAgentVersions: { params: () => ({ id: aiAgentId }) },
  getAiAgentVersion: { params: () => ({ id: aiAgentId, version: '1' }) },
  getAiAgentRetryConfig: { params: () => ({ id: aiAgentId }) },
  updateAiAgentRetryConfig: { params: () => ({ id: aiAgentId }), body: () => ({ no_answer: { maxAttempts: 4 } }) },
  listAiAgentNumbers: { params: () => ({ id: aiAgentId }) },
  updatePhoneNumber: { params: () => ({ id: String(numberId) }), body: () => ({ isActive: false }) },
  // Public: Exotel's webhook (JSON or a form; its own cases at the end of this file).
  exotelIncomingWebhook: { query: () => ({ secret: exotelSecret }), body: () => ({ CallSid: 'exo_bad_input', From: '+919876543210', To: numberPhone }) },
  // AI analytics (issue 20)
  getAiAgentAnalytics: { params: () => ({ id: aiAgentId }), query: () => ({ startDate: '2025-11-01', endDate: '2025-11-30' }) },
  // AI outbound (issue 20)
  createOutboundCall: { body: () => ({ toPhone: '+14155550182', agentId: aiAgentId, scheduledFor: '2031-01-01T10:00:00Z', timezone: 'America/New_York', priority: 'high', context: 'Sneaky call' }) },
  getOutboundCall: { params: () => ({ id: aiOutboundCallId }) },
  cancelOutboundCall: { params: () => ({ id: aiOutboundCallId }) },
  retryOutboundCall: { params: () => ({ id: aiOutboundCallId }) },
  createAiSchedule: { body: () => ({ agentId: aiAgentId, toPhone: '+14155550182', pattern: 'weekly', time: '10:00', timezone: 'Europe/London', startDate: '2031-01-06', endDate: null, businessHoursOnly: true, priority: 'low', context: null }) },
  getAiSchedule: { params: () => ({ id: aiScheduleId }) },
  deleteAiSchedule: { params: () => ({ id: aiScheduleId }) },
  // The AI worker's webhooks name the attempt in the query (an unknown one here: a valid request is a 404).
  aiOutboundAnswerWebhook: { query: () => ({ outboundCallId: '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b' }), body: () => ({ CallSid: CALL_SID, CallStatus: 'in-progress' }) },
  aiOutboundStatusWebhook: { query: () => ({ outboundCallId: '4f1c2b3a-5d6e-4f70-8a9b-0c1d2e3f4a5b' }), body: () => ({ CallSid: CALL_SID, CallStatus: 'completed', CallDuration: '60' }) },
  // Multipart forms (CSV imports of AI calls): the fields besides the file.
  createOutboundCallImport: { body: () => ({ skipHeader: 'true' }) },
  validateOutboundCallImport: { body: () => ({ defaultCountry: 'US' }) },
  getOutboundCallImport: { params: () => ({ id: aiImportId }) },
  // AI knowledge base (issue 20)
  uploadKnowledgeDocument: { body: () => ({ title: 'Sneaky document', category: 'sneaky' }) },
  uploadKnowledgeDocumentLegacy: { body: () => ({ title: 'Sneaky document' }) },
  searchKnowledgeBase: { body: () => ({ query: 'return policy', limit: 5 }) },
  getKnowledgeDocument: { params: () => ({ id: kbDocumentId }) },
  deleteKnowledgeDocument: { params: () => ({ id: kbDocumentId }) },
  // AI runtime (issue 20)
  testAiAgent: { params: () => ({ id: aiAgentId }), body: () => ({ message: 'What are your opening hours?' }) },
  getAiConversation: { params: () => ({ id: aiConversationId }) },
  // ConversationRelay's action URL names our call in the query (no such call here: a valid request is a 404).
  aiRelayEndWebhook: { query: () => ({ callId: '1' }), body: () => ({ CallSid: CALL_SID, CallStatus: 'in-progress', SessionStatus: 'ended' }) },
};

/** The file part of each upload, with content its operation refuses (the default: audio's). */
const UPLOAD_FILES: Record<string, { name: string; filename: string; content: string }> = {
  // AI knowledge base (issue 20): a NUL byte makes it no accepted type.
  uploadKnowledgeDocument: { name: 'file', filename: 'manual.pdf', content: 'not\u0000a document' },
  uploadKnowledgeDocumentLegacy: { name: 'file', filename: 'manual.pdf', content: 'not\u0000a document' },
};

function signedQuery(id: string): Record<string, string> {
  const url = new URL(createAudioUrlSigner(deriveAudioUrlKey(Buffer.from(TEST_SECRETS_KEY, 'hex')), t.config.publicBaseUrl).playUrl(id));
  return Object.fromEntries(url.searchParams);
}

const BOUNDARY = 'bad-input-boundary';
/** A multipart body (text parts, and a file part when `file` is given) as one string. */
function multipartOf(fields: Record<string, unknown>, file?: { name: string; filename: string; content: string }): string {
  const parts = Object.entries(fields).map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${String(value)}\r\n`);
  if (file) parts.push(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: audio/mpeg\r\n\r\n${file.content}\r\n`);
  return `${parts.join('')}--${BOUNDARY}--\r\n`;
}

function opById(operationId: string): OperationMeta {
  const op = operations.find((o) => o.operationId === operationId);
  if (!op) throw new Error(`no operation ${operationId}`);
  return op;
}

function realParams(operationId: string): Record<string, string> {
  const params = table[operationId]!.params?.() ?? {};
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, encodeURIComponent(v)]));
}

/** The table's query string for the operation ('' when it needs none). */
function realQuery(operationId: string): string {
  const query = table[operationId]?.query?.();
  return query ? `?${new URLSearchParams(query).toString()}` : '';
}

/**
 * One raw request as the owner: with the session cookie, or for a Twilio webhook with a valid
 * X-Twilio-Signature over what is sent (`anonymous`: neither).
 */
async function send(
  op: OperationMeta,
  options: { params?: Record<string, string>; body?: string; contentType?: string; anonymous?: boolean; query?: string },
): Promise<Sent> {
  const pathAndQuery = fillPath(op, options.params ?? realParams(op.operationId)) + (options.query ?? realQuery(op.operationId));
  return sendRaw(t, op, options.anonymous ? 'anonymous' : { cookie }, {
    pathAndQuery,
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
  });
}

/** Each request's outcome as {label, status, code}, to compare the whole list in one assertion. */
async function outcomes(requests: Array<[string, () => Promise<Sent>]>) {
  const results = [];
  for (const [label, request] of requests) {
    const sent = await request();
    const wellFormed =
      /^application\/json/.test(sent.contentType) && typeof sent.body?.error === 'string' && typeof sent.body?.requestId === 'string';
    results.push({ label, status: sent.status, code: sent.body?.code, wellFormed, details: sent.body?.details });
  }
  return results;
}

function allValidationErrors(labels: string[]) {
  return labels.map((label) => ({ label, status: 400, code: 'VALIDATION_ERROR', wellFormed: true, details: expect.any(Object) }));
}

/** Every row of every table (the list read from the database): what must still hold at the end. */
function snapshot() {
  return snapshotTables(t.db, { api_keys: ['last_used_at'] });
}

beforeAll(async () => {
  t = await startTestApp();
  const world = await createWorld(t, 'Bad Input Org');
  ({ owner, member, cookie, campaignId, buyerId, spareBuyerId, apiKeyId, targetId, routerId, rtbId } = world);
  ({ numberId, numberPhone, poolId, flowId, pixelId, tagId, tagCode, callId, audioId } = world);
  const lead = await owner.client.POST('/api/leads', { body: { phone: '+14155550187', name: 'Lead', campaignId } });
  const dnc = await owner.client.POST('/api/dnc-numbers', { body: { phoneNumber: '+14155550186' } });
  if (!lead.data || !dnc.data) throw new Error('lead setup failed');
  leadId = lead.data.id;
  dncNumberId = dnc.data.id;
  const imported = await upload(t, owner, '/api/leads/imports', 'phone,name\n+14155550185,Imported\n', { campaignId });
  leadImportId = (await waitForImport(owner, imported.body.id)).id;
  const callLog = await owner.client.POST('/api/call-logs', { body: { leadId, outcome: 'Callback Requested', scheduledFollowUp: '2030-01-25T14:00:00Z' } });
  if (!callLog.data?.followUp) throw new Error(`createCallLog failed: ${callLog.response.status}`);
  callLogId = callLog.data.id;
  followUpId = callLog.data.followUp.id;
  const agentGroup = await owner.client.POST('/api/agent-groups', { body: { name: 'Team' } });
  if (!agentGroup.data) throw new Error(`createAgentGroup failed: ${agentGroup.response.status}`);
  agentGroupId = agentGroup.data.id;
  const agent = await owner.client.POST('/api/agents', { body: { name: 'Agent', phone: '+14155550183', groupId: agentGroupId } });
  if (!agent.data) throw new Error(`createAgent failed: ${agent.response.status}`);
  agentId = agent.data.id;
  const webhook = await owner.client.POST('/api/webhook-endpoints', { body: { url: 'https://hooks.example.com/events', events: ['*'] } });
  if (!webhook.data) throw new Error(`createWebhookEndpoint failed: ${webhook.response.status}`);
  webhookId = webhook.data.id;
  const ping = await owner.client.POST('/api/webhook-endpoints/{id}/test', { params: { path: { id: webhookId } } });
  if (!ping.data) throw new Error(`testWebhookEndpoint failed: ${ping.response.status}`);
  webhookDeliveryId = ping.data.id;
  // AI agents (issue 20)
  const aiAgent = await owner.client.POST('/api/ai-agents', { body: { name: 'AI agent', systemPrompt: 'Be helpful.' } });
  if (!aiAgent.data) throw new Error(`createAiAgent failed: ${aiAgent.response.status}`);
  aiAgentId = aiAgent.data.id;
  const exotel = await owner.client.POST('/api/ai-agents/exotel-secret');
  if (!exotel.data) throw new Error(`rotateExotelSecret failed: ${exotel.response.status}`);
  exotelSecret = exotel.data.secret;
  // AI outbound (issue 20)
  await assignNumber(t, owner, aiAgentId);
  const aiCall = await owner.client.POST('/api/outbound-calls', { body: { toPhone: '+14155550181', agentId: aiAgentId, scheduledFor: '2031-01-01T10:00:00Z' } });
  const aiSchedule = await owner.client.POST('/api/ai-schedules', { body: { toPhone: '+14155550181', agentId: aiAgentId, pattern: 'daily', time: '10:00', startDate: '2031-01-01' } });
  if (!aiCall.data || !aiSchedule.data) throw new Error(`AI outbound setup failed: ${aiCall.response.status} ${aiSchedule.response.status}`);
  aiOutboundCallId = aiCall.data.id;
  aiScheduleId = aiSchedule.data.id;
  const aiImport = await upload(t, owner, '/api/outbound-call-imports', `phoneNumber,agentId,scheduledFor\n+14155550180,${aiAgentId},2031-01-01T10:00:00Z\n`);
  if (aiImport.status !== 202) throw new Error(`AI call import failed: ${aiImport.status}`);
  aiImportId = aiImport.body.id;
  for (let i = 0; i < 200; i += 1) {
    const state = await owner.client.GET('/api/outbound-call-imports/{id}', { params: { path: { id: aiImportId } } });
    if (state.data?.status === 'completed') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // The number was needed to create them only (the row counts checked at the end stay the world's).
  await t.db.deleteFrom('phone_numbers').where('ai_agent_id', '=', aiAgentId).execute();
  // AI knowledge base (issue 20): a processed document.
  const kbForm = new FormData();
  kbForm.append('file', new Blob([Buffer.from('Returns are accepted within 30 days.')]), 'returns.txt');
  const kbDoc = await owner.client.POST('/api/knowledge-base', { body: {} as never, bodySerializer: () => kbForm });
  if (!kbDoc.data) throw new Error(`uploadKnowledgeDocument failed: ${kbDoc.response.status}`);
  kbDocumentId = kbDoc.data.id;
  await waitFor('the knowledge document', () => t.db.selectFrom('kb_documents').select('status').where('id', '=', kbDocumentId).executeTakeFirstOrThrow(), (r) => r.status !== 'processing');
  // AI runtime (issue 20): a text conversation with that agent.
  const aiConversation = await owner.client.POST('/api/ai-agents/{id}/test', { params: { path: { id: aiAgentId } }, body: { message: 'Hello' } });
  if (!aiConversation.data) throw new Error(`testAiAgent failed: ${aiConversation.response.status}`);
  aiConversationId = aiConversation.data.conversationId;
  stateAfterSetup = await snapshot();
});
afterAll(async () => t.close());

describe('the tables cover openapi.yaml', () => {
  it('has a valid body for every operation with a requestBody', () => {
    expect(BODY_OPERATIONS.length).toBeGreaterThanOrEqual(12);
    const missing = BODY_OPERATIONS.filter((op) => !table[op.operationId]?.body).map((op) => op.operationId);
    expect(missing).toEqual([]);
    // Every body is JSON-only in the contract, form-only for a Twilio webhook, or multipart-only
    // for an upload or a CSV import (so every other content type is "wrong").
    for (const op of BODY_OPERATIONS) {
      const expected = JSON_OR_FORM_BODY_OPERATIONS.includes(op) ? [JSON_TYPE, FORM_TYPE] : [op.twilioSigned ? FORM_TYPE : MULTIPART_BODY_OPERATIONS.includes(op) ? MULTIPART_TYPE : JSON_TYPE];
      expect(bodyTypes(op), op.operationId).toEqual(expected);
    }
    expect(JSON_OR_FORM_BODY_OPERATIONS.map((op) => op.operationId)).toEqual(['exotelIncomingWebhook']);
    expect(JSON_BODY_OPERATIONS.length + FORM_BODY_OPERATIONS.length + MULTIPART_BODY_OPERATIONS.length + JSON_OR_FORM_BODY_OPERATIONS.length).toBe(BODY_OPERATIONS.length);
    expect(BUFFERED_UPLOAD_OPERATIONS.map((op) => op.operationId)).toEqual(['uploadAudio', 'uploadKnowledgeDocument', 'uploadKnowledgeDocumentLegacy']);
    expect(STREAMED_UPLOAD_OPERATIONS.map((op) => op.operationId).sort()).toEqual(
      ['createLeadImport', 'importDncNumbers', 'uploadLeadsCsv', 'validateLeadImport', 'createOutboundCallImport', 'validateOutboundCallImport'].sort(),
    );
    expect(FORM_BODY_OPERATIONS.length).toBeGreaterThanOrEqual(8);
    // Optional bodies: JSON only too.
    for (const op of operations.filter((o) => bodyTypes(o).length > 0 && !o.requestBodyRequired)) expect(bodyTypes(op), op.operationId).toEqual([JSON_TYPE]);
    expect(OPTIONAL_SHAPED_BODY_OPERATIONS.map((op) => op.operationId)).toContain('stopCallRecording');
  });

  it('has real values for the path parameters of every operation that takes some', () => {
    const withParams = operations.filter((op) => op.path.includes('{'));
    expect(ID_OPERATIONS.length).toBeGreaterThanOrEqual(14);
    expect(CALL_SID_OPERATIONS.length).toBeGreaterThanOrEqual(7);
    // Every path parameter is known here: an object's gets the malformed-value cases below (a
    // new kind of parameter must be placed in one list or the other).
    const names = new Set(withParams.flatMap((op) => [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])));
    expect([...names].sort()).toEqual([...OBJECT_PARAMS, ...PUBLIC_PARAMS].sort());
    const missing = withParams.filter((op) => !table[op.operationId]?.params).map((op) => op.operationId);
    expect(missing).toEqual([]);
    expect(Object.keys(table).sort()).toEqual([...new Set([...BODY_OPERATIONS, ...withParams].map((op) => op.operationId))].sort());
  });
});

describe.each(JSON_BODY_OPERATIONS.map((op) => op.operationId))('%s body', (operationId) => {
  const op = () => opById(operationId);
  const valid = () => table[operationId]!.body!();
  const json = (text: string) => () => send(op(), { body: text, contentType: 'application/json' });

  it('answers 400 VALIDATION_ERROR naming an unknown property', async () => {
    const extras = ['unexpectedField', 'isAdmin', 'org_id'];
    const seen = await outcomes(extras.map((extra) => [extra, json(JSON.stringify({ ...valid(), [extra]: true }))]));
    expect(seen).toEqual(extras.map((extra) => ({ label: extra, status: 400, code: 'VALIDATION_ERROR', wellFormed: true, details: { [extra]: 'is not allowed' } })));
  });

  it('answers 400 for prototype-poisoning keys', async () => {
    const rest = JSON.stringify(valid()).slice(1);
    const seen = await outcomes([
      ['__proto__', json(`{"__proto__": {"role": "owner"}, ${rest}`)],
      ['constructor.prototype', json(`{"constructor": {"prototype": {"role": "owner"}}, ${rest}`)],
    ]);
    expect(seen).toEqual(allValidationErrors(['__proto__', 'constructor.prototype']));
  });

  it('answers 400 VALIDATION_ERROR for a JSON array or any other non-object JSON body', async () => {
    const texts = [JSON.stringify([valid()]), '[]', 'null', '42', '"text"', 'true'];
    const seen = await outcomes(texts.map((text) => [text.slice(0, 30), json(text)]));
    expect(seen).toEqual(allValidationErrors(texts.map((text) => text.slice(0, 30))));
  });

  it('answers 400 VALIDATION_ERROR for invalid JSON text', async () => {
    const whole = JSON.stringify(valid());
    const texts = [whole.slice(0, -1), `${whole}}`, "{'name': 'x'}", '{name: 1}', '\u0000', '{"a":'];
    const seen = await outcomes(texts.map((text) => [JSON.stringify(text.slice(0, 30)), json(text)]));
    expect(seen).toEqual(allValidationErrors(texts.map((text) => JSON.stringify(text.slice(0, 30)))));
  });

  it('answers 400 VALIDATION_ERROR for a missing body (the body is required)', async () => {
    const seen = await outcomes([
      ['empty, json type', json('')],
      ['none, json type', () => send(op(), { contentType: 'application/json' })],
      ['none, no type', () => send(op(), {})],
    ]);
    expect(seen).toEqual(allValidationErrors(['empty, json type', 'none, json type', 'none, no type']));
  });

  it('answers 400 VALIDATION_ERROR (never 415 or 500) for a wrong content type', async () => {
    const whole = JSON.stringify(valid());
    const form = new URLSearchParams(Object.entries(valid()).map(([k, v]): [string, string] => [k, String(v)])).toString();
    const bodies: Array<[string, string]> = [
      ['text/plain', whole],
      ['text/plain; charset=utf-8', whole],
      ['application/xml', '<body/>'],
      ['application/x-www-form-urlencoded', form],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--x--\r\n'],
      ['application/octet-stream', whole],
    ];
    const seen = await outcomes(bodies.map(([contentType, text]) => [contentType, () => send(op(), { body: text, contentType })]));
    expect(seen).toEqual(allValidationErrors(bodies.map(([contentType]) => contentType)));
  });

  if (opById(operationId).securitySchemes.length > 0) {
    it('answers 401, not 400, to an anonymous caller with a bad body (authentication first)', async () => {
      const sent = await send(op(), { body: JSON.stringify({ ...valid(), unexpectedField: true }), contentType: 'application/json', anonymous: true });
      expect({ status: sent.status, code: sent.body?.code }).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    });
  }
});

describe.each(FORM_BODY_OPERATIONS.map((op) => op.operationId))('%s form body (a Twilio webhook, validly signed)', (operationId) => {
  const op = () => opById(operationId);
  const valid = () => table[operationId]!.body!();
  const form = (text: string) => () => send(op(), { body: text, contentType: FORM_TYPE });
  const json = (text: string) => () => send(op(), { body: text, contentType: JSON_TYPE });
  const required = (): string[] => bodySchema(op(), FORM_TYPE).required ?? [];

  it('answers 400 VALIDATION_ERROR naming each missing required field', async () => {
    expect(required().length).toBeGreaterThan(0);
    const seen = await outcomes(
      required().map((field) => [
        field,
        form(formOf(Object.fromEntries(Object.entries(valid()).filter(([k]) => k !== field)))),
      ]),
    );
    expect(seen).toEqual(required().map((field) => ({ label: field, status: 400, code: 'VALIDATION_ERROR', wellFormed: true, details: { [field]: 'is required' } })));
  });

  it('answers 400 VALIDATION_ERROR for a JSON body, whatever it holds (forms only)', async () => {
    const whole = JSON.stringify(valid());
    const texts = [whole, JSON.stringify([valid()]), '[]', 'null', '42', '"text"', whole.slice(0, -1), '{CallSid: 1}'];
    const seen = await outcomes(texts.map((text) => [text.slice(0, 30), json(text)]));
    expect(seen).toEqual(allValidationErrors(texts.map((text) => text.slice(0, 30))));
  });

  it('answers 400 VALIDATION_ERROR for a missing body (the body is required)', async () => {
    const seen = await outcomes([
      ['empty, form type', form('')],
      ['none, form type', () => send(op(), { contentType: FORM_TYPE })],
      ['none, no type', () => send(op(), {})],
    ]);
    expect(seen).toEqual(allValidationErrors(['empty, form type', 'none, form type', 'none, no type']));
  });

  it('answers 400 VALIDATION_ERROR (never 415 or 500) for a wrong content type', async () => {
    const text = formOf(valid());
    const bodies: Array<[string, string]> = [
      ['application/json', JSON.stringify(valid())],
      ['text/plain', text],
      ['text/plain; charset=utf-8', text],
      ['application/xml', '<body/>'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="CallSid"\r\n\r\nCA1\r\n--x--\r\n'],
      ['application/octet-stream', text],
    ];
    const seen = await outcomes(bodies.map(([contentType, body]) => [contentType, () => send(op(), { body, contentType })]));
    expect(seen).toEqual(allValidationErrors(bodies.map(([contentType]) => contentType)));
  });

  it('answers 403, not 400, to an unsigned request with a bad body (the signature first)', async () => {
    const missing = formOf(Object.fromEntries(Object.entries(valid()).filter(([k]) => k !== required()[0])));
    const seen = [];
    for (const [body, contentType] of [
      [missing, FORM_TYPE],
      [JSON.stringify({ ...valid(), unexpectedField: true }), JSON_TYPE],
    ] as const) {
      const sent = await send(op(), { body, contentType, anonymous: true });
      seen.push({ status: sent.status, code: sent.body?.code });
    }
    expect(seen).toEqual([
      { status: 403, code: 'FORBIDDEN' },
      { status: 403, code: 'FORBIDDEN' },
    ]);
  });
});

describe.each(BUFFERED_UPLOAD_OPERATIONS.map((op) => op.operationId))('%s multipart body (an upload)', (operationId) => {
  const op = () => opById(operationId);
  const valid = () => table[operationId]!.body!();
  const file = UPLOAD_FILES[operationId] ?? { name: 'audio', filename: 'greeting.mp3', content: 'not really audio' };
  const multipart = (text: string) => () => send(op(), { body: text, contentType: `${MULTIPART_TYPE}; boundary=${BOUNDARY}` });
  const required = (): string[] => bodySchema(op(), MULTIPART_TYPE).required ?? [];

  it('answers 400 VALIDATION_ERROR naming an unknown field', async () => {
    const extras = ['unexpectedField', 'isAdmin', 'org_id'];
    const seen = await outcomes(extras.map((extra) => [extra, multipart(multipartOf({ ...valid(), [extra]: 'x' }, file))]));
    expect(seen).toEqual(extras.map((extra) => ({ label: extra, status: 400, code: 'VALIDATION_ERROR', wellFormed: true, details: { [extra]: 'is not allowed' } })));
  });

  it('answers 400 VALIDATION_ERROR naming each missing required part', async () => {
    expect(required()).toContain(file.name);
    const seen = await outcomes(
      required().map((field) => [
        field,
        multipart(multipartOf(Object.fromEntries(Object.entries(valid()).filter(([k]) => k !== field)), field === file.name ? undefined : file)),
      ]),
    );
    expect(seen).toEqual(required().map((field) => ({ label: field, status: 400, code: 'VALIDATION_ERROR', wellFormed: true, details: { [field]: 'is required' } })));
  });

  it('answers 400 for prototype-poisoning field names, a field given twice, and a file of no accepted type', async () => {
    const seen = await outcomes([
      ['__proto__', multipart(multipartOf({ __proto__: 'x', ...valid() }, file))],
      ['constructor', multipart(multipartOf({ constructor: 'x', ...valid() }, file))],
      ['twice', multipart(multipartOf(valid(), file).replace(`--${BOUNDARY}--`, `--${BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\nagain\r\n--${BOUNDARY}--`))],
      ['not audio', multipart(multipartOf(valid(), file))],
    ]);
    expect(seen).toEqual(allValidationErrors(['__proto__', 'constructor', 'twice', 'not audio']));
  });

  it('answers 400 VALIDATION_ERROR for a missing or malformed body', async () => {
    const whole = multipartOf(valid(), file);
    const seen = await outcomes([
      ['empty', multipart('')],
      ['none, multipart type', () => send(op(), { contentType: MULTIPART_TYPE })],
      ['none, no type', () => send(op(), {})],
      ['no boundary', () => send(op(), { body: whole, contentType: MULTIPART_TYPE })],
      ['cut short', multipart(whole.slice(0, whole.length / 2))],
      ['another boundary', () => send(op(), { body: whole, contentType: `${MULTIPART_TYPE}; boundary=other` })],
    ]);
    expect(seen).toEqual(allValidationErrors(['empty', 'none, multipart type', 'none, no type', 'no boundary', 'cut short', 'another boundary']));
  });

  it('answers 400 VALIDATION_ERROR (never 415 or 500) for a wrong content type', async () => {
    const bodies: Array<[string, string]> = [
      ['application/json', JSON.stringify({ ...valid(), audio: 'SUQz' })],
      ['application/x-www-form-urlencoded', formOf({ ...valid(), audio: 'SUQz' })],
      ['text/plain', 'audio'],
      ['application/xml', '<body/>'],
      ['application/octet-stream', 'ID3'],
      ['audio/mpeg', 'ID3'],
    ];
    const seen = await outcomes(bodies.map(([contentType, body]) => [contentType, () => send(op(), { body, contentType })]));
    expect(seen).toEqual(allValidationErrors(bodies.map(([contentType]) => contentType)));
  });

  it('answers 401, not 400, to an anonymous caller with a bad body (authentication first)', async () => {
    const sent = await send(op(), { body: multipartOf({ unexpectedField: 'x' }), contentType: `${MULTIPART_TYPE}; boundary=${BOUNDARY}`, anonymous: true });
    expect({ status: sent.status, code: sent.body?.code }).toEqual({ status: 401, code: 'UNAUTHORIZED' });
  });
});

describe.each(STREAMED_UPLOAD_OPERATIONS.map((op) => op.operationId))('%s multipart body (a CSV upload)', (operationId) => {
  const op = () => opById(operationId);
  const fields = () => table[operationId]!.body!() as Record<string, string>;
  const CSV = 'phone,name\n+14155550184,Sneaky\n';

  it('answers 400 VALIDATION_ERROR (never 415 or 500) for a wrong content type, no body, or a broken form', async () => {
    const form = new URLSearchParams(fields()).toString();
    const bodies: Array<[string, string | undefined]> = [
      ['application/json', JSON.stringify(fields())],
      ['application/x-www-form-urlencoded', form],
      ['text/plain', CSV],
      ['application/octet-stream', CSV],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nphone\r\n'],
      ['multipart/form-data', CSV],
      ['multipart/form-data; boundary=x', undefined],
    ];
    const seen = await outcomes(bodies.map(([contentType, body], i) => [`${i} ${contentType}`, () => send(op(), { ...(body !== undefined ? { body } : {}), contentType })]));
    expect(seen).toEqual(allValidationErrors(bodies.map(([contentType], i) => `${i} ${contentType}`)));
  });

  it('answers 400 naming the field for a form without its file, with an unknown field, or with a field twice', async () => {
    const attempts: Array<[string, FormData]> = [];
    const noFile = new FormData();
    for (const [k, v] of Object.entries(fields())) noFile.append(k, v);
    attempts.push(['file', noFile]);
    const unknown = new FormData();
    unknown.append('file', new Blob([CSV]), 'a.csv');
    unknown.append('isAdmin', 'true');
    attempts.push(['isAdmin', unknown]);
    const twice = new FormData();
    twice.append('file', new Blob([CSV]), 'a.csv');
    twice.append('file', new Blob([CSV]), 'b.csv');
    attempts.push(['file', twice]);
    for (const [named, form] of attempts) {
      const response = await fetch(t.url + fillPath(op(), {}), { method: 'POST', body: form, headers: { cookie } });
      const body = (await response.json()) as { code: string; details: Record<string, string> };
      expect({ status: response.status, code: body.code, named: Object.keys(body.details) }, JSON.stringify(body.details)).toEqual({ status: 400, code: 'VALIDATION_ERROR', named: [named] });
    }
  });

  it('answers 401, not 400, to an anonymous caller with a bad body (authentication first)', async () => {
    const sent = await send(op(), { body: 'garbage', contentType: 'multipart/form-data; boundary=x', anonymous: true });
    expect({ status: sent.status, code: sent.body?.code }).toEqual({ status: 401, code: 'UNAUTHORIZED' });
  });
});

describe.each(OPTIONAL_SHAPED_BODY_OPERATIONS.map((op) => op.operationId))('%s optional body', (operationId) => {
  const op = () => opById(operationId);
  const json = (text: string) => () => send(op(), { body: text, contentType: JSON_TYPE });

  it('answers 400 VALIDATION_ERROR for an unknown property, a non-object body or a wrong content type (none is fine)', async () => {
    const seen = await outcomes([
      ['unexpectedField', json('{"unexpectedField": true}')],
      ['[]', json('[]')],
      ['42', json('42')],
      ['invalid JSON', json('{"a":')],
      ['text/plain', () => send(op(), { body: '{}', contentType: 'text/plain' })],
      ['form', () => send(op(), { body: 'unexpectedField=1', contentType: FORM_TYPE })],
    ]);
    expect(seen).toEqual(allValidationErrors(['unexpectedField', '[]', '42', 'invalid JSON', 'text/plain', 'form']));
    expect(seen[0]!.details).toEqual({ unexpectedField: 'is not allowed' });
  });
});

const MALFORMED_IDS = ['not-an-id', '-1', '99999999999999999999', '%00', '0', '1e3', '1.0', '2147483648', '%2500', '00000000-0000-0000-0000-000000000000'];
/** CallSids: the malformed ids, and sids shaped like ours that name no call of the caller's (the real one altered). */
const MALFORMED_CALL_SIDS = [
  ...MALFORMED_IDS,
  'CA00000000000000000000000000000002',
  CALL_SID.toLowerCase(),
  `${CALL_SID}0`,
  `${CALL_SID}%20`,
  `%20${CALL_SID}`,
  encodeURIComponent(`${CALL_SID}\u0000`),
  `MC${CALL_SID.slice(2)}`,
];

describe.each(OBJECT_PARAM_OPERATIONS.map((op) => op.operationId))('%s with a malformed path parameter', (operationId) => {
  for (const name of objectParamsOf(opById(operationId))) {
    it(`answers 404 RESOURCE_NOT_FOUND for each malformed ${name}, as the owner`, async () => {
      const op = opById(operationId);
      const body = table[operationId]!.body;
      const values = name === 'callSid' ? MALFORMED_CALL_SIDS : MALFORMED_IDS;
      const seen: Array<{ value: string; status: number; code: string | undefined }> = [];
      for (const value of values) {
        const sent = await send(op, {
          params: { ...realParams(operationId), [name]: value },
          // A valid body, so that only the parameter is wrong.
          ...(body ? { body: JSON.stringify(body()), contentType: JSON_TYPE } : {}),
        });
        seen.push({ value, status: sent.status, code: sent.body?.code });
      }
      expect(seen).toEqual(values.map((value) => ({ value, ...expectedForMalformed(operationId, value) })));
    });
  }
});

/**
 * 404 for every malformed value, except on the signed audio URL (playAudio, public): there a
 * well-formed id that its signature does not cover is refused (403) before anything is looked up.
 */
function expectedForMalformed(operationId: string, value: string): { status: number; code: string } {
  const wellFormedUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
  return operationId === 'playAudio' && wellFormedUuid ? { status: 403, code: 'FORBIDDEN' } : { status: 404, code: 'RESOURCE_NOT_FOUND' };
}

describe('an overlong path parameter', () => {
  // Longer than the router's maxParamLength (100): still just an id that names nothing.
  it("answers 404 RESOURCE_NOT_FOUND in the API's error format, as for any malformed id", async () => {
    const long = 'x'.repeat(300);
    const ops = ['getCampaign', 'getCall', 'updateCall', 'holdCall', 'transferCall'];
    const seen = await outcomes(
      ops.map((operationId) => {
        const body = table[operationId]!.body;
        const param = opById(operationId).path.includes('{callSid}') ? 'callSid' : 'id';
        return [operationId, () => send(opById(operationId), { params: { [param]: long }, ...(body ? { body: JSON.stringify(body()), contentType: JSON_TYPE } : {}) })];
      }),
    );
    expect(seen).toEqual(ops.map((label) => ({ label, status: 404, code: 'RESOURCE_NOT_FOUND', wellFormed: true, details: expect.anything() })));
  });
});

describe('poolVoiceWebhook with a malformed poolId', () => {
  // The pool id is the number Twilio was given, not one of the caller's objects: a malformed one
  // is a number we do not know (openapi.yaml), answered politely, never a 404 or a 500.
  it("answers the unknown number's TwiML and records the call as no organisation's", async () => {
    const op = opById('poolVoiceWebhook');
    const sids: string[] = [];
    const seen = [];
    for (const value of MALFORMED_IDS) {
      const callSid = newCallSid();
      sids.push(callSid);
      const sent = await send(op, { params: { poolId: value }, body: formOf({ CallSid: callSid, To: numberPhone, From: '+13105551234' }), contentType: FORM_TYPE });
      seen.push({ value, status: sent.status, contentType: sent.contentType, twiml: sent.body?.text });
    }
    expect(seen).toEqual(MALFORMED_IDS.map((value) => ({ value, status: 200, contentType: expect.stringMatching(/^text\/xml/), twiml: unknownNumberTwiml() })));
    const recorded = await t.db.selectFrom('calls').select(['call_sid', 'org_id', 'campaign_id', 'pool_id', 'routing_method']).where('call_sid', 'in', sids).orderBy('id').execute();
    expect(recorded).toEqual(sids.map((callSid) => ({ call_sid: callSid, org_id: null, campaign_id: null, pool_id: null, routing_method: 'none' })));
    // Recorded as the contract says; removed again so that the end-state check below holds.
    await t.db.deleteFrom('calls').where('call_sid', 'in', sids).where('org_id', 'is', null).execute();
  });
});

describe('getDniSnippet with a malformed or unknown tagCode', () => {
  // The tag code is in a landing page's script URL, not one of the caller's objects: an unknown
  // or malformed one gets the script that changes nothing (openapi.yaml), never a 404 or a 500,
  // so that the page keeps working.
  it('answers 200 with the no-op script', async () => {
    const op = opById('getDniSnippet');
    const values = [...MALFORMED_IDS, 'unknown_tag', 'ab', `${tagCode}x`, tagCode.toUpperCase(), `${tagCode}%20`, encodeURIComponent(`${tagCode}\u0000`), '..%2Fapi', 'x'.repeat(65), 'x'.repeat(300)];
    const seen = [];
    for (const value of values) {
      const sent = await send(op, { params: { tagCode: value } });
      seen.push({ value, status: sent.status, contentType: sent.contentType, script: sent.body?.text });
    }
    expect(seen).toEqual(values.map((value) => ({ value, status: 200, contentType: expect.stringMatching(/^application\/javascript/), script: NOOP_SNIPPET })));
    // (The real tag's own script is not the no-op one.)
    const real = await send(op, {});
    expect(real.status).toBe(200);
    expect(real.body?.text).not.toBe(NOOP_SNIPPET);
    expect(real.body?.text).toContain(tagCode);
  });
});

describe('non-JSON bodies get no less validation than JSON ones', () => {
  it('refuses a form-encoded or text body carrying invalid values, storing nothing', async () => {
    const buyerBefore = await t.db.selectFrom('buyers').selectAll().where('id', '=', buyerId).executeTakeFirstOrThrow();
    const campaignBefore = await t.db.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirstOrThrow();
    const seen = await outcomes([
      ['form: bad phone + unknown field', () => send(opById('updateBuyer'), { body: 'phoneNumber=not-a-phone&unknownField=1', contentType: 'application/x-www-form-urlencoded' })],
      ['form: out-of-range priority', () => send(opById('updateBuyer'), { body: 'priority=5000', contentType: 'application/x-www-form-urlencoded' })],
      ['form: bogus status', () => send(opById('updateCampaign'), { body: 'status=bogus', contentType: 'application/x-www-form-urlencoded' })],
      ['text: JSON as text/plain', () => send(opById('updateCampaign'), { body: '{"name":"Renamed"}', contentType: 'text/plain' })],
    ]);
    expect(seen).toEqual(allValidationErrors(['form: bad phone + unknown field', 'form: out-of-range priority', 'form: bogus status', 'text: JSON as text/plain']));
    expect(await t.db.selectFrom('buyers').selectAll().where('id', '=', buyerId).executeTakeFirstOrThrow()).toEqual(buyerBefore);
    expect(await t.db.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirstOrThrow()).toEqual(campaignBefore);
  });
});

describe('query strings', () => {
  it('answers 400 naming status for GET /api/campaigns?status=bogus', async () => {
    const { error, response } = await owner.client.GET('/api/campaigns', { params: { query: { status: 'bogus' as never } } });
    expect(response.status).toBe(400);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { status: expect.any(String) } });
    const raw = await fetch(`${t.url}/api/campaigns?status=`, { headers: { cookie } });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { details: Record<string, string> }).details).toHaveProperty('status');
  });

  it('answers 400 naming sessionId for GET /api/conversion-events without one (it is required), and limit for a bad page size', async () => {
    for (const [path, name] of [
      ['/api/conversion-events', 'sessionId'],
      ['/api/conversion-events?sessionId=', 'sessionId'],
      [`/api/conversion-events?sessionId=${'x'.repeat(129)}`, 'sessionId'],
      ['/api/visitor-sessions?limit=0', 'limit'],
      ['/api/visitor-sessions?limit=101', 'limit'],
      ['/api/visitor-sessions?limit=abc', 'limit'],
    ] as const) {
      const raw = await fetch(t.url + path, { headers: { cookie } });
      const body = (await raw.json()) as { code: string; details: Record<string, string> };
      expect({ path, status: raw.status, code: body.code, named: name in (body.details ?? {}) }).toEqual({ path, status: 400, code: 'VALIDATION_ERROR', named: true });
    }
  });
});

describe('DNI bodies naming what does not exist', () => {
  it('answers 404 RESOURCE_NOT_FOUND for an unknown tagCode or campaignId, recording no session', async () => {
    const seen = await outcomes([
      ['dniTrack: unknown tag', () => send(opById('dniTrack'), { body: JSON.stringify({ ...table.dniTrack!.body!(), tagCode: 'unknown_tag' }), contentType: JSON_TYPE })],
      ['dniUltraFast: unknown campaign', () => send(opById('dniUltraFast'), { body: JSON.stringify({ ...table.dniUltraFast!.body!(), campaignId: '00000000-0000-4000-8000-000000000000' }), contentType: JSON_TYPE })],
    ]);
    expect(seen).toEqual(['dniTrack: unknown tag', 'dniUltraFast: unknown campaign'].map((label) => ({ label, status: 404, code: 'RESOURCE_NOT_FOUND', wellFormed: true, details: expect.anything() })));
  });

  it('answers 400 naming the field for a malformed tagCode, campaignId or sessionId', async () => {
    const seen = await outcomes([
      ['tagCode', () => send(opById('dniTrack'), { body: JSON.stringify({ ...table.dniTrack!.body!(), tagCode: 'a b' }), contentType: JSON_TYPE })],
      ['campaignId', () => send(opById('dniUltraFast'), { body: JSON.stringify({ ...table.dniUltraFast!.body!(), campaignId: 'not-a-uuid' }), contentType: JSON_TYPE })],
      ['sessionId', () => send(opById('dniTrack'), { body: JSON.stringify({ ...table.dniTrack!.body!(), sessionId: 'a b' }), contentType: JSON_TYPE })],
    ]);
    expect(seen).toEqual(allValidationErrors(['tagCode', 'campaignId', 'sessionId']));
    expect(seen.map((s) => Object.keys(s.details as object))).toEqual([['tagCode'], ['campaignId'], ['sessionId']]);
  });
});

describe('RedTrack reports naming what does not exist, or nothing', () => {
  it('answers 404 for an unknown tagCode and 400 naming clickid for a quality report without clickid or sessionId; nothing stored', async () => {
    const seen = await outcomes([
      ['unknown tag', () => send(opById('trackRedtrackConversion'), { body: JSON.stringify({ ...table.trackRedtrackConversion!.body!(), tagCode: 'unknown_tag' }), contentType: JSON_TYPE })],
    ]);
    expect(seen).toEqual([{ label: 'unknown tag', status: 404, code: 'RESOURCE_NOT_FOUND', wellFormed: true, details: expect.anything() }]);
    const { clickid: _clickid, ...anonymous } = table.trackRedtrackQuality!.body!() as Record<string, unknown>;
    const invalid = await outcomes([
      ['quality without clickid or sessionId', () => send(opById('trackRedtrackQuality'), { body: JSON.stringify(anonymous), contentType: JSON_TYPE })],
      ['conversion without clickid', () => send(opById('trackRedtrackConversion'), { body: JSON.stringify({ eventType: 'lead' }), contentType: JSON_TYPE })],
      ['negative value', () => send(opById('trackRedtrackConversion'), { body: JSON.stringify({ ...table.trackRedtrackConversion!.body!(), conversionValue: -1 }), contentType: JSON_TYPE })],
      ['bad phone', () => send(opById('trackRedtrackConversion'), { body: JSON.stringify({ ...table.trackRedtrackConversion!.body!(), phoneNumber: '555-1234' }), contentType: JSON_TYPE })],
    ]);
    expect(invalid).toEqual(allValidationErrors(['quality without clickid or sessionId', 'conversion without clickid', 'negative value', 'bad phone']));
    expect(invalid.map((s) => Object.keys(s.details as object).sort())).toEqual([['clickid', 'sessionId'], ['clickid'], ['conversionValue'], ['phoneNumber']]);
  });
});

describe('afterwards', () => {
  it('nothing was created, changed or deleted by any of the requests above', async () => {
    const now = await snapshot();
    const rowCounts = Object.fromEntries(Object.entries(now).map(([table, rows]) => [table, rows.length]));
    expect(rowCounts).toMatchObject({
      organizations: 1, users: 2, api_keys: 1, campaigns: 1, buyers: 2, campaign_buyers: 1,
      rtb_targets: 1, rtb_routers: 1, campaign_rtb_targets: 1, bid_requests: 0, bid_responses: 0, inbound_bids: 0,
      phone_numbers: 1, number_pools: 1, call_flows: 1, calls: 1, call_legs: 0, call_corrections: 0,
      tracking_tags: 1, visitor_sessions: 0, pool_assignments: 0, conversion_events: 0, redtrack_events: 0,
    });
    expect(now).toEqual(stateAfterSetup);
  });
});

describe('text PostgreSQL cannot store (NUL, unpaired surrogates)', () => {
  it('answers 400 naming the field for a NUL in a body string, a nested string or a query value; nothing stored', async () => {
    const before = await snapshot();
    const seen = await outcomes([
      ['body name', () => send(opById('createCampaign'), { body: JSON.stringify({ name: 'a\u0000b' }), contentType: 'application/json' })],
      ['nested', () => send(opById('createBuyer'), { body: JSON.stringify({ name: 'B', phoneNumber: '+12125550100', operatingHours: { monday: { start: '09:00', end: '1\u00007:00' } } }), contentType: 'application/json' })],
      ['query', () => fetch(`${t.url}/api/rtb/bid-responses?requestId=%00`, { headers: { cookie } }).then(async (r) => ({ status: r.status, body: (await r.json()) as Sent['body'], contentType: r.headers.get('content-type') ?? '' }))],
    ]);
    expect(seen).toEqual(allValidationErrors(['body name', 'nested', 'query']));
    expect(seen.map((s) => Object.keys(s.details as object)[0])).toEqual(['name', 'operatingHours.monday.end', 'requestId']);
    expect(await snapshot()).toEqual(before);
  });

  it('answers 400 naming the field for an unpaired surrogate (high or low half, as a JSON escape), accepts a paired one; nothing stored', async () => {
    const before = await snapshot();
    const seen = await outcomes([
      ['redtrack url', () => send(opById('trackRedtrackConversion'), { body: '{"clickid":"c-surrogate","url":"https://x.example/\\ud800"}', contentType: 'application/json' })],
      ['low half', () => send(opById('createCampaign'), { body: '{"name":"a\\udc00b"}', contentType: 'application/json' })],
      ['paired', () => fetch(`${t.url}/api/rtb/bid-responses?requestId=${encodeURIComponent('\u{1F600}')}`, { headers: { cookie } }).then(async (r) => ({ status: r.status, body: (await r.json()) as Sent['body'], contentType: r.headers.get('content-type') ?? '' }))],
    ]);
    expect(seen.map((s) => s.status)).toEqual([400, 400, 200]);
    expect(seen.slice(0, 2)).toEqual(allValidationErrors(['redtrack url', 'low half']));
    expect(seen.slice(0, 2).map((s) => Object.keys(s.details as object)[0])).toEqual(['url', 'name']);
    expect(await snapshot()).toEqual(before);
  });
});

// AI agents (issue 20)
describe.each(JSON_OR_FORM_BODY_OPERATIONS.map((op) => op.operationId))('%s body (JSON or a form)', (operationId) => {
  const op = () => opById(operationId);
  const valid = () => table[operationId]!.body!();
  const required = (): string[] => bodySchema(op(), JSON_TYPE).required ?? [];

  it('answers 400 naming each missing required field (JSON and form), a non-object or invalid JSON body, a wrong or missing body; nothing stored', async () => {
    const before = await snapshot();
    const without = (field: string) => Object.fromEntries(Object.entries(valid()).filter(([k]) => k !== field));
    const missing = await outcomes(
      required().flatMap((field): Array<[string, () => Promise<Sent>]> => [
        [`json ${field}`, () => send(op(), { body: JSON.stringify(without(field)), contentType: JSON_TYPE })],
        [`form ${field}`, () => send(op(), { body: formOf(without(field)), contentType: FORM_TYPE })],
      ]),
    );
    expect(missing).toEqual(required().flatMap((field) => [`json ${field}`, `form ${field}`].map((label) => ({ label, status: 400, code: 'VALIDATION_ERROR', wellFormed: true, details: { [field]: 'is required' } }))));
    const texts = ['[]', 'null', '42', '"text"', '{"a":', JSON.stringify([valid()])];
    const bodies: Array<[string, () => Promise<Sent>]> = [
      ...texts.map((text): [string, () => Promise<Sent>] => [text.slice(0, 30), () => send(op(), { body: text, contentType: JSON_TYPE })]),
      ['text/plain', () => send(op(), { body: JSON.stringify(valid()), contentType: 'text/plain' })],
      ['application/xml', () => send(op(), { body: '<body/>', contentType: 'application/xml' })],
      ['multipart', () => send(op(), { body: '--x\r\nContent-Disposition: form-data; name="CallSid"\r\n\r\nx\r\n--x--\r\n', contentType: 'multipart/form-data; boundary=x' })],
      ['none', () => send(op(), {})],
    ];
    expect(await outcomes(bodies)).toEqual(allValidationErrors(bodies.map(([label]) => label)));
    expect(await snapshot()).toEqual(before);
  });

  it('answers 401 without the organisation secret, before looking at the body (valid or not), changing nothing', async () => {
    const before = await snapshot();
    const seen = await outcomes([
      ['json', () => send(op(), { body: JSON.stringify(valid()), contentType: JSON_TYPE, query: '' })],
      ['form', () => send(op(), { body: formOf(valid()), contentType: FORM_TYPE, query: '' })],
      ['bad json', () => send(op(), { body: '{"a":', contentType: JSON_TYPE, query: '' })],
      ['wrong secret, no body', () => send(op(), { query: '?secret=exws_wrong' })],
    ]);
    expect(seen.map((s) => [s.label, s.status, s.code])).toEqual([
      ['json', 401, 'UNAUTHORIZED'],
      ['form', 401, 'UNAUTHORIZED'],
      ['bad json', 401, 'UNAUTHORIZED'],
      ['wrong secret, no body', 401, 'UNAUTHORIZED'],
    ]);
    expect(await snapshot()).toEqual(before);
  });
});
