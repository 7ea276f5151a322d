// The one-statement RTB answer reserves no leg for a call that has already ended (found by review
// on 7 December), as reserve_leg() does since migration 0050.
//
// A caller who hangs up while the auction runs: the call's final status callback commits (it ends
// the legs that exist: none yet), then answer_rtb_call() (0038, 0044) inserted the winner's leg
// open and pointed the ended call at the target with its payout. Twilio never runs that <Dial>, so
// no callback ever ended the leg: it stayed open until it went stale (about 4 hours), holding a
// place of the target's concurrency limit once it has one, and reports counted the call as the
// target's.
//
// The leg's INSERT now reads the call locked, with `status_rank < 4`, as reserve_leg() does: either
// the final callback commits first (no leg; the caller's usual reservation then answers
// `call_ended` and the call gets <Hangup/>), or it waits for the answer and ends the new leg with the
// others. The lock is FOR NO KEY UPDATE, the one the function's UPDATE of the call takes anyway: a
// share lock would have to be upgraded by that UPDATE, and two answers of one call holding it
// (the second waiting for the first's leg) would deadlock.
import { type Kysely, sql } from 'kysely';
import { ANSWER_LEG_AND_CALL } from './0038_answer_rtb_call.js';
import { replaceOnce } from './sql-text.js';

const FINAL_STATUS_RANK = 4;

const LIVE_CALL_LEG = replaceOnce(
  ANSWER_LEG_AND_CALL,
  '      WHERE c.org_id = p_org_id AND c.id = p_call_id\n',
  `      WHERE c.org_id = p_org_id AND c.id = p_call_id AND c.status_rank < ${FINAL_STATUS_RANK}\n      FOR NO KEY UPDATE OF c\n`,
  "answer_rtb_call()'s leg insert",
);

/** answer_rtb_call() as 0044 made it, with `leg` as the winner's leg insert and the call's answer. */
function answerRtbCall(leg: string): string {
  return `
    CREATE OR REPLACE FUNCTION answer_rtb_call(p_org_id uuid, p_call_id integer, p_attempt integer, p_target_id integer, p_destination text,
      p_payout numeric, p_min_duration_sec integer, p_request jsonb, p_ledger text, p_responses text, p_twiml text, p_plan jsonb,
      OUT o_audit_id bigint, OUT o_reserved boolean, OUT o_stored boolean)
    LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_leg_call integer;
    BEGIN
      o_audit_id := insert_bid_request(p_request, p_ledger);
      INSERT INTO bid_responses_pending (bid_request_id, org_id, responses) VALUES (o_audit_id, p_org_id, p_responses);
      ${leg}
    END
    $fn$;
  `;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(answerRtbCall(LIVE_CALL_LEG)).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(answerRtbCall(ANSWER_LEG_AND_CALL)).execute(db);
}
