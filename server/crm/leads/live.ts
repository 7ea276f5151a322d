// A lead changed through the API, told live (seed 003's `lead_updated`): to the organisation and
// to the user it is assigned to (and the one it was, when the change gave it to another); `changes` are the fields the request named, as the API shows them.
import type { components } from '../../../client/schema.js';
import type { Db } from '../../../db/types.js';
import { publishLive } from '../../platform/live/publish.js';
import { orgRoom, userRoom } from '../../platform/live/rooms.js';

type Lead = components['schemas']['Lead'];

export function publishLeadUpdated(db: Db, orgId: string, lead: Lead, fieldsNamed: readonly string[], updatedBy: number, assignedBefore: number | null = null): void {
  const shown = lead as unknown as Record<string, unknown>;
  const changes = Object.fromEntries(fieldsNamed.filter((field) => field in shown).map((field) => [field, shown[field]]));
  const assignees = new Set([lead.assignedTo, assignedBefore].filter((user): user is number => user !== null));
  publishLive(db, {
    name: 'lead_updated',
    orgId,
    rooms: [orgRoom(orgId), ...[...assignees].map(userRoom)],
    payload: { leadId: lead.id, campaignId: lead.campaignId, changes, updatedBy },
  });
}
