// Routing one call (DESIGN.md 4.1 steps 4-6, 4.3): RTB first when enabled (an unexpired inbound
// bid of the same caller, or a fresh auction), then the campaign's buyers in routing order; the
// first candidate that can be reserved atomically (concurrency and caps) is dialled with
// <Dial action=dial-status?attempt=N>; nothing left → the flow's next node or the campaign's
// fallback. A fall-through (dial-status) calls it again with the next attempt number: it reuses
// the stored auction (no second auction), re-plans the buyers at that moment, and skips every
// buyer / target / number the call has already dialled.
import type { Kysely } from 'kysely';
import type { CallLegRow, CallRoutingMethod, CallRow, CampaignRow, DB, RtbTargetRow } from '../../../db/types.js';
import { normaliseCallerId } from '../../rtb/auctions/inbound.js';
import { loadAuctionConfig, type PendingAudit, startCampaignAuction } from '../../rtb/auctions/run-campaign-auction.js';
import type { BidRowWriter } from '../../rtb/auctions/pending-bids.js';
import type { RtbRuntime } from '../../rtb/auctions/runtime.js';
import { listCallLegs } from '../calls/queries/index.js';
import { abandonedAuction, type AbandonedAuction } from '../calls/routing-lease.js';
import { planRouting } from '../routing/plan.js';
import { appendRoutingLog, buyerEntries, clearRefusedBuyer, linkAuction, nextGroupRotation, nextRotation, storedBids, takeInboundBid, withUsage, type BuyerEntry } from './candidate-queries.js';
import type { PixelLog } from '../../attribution/pixels/fire.js';
import type { RouteCache } from './route-cache.js';
import { bidCandidates, untried, type DialCandidate, type RouteMode, type StoredBid } from './candidates.js';
import { answerableInOneStatement, reserveCandidate } from './reserve-candidate.js';
import { answerRtbCall } from './rtb-answer.js';
import type { AuctionPrefetch } from './auction-prefetch.js';
import { dialTwiml, fallbackTwiml, hangupTwiml, redirectTwiml } from './twiml.js';
import type { WebhookUrls } from './urls.js';

export interface RouteDeps {
  db: Kysely<DB>;
  rtb: RtbRuntime;
  /** Writes the bid rows of an answer made in one statement, after the answer (rtb-answer.ts). */
  bidRows: BidRowWriter;
  urls: WebhookUrls;
  cache: RouteCache;
  now?: () => Date;
  random?: () => number;
  /** Where a failure to queue tracking pixels is reported (the request's logger). */
  log?: PixelLog;
  /** Who delivers our webhooks: Twilio, or the local simulator (calls recorded as demo calls). */
  callSource?: 'twilio' | 'simulator';
}

export type OrgCall = CallRow & { org_id: string };

export interface RouteRequest {
  call: OrgCall;
  campaign: CampaignRow;
  mode: RouteMode;
  /** The destination of a `number` route. */
  number?: string | undefined;
  /** The call flow that asked for the routing; `next` is where it continues when nobody answers. */
  flow?: { id: number; next?: string | undefined } | undefined;
  /** The attempt number of the first leg this routing may dial (default: after the call's last leg). */
  attempt?: number | undefined;
  /** true: first routing of this request (may run an auction); false: a fall-through. */
  fresh: boolean;
  /** The call record was created by this request: it has no legs yet (saves a query). */
  newCall?: boolean | undefined;
  /**
   * A fresh routing by a delivery that took over the routing claim of one that died without
   * storing its answer (server/inbound/calls/routing-lease.ts): a leg it reserved for the attempt is
   * replayed, and the auction it wrote for the call is reused instead of running another.
   */
  resumed?: boolean | undefined;
  /** The campaign's buyers as cached (usage is counted here); read from the database when absent. */
  buyers?: readonly BuyerEntry[] | undefined;
  /** What the auction needs, read while the call was being recorded (prefetchAuction). */
  prefetch?: AuctionPrefetch | undefined;
  /**
   * The caller stores the outcome as the call's answer (the voice webhook's first routing, no
   * flow): a fresh auction's winner may then be reserved and answered in one statement with the
   * audit (rtb-answer.ts), and the outcome says `stored`.
   */
  storesAnswer?: boolean | undefined;
}

