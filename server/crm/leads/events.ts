// The events a lead's change raises (pure): lead.created for a new lead, lead.updated for a change
// that changed something (naming the fields, as `Lead` names them), and lead.qualified /
// lead.converted when the stage becomes `qualified` / `converted` (also for a lead created so).
import type { components } from '../../../client/schema.js';
import type { LeadRow } from '../../../db/types.js';
import type { EventType } from '../../platform/events/types.js';
import { presentLead } from './mapping.js';

type LeadEventData = components['schemas']['LeadEventData'];

export interface LeadEvent {
  type: Extract<EventType, `lead.${string}`>;
  data: LeadEventData;
}

/** The `Lead` fields whose values differ (updatedAt aside: it moves with every write). */
export function changedLeadFields(before: LeadRow, after: LeadRow): string[] {
  const a = presentLead(before) as Record<string, unknown>;
  const b = presentLead(after) as Record<string, unknown>;
  return Object.keys(b).filter((key) => key !== 'updatedAt' && JSON.stringify(a[key]) !== JSON.stringify(b[key]));
}

/** What a lead's creation (`before` null) or change raises, in order. */
export function leadEventsOf(before: LeadRow | null, after: LeadRow): LeadEvent[] {
  const lead = presentLead(after);
  const previousStage = before?.stage ?? null;
  const events: LeadEvent[] = [];
  if (before === null) {
    events.push({ type: 'lead.created', data: { lead, changedFields: [], previousStage } });
  } else {
    const changedFields = changedLeadFields(before, after);
    if (changedFields.length === 0) return [];
    events.push({ type: 'lead.updated', data: { lead, changedFields, previousStage } });
  }
  if (previousStage !== after.stage) {
    if (after.stage === 'qualified') events.push({ type: 'lead.qualified', data: { lead, changedFields: [], previousStage } });
    if (after.stage === 'converted') events.push({ type: 'lead.converted', data: { lead, changedFields: [], previousStage } });
  }
  return events;
}
