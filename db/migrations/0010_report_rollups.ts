// Reports that stay fast on a million calls (issue 6, DESIGN.md 4.7): summary tables kept exactly
// in step with calls, auctions and bids, without a hot row on the call path.
//
// Every change of a call, an auction (bid_requests) or a bid (bid_responses) is written by a row
// trigger, in the same transaction, as a *delta* row: the row's contribution after the change
// minus its contribution before (nothing when no counted field changed). Delta tables are
// append-only — concurrent calls never wait for each other, which a directly updated summary row
// would make them do. A compactor (server/reports/compactor.ts) moves deltas into the
// summaries in one statement (DELETE … RETURNING feeding an upsert), so at any snapshot each
// delta is either still a delta or already summed, never both and never lost. A report reads
// summaries UNION ALL deltas in one statement: exact, whatever the compactor has done.
//
// Summaries (server/reports/rollup-defs.ts describes them, and a test checks it against these):
// by UTC hour at several widths of key — the organisation only, by campaign, by buyer, by target,
// and the full key — so that a report reads the narrowest that has what it groups and filters by;
// and by quarter hour (read only for the UTC hours a time zone's boundary splits), the organisation
// only, by campaign (by target for bids) and with the full key. Deltas are quarter-hour rows.
//
// The delta tables have no foreign keys: deleting an organisation cascades to its calls, whose
// triggers then write deltas for an organisation being deleted; the compactor drops deltas of
// organisations that no longer exist (the summaries themselves cascade).
//
// Every time zone's day and hour boundaries fall on a quarter hour; where a boundary falls inside
// a UTC hour (zones with :30 / :45 offsets), a report reads that hour from the quarter-hour summary.
//
// Contributions (calls): calls 1, completed (status completed), converted (pays > 0), duration
// (sum and count of known durations), revenue (a correction's amount where there is one).
// Auctions: auctions 1, won, winning bid (sum, count), auction time (sum). Bids: pinged (not
// pre-filtered), valid bids, winning bids, bid sum of valid bids, response time (sum, count),
// timeouts; keyed by the auction's campaign.
import { type Kysely, sql } from 'kysely';

const CALL_MEASURES = `calls bigint NOT NULL, completed bigint NOT NULL, converted bigint NOT NULL, duration_sum bigint NOT NULL,
  duration_n bigint NOT NULL, revenue numeric(16,4) NOT NULL`;
const AUCTION_MEASURES = `auctions bigint NOT NULL, won bigint NOT NULL, winning_bid_sum numeric(16,4) NOT NULL,
  winning_bid_n bigint NOT NULL, response_ms_sum bigint NOT NULL`;
const BID_MEASURES = `pinged bigint NOT NULL, valid_bids bigint NOT NULL, winning_bids bigint NOT NULL, bid_sum numeric(16,4) NOT NULL,
  response_ms_sum bigint NOT NULL, response_n bigint NOT NULL, timeouts bigint NOT NULL`;
const DIM_TYPES: Record<string, string> = { campaign_id: 'uuid', buyer_id: 'integer', rtb_target_id: 'integer', target_name: 'text NOT NULL' };

/** [table, key dimensions, measures] of every summary. */
const SUMMARIES: Array<[string, string[], string]> = [
  ['call_stats_h', [], CALL_MEASURES],
  ['call_stats_h_campaign', ['campaign_id'], CALL_MEASURES],
  ['call_stats_h_buyer', ['buyer_id'], CALL_MEASURES],
  ['call_stats_h_target', ['rtb_target_id'], CALL_MEASURES],
  ['call_stats_h_full', ['campaign_id', 'buyer_id', 'rtb_target_id'], CALL_MEASURES],
  ['call_stats_q', [], CALL_MEASURES],
  ['call_stats_q_campaign', ['campaign_id'], CALL_MEASURES],
  ['call_stats_q_full', ['campaign_id', 'buyer_id', 'rtb_target_id'], CALL_MEASURES],
  ['auction_stats_h', [], AUCTION_MEASURES],
  ['auction_stats_h_campaign', ['campaign_id'], AUCTION_MEASURES],
  ['auction_stats_q', [], AUCTION_MEASURES],
  ['auction_stats_q_campaign', ['campaign_id'], AUCTION_MEASURES],
  ['bid_stats_h_target', ['rtb_target_id', 'target_name'], BID_MEASURES],
  ['bid_stats_h_full', ['campaign_id', 'rtb_target_id', 'target_name'], BID_MEASURES],
  ['bid_stats_q_target', ['rtb_target_id', 'target_name'], BID_MEASURES],
  ['bid_stats_q_full', ['campaign_id', 'rtb_target_id', 'target_name'], BID_MEASURES],
];

