// The one-statement RTB answer (server/inbound/webhooks/rtb-answer.ts) as a function: the same
// writes as the statement it replaces — the auction's audit (write_auction_audit()), the winner's
// leg, the call's answer naming the audit — but PL/pgSQL keeps each inner statement's plan for the
// session, so a call no longer pays for parsing and planning a five-part CTE (about 1 ms of the
// server's time per call on the benchmark machine, docs/benchmarks.md "RTB overhead").
//
// The leg is inserted only when the attempt is free and the target belongs to the call's
// organisation; the answer is stored only when the call has none yet (another delivery may have
// stored its own). The audit is written in every case.
import { type Kysely, sql } from 'kysely';

/** After the audit: the winner's leg when the attempt is free, and the call's answer (also in 0044). */
export const ANSWER_LEG_AND_CALL = `
      INSERT INTO call_legs (call_id, attempt, org_id, buyer_id, rtb_target_id, destination, payout, min_duration_sec, started_at)
      SELECT c.id, p_attempt, c.org_id, NULL, t.id, p_destination, p_payout, p_min_duration_sec, now()
      FROM calls c JOIN rtb_targets t ON t.org_id = c.org_id AND t.id = p_target_id
      WHERE c.org_id = p_org_id AND c.id = p_call_id
      ON CONFLICT (call_id, attempt) DO NOTHING
      RETURNING call_id INTO v_leg_call;
      o_reserved := v_leg_call IS NOT NULL;
      o_stored := false;
      IF o_reserved THEN
        UPDATE calls SET buyer_id = NULL, rtb_target_id = p_target_id, payout = p_payout, updated_at = now(),
          twiml = COALESCE(calls.twiml, p_twiml),
          routing_method = CASE WHEN calls.twiml IS NULL THEN 'rtb' ELSE calls.routing_method END,
          routing_plan = CASE WHEN calls.twiml IS NULL
            THEN jsonb_set(p_plan, '{auction,bidRequestId}', to_jsonb(o_audit_id::text))
            ELSE calls.routing_plan END,
          bid_request_id = CASE WHEN calls.twiml IS NULL THEN o_audit_id ELSE calls.bid_request_id END
        WHERE calls.id = v_leg_call
        RETURNING (calls.bid_request_id = o_audit_id) INTO o_stored;
        o_stored := COALESCE(o_stored, false);
      END IF;`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
    CREATE FUNCTION answer_rtb_call(p_org_id uuid, p_call_id integer, p_attempt integer, p_target_id integer, p_destination text,
      p_payout numeric, p_min_duration_sec integer, p_request jsonb, p_responses jsonb, p_twiml text, p_plan jsonb,
      OUT o_audit_id bigint, OUT o_reserved boolean, OUT o_stored boolean)
    LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_leg_call integer;
    BEGIN
      o_audit_id := write_auction_audit(p_request, p_responses, false);
      ${ANSWER_LEG_AND_CALL}
    END
    $fn$;
  `,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION answer_rtb_call(uuid, integer, integer, integer, text, numeric, integer, jsonb, jsonb, text, jsonb)`.execute(db);
}
