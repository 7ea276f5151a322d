// The RTB answer's bid rows written after the answer, from a copy committed with it (issue 13
// item 3).
//
// answer_rtb_call() (migration 0038) wrote one bid_responses row per target inside the answer's one
// synchronous statement: their JSON parsed, their rows, indexes, keys and report deltas written
// before the TwiML could leave. Measured from Node on the benchmark machine (docs/benchmarks.md,
// "2026-12-06"), that is most of the statement: 100 bidders' rows are 178 KB of parameters.
//
// Now the statement stores the bids as they arrived, as one text value (not parsed) in
// bid_responses_pending, in the same transaction as the auction's bid_requests row, the winner's
// leg and the call's answer. flush_bid_responses() turns a pending copy into its bid_responses rows
// (with the auction's created_at, so the reports' hours are the auction's) and deletes the copy, in
// one transaction: the server calls it just after the answer, a periodic sweep calls it for copies
// a crash left behind, and every reader of an auction's bids calls it first. Two flushes of one copy
// cannot both write it: the DELETE … RETURNING of the second waits for the first and finds nothing.
// (A losing delivery's auction is discarded with its copy first, server/inbound/calls/routing-lease.ts:
// copy, then auction, the order a flush takes its locks in.)
// So a crash after the answer loses nothing: the copy is committed with the answer.
//
// The auction's ledger (bid_requests.ledger: target configurations and raw answers, 70 KB for 100
// bidders) is stored as text, no longer jsonb: only a replay reads it, and parsing it into jsonb
// cost the answer 2.1 ms for 100 bidders against 0.8 ms to pass it as text (measured the same way).
// Where the server has lz4 (PostgreSQL built with it; PGlite is not) the ledger and the pending
// copies are compressed with it: storing the 82 KB copy took 1.6 ms with pglz, 0.7 ms with lz4.
// The column's type change rewrites bid_requests once.
//
// write_auction_audit() (the other paths' audit, written with its rows at once) and the flush share
// insert_bid_request() and insert_bid_responses(): one INSERT of each kind.
import { type Kysely, sql } from 'kysely';
import { ANSWER_LEG_AND_CALL, up as createAnswerRtbCall0038 } from './0038_answer_rtb_call.js';
import { up as createWriteAuctionAudit0015 } from './0015_auction_audit_function.js';

const BID_REQUEST_INSERT = `
      INSERT INTO bid_requests (org_id, request_id, campaign_id, call_id, call_sid, caller_id, caller_state, caller_zip, call_start_time,
        source, auction_type, status, total_targets_pinged, successful_responses, winning_bid_amount, clearing_price, winning_target_id,
        destination_number, bidding_started_at, bidding_completed_at, total_response_time_ms, ledger)
      SELECT r.org_id, r.request_id, r.campaign_id, r.call_id, r.call_sid, r.caller_id, r.caller_state, r.caller_zip, r.call_start_time,
        r.source, r.auction_type, r.status, r.total_targets_pinged, r.successful_responses, r.winning_bid_amount, r.clearing_price,
        r.winning_target_id, r.destination_number, r.bidding_started_at, r.bidding_completed_at, r.total_response_time_ms, p_ledger
      FROM jsonb_to_record(p_request) AS r(org_id uuid, request_id text, campaign_id uuid, call_id integer, call_sid text, caller_id text,
        caller_state text, caller_zip text, call_start_time timestamptz, source text, auction_type text, status text,
        total_targets_pinged integer, successful_responses integer, winning_bid_amount numeric, clearing_price numeric,
        winning_target_id integer, destination_number text, bidding_started_at timestamptz, bidding_completed_at timestamptz,
        total_response_time_ms integer)`;


/** lz4 for a column where the server has it (the pg_settings enum lists it), else nothing. */
function lz4Where(column: string): string {
  return `
    DO $lz4$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        EXECUTE 'ALTER TABLE ${column.split('.')[0]} ALTER COLUMN ${column.split('.')[1]} SET COMPRESSION lz4';
      END IF;
    END $lz4$;`;
}

export const BID_RESPONSES_INSERT = `
      INSERT INTO bid_responses (org_id, bid_request_id, request_id, rtb_target_id, target_name, status, http_status, response_time_ms,
        bid_amount, bid_currency, destination_number, duration_sec, is_valid, is_winning_bid, rejection_reason, request_body, response_body,
        created_at)
      SELECT b.org_id, p_bid_request_id, b.request_id, b.rtb_target_id, b.target_name, b.status, b.http_status, b.response_time_ms, b.bid_amount,
        b.bid_currency, b.destination_number, b.duration_sec, b.is_valid, b.is_winning_bid, b.rejection_reason, b.request_body, b.response_body,
        p_created_at
      FROM jsonb_to_recordset(p_responses) AS b(org_id uuid, request_id text, rtb_target_id integer, target_name text,
        status text, http_status integer, response_time_ms integer, bid_amount numeric, bid_currency text, destination_number text,
        duration_sec integer, is_valid boolean, is_winning_bid boolean, rejection_reason text, request_body text, response_body text)`;

