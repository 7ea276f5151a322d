// Twilio's callbacks on a call we recorded: status (call-status / status), a <Dial> outcome
// (dial-status, which answers the next step), a flow step, a voicemail, a resume after hold.
// Each is idempotent by CallSid (+ status / attempt): applying one twice changes nothing.
import { findFlowInOrg } from '../call-flows/queries.js';
import { applyCallEvent, type CallEventResult, getCallBySid, legRevenuePolicy, listCallLegs, reopenLeg, saveRecordingUrl, saveVoicemail } from '../calls/queries/index.js';
import { isFinalStatus, publishInboundEnded } from './live-events.js';
import type { Transaction } from 'kysely';
import type { DB } from '../../../db/types.js';
import { isAnsweredDialStatus, isFinalCallStatus, type CallStatus, type DialCallStatus } from '../calls/status.js';
import { findCampaignInOrg } from '../campaigns/queries.js';
import { ERRORS } from '../../platform/errors.js';
import { FLOW_ERROR_MESSAGE, hangupTwiml as flowHangupTwiml } from '../flows/node-twiml.js';
import type { RouteMode } from './candidates.js';
import { recordCallEvents } from '../../attribution/calls/call-events.js';
import { pixelEventsOf } from '../../attribution/pixels/fire.js';
import { raisedCallEventsOf } from '../../attribution/calls/raised-events.js';
import { runFlowStep } from './flow-run.js';
import { routeCall, type OrgCall, type RouteDeps } from './route-call.js';
import { dialTwiml, fallbackTwiml, hangupTwiml } from './twiml.js';

/** Whole seconds from a form field validated by the contract ('^[0-9]{1,9}$'), else null. */
function seconds(value: string | undefined): number | null {
  return value === undefined ? null : Number(value);
}

async function ourCall(deps: RouteDeps, callSid: string): Promise<OrgCall> {
  const call = await getCallBySid(deps.db, callSid);
  if (!call || call.org_id === null) throw ERRORS.notFound('Call', callSid);
  return call as OrgCall;
}

export interface StatusForm {
  CallSid: string;
  CallStatus: CallStatus;
  CallDuration?: string | undefined;
  SequenceNumber?: string | undefined;
  Timestamp?: string | undefined;
}

export async function applyStatusCallback(deps: RouteDeps, form: StatusForm): Promise<void> {
  const result = await applyCallEvent(
    deps.db,
    form.CallSid,
    {
      kind: 'status',
      callStatus: form.CallStatus,
      callDuration: seconds(form.CallDuration),
      sequence: seconds(form.SequenceNumber),
      timestamp: form.Timestamp ?? null,
    },
    legRevenuePolicy,
    withCallEvents(deps),
  );
  // A call to a number we do not know is recorded too (DESIGN.md 4.1), and its status kept.
  if (!result) throw ERRORS.notFound('Call', form.CallSid);
  if (result.changed && isFinalStatus(result.state.status) && !isFinalStatus(result.previousStatus)) {
    publishInboundEnded(deps.db, { id: result.callId, orgId: result.orgId, campaignId: result.campaignId, status: result.state.status, durationSec: result.state.durationSec });
  }
}

/** The call's conversion events, pixels and raised events, written in the transaction of its transition. */
function withCallEvents(deps: RouteDeps) {
  return (trx: Transaction<DB>, result: CallEventResult) =>
    recordCallEvents(trx, result, pixelEventsOf(result.effects), deps.log, { raise: raisedCallEventsOf(result.effects) });
}

export interface DialForm {
  CallSid: string;
  DialCallStatus: DialCallStatus;
  DialCallSid?: string | undefined;
  DialCallDuration?: string | undefined;
}

export interface DialQuery {
  attempt: number;
  route: RouteMode;
  flowId?: number | undefined;
  next?: string | undefined;
}

