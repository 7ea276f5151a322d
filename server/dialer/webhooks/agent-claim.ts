// Taking an agent for an answered call: the group's available agent available longest, locked
// with SKIP LOCKED (calls answered at the same moment each get a different agent instead of all
// trying the same one), then changed with the compare-and-set (available → busy, reason call) in
// the same transaction, so that a person changing the status meanwhile is never overwritten.
import type { Transaction } from 'kysely';
import type { AgentRow, DB, Db } from '../../../db/types.js';
import { setAgentPresence } from '../agents/presence.js';

async function claimIn(trx: Db, orgId: string, groupId: string): Promise<AgentRow | null> {
  const agent = await trx
    .selectFrom('agents')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('group_id', '=', groupId)
    .where('is_active', '=', true)
    .where('status', '=', 'available')
    .orderBy('status_changed_at')
    .orderBy('id')
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  if (!agent) return null;
  const result = await setAgentPresence(trx, orgId, agent.id, { from: 'available', to: 'busy', reason: 'call' });
  return result.outcome === 'changed' ? agent : null;
}

export async function claimAgent(db: Db, orgId: string, groupId: string): Promise<AgentRow | null> {
  if (db.isTransaction) return claimIn(db, orgId, groupId);
  return db.transaction().execute((trx: Transaction<DB>) => claimIn(trx, orgId, groupId));
}

/** The agent free again after its call (only if still busy: a break set meanwhile is kept). */
export async function releaseAgent(db: Db, orgId: string, agentId: string): Promise<void> {
  await setAgentPresence(db, orgId, agentId, { from: 'busy', to: 'available', reason: 'call' });
}
