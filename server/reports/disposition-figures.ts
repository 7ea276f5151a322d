// Calls by disposition over a window, from the summaries keyed by campaign, agent and disposition
// (rollup-defs.ts, migration 0026) plus the deltas not yet folded, in one statement: per agent,
// per campaign, per time bucket of the report's zone, or in total. Sums only; tallies.ts derives.
import { type RawBuilder, sql } from 'kysely';
import type { CallDisposition, Db } from '../../db/types.js';
import { CALLS, type Dim } from './rollup-defs.js';
import { sourceRows, timestampArray, type Window } from './sources.js';
import type { CallSumRow } from './tallies.js';

export type CallKey = 'none' | 'agent' | 'campaign' | 'bucket';

export interface CallScopeFilters {
  /** null: every agent's calls and calls without one. */
  agentIds: readonly string[] | null;
  campaignIds: readonly string[] | null;
}

/** `'{…}'::uuid[]` of ids already checked to be UUIDs (no characters that need quoting). */
export function uuidArray(ids: readonly string[]): RawBuilder<unknown> {
  return sql`${`{${ids.join(',')}}`}::uuid[]`;
}

interface Row {
  g: string | number | null;
  disposition: CallDisposition | null;
  calls: string;
  completed: string;
  converted: string;
  duration_sum: string;
  duration_n: string;
  talk_sum: string;
}

/** Sums per (key, disposition); groups whose calls add up to none are left out. */
export async function callSumsByDisposition(
  db: Db,
  w: Window,
  key: CallKey,
  f: CallScopeFilters,
  boundaries: readonly Date[] = [],
): Promise<CallSumRow[]> {
  const needed: Dim[] = ['disposition'];
  if (key === 'agent' || f.agentIds !== null) needed.push('agent_id');
  if (key === 'campaign' || f.campaignIds !== null) needed.push('campaign_id');
  const g =
    key === 'agent'
      ? sql`agent_id::text`
      : key === 'campaign'
        ? sql`campaign_id::text`
        : key === 'bucket'
          ? sql`width_bucket(at, ${timestampArray(boundaries)})`
          : sql`NULL::text`;
  const where: RawBuilder<unknown>[] = [sql`TRUE`];
  if (f.agentIds !== null) where.push(sql`agent_id = ANY(${uuidArray(f.agentIds)})`);
  if (f.campaignIds !== null) where.push(sql`campaign_id = ANY(${uuidArray(f.campaignIds)})`);
  const { rows } = await sql<Row>`
    SELECT ${g} AS g, disposition, sum(calls) AS calls, sum(completed) AS completed, sum(converted) AS converted,
      sum(duration_sum) AS duration_sum, sum(duration_n) AS duration_n, sum(talk_sum) AS talk_sum
    FROM ${sourceRows(CALLS, w, needed)} r
    WHERE ${sql.join(where, sql` AND `)}
    GROUP BY 1, 2
    HAVING sum(calls) <> 0`.execute(db);
  return rows.map((r) => ({
    key: r.g === null ? null : key === 'bucket' ? Number(r.g) : String(r.g),
    disposition: r.disposition,
    calls: Number(r.calls),
    completed: Number(r.completed),
    converted: Number(r.converted),
    durationSum: Number(r.duration_sum),
    durationN: Number(r.duration_n),
    talkSum: Number(r.talk_sum),
  }));
}
