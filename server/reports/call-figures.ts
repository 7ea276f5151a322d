// Call figures over a window (sources.ts), in total and per group: campaign, buyer, RTB target, or
// a time bucket of the report's time zone. Derived figures are computed and rounded in SQL (numeric),
// so a figure is the same whichever way it is summed.
import { type RawBuilder, sql } from 'kysely';
import type { CallSource, Db } from '../../db/types.js';
import { callRowsOfSource } from './call-rows.js';
import { CALLS, type Dim } from './rollup-defs.js';
import { sourceRows, timestampArray, type Window } from './sources.js';

export type CallGroup = 'campaign' | 'buyer' | 'target' | 'bucket';

export interface CallTotals {
  calls: number;
  completed: number;
  converted: number;
  revenue: number;
  /** Seconds, 2 decimals; null without a known duration. */
  averageDuration: number | null;
  /** converted / calls in percent, 2 decimals (0 without calls). */
  conversionPercent: number;
  /** converted / calls, 4 decimals. */
  conversionFraction: number;
  /** completed / calls, 4 decimals. */
  completedFraction: number;
}

export interface CallGroupFigures extends CallTotals {
  /** The campaign id / buyer id / target id, or the bucket number (1 = the first boundary); null: calls without one. */
  key: string | number | null;
  /** The campaign / buyer / target name (null for buckets, or when it no longer exists). */
  name: string | null;
}

export interface CallFilters {
  campaignId?: string | undefined;
  buyerId?: number | undefined;
  /** Only calls paid by an RTB target. */
  rtbOnly?: boolean | undefined;
  /** Only calls of this source (read from the calls, not the summaries). */
  source?: CallSource | undefined;
}

interface Row {
  g: string | number | null;
  is_total: number;
  name: string | null;
  calls: string;
  completed: string;
  converted: string;
  revenue: string;
  average_duration: string | null;
  conversion_percent: string;
  conversion_fraction: string;
  completed_fraction: string;
}

const MEASURES = sql`
  COALESCE(sum(calls), 0) AS calls, COALESCE(sum(completed), 0) AS completed, COALESCE(sum(converted), 0) AS converted,
  COALESCE(sum(revenue), 0) AS revenue,
  round(sum(duration_sum)::numeric / NULLIF(sum(duration_n), 0), 2) AS average_duration,
  COALESCE(round(100.0 * sum(converted) / NULLIF(sum(calls), 0), 2), 0) AS conversion_percent,
  COALESCE(round(sum(converted)::numeric / NULLIF(sum(calls), 0), 4), 0) AS conversion_fraction,
  COALESCE(round(sum(completed)::numeric / NULLIF(sum(calls), 0), 4), 0) AS completed_fraction`;

function filtersSql(f: CallFilters): RawBuilder<boolean> {
  const parts: RawBuilder<boolean>[] = [sql`TRUE`];
  if (f.campaignId !== undefined) parts.push(sql`campaign_id = ${f.campaignId}`);
  if (f.buyerId !== undefined) parts.push(sql`buyer_id = ${f.buyerId}`);
  if (f.rtbOnly) parts.push(sql`rtb_target_id IS NOT NULL`);
  return sql.join(parts, sql` AND `) as RawBuilder<boolean>;
}

/** The dimensions a query reads: what it groups by and what it filters on. */
function neededDims(group: CallGroup | null, f: CallFilters): Dim[] {
  const dims = new Set<Dim>();
  if (group === 'campaign') dims.add('campaign_id');
  if (group === 'buyer') dims.add('buyer_id');
  if (group === 'target') dims.add('rtb_target_id');
  if (f.campaignId !== undefined) dims.add('campaign_id');
  if (f.buyerId !== undefined) dims.add('buyer_id');
  if (f.rtbOnly) dims.add('rtb_target_id');
  return [...dims];
}

/** The rows a query reads: the summaries, or the calls of one source. */
function rowsOf(w: Window, needed: Dim[], f: CallFilters): RawBuilder<unknown> {
  return f.source === undefined ? sourceRows(CALLS, w, needed) : callRowsOfSource(w, f.source);
}

function totals(row: Row): CallTotals {
  return {
    calls: Number(row.calls),
    completed: Number(row.completed),
    converted: Number(row.converted),
    revenue: Number(row.revenue),
    averageDuration: row.average_duration === null ? null : Number(row.average_duration),
    conversionPercent: Number(row.conversion_percent),
    conversionFraction: Number(row.conversion_fraction),
    completedFraction: Number(row.completed_fraction),
  };
}

/** The window's totals. */
export async function callTotals(db: Db, w: Window, filters: CallFilters = {}): Promise<CallTotals> {
  const { rows } = await sql<Row>`SELECT NULL AS g, 1 AS is_total, NULL AS name, ${MEASURES} FROM ${rowsOf(w, neededDims(null, filters), filters)} r WHERE ${filtersSql(filters)}`.execute(db);
  return totals(rows[0]!);
}

/**
 * The window's totals and its groups (groups whose calls add up to none are left out). `boundaries`
 * (for `bucket`): the buckets' first instants, ascending, the first one the window's start.
 */
export async function callGroups(
  db: Db,
  w: Window,
  group: CallGroup,
  filters: CallFilters = {},
  boundaries: readonly Date[] = [],
): Promise<{ total: CallTotals; groups: CallGroupFigures[] }> {
  const g =
    group === 'campaign'
      ? sql`campaign_id::text`
      : group === 'buyer'
        ? sql`buyer_id`
        : group === 'target'
          ? sql`rtb_target_id`
          : sql`width_bucket(at, ${timestampArray(boundaries)})`;
  const names =
    group === 'campaign'
      ? sql`(SELECT name FROM campaigns c WHERE c.org_id = ${w.orgId} AND c.id::text = f.g)`
      : group === 'buyer'
        ? sql`(SELECT name FROM buyers b WHERE b.org_id = ${w.orgId} AND b.id = f.g)`
        : group === 'target'
          ? sql`(SELECT name FROM rtb_targets t WHERE t.org_id = ${w.orgId} AND t.id = f.g)`
          : sql`NULL::text`;
  const { rows } = await sql<Row>`
    WITH f AS (
      SELECT g, GROUPING(g) AS is_total, ${MEASURES}
      FROM (SELECT r.*, ${g} AS g FROM ${rowsOf(w, neededDims(group, filters), filters)} r WHERE ${filtersSql(filters)}) r
      GROUP BY GROUPING SETS ((g), ())
      HAVING GROUPING(g) = 1 OR sum(calls) <> 0
    )
    SELECT f.*, ${names} AS name FROM f`.execute(db);
  const totalRow = rows.find((r) => Number(r.is_total) === 1);
  if (!totalRow) throw new Error('callGroups: no total row');
  const groups = rows
    .filter((r) => Number(r.is_total) === 0)
    .map((r) => ({ key: r.g === null ? null : group === 'campaign' ? String(r.g) : Number(r.g), name: r.name, ...totals(r) }));
  return { total: totals(totalRow), groups };
}
