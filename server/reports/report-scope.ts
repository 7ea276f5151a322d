// Whose figures an analytics answer or a generated report counts (seed 003's matrix: analytics
// "own only" for an agent). A user with role agent: the calls bridged to its agent record
// (agents.user_id; none without one), its own call logs, the leads assigned to it — the same
// rules as inbound/calls/access.ts, crm/call-logs/access.ts and crm/leads/access.ts. Anyone else:
// the organisation's, or the agents and campaigns a filter names (another organisation's id, or an
// agent-role caller naming another agent, is a 404).
import type { Principal } from '../accounts/auth/principal.js';
import type { Db } from '../../db/types.js';
import { ERRORS } from '../platform/errors.js';

export interface ReportScope {
  orgId: string;
  /** The caller has role agent: its own figures only. */
  own: boolean;
  /** Agents whose calls count; null: every call. */
  agentIds: string[] | null;
  /** Users whose call logs and leads count; null: everyone's. */
  userIds: number[] | null;
  /** Campaigns whose calls, call logs (of their leads) and leads count; null: all. */
  campaignIds: string[] | null;
}

export interface AgentLabel {
  id: string;
  name: string;
  userId: number | null;
}

export interface ScopeFilters {
  agentIds?: readonly string[] | undefined;
  campaignIds?: readonly string[] | undefined;
}

async function checkCampaigns(db: Db, orgId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const found = new Set((await db.selectFrom('campaigns').select('id').where('org_id', '=', orgId).where('id', 'in', ids).execute()).map((r) => r.id));
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw ERRORS.notFound('Campaign', missing);
  return [...ids];
}

/** The agents a filter names (all the organisation's), or the agent-role caller's own. */
async function findAgents(db: Db, orgId: string, where: { ids: readonly string[] } | { userId: number }): Promise<AgentLabel[]> {
  let query = db.selectFrom('agents').select(['id', 'name', 'user_id']).where('org_id', '=', orgId);
  query = 'ids' in where ? query.where('id', 'in', where.ids) : query.where('user_id', '=', where.userId);
  return (await query.orderBy('name').orderBy('id').execute()).map((r) => ({ id: r.id, name: r.name, userId: r.user_id }));
}

/** Resolves the caller and its filters (UUIDs the contract checked) into a scope. */
export async function resolveReportScope(db: Db, principal: Principal, given: ScopeFilters): Promise<ReportScope> {
  const orgId = principal.orgId;
  const lower = (ids: readonly string[] | undefined) => ids?.map((id) => id.toLowerCase());
  const filters = { agentIds: lower(given.agentIds), campaignIds: lower(given.campaignIds) };
  const campaignIds = filters.campaignIds === undefined ? null : await checkCampaigns(db, orgId, filters.campaignIds);
  if (principal.role === 'agent') {
    const own = await findAgents(db, orgId, { userId: principal.userId });
    const other = filters.agentIds?.find((id) => !own.some((a) => a.id === id));
    if (other !== undefined) throw ERRORS.notFound('Agent', other);
    return { orgId, own: true, agentIds: own.map((a) => a.id), userIds: [principal.userId], campaignIds };
  }
  if (filters.agentIds === undefined) return { orgId, own: false, agentIds: null, userIds: null, campaignIds };
  const agents = filters.agentIds.length === 0 ? [] : await findAgents(db, orgId, { ids: filters.agentIds });
  const missing = filters.agentIds.find((id) => !agents.some((a) => a.id === id));
  if (missing !== undefined) throw ERRORS.notFound('Agent', missing);
  return { orgId, own: false, agentIds: agents.map((a) => a.id), userIds: agents.flatMap((a) => (a.userId === null ? [] : [a.userId])), campaignIds };
}

/** The agents a scope covers, by name: the rows of an agent report. */
export async function agentsInScope(db: Db, scope: ReportScope): Promise<AgentLabel[]> {
  if (scope.agentIds === null) {
    const rows = await db.selectFrom('agents').select(['id', 'name', 'user_id']).where('org_id', '=', scope.orgId).orderBy('name').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, userId: r.user_id }));
  }
  return scope.agentIds.length === 0 ? [] : findAgents(db, scope.orgId, { ids: scope.agentIds });
}
