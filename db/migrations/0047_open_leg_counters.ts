// A concurrency limit is checked against a counter row too (issue 13 item 2).
//
// Until now leg_cap_reason() counted a limited owner's open legs (ended_at IS NULL, not stale)
// under the owner's row lock, every reservation. The count stops at the limit, but it walks the
// partial index call_legs_open_buyer_idx, and that index keeps an entry for every leg that has
// ended until VACUUM removes it (a bitmap scan never marks entries dead). Measured on 6 December
// (`pgbench`, one hot buyer, legs ended 100 ms after they start, autovacuum off as in the
// benchmarks): 18,291 entries walked to find 137 open legs, 2.0 ms per count, inside the lock;
// 0.03 ms after a VACUUM. Between two autovacuum runs a hot buyer's calls queued behind that walk.
//
// Now leg_usage_counters also holds, per limited owner, a row of period 'open': its legs not yet
// ended (stale ones included). The trigger on call_legs keeps it, as it keeps the window rows: a
// leg inserted open adds one; ended, deleted or moved to another owner, it takes its one back.
// The trigger now also fires on `ended_at`.
//
// The check stays exact. The counter is an upper bound of what the limit counts (it does not leave
// out stale legs): under the limit, the owner is under it; at or over, the exact count runs as
// before (a buyer with stale legs, or really at its limit). The row is made, and trusted, as
// 0022's window rows are: made by a reservation (under the owner's lock) from a count, then
// re-counted once more after its creation, because a writer that did not know the owner was
// limited may have missed it while it was made. NEW_COUNTER_GRACE bounds that.
import { type Kysely, sql } from 'kysely';
import { CALL_LEGS_USAGE_FUNCTION, COUNTED, LEG_CAP_REASON_FUNCTION, NEW_COUNTER_GRACE } from './0022_leg_usage_counters.js';

const OWNER_KIND = (row: string) => `CASE WHEN ${row}.buyer_id IS NOT NULL THEN 'buyer' ELSE 'target' END`;
const OWNER_ID = (row: string) => `COALESCE(${row}.buyer_id, ${row}.rtb_target_id)`;
const TRIGGER_COLUMNS_0022 = 'buyer_id, rtb_target_id, dial_status, started_at';

const CALL_LEGS_USAGE = `
    CREATE OR REPLACE FUNCTION call_legs_usage() RETURNS trigger LANGUAGE plpgsql AS $fn$
    DECLARE
      v_old_owned boolean := TG_OP <> 'INSERT' AND (OLD.buyer_id IS NOT NULL OR OLD.rtb_target_id IS NOT NULL);
      v_new_owned boolean := TG_OP <> 'DELETE' AND (NEW.buyer_id IS NOT NULL OR NEW.rtb_target_id IS NOT NULL);
      v_old boolean := v_old_owned AND ${COUNTED('OLD')};
      v_new boolean := v_new_owned AND ${COUNTED('NEW')};
      v_old_open boolean := v_old_owned AND OLD.ended_at IS NULL;
      v_new_open boolean := v_new_owned AND NEW.ended_at IS NULL;
      v_same_owner boolean := TG_OP = 'UPDATE' AND OLD.buyer_id IS NOT DISTINCT FROM NEW.buyer_id
        AND OLD.rtb_target_id IS NOT DISTINCT FROM NEW.rtb_target_id;
      v_windows boolean;
      v_open boolean;
    BEGIN
      -- Whether the window rows change (a counted leg came, went or moved) and whether the open row does.
      v_windows := (v_old OR v_new) AND NOT (v_old AND v_new AND v_same_owner AND OLD.started_at = NEW.started_at);
      v_open := (v_old_open OR v_new_open) AND NOT (v_old_open AND v_new_open AND v_same_owner);
      IF NOT v_windows AND NOT v_open THEN
        RETURN NULL;
      END IF;
      IF (v_windows AND v_old) OR (v_open AND v_old_open) THEN
        UPDATE leg_usage_counters SET legs = legs - 1
        WHERE owner_kind = ${OWNER_KIND('OLD')} AND owner_id = ${OWNER_ID('OLD')}
          AND CASE WHEN period = 'open' THEN v_open AND v_old_open ELSE v_windows AND v_old AND window_start <= OLD.started_at END;
      END IF;
      IF (v_windows AND v_new) OR (v_open AND v_new_open) THEN
        UPDATE leg_usage_counters SET legs = legs + 1
        WHERE owner_kind = ${OWNER_KIND('NEW')} AND owner_id = ${OWNER_ID('NEW')}
          AND CASE WHEN period = 'open' THEN v_open AND v_new_open ELSE v_windows AND v_new AND window_start <= NEW.started_at END;
      END IF;
      RETURN NULL;
    END $fn$;
`;

