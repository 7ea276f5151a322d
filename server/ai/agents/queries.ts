// AI agent rows and their versions, every query scoped by the organisation. An archived agent
// (archived_at set) is absent for the API. Functions take `db` or a transaction first.
import { sql } from 'kysely';
import type { AiAgentPatch, AiAgentRow, Db, NewAiAgent } from '../../../db/types.js';
import type { AgentSettings } from './settings.js';
import type { VersionRow } from './mapping.js';

export async function listAgentsInOrg(
  db: Db,
  orgId: string,
  options: { isActive?: boolean | undefined; limit: number; offset: number },
): Promise<{ rows: AiAgentRow[]; total: number }> {
  let base = db.selectFrom('ai_agents').where('org_id', '=', orgId).where('archived_at', 'is', null);
  if (options.isActive !== undefined) base = base.where('is_active', '=', options.isActive);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(options.limit).offset(options.offset).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export function findAgentInOrg(db: Db, orgId: string, id: string): Promise<AiAgentRow | undefined> {
  return db.selectFrom('ai_agents').selectAll().where('org_id', '=', orgId).where('id', '=', id).where('archived_at', 'is', null).executeTakeFirst();
}

/** The agent row locked for the rest of the transaction: changes to one agent are made one at a time. */
export function lockAgentInOrg(trx: Db, orgId: string, id: string): Promise<AiAgentRow | undefined> {
  return trx
    .selectFrom('ai_agents')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('archived_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export function insertAgent(trx: Db, values: NewAiAgent): Promise<AiAgentRow> {
  return trx.insertInto('ai_agents').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateAgentRow(trx: Db, orgId: string, id: string, patch: AiAgentPatch): Promise<AiAgentRow> {
  return trx
    .updateTable('ai_agents')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** One immutable version (the primary key (agent_id, version) refuses a second row of a number). */
export async function insertVersion(trx: Db, row: { agentId: string; orgId: string; version: number; settings: AgentSettings; userId: number | null }): Promise<void> {
  await trx
    .insertInto('ai_agent_versions')
    .values({ agent_id: row.agentId, org_id: row.orgId, version: row.version, settings: JSON.stringify(row.settings), created_by_user_id: row.userId })
    .execute();
}

export async function listVersions(db: Db, orgId: string, agentId: string, limit: number, offset: number): Promise<{ rows: VersionRow[]; total: number }> {
  const base = db.selectFrom('ai_agent_versions').where('org_id', '=', orgId).where('agent_id', '=', agentId);
  const [rows, count] = await Promise.all([
    base.select(['agent_id', 'version', 'settings', 'created_by_user_id', 'created_at']).orderBy('version', 'desc').limit(limit).offset(offset).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export function findVersion(db: Db, orgId: string, agentId: string, version: number): Promise<VersionRow | undefined> {
  return db
    .selectFrom('ai_agent_versions')
    .select(['agent_id', 'version', 'settings', 'created_by_user_id', 'created_at'])
    .where('org_id', '=', orgId)
    .where('agent_id', '=', agentId)
    .where('version', '=', version)
    .executeTakeFirst();
}

/** Which of `ids` are the organisation's dialer agents. */
export async function ownHumanAgentIds(db: Db, orgId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('agents').select('id').where('org_id', '=', orgId).where('id', 'in', [...ids]).execute();
  return new Set(rows.map((r) => r.id));
}

/** Which of `ids` are the organisation's campaigns. */
export async function ownCampaignIds(db: Db, orgId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('campaigns').select('id').where('org_id', '=', orgId).where('id', 'in', [...ids]).execute();
  return new Set(rows.map((r) => r.id));
}

export interface AgentUsage {
  /** AI outbound calls still to be placed (scheduled or queued). */
  pendingCalls: number;
  activeSchedules: number;
  /** Records that name the agent (calls, conversations, AI outbound calls of any status). */
  referenced: boolean;
}

export async function agentUsage(trx: Db, orgId: string, agentId: string): Promise<AgentUsage> {
  const row = await sql<{ pending_calls: string; active_schedules: string; referenced: boolean }>`
    SELECT
      (SELECT count(*) FROM ai_outbound_calls WHERE org_id = ${orgId} AND agent_id = ${agentId} AND status IN ('scheduled', 'queued')) AS pending_calls,
      (SELECT count(*) FROM ai_schedules WHERE org_id = ${orgId} AND agent_id = ${agentId} AND is_active) AS active_schedules,
      (EXISTS (SELECT 1 FROM calls WHERE ai_agent_id = ${agentId})
        OR EXISTS (SELECT 1 FROM ai_conversations WHERE agent_id = ${agentId})
        OR EXISTS (SELECT 1 FROM ai_outbound_calls WHERE agent_id = ${agentId})
        OR EXISTS (SELECT 1 FROM ai_schedules WHERE agent_id = ${agentId})) AS referenced
  `.execute(trx);
  const usage = row.rows[0]!;
  return { pendingCalls: Number(usage.pending_calls), activeSchedules: Number(usage.active_schedules), referenced: usage.referenced };
}

/** Archives the agent (hidden from the API, its versions kept) and unassigns its numbers. */
export async function archiveAgent(trx: Db, orgId: string, agentId: string): Promise<void> {
  await trx.updateTable('phone_numbers').set({ ai_agent_id: null, updated_at: sql<Date>`now()` }).where('org_id', '=', orgId).where('ai_agent_id', '=', agentId).execute();
  await trx.updateTable('ai_agents').set({ archived_at: sql<Date>`now()`, updated_at: sql<Date>`now()` }).where('org_id', '=', orgId).where('id', '=', agentId).execute();
}

/** Deletes the agent with its versions (its numbers are unassigned by ON DELETE SET NULL). */
export async function deleteAgentRow(trx: Db, orgId: string, agentId: string): Promise<void> {
  await trx.deleteFrom('ai_agents').where('org_id', '=', orgId).where('id', '=', agentId).execute();
}

export function agentNumbers(db: Db, orgId: string, agentId: string) {
  return db
    .selectFrom('phone_numbers')
    .select(['id', 'phone_number', 'friendly_name', 'ai_agent_id', 'is_active'])
    .where('org_id', '=', orgId)
    .where('ai_agent_id', '=', agentId)
    .orderBy('id')
    .execute();
}
