// The voice webhook (DESIGN.md 4.1): find the campaign by the dialled number (or the pool in the
// path), record the call once per CallSid, and answer the call's one TwiML: the campaign's flow,
// or RTB then buyer routing, or the fallback. A Twilio retry with the same CallSid gets the stored
// answer and routes nothing — or, while the first delivery is still routing, a pause and a
// redirect; if that delivery died (its routing lease lapsed, server/inbound/calls/routing-lease.ts), one
// retry takes the claim and routes the call, reusing the legs and auction the dead one left.
//
// A plain call — an active campaign without a flow or RTB whose buyers have no limits, and whose
// order does not depend on the rotation counter — takes a fast path: the routing decision is made
// from the cached configuration and the call, its answer and its first leg are written in one
// statement (which also decides, by CallSid, which delivery is first). Everything else takes the
// general path (answerOnce + routeCall). Both answer the same TwiML and keep the same records.
// A number given to an AI agent is answered by the agent instead (ai-agent-call.ts).
import type { Transaction } from 'kysely';
import type { CallRow, CampaignRow, DB } from '../../../db/types.js';
import type { Answer, InboundCallInput } from '../calls/queries/index.js';
import { CallSidConflictError, getCallBySid, recordRoutedCall } from '../calls/queries/index.js';
import { answerOnce } from '../calls/service.js';
import { isForeignKeyViolation } from '../../platform/common/pg-errors.js';
import { recordCallEvents } from '../../attribution/calls/call-events.js';
import { inTransaction } from '../../platform/common/transaction.js';
import { planRouting } from '../routing/plan.js';
import { anyLimited, type BuyerEntry } from './candidate-queries.js';
import { answerLimitedCall } from './limited-call.js';
import { runFlowStep } from './flow-run.js';
import type { DialledNumber } from './lookup.js';
import type { RouteConfig } from './route-cache.js';
import { rotationMatters, routeCall, type OrgCall, type RouteDeps } from './route-call.js';
import { type AuctionPrefetch, prefetchAuction } from './auction-prefetch.js';
import { dialTwiml, fallbackTwiml, retryLaterTwiml, unknownNumberTwiml } from './twiml.js';
import { publishInboundStarted } from './live-events.js';
import { answerAgentCall } from './ai-agent-call.js';

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

async function route(deps: RouteDeps, config: RouteConfig, call: OrgCall | null, resumed: boolean, prefetch?: AuctionPrefetch): Promise<Answer> {
  const { found } = config;
  if (!found || call === null) return { twiml: unknownNumberTwiml(), routingMethod: 'none', routingPlan: { reason: 'unknown_number' } };
  const { campaign } = found;
  const fallback = (reason: string): Answer => ({ twiml: fallbackTwiml(campaign, deps.urls), routingMethod: 'none', routingPlan: { reason } });
  if (!campaign) return fallback('no_campaign');
  if (campaign.status !== 'active') return fallback('campaign_not_active');
  if (found.flow) {
    const step = await runFlowStep(deps, { call, campaign, flow: found.flow, ...(resumed ? { resumed: true } : {}) });
    return {
      twiml: step.twiml,
      routingMethod: 'flow',
      routingPlan: { flow: { id: found.flow.id, node: step.node }, ...(step.routed ? step.routed.plan : {}) },
      bidRequestId: step.routed?.bidRequestId ?? null,
    };
  }
  // A resumed routing (the first delivery died) reads the legs and auction the dead one left.
  const outcome = await routeCall(deps, { call, campaign, mode: 'auto', attempt: 1, fresh: true, newCall: !resumed, resumed, buyers: config.buyers, prefetch, storesAnswer: true });
  return { twiml: outcome.twiml, routingMethod: outcome.routingMethod, routingPlan: outcome.plan, bidRequestId: outcome.bidRequestId, ...(outcome.stored ? { stored: true } : {}) };
}

/** Whether a new call may have call_started events: attributed (only a pool call can be), pixels, or call.started listeners. */
function hasStartEvents(config: RouteConfig, input: InboundCallInput): boolean {
  return input.poolId != null || config.startPixels || config.startEvents;
}

