// Call rows -> API shapes (pure). People's numbers are obfuscated — an inbound call's caller, an
// outbound call's lead, buyers' destinations — and the organisation's own numbers (the tracking
// number an inbound call dialled, an outbound call's caller id) are shown whole.
import type { components } from '../../../client/schema.js';
import type { CallCorrectionRow, CallLegRow } from '../../../db/types.js';
import { iso, isoOrNull } from '../../platform/common/dates.js';
import { obfuscatePhone } from '../../platform/common/phone.js';
import type { CallView } from './queries/index.js';

type Schemas = components['schemas'];

function money(value: string | null): number | null {
  return value === null ? null : Number(value);
}

/** What the call pays now: a correction's revenue when one was made, else the counted revenue. */
export function effectiveRevenue(row: Pick<CallView, 'revenue' | 'revenue_override'>): number | null {
  return money(row.revenue_override ?? row.revenue);
}

export function presentCallSummary(row: CallView): Schemas['CallSummary'] {
  const outbound = row.direction === 'outbound';
  return {
    id: row.id,
    callSid: row.call_sid,
    source: row.source,
    campaignId: row.campaign_id,
    buyerId: row.buyer_id,
    buyerName: row.buyer_name,
    phoneNumber: outbound ? obfuscatePhone(row.to_number) : row.to_number,
    callerNumber: outbound ? row.from_number : obfuscatePhone(row.from_number),
    status: row.status,
    duration: row.duration_sec,
    revenue: effectiveRevenue(row),
    routingMethod: row.routing_method as Schemas['RoutingMethod'],
    rtbRequestId: row.rtb_request_id,
    winningBidAmount: money(row.winning_bid_amount),
    direction: row.direction,
    leadId: row.lead_id,
    agentId: row.agent_id,
    answeredBy: row.answered_by,
    disposition: row.disposition,
    talkTimeSec: row.talk_time_sec,
    cost: money(row.cost),
    conferenceName: row.conference_name,
    dialAttempt: row.dial_attempt,
    createdAt: iso(row.created_at),
  };
}

function presentLeg(leg: CallLegRow): Schemas['CallLeg'] {
  return {
    attempt: leg.attempt,
    buyerId: leg.buyer_id,
    rtbTargetId: leg.rtb_target_id,
    destination: obfuscatePhone(leg.destination),
    dialStatus: leg.dial_status,
    dialDuration: leg.dial_duration_sec,
    startedAt: iso(leg.started_at),
    endedAt: isoOrNull(leg.ended_at),
  };
}

export function presentCallDetail(row: CallView, legs: readonly CallLegRow[]): Schemas['CallDetail'] {
  const summary = presentCallSummary(row);
  return {
    ...summary,
    source: row.source,
    poolId: row.pool_id,
    rtbTargetId: row.rtb_target_id,
    callerState: row.caller_state,
    callerZip: row.caller_zip,
    connectedDuration: row.connected_duration_sec,
    answeredAt: isoOrNull(row.answered_at),
    endedAt: isoOrNull(row.ended_at),
    // Written only by routing (RouteOutcome['plan'] and its log), whose shape this schema states.
    routingPlan: (row.routing_plan as Schemas['RoutingPlan'] | null) ?? null,
    payout: money(row.payout),
    countedRevenue: money(row.revenue),
    revenueQualifiedAt: isoOrNull(row.revenue_qualified_at),
    voicemailUrl: row.voicemail_url,
    recordingUrl: row.recording_url,
    visitorSessionId: row.visitor_session_id === null ? null : Number(row.visitor_session_id),
    attribution: row.attribution,
    legs: legs.map(presentLeg),
    updatedAt: iso(row.updated_at),
  };
}

export function presentCallCorrection(row: CallCorrectionRow): Schemas['CallCorrection'] {
  return {
    id: Number(row.id),
    field: row.field,
    oldValue: row.old_value,
    newValue: row.new_value,
    reason: row.reason,
    userId: row.user_id,
    createdAt: iso(row.created_at),
  };
}
