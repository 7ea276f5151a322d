// One pass of the dialer over every active outbound campaign (DESIGN.md 9.2): for each, in a
// transaction holding the campaign's row, the lines free (pacing.ts against the calls still open),
// the due leads claimed (SKIP LOCKED), each checked at dial time — do-not-call, calling hours in
// the lead's own zone (the campaign's when unknown), the attempts — and the calls recorded; then,
// after the commit, the calls placed through the telephony port. A call the carrier refuses ends
// as `failed` and its lead follows the retry policy.
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { CallRow, CampaignRow, DB } from '../../../db/types.js';
import { takingAgentCount } from '../agents/availability.js';
import { publishPresence } from '../agents/presence-events.js';
import { doNotCallAmong } from '../../crm/dnc/queries.js';
import type { Telephony } from '../../telephony/types.js';
import { holdsCallerId } from '../../inbound/campaigns/number-ownership.js';
import { DEFAULT_MAX_ABANDON_RATE } from '../campaigns/settings.js';
import type { OutboundUrls } from '../webhooks/urls.js';
import { finishCall } from '../webhooks/finish.js';
import { publishCallStarted } from '../webhooks/call-events.js';
import { lostCallStatus } from './outcome.js';
import { linesAllowed } from './pacing.js';
import { sortDueLeads } from './selection.js';
import {
  callPlaced,
  claimDueLeads,
  deferLeads,
  dialableCampaignIds,
  lockCampaignForTick,
  markDoNotCall,
  outstandingCallCount,
  pauseCampaign,
  recentRates,
  recordOutboundCalls,
  releaseLapsedClaims,
} from './queries.js';

export interface DialerDeps {
  db: Kysely<DB>;
  telephony: Pick<Telephony, 'placeCall' | 'kind'>;
  urls: OutboundUrls;
  log?: FastifyBaseLogger;
  now?: () => Date;
}

/** At most this many leads are looked at per campaign and tick (some may not be callable now). */
const CANDIDATES_PER_LINE = 3;
const MAX_CANDIDATES = 200;
/** How long the carrier lets an outbound call ring (seconds). */
export const RING_TIMEOUT_SEC = 30;

export interface TickResult {
  placed: number;
  deferred: number;
  dnc: number;
  released: number;
  /** Campaigns whose planning failed this pass (each logged; tried again next pass). */
  failed: number;
}

async function planCampaign(deps: DialerDeps, campaignId: string): Promise<{ campaign: CampaignRow; calls: CallRow[]; dnc: number; deferred: number } | null> {
  const now = deps.now?.() ?? new Date();
  return deps.db.transaction().execute(async (trx) => {
    const campaign = await lockCampaignForTick(trx, campaignId);
    if (!campaign) return null;
    if (!campaign.agent_group_id || !campaign.caller_id) {
      // Its agent group deleted since it started (the foreign key clears it): no one could take
      // its calls. Paused, so a start names what is missing.
      await pauseCampaign(trx, campaign.id);
      deps.log?.warn({ campaignId: campaign.id }, 'outbound campaign paused: it has no agent group or caller id');
      return null;
    }
    if (!(await holdsCallerId(trx, campaign.org_id, campaign.caller_id))) {
      // Released since the campaign started (and perhaps bought by another organisation): never
      // dial from it. Paused, so a start names the problem.
      await pauseCampaign(trx, campaign.id);
      deps.log?.warn({ campaignId: campaign.id }, 'outbound campaign paused: its caller id is no longer one of its numbers');
      return null;
    }
    const mode = campaign.dial_mode ?? 'progressive';
    const agents = await takingAgentCount(trx, campaign.org_id, campaign.agent_group_id, now);
    const rates = mode === 'predictive' ? await recentRates(trx, campaign.id) : { abandon: null, person: null };
    const lines = linesAllowed({
      mode,
      availableAgents: agents,
      linesPerAgent: Number(campaign.lines_per_agent ?? 1),
      recentAbandonRate: rates.abandon,
      recentPersonRate: rates.person,
      maxAbandonRate: Number(campaign.max_abandon_rate ?? DEFAULT_MAX_ABANDON_RATE),
    });
    const free = lines - (await outstandingCallCount(trx, campaign.id));
    if (free <= 0) return null;
    const candidates = await claimDueLeads(trx, campaign.id, Math.min(MAX_CANDIDATES, free * CANDIDATES_PER_LINE));
    const onDncList = await doNotCallAmong(trx, campaign.org_id, candidates.map((lead) => lead.phone_e164));
    const { dial, dnc, deferred } = sortDueLeads(candidates, campaign, onDncList, now, free);
    await markDoNotCall(trx, dnc);
    await deferLeads(trx, deferred);
    const calls = await recordOutboundCalls(trx, campaign, dial, deps.telephony.kind);
    return { campaign, calls, dnc: dnc.length, deferred: deferred.length };
  });
}

