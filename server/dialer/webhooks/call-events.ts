// An outbound call's start and end told live (seed 003's `call_started` / `call_ended` to the
// organisation, seed 002's `call:ended` and `incoming:call` to the agent), and what the end did to
// the lead (`lead_updated`) and the agent's presence (`agent:status:updated`) — published after
// the changes committed.
import type { AgentRow, CallDisposition, CallRow, Db, LeadRow } from '../../../db/types.js';
import { obfuscatePhone } from '../../platform/common/phone.js';
import { isoOrNull } from '../../platform/common/dates.js';
import { publishLive } from '../../platform/live/publish.js';
import { agentRoom, orgRoom, userRoom } from '../../platform/live/rooms.js';
import type { PresenceResult } from '../agents/presence.js';
import { publishPresence } from '../agents/presence-events.js';

export interface FinishedCall {
  call: CallRow;
  disposition: CallDisposition;
  durationSec: number;
  talked: number;
  lead: Pick<LeadRow, 'id' | 'campaign_id' | 'assigned_to' | 'dial_status' | 'next_call_at' | 'call_attempts'> | null;
  presence: PresenceResult | null;
}

function callRooms(orgId: string, agentId: string | null): string[] {
  return agentId ? [orgRoom(orgId), agentRoom(agentId)] : [orgRoom(orgId)];
}

export function publishCallStarted(db: Db, call: Pick<CallRow, 'id' | 'org_id' | 'lead_id' | 'agent_id' | 'campaign_id' | 'to_number'>): void {
  if (!call.org_id) return;
  publishLive(db, {
    name: 'call_started',
    orgId: call.org_id,
    rooms: callRooms(call.org_id, call.agent_id),
    payload: { callId: call.id, direction: 'outbound', leadId: call.lead_id, agentId: call.agent_id, campaignId: call.campaign_id, phone: obfuscatePhone(call.to_number) },
  });
}

export function publishCallEnd(db: Db, finished: FinishedCall): void {
  const { call } = finished;
  const orgId = call.org_id;
  if (!orgId) return;
  publishLive(db, {
    name: 'call_ended',
    orgId,
    rooms: callRooms(orgId, call.agent_id),
    payload: { callId: call.id, direction: 'outbound', leadId: call.lead_id, agentId: call.agent_id, campaignId: call.campaign_id, duration: finished.durationSec, outcome: finished.disposition },
  });
  if (call.agent_id) {
    publishLive(db, {
      name: 'call:ended',
      orgId,
      rooms: [agentRoom(call.agent_id)],
      payload: { callId: call.id, agentId: call.agent_id, leadId: call.lead_id, disposition: finished.disposition, durationSec: finished.durationSec, talkTimeSec: finished.talked },
    });
    if (finished.presence) publishPresence(db, orgId, call.agent_id, finished.presence, 'call');
  }
  const lead = finished.lead;
  if (lead) {
    publishLive(db, {
      name: 'lead_updated',
      orgId,
      rooms: lead.assigned_to ? [orgRoom(orgId), userRoom(lead.assigned_to)] : [orgRoom(orgId)],
      payload: {
        leadId: lead.id,
        campaignId: lead.campaign_id,
        changes: { dialStatus: lead.dial_status, nextCallAt: isoOrNull(lead.next_call_at), callAttempts: lead.call_attempts },
        updatedBy: null,
      },
    });
  }
}

/** The call offered to its agent (seed 002's `incoming:call`), to the agent's room only. */
export async function publishIncomingCall(db: Db, call: Pick<CallRow, 'id' | 'org_id' | 'lead_id' | 'campaign_id' | 'to_number'>, agent: Pick<AgentRow, 'id'>, conferenceName: string): Promise<void> {
  if (!call.org_id) return;
  const lead = call.lead_id ? await db.selectFrom('leads').select(['first_name', 'last_name', 'name', 'notes']).where('id', '=', call.lead_id).executeTakeFirst() : undefined;
  const [first, ...rest] = (lead?.name ?? '').split(' ');
  publishLive(db, {
    name: 'incoming:call',
    orgId: call.org_id,
    rooms: [agentRoom(agent.id)],
    payload: {
      callId: call.id,
      agentId: agent.id,
      leadId: call.lead_id,
      campaignId: call.campaign_id,
      firstName: lead?.first_name ?? (first || null),
      lastName: lead?.last_name ?? (rest.length > 0 ? rest.join(' ') : null),
      phone: obfuscatePhone(call.to_number) ?? '',
      notes: lead?.notes ?? null,
      conferenceName,
    },
  });
}