/** insert_bid_responses() as this migration made it (migration 0049 replaces it; its down restores this). */
export const INSERT_BID_RESPONSES_FUNCTION = `
    CREATE FUNCTION insert_bid_responses(p_bid_request_id bigint, p_responses jsonb, p_created_at timestamptz)
    RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
    BEGIN
      ${BID_RESPONSES_INSERT};
    END
    $fn$;
`;

/** flush_bid_responses() as this migration made it (migration 0049 replaces it; its down restores this). */
export const FLUSH_BID_RESPONSES_FUNCTION = `
    CREATE FUNCTION flush_bid_responses(p_bid_request_ids bigint[]) RETURNS integer LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_pending record;
      v_flushed integer := 0;
    BEGIN
      -- The copies locked in one order whoever flushes them (a batch of the writer, a reader's, the
      -- sweep's), so that two flushes of overlapping batches wait for each other, never deadlock.
      PERFORM 1 FROM bid_responses_pending WHERE bid_request_id = ANY (p_bid_request_ids) ORDER BY bid_request_id FOR UPDATE;
      FOR v_pending IN
        DELETE FROM bid_responses_pending WHERE bid_request_id = ANY (p_bid_request_ids)
        RETURNING bid_request_id, responses, created_at
      LOOP
        PERFORM insert_bid_responses(v_pending.bid_request_id, v_pending.responses::jsonb, v_pending.created_at);
        v_flushed := v_flushed + 1;
      END LOOP;
      RETURN v_flushed;
    END
    $fn$;
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
    CREATE TABLE bid_responses_pending (
      bid_request_id bigint PRIMARY KEY,
      org_id uuid NOT NULL,
      responses text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (org_id, bid_request_id) REFERENCES bid_requests (org_id, id) ON DELETE CASCADE
    );
    ALTER TABLE bid_requests ALTER COLUMN ledger TYPE text USING ledger::text;
    ${lz4Where('bid_requests.ledger')}
    ${lz4Where('bid_responses_pending.responses')}

    CREATE FUNCTION insert_bid_request(p_request jsonb, p_ledger text) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_id bigint;
    BEGIN
      ${BID_REQUEST_INSERT}
      RETURNING id INTO v_id;
      RETURN v_id;
    END
    $fn$;

    ${INSERT_BID_RESPONSES_FUNCTION}

    DROP FUNCTION write_auction_audit(jsonb, jsonb, boolean);
    CREATE FUNCTION write_auction_audit(p_request jsonb, p_ledger text, p_responses jsonb, p_async_commit boolean)
    RETURNS bigint LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_id bigint;
    BEGIN
      IF p_async_commit THEN PERFORM set_config('synchronous_commit', 'off', true); END IF;
      v_id := insert_bid_request(p_request, p_ledger);
      PERFORM insert_bid_responses(v_id, p_responses, now());
      RETURN v_id;
    END
    $fn$;

    ${FLUSH_BID_RESPONSES_FUNCTION}

    DROP FUNCTION answer_rtb_call(uuid, integer, integer, integer, text, numeric, integer, jsonb, jsonb, text, jsonb);
    CREATE FUNCTION answer_rtb_call(p_org_id uuid, p_call_id integer, p_attempt integer, p_target_id integer, p_destination text,
      p_payout numeric, p_min_duration_sec integer, p_request jsonb, p_ledger text, p_responses text, p_twiml text, p_plan jsonb,
      OUT o_audit_id bigint, OUT o_reserved boolean, OUT o_stored boolean)
    LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_leg_call integer;
    BEGIN
      o_audit_id := insert_bid_request(p_request, p_ledger);
      INSERT INTO bid_responses_pending (bid_request_id, org_id, responses) VALUES (o_audit_id, p_org_id, p_responses);
      ${ANSWER_LEG_AND_CALL}
    END
    $fn$;
  `,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
    SELECT flush_bid_responses(ARRAY(SELECT bid_request_id FROM bid_responses_pending));
    DROP FUNCTION answer_rtb_call(uuid, integer, integer, integer, text, numeric, integer, jsonb, text, text, text, jsonb);
    DROP FUNCTION flush_bid_responses(bigint[]);
    DROP FUNCTION write_auction_audit(jsonb, text, jsonb, boolean);
    DROP FUNCTION insert_bid_responses(bigint, jsonb, timestamptz);
    DROP FUNCTION insert_bid_request(jsonb, text);
    DROP TABLE bid_responses_pending;
    ALTER TABLE bid_requests ALTER COLUMN ledger TYPE jsonb USING ledger::jsonb, ALTER COLUMN ledger SET COMPRESSION DEFAULT;
  `,
    )
    .execute(db);
  // The functions as 0015 and 0038 created them.
  await createWriteAuctionAudit0015(db);
  await createAnswerRtbCall0038(db);
}
