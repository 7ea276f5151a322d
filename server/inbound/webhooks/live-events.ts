// An inbound call's start and end told live (seed 003's `call_started` / `call_ended`), to its
// organisation, after the records committed.
import type { Db } from '../../../db/types.js';
import type { CallState } from '../calls/state.js';

type CallStatus = CallState['status'];
import { obfuscatePhone } from '../../platform/common/phone.js';
import { publishLive } from '../../platform/live/publish.js';
import { orgRoom } from '../../platform/live/rooms.js';

export function publishInboundStarted(db: Db, call: { id: number; orgId: string | null; campaignId: string | null; from: string | null }): void {
  if (!call.orgId) return;
  publishLive(db, {
    name: 'call_started',
    orgId: call.orgId,
    rooms: [orgRoom(call.orgId)],
    payload: { callId: call.id, direction: 'inbound', leadId: null, agentId: null, campaignId: call.campaignId, phone: obfuscatePhone(call.from) },
  });
}

const FINAL: ReadonlySet<CallStatus> = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

export function isFinalStatus(status: CallStatus): boolean {
  return FINAL.has(status);
}

export function publishInboundEnded(db: Db, call: { id: number; orgId: string | null; campaignId: string | null; status: CallStatus; durationSec: number | null }): void {
  if (!call.orgId) return;
  publishLive(db, {
    name: 'call_ended',
    orgId: call.orgId,
    rooms: [orgRoom(call.orgId)],
    payload: { callId: call.id, direction: 'inbound', leadId: null, agentId: null, campaignId: call.campaignId, duration: call.durationSec ?? 0, outcome: call.status },
  });
}
