// Logged calls (seed 003's /calls, our call_logs) by outcome over a window: per author, per
// campaign (the lead's: the organisation's leads read from their covering index, 0026), per time
// bucket, or in total. Read from call_logs by its (org_id, created_at) index — calls logged by
// hand, not the telephony volume the summaries are for.
import { type RawBuilder, sql } from 'kysely';
import type { CallLogOutcome, Db } from '../../db/types.js';
import { uuidArray } from './disposition-figures.js';
import { timestampArray } from './sources.js';
import type { LogSumRow } from './tallies.js';

export type LogKey = 'none' | 'user' | 'campaign' | 'bucket';

export interface LogWindow {
  orgId: string;
  from: Date;
  to: Date;
}

export interface LogScopeFilters {
  /** null: every author's logs. */
  userIds: readonly number[] | null;
  campaignIds: readonly string[] | null;
  /** null: every outcome. */
  outcomes: readonly CallLogOutcome[] | null;
}

interface Row {
  g: string | number | null;
  outcome: CallLogOutcome;
  logs: string;
  duration_sum: string;
  duration_n: string;
}

export async function callLogSums(db: Db, w: LogWindow, key: LogKey, f: LogScopeFilters, boundaries: readonly Date[] = []): Promise<LogSumRow[]> {
  const withLead = key === 'campaign' || f.campaignIds !== null;
  const g =
    key === 'user'
      ? sql`l.user_id`
      : key === 'campaign'
        ? sql`d.campaign_id::text`
        : key === 'bucket'
          ? sql`width_bucket(l.created_at, ${timestampArray(boundaries)})`
          : sql`NULL::text`;
  const where: RawBuilder<unknown>[] = [sql`l.org_id = ${w.orgId}`, sql`l.created_at >= ${w.from}`, sql`l.created_at < ${w.to}`];
  if (f.userIds !== null) where.push(sql`l.user_id = ANY(${`{${f.userIds.join(',')}}`}::int[])`);
  if (f.campaignIds !== null) where.push(sql`d.campaign_id = ANY(${uuidArray(f.campaignIds)})`);
  if (f.outcomes !== null) where.push(sql`l.outcome = ANY(${`{${f.outcomes.join(',')}}`}::text[])`);
  const { rows } = await sql<Row>`
    SELECT ${g} AS g, l.outcome, count(*) AS logs, COALESCE(sum(l.duration_sec), 0) AS duration_sum, count(l.duration_sec) AS duration_n
    FROM call_logs l ${withLead ? sql`JOIN leads d ON d.id = l.lead_id AND d.org_id = ${w.orgId}` : sql``}
    WHERE ${sql.join(where, sql` AND `)}
    GROUP BY 1, 2`.execute(db);
  return rows.map((r) => ({
    key: r.g === null ? null : key === 'user' || key === 'bucket' ? Number(r.g) : String(r.g),
    outcome: r.outcome,
    logs: Number(r.logs),
    durationSum: Number(r.duration_sum),
    durationN: Number(r.duration_n),
  }));
}
