// The voice webhook (DESIGN.md 4.1): find the campaign by the dialled number (or the pool in the
// path), record the call once per CallSid, and answer the call's one TwiML: the campaign's flow,
// or RTB then buyer routing, or the fallback. A Twilio retry with the same CallSid gets the stored
// answer and routes nothing.
import { answerOnce } from '../calls/service.js';
import type { Answer } from '../calls/queries.js';
import { runFlowStep } from './flow-run.js';
import { findDialledNumber, findPoolNumber, type DialledNumber } from './lookup.js';
import { routeCall, type OrgCall, type RouteDeps } from './route-call.js';
import { fallbackTwiml, retryLaterTwiml, unknownNumberTwiml } from './twiml.js';

export interface VoiceForm {
  CallSid: string;
  To: string;
  From?: string | undefined;
  CallerState?: string | undefined;
  CallerZip?: string | undefined;
}

function text(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

async function route(deps: RouteDeps, found: DialledNumber | undefined, call: OrgCall | null): Promise<Answer> {
  if (!found || call === null) return { twiml: unknownNumberTwiml(), routingMethod: 'none', routingPlan: { reason: 'unknown_number' } };
  const { campaign } = found;
  const fallback = (reason: string): Answer => ({ twiml: fallbackTwiml(campaign, deps.urls.voicemail()), routingMethod: 'none', routingPlan: { reason } });
  if (!campaign) return fallback('no_campaign');
  if (campaign.status !== 'active') return fallback('campaign_not_active');
  if (found.flow) {
    const step = await runFlowStep(deps, { call, campaign, flow: found.flow });
    return {
      twiml: step.twiml,
      routingMethod: 'flow',
      routingPlan: { flow: { id: found.flow.id, node: step.node }, ...(step.routed ? step.routed.plan : {}) },
      bidRequestId: step.routed?.bidRequestId ?? null,
    };
  }
  const outcome = await routeCall(deps, { call, campaign, mode: 'auto', attempt: 1, fresh: true, newCall: true });
  return { twiml: outcome.twiml, routingMethod: outcome.routingMethod, routingPlan: outcome.plan, bidRequestId: outcome.bidRequestId };
}

/** The TwiML for one delivery of the voice webhook (`poolId`: the pool webhook's path). */
export async function answerVoice(deps: RouteDeps, form: VoiceForm, poolId?: number | null): Promise<string> {
  const to = form.To.trim();
  const found = poolId === undefined ? await findDialledNumber(deps.db, to) : poolId === null ? undefined : await findPoolNumber(deps.db, poolId, to);
  const result = await answerOnce(
    deps.db,
    {
      orgId: found?.orgId ?? null,
      callSid: form.CallSid,
      campaignId: found?.campaign?.id ?? null,
      poolId: found?.poolId ?? null,
      phoneNumberId: found?.phoneNumberId ?? null,
      flowId: found?.campaign?.status === 'active' ? (found.flow?.id ?? null) : null,
      from: text(form.From),
      to,
      callerState: text(form.CallerState)?.toUpperCase() ?? null,
      callerZip: text(form.CallerZip),
    },
    (call) => route(deps, found, call.org_id === null ? null : (call as OrgCall)),
  );
  return result.twiml ?? retryLaterTwiml(deps.urls.voice());
}
