// Whose call logs and follow-up tasks a caller reaches (seed 003's matrix): an agent only its own,
// everyone else all of the organisation's. Which leads it may log calls on is leads/access.ts.
import type { Principal } from '../../accounts/auth/principal.js';

export interface AuthorScope {
  orgId: string;
  /** Only this user's rows (an agent); null: the whole organisation's. */
  userId: number | null;
}

export function authorScope(principal: Principal): AuthorScope {
  return { orgId: principal.orgId, userId: principal.role === 'agent' ? principal.userId : null };
}
