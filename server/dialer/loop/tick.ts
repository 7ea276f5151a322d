// One pass of the dialer over every active outbound campaign (DESIGN.md 9.2): for each, in a
// transaction holding the campaign's row, the lines free (pacing.ts against the calls still open),
// the due leads claimed (SKIP LOCKED), each checked at dial time — do-not-call, calling hours in
// the lead's own zone (the campaign's when unknown), the attempts — and the calls recorded; then,
// after the commit, the calls placed through the telephony port. A call the carrier refuses ends
// as `failed` and its lead follows the retry policy.
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { CallRow, CampaignRow, DB } from '../../../db/types.js';
import { doNotCallAmong } from '../../crm/dnc/queries.js';
import type { Telephony } from '../../telephony/types.js';
import { ALL_WEEKDAYS, type CallingWindow, type IsoWeekday, isCallable, nextCallableTime } from '../schedule/calling-hours.js';
import { DEFAULT_MAX_ABANDON_RATE, storedRetryPolicy } from '../campaigns/settings.js';
import { mostAttempts } from '../schedule/retry-policy.js';
import type { OutboundUrls } from '../webhooks/urls.js';
import { finishCall } from '../webhooks/finish.js';
import { linesAllowed } from './pacing.js';
import {
  availableAgentCount,
  callPlaced,
  claimDueLeads,
  deferLeads,
  dialableCampaignIds,
  type DueLead,
  lockCampaignForTick,
  markDoNotCall,
  type NewOutboundCall,
  outstandingCallCount,
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
}

export function callingWindow(campaign: Pick<CampaignRow, 'calling_days' | 'calling_hours_start' | 'calling_hours_end'>): CallingWindow {
  return {
    days: (campaign.calling_days ?? ALL_WEEKDAYS) as IsoWeekday[],
    start: campaign.calling_hours_start ?? '08:00',
    end: campaign.calling_hours_end ?? '21:00',
  };
}

/** The zone a lead's calling hours are read in: its own, else the campaign's, else UTC. */
export function leadZone(lead: Pick<DueLead, 'time_zone'>, campaign: Pick<CampaignRow, 'time_zone'>): string {
  return lead.time_zone ?? campaign.time_zone ?? 'UTC';
}

async function planCampaign(deps: DialerDeps, campaignId: string, result: TickResult): Promise<{ campaign: CampaignRow; calls: CallRow[] } | null> {
  const now = deps.now?.() ?? new Date();
  return deps.db.transaction().execute(async (trx) => {
    const campaign = await lockCampaignForTick(trx, campaignId);
    if (!campaign?.agent_group_id || !campaign.caller_id) return null;
    const mode = campaign.dial_mode ?? 'progressive';
    const agents = await availableAgentCount(trx, campaign.org_id, campaign.agent_group_id);
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
    const window = callingWindow(campaign);
    const attemptsAllowed = mostAttempts(storedRetryPolicy(campaign));
    const dnc: string[] = [];
    const deferred: Array<{ id: string; at: Date | null }> = [];
    const dial: NewOutboundCall[] = [];
    const onDncList = await doNotCallAmong(trx, campaign.org_id, candidates.map((lead) => lead.phone_e164));
    for (const lead of candidates) {
      if (dial.length >= free) break;
      if (onDncList.has(lead.phone_e164)) {
        dnc.push(lead.id);
        continue;
      }
      // Its attempts used up (the policy may have been lowered since it was queued): given up.
      if (lead.call_attempts >= attemptsAllowed) {
        deferred.push({ id: lead.id, at: null });
        continue;
      }
      const zone = leadZone(lead, campaign);
      if (!isCallable(now, zone, window)) {
        deferred.push({ id: lead.id, at: nextCallableTime(now, zone, window) });
        continue;
      }
      dial.push({ lead, attempt: lead.call_attempts + 1 });
    }
    await markDoNotCall(trx, dnc);
    await deferLeads(trx, deferred);
    result.dnc += dnc.length;
    result.deferred += deferred.length;
    const calls = await recordOutboundCalls(trx, campaign, dial, deps.telephony.kind);
    return { campaign, calls };
  });
}

async function place(deps: DialerDeps, campaign: CampaignRow, call: CallRow): Promise<boolean> {
  try {
    const placed = await deps.telephony.placeCall({
      to: call.to_number!,
      from: campaign.caller_id!,
      answerUrl: deps.urls.answer(call.id),
      statusCallbackUrl: deps.urls.status(call.id),
      timeoutSeconds: RING_TIMEOUT_SEC,
      ...(campaign.amd_enabled ? { machineDetection: { mode: 'DetectMessageEnd' as const, statusCallbackUrl: deps.urls.amd(call.id) } } : {}),
      ...(campaign.record_calls ? { recordingStatusCallbackUrl: deps.urls.recording(call.id) } : {}),
    });
    await callPlaced(deps.db, call.id, placed.callSid);
    return true;
  } catch (err) {
    deps.log?.warn({ err, callId: call.id }, 'outbound call refused by the carrier');
    await finishCall(deps.db, call.id, { status: 'failed', durationSec: 0 }, deps.now?.() ?? new Date());
    return false;
  }
}

/** One pass over every dialable campaign; lapsed claims are given back first. */
export async function runDialerTick(deps: DialerDeps): Promise<TickResult> {
  const result: TickResult = { placed: 0, deferred: 0, dnc: 0, released: await releaseLapsedClaims(deps.db) };
  for (const id of await dialableCampaignIds(deps.db)) {
    const planned = await planCampaign(deps, id, result);
    if (!planned) continue;
    const placed = await Promise.all(planned.calls.map((call) => place(deps, planned.campaign, call)));
    result.placed += placed.filter(Boolean).length;
  }
  return result;
}
