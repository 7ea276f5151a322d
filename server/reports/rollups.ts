// The report summaries (rollup-defs.ts, migration 0010): folding deltas into them (the compactor's
// one statement per source), and rebuilding them from the base tables (a repair tool, and what
// scripts/seed-volume uses after a bulk load with triggers off).
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../db/types.js';
import { type RollupSource, SOURCES, type Summary } from './rollup-defs.js';

const ref = (name: string) => sql.ref(name);
const list = (names: readonly string[]) => sql.join(names.map(ref));

/** A summary's time column from a finer `at`: the UTC hour, or the quarter hour itself. */
function grainOf(summary: Summary, at: RawBuilder<unknown>): RawBuilder<unknown> {
  return summary.grain === 'hour' ? sql`date_trunc('hour', ${at}, 'UTC')` : at;
}

/** INSERT … SELECT sums grouped by the summary's key, from `rows` (a CTE with org_id, at, dims, measures). */
function upsertInto(summary: Summary, source: RollupSource, rows: RawBuilder<unknown>): RawBuilder<unknown> {
  const key = ['org_id', 'at', ...summary.dims];
  const updates = sql.join(source.measures.map((m) => sql`${ref(m)} = ${sql.table(summary.table)}.${ref(m)} + excluded.${ref(m)}`));
  return sql`
    INSERT INTO ${sql.table(summary.table)} (${list([...key, ...source.measures])})
    SELECT org_id, ${grainOf(summary, sql`at`)} AS at, ${summary.dims.length ? sql`${list(summary.dims)},` : sql``}
      ${sql.join(source.measures.map((m) => sql`sum(${ref(m)})`))}
    FROM ${rows}
    GROUP BY 1, 2${summary.dims.length ? sql`, ${sql.join(summary.dims.map((_, i) => sql.raw(String(i + 3))))}` : sql``}
    ORDER BY 1, 2${summary.dims.length ? sql`, ${sql.join(summary.dims.map((_, i) => sql.raw(String(i + 3))))}` : sql``}
    ON CONFLICT ON CONSTRAINT ${ref(`${summary.table}_key`)} DO UPDATE SET ${updates}`;
}

/**
 * Moves up to `batch` deltas of one source into every one of its summaries in one statement:
 * DELETE … RETURNING feeds the upserts, so a concurrent reader sees each delta either as a delta
 * or in the summaries, never both. Deltas of organisations that no longer exist are dropped.
 * Rows are upserted in key order (two compactors never deadlock). Returns how many moved.
 */
async function foldSource(db: Db, source: RollupSource, batch: number): Promise<number> {
  const upserts = source.summaries.map((s, i) => sql`${sql.raw(`s${i}`)} AS (${upsertInto(s, source, sql`kept`)} RETURNING 1)`);
  const { rows } = await sql<{ moved: string }>`
    WITH moved AS (
      DELETE FROM ${sql.table(source.deltas)}
      WHERE id IN (SELECT id FROM ${sql.table(source.deltas)} ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED)
      RETURNING *
    ), kept AS (
      SELECT * FROM moved WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = moved.org_id)
    ), ${sql.join(upserts)}
    SELECT count(*) AS moved FROM moved`.execute(db);
  return Number(rows[0]?.moved ?? 0);
}

/** One pass over every source; returns how many deltas were moved. */
export async function foldDeltas(db: Db, batch = 5000): Promise<number> {
  let moved = 0;
  for (const source of SOURCES) moved += await foldSource(db, source, batch);
  return moved;
}

/** Folds until no delta is left (tests, scripts). */
export async function foldAllDeltas(db: Db, batch = 20_000): Promise<number> {
  let total = 0;
  for (;;) {
    const moved = await foldDeltas(db, batch);
    total += moved;
    if (moved === 0) return total;
  }
}

/** The base rows' contributions of a source at quarter-hour grain (what its deltas would add up to). */
function baseContributions(source: RollupSource): RawBuilder<unknown> {
  const { base } = source;
  const dims = source.dims.map((d) => sql`${sql.raw(base.dims[d]!)} AS ${ref(d)}`);
  const measures = source.measures.map((m) => sql`${sql.raw(base.measures[m]!)} AS ${ref(m)}`);
  return sql`(SELECT b.org_id, date_bin('15 minutes', ${sql.raw(base.at)}, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS at,
    ${sql.join([...dims, ...measures])} FROM ${sql.raw(base.from)}) c`;
}

/**
 * Recomputes every summary from the base tables and drops the deltas: for a database loaded with
 * the triggers off. Run it with no concurrent writers (the caller's job).
 */
export async function rebuildRollups(db: Db): Promise<void> {
  for (const source of SOURCES) {
    await sql`TRUNCATE ${sql.join([source.deltas, ...source.summaries.map((s) => s.table)].map((t) => sql.table(t)))}`.execute(db);
    for (const summary of source.summaries) await upsertInto(summary, source, baseContributions(source)).execute(db);
  }
}
