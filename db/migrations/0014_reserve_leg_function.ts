// Reserving a <Dial> leg in ONE statement (issue 13 item 2), and the voice webhook's one-round-trip
// path for calls to limited buyers (record_reserved_call(), described above it below).
//
// reserve_leg() locks the buyer (or
// RTB target) row, the call row and the attempt's leg, counts the owner's usage, inserts the leg
// and points the call at it — all inside one function call, so the owner's row lock is held for
// the duration of that one statement (plus its commit) instead of across eight round trips.
//
// Why the counts are exact: the function is plpgsql and VOLATILE, so in READ COMMITTED each of
// its statements takes a fresh snapshot; the counts run after the owner's row lock is granted and
// therefore see every leg committed by the reservation that held the lock before. (A single plain
// SQL statement with CTEs would not: its one snapshot is taken before it waits for the lock.)
//
// p_async_commit: the caller promises to commit a write synchronously (the call's answer, its
// routing log) before it acts on the reservation (answers the <Dial>). The reservation then
// commits without waiting for the WAL flush, so the owner's lock is released at once instead of
// after an fsync (milliseconds on a disk): calls to one hot buyer no longer queue behind each
// other's flushes. Durability is unchanged: the caller's later synchronous commit flushes the WAL
// up to its own commit record, which lies after this one; a crash before that loses the
// reservation together with the answer that was never sent.
//
// Results: 'reserved' (also for the same attempt reserved for the same owner again: a retried
// webhook), 'not_found' (owner or call not in the organisation), 'attempt_taken' (the attempt is
// another owner's), or the first cap reached: 'concurrency_reached', 'hourly_cap_reached',
// 'daily_cap_reached', 'monthly_cap_reached'. A concurrency limit alone is one count that stops
// at the limit; caps are counted in one scan of the owner's legs since the earliest window start.
// A leg that failed to connect (busy, no-answer, failed, canceled) does not count against the caps; an open leg older than p_stale_sec does not
// count against concurrency (a lost status callback cannot block an owner for ever).
import { type Kysely, sql } from 'kysely';

const COUNTED = `(dial_status IS NULL OR dial_status IN ('answered', 'completed'))`;

/**
 * The usage checks for one owner column (buyer_id or rtb_target_id), in capReason's order. A
 * concurrency limit alone: one count that stops at the limit. With caps: one scan of the owner's
 * legs since the earliest window that matters (the caps' window starts, and the stale horizon of
 * open legs when concurrency is limited too), counting all four at once.
 */
function checks(column: 'buyer_id' | 'rtb_target_id', id: string): string {
  return `
      IF p_hourly_cap IS NULL AND p_daily_cap IS NULL AND p_monthly_cap IS NULL THEN
        SELECT count(*) INTO v_n FROM (SELECT 1 FROM call_legs
          WHERE ${column} = ${id} AND ended_at IS NULL AND started_at > now() - make_interval(secs => p_stale_sec)
          LIMIT p_max_concurrent) s;
        IF v_n >= p_max_concurrent THEN RETURN 'concurrency_reached'; END IF;
      ELSE
        SELECT count(*) FILTER (WHERE ended_at IS NULL AND started_at > now() - make_interval(secs => p_stale_sec)),
               count(*) FILTER (WHERE ${COUNTED} AND started_at >= p_hour_start),
               count(*) FILTER (WHERE ${COUNTED} AND started_at >= p_day_start),
               count(*) FILTER (WHERE ${COUNTED} AND started_at >= p_month_start)
          INTO v_open, v_hour, v_day, v_month
          FROM call_legs
          WHERE ${column} = ${id} AND started_at >= LEAST(
            CASE WHEN p_max_concurrent IS NOT NULL THEN now() - make_interval(secs => p_stale_sec) ELSE 'infinity' END,
            CASE WHEN p_hourly_cap IS NOT NULL THEN p_hour_start ELSE 'infinity' END,
            CASE WHEN p_daily_cap IS NOT NULL THEN p_day_start ELSE 'infinity' END,
            CASE WHEN p_monthly_cap IS NOT NULL THEN p_month_start ELSE 'infinity' END);
        IF v_open >= p_max_concurrent THEN RETURN 'concurrency_reached'; END IF;
        IF v_hour >= p_hourly_cap THEN RETURN 'hourly_cap_reached'; END IF;
        IF v_day >= p_daily_cap THEN RETURN 'daily_cap_reached'; END IF;
        IF v_month >= p_monthly_cap THEN RETURN 'monthly_cap_reached'; END IF;
      END IF;`;
}

