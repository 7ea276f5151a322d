// Raising a lead's events (events.ts says which) in the transaction of its change.
import type { LeadRow, Db } from '../../../db/types.js';
import { raiseEvent } from '../../platform/events/raise.js';
import { leadEventsOf } from './events.js';

export async function raiseLeadEvents(db: Db, before: LeadRow | null, after: LeadRow): Promise<void> {
  for (const event of leadEventsOf(before, after)) await raiseEvent(db, { orgId: after.org_id, type: event.type, data: event.data });
}
