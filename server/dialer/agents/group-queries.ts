// Agent-group queries, scoped by organisation; a group is read with how many agents it has.
import { sql } from 'kysely';
import type { AgentGroupPatch, Db, NewAgentGroup } from '../../../db/types.js';
import type { AgentGroupWithCount } from './mapping.js';

function withCount(db: Db, orgId: string) {
  return db
    .selectFrom('agent_groups')
    .selectAll('agent_groups')
    .select((eb) => eb.selectFrom('agents').whereRef('agents.group_id', '=', 'agent_groups.id').select(eb.fn.countAll<string>().as('n')).as('agent_count'))
    .where('agent_groups.org_id', '=', orgId);
}

export async function findAgentGroup(db: Db, orgId: string, id: string): Promise<AgentGroupWithCount | undefined> {
  const row = await withCount(db, orgId).where('agent_groups.id', '=', id).executeTakeFirst();
  return row ? { ...row, agent_count: row.agent_count ?? 0 } : undefined;
}

export async function listAgentGroups(db: Db, orgId: string): Promise<AgentGroupWithCount[]> {
  const rows = await withCount(db, orgId).orderBy('agent_groups.name').orderBy('agent_groups.id').execute();
  return rows.map((row) => ({ ...row, agent_count: row.agent_count ?? 0 }));
}

/** Whether a group is the organisation's. */
export async function isAgentGroupOfOrg(db: Db, orgId: string, id: string): Promise<boolean> {
  return (await db.selectFrom('agent_groups').select('id').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst()) !== undefined;
}

export async function insertAgentGroup(db: Db, values: NewAgentGroup): Promise<string> {
  return (await db.insertInto('agent_groups').values(values).returning('id').executeTakeFirstOrThrow()).id;
}

export async function updateAgentGroup(db: Db, orgId: string, id: string, patch: AgentGroupPatch): Promise<boolean> {
  const result = await db
    .updateTable('agent_groups')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Delete a group (its agents stay, without one); false when there is none. */
export async function deleteAgentGroup(db: Db, orgId: string, id: string): Promise<boolean> {
  return (await db.deleteFrom('agent_groups').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst()).numDeletedRows > 0n;
}
