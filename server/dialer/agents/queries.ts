// Agent queries. Every one is scoped by organisation, and for a user with role agent by its own
// agent record (`scope`). Presence is changed by presence.ts only.
import { sql } from 'kysely';
import type { AgentPatch, AgentRow, AgentStatus, AgentStatusChangeRow, Db, NewAgent } from '../../../db/types.js';
import type { AgentScope } from './access.js';

export interface AgentFilters {
  status?: AgentStatus;
  groupId?: string;
  limit: number;
  offset: number;
}

function scoped(db: Db, scope: AgentScope) {
  let query = db.selectFrom('agents').where('agents.org_id', '=', scope.orgId);
  if (scope.userId !== null) query = query.where('agents.user_id', '=', scope.userId);
  return query;
}

export function findAgent(db: Db, scope: AgentScope, id: string): Promise<AgentRow | undefined> {
  return scoped(db, scope).selectAll().where('id', '=', id).executeTakeFirst();
}

/** One page of agents by name, and how many match in all. */
export async function listAgents(db: Db, scope: AgentScope, filters: AgentFilters): Promise<{ rows: AgentRow[]; total: number }> {
  let base = scoped(db, scope);
  if (filters.status !== undefined) base = base.where('status', '=', filters.status);
  if (filters.groupId !== undefined) base = base.where('group_id', '=', filters.groupId);
  const rows = await base.selectAll().orderBy('name').orderBy('id').limit(filters.limit).offset(filters.offset).execute();
  const total =
    filters.offset === 0 && rows.length < filters.limit
      ? rows.length
      : Number((await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  return { rows, total };
}

export function insertAgent(db: Db, values: NewAgent): Promise<AgentRow> {
  return db.insertInto('agents').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Change an agent (of the organisation); undefined when there is none. */
export function updateAgent(db: Db, orgId: string, id: string, patch: AgentPatch): Promise<AgentRow | undefined> {
  return db
    .updateTable('agents')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Delete an agent and its presence history; false when there is none. */
export async function deleteAgent(db: Db, orgId: string, id: string): Promise<boolean> {
  return (await db.deleteFrom('agents').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst()).numDeletedRows > 0n;
}

/** The last presence change before `at` (null when none) and the changes from `at` on, in order. */
export async function presenceHistory(db: Db, agentId: string, at: Date): Promise<{ before: AgentStatusChangeRow | null; since: AgentStatusChangeRow[] }> {
  const [before, since] = await Promise.all([
    db.selectFrom('agent_status_changes').selectAll().where('agent_id', '=', agentId).where('changed_at', '<', at).orderBy('id', 'desc').limit(1).executeTakeFirst(),
    db.selectFrom('agent_status_changes').selectAll().where('agent_id', '=', agentId).where('changed_at', '>=', at).orderBy('id').execute(),
  ]);
  return { before: before ?? null, since };
}

/**
 * An agent's calls since `from` (the dialer links a call to the agent it bridged): how many, how
 * many answered (a person talked with the agent), their talk time, and the calls not ended yet.
 */
export async function agentCallFigures(db: Db, orgId: string, agentId: string, from: Date): Promise<{ total: number; answered: number; talkSec: number; current: number }> {
  const row = await db
    .selectFrom('calls')
    .select([
      sql<string>`count(*) FILTER (WHERE created_at >= ${from})`.as('total'),
      sql<string>`count(*) FILTER (WHERE created_at >= ${from} AND disposition = 'answered')`.as('answered'),
      sql<string>`COALESCE(sum(talk_time_sec) FILTER (WHERE created_at >= ${from}), 0)`.as('talk'),
      sql<string>`count(*) FILTER (WHERE status_rank < 4)`.as('current'),
    ])
    .where('org_id', '=', orgId)
    .where('agent_id', '=', agentId)
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), answered: Number(row.answered), talkSec: Number(row.talk), current: Number(row.current) };
}
