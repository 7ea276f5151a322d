// The capped path's procedure (record_reserved_call, migration 0014) also answers the id of the
// call it recorded (r_call_id): the voice webhook needs it for the live `call_started` event and
// read it back by CallSid — a second round trip per call, on the answer's path (found with
// `scripts/bench/webhook.ts --profile-sql`: 2.1 round trips per capped call). The body is 0014's
// as it stands, with that one assignment; a procedure's parameters cannot be changed in place, so
// it is dropped and created again (down: the other way).
import { type Kysely, sql } from 'kysely';

const SIGNATURE = 'record_reserved_call(uuid, text, uuid, integer, text, text, text, text, text, jsonb, jsonb, integer[], text, text, text, integer, boolean, text';

/** The procedure as 0041 made it (`withCallId`) or as 0014 did; 0042's down restores the first. */
export function reservedCallProcedure(withCallId: boolean): string {
  return `
    CREATE PROCEDURE record_reserved_call(
      p_org uuid, p_call_sid text, p_campaign uuid, p_phone_number_id integer, p_from text, p_to text,
      p_caller_state text, p_caller_zip text, p_source text,
      p_candidates jsonb, p_plan jsonb, p_input_order integer[], p_routing_method text,
      p_fallback_twiml text, p_fallback_to text, p_stale_sec integer,
      INOUT r_created boolean DEFAULT NULL, INOUT r_twiml text DEFAULT NULL${withCallId ? ', INOUT r_call_id integer DEFAULT NULL' : ''}
    ) LANGUAGE plpgsql AS $fn$
    DECLARE
      v_call integer;
      c jsonb;
      v_reason text;
      v_capped jsonb := '[]';
      v_attempts jsonb := '[]';
      v_method text := 'none';
      v_plan jsonb;
    BEGIN
      INSERT INTO calls (org_id, call_sid, direction, campaign_id, phone_number_id, from_number, to_number, caller_state, caller_zip, source)
      VALUES (p_org, p_call_sid, 'inbound', p_campaign, p_phone_number_id, p_from, p_to, p_caller_state, p_caller_zip, p_source)
      ON CONFLICT (call_sid) DO NOTHING
      RETURNING id INTO v_call;
      IF v_call IS NULL THEN
        r_created := false;
        RETURN;
      END IF;
      PERFORM set_config('synchronous_commit', 'off', true);
      FOR c IN SELECT value FROM jsonb_array_elements(p_candidates) LOOP
        v_reason := reserve_leg(p_org, v_call, 1, (c->>'buyerId')::integer, NULL, c->>'destination', (c->>'payout')::numeric,
          (c->>'minDurationSec')::integer, (c->>'maxConcurrent')::integer, (c->>'hourlyCap')::integer, (c->>'dailyCap')::integer,
          (c->>'monthlyCap')::integer, (c->>'hourStart')::timestamptz, (c->>'dayStart')::timestamptz, (c->>'monthStart')::timestamptz,
          NULL, p_stale_sec, false);
        IF v_reason = 'reserved' THEN
          r_twiml := c->>'twiml';
          v_method := p_routing_method;
          v_attempts := v_attempts || jsonb_build_object('attempt', 1, 'candidate', 'buyer:' || (c->>'buyerId'), 'result', 'dialled');
          EXIT;
        ELSIF v_reason IN ('concurrency_reached', 'hourly_cap_reached', 'daily_cap_reached', 'monthly_cap_reached') THEN
          v_capped := v_capped || jsonb_build_object('buyerId', (c->>'buyerId')::integer, 'reason', v_reason);
        ELSE
          v_attempts := v_attempts || jsonb_build_object('attempt', 1, 'candidate', 'buyer:' || (c->>'buyerId'), 'result', 'skipped', 'reason', v_reason);
        END IF;
      END LOOP;
      IF r_twiml IS NULL THEN
        r_twiml := p_fallback_twiml;
        v_attempts := v_attempts || jsonb_build_object('attempt', 1, 'result', 'fallback', 'to', p_fallback_to);
      END IF;
      v_plan := p_plan || jsonb_build_object(
        'order', (SELECT COALESCE(jsonb_agg(o), '[]') FROM jsonb_array_elements(p_plan->'order') o
                  WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v_capped) k WHERE k->'buyerId' = o)),
        'skipped', (SELECT COALESCE(jsonb_agg(s ORDER BY array_position(p_input_order, (s->>'buyerId')::integer)), '[]')
                    FROM jsonb_array_elements((p_plan->'skipped') || v_capped) s),
        'attempts', v_attempts);
      UPDATE calls SET twiml = r_twiml, routing_method = v_method, routing_plan = v_plan, updated_at = now() WHERE id = v_call;
      r_created := true;
${withCallId ? '      r_call_id := v_call;\n' : ''}      COMMIT;
      -- The flush barrier: a transaction with an xid commits synchronously (the session's setting).
      PERFORM pg_current_xact_id();
    END
    $fn$;
  `;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP PROCEDURE ${SIGNATURE})`).execute(db);
  await sql.raw(reservedCallProcedure(true)).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP PROCEDURE ${SIGNATURE}, integer)`).execute(db);
  await sql.raw(reservedCallProcedure(false)).execute(db);
}
