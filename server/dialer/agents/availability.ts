// Can an agent take a call now: active, `available`, inside its working hours (read in its own
// time zone) and below its maxConcurrentCalls (its outbound calls not ended yet). Used by the
// pacing (how many agents can take calls) and by the claim of an agent for an answered call.
import type { AgentRow, Db } from '../../../db/types.js';
import { isOpen } from '../../platform/common/weekly-hours.js';

/** May this agent take one more call at `now`? (pure) */
export function agentCanTake(agent: Pick<AgentRow, 'working_hours' | 'time_zone' | 'max_concurrent_calls'>, openCalls: number, now: Date): boolean {
  return openCalls < agent.max_concurrent_calls && isOpen(agent.working_hours, agent.time_zone, now);
}

/** Outbound calls bridged to each agent and not ended yet. */
export async function openCallsOf(db: Db, agentIds: readonly string[]): Promise<Map<string, number>> {
  if (agentIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('calls')
    .select(['agent_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('agent_id', 'in', agentIds)
    .where('status_rank', '<', 4)
    .groupBy('agent_id')
    .execute();
  return new Map(rows.map((row) => [row.agent_id!, Number(row.n)]));
}

/** Active agents of the group who could take a call now (available, on shift, below their limit). */
export async function takingAgentCount(db: Db, orgId: string, groupId: string, now: Date): Promise<number> {
  const agents = await db
    .selectFrom('agents')
    .select(['id', 'working_hours', 'time_zone', 'max_concurrent_calls'])
    .where('org_id', '=', orgId)
    .where('group_id', '=', groupId)
    .where('is_active', '=', true)
    .where('status', '=', 'available')
    .execute();
  // Every agent's open calls, as the claim counts them (agent-claim.ts): an agent freed by its own
  // leg's end while the lead's leg is still open has no room for another call.
  const open = await openCallsOf(db, agents.map((agent) => agent.id));
  return agents.filter((agent) => agentCanTake(agent, open.get(agent.id) ?? 0, now)).length;
}
