// Creating, changing and deleting agents, each in one transaction: every create or change writes
// its immutable version beside the row (version + 1) while the agent row is locked, so concurrent
// changes are made one after the other (no version number twice, none lost); a change that
// changes nothing makes no version.
import type { AiAgentRow, Db } from '../../../db/types.js';
import { isForeignKeyViolation } from '../../platform/common/pg-errors.js';
import { inTransaction } from '../../platform/common/transaction.js';
import { ERRORS } from '../../platform/errors.js';
import { type AgentBody, applyAgentBody, defaultSettings, sameSettings, type ToolCheck } from './changes.js';
import { columnsOf, settingsOfRow } from './mapping.js';
import {
  agentUsage,
  archiveAgent,
  deleteAgentRow,
  insertAgent,
  insertVersion,
  lockAgentInOrg,
  ownCampaignIds,
  ownHumanAgentIds,
  updateAgentRow,
} from './queries.js';
import type { AgentSettings } from './settings.js';
import { isOwnTrackingNumber } from '../../inbound/numbers/queries.js';

export interface Actor {
  orgId: string;
  userId: number | null;
}

/** 400 naming every tool reference that is not the organisation's. */
async function checkReferences(db: Db, orgId: string, check: ToolCheck): Promise<void> {
  const [agents, campaigns, ownNumbers] = await Promise.all([
    ownHumanAgentIds(db, orgId, check.humanAgents.map((r) => r.id)),
    ownCampaignIds(db, orgId, check.campaigns.map((r) => r.id)),
    Promise.all(check.numbers.map((r) => isOwnTrackingNumber(db, orgId, r.id))),
  ]);
  const problems: Record<string, string> = {};
  for (const ref of check.humanAgents) if (!agents.has(ref.id)) problems[ref.field] = "is not one of the organisation's agents";
  for (const ref of check.campaigns) if (!campaigns.has(ref.id)) problems[ref.field] = "is not one of the organisation's campaigns";
  // One of our own tracking numbers would bring the caller back in through the voice webhook, as a new call.
  check.numbers.forEach((ref, i) => {
    if (ownNumbers[i]) problems[ref.field] = "is one of this organisation's tracking numbers: the transferred call would come back in as a new call";
  });
  if (Object.keys(problems).length > 0) throw ERRORS.validation(problems);
}

function settingsAfter(base: AgentSettings, body: AgentBody) {
  const change = applyAgentBody(base, body);
  if ('problems' in change) throw ERRORS.validation(change.problems);
  return change;
}

export async function createAgent(db: Db, actor: Actor, body: AgentBody, defaultModel: string): Promise<AiAgentRow> {
  const { settings, check } = settingsAfter(defaultSettings(defaultModel), body);
  await checkReferences(db, actor.orgId, check);
  return inTransaction(db, async (trx) => {
    const row = await insertAgent(trx, { ...columnsOf(settings), org_id: actor.orgId, version: 1, created_by_user_id: actor.userId });
    await insertVersion(trx, { agentId: row.id, orgId: actor.orgId, version: 1, settings: settingsOfRow(row), userId: actor.userId });
    return row;
  });
}

/**
 * The agent after `body`: undefined when it is not the organisation's (or archived). The body is
 * judged against the settings read under the row lock, so two concurrent changes each see the
 * other's result.
 */
export async function updateAgent(db: Db, actor: Actor, agentId: string, body: AgentBody): Promise<AiAgentRow | undefined> {
  return inTransaction(db, async (trx) => {
    const current = await lockAgentInOrg(trx, actor.orgId, agentId);
    if (!current) return undefined;
    const before = settingsOfRow(current);
    const { settings, check } = settingsAfter(before, body);
    if (sameSettings(settings, before)) return current;
    await checkReferences(trx, actor.orgId, check);
    const version = current.version + 1;
    const row = await updateAgentRow(trx, actor.orgId, agentId, { ...columnsOf(settings), version });
    await insertVersion(trx, { agentId, orgId: actor.orgId, version, settings: settingsOfRow(row), userId: actor.userId });
    return row;
  });
}

export type DeleteOutcome = 'deleted' | 'archived' | 'not_found';

/**
 * Refused (409) while calls are still to be placed with the agent or schedules use it; archived
 * when records name it; else deleted with its versions.
 */
export async function deleteAgent(db: Db, orgId: string, agentId: string): Promise<DeleteOutcome> {
  try {
    return await inTransaction(db, async (trx) => {
      const current = await lockAgentInOrg(trx, orgId, agentId);
      if (!current) return 'not_found';
      const usage = await agentUsage(trx, orgId, agentId);
      if (usage.pendingCalls > 0) {
        throw ERRORS.conflict({ id: `is used by ${usage.pendingCalls} scheduled AI outbound call(s); cancel them first` });
      }
      if (usage.activeSchedules > 0) {
        throw ERRORS.conflict({ id: `is used by ${usage.activeSchedules} active recurring schedule(s); deactivate or delete them first` });
      }
      if (usage.referenced) {
        await archiveAgent(trx, orgId, agentId);
        return 'archived';
      }
      await deleteAgentRow(trx, orgId, agentId);
      return 'deleted';
    });
  } catch (err) {
    // A call or schedule naming the agent was written meanwhile.
    if (isForeignKeyViolation(err)) throw ERRORS.conflict({ id: 'is used by records written meanwhile; try again' });
    throw err;
  }
}
