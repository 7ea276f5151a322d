// Whose leads a caller reaches (seed 003's matrix): an agent only those assigned to it, everyone
// else all of the organisation's. Call logs and the activity timeline scope leads with this too.
import type { Principal } from '../../accounts/auth/principal.js';
import type { LeadRow } from '../../../db/types.js';
import type { LeadScope } from './queries.js';

export function leadScope(principal: Principal): LeadScope {
  return { orgId: principal.orgId, assignedTo: principal.role === 'agent' ? principal.userId : null };
}

/** Whether a lead read without the caller's scope (e.g. locked by id) is one the caller reaches. */
export function reachesLead(scope: LeadScope, lead: Pick<LeadRow, 'org_id' | 'assigned_to'>): boolean {
  return lead.org_id === scope.orgId && (scope.assignedTo === null || lead.assigned_to === scope.assignedTo);
}
