// A lead changed through the API, told live (seed 003's `lead_updated`): to the organisation and
// to the user it is assigned to; `changes` are the fields the request named, as the API shows them.
import type { components } from '../../../client/schema.js';
import type { Db } from '../../../db/types.js';
import { publishLive } from '../../platform/live/publish.js';
import { orgRoom, userRoom } from '../../platform/live/rooms.js';

type Lead = components['schemas']['Lead'];

export function publishLeadUpdated(db: Db, orgId: string, lead: Lead, fieldsNamed: readonly string[], updatedBy: number): void {
  const shown = lead as unknown as Record<string, unknown>;
  const changes = Object.fromEntries(fieldsNamed.filter((field) => field in shown).map((field) => [field, shown[field]]));
  publishLive(db, {
    name: 'lead_updated',
    orgId,
    rooms: lead.assignedTo === null ? [orgRoom(orgId)] : [orgRoom(orgId), userRoom(lead.assignedTo)],
    payload: { leadId: lead.id, campaignId: lead.campaignId, changes, updatedBy },
  });
}