/** reserve_leg() as this migration creates it (0022 restores it on the way down). */
export const RESERVE_LEG_FUNCTION = `
    CREATE FUNCTION reserve_leg(
      p_org uuid, p_call integer, p_attempt integer, p_buyer integer, p_target integer,
      p_destination text, p_payout numeric, p_min_duration integer,
      p_max_concurrent integer, p_hourly_cap integer, p_daily_cap integer, p_monthly_cap integer,
      p_hour_start timestamptz, p_day_start timestamptz, p_month_start timestamptz,
      p_started_at timestamptz, p_stale_sec integer, p_async_commit boolean
    ) RETURNS text LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_limited boolean := p_max_concurrent IS NOT NULL OR p_hourly_cap IS NOT NULL OR p_daily_cap IS NOT NULL OR p_monthly_cap IS NOT NULL;
      v_leg record;
      v_existing boolean;
      v_n bigint;
      v_open bigint;
      v_hour bigint;
      v_day bigint;
      v_month bigint;
    BEGIN
      IF (p_buyer IS NULL) = (p_target IS NULL) THEN
        RAISE EXCEPTION 'reserve_leg: exactly one of buyer and target' USING ERRCODE = 'invalid_parameter_value';
      END IF;
      IF p_async_commit THEN PERFORM set_config('synchronous_commit', 'off', true); END IF;
      -- Lock order buyer/target → call → leg (callbacks: call → leg): no cycle. Only a limited
      -- owner needs the exclusive lock (it serialises the counting); otherwise a share lock keeps
      -- the owner from being deleted meanwhile and lets reservations run in parallel.
      IF p_buyer IS NOT NULL THEN
        IF v_limited THEN PERFORM 1 FROM buyers WHERE org_id = p_org AND id = p_buyer FOR UPDATE;
        ELSE PERFORM 1 FROM buyers WHERE org_id = p_org AND id = p_buyer FOR SHARE; END IF;
      ELSE
        IF v_limited THEN PERFORM 1 FROM rtb_targets WHERE org_id = p_org AND id = p_target FOR UPDATE;
        ELSE PERFORM 1 FROM rtb_targets WHERE org_id = p_org AND id = p_target FOR SHARE; END IF;
      END IF;
      IF NOT FOUND THEN RETURN 'not_found'; END IF;
      PERFORM 1 FROM calls WHERE org_id = p_org AND id = p_call FOR UPDATE;
      IF NOT FOUND THEN RETURN 'not_found'; END IF;
      SELECT buyer_id, rtb_target_id INTO v_leg FROM call_legs WHERE call_id = p_call AND attempt = p_attempt FOR UPDATE;
      v_existing := FOUND;
      IF v_existing THEN
        IF v_leg.buyer_id IS NOT DISTINCT FROM p_buyer AND v_leg.rtb_target_id IS NOT DISTINCT FROM p_target THEN RETURN 'reserved'; END IF;
        IF v_leg.buyer_id IS NOT NULL OR v_leg.rtb_target_id IS NOT NULL THEN RETURN 'attempt_taken'; END IF;
      END IF;
      IF v_limited THEN
        IF p_buyer IS NOT NULL THEN ${checks('buyer_id', 'p_buyer')}
        ELSE ${checks('rtb_target_id', 'p_target')}
        END IF;
      END IF;
      IF v_existing THEN
        -- A dial callback created the row first (it has no owner yet): fill the routing side.
        UPDATE call_legs SET buyer_id = p_buyer, rtb_target_id = p_target, destination = p_destination, payout = p_payout,
          min_duration_sec = p_min_duration
        WHERE call_id = p_call AND attempt = p_attempt;
      ELSE
        INSERT INTO call_legs (call_id, attempt, org_id, buyer_id, rtb_target_id, destination, payout, min_duration_sec, started_at)
        VALUES (p_call, p_attempt, p_org, p_buyer, p_target, p_destination, p_payout, p_min_duration, COALESCE(p_started_at, now()));
      END IF;
      UPDATE calls SET buyer_id = p_buyer, rtb_target_id = p_target, payout = p_payout, updated_at = now() WHERE id = p_call;
      RETURN 'reserved';
    END
    $fn$;
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
    ${RESERVE_LEG_FUNCTION}
    -- The voice webhook's fast path for a call whose buyers have limits (server/calls/reserved-call.ts):
    -- records the call, tries the candidates in the planned order with reserve_leg() (a buyer at
    -- a limit moves from the plan's order to its skipped list, as routing planning would put it),
    -- stores the answer of the first one reserved (or the fallback), COMMITs without waiting for
    -- the WAL flush (the buyer's lock is released at once), then ends with a transaction of its
    -- own that takes an xid: its synchronous commit flushes the WAL up to after the first commit,
    -- so the call, its leg and its answer are durable when CALL returns. One round trip.
    -- r_created false: the CallSid was recorded already (a retry); nothing written.
    CREATE PROCEDURE record_reserved_call(
      p_org uuid, p_call_sid text, p_campaign uuid, p_phone_number_id integer, p_from text, p_to text,
      p_caller_state text, p_caller_zip text, p_source text,
      p_candidates jsonb, p_plan jsonb, p_input_order integer[], p_routing_method text,
      p_fallback_twiml text, p_fallback_to text, p_stale_sec integer,
      INOUT r_created boolean DEFAULT NULL, INOUT r_twiml text DEFAULT NULL
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
      COMMIT;
      -- The flush barrier: a transaction with an xid commits synchronously (the session's setting).
      PERFORM pg_current_xact_id();
    END
    $fn$;
  `,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP PROCEDURE record_reserved_call(uuid, text, uuid, integer, text, text, text, text, text, jsonb, jsonb, integer[], text, text, text, integer, boolean, text)`.execute(db);
  await sql`DROP FUNCTION reserve_leg(uuid, integer, integer, integer, integer, text, numeric, integer, integer, integer, integer, integer,
    timestamptz, timestamptz, timestamptz, timestamptz, integer, boolean)`.execute(db);
}
