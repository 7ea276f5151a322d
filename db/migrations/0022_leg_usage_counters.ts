// Constant-time cap checks (issue 13 item 2): a buyer's (or RTB target's) legs per hour / day /
// month window kept in a counter row, instead of reserve_leg() counting every leg since the month
// began under the owner's row lock (a hot buyer with a monthly cap of 10,000 scanned up to 10,000
// legs per call, and its calls queued behind that scan).
//
// leg_usage_counters holds, per owner and period, the window it counts (`window_start`, in the
// owner's time zone as the caller computed it) and the legs counted in it. One row per owner and
// period: when the window moves on (a new hour) or the owner's time zone changes, the row is
// re-counted once from call_legs and moved to the new window.
//
// Kept exact by a trigger on call_legs, whatever writes the legs: a counted leg (one that did not
// fail to connect, as before) adds one to its owner's rows whose window started at or before the
// leg did; a leg that stops counting (busy / no-answer / failed / canceled, a new owner, deleted)
// takes its one back from the same rows. Owners without a counter row (never limited) cost the
// trigger one index probe that finds nothing: no row is locked on the unlimited path.
//
// Why a re-count is exact: it locks the counter row first, then counts in a statement of its own
// (a fresh snapshot in READ COMMITTED): a writer whose trigger touched the row before holds the
// row until it commits, so the count sees its leg; a writer after it waits for the lock and then
// re-checks `window_start <= started_at` against the moved window (PostgreSQL re-evaluates an
// UPDATE's condition on the newest row version), so its leg is added exactly once.
// The one gap is a row's creation: a leg written by the unlimited path while the owner's first
// counter row is created has nothing to update and is not yet visible to the count. Limits reach
// the webhook's cache within a second (route-cache.ts), so a new row is trusted only after
// NEW_COUNTER_GRACE; until then every reservation re-counts, as before this migration.
//
// reserve_leg() keeps its signature, locks and results; only its counting changes
// (leg_cap_reason()). The concurrency count was already bounded (it stops at the limit).
import { type Kysely, sql } from 'kysely';
import { RESERVE_LEG_FUNCTION } from './0014_reserve_leg_function.js';

export const NEW_COUNTER_GRACE = "interval '30 seconds'";
export const COUNTED = (row: string) => `(${row}.dial_status IS NULL OR ${row}.dial_status IN ('answered', 'completed'))`;

/** The trigger function keeping the counters (migration 0047 replaces it; its down restores this). */
export const CALL_LEGS_USAGE_FUNCTION = `
    CREATE FUNCTION call_legs_usage() RETURNS trigger LANGUAGE plpgsql AS $fn$
    DECLARE
      v_old boolean := TG_OP <> 'INSERT' AND (OLD.buyer_id IS NOT NULL OR OLD.rtb_target_id IS NOT NULL) AND ${COUNTED('OLD')};
      v_new boolean := TG_OP <> 'DELETE' AND (NEW.buyer_id IS NOT NULL OR NEW.rtb_target_id IS NOT NULL) AND ${COUNTED('NEW')};
    BEGIN
      IF v_old AND v_new AND OLD.buyer_id IS NOT DISTINCT FROM NEW.buyer_id AND OLD.rtb_target_id IS NOT DISTINCT FROM NEW.rtb_target_id
         AND OLD.started_at = NEW.started_at THEN
        RETURN NULL;
      END IF;
      IF v_old THEN
        UPDATE leg_usage_counters SET legs = legs - 1
        WHERE owner_kind = CASE WHEN OLD.buyer_id IS NOT NULL THEN 'buyer' ELSE 'target' END
          AND owner_id = COALESCE(OLD.buyer_id, OLD.rtb_target_id) AND window_start <= OLD.started_at;
      END IF;
      IF v_new THEN
        UPDATE leg_usage_counters SET legs = legs + 1
        WHERE owner_kind = CASE WHEN NEW.buyer_id IS NOT NULL THEN 'buyer' ELSE 'target' END
          AND owner_id = COALESCE(NEW.buyer_id, NEW.rtb_target_id) AND window_start <= NEW.started_at;
      END IF;
      RETURN NULL;
    END $fn$;
`;

