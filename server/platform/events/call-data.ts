// A call's event data (pure): the call as it is when the event happens, in the contract's
// `CallEventData` shape. People's numbers are obfuscated as in every answer of the API (an inbound
// call's caller, an outbound call's lead); the organisation's own numbers are whole.
import type { components } from '../../../client/schema.js';
import type { CallRow } from '../../../db/types.js';
import { iso, isoOrNull } from '../common/dates.js';
import { obfuscatePhone } from '../common/phone.js';

export type CallEventData = components['schemas']['CallEventData'];

export function callEventData(row: CallRow): CallEventData {
  const outbound = row.direction === 'outbound';
  const revenue = row.revenue_override ?? row.revenue;
  return {
    callId: row.id,
    callSid: row.call_sid,
    direction: row.direction,
    status: row.status,
    source: row.source,
    campaignId: row.campaign_id,
    leadId: row.lead_id,
    agentId: row.agent_id,
    from: outbound ? row.from_number : obfuscatePhone(row.from_number),
    to: outbound ? obfuscatePhone(row.to_number) : row.to_number,
    startedAt: iso(row.created_at),
    answeredAt: isoOrNull(row.answered_at),
    endedAt: isoOrNull(row.ended_at),
    durationSec: row.duration_sec,
    talkTimeSec: row.talk_time_sec,
    disposition: row.disposition,
    answeredBy: row.answered_by,
    revenue: revenue === null ? null : Number(revenue),
  };
}
