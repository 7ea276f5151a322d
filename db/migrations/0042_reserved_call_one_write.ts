// The capped path's procedure decides first, then writes each row once (issue 13 item 2). Until
// now record_reserved_call() inserted the call bare, then for the buyer it reserved updated it
// (reserve_leg(): buyer, payout), then updated it again with the answer: three versions of the
// calls row, each through its triggers (calls_guard, the report rollups), where the unlimited path
// writes one. Measured in rounds (scripts/bench/webhook.ts, the order turned each round), the
// capped paths ran at 69–72 % of the unlimited one, their PostgreSQL backends using ~0.5 ms more
// per call.
//
// Now: each buyer in the planned order is locked (FOR UPDATE when it has limits: it serialises
// its counting; FOR SHARE otherwise, as reserve_leg()) and checked against its limits
// (leg_cap_reason(), the counters of migration 0022) until one is under them; then the call is
// inserted once with its buyer, payout, TwiML and plan, and its leg after it (the counters'
// trigger counts it). What stays as it was:
// - a delivery of a CallSid already recorded changes nothing (ON CONFLICT DO NOTHING, after the
//   locks: a concurrent first delivery holds the buyer's lock until it commits, so the retry sees
//   its call and writes nothing); `r_created` false, as before;
// - the lock order buyer → call → leg: the call row is new, nobody else can lock it yet;
// - the async commit of the routing transaction (its locks released without waiting for the WAL
//   flush), then the flush barrier before the answer leaves;
// - the answers (`r_created`, `r_twiml`, `r_call_id`) and the plan's `skipped` / `attempts`.
// The signature is 0041's, so the procedure is replaced in place; down restores 0041's body.
import { type Kysely, sql } from 'kysely';
import { reservedCallProcedure } from './0041_reserved_call_id.js';

const CAP_REASONS = "('concurrency_reached', 'hourly_cap_reached', 'daily_cap_reached', 'monthly_cap_reached')";

export const PROCEDURE = `
    CREATE OR REPLACE PROCEDURE record_reserved_call(
      p_org uuid, p_call_sid text, p_campaign uuid, p_phone_number_id integer, p_from text, p_to text,
      p_caller_state text, p_caller_zip text, p_source text,
      p_candidates jsonb, p_plan jsonb, p_input_order integer[], p_routing_method text,
      p_fallback_twiml text, p_fallback_to text, p_stale_sec integer,
      INOUT r_created boolean DEFAULT NULL, INOUT r_twiml text DEFAULT NULL, INOUT r_call_id integer DEFAULT NULL
    ) LANGUAGE plpgsql AS $fn$
    DECLARE
      c jsonb;
      v_winner jsonb;
      v_limited boolean;
      v_reason text;
      v_capped jsonb := '[]';
      v_attempts jsonb := '[]';
      v_method text := 'none';
      v_plan jsonb;
      v_call integer;
    BEGIN
      PERFORM set_config('synchronous_commit', 'off', true);
      FOR c IN SELECT value FROM jsonb_array_elements(p_candidates) LOOP
        v_limited := (c->>'maxConcurrent') IS NOT NULL OR (c->>'hourlyCap') IS NOT NULL OR (c->>'dailyCap') IS NOT NULL
          OR (c->>'monthlyCap') IS NOT NULL;
        IF v_limited THEN
          PERFORM 1 FROM buyers WHERE org_id = p_org AND id = (c->>'buyerId')::integer FOR UPDATE;
        ELSE
          PERFORM 1 FROM buyers WHERE org_id = p_org AND id = (c->>'buyerId')::integer FOR SHARE;
        END IF;
        IF NOT FOUND THEN
          v_reason := 'not_found';
        ELSIF v_limited THEN
          v_reason := leg_cap_reason('buyer', (c->>'buyerId')::integer, (c->>'maxConcurrent')::integer, (c->>'hourlyCap')::integer,
            (c->>'dailyCap')::integer, (c->>'monthlyCap')::integer, (c->>'hourStart')::timestamptz, (c->>'dayStart')::timestamptz,
            (c->>'monthStart')::timestamptz, p_stale_sec);
        ELSE
          v_reason := NULL;
        END IF;
        IF v_reason IS NULL THEN
          v_winner := c;
          r_twiml := c->>'twiml';
          v_method := p_routing_method;
          v_attempts := v_attempts || jsonb_build_object('attempt', 1, 'candidate', 'buyer:' || (c->>'buyerId'), 'result', 'dialled');
          EXIT;
        ELSIF v_reason IN ${CAP_REASONS} THEN
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
      INSERT INTO calls (org_id, call_sid, direction, campaign_id, phone_number_id, from_number, to_number, caller_state, caller_zip, source,
                         twiml, routing_method, routing_plan, buyer_id, payout)
      VALUES (p_org, p_call_sid, 'inbound', p_campaign, p_phone_number_id, p_from, p_to, p_caller_state, p_caller_zip, p_source,
              r_twiml, v_method, v_plan, (v_winner->>'buyerId')::integer, (v_winner->>'payout')::numeric)
      ON CONFLICT (call_sid) DO NOTHING
      RETURNING id INTO v_call;
      IF v_call IS NULL THEN
        -- Another delivery recorded this CallSid: nothing was written; its answer is the stored one.
        r_created := false;
        r_twiml := NULL;
        RETURN;
      END IF;
      IF v_winner IS NOT NULL THEN
        INSERT INTO call_legs (call_id, attempt, org_id, buyer_id, destination, payout, min_duration_sec, started_at)
        VALUES (v_call, 1, p_org, (v_winner->>'buyerId')::integer, v_winner->>'destination', (v_winner->>'payout')::numeric,
                (v_winner->>'minDurationSec')::integer, now());
      END IF;
      r_created := true;
      r_call_id := v_call;
      COMMIT;
      -- The flush barrier: a transaction with an xid commits synchronously (the session's setting).
      PERFORM pg_current_xact_id();
    END
    $fn$;
  `;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(PROCEDURE).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(reservedCallProcedure(true).replace('CREATE PROCEDURE', 'CREATE OR REPLACE PROCEDURE')).execute(db);
}
