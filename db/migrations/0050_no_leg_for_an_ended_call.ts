// No leg is reserved for a call that has already ended (found by review on 6 December).
//
// A dial-status callback ("busy") routes the call's next attempt. When the caller hangs up at that
// moment, the call's final status callback can commit between the dial-status handler's read of
// the call and its reservation: the final callback ends the legs that exist, then the next
// attempt's leg is inserted open. Twilio never calls back for it, so it stayed open, holding a
// place of the buyer's concurrency limit until it went stale (about 4 hours) and a place of its
// caps, and reserve_leg() set the finished call's buyer and payout to it (reports moved the call
// to that buyer).
//
// reserve_leg() already locks the call before it writes; it now reads the call's status under that
// lock and answers `call_ended` for a call whose status is final (a retried reservation of a leg
// that exists still answers `reserved`). The final callback locks the call first too, so either it
// commits first (the reservation then sees the final status) or it waits and then ends the new leg
// with the others. The unlimited path's and a number's one-statement inserts (server code) read
// the call under a share lock with the same condition.
import { type Kysely, sql } from 'kysely';
import { RESERVE_LEG_COUNTED_FUNCTION } from './0022_leg_usage_counters.js';
import { replaceOnce } from './sql-text.js';

const FINAL_STATUS_RANK = 4;

let reserveLeg = replaceOnce(RESERVE_LEG_COUNTED_FUNCTION, '      v_reason text;\n    BEGIN', '      v_reason text;\n      v_rank integer;\n    BEGIN', "reserve_leg()'s declarations");
reserveLeg = replaceOnce(
  reserveLeg,
  '      PERFORM 1 FROM calls WHERE org_id = p_org AND id = p_call FOR UPDATE;',
  '      SELECT status_rank INTO v_rank FROM calls WHERE org_id = p_org AND id = p_call FOR UPDATE;',
  "reserve_leg()'s lock of the call",
);
reserveLeg = replaceOnce(
  reserveLeg,
  '      IF v_limited THEN\n        v_reason := leg_cap_reason(',
  `      IF v_rank >= ${FINAL_STATUS_RANK} THEN RETURN 'call_ended'; END IF;\n      IF v_limited THEN\n        v_reason := leg_cap_reason(`,
  "reserve_leg()'s cap check",
);

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(reserveLeg).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(RESERVE_LEG_COUNTED_FUNCTION).execute(db);
}
