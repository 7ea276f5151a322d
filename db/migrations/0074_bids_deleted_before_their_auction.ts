// An auction deleted (a routing delivery that lost its lease discards its own auction,
// server/inbound/calls/routing-lease.ts) took its bids with it through ON DELETE CASCADE, which
// deletes them after the auction: bid_stats_track() then looked up the auction's campaign, found
// no auction and wrote the negative deltas under no campaign. The report summaries by campaign
// (bid_stats_h_full / _q_full) kept the bids for the auction's campaign for good (the RTB report
// filtered by campaign counted bids of an auction that no longer exists), balanced by negative
// rows under no campaign. A BEFORE DELETE trigger on bid_requests now deletes an auction's bids
// first, while the auction is still there to name their campaign; the bid summaries are refilled
// from the bids as deltas (as 0010 did), mending what was counted wrong before.
import { type Kysely, sql } from 'kysely';

const QUARTER_OF_CREATED = "date_bin('15 minutes', b.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00')";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
    CREATE FUNCTION bid_requests_delete_bids() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      DELETE FROM bid_responses WHERE bid_request_id = OLD.id;
      RETURN OLD;
    END $fn$;
    CREATE TRIGGER bid_requests_delete_bids BEFORE DELETE ON bid_requests FOR EACH ROW EXECUTE FUNCTION bid_requests_delete_bids();

    TRUNCATE bid_stats_deltas, bid_stats_h_target, bid_stats_h_full, bid_stats_q_target, bid_stats_q_full;
    INSERT INTO bid_stats_deltas (org_id, at, campaign_id, rtb_target_id, target_name, pinged, valid_bids, winning_bids, bid_sum, response_ms_sum, response_n, timeouts)
    SELECT b.org_id, ${QUARTER_OF_CREATED}, r.campaign_id, b.rtb_target_id, b.target_name,
      count(*) FILTER (WHERE b.status <> 'filtered'), count(*) FILTER (WHERE b.is_valid), count(*) FILTER (WHERE b.is_winning_bid),
      COALESCE(sum(b.bid_amount) FILTER (WHERE b.is_valid), 0), COALESCE(sum(b.response_time_ms) FILTER (WHERE b.status <> 'filtered'), 0),
      count(b.response_time_ms) FILTER (WHERE b.status <> 'filtered'), count(*) FILTER (WHERE b.status = 'timeout')
    FROM bid_responses b JOIN bid_requests r ON r.id = b.bid_request_id GROUP BY 1, 2, 3, 4, 5;
  `,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
    DROP TRIGGER bid_requests_delete_bids ON bid_requests;
    DROP FUNCTION bid_requests_delete_bids();
  `,
    )
    .execute(db);
}
