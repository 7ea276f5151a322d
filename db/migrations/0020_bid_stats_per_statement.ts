// The report-rollup deltas of an auction's bids in one set-based INSERT per statement (issue 13
// item 3). 0010's row trigger ran, for every bid_responses row inserted, a look-up of its
// bid_requests row and an INSERT into bid_stats_deltas: 200 plpgsql statements for a 100-bidder
// auction, the largest part of write_auction_audit()'s time. Inserts now fire a statement trigger
// that reads the statement's new rows (a transition table) and writes their deltas in one INSERT …
// SELECT with one join to bid_requests. Updates and deletes (rare: retention, corrections) keep
// the row trigger. The deltas are the same rows with the same values as before.
import { type Kysely, sql } from 'kysely';

const QUARTER_OF_CREATED = "date_bin('15 minutes', n.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00')";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
    DROP TRIGGER bid_stats_track ON bid_responses;
    CREATE TRIGGER bid_stats_track AFTER DELETE OR UPDATE OF org_id, created_at, bid_request_id, rtb_target_id, target_name, status, is_valid, is_winning_bid, bid_amount, response_time_ms
      ON bid_responses FOR EACH ROW EXECUTE FUNCTION bid_stats_track();

    CREATE FUNCTION bid_stats_track_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO bid_stats_deltas (org_id, at, campaign_id, rtb_target_id, target_name, pinged, valid_bids, winning_bids, bid_sum, response_ms_sum, response_n, timeouts)
      SELECT n.org_id, ${QUARTER_OF_CREATED}, r.campaign_id, n.rtb_target_id, n.target_name,
        (n.status <> 'filtered')::int, n.is_valid::int, n.is_winning_bid::int,
        COALESCE(CASE WHEN n.is_valid THEN n.bid_amount END, 0),
        COALESCE(CASE WHEN n.status <> 'filtered' THEN n.response_time_ms END, 0),
        (n.status <> 'filtered' AND n.response_time_ms IS NOT NULL)::int, (n.status = 'timeout')::int
      FROM new_bids n LEFT JOIN bid_requests r ON r.id = n.bid_request_id;
      RETURN NULL;
    END $fn$;
    CREATE TRIGGER bid_stats_track_inserted AFTER INSERT ON bid_responses
      REFERENCING NEW TABLE AS new_bids FOR EACH STATEMENT EXECUTE FUNCTION bid_stats_track_inserted();
  `,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
    DROP TRIGGER bid_stats_track_inserted ON bid_responses;
    DROP FUNCTION bid_stats_track_inserted();
    DROP TRIGGER bid_stats_track ON bid_responses;
    CREATE TRIGGER bid_stats_track AFTER INSERT OR DELETE OR UPDATE OF org_id, created_at, bid_request_id, rtb_target_id, target_name, status, is_valid, is_winning_bid, bid_amount, response_time_ms
      ON bid_responses FOR EACH ROW EXECUTE FUNCTION bid_stats_track();
  `,
    )
    .execute(db);
}