/** One line of the call's routing log. */
export type RoutingLogEntry =
  | { attempt: number; candidate: string; result: 'dialled' }
  | { attempt: number; candidate: string; result: 'skipped'; reason: string }
  | { attempt: number; result: 'fallback'; to: string };

export interface RouteOutcome {
  twiml: string;
  /** The answer is stored with the call already (rtb-answer.ts): the caller must not store it again. */
  stored?: true | undefined;
  routingMethod: CallRoutingMethod;
  bidRequestId: string | null;
  /** The routing decisions (stored on the call). */
  plan: {
    mode: RouteMode;
    auction?: { bidRequestId: string; status: string; inboundBidId?: string; resumed?: true } | undefined;
    order: number[];
    skipped: Array<{ buyerId: number; reason: string }>;
    attempts: RoutingLogEntry[];
  };
}

function label(c: DialCandidate): string {
  return c.kind === 'buyer' ? `buyer:${c.buyerId}` : c.kind === 'target' ? `target:${c.targetId}` : 'number';
}

/** The candidate a reserved leg was for. */
function legCandidate(leg: CallLegRow): DialCandidate | null {
  if (leg.buyer_id !== null) return { kind: 'buyer', buyerId: leg.buyer_id };
  if (leg.rtb_target_id !== null && leg.destination !== null) {
    return { kind: 'target', targetId: leg.rtb_target_id, destination: leg.destination, price: leg.payout ?? '0', minDurationSec: leg.min_duration_sec };
  }
  return leg.destination === null ? null : { kind: 'number', destination: leg.destination };
}

function legLabel(leg: CallLegRow): string {
  const candidate = legCandidate(leg);
  return candidate === null ? 'number' : label(candidate);
}

function triedSets(legs: readonly CallLegRow[]) {
  const buyerIds = new Set<number>();
  const targetIds = new Set<number>();
  const destinations = new Set<string>();
  for (const leg of legs) {
    if (leg.buyer_id !== null) buyerIds.add(leg.buyer_id);
    else if (leg.rtb_target_id !== null) targetIds.add(leg.rtb_target_id);
    else if (leg.destination !== null) destinations.add(leg.destination);
  }
  return { buyerIds, targetIds, destinations };
}

interface RtbPart {
  candidates: DialCandidate[];
  /** A fresh auction's audit, not written yet (its id becomes bidRequestId). */
  audit?: PendingAudit;
  /** The targets as the auction loaded them (saves reading each again to reserve it). */
  targetRows?: readonly RtbTargetRow[];
  bidRequestId: string | null;
  auction?: RouteOutcome['plan']['auction'];
}

