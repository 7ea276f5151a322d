// The organisation's AI figures now (seed 004's /stats), counted in SQL. Functions take `db` first.
import { sql } from 'kysely';
import type { Db } from '../../../db/types.js';

export interface AiStatsRow {
  outbound: number;
  outboundCompleted: number;
  inbound: number;
  inboundCompleted: number;
  agents: number;
  activeAgents: number;
  /** Outbound calls due now and not yet placed (queued, or scheduled for now or earlier). */
  waiting: number;
  /** Outbound calls scheduled for later. */
  scheduled: number;
  /** Outbound calls in progress, and inbound conversations with an agent going on. */
  active: number;
}

/** A conversation not ended after this long is not counted as going on (Twilio ends a call after 4 hours). */
const STALE_CONVERSATION = '4 hours';

export async function aiStats(db: Db, orgId: string): Promise<AiStatsRow> {
  const result = await sql<Record<string, string>>`
    SELECT
      (SELECT count(*) FROM ai_outbound_calls WHERE org_id = ${orgId} AND started_at IS NOT NULL) AS outbound,
      (SELECT count(*) FROM ai_outbound_calls WHERE org_id = ${orgId} AND started_at IS NOT NULL AND status = 'completed') AS outbound_completed,
      (SELECT count(*) FROM calls WHERE org_id = ${orgId} AND ai_agent_id IS NOT NULL AND direction = 'inbound') AS inbound,
      (SELECT count(*) FROM calls WHERE org_id = ${orgId} AND ai_agent_id IS NOT NULL AND direction = 'inbound' AND status = 'completed') AS inbound_completed,
      (SELECT count(*) FROM ai_agents WHERE org_id = ${orgId} AND archived_at IS NULL) AS agents,
      (SELECT count(*) FROM ai_agents WHERE org_id = ${orgId} AND archived_at IS NULL AND is_active) AS active_agents,
      (SELECT count(*) FROM ai_outbound_calls WHERE org_id = ${orgId}
          AND (status = 'queued' OR (status = 'scheduled' AND scheduled_for <= now()))) AS waiting,
      (SELECT count(*) FROM ai_outbound_calls WHERE org_id = ${orgId} AND status = 'scheduled' AND scheduled_for > now()) AS scheduled,
      (SELECT count(*) FROM ai_outbound_calls WHERE org_id = ${orgId} AND status = 'in-progress')
        + (SELECT count(*) FROM ai_conversations v WHERE v.org_id = ${orgId} AND v.ended_at IS NULL AND v.channel = 'voice'
              AND v.outbound_call_id IS NULL AND v.started_at > now() - ${STALE_CONVERSATION}::interval
              AND NOT EXISTS (SELECT 1 FROM ai_outbound_calls o WHERE v.call_id IS NOT NULL AND o.call_id = v.call_id)) AS active`.execute(db);
  const r = result.rows[0] ?? {};
  const n = (key: string) => Number(r[key] ?? 0);
  return {
    outbound: n('outbound'),
    outboundCompleted: n('outbound_completed'),
    inbound: n('inbound'),
    inboundCompleted: n('inbound_completed'),
    agents: n('agents'),
    activeAgents: n('active_agents'),
    waiting: n('waiting'),
    scheduled: n('scheduled'),
    active: n('active'),
  };
}
