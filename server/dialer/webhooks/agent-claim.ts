// Taking an agent for an answered call: the group's available agents, longest available first,
// each tried with a compare-and-set (available → busy, reason call) so that two calls (or a person
// changing the status) never take the same agent; the first that changes is this call's.
import type { AgentRow, Db } from '../../../db/types.js';
import { setAgentPresence } from '../agents/presence.js';

const TRIES = 5;

export async function claimAgent(db: Db, orgId: string, groupId: string): Promise<AgentRow | null> {
  const candidates = await db
    .selectFrom('agents')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('group_id', '=', groupId)
    .where('is_active', '=', true)
    .where('status', '=', 'available')
    .orderBy('status_changed_at')
    .orderBy('id')
    .limit(TRIES)
    .execute();
  for (const agent of candidates) {
    const result = await setAgentPresence(db, orgId, agent.id, { from: 'available', to: 'busy', reason: 'call' });
    if (result.outcome === 'changed') return agent;
  }
  return null;
}

/** The agent free again after its call (only if still busy: a break set meanwhile is kept). */
export async function releaseAgent(db: Db, orgId: string, agentId: string): Promise<void> {
  await setAgentPresence(db, orgId, agentId, { from: 'busy', to: 'available', reason: 'call' });
}
