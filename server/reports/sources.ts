// Where a report's rows come from, as one SQL expression: the narrowest hourly summary that has
// what the report groups and filters by, for the UTC hours no time-zone boundary splits; the
// narrowest quarter-hour summary for the hours one does (zones with :30 / :45 offsets, each hour
// read by its own index range); and the deltas not
// yet folded (quarter-hour grain: exact at any boundary). All in one statement, so one snapshot:
// exact whatever the compactor is doing. Each row carries `at` (its hour or quarter hour), which
// puts it in a report bucket with width_bucket(), and every dimension of the source (NULL where
// the summary read does not keep it — never one the report uses).
import { type RawBuilder, sql } from 'kysely';
import { type Dim, type RollupSource, type Summary, summaryFor } from './rollup-defs.js';

export interface Window {
  orgId: string;
  /** First instant (a quarter-hour mark); null: from the beginning. */
  from: Date | null;
  /** The instant after the window (a quarter-hour mark). */
  to: Date;
  /** UTC hours (starts) that a boundary splits: read from the quarter-hour summary. */
  split: readonly Date[];
}

/** `'{…}'::timestamptz[]` of ISO instants (no characters that need quoting). */
export function timestampArray(values: readonly Date[]): RawBuilder<unknown> {
  return sql`${`{${values.map((v) => v.toISOString()).join(',')}}`}::timestamptz[]`;
}

function columns(source: RollupSource, summary: Summary | null, alias: string): RawBuilder<unknown> {
  const a = sql.raw(alias);
  const dims = source.dims.map((d) => (summary === null || summary.dims.includes(d) ? sql`${a}.${sql.ref(d)}` : sql`${sql.raw(`NULL::${source.dimTypes[d]!}`)} AS ${sql.ref(d)}`));
  return sql.join([sql`${a}.at`, ...dims, ...source.measures.map((m) => sql`${a}.${sql.ref(m)}`)]);
}

/** The rows of `source` in the window, with at least the dimensions `needed`. */
export function sourceRows(source: RollupSource, w: Window, needed: readonly Dim[]): RawBuilder<unknown> {
  const hourly = summaryFor(source, 'hour', needed);
  const quarter = summaryFor(source, 'quarter', needed);
  const lowerHour = w.from === null ? sql`TRUE` : sql`h.at >= date_trunc('hour', ${w.from}::timestamptz, 'UTC')`;
  const notSplit = w.split.length === 0 ? sql`TRUE` : sql`NOT (h.at = ANY(${timestampArray(w.split)}))`;
  const lower = (alias: string) => (w.from === null ? sql`TRUE` : sql`${sql.raw(alias)}.at >= ${w.from}`);
  const splitPart =
    w.split.length === 0
      ? sql``
      : sql`
    UNION ALL
    SELECT ${columns(source, quarter, 'q')}
    FROM unnest(${timestampArray(w.split)}) AS s(h)
    CROSS JOIN LATERAL (
      SELECT * FROM ${sql.table(quarter.table)} q
      WHERE q.org_id = ${w.orgId} AND q.at >= s.h AND q.at < s.h + interval '1 hour' AND ${lower('q')} AND q.at < ${w.to}
      OFFSET 0 -- kept a subquery: one index range per split hour, never a scan of the whole table
    ) q`;
  return sql`(
    SELECT ${columns(source, hourly, 'h')} FROM ${sql.table(hourly.table)} h
    WHERE h.org_id = ${w.orgId} AND ${lowerHour} AND h.at < ${w.to} AND ${notSplit}
    UNION ALL
    SELECT ${columns(source, null, 'd')} FROM ${sql.table(source.deltas)} d
    WHERE d.org_id = ${w.orgId} AND ${lower('d')} AND d.at < ${w.to}
    ${splitPart})`;
}
