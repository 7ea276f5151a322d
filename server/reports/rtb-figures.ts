// Auction and bid figures over a window (sources.ts): the auctions' totals, and each RTB target's
// part in them. Derived figures are rounded in SQL (numeric).
import { sql } from 'kysely';
import type { Db } from '../../db/types.js';
import { AUCTIONS, BIDS } from './rollup-defs.js';
import { sourceRows, type Window } from './sources.js';

export interface AuctionTotals {
  auctions: number;
  won: number;
  /** The average winning bid, 2 decimals; null without a won auction. */
  averageWinningBid: number | null;
  /** The average auction time in ms, 2 decimals; null without auctions. */
  averageResponseMs: number | null;
}

export interface TargetFigures {
  targetId: number | null;
  targetName: string;
  pinged: number;
  validBids: number;
  winningBids: number;
  /** winning / valid bids, percent, 2 decimals (0 without bids). */
  winPercent: number;
  averageBid: number | null;
  averageResponseMs: number | null;
  timeouts: number;
}

export async function auctionTotals(db: Db, w: Window, campaignId?: string): Promise<AuctionTotals> {
  const { rows } = await sql<{ auctions: string; won: string; average_bid: string | null; average_ms: string | null }>`
    SELECT COALESCE(sum(auctions), 0) AS auctions, COALESCE(sum(won), 0) AS won,
      round(sum(winning_bid_sum) / NULLIF(sum(winning_bid_n), 0), 2) AS average_bid,
      round(sum(response_ms_sum)::numeric / NULLIF(sum(auctions), 0), 2) AS average_ms
    FROM ${sourceRows(AUCTIONS, w, campaignId === undefined ? [] : ['campaign_id'])} r
    WHERE ${campaignId === undefined ? sql`TRUE` : sql`campaign_id = ${campaignId}`}`.execute(db);
  const row = rows[0]!;
  return {
    auctions: Number(row.auctions),
    won: Number(row.won),
    averageWinningBid: row.average_bid === null ? null : Number(row.average_bid),
    averageResponseMs: row.average_ms === null ? null : Number(row.average_ms),
  };
}

/** One entry per target that took part (a deleted target by its recorded name), most winning bids first. */
export async function targetFigures(db: Db, w: Window, campaignId?: string): Promise<TargetFigures[]> {
  const { rows } = await sql<{
    target_id: number | null;
    target_name: string;
    pinged: string;
    valid_bids: string;
    winning_bids: string;
    win_percent: string;
    average_bid: string | null;
    average_ms: string | null;
    timeouts: string;
  }>`
    WITH f AS (
      SELECT rtb_target_id AS target_id, CASE WHEN rtb_target_id IS NULL THEN target_name END AS orphan_name, max(target_name) AS recorded_name,
        sum(pinged) AS pinged, sum(valid_bids) AS valid_bids, sum(winning_bids) AS winning_bids, sum(bid_sum) AS bid_sum,
        sum(response_ms_sum) AS response_ms_sum, sum(response_n) AS response_n, sum(timeouts) AS timeouts
      FROM ${sourceRows(BIDS, w, campaignId === undefined ? ['rtb_target_id', 'target_name'] : ['campaign_id', 'rtb_target_id', 'target_name'])} r
      WHERE ${campaignId === undefined ? sql`TRUE` : sql`campaign_id = ${campaignId}`}
      GROUP BY 1, 2
      HAVING sum(pinged) <> 0 OR sum(valid_bids) <> 0 OR sum(timeouts) <> 0
    )
    SELECT f.target_id, COALESCE((SELECT name FROM rtb_targets t WHERE t.org_id = ${w.orgId} AND t.id = f.target_id), f.recorded_name) AS target_name,
      f.pinged, f.valid_bids, f.winning_bids, COALESCE(round(100.0 * f.winning_bids / NULLIF(f.valid_bids, 0), 2), 0) AS win_percent,
      round(f.bid_sum / NULLIF(f.valid_bids, 0), 2) AS average_bid, round(f.response_ms_sum::numeric / NULLIF(f.response_n, 0), 2) AS average_ms,
      f.timeouts
    FROM f
    ORDER BY f.winning_bids DESC, f.valid_bids DESC, f.target_id NULLS LAST, target_name`.execute(db);
  return rows.map((r) => ({
    targetId: r.target_id === null ? null : Number(r.target_id),
    targetName: r.target_name,
    pinged: Number(r.pinged),
    validBids: Number(r.valid_bids),
    winningBids: Number(r.winning_bids),
    winPercent: Number(r.win_percent),
    averageBid: r.average_bid === null ? null : Number(r.average_bid),
    averageResponseMs: r.average_ms === null ? null : Number(r.average_ms),
    timeouts: Number(r.timeouts),
  }));
}
