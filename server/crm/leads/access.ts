// Whose leads a caller reaches (seed 003's matrix): an agent only those assigned to it, everyone
// else all of the organisation's. Call logs and the activity timeline scope leads with this too.
import type { Principal } from '../../accounts/auth/principal.js';
import type { LeadScope } from './queries.js';

export function leadScope(principal: Principal): LeadScope {
  return { orgId: principal.orgId, assignedTo: principal.role === 'agent' ? principal.userId : null };
}
