// Reading an agent's versions (ai_agent_versions: immutable, one per change). Functions take `db` first.
import type { Db } from '../../../db/types.js';
import type { AgentSettings, AgentVersion } from './settings.js';

/** The agent's newest version, scoped to the organisation; undefined for another's, an unknown or an archived agent. */
export async function currentAgentVersion(db: Db, orgId: string, agentId: string): Promise<AgentVersion | undefined> {
  const row = await db
    .selectFrom('ai_agents as a')
    .innerJoin('ai_agent_versions as v', (join) => join.onRef('v.agent_id', '=', 'a.id').onRef('v.version', '=', 'a.version'))
    .select(['v.agent_id', 'v.org_id', 'v.version', 'v.settings', 'v.created_at'])
    .where('a.org_id', '=', orgId)
    .where('a.id', '=', agentId)
    .where('a.archived_at', 'is', null)
    .executeTakeFirst();
  return row && presentVersion(row);
}

/** One version of the agent (archived agents' too: a past call names the version it ran). */
export async function agentVersion(db: Db, orgId: string, agentId: string, version: number): Promise<AgentVersion | undefined> {
  const row = await db
    .selectFrom('ai_agent_versions')
    .select(['agent_id', 'org_id', 'version', 'settings', 'created_at'])
    .where('org_id', '=', orgId)
    .where('agent_id', '=', agentId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row && presentVersion(row);
}

function presentVersion(row: { agent_id: string; org_id: string; version: number; settings: Record<string, unknown>; created_at: Date }): AgentVersion {
  return { agentId: row.agent_id, orgId: row.org_id, version: row.version, settings: row.settings as unknown as AgentSettings, createdAt: row.created_at };
}