/** [table, key dimensions, measures] of every delta table. */
const DELTAS: Array<[string, string[], string]> = [
  ['call_stats_deltas', ['campaign_id', 'buyer_id', 'rtb_target_id'], CALL_MEASURES],
  ['auction_stats_deltas', ['campaign_id'], AUCTION_MEASURES],
  ['bid_stats_deltas', ['campaign_id', 'rtb_target_id', 'target_name'], BID_MEASURES],
];

const QUARTER = "date_bin('15 minutes', %s, TIMESTAMPTZ '2000-01-01 00:00:00+00')";
const quarterOf = (ts: string) => QUARTER.replace('%s', ts);

export async function up(db: Kysely<unknown>): Promise<void> {
  const tables = [
    ...SUMMARIES.map(
      ([table, dims, measures]) => `CREATE TABLE ${table} (
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        at timestamptz NOT NULL,
        ${dims.map((d) => `${d} ${DIM_TYPES[d]},`).join(' ')}
        ${measures},
        CONSTRAINT ${table}_key UNIQUE NULLS NOT DISTINCT (org_id, at${dims.map((d) => `, ${d}`).join('')})
      );`,
    ),
    ...DELTAS.map(
      ([table, dims, measures]) => `CREATE TABLE ${table} (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        org_id uuid NOT NULL,
        at timestamptz NOT NULL,
        ${dims.map((d) => `${d} ${DIM_TYPES[d]},`).join(' ')}
        ${measures}
      );
      CREATE INDEX ${table}_org_at_idx ON ${table} (org_id, at);`,
    ),
  ];
  await sql.raw(tables.join('\n')).execute(db);

  await sql`
    -- The dashboard's calls in progress.
    CREATE INDEX calls_org_open_idx ON calls (org_id, created_at) WHERE status_rank < 4;
    CREATE INDEX bid_responses_org_created_idx ON bid_responses (org_id, created_at);

    CREATE FUNCTION call_stats_track() RETURNS trigger LANGUAGE plpgsql AS $fn$
    DECLARE
      o_rev numeric; n_rev numeric;
    BEGIN
      IF TG_OP <> 'INSERT' AND OLD.org_id IS NOT NULL THEN
        o_rev := COALESCE(OLD.revenue_override, OLD.revenue);
      END IF;
      IF TG_OP <> 'DELETE' AND NEW.org_id IS NOT NULL THEN
        n_rev := COALESCE(NEW.revenue_override, NEW.revenue);
      END IF;
      IF TG_OP = 'UPDATE' AND OLD.org_id IS NOT DISTINCT FROM NEW.org_id AND OLD.created_at = NEW.created_at
         AND OLD.campaign_id IS NOT DISTINCT FROM NEW.campaign_id AND OLD.buyer_id IS NOT DISTINCT FROM NEW.buyer_id
         AND OLD.rtb_target_id IS NOT DISTINCT FROM NEW.rtb_target_id THEN
        -- Same summary rows: one delta of the differences (none when nothing counted changed).
        IF OLD.org_id IS NULL OR ((OLD.status = 'completed') = (NEW.status = 'completed')
           AND OLD.duration_sec IS NOT DISTINCT FROM NEW.duration_sec AND o_rev IS NOT DISTINCT FROM n_rev) THEN
          RETURN NULL;
        END IF;
        INSERT INTO call_stats_deltas (org_id, at, campaign_id, buyer_id, rtb_target_id, calls, completed, converted, duration_sum, duration_n, revenue)
        VALUES (NEW.org_id, ${sql.raw(quarterOf('NEW.created_at'))}, NEW.campaign_id, NEW.buyer_id, NEW.rtb_target_id, 0,
          (NEW.status = 'completed')::int - (OLD.status = 'completed')::int,
          (COALESCE(n_rev, 0) > 0)::int - (COALESCE(o_rev, 0) > 0)::int,
          COALESCE(NEW.duration_sec, 0) - COALESCE(OLD.duration_sec, 0),
          (NEW.duration_sec IS NOT NULL)::int - (OLD.duration_sec IS NOT NULL)::int,
          COALESCE(n_rev, 0) - COALESCE(o_rev, 0));
        RETURN NULL;
      END IF;
      IF TG_OP <> 'INSERT' AND OLD.org_id IS NOT NULL THEN
        INSERT INTO call_stats_deltas (org_id, at, campaign_id, buyer_id, rtb_target_id, calls, completed, converted, duration_sum, duration_n, revenue)
        VALUES (OLD.org_id, ${sql.raw(quarterOf('OLD.created_at'))}, OLD.campaign_id, OLD.buyer_id, OLD.rtb_target_id, -1,
          -(OLD.status = 'completed')::int, -(COALESCE(o_rev, 0) > 0)::int, -COALESCE(OLD.duration_sec, 0),
          -(OLD.duration_sec IS NOT NULL)::int, -COALESCE(o_rev, 0));
      END IF;
      IF TG_OP <> 'DELETE' AND NEW.org_id IS NOT NULL THEN
        INSERT INTO call_stats_deltas (org_id, at, campaign_id, buyer_id, rtb_target_id, calls, completed, converted, duration_sum, duration_n, revenue)
        VALUES (NEW.org_id, ${sql.raw(quarterOf('NEW.created_at'))}, NEW.campaign_id, NEW.buyer_id, NEW.rtb_target_id, 1,
          (NEW.status = 'completed')::int, (COALESCE(n_rev, 0) > 0)::int, COALESCE(NEW.duration_sec, 0),
          (NEW.duration_sec IS NOT NULL)::int, COALESCE(n_rev, 0));
      END IF;
      RETURN NULL;
    END $fn$;
    CREATE TRIGGER call_stats_track AFTER INSERT OR UPDATE OR DELETE ON calls FOR EACH ROW EXECUTE FUNCTION call_stats_track();

    CREATE FUNCTION auction_stats_track() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        INSERT INTO auction_stats_deltas (org_id, at, campaign_id, auctions, won, winning_bid_sum, winning_bid_n, response_ms_sum)
        VALUES (OLD.org_id, ${sql.raw(quarterOf('OLD.created_at'))}, OLD.campaign_id, -1, -(OLD.status = 'won')::int,
          -COALESCE(CASE WHEN OLD.status = 'won' THEN OLD.winning_bid_amount END, 0),
          -(OLD.status = 'won' AND OLD.winning_bid_amount IS NOT NULL)::int, -OLD.total_response_time_ms);
      END IF;
      IF TG_OP <> 'DELETE' THEN
        INSERT INTO auction_stats_deltas (org_id, at, campaign_id, auctions, won, winning_bid_sum, winning_bid_n, response_ms_sum)
        VALUES (NEW.org_id, ${sql.raw(quarterOf('NEW.created_at'))}, NEW.campaign_id, 1, (NEW.status = 'won')::int,
          COALESCE(CASE WHEN NEW.status = 'won' THEN NEW.winning_bid_amount END, 0),
          (NEW.status = 'won' AND NEW.winning_bid_amount IS NOT NULL)::int, NEW.total_response_time_ms);
      END IF;
      RETURN NULL;
    END $fn$;
    CREATE TRIGGER auction_stats_track AFTER INSERT OR DELETE OR UPDATE OF org_id, created_at, campaign_id, status, winning_bid_amount, total_response_time_ms
      ON bid_requests FOR EACH ROW EXECUTE FUNCTION auction_stats_track();

    CREATE FUNCTION bid_stats_track() RETURNS trigger LANGUAGE plpgsql AS $fn$
    DECLARE
      o_campaign uuid; n_campaign uuid;
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        SELECT campaign_id INTO o_campaign FROM bid_requests WHERE id = OLD.bid_request_id;
        INSERT INTO bid_stats_deltas (org_id, at, campaign_id, rtb_target_id, target_name, pinged, valid_bids, winning_bids, bid_sum, response_ms_sum, response_n, timeouts)
        VALUES (OLD.org_id, ${sql.raw(quarterOf('OLD.created_at'))}, o_campaign, OLD.rtb_target_id, OLD.target_name,
          -(OLD.status <> 'filtered')::int, -OLD.is_valid::int, -OLD.is_winning_bid::int,
          -COALESCE(CASE WHEN OLD.is_valid THEN OLD.bid_amount END, 0),
          -COALESCE(CASE WHEN OLD.status <> 'filtered' THEN OLD.response_time_ms END, 0),
          -(OLD.status <> 'filtered' AND OLD.response_time_ms IS NOT NULL)::int, -(OLD.status = 'timeout')::int);
      END IF;
      IF TG_OP <> 'DELETE' THEN
        SELECT campaign_id INTO n_campaign FROM bid_requests WHERE id = NEW.bid_request_id;
        INSERT INTO bid_stats_deltas (org_id, at, campaign_id, rtb_target_id, target_name, pinged, valid_bids, winning_bids, bid_sum, response_ms_sum, response_n, timeouts)
        VALUES (NEW.org_id, ${sql.raw(quarterOf('NEW.created_at'))}, n_campaign, NEW.rtb_target_id, NEW.target_name,
          (NEW.status <> 'filtered')::int, NEW.is_valid::int, NEW.is_winning_bid::int,
          COALESCE(CASE WHEN NEW.is_valid THEN NEW.bid_amount END, 0),
          COALESCE(CASE WHEN NEW.status <> 'filtered' THEN NEW.response_time_ms END, 0),
          (NEW.status <> 'filtered' AND NEW.response_time_ms IS NOT NULL)::int, (NEW.status = 'timeout')::int);
      END IF;
      RETURN NULL;
    END $fn$;
    CREATE TRIGGER bid_stats_track AFTER INSERT OR DELETE OR UPDATE OF org_id, created_at, bid_request_id, rtb_target_id, target_name, status, is_valid, is_winning_bid, bid_amount, response_time_ms
      ON bid_responses FOR EACH ROW EXECUTE FUNCTION bid_stats_track();
  `.execute(db);

  // What was recorded before this migration becomes deltas (the compactor folds them; reports
  // read them meanwhile).
  await sql`
    INSERT INTO call_stats_deltas (org_id, at, campaign_id, buyer_id, rtb_target_id, calls, completed, converted, duration_sum, duration_n, revenue)
    SELECT org_id, ${sql.raw(quarterOf('created_at'))}, campaign_id, buyer_id, rtb_target_id, count(*),
      count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE COALESCE(revenue_override, revenue, 0) > 0),
      COALESCE(sum(duration_sec), 0), count(duration_sec), COALESCE(sum(COALESCE(revenue_override, revenue, 0)), 0)
    FROM calls WHERE org_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5;
    INSERT INTO auction_stats_deltas (org_id, at, campaign_id, auctions, won, winning_bid_sum, winning_bid_n, response_ms_sum)
    SELECT org_id, ${sql.raw(quarterOf('created_at'))}, campaign_id, count(*), count(*) FILTER (WHERE status = 'won'),
      COALESCE(sum(winning_bid_amount) FILTER (WHERE status = 'won'), 0), count(winning_bid_amount) FILTER (WHERE status = 'won'),
      COALESCE(sum(total_response_time_ms), 0)
    FROM bid_requests GROUP BY 1, 2, 3;
    INSERT INTO bid_stats_deltas (org_id, at, campaign_id, rtb_target_id, target_name, pinged, valid_bids, winning_bids, bid_sum, response_ms_sum, response_n, timeouts)
    SELECT b.org_id, ${sql.raw(quarterOf('b.created_at'))}, r.campaign_id, b.rtb_target_id, b.target_name,
      count(*) FILTER (WHERE b.status <> 'filtered'), count(*) FILTER (WHERE b.is_valid), count(*) FILTER (WHERE b.is_winning_bid),
      COALESCE(sum(b.bid_amount) FILTER (WHERE b.is_valid), 0), COALESCE(sum(b.response_time_ms) FILTER (WHERE b.status <> 'filtered'), 0),
      count(b.response_time_ms) FILTER (WHERE b.status <> 'filtered'), count(*) FILTER (WHERE b.status = 'timeout')
    FROM bid_responses b JOIN bid_requests r ON r.id = b.bid_request_id GROUP BY 1, 2, 3, 4, 5;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER bid_stats_track ON bid_responses;
    DROP TRIGGER auction_stats_track ON bid_requests;
    DROP TRIGGER call_stats_track ON calls;
    DROP FUNCTION bid_stats_track();
    DROP FUNCTION auction_stats_track();
    DROP FUNCTION call_stats_track();
    DROP INDEX calls_org_open_idx;
    DROP INDEX bid_responses_org_created_idx;
  `.execute(db);
  await sql.raw([...SUMMARIES, ...DELTAS].map(([table]) => `DROP TABLE ${table};`).join('\n')).execute(db);
}