/** leg_window_count() as this migration made it (migration 0048 replaces it; its down restores this). */
export const LEG_WINDOW_COUNT_FUNCTION = `
    -- The owner's counted legs since p_start. The caller holds the owner's row lock (so no other
    -- reservation of this owner runs meanwhile). Read from the counter row when it counts this
    -- window and is trusted; otherwise re-counted from call_legs and the row moved to this window.
    CREATE FUNCTION leg_window_count(p_kind text, p_owner integer, p_period text, p_start timestamptz)
    RETURNS bigint LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_row record;
      v_n bigint;
    BEGIN
      SELECT window_start, legs, trusted_from INTO v_row FROM leg_usage_counters
      WHERE owner_kind = p_kind AND owner_id = p_owner AND period = p_period;
      IF FOUND AND v_row.window_start = p_start AND v_row.trusted_from <= now() THEN RETURN v_row.legs; END IF;
      -- Lock the row before counting (see the migration's header), then count in a new statement.
      PERFORM 1 FROM leg_usage_counters WHERE owner_kind = p_kind AND owner_id = p_owner AND period = p_period FOR UPDATE;
      IF p_kind = 'buyer' THEN
        SELECT count(*) INTO v_n FROM call_legs l WHERE l.buyer_id = p_owner AND l.started_at >= p_start AND ${COUNTED('l')};
      ELSE
        SELECT count(*) INTO v_n FROM call_legs l WHERE l.rtb_target_id = p_owner AND l.started_at >= p_start AND ${COUNTED('l')};
      END IF;
      INSERT INTO leg_usage_counters (owner_kind, owner_id, period, window_start, legs, trusted_from)
      VALUES (p_kind, p_owner, p_period, p_start, v_n, now() + ${NEW_COUNTER_GRACE})
      ON CONFLICT (owner_kind, owner_id, period) DO UPDATE SET window_start = excluded.window_start, legs = excluded.legs,
        trusted_from = LEAST(leg_usage_counters.trusted_from, now());
      RETURN v_n;
    END $fn$;
`;

/** leg_cap_reason() as this migration made it (migration 0047 replaces it; its down restores this). */
export const LEG_CAP_REASON_FUNCTION = `
    -- The first limit the owner has reached, in capReason's order, or NULL. The caller holds the
    -- owner's row lock. An open leg older than p_stale_sec does not count against concurrency.
    CREATE FUNCTION leg_cap_reason(
      p_kind text, p_owner integer, p_max_concurrent integer, p_hourly_cap integer, p_daily_cap integer, p_monthly_cap integer,
      p_hour_start timestamptz, p_day_start timestamptz, p_month_start timestamptz, p_stale_sec integer
    ) RETURNS text LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_open bigint;
    BEGIN
      IF p_max_concurrent IS NOT NULL THEN
        IF p_kind = 'buyer' THEN
          SELECT count(*) INTO v_open FROM (SELECT 1 FROM call_legs WHERE buyer_id = p_owner AND ended_at IS NULL
            AND started_at > now() - make_interval(secs => p_stale_sec) LIMIT p_max_concurrent) s;
        ELSE
          SELECT count(*) INTO v_open FROM (SELECT 1 FROM call_legs WHERE rtb_target_id = p_owner AND ended_at IS NULL
            AND started_at > now() - make_interval(secs => p_stale_sec) LIMIT p_max_concurrent) s;
        END IF;
        IF v_open >= p_max_concurrent THEN RETURN 'concurrency_reached'; END IF;
      END IF;
      IF p_hourly_cap IS NOT NULL AND leg_window_count(p_kind, p_owner, 'hour', p_hour_start) >= p_hourly_cap THEN RETURN 'hourly_cap_reached'; END IF;
      IF p_daily_cap IS NOT NULL AND leg_window_count(p_kind, p_owner, 'day', p_day_start) >= p_daily_cap THEN RETURN 'daily_cap_reached'; END IF;
      IF p_monthly_cap IS NOT NULL AND leg_window_count(p_kind, p_owner, 'month', p_month_start) >= p_monthly_cap THEN RETURN 'monthly_cap_reached'; END IF;
      RETURN NULL;
    END $fn$;
`;

