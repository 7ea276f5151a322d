// The report summaries (migrations 0010, 0026), as data: for each source (calls, auctions, bids) its delta
// table, its measures, the expressions of one base row's contribution, and its summaries — by UTC
// hour and by quarter hour (read only for the UTC hours a time zone's boundary splits), each at
// several widths of key: a report reads the narrowest that has what it groups and filters by.
// test/reports/rollup-defs.test.ts checks these against the database.
export type Dim = 'campaign_id' | 'buyer_id' | 'rtb_target_id' | 'target_name' | 'agent_id' | 'disposition';

export interface Summary {
  table: string;
  grain: 'hour' | 'quarter';
  dims: readonly Dim[];
}

export interface RollupSource {
  name: 'calls' | 'auctions' | 'bids';
  deltas: string;
  /** The full key (the deltas'), besides org_id and at. */
  dims: readonly Dim[];
  /** SQL types of the key columns, for NULLs standing in for a dimension a summary does not keep. */
  dimTypes: Readonly<Partial<Record<Dim, string>>>;
  measures: readonly string[];
  /** A base row's contribution: FROM, its time, each dimension and measure (SQL over alias b). */
  base: { from: string; at: string; dims: Readonly<Partial<Record<Dim, string>>>; measures: Readonly<Record<string, string>> };
  summaries: readonly Summary[];
}

export const CALLS: RollupSource = {
  name: 'calls',
  deltas: 'call_stats_deltas',
  dims: ['campaign_id', 'buyer_id', 'rtb_target_id', 'agent_id', 'disposition'],
  dimTypes: { campaign_id: 'uuid', buyer_id: 'integer', rtb_target_id: 'integer', agent_id: 'uuid', disposition: 'text' },
  measures: ['calls', 'completed', 'converted', 'duration_sum', 'duration_n', 'revenue', 'talk_sum'],
  base: {
    from: 'calls b WHERE b.org_id IS NOT NULL',
    at: 'b.created_at',
    dims: { campaign_id: 'b.campaign_id', buyer_id: 'b.buyer_id', rtb_target_id: 'b.rtb_target_id', agent_id: 'b.agent_id', disposition: 'b.disposition' },
    measures: {
      calls: '1',
      completed: "(b.status = 'completed')::int",
      converted: '(COALESCE(b.revenue_override, b.revenue, 0) > 0)::int',
      duration_sum: 'COALESCE(b.duration_sec, 0)',
      duration_n: '(b.duration_sec IS NOT NULL)::int',
      revenue: 'COALESCE(b.revenue_override, b.revenue, 0)',
      talk_sum: 'COALESCE(b.talk_time_sec, 0)',
    },
  },
  summaries: [
    { table: 'call_stats_h', grain: 'hour', dims: [] },
    { table: 'call_stats_h_campaign', grain: 'hour', dims: ['campaign_id'] },
    { table: 'call_stats_h_buyer', grain: 'hour', dims: ['buyer_id'] },
    { table: 'call_stats_h_target', grain: 'hour', dims: ['rtb_target_id'] },
    { table: 'call_stats_h_full', grain: 'hour', dims: ['campaign_id', 'buyer_id', 'rtb_target_id'] },
    { table: 'call_stats_q', grain: 'quarter', dims: [] },
    { table: 'call_stats_q_campaign', grain: 'quarter', dims: ['campaign_id'] },
    { table: 'call_stats_q_full', grain: 'quarter', dims: ['campaign_id', 'buyer_id', 'rtb_target_id'] },
    // The agent and outcome reports (0026): by disposition, and by campaign, agent and disposition.
    { table: 'call_stats_h_disposition', grain: 'hour', dims: ['disposition'] },
    { table: 'call_stats_q_disposition', grain: 'quarter', dims: ['disposition'] },
    { table: 'call_stats_h_agent', grain: 'hour', dims: ['campaign_id', 'agent_id', 'disposition'] },
    { table: 'call_stats_q_agent', grain: 'quarter', dims: ['campaign_id', 'agent_id', 'disposition'] },
  ],
};

