// Which agents a caller reaches: a user with role agent only the agent record that is itself
// (to read it and set its presence), everyone else all of the organisation's.
import type { Principal } from '../../accounts/auth/principal.js';

export interface AgentScope {
  orgId: string;
  /** Only the agent linked to this user (a user with role agent); null: the whole organisation's. */
  userId: number | null;
}

export function agentScope(principal: Principal): AgentScope {
  return { orgId: principal.orgId, userId: principal.role === 'agent' ? principal.userId : null };
}
