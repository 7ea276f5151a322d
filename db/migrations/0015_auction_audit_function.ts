// One auction's audit in ONE round trip (issue 13 item 3): write_auction_audit() inserts the
// bid_requests row and every bid_responses row (their report-rollup triggers fire as before) in
// one statement, instead of BEGIN, two INSERTs and COMMIT.
//
// p_async_commit: the caller promises a synchronous commit of its own before it acts on the
// auction (the voice webhook stores the call's answer, or a flow step its routing log, before the
// TwiML is sent): the audit then commits without waiting for the WAL flush, and that later commit
// flushes it (the WAL is one sequence: a flush up to a later commit record covers this one). So
// every audit row, bid and the winning price are durable before the answer, and a crash before
// the answer loses the audit together with an answer nobody received.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION write_auction_audit(p_request jsonb, p_responses jsonb, p_async_commit boolean)
    RETURNS bigint LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_id bigint;
    BEGIN
      IF p_async_commit THEN PERFORM set_config('synchronous_commit', 'off', true); END IF;
      INSERT INTO bid_requests (org_id, request_id, campaign_id, call_id, call_sid, caller_id, caller_state, caller_zip, call_start_time,
        source, auction_type, status, total_targets_pinged, successful_responses, winning_bid_amount, clearing_price, winning_target_id,
        destination_number, bidding_started_at, bidding_completed_at, total_response_time_ms, ledger)
      SELECT r.org_id, r.request_id, r.campaign_id, r.call_id, r.call_sid, r.caller_id, r.caller_state, r.caller_zip, r.call_start_time,
        r.source, r.auction_type, r.status, r.total_targets_pinged, r.successful_responses, r.winning_bid_amount, r.clearing_price,
        r.winning_target_id, r.destination_number, r.bidding_started_at, r.bidding_completed_at, r.total_response_time_ms, r.ledger
      FROM jsonb_to_record(p_request) AS r(org_id uuid, request_id text, campaign_id uuid, call_id integer, call_sid text, caller_id text,
        caller_state text, caller_zip text, call_start_time timestamptz, source text, auction_type text, status text,
        total_targets_pinged integer, successful_responses integer, winning_bid_amount numeric, clearing_price numeric,
        winning_target_id integer, destination_number text, bidding_started_at timestamptz, bidding_completed_at timestamptz,
        total_response_time_ms integer, ledger jsonb)
      RETURNING id INTO v_id;
      INSERT INTO bid_responses (org_id, bid_request_id, request_id, rtb_target_id, target_name, status, http_status, response_time_ms,
        bid_amount, bid_currency, destination_number, duration_sec, is_valid, is_winning_bid, rejection_reason, request_body, response_body)
      SELECT b.org_id, v_id, b.request_id, b.rtb_target_id, b.target_name, b.status, b.http_status, b.response_time_ms, b.bid_amount,
        b.bid_currency, b.destination_number, b.duration_sec, b.is_valid, b.is_winning_bid, b.rejection_reason, b.request_body, b.response_body
      FROM jsonb_to_recordset(p_responses) AS b(org_id uuid, request_id text, rtb_target_id integer, target_name text,
        status text, http_status integer, response_time_ms integer, bid_amount numeric, bid_currency text, destination_number text,
        duration_sec integer, is_valid boolean, is_winning_bid boolean, rejection_reason text, request_body text, response_body text);
      RETURN v_id;
    END
    $fn$;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION write_auction_audit(jsonb, jsonb, boolean)`.execute(db);
}