async function rtbCandidates(deps: RouteDeps, req: RouteRequest, abandoned: AbandonedAuction | undefined): Promise<RtbPart> {
  const { db } = deps;
  const { call, campaign } = req;
  if (!req.fresh) {
    if (call.bid_request_id === null) return { candidates: [], bidRequestId: null };
    const stored = await storedBids(db, call.org_id, call.bid_request_id);
    return { candidates: stored ? bidCandidates(stored.bids, stored.pricing) : [], bidRequestId: call.bid_request_id };
  }
  if (req.resumed && abandoned !== undefined) {
    // The dead delivery's auction is complete in the audit (one transaction): it is the call's.
    const stored = await storedBids(db, call.org_id, abandoned.id);
    return {
      candidates: stored ? bidCandidates(stored.bids, stored.pricing) : [],
      bidRequestId: abandoned.id,
      auction: { bidRequestId: abandoned.id, status: abandoned.status, resumed: true },
    };
  }
  const callerId = call.from_number ? normaliseCallerId(call.from_number) : null;
  // The targets load while the caller's inbound bid is looked up (no round trip waits for the
  // other); with a prefetch both were read while the call was recorded, and the bid is taken
  // only when the caller holds one.
  const config = req.prefetch?.config ?? loadAuctionConfig(db, campaign);
  config.catch(() => {}); // awaited below when an auction runs; an inbound bid does not need it
  const mayHoldBid = callerId !== null && (req.prefetch === undefined || (await req.prefetch.inboundBidWaiting));
  const inbound = mayHoldBid ? await takeInboundBid(db, campaign, callerId) : undefined;
  if (inbound) {
    const stored = await storedBids(db, call.org_id, inbound.bidRequestId);
    return {
      candidates: stored ? bidCandidates(stored.bids, stored.pricing) : [],
      bidRequestId: inbound.bidRequestId,
      auction: { bidRequestId: inbound.bidRequestId, status: 'inbound_bid', inboundBidId: inbound.id },
    };
  }
  // The auction the webhook started before the call was recorded (auction-prefetch.ts), now the
  // call's; else one starts now.
  const early = await req.prefetch?.take();
  const auction = early
    ? { ...early, audit: early.audit.forCall(call.id) }
    : await startCampaignAuction(db, deps.rtb, {
        campaign,
        caller: { callerId: callerId ?? call.from_number, callerState: call.caller_state, callerZip: call.caller_zip },
        source: 'call',
        dialledNumber: call.to_number,
        callId: call.id,
        callSid: call.call_sid,
        // Every routing stores its answer or routing log (a synchronous commit) before the TwiML.
        asyncAudit: true,
        config,
      });
  const byId = new Map(auction.targets.map((t) => [t.id, t]));
  const bids: StoredBid[] = auction.result.outcomes
    .filter((o) => o.isValid && o.bidAmount !== null && o.destination !== null)
    .map((o) => ({
      targetId: o.targetId,
      amount: String(o.bidAmount),
      destination: o.destination!,
      durationSec: o.durationSec,
      responseTimeMs: o.responseTimeMs,
      isWinner: o.isWinner,
      minBid: String(byId.get(o.targetId)?.minBidAmount ?? 0),
      priority: byId.get(o.targetId)?.priority ?? null,
    }));
  const winner = auction.result.winner;
  return {
    candidates: bidCandidates(bids, { auctionType: auction.settings.auctionType, clearingPrice: winner ? String(winner.price) : null }),
    bidRequestId: null,
    audit: auction.audit,
    auction: { bidRequestId: '', status: auction.result.status },
    targetRows: auction.targetRows,
  };
}

/** The <Dial> of a leg that is already reserved (a retried webhook gets the same answer). */
function replayLeg(deps: RouteDeps, req: RouteRequest, leg: CallLegRow): string | null {
  if (leg.destination === null) return null;
  return dialTwiml(leg.destination, deps.urls.dialStatus({ attempt: leg.attempt, route: req.mode, flowId: req.flow?.id, next: req.flow?.next }), req.campaign.dial_timeout_sec);
}

/**
 * The leg a flow's Route step dialled whose <Dial> has no outcome yet. Twilio asks for the next
 * flow step only once that <Dial> has ended and its dial-status (which records the outcome) was
 * answered; a flow step that finds it open is a repeated delivery of the step that dialled it, and
 * gets the same <Dial> (no second buyer reserved, no second auction).
 */
function awaitedLeg(req: RouteRequest, legs: readonly CallLegRow[]): CallLegRow | undefined {
  if (req.flow === undefined || !req.fresh || req.resumed) return undefined;
  const last = legs.reduce<CallLegRow | undefined>((latest, l) => (latest === undefined || l.attempt > latest.attempt ? l : latest), undefined);
  return last !== undefined && last.destination !== null && last.dial_status === null && last.ended_at === null ? last : undefined;
}

/** Whether the ordering uses the rotation counter for these candidates. */
export function rotationMatters(method: CampaignRow['routing_type'], order: readonly number[], buyers: ReadonlyMap<number, BuyerEntry>): boolean {
  if (method === 'round_robin') return order.length > 1;
  if (method !== 'priority' || order.length < 2) return false;
  const priority = (id: number | undefined) => (id === undefined ? undefined : buyers.get(id)?.assignment.priority);
  return priority(order[0]) === priority(order[1]);
}

function methodFor(candidate: DialCandidate | null, campaign: CampaignRow, flow: boolean): CallRoutingMethod {
  if (flow) return 'flow';
  if (candidate === null || candidate.kind === 'number') return 'none';
  return candidate.kind === 'target' ? 'rtb' : campaign.routing_type;
}