/** A recorded call placed through the telephony port; a refusal ends it `failed` (its lead follows the retry policy). */
export async function placeOutboundCall(deps: DialerDeps, campaign: CampaignRow, call: CallRow): Promise<boolean> {
  let placed: { callSid: string };
  try {
    placed = await deps.telephony.placeCall({
      to: call.to_number!,
      from: campaign.caller_id!,
      answerUrl: deps.urls.answer(call.id),
      statusCallbackUrl: deps.urls.status(call.id),
      timeoutSeconds: RING_TIMEOUT_SEC,
      ...(campaign.amd_enabled ? { machineDetection: { mode: 'DetectMessageEnd' as const, statusCallbackUrl: deps.urls.amd(call.id) } } : {}),
      ...(campaign.record_calls ? { recordingStatusCallbackUrl: deps.urls.recording(call.id) } : {}),
    });
  } catch (err) {
    deps.log?.warn({ err, callId: call.id }, 'outbound call refused by the carrier');
    await finishCall(deps.db, call.id, { status: 'failed', durationSec: 0 }, deps.now?.() ?? new Date());
    return false;
  }
  // The call is live from here: a failure to store its sid is not the carrier refusing it (its
  // first webhook stores the sid instead, server/dialer/webhooks/calls.ts).
  await callPlaced(deps.db, call.id, placed.callSid);
  publishCallStarted(deps.db, call);
  return true;
}

/**
 * One pass over every dialable campaign; lapsed claims are given back first (the agent of a call
 * that never reached the carrier free again), and a placed call
 * whose final callback never came is finished (its line, its agent and its lead freed; a late
 * final callback then changes nothing, finishCall applies the first final status once).
 */
export async function runDialerTick(deps: DialerDeps): Promise<TickResult> {
  const { released, lost, freed } = await releaseLapsedClaims(deps.db);
  for (const agent of freed) publishPresence(deps.db, agent.orgId, agent.agentId, agent.presence, 'call');
  for (const call of lost) {
    await finishCall(deps.db, call.id, { status: lostCallStatus(call), durationSec: 0 }, deps.now?.() ?? new Date());
  }
  const result: TickResult = { placed: 0, deferred: 0, dnc: 0, released, failed: 0 };
  for (const id of await dialableCampaignIds(deps.db)) {
    let planned: Awaited<ReturnType<typeof planCampaign>>;
    try {
      planned = await planCampaign(deps, id);
    } catch (err) {
      // One campaign's fault (a row its planning cannot handle, a refused write) must not keep the
      // campaigns after it from dialling, pass after pass: its transaction rolled back, it is
      // logged and tried again next pass.
      result.failed += 1;
      deps.log?.error({ err, campaignId: id }, 'Dialer: planning an outbound campaign failed');
      continue;
    }
    if (!planned) continue;
    result.dnc += planned.dnc;
    result.deferred += planned.deferred;
    const placed = await Promise.all(planned.calls.map((call) => placeOutboundCall(deps, planned.campaign, call)));
    result.placed += placed.filter(Boolean).length;
  }
  return result;
}
