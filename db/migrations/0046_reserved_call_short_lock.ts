// The capped path holds its buyer's lock for less time (issue 13 item 2).
//
// Measured on 6 December, evening (docs/benchmarks.md): 50 calls in flight, all asking the same
// first buyer, ran at 68–84 % of the unlimited path. Each call held that buyer's row lock from its
// cap check to its commit, across the call's insert (16 indexes, its triggers), the leg's insert
// and the commit. At ~0.5 ms a hold, that is ~2,000 calls/s through one buyer, where both capped
// rows sat.
//
// Now the common case, where the first candidate is under its limits, inserts the call first,
// complete, as if that candidate won, and only then locks the buyer and checks its limits:
// - **Under its limits:** the leg is inserted and the transaction commits. The lock covers the
//   check, the leg and the commit.
// - **At a limit** (or the buyer is gone): the tentative call is rolled back with its
//   subtransaction, and 0042's path runs as before. Each buyer is locked and checked in the
//   planned order until one is under its limits; then the call is inserted once, and its leg.
//   Nothing of the tentative call remains: no row, no trigger effect, no lock.
// The locks are FOR NO KEY UPDATE, not FOR UPDATE. The call's insert holds a KEY SHARE lock on its
// buyer (the foreign key). FOR UPDATE conflicts with that, so two calls each holding KEY SHARE
// would deadlock asking for it (seen when this was first tried). FOR NO KEY UPDATE does not
// conflict with KEY SHARE, but does conflict with itself and with FOR UPDATE (reserve_leg()), so
// the counting of a buyer's calls stays one at a time across instances. What stays as it was: a
// delivery of a CallSid already recorded changes nothing (its insert waits for the first delivery's
// commit on the unique key, then does nothing); the async commit and the flush barrier; the
// answers and the plan's `skipped` / `attempts`.
import { type Kysely, sql } from 'kysely';
import { PROCEDURE as PROCEDURE_0042 } from './0042_reserved_call_one_write.js';

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
      v_first jsonb := p_candidates->0;
      v_winner jsonb;
      v_limited boolean;
      v_reason text;
      v_capped jsonb := '[]';
      v_attempts jsonb := '[]';
      v_method text := 'none';
      v_plan jsonb;
      v_call integer;
      v_done boolean := false;
    BEGIN
      PERFORM set_config('synchronous_commit', 'off', true);
      IF v_first IS NOT NULL THEN
        -- The first candidate, tentatively: the call inserted first, the buyer locked and checked after.
        BEGIN
          INSERT INTO calls (org_id, call_sid, direction, campaign_id, phone_number_id, from_number, to_number, caller_state, caller_zip, source,
                             twiml, routing_method, routing_plan, buyer_id, payout)
          VALUES (p_org, p_call_sid, 'inbound', p_campaign, p_phone_number_id, p_from, p_to, p_caller_state, p_caller_zip, p_source,
                  v_first->>'twiml', p_routing_method,
                  p_plan || jsonb_build_object('attempts', jsonb_build_array(
                    jsonb_build_object('attempt', 1, 'candidate', 'buyer:' || (v_first->>'buyerId'), 'result', 'dialled'))),
                  (v_first->>'buyerId')::integer, (v_first->>'payout')::numeric)
          ON CONFLICT (call_sid) DO NOTHING
          RETURNING id INTO v_call;
          IF v_call IS NULL THEN
            -- Another delivery recorded this CallSid: nothing was written; its answer is the stored one.
            r_created := false;
            r_twiml := NULL;
            RETURN;
          END IF;
          v_limited := (v_first->>'maxConcurrent') IS NOT NULL OR (v_first->>'hourlyCap') IS NOT NULL
            OR (v_first->>'dailyCap') IS NOT NULL OR (v_first->>'monthlyCap') IS NOT NULL;
          IF v_limited THEN
            PERFORM 1 FROM buyers WHERE org_id = p_org AND id = (v_first->>'buyerId')::integer FOR NO KEY UPDATE;
            v_reason := leg_cap_reason('buyer', (v_first->>'buyerId')::integer, (v_first->>'maxConcurrent')::integer,
              (v_first->>'hourlyCap')::integer, (v_first->>'dailyCap')::integer, (v_first->>'monthlyCap')::integer,
              (v_first->>'hourStart')::timestamptz, (v_first->>'dayStart')::timestamptz, (v_first->>'monthStart')::timestamptz, p_stale_sec);
            IF v_reason IS NOT NULL THEN
              RAISE EXCEPTION 'first candidate at a limit' USING ERRCODE = 'CCL02';
            END IF;
          END IF;
          INSERT INTO call_legs (call_id, attempt, org_id, buyer_id, destination, payout, min_duration_sec, started_at)
          VALUES (v_call, 1, p_org, (v_first->>'buyerId')::integer, v_first->>'destination', (v_first->>'payout')::numeric,
                  (v_first->>'minDurationSec')::integer, now());
          r_twiml := v_first->>'twiml';
          v_done := true;
        EXCEPTION
          -- At a limit, or the buyer gone (the call's key): the tentative call is undone with its locks.
          WHEN SQLSTATE 'CCL02' OR foreign_key_violation THEN
            v_call := NULL;
        END;
      END IF;
      IF NOT v_done THEN
        FOR c IN SELECT value FROM jsonb_array_elements(p_candidates) LOOP
          v_limited := (c->>'maxConcurrent') IS NOT NULL OR (c->>'hourlyCap') IS NOT NULL OR (c->>'dailyCap') IS NOT NULL
            OR (c->>'monthlyCap') IS NOT NULL;
          IF v_limited THEN
            PERFORM 1 FROM buyers WHERE org_id = p_org AND id = (c->>'buyerId')::integer FOR NO KEY UPDATE;
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
          r_created := false;
          r_twiml := NULL;
          RETURN;
        END IF;
        IF v_winner IS NOT NULL THEN
          INSERT INTO call_legs (call_id, attempt, org_id, buyer_id, destination, payout, min_duration_sec, started_at)
          VALUES (v_call, 1, p_org, (v_winner->>'buyerId')::integer, v_winner->>'destination', (v_winner->>'payout')::numeric,
                  (v_winner->>'minDurationSec')::integer, now());
        END IF;
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
  await sql.raw(PROCEDURE_0042).execute(db);
}
