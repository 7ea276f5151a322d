// Where a report's rows come from, as one SQL expression per kind: the hourly summaries and the
// deltas not yet folded into them (UNION ALL, one snapshot: exact), plus the base rows of the UTC
// hours that a time zone's boundary splits (zones with :30 / :45 offsets). Each row carries `at`:
// its hour, or the base row's own time, which puts it in a report bucket with width_bucket().
import { type RawBuilder, sql } from 'kysely';

export interface Window {
  orgId: string;
  /** First instant (a quarter-hour mark); null: from the beginning. */
  from: Date | null;
  /** The instant after the window (a quarter-hour mark). */
  to: Date;
  /** UTC hours (starts) to read from base rows instead of summaries. */
  split: readonly Date[];
}

/** `'{…}'::timestamptz[]` of ISO instants (no characters that need quoting). */
export function timestampArray(values: readonly Date[]): RawBuilder<unknown> {
  return sql`${`{${values.map((v) => v.toISOString()).join(',')}}`}::timestamptz[]`;
}

function hourRange(w: Window): RawBuilder<boolean> {
  const lower = w.from === null ? sql`TRUE` : sql`hour >= date_trunc('hour', ${w.from}::timestamptz, 'UTC')`;
  const notSplit = w.split.length === 0 ? sql`TRUE` : sql`NOT (hour = ANY(${timestampArray(w.split)}))`;
  return sql`org_id = ${w.orgId} AND ${lower} AND hour < ${w.to} AND ${notSplit}`;
}

/** Base rows of the split hours within the window: `FROM unnest(split) JOIN <table>` by index range. */
function splitRows(w: Window, table: RawBuilder<unknown>, columns: RawBuilder<unknown>, extraJoin: RawBuilder<unknown> = sql``): RawBuilder<unknown> {
  const lower = w.from === null ? sql`TRUE` : sql`b.created_at >= ${w.from}`;
  return sql`
    UNION ALL
    SELECT ${columns}
    FROM unnest(${timestampArray(w.split)}) AS s(h)
    JOIN ${table} b ON b.org_id = ${w.orgId} AND b.created_at >= s.h AND b.created_at < s.h + interval '1 hour'
    ${extraJoin}
    WHERE ${lower} AND b.created_at < ${w.to}`;
}

/** Calls: at, campaign_id, buyer_id, rtb_target_id, calls, completed, converted, duration_sum, duration_n, revenue. */
export function callRows(w: Window): RawBuilder<unknown> {
  const cols = sql`hour AS at, campaign_id, buyer_id, rtb_target_id, calls, completed, converted, duration_sum, duration_n, revenue`;
  const base =
    w.split.length === 0
      ? sql``
      : splitRows(
          w,
          sql`calls`,
          sql`b.created_at, b.campaign_id, b.buyer_id, b.rtb_target_id, 1, (b.status = 'completed')::int,
              (COALESCE(b.revenue_override, b.revenue, 0) > 0)::int, COALESCE(b.duration_sec, 0), (b.duration_sec IS NOT NULL)::int,
              COALESCE(b.revenue_override, b.revenue, 0)`,
        );
  return sql`(
    SELECT ${cols} FROM call_stats_hourly WHERE ${hourRange(w)}
    UNION ALL
    SELECT ${cols} FROM call_stats_deltas WHERE ${hourRange(w)}
    ${base})`;
}

/** Auctions: at, campaign_id, auctions, won, winning_bid_sum, winning_bid_n, response_ms_sum. */
export function auctionRows(w: Window): RawBuilder<unknown> {
  const cols = sql`hour AS at, campaign_id, auctions, won, winning_bid_sum, winning_bid_n, response_ms_sum`;
  const base =
    w.split.length === 0
      ? sql``
      : splitRows(
          w,
          sql`bid_requests`,
          sql`b.created_at, b.campaign_id, 1, (b.status = 'won')::int, COALESCE(CASE WHEN b.status = 'won' THEN b.winning_bid_amount END, 0),
              (b.status = 'won' AND b.winning_bid_amount IS NOT NULL)::int, b.total_response_time_ms`,
        );
  return sql`(
    SELECT ${cols} FROM auction_stats_hourly WHERE ${hourRange(w)}
    UNION ALL
    SELECT ${cols} FROM auction_stats_deltas WHERE ${hourRange(w)}
    ${base})`;
}

/** Bids: at, campaign_id, rtb_target_id, target_name, pinged, valid_bids, winning_bids, bid_sum, response_ms_sum, response_n, timeouts. */
export function bidRows(w: Window): RawBuilder<unknown> {
  const cols = sql`hour AS at, campaign_id, rtb_target_id, target_name, pinged, valid_bids, winning_bids, bid_sum, response_ms_sum, response_n, timeouts`;
  const base =
    w.split.length === 0
      ? sql``
      : splitRows(
          w,
          sql`bid_responses`,
          sql`b.created_at, r.campaign_id, b.rtb_target_id, b.target_name, (b.status <> 'filtered')::int, b.is_valid::int, b.is_winning_bid::int,
              COALESCE(CASE WHEN b.is_valid THEN b.bid_amount END, 0), COALESCE(CASE WHEN b.status <> 'filtered' THEN b.response_time_ms END, 0),
              (b.status <> 'filtered' AND b.response_time_ms IS NOT NULL)::int, (b.status = 'timeout')::int`,
          sql`JOIN bid_requests r ON r.id = b.bid_request_id`,
        );
  return sql`(
    SELECT ${cols} FROM bid_stats_hourly WHERE ${hourRange(w)}
    UNION ALL
    SELECT ${cols} FROM bid_stats_deltas WHERE ${hourRange(w)}
    ${base})`;
}
