// The priced AI calls of a period, summed in SQL (numeric: exact). Functions take `db` first.
//
// A priced AI call is an AI outbound call attempt with a cost, counted at `started_at`, a voice
// conversation priced on its own (an inbound call to an agent; a conversation of an outbound call
// is priced with that call), counted at its `started_at`, or an agent's inbound call that never
// reached a conversation (priced on the call, telephony only), counted at its `created_at`. Text
// test sessions are priced too, but are not calls: they are left out here.
import { sql } from 'kysely';
import type { Db } from '../../../db/types.js';
import type { CallFilter } from './call-figures.js';
import type { GroupBy } from './range.js';

export interface CostRow {
  agentId: string;
  agentName: string;
  /** The bucket's first local date (null without a grouping). */
  bucket: string | null;
  calls: number;
  total: string;
  telephony: string;
  stt: string;
  llm: string;
  tts: string;
}

export async function costRows(db: Db, f: CallFilter, grouping: { groupBy: GroupBy; timeZone: string } | null): Promise<CostRow[]> {
  const outboundAgent = f.agentId === null ? sql`` : sql`AND o.agent_id = ${f.agentId}`;
  const conversationAgent = f.agentId === null ? sql`` : sql`AND v.agent_id = ${f.agentId}`;
  const callAgent = f.agentId === null ? sql`` : sql`AND c.ai_agent_id = ${f.agentId}`;
  const bucket = grouping === null ? sql`NULL::timestamp` : sql`date_trunc(${grouping.groupBy}, p.at AT TIME ZONE ${grouping.timeZone})`;
  // Summed per agent (and period) first, the agents' names joined to the few sums after.
  const result = await sql<{ agent_id: string; agent_name: string; bucket: string | null; calls: string; total: string; telephony: string; stt: string; llm: string; tts: string }>`
    SELECT s.agent_id, g.name AS agent_name, to_char(s.bucket, 'YYYY-MM-DD') AS bucket, s.calls, s.total, s.telephony, s.stt, s.llm, s.tts
      FROM (
        SELECT p.agent_id, ${bucket} AS bucket, count(*) AS calls, sum(p.cost) AS total,
               sum(coalesce((p.b->>'telephony')::numeric, 0)) AS telephony,
               sum(coalesce((p.b->>'stt')::numeric, 0)) AS stt,
               sum(coalesce((p.b->>'llm')::numeric, 0)) AS llm,
               sum(coalesce((p.b->>'tts')::numeric, 0)) AS tts
          FROM (
            SELECT o.agent_id, o.started_at AS at, o.cost, o.cost_breakdown AS b
              FROM ai_outbound_calls o
             WHERE o.org_id = ${f.orgId} AND o.started_at IS NOT NULL AND o.started_at >= ${f.from} AND o.started_at < ${f.to}
               AND o.cost IS NOT NULL ${outboundAgent}
            UNION ALL
            SELECT v.agent_id, v.started_at, v.cost, v.cost_breakdown
              FROM ai_conversations v
             WHERE v.org_id = ${f.orgId} AND v.started_at >= ${f.from} AND v.started_at < ${f.to}
               AND v.cost IS NOT NULL AND v.channel = 'voice' ${conversationAgent}
            UNION ALL
            SELECT c.ai_agent_id, c.created_at, c.ai_cost, c.ai_cost_breakdown
              FROM calls c
             WHERE c.org_id = ${f.orgId} AND c.ai_agent_id IS NOT NULL AND c.created_at >= ${f.from} AND c.created_at < ${f.to}
               AND c.ai_cost IS NOT NULL ${callAgent}
          ) p
         GROUP BY p.agent_id, 2
      ) s
      JOIN ai_agents g ON g.id = s.agent_id`.execute(db);
  return result.rows.map((r) => ({
    agentId: r.agent_id,
    agentName: r.agent_name,
    bucket: r.bucket,
    calls: Number(r.calls),
    total: r.total,
    telephony: r.telephony,
    stt: r.stt,
    llm: r.llm,
    tts: r.tts,
  }));
}
