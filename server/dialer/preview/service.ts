// Preview dialing (seed 002's `preview` mode; DESIGN.md 9.2): the dialer places no call by itself;
// an agent takes the next lead (held for it), looks at it, then calls it or skips it.
//   next  — the agent's row locked (one request of an agent at a time); the lead it already holds,
//           else the next due lead chosen as the dial loop chooses (sortDueLeads: do-not-call,
//           attempts, calling hours), held for the agent.
//   dial  — the hold checked, the do-not-call list and calling hours checked again, the agent's capacity checked; the call
//           recorded with its agent (who turns busy when the call fills it), then placed.
//   skip  — the hold given up; the lead due again later, no attempt counted.
import type { AgentRow, CampaignRow, LeadRow } from '../../../db/types.js';
import { doNotCallAmong } from '../../crm/dnc/queries.js';
import { CALLER_ID_RELEASED, holdsCallerId } from '../../inbound/campaigns/number-ownership.js';
import { ERRORS } from '../../platform/errors.js';
import { startProblem } from '../campaigns/start.js';
import { agentCanTake, openCallsOf } from '../agents/availability.js';
import { setAgentPresence } from '../agents/presence.js';
import { publishPresence } from '../agents/presence-events.js';
import { claimDueLeads, deferLeads, markDoNotCall, recordOutboundCalls } from '../loop/queries.js';
import { callingWindow, isCallableIn, leadZones, nextTryAt, sortDueLeads } from '../loop/selection.js';
import { type DialerDeps, placeOutboundCall } from '../loop/tick.js';
import {
  assignPreviewAgent,
  findOutboundCampaign,
  heldLeadOf,
  holdLead,
  isHeldBy,
  lockAgent,
  lockCampaignLead,
  PREVIEW_SKIP_DELAY_MIN,
  releaseHold,
} from './queries.js';

/** Leads looked at for one preview (some may fail the dial-time checks). */
const CANDIDATES = 10;

export interface PreviewResult {
  campaign: CampaignRow;
  agent: AgentRow;
  lead: LeadRow | null;
}

/**
 * The campaign, if it is the organisation's active preview campaign inside its schedule window, as
 * the dial loop takes its campaigns (404 / 409 otherwise).
 */
async function previewCampaign(deps: DialerDeps, orgId: string, campaignId: string, now: Date): Promise<CampaignRow> {
  const campaign = await findOutboundCampaign(deps.db, orgId, campaignId);
  if (!campaign) throw ERRORS.notFound('Campaign', campaignId);
  if (campaign.dial_mode !== 'preview') throw ERRORS.conflict({ dialMode: `is ${campaign.dial_mode ?? 'progressive'}: only preview campaigns are dialled by their agents` });
  if (campaign.status !== 'active') throw ERRORS.conflict({ status: `is ${campaign.status}: start the campaign first` });
  // A row made active before its writes were checked as a start (server/inbound/campaigns/handlers.ts).
  const missing = startProblem(campaign);
  if (missing) throw ERRORS.conflict(missing);
  if (campaign.schedule_start !== null && campaign.schedule_start > now) {
    throw ERRORS.conflict({ scheduleStart: `is ${campaign.schedule_start.toISOString()}: the campaign calls no one before it` });
  }
  if (campaign.schedule_end !== null && campaign.schedule_end <= now) {
    throw ERRORS.conflict({ scheduleEnd: `was ${campaign.schedule_end.toISOString()}: the campaign calls no one after it` });
  }
  if (campaign.caller_id !== null && !(await holdsCallerId(deps.db, orgId, campaign.caller_id))) throw ERRORS.conflict(CALLER_ID_RELEASED);
  return campaign;
}

/** 409 naming why the agent cannot take a call of the campaign now. */
async function checkAgentCanTake(deps: DialerDeps, agent: AgentRow, campaign: CampaignRow, now: Date): Promise<number> {
  if (agent.group_id !== campaign.agent_group_id) throw ERRORS.conflict({ agentId: "is not in the campaign's agent group" });
  if (!agent.is_active) throw ERRORS.conflict({ agentId: 'is not active' });
  if (agent.status !== 'available') throw ERRORS.conflict({ agentId: `is ${agent.status}, not available` });
  const open = (await openCallsOf(deps.db, [agent.id])).get(agent.id) ?? 0;
  if (!agentCanTake(agent, open, now)) throw ERRORS.conflict({ agentId: 'cannot take a call now (outside its working hours, or at its maxConcurrentCalls)' });
  return open;
}

async function lockedAgent(trx: Parameters<typeof lockAgent>[0], orgId: string, agentId: string): Promise<AgentRow> {
  const agent = await lockAgent(trx, orgId, agentId);
  if (!agent) throw ERRORS.notFound('Agent', agentId);
  return agent;
}