/** What recording a new call raises and queues besides itself. */
function startOptions(config: RouteConfig) {
  return { pixels: config.startPixels, raise: config.startEvents ? (['call.started'] as const) : [] };
}

/** The fast path's answer, or undefined when the call needs the general path. */
async function answerPlainCall(deps: RouteDeps, config: RouteConfig, input: InboundCallInput & { orgId: string }): Promise<string | undefined> {
  const campaign = config.found?.campaign;
  const buyers = config.buyers;
  if (!campaign || campaign.status !== 'active' || config.found?.flow || campaign.enable_rtb || !buyers) return undefined;
  if (anyLimited(buyers)) return hasStartEvents(config, input) ? undefined : answerLimitedPlainCall(deps, campaign, buyers, input);
  const at = deps.now?.() ?? new Date();
  const entries = new Map(buyers.map((e) => [e.row.id, e]));
  const routing = planRouting({ method: campaign.routing_type, buyers, at, rotation: Number(campaign.routing_rotation), random: deps.random ?? Math.random });
  const first = routing.order[0] === undefined ? undefined : entries.get(routing.order[0]);
  if (!first || rotationMatters(campaign.routing_type, routing.order, entries)) return undefined;
  const buyer = first.row;
  const twiml = dialTwiml(buyer.phone_number, deps.urls.dialStatus({ attempt: 1, route: 'auto' }), campaign.dial_timeout_sec);
  const plan = { mode: 'auto', order: routing.order, skipped: routing.skipped, attempts: [{ attempt: 1, candidate: `buyer:${buyer.id}`, result: 'dialled' }] };
  const routed = {
    ...input,
    answer: { twiml, routingMethod: campaign.routing_type, routingPlan: plan },
    leg: {
      buyerId: buyer.id,
      destination: buyer.phone_number,
      payout: buyer.payout ?? campaign.payout,
      minDurationSec: buyer.min_call_duration_sec ?? campaign.min_call_duration_sec,
    },
  };
  try {
    // A call that may have call_started events (a pool call may be attributed; the organisation
    // may have call_started pixels or call.started listeners, known from the cache) is written
    // with them in one transaction;
    // any other plain call is the one statement.
    const { created, callId } = hasStartEvents(config, input)
      ? await inTransaction(deps.db, async (trx) => {
          const recorded = await recordRoutedCall(trx, routed);
          if (recorded.created && recorded.callId !== null) {
            const call = { orgId: input.orgId, callId: recorded.callId, visitorSessionId: recorded.visitorSessionId };
            await recordCallEvents(trx, call, ['call_started'], deps.log, startOptions(config));
          }
          return recorded;
        })
      : await recordRoutedCall(deps.db, routed);
    if (created) {
      if (callId !== null) publishInboundStarted(deps.db, { id: callId, orgId: input.orgId, campaignId: input.campaignId ?? null, from: input.from ?? null });
      return twiml;
    }
  } catch (err) {
    // The buyer (or campaign) went away since the configuration was cached: take the general path.
    if (isForeignKeyViolation(err)) return undefined;
    throw err;
  }
  return replayFirstAnswer(deps, input);
}

/** Buyers with limits: one CALL (limited-call.ts); undefined when the call needs the general path. */
async function answerLimitedPlainCall(deps: RouteDeps, campaign: CampaignRow, buyers: readonly BuyerEntry[], input: InboundCallInput & { orgId: string }): Promise<string | undefined> {
  const { orgId, callSid, phoneNumberId, from, to, callerState, callerZip } = input;
  try {
    const answered = await answerLimitedCall(deps, campaign, buyers, {
      orgId,
      callSid,
      campaignId: campaign.id,
      phoneNumberId: phoneNumberId ?? null,
      from: from ?? null,
      to: to ?? '',
      callerState: callerState ?? null,
      callerZip: callerZip ?? null,
    });
    if (answered === undefined) return undefined;
    if (answered.created && answered.twiml !== null) {
      if (answered.callId !== null) publishInboundStarted(deps.db, { id: answered.callId, orgId, campaignId: campaign.id, from: from ?? null });
      return answered.twiml;
    }
  } catch (err) {
    if (isForeignKeyViolation(err)) return undefined;
    throw err;
  }
  return replayFirstAnswer(deps, input);
}

