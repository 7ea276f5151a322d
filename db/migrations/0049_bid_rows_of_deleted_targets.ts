// An RTB target deleted before its bids' rows were written no longer blocks them (issue 13 item 3,
// found by review on 6 December).
//
// Since 0044 an RTB answer commits its bids as one pending copy, turned into bid_responses rows
// just after the answer, by the sweep after a crash, or by any reader first. The copy keeps each
// bid's target id, and bid_responses.rtb_target_id references rtb_targets. When a losing target was
// deleted before the copy was written, every flush of it failed on that reference: the sweep (its
// batches in id order) stopped there for good, the call's fall-through after a busy answered 500
// (it reads the bids), and so did the organisation's RTB reports and audit pages.
//
// Now a bid of a target that no longer exists is written without it (rtb_target_id NULL, its name
// kept), as ON DELETE SET NULL does to rows already written. A target deleted while a copy is being
// written can still fail that copy's reference check: each copy is flushed in a subtransaction, so
// such a copy stays pending for the next pass (which writes it without the target) and the others
// are written.
import { type Kysely, sql } from 'kysely';
import { BID_RESPONSES_INSERT, FLUSH_BID_RESPONSES_FUNCTION, INSERT_BID_RESPONSES_FUNCTION } from './0044_deferred_bid_rows.js';
import { replaceOnce } from './sql-text.js';

const TARGET_IF_IT_EXISTS = '(SELECT t.id FROM rtb_targets t WHERE t.id = b.rtb_target_id)';
const INSERT_WITHOUT_GONE_TARGETS = replaceOnce(BID_RESPONSES_INSERT, 'p_bid_request_id, b.request_id, b.rtb_target_id,', `p_bid_request_id, b.request_id, ${TARGET_IF_IT_EXISTS},`, "0044's bid row insert");

const INSERT_BID_RESPONSES = `
    CREATE OR REPLACE FUNCTION insert_bid_responses(p_bid_request_id bigint, p_responses jsonb, p_created_at timestamptz)
    RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
    BEGIN
      ${INSERT_WITHOUT_GONE_TARGETS};
    END
    $fn$;
`;

const FLUSH_BID_RESPONSES = `
    CREATE OR REPLACE FUNCTION flush_bid_responses(p_bid_request_ids bigint[]) RETURNS integer LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_id bigint;
      v_pending record;
      v_flushed integer := 0;
    BEGIN
      -- The copies locked in one order whoever flushes them (a batch of the writer, a reader's, the
      -- sweep's), so that two flushes of overlapping batches wait for each other, never deadlock.
      FOR v_id IN
        SELECT bid_request_id FROM bid_responses_pending WHERE bid_request_id = ANY (p_bid_request_ids) ORDER BY bid_request_id FOR UPDATE
      LOOP
        BEGIN
          DELETE FROM bid_responses_pending WHERE bid_request_id = v_id RETURNING bid_request_id, responses, created_at INTO v_pending;
          IF FOUND THEN
            PERFORM insert_bid_responses(v_pending.bid_request_id, v_pending.responses::jsonb, v_pending.created_at);
            v_flushed := v_flushed + 1;
          END IF;
        EXCEPTION WHEN foreign_key_violation THEN
          -- A target deleted while this copy was written: the copy stays for the next pass.
          NULL;
        END;
      END LOOP;
      RETURN v_flushed;
    END
    $fn$;
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`${INSERT_BID_RESPONSES}\n${FLUSH_BID_RESPONSES}`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const restore = (fn: string) => fn.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION');
  await sql.raw(`${restore(INSERT_BID_RESPONSES_FUNCTION)}\n${restore(FLUSH_BID_RESPONSES_FUNCTION)}`).execute(db);
}