export async function previewNext(deps: DialerDeps, orgId: string, campaignId: string, agentId: string): Promise<PreviewResult> {
  const now = deps.now?.() ?? new Date();
  const campaign = await previewCampaign(deps, orgId, campaignId, now);
  return deps.db.transaction().execute(async (trx) => {
    const agent = await lockedAgent(trx, orgId, agentId);
    const held = await heldLeadOf(trx, agent.id);
    if (held && held.campaign_id === campaign.id) return { campaign, agent, lead: held };
    if (held) throw ERRORS.conflict({ agentId: `holds lead ${held.id} of another campaign: dial or skip it first` });
    await checkAgentCanTake({ ...deps, db: trx }, agent, campaign, now);
    const candidates = await claimDueLeads(trx, campaign.id, CANDIDATES);
    const onDncList = await doNotCallAmong(trx, orgId, candidates.map((lead) => lead.phone_e164));
    const sorted = sortDueLeads(candidates, campaign, onDncList, now, 1);
    await markDoNotCall(trx, sorted.dnc);
    await deferLeads(trx, sorted.deferred);
    const next = sorted.dial[0];
    return { campaign, agent, lead: next ? await holdLead(trx, next.lead.id, agent.id) : null };
  });
}

export interface PreviewDialResult {
  callId: number;
  callSid: string;
  campaign: CampaignRow;
  lead: LeadRow;
  agent: AgentRow;
  attempt: number;
}

export async function dialPreview(deps: DialerDeps, orgId: string, campaignId: string, agentId: string, leadId: string): Promise<PreviewDialResult> {
  const now = deps.now?.() ?? new Date();
  const campaign = await previewCampaign(deps, orgId, campaignId, now);
  const planned = await deps.db.transaction().execute(async (trx) => {
    const agent = await lockedAgent(trx, orgId, agentId);
    const lead = await lockCampaignLead(trx, campaign, leadId);
    if (!lead) throw ERRORS.notFound('Lead', leadId);
    if (!isHeldBy(lead, agent.id, now)) throw ERRORS.conflict({ leadId: 'is not held for this agent (the hold lapsed, or another agent has it): ask for the next lead' });
    // The do-not-call list asked again at dial time, as the loop does: a number listed since the
    // lead was handed out (the list commits before its leads are marked) is never dialled.
    if (lead.do_not_call || (await doNotCallAmong(trx, orgId, [lead.phone_e164])).size > 0) {
      await markDoNotCall(trx, [lead.id]);
      return { kind: 'dnc' as const };
    }
    const zones = leadZones(lead, campaign);
    const window = callingWindow(campaign);
    if (!isCallableIn(now, zones, window)) {
      // Kept: the lead is due again at its next callable moment (the 409 follows the commit).
      return { kind: 'outside_hours' as const, lead: await releaseHold(trx, lead.id, nextTryAt(now, zones, window)) };
    }
    const open = await checkAgentCanTake({ ...deps, db: trx }, agent, campaign, now);
    const attempt = lead.call_attempts + 1;
    const [call] = await recordOutboundCalls(trx, campaign, [{ lead, attempt }], deps.telephony.kind);
    await assignPreviewAgent(trx, call!.id, lead.id, agent.id);
    const presence = open + 1 >= agent.max_concurrent_calls ? await setAgentPresence(trx, orgId, agent.id, { from: 'available', to: 'busy', reason: 'call' }) : null;
    return { kind: 'recorded' as const, call: { ...call!, agent_id: agent.id }, lead, agent, attempt, presence };
  });
  if (planned.kind === 'dnc') throw ERRORS.conflict({ leadId: 'is on the do-not-call list: never dialled' });
  if (planned.kind === 'outside_hours') {
    const due = planned.lead.next_call_at;
    throw ERRORS.conflict({ leadId: due ? `is outside its calling hours now; due again at ${due.toISOString()}` : 'is never inside the campaign\'s calling hours: given up' });
  }
  if (planned.presence) publishPresence(deps.db, orgId, planned.agent.id, planned.presence, 'call');
  if (!(await placeOutboundCall(deps, campaign, planned.call))) throw ERRORS.upstream('The telephony provider refused the call; the lead follows the retry policy');
  const placed = await deps.db.selectFrom('calls').select('call_sid').where('id', '=', planned.call.id).executeTakeFirstOrThrow();
  return { callId: planned.call.id, callSid: placed.call_sid, campaign, lead: planned.lead, agent: planned.agent, attempt: planned.attempt };
}

export async function skipPreview(
  deps: DialerDeps,
  orgId: string,
  campaignId: string,
  agentId: string,
  leadId: string,
  nextCallAt: Date | undefined,
): Promise<LeadRow> {
  const campaign = await findOutboundCampaign(deps.db, orgId, campaignId);
  if (!campaign) throw ERRORS.notFound('Campaign', campaignId);
  const now = deps.now?.() ?? new Date();
  if (nextCallAt !== undefined && nextCallAt.getTime() < now.getTime() - 60_000) throw ERRORS.validation({ nextCallAt: 'is in the past' });
  return deps.db.transaction().execute(async (trx) => {
    const agent = await lockedAgent(trx, orgId, agentId);
    const lead = await lockCampaignLead(trx, campaign, leadId);
    if (!lead) throw ERRORS.notFound('Lead', leadId);
    if (!isHeldBy(lead, agent.id, now)) throw ERRORS.conflict({ leadId: 'is not held for this agent (the hold lapsed, or another agent has it)' });
    return releaseHold(trx, lead.id, nextCallAt ?? new Date(now.getTime() + PREVIEW_SKIP_DELAY_MIN * 60_000));
  });
}