export const AUCTIONS: RollupSource = {
  name: 'auctions',
  deltas: 'auction_stats_deltas',
  dims: ['campaign_id'],
  dimTypes: { campaign_id: 'uuid' },
  measures: ['auctions', 'won', 'winning_bid_sum', 'winning_bid_n', 'response_ms_sum'],
  base: {
    from: 'bid_requests b',
    at: 'b.created_at',
    dims: { campaign_id: 'b.campaign_id' },
    measures: {
      auctions: '1',
      won: "(b.status = 'won')::int",
      winning_bid_sum: "COALESCE(CASE WHEN b.status = 'won' THEN b.winning_bid_amount END, 0)",
      winning_bid_n: "(b.status = 'won' AND b.winning_bid_amount IS NOT NULL)::int",
      response_ms_sum: 'b.total_response_time_ms',
    },
  },
  summaries: [
    { table: 'auction_stats_h', grain: 'hour', dims: [] },
    { table: 'auction_stats_h_campaign', grain: 'hour', dims: ['campaign_id'] },
    { table: 'auction_stats_q', grain: 'quarter', dims: [] },
    { table: 'auction_stats_q_campaign', grain: 'quarter', dims: ['campaign_id'] },
  ],
};

export const BIDS: RollupSource = {
  name: 'bids',
  deltas: 'bid_stats_deltas',
  dims: ['campaign_id', 'rtb_target_id', 'target_name'],
  dimTypes: { campaign_id: 'uuid', rtb_target_id: 'integer', target_name: 'text' },
  measures: ['pinged', 'valid_bids', 'winning_bids', 'bid_sum', 'response_ms_sum', 'response_n', 'timeouts'],
  base: {
    from: 'bid_responses b JOIN bid_requests r ON r.id = b.bid_request_id',
    at: 'b.created_at',
    dims: { campaign_id: 'r.campaign_id', rtb_target_id: 'b.rtb_target_id', target_name: 'b.target_name' },
    measures: {
      pinged: "(b.status <> 'filtered')::int",
      valid_bids: 'b.is_valid::int',
      winning_bids: 'b.is_winning_bid::int',
      bid_sum: 'COALESCE(CASE WHEN b.is_valid THEN b.bid_amount END, 0)',
      response_ms_sum: "COALESCE(CASE WHEN b.status <> 'filtered' THEN b.response_time_ms END, 0)",
      response_n: "(b.status <> 'filtered' AND b.response_time_ms IS NOT NULL)::int",
      timeouts: "(b.status = 'timeout')::int",
    },
  },
  summaries: [
    { table: 'bid_stats_h_target', grain: 'hour', dims: ['rtb_target_id', 'target_name'] },
    { table: 'bid_stats_h_full', grain: 'hour', dims: ['campaign_id', 'rtb_target_id', 'target_name'] },
    { table: 'bid_stats_q_target', grain: 'quarter', dims: ['rtb_target_id', 'target_name'] },
    { table: 'bid_stats_q_full', grain: 'quarter', dims: ['campaign_id', 'rtb_target_id', 'target_name'] },
  ],
};

export const SOURCES: readonly RollupSource[] = [CALLS, AUCTIONS, BIDS];

/** The summary of `grain` with the fewest dimensions that has every one of `needed`. */
export function summaryFor(source: RollupSource, grain: Summary['grain'], needed: readonly Dim[]): Summary {
  const fitting = source.summaries.filter((s) => s.grain === grain && needed.every((d) => s.dims.includes(d)));
  const best = fitting.sort((a, b) => a.dims.length - b.dims.length)[0];
  if (!best) throw new Error(`${source.name}: no ${grain} summary with ${needed.join(', ')}`);
  return best;
}