/** Records the attempt's outcome and answers what the caller gets next. */
export async function answerDialStatus(deps: RouteDeps, query: DialQuery, form: DialForm): Promise<string> {
  // Only a call we routed has <Dial> attempts: anything else is refused before it changes.
  await ourCall(deps, form.CallSid);
  const result = await applyCallEvent(
    deps.db,
    form.CallSid,
    {
      kind: 'dial',
      attempt: query.attempt,
      dialCallSid: form.DialCallSid ?? null,
      dialCallStatus: form.DialCallStatus,
      dialCallDuration: seconds(form.DialCallDuration),
    },
    legRevenuePolicy,
    withCallEvents(deps),
  );
  if (!result) throw ERRORS.notFound('Call', form.CallSid);
  const leg = result.state.legs.find((l) => l.attempt === query.attempt);
  // Connected (the buyer talked to the caller and the leg ended), or the caller is gone: done.
  if (isFinalCallStatus(result.state.status) || (leg?.dialStatus != null && isAnsweredDialStatus(leg.dialStatus))) return hangupTwiml();
  const call = await ourCall(deps, form.CallSid);
  const campaign = call.campaign_id === null ? undefined : await findCampaignInOrg(deps.db, call.org_id, call.campaign_id);
  if (!campaign) return fallbackTwiml(undefined, deps.urls);
  const outcome = await routeCall(deps, {
    call,
    campaign,
    mode: query.route,
    flow: query.flowId === undefined ? undefined : { id: query.flowId, next: query.next },
    attempt: query.attempt + 1,
    fresh: false,
  });
  return outcome.twiml;
}

export interface FlowStepQuery {
  flowId: number;
  node: string;
  gather?: '1' | undefined;
  attempt?: number | undefined;
  recorded?: '1' | undefined;
}

export interface StepForm {
  CallSid: string;
  Digits?: string | undefined;
  RecordingUrl?: string | undefined;
}

export async function answerFlowStep(deps: RouteDeps, query: FlowStepQuery, form: StepForm): Promise<string> {
  const call = await ourCall(deps, form.CallSid);
  if (isFinalCallStatus(call.status as CallStatus)) return hangupTwiml();
  if (query.recorded === '1' && form.RecordingUrl) await saveVoicemail(deps.db, call.org_id, call.id, form.RecordingUrl);
  const [flow, campaign] = await Promise.all([
    findFlowInOrg(deps.db, call.org_id, query.flowId),
    call.campaign_id === null ? undefined : findCampaignInOrg(deps.db, call.org_id, call.campaign_id),
  ]);
  // A stale URL (the flow was deleted or made a draft meanwhile, or it is another organisation's):
  // end politely (a draft never runs).
  if (!flow || flow.status !== 'active' || !campaign) return flowHangupTwiml({ message: FLOW_ERROR_MESSAGE });
  const step = await runFlowStep(deps, {
    call,
    campaign,
    flow: { id: flow.id, definition: flow.flow_definition },
    nodeId: query.node,
    digits: query.gather === '1' ? (form.Digits ?? '') : undefined,
    attempt: query.attempt,
    recorded: query.recorded === '1',
  });
  return step.twiml;
}

/** The campaign fallback's voicemail is in: keep it and hang up. */
export async function answerVoicemail(deps: RouteDeps, form: StepForm): Promise<string> {
  const call = await ourCall(deps, form.CallSid);
  if (form.RecordingUrl) await saveVoicemail(deps.db, call.org_id, call.id, form.RecordingUrl);
  return hangupTwiml();
}

export interface RecordingStatusForm {
  CallSid: string;
  RecordingSid: string;
  RecordingStatus: 'in-progress' | 'completed' | 'absent' | 'failed';
  RecordingUrl?: string | undefined;
}

/** Twilio's recording status callback (a recording started by call control): a completed one's URL is kept. */
export async function applyRecordingStatus(deps: RouteDeps, form: RecordingStatusForm): Promise<void> {
  const call = await ourCall(deps, form.CallSid);
  if (form.RecordingStatus === 'completed' && form.RecordingUrl) await saveRecordingUrl(deps.db, call.org_id, call.id, form.RecordingUrl);
}

/** A parked caller comes back (call control resume): dial the current leg's destination again. */
export async function answerResume(deps: RouteDeps, form: StepForm): Promise<string> {
  const call = await ourCall(deps, form.CallSid);
  if (isFinalCallStatus(call.status as CallStatus)) return hangupTwiml();
  const legs = await listCallLegs(deps.db, call.id);
  const current = [...legs].reverse().find((l) => l.destination !== null);
  const campaign = call.campaign_id === null ? undefined : await findCampaignInOrg(deps.db, call.org_id, call.campaign_id);
  if (!current || current.destination === null) return fallbackTwiml(campaign, deps.urls);
  // The buyer is dialled again: the leg the hold ended counts against its concurrency once more.
  await reopenLeg(deps.db, { orgId: call.org_id, callId: call.id, attempt: current.attempt });
  const action = deps.urls.dialStatus({ attempt: current.attempt, route: 'auto' });
  return dialTwiml(current.destination, action, campaign?.dial_timeout_sec ?? 30);
}
