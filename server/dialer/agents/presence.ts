// An agent's presence, changed race-free: one statement locks the agent row, compares the
// current status (and the expected one, when the caller names it), sets the new status with the
// next status_version, and writes the history row — so changes by people (the API) and by calls
// (the dialer) never interleave, and each history row's from_status is the previous row's
// to_status. Use it for every presence change; nothing else writes agents.status. A change raises
// agent.status_changed in the same transaction.
import { sql } from 'kysely';
import type { AgentStatus, AgentStatusReason, Db } from '../../../db/types.js';
import { iso } from '../../platform/common/dates.js';
import { inTransaction } from '../../platform/common/transaction.js';
import { raiseEvent } from '../../platform/events/raise.js';

export interface PresenceChange {
  to: AgentStatus;
  /** Change only while the agent is in this status (compare-and-set); absent: whatever it is. */
  from?: AgentStatus;
  reason: AgentStatusReason;
  /** Who asked (a person), for the history. */
  userId?: number | null;
}

export type PresenceResult =
  /** Changed from `previous` to `status`, as change number `version`. */
  | { outcome: 'changed'; previous: AgentStatus; status: AgentStatus; version: number }
  /** Already in the status asked for: nothing written. */
  | { outcome: 'unchanged'; status: AgentStatus; version: number }
  /** `from` was named and the agent is in another status: nothing written. */
  | { outcome: 'conflict'; status: AgentStatus; version: number }
  | { outcome: 'not_found' };

interface Row {
  before: AgentStatus;
  before_version: number;
  after: AgentStatus | null;
  after_version: number | null;
  changed_at: Date | null;
}

export function setAgentPresence(db: Db, orgId: string, agentId: string, change: PresenceChange): Promise<PresenceResult> {
  return inTransaction(db, async (trx) => {
    const result = await writePresence(trx, orgId, agentId, change);
    if (result.outcome === 'changed') {
      const data = { agentId, status: result.status, previousStatus: result.previous, reason: change.reason, statusVersion: result.version, changedAt: iso(result.changedAt) };
      await raiseEvent(trx, { orgId, type: 'agent.status_changed', data, occurredAt: result.changedAt });
    }
    return result;
  });
}

type WriteResult = Exclude<PresenceResult, { outcome: 'changed' }> | (Extract<PresenceResult, { outcome: 'changed' }> & { changedAt: Date });

async function writePresence(db: Db, orgId: string, agentId: string, change: PresenceChange): Promise<WriteResult> {
  const from = change.from ?? null;
  // FOR UPDATE waits for a concurrent change and then reads the row as that change left it.
  const { rows } = await sql<Row>`
    WITH cur AS (
      SELECT id, status, status_version FROM agents WHERE org_id = ${orgId} AND id = ${agentId} FOR UPDATE
    ),
    upd AS (
      UPDATE agents a
      SET status = ${change.to}, status_version = cur.status_version + 1, status_changed_at = clock_timestamp(), updated_at = now()
      FROM cur
      WHERE a.id = cur.id AND cur.status <> ${change.to} AND (${from}::text IS NULL OR cur.status = ${from}::text)
      RETURNING a.id, a.org_id, a.status, a.status_version, a.status_changed_at, cur.status AS previous
    ),
    ins AS (
      INSERT INTO agent_status_changes (org_id, agent_id, from_status, to_status, reason, user_id, changed_at)
      SELECT org_id, id, previous, status, ${change.reason}, ${change.userId ?? null}::integer, status_changed_at FROM upd
    )
    SELECT cur.status AS before, cur.status_version AS before_version, upd.status AS after, upd.status_version AS after_version,
           upd.status_changed_at AS changed_at
    FROM cur LEFT JOIN upd ON true
  `.execute(db);
  const row = rows[0];
  if (!row) return { outcome: 'not_found' };
  if (row.after !== null && row.after_version !== null && row.changed_at !== null) {
    return { outcome: 'changed', previous: row.before, status: row.after, version: row.after_version, changedAt: row.changed_at };
  }
  if (row.before === change.to) return { outcome: 'unchanged', status: row.before, version: row.before_version };
  return { outcome: 'conflict', status: row.before, version: row.before_version };
}
