// Whose call records a caller reaches (DESIGN.md 9.1, seed 003's matrix): a user with role agent
// only the calls of the agent linked to it (agents.user_id; an agent-role user without one sees
// none), everyone else all of the organisation's.
import type { Principal } from '../../accounts/auth/principal.js';

export interface CallScope {
  orgId: string;
  /** Only calls bridged to the agent linked to this user (a user with role agent); null: the whole organisation's. */
  agentUserId: number | null;
}

export function callScope(principal: Principal): CallScope {
  return { orgId: principal.orgId, agentUserId: principal.role === 'agent' ? principal.userId : null };
}
