// The hourly summaries of calls, auctions and bids (migration 0010): folding deltas into them
// (the compactor's one statement per table), and rebuilding them from the base tables (a repair
// tool, and what scripts/seed-volume uses after a bulk load with triggers off).
import { sql } from 'kysely';
import type { Db } from '../../db/types.js';

interface RollupTable {
  summary: 'call_stats_hourly' | 'auction_stats_hourly' | 'bid_stats_hourly';
  deltas: 'call_stats_deltas' | 'auction_stats_deltas' | 'bid_stats_deltas';
  key: readonly string[];
  measures: readonly string[];
}

export const ROLLUPS: readonly RollupTable[] = [
  {
    summary: 'call_stats_hourly',
    deltas: 'call_stats_deltas',
    key: ['org_id', 'hour', 'campaign_id', 'buyer_id', 'rtb_target_id'],
    measures: ['calls', 'completed', 'converted', 'duration_sum', 'duration_n', 'revenue'],
  },
  {
    summary: 'auction_stats_hourly',
    deltas: 'auction_stats_deltas',
    key: ['org_id', 'hour', 'campaign_id'],
    measures: ['auctions', 'won', 'winning_bid_sum', 'winning_bid_n', 'response_ms_sum'],
  },
  {
    summary: 'bid_stats_hourly',
    deltas: 'bid_stats_deltas',
    key: ['org_id', 'hour', 'campaign_id', 'rtb_target_id', 'target_name'],
    measures: ['pinged', 'valid_bids', 'winning_bids', 'bid_sum', 'response_ms_sum', 'response_n', 'timeouts'],
  },
];

/**
 * Moves up to `batch` deltas of one table into its summary in one statement: DELETE … RETURNING
 * feeds the upsert, so a concurrent reader sees each delta in exactly one of the two tables.
 * Deltas of organisations that no longer exist are dropped. Rows are upserted in key order (two
 * compactors never deadlock). Returns how many deltas were moved.
 */
async function foldTable(db: Db, table: RollupTable, batch: number): Promise<number> {
  const key = sql.join(table.key.map((c) => sql.ref(c)));
  const sums = sql.join(table.measures.map((m) => sql`sum(${sql.ref(m)})`));
  const columns = sql.join([...table.key, ...table.measures].map((c) => sql.ref(c)));
  const updates = sql.join(table.measures.map((m) => sql`${sql.ref(m)} = ${sql.table(table.summary)}.${sql.ref(m)} + excluded.${sql.ref(m)}`));
  const { rows } = await sql<{ moved: string }>`
    WITH moved AS (
      DELETE FROM ${sql.table(table.deltas)}
      WHERE id IN (SELECT id FROM ${sql.table(table.deltas)} ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED)
      RETURNING *
    ), folded AS (
      INSERT INTO ${sql.table(table.summary)} (${columns})
      SELECT ${key}, ${sums} FROM moved
      WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = moved.org_id)
      GROUP BY ${key}
      ORDER BY ${key}
      ON CONFLICT ON CONSTRAINT ${sql.ref(`${table.summary}_key`)} DO UPDATE SET ${updates}
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM folded) AS folded`.execute(db);
  return Number(rows[0]?.moved ?? 0);
}

/** One pass over the three tables; returns how many deltas were moved. */
export async function foldDeltas(db: Db, batch = 5000): Promise<number> {
  let moved = 0;
  for (const table of ROLLUPS) moved += await foldTable(db, table, batch);
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

/**
 * Recomputes every summary from the base tables, dropping the deltas: for a database loaded with
 * the triggers off. Run it in a transaction with no concurrent writers (the caller's job).
 */
export async function rebuildRollups(db: Db): Promise<void> {
  await sql`
    TRUNCATE call_stats_hourly, call_stats_deltas, auction_stats_hourly, auction_stats_deltas, bid_stats_hourly, bid_stats_deltas;
    INSERT INTO call_stats_hourly
    SELECT org_id, date_trunc('hour', created_at, 'UTC'), campaign_id, buyer_id, rtb_target_id, count(*),
      count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE COALESCE(revenue_override, revenue, 0) > 0),
      COALESCE(sum(duration_sec), 0), count(duration_sec), COALESCE(sum(COALESCE(revenue_override, revenue, 0)), 0)
    FROM calls WHERE org_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5;
    INSERT INTO auction_stats_hourly
    SELECT org_id, date_trunc('hour', created_at, 'UTC'), campaign_id, count(*), count(*) FILTER (WHERE status = 'won'),
      COALESCE(sum(winning_bid_amount) FILTER (WHERE status = 'won'), 0), count(winning_bid_amount) FILTER (WHERE status = 'won'),
      COALESCE(sum(total_response_time_ms), 0)
    FROM bid_requests GROUP BY 1, 2, 3;
    INSERT INTO bid_stats_hourly
    SELECT b.org_id, date_trunc('hour', b.created_at, 'UTC'), r.campaign_id, b.rtb_target_id, b.target_name,
      count(*) FILTER (WHERE b.status <> 'filtered'), count(*) FILTER (WHERE b.is_valid), count(*) FILTER (WHERE b.is_winning_bid),
      COALESCE(sum(b.bid_amount) FILTER (WHERE b.is_valid), 0), COALESCE(sum(b.response_time_ms) FILTER (WHERE b.status <> 'filtered'), 0),
      count(b.response_time_ms) FILTER (WHERE b.status <> 'filtered'), count(*) FILTER (WHERE b.status = 'timeout')
    FROM bid_responses b JOIN bid_requests r ON r.id = b.bid_request_id GROUP BY 1, 2, 3, 4, 5;
  `.execute(db);
}