/** reserve_leg() as this migration made it (migration 0050 replaces it; its down restores this). */
export const RESERVE_LEG_COUNTED_FUNCTION = `
    CREATE OR REPLACE FUNCTION reserve_leg(
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
      v_reason text;
    BEGIN
      IF (p_buyer IS NULL) = (p_target IS NULL) THEN
        RAISE EXCEPTION 'reserve_leg: exactly one of buyer and target' USING ERRCODE = 'invalid_parameter_value';
      END IF;
      IF p_async_commit THEN PERFORM set_config('synchronous_commit', 'off', true); END IF;
      -- Lock order buyer/target → call → leg (callbacks: call → leg): no cycle. A limited owner
      -- takes the exclusive lock (it serialises the counting); otherwise a share lock.
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
        v_reason := leg_cap_reason(CASE WHEN p_buyer IS NOT NULL THEN 'buyer' ELSE 'target' END, COALESCE(p_buyer, p_target),
          p_max_concurrent, p_hourly_cap, p_daily_cap, p_monthly_cap, p_hour_start, p_day_start, p_month_start, p_stale_sec);
        IF v_reason IS NOT NULL THEN RETURN v_reason; END IF;
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
    CREATE TABLE leg_usage_counters (
      owner_kind text NOT NULL CHECK (owner_kind IN ('buyer', 'target')),
      owner_id integer NOT NULL,
      period text NOT NULL CHECK (period IN ('hour', 'day', 'month')),
      window_start timestamptz NOT NULL,
      legs integer NOT NULL,
      trusted_from timestamptz NOT NULL,
      PRIMARY KEY (owner_kind, owner_id, period)
    );

    ${CALL_LEGS_USAGE_FUNCTION}
    CREATE TRIGGER call_legs_usage AFTER INSERT OR DELETE OR UPDATE OF buyer_id, rtb_target_id, dial_status, started_at
      ON call_legs FOR EACH ROW EXECUTE FUNCTION call_legs_usage();

    -- A deleted owner's counters go with it.
    CREATE FUNCTION leg_usage_owner_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      DELETE FROM leg_usage_counters WHERE owner_kind = TG_ARGV[0] AND owner_id = OLD.id;
      RETURN NULL;
    END $fn$;
    CREATE TRIGGER buyers_leg_usage_deleted AFTER DELETE ON buyers FOR EACH ROW EXECUTE FUNCTION leg_usage_owner_deleted('buyer');
    CREATE TRIGGER rtb_targets_leg_usage_deleted AFTER DELETE ON rtb_targets FOR EACH ROW EXECUTE FUNCTION leg_usage_owner_deleted('target');

    ${LEG_WINDOW_COUNT_FUNCTION}

    ${LEG_CAP_REASON_FUNCTION}
    ${RESERVE_LEG_COUNTED_FUNCTION}
  `,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
    ${RESERVE_LEG_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')}
    DROP FUNCTION leg_cap_reason(text, integer, integer, integer, integer, integer, timestamptz, timestamptz, timestamptz, integer);
    DROP FUNCTION leg_window_count(text, integer, text, timestamptz);
    DROP TRIGGER call_legs_usage ON call_legs;
    DROP TRIGGER buyers_leg_usage_deleted ON buyers;
    DROP TRIGGER rtb_targets_leg_usage_deleted ON rtb_targets;
    DROP FUNCTION leg_usage_owner_deleted();
    DROP FUNCTION call_legs_usage();
    DROP TABLE leg_usage_counters;
  `,
    )
    .execute(db);
}