/**
 * A retry of a call the fast path recorded: the first delivery's answer. A call still being routed
 * (recorded by the general path, e.g. before the configuration changed) takes the general path,
 * which waits for its answer and takes over its routing claim if the delivery routing it died.
 */
async function replayFirstAnswer(deps: RouteDeps, input: InboundCallInput & { orgId: string }): Promise<string | undefined> {
  const existing = await getCallBySid(deps.db, input.callSid);
  if (!existing) return undefined;
  if (existing.org_id !== input.orgId) throw new CallSidConflictError(input.callSid);
  return existing.twiml ?? undefined;
}

/**
 * The TwiML for one delivery of the voice webhook (`poolId`: the pool webhook's path). The
 * configuration read for the dialled number may name a campaign, flow, number or pool deleted
 * since (by another instance within the cache's second, or while this one was routing): the
 * call's record then fails its foreign key. The configuration is then read afresh, once, and the
 * call answered as it now stands (a call must never get a 500: Twilio plays an application error).
 */
export async function answerVoice(deps: RouteDeps, form: VoiceForm, poolId?: number | null): Promise<string> {
  try {
    return await answerVoiceOnce(deps, form, poolId);
  } catch (err) {
    if (!isForeignKeyViolation(err)) throw err;
    deps.cache.clear();
    return answerVoiceOnce(deps, form, poolId);
  }
}

async function answerVoiceOnce(deps: RouteDeps, form: VoiceForm, poolId?: number | null): Promise<string> {
  const to = form.To.trim();
  const config = await deps.cache.load(deps.db, to, poolId, deps.now?.() ?? new Date());
  const found: DialledNumber | undefined = config.found;
  const input: InboundCallInput = {
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
    source: deps.callSource,
  };
  // A number answered by an AI agent (ai-agent-call.ts).
  if (found?.aiAgentId) return answerAgentCall(deps, config, { ...input, orgId: found.orgId });
  if (found) {
    const fast = await answerPlainCall(deps, config, { ...input, orgId: found.orgId });
    if (fast !== undefined) return fast;
  }
  // Only the delivery that records a call to one of our campaigns records its call_started events,
  // in the transaction that creates the call record.
  const onCreated =
    input.campaignId != null && hasStartEvents(config, input)
      ? async (trx: Transaction<DB>, call: CallRow) => {
          const target = { orgId: call.org_id, callId: call.id, visitorSessionId: call.visitor_session_id };
          await recordCallEvents(trx, target, ['call_started'], deps.log, startOptions(config));
        }
      : undefined;
  // An RTB campaign's auction: its configuration as cached, the caller's inbound bid looked up
  // while the call is recorded, and the auction started as soon as the caller holds none
  // (auction-prefetch.ts).
  const campaign = found?.campaign;
  const prefetch =
    campaign && campaign.status === 'active' && campaign.enable_rtb && !found.flow
      ? prefetchAuction(deps, campaign, { callSid: input.callSid, from: input.from ?? null, callerState: input.callerState ?? null, callerZip: input.callerZip ?? null, to: input.to ?? null }, config.auction)
      : undefined;
  let result: Awaited<ReturnType<typeof answerOnce>>;
  try {
    // The call is inserted once the prefetch's read has answered. Sent beside it, the insert
    // could commit first and the read would take this very delivery for a repeated one: its
    // auction then started only after the insert (1 call in 10 on the benchmark machine,
    // docs/benchmarks.md "2026-12-06"). The insert is off the answer's path: it is written while
    // the bidders think.
    if (prefetch) await prefetch.inboundBidWaiting.catch(() => undefined);
    result = await answerOnce(deps.db, input, (call, { resumed }) => route(deps, config, call.org_id === null ? null : (call as OrgCall), resumed, prefetch), { onCreated });
  } finally {
    prefetch?.release();
  }
  if (result.created) publishInboundStarted(deps.db, { id: result.call.id, orgId: result.call.org_id, campaignId: result.call.campaign_id, from: result.call.from_number });
  return result.twiml ?? retryLaterTwiml(deps.urls.voice());
}