export async function routeCall(deps: RouteDeps, req: RouteRequest): Promise<RouteOutcome> {
  const { db, urls } = deps;
  const { call, campaign } = req;
  const at = deps.now?.() ?? new Date();
  const legs = req.newCall ? [] : await listCallLegs(db, call.id);
  const plan: RouteOutcome['plan'] = { mode: req.mode, order: [], skipped: [], attempts: [] };
  // A fresh auction's audit is written while its winner is reserved; everything that references
  // the audit (the plan, the answer, the link to the call) waits for it here.
  let pendingAudit: PendingAudit | undefined;
  const audited = async (): Promise<void> => {
    if (pendingAudit === undefined) return;
    const id = await pendingAudit.write();
    pendingAudit = undefined;
    bidRequestId = id;
    if (plan.auction) plan.auction.bidRequestId = id;
  };
  const finish = async (twiml: string, dialled: DialCandidate | null, fallback = false): Promise<RouteOutcome> => {
    await audited();
    // Every leg tried refused the call: it is no buyer's call (a flow's next step may dial again).
    if (fallback && legs.length > 0) await clearRefusedBuyer(db, call.org_id, call.id);
    // A fresh voice routing stores the plan with its answer; every other routing appends its log.
    if (!req.fresh || req.flow) await appendRoutingLog(db, call.org_id, call.id, plan.attempts);
    if (req.fresh && req.flow && bidRequestId !== null) await linkAuction(db, call.org_id, call.id, bidRequestId);
    return { twiml, routingMethod: methodFor(dialled, campaign, req.flow !== undefined), bidRequestId, plan };
  };

  // What a dead delivery of this routing left: its auction (its legs are in `legs`).
  const abandoned = req.resumed && call.bid_request_id === null ? await abandonedAuction(db, call.org_id, call.id) : undefined;
  const firstAttempt = req.attempt ?? awaitedLeg(req, legs)?.attempt ?? legs.reduce((max, l) => Math.max(max, l.attempt), 0) + 1;
  const existing = legs.find((l) => l.attempt === firstAttempt);
  if (existing) {
    const replay = replayLeg(deps, req, existing);
    if (replay !== null) {
      if (req.resumed) {
        if (abandoned) plan.auction = { bidRequestId: abandoned.id, status: abandoned.status, resumed: true };
        plan.attempts.push({ attempt: firstAttempt, candidate: legLabel(existing), result: 'dialled' });
      }
      return { twiml: replay, routingMethod: methodFor(req.resumed ? legCandidate(existing) : null, campaign, req.flow !== undefined), bidRequestId: call.bid_request_id ?? abandoned?.id ?? null, plan };
    }
  }

  const candidates: DialCandidate[] = [];
  const targets = new Map<number, RtbTargetRow>();
  let oneStatement: Extract<DialCandidate, { kind: 'target' }> | undefined;
  let bidRequestId: string | null = call.bid_request_id;
  if (req.mode === 'number' && req.number) candidates.push({ kind: 'number', destination: req.number });
  if (req.mode === 'rtb' || (req.mode === 'auto' && campaign.enable_rtb)) {
    const rtb = await rtbCandidates(deps, req, abandoned);
    candidates.push(...rtb.candidates);
    for (const row of rtb.targetRows ?? []) targets.set(row.id, row);
    bidRequestId = rtb.bidRequestId;
    plan.auction = rtb.auction;
    pendingAudit = rtb.audit;
    if (pendingAudit !== undefined) {
      // The winner may be answered in one statement with the audit; else the audit is written
      // now, while the winner is reserved.
      oneStatement = req.storesAnswer ? answerableInOneStatement(untried(rtb.candidates, triedSets(legs))[0], targets) : undefined;
      if (oneStatement === undefined) void pendingAudit.write();
    }
  }
  const buyers = new Map<number, BuyerEntry>();
  if (req.mode === 'buyers' || req.mode === 'auto') {
    const entries = req.buyers ? await withUsage(db, req.buyers, at) : await buyerEntries(db, call.org_id, campaign.id, at);
    for (const e of entries) buyers.set(e.row.id, e);
    const random = deps.random ?? Math.random;
    const rotation = Number(campaign.routing_rotation);
    let routing = planRouting({ method: campaign.routing_type, buyers: entries, at, rotation, random });
    // A rotation counter is one row every call would update: advance it only when the order
    // depends on it. Priority: the tied group the next buyer is in (migration 0063), by every
    // routing — a fall-through to a group of equals shares its calls too. Round-robin: the
    // campaign's counter, once per call.
    if (campaign.routing_type === 'priority') {
      const tried = triedSets(legs).buyerIds;
      const next = routing.order.filter((id) => !tried.has(id));
      const priority = buyers.get(next[0]!)?.assignment.priority;
      if (priority !== undefined && rotationMatters('priority', next, buyers)) {
        const groupRotations = new Map([[priority, await nextGroupRotation(db, call.org_id, campaign.id, priority)]]);
        routing = planRouting({ method: campaign.routing_type, buyers: entries, at, rotation, groupRotations, random });
      }
    } else if (req.fresh && rotationMatters(campaign.routing_type, routing.order, buyers)) {
      routing = planRouting({ method: campaign.routing_type, buyers: entries, at, rotation: await nextRotation(db, call.org_id, campaign.id), random });
    }
    plan.order = routing.order;
    plan.skipped = routing.skipped;
    candidates.push(...routing.order.map((buyerId): DialCandidate => ({ kind: 'buyer', buyerId })));
  }

  const attempt = firstAttempt;
  for (const candidate of untried(candidates, triedSets(legs))) {
    if (attempt > campaign.max_dial_attempts) break;
    if (candidate === oneStatement && pendingAudit !== undefined) {
      const dialled: RoutingLogEntry = { attempt, candidate: label(candidate), result: 'dialled' };
      const action = urls.dialStatus({ attempt, route: req.mode, flowId: req.flow?.id, next: req.flow?.next });
      const twiml = dialTwiml(candidate.destination, action, campaign.dial_timeout_sec);
      const answered = await answerRtbCall(db, {
        orgId: call.org_id,
        callId: call.id,
        attempt,
        targetId: candidate.targetId,
        destination: candidate.destination,
        payout: candidate.price,
        minDurationSec: candidate.minDurationSec ?? campaign.min_call_duration_sec,
        audit: pendingAudit.payload(),
        twiml,
        plan: { ...plan, attempts: [...plan.attempts, dialled] },
      });
      pendingAudit.written(answered.bidRequestId);
      deps.bidRows.schedule(answered.bidRequestId);
      await audited();
      if (answered.reserved) {
        plan.attempts.push(dialled);
        return { twiml, routingMethod: 'rtb', bidRequestId, plan, ...(answered.stored ? { stored: true as const } : {}) };
      }
      // Not reserved (the attempt is taken, or the target is gone): the usual reservation names why.
    }
    const reserved = await reserveCandidate(db, req, candidate, attempt, buyers, at, targets);
    if ('destination' in reserved) {
      plan.attempts.push({ attempt, candidate: label(candidate), result: 'dialled' });
      const action = urls.dialStatus({ attempt, route: req.mode, flowId: req.flow?.id, next: req.flow?.next });
      return finish(dialTwiml(reserved.destination, action, campaign.dial_timeout_sec), candidate);
    }
    if (reserved.reason === 'attempt_taken') {
      // A concurrent delivery of the same webhook reserved this attempt first: answer the same.
      const leg = (await listCallLegs(db, call.id)).find((l) => l.attempt === attempt);
      const replay = leg ? replayLeg(deps, req, leg) : null;
      if (replay !== null) {
        await audited();
        return { twiml: replay, routingMethod: methodFor(candidate, campaign, req.flow !== undefined), bidRequestId, plan };
      }
    }
    plan.attempts.push({ attempt, candidate: label(candidate), result: 'skipped', reason: reserved.reason });
    // The caller hung up while this attempt was being routed: nobody else is dialled either.
    if (reserved.reason === 'call_ended') return finish(hangupTwiml(), null);
  }

  if (req.flow?.next !== undefined) {
    plan.attempts.push({ attempt, result: 'fallback', to: `flow:${req.flow.next}` });
    return finish(redirectTwiml(urls.flowStep(req.flow.id, req.flow.next)), null, true);
  }
  plan.attempts.push({ attempt, result: 'fallback', to: `campaign:${campaign.fallback_action}` });
  return finish(fallbackTwiml(campaign, urls), null, true);
}
