// The AI calls of a period, counted in SQL. Functions take `db` first.
//
// An AI call is (1) an attempt of an AI outbound call (ai_outbound_calls) once it was placed —
// counted at `started_at`; attempts never placed (scheduled, cancelled before they started,
// refused before dialling) are not calls — and (2) an inbound call an agent took (calls with
// `ai_agent_id`, direction inbound), counted at `created_at`. Both are scoped to the organisation.
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../../db/types.js';
import type { GroupBy } from './range.js';

export interface CallFilter {
  orgId: string;
  from: Date;
  to: Date;
  /** One agent's calls only (already checked to be the organisation's). */
  agentId: string | null;
}

/** The statuses of both tables in the classes the answers use. */
export type StatusClass = 'completed' | 'noAnswer' | 'busy' | 'failed' | 'canceled' | 'inProgress';

export function statusClass(status: string): StatusClass {
  switch (status) {
    case 'completed':
      return 'completed';
    case 'no-answer':
      return 'noAnswer';
    case 'busy':
      return 'busy';
    case 'failed':
      return 'failed';
    case 'canceled':
      return 'canceled';
    default:
      return 'inProgress'; // scheduled, queued, initiated, ringing, in-progress
  }
}

/**
 * The AI calls of the filter: agent_id, status, duration_sec, at, direction, attempt,
 * failure_reason, and (`voicemail`: only when asked for, it reads each outbound call's call row)
 * whether a voicemail was detected.
 */
function aiCalls(f: CallFilter, voicemail = false): RawBuilder<unknown> {
  const outboundAgent = f.agentId === null ? sql`` : sql`AND o.agent_id = ${f.agentId}`;
  const inboundAgent = f.agentId === null ? sql`AND c.ai_agent_id IS NOT NULL` : sql`AND c.ai_agent_id = ${f.agentId}`;
  return sql`(
    SELECT o.agent_id, o.status, o.duration_sec, o.started_at AS at, 'outbound' AS direction, o.attempt,
           o.failure_reason,
           ${voicemail ? sql`(o.outcome = 'voicemail' OR o.metadata->>'voicemailDetected' = 'true' OR coalesce(oc.answered_by LIKE 'machine%', false))` : sql`false`} AS voicemail
      FROM ai_outbound_calls o
      ${voicemail ? sql`LEFT JOIN calls oc ON oc.id = o.call_id` : sql``}
     WHERE o.org_id = ${f.orgId} AND o.started_at IS NOT NULL AND o.started_at >= ${f.from} AND o.started_at < ${f.to} ${outboundAgent}
    UNION ALL
    SELECT c.ai_agent_id, c.status, c.duration_sec, c.created_at, 'inbound', 1, NULL, false
      FROM calls c
     WHERE c.org_id = ${f.orgId} ${inboundAgent} AND c.direction = 'inbound' AND c.created_at >= ${f.from} AND c.created_at < ${f.to}
  )`;
}

export interface BucketRow {
  /** The bucket's first local date (null without a grouping). */
  bucket: string | null;
  status: string;
  direction: 'inbound' | 'outbound';
  calls: number;
  /** Completed calls with a known duration, and their seconds. */
  timedCalls: number;
  seconds: number;
}

/** Calls by (bucket, status, direction): everything the call analytics need (a bucket's date formatted once per group). */
export async function callBuckets(db: Db, f: CallFilter, grouping: { groupBy: GroupBy; timeZone: string } | null): Promise<BucketRow[]> {
  const bucket = grouping === null ? sql`NULL::timestamp` : sql`date_trunc(${grouping.groupBy}, a.at AT TIME ZONE ${grouping.timeZone})`;
  const result = await sql<{ bucket: string | null; status: string; direction: 'inbound' | 'outbound'; calls: string; timed: string; seconds: string | null }>`
    SELECT to_char(g.bucket, 'YYYY-MM-DD') AS bucket, g.status, g.direction, g.calls, g.timed, g.seconds
      FROM (
        SELECT ${bucket} AS bucket, a.status, a.direction, count(*) AS calls,
               count(a.duration_sec) FILTER (WHERE a.status = 'completed') AS timed,
               sum(a.duration_sec) FILTER (WHERE a.status = 'completed') AS seconds
          FROM ${aiCalls(f)} a
         GROUP BY 1, 2, 3
      ) g`.execute(db);
  return result.rows.map((r) => ({
    bucket: r.bucket,
    status: r.status,
    direction: r.direction,
    calls: Number(r.calls),
    timedCalls: Number(r.timed),
    seconds: Number(r.seconds ?? 0),
  }));
}

export interface AgentExtras {
  outboundCalls: number;
  voicemails: number;
  retries: number;
  retriesCompleted: number;
  failureReasons: Array<{ reason: string; count: number }>;
}

/** What one agent's performance adds: voicemail detections, retries and why calls failed (top 5; ties by reason, bytewise). */
export async function agentExtras(db: Db, f: CallFilter & { agentId: string }): Promise<AgentExtras> {
  const totals = await sql<{ outbound: string; voicemails: string; retries: string; retries_completed: string }>`
    SELECT count(*) FILTER (WHERE a.direction = 'outbound') AS outbound,
           count(*) FILTER (WHERE a.voicemail) AS voicemails,
           count(*) FILTER (WHERE a.attempt > 1) AS retries,
           count(*) FILTER (WHERE a.attempt > 1 AND a.status = 'completed') AS retries_completed
      FROM ${aiCalls(f, true)} a`.execute(db);
  const reason = sql`coalesce(nullif(btrim(a.failure_reason), ''), a.status)`;
  const reasons = await sql<{ reason: string; count: string }>`
    SELECT ${reason} AS reason, count(*) AS count
      FROM ${aiCalls(f)} a
     WHERE a.status IN ('failed', 'no-answer', 'busy', 'canceled')
     GROUP BY 1
     ORDER BY count(*) DESC, ${reason} COLLATE "C"
     LIMIT 5`.execute(db);
  const t = totals.rows[0];
  return {
    outboundCalls: Number(t?.outbound ?? 0),
    voicemails: Number(t?.voicemails ?? 0),
    retries: Number(t?.retries ?? 0),
    retriesCompleted: Number(t?.retries_completed ?? 0),
    failureReasons: reasons.rows.map((r) => ({ reason: r.reason, count: Number(r.count) })),
  };
}