// The owner's open legs, stale ones included: from its 'open' row when trusted; otherwise counted
// (the row locked first, then a count in a statement of its own, as leg_window_count() does) and
// the row made or refreshed. The caller holds the owner's row lock.
export const LEG_OPEN_COUNT = `
    CREATE FUNCTION leg_open_count(p_kind text, p_owner integer) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_row record;
      v_n bigint;
    BEGIN
      SELECT legs, trusted_from INTO v_row FROM leg_usage_counters WHERE owner_kind = p_kind AND owner_id = p_owner AND period = 'open';
      IF FOUND AND v_row.trusted_from <= now() THEN RETURN v_row.legs; END IF;
      PERFORM 1 FROM leg_usage_counters WHERE owner_kind = p_kind AND owner_id = p_owner AND period = 'open' FOR UPDATE;
      IF p_kind = 'buyer' THEN
        SELECT count(*) INTO v_n FROM call_legs WHERE buyer_id = p_owner AND ended_at IS NULL;
      ELSE
        SELECT count(*) INTO v_n FROM call_legs WHERE rtb_target_id = p_owner AND ended_at IS NULL;
      END IF;
      INSERT INTO leg_usage_counters (owner_kind, owner_id, period, window_start, legs, trusted_from)
      VALUES (p_kind, p_owner, 'open', '-infinity', v_n, now() + ${NEW_COUNTER_GRACE})
      ON CONFLICT (owner_kind, owner_id, period) DO UPDATE SET legs = excluded.legs, trusted_from = LEAST(leg_usage_counters.trusted_from, now());
      RETURN v_n;
    END $fn$;
`;

// As 0022's, except that the exact concurrency count runs only when the open counter is at or over
// the limit.
const LEG_CAP_REASON = `
    CREATE OR REPLACE FUNCTION leg_cap_reason(
      p_kind text, p_owner integer, p_max_concurrent integer, p_hourly_cap integer, p_daily_cap integer, p_monthly_cap integer,
      p_hour_start timestamptz, p_day_start timestamptz, p_month_start timestamptz, p_stale_sec integer
    ) RETURNS text LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_open bigint;
    BEGIN
      IF p_max_concurrent IS NOT NULL AND leg_open_count(p_kind, p_owner) >= p_max_concurrent THEN
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

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
    ALTER TABLE leg_usage_counters DROP CONSTRAINT leg_usage_counters_period_check,
      ADD CONSTRAINT leg_usage_counters_period_check CHECK (period IN ('hour', 'day', 'month', 'open'));
    ${CALL_LEGS_USAGE}
    DROP TRIGGER call_legs_usage ON call_legs;
    CREATE TRIGGER call_legs_usage AFTER INSERT OR DELETE OR UPDATE OF ${TRIGGER_COLUMNS_0022}, ended_at
      ON call_legs FOR EACH ROW EXECUTE FUNCTION call_legs_usage();
    ${LEG_OPEN_COUNT}
    ${LEG_CAP_REASON}
  `,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
    ${LEG_CAP_REASON_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')}
    DROP FUNCTION leg_open_count(text, integer);
    DROP TRIGGER call_legs_usage ON call_legs;
    ${CALL_LEGS_USAGE_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')}
    CREATE TRIGGER call_legs_usage AFTER INSERT OR DELETE OR UPDATE OF ${TRIGGER_COLUMNS_0022}
      ON call_legs FOR EACH ROW EXECUTE FUNCTION call_legs_usage();
    DELETE FROM leg_usage_counters WHERE period = 'open';
    ALTER TABLE leg_usage_counters DROP CONSTRAINT leg_usage_counters_period_check,
      ADD CONSTRAINT leg_usage_counters_period_check CHECK (period IN ('hour', 'day', 'month'));
  `,
    )
    .execute(db);
}
