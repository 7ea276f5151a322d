// Two faults in the capped path, found by review on 6 December (issue 13 item 2).
//
// **A new counter row was trusted without a re-count.** 0022 and 0047 make a counter row from a
// count, trusted NEW_COUNTER_GRACE later. The count can miss a leg whose writer did not yet know
// the owner was limited (another instance's cached plan) and had not committed, and a dial
// callback can take a leg back while the row does not exist yet. The first re-count after the
// creation corrects both, but it only ran if a reservation came within the grace; otherwise the
// row became trusted as made, and stayed wrong: the open row for good, a window row until its
// window moved on. Reproduced on PostgreSQL: a concurrency limit of 2 let a third call through,
// and a daily cap of 2 with one counted leg refused the next call.
// Now a row is made untrusted (`trusted_from` = infinity) with the end of its grace in
// `grace_until`; every reservation re-counts it until one re-count at or after `grace_until`
// makes it trusted. Writers that raced the creation have committed by then (the route cache
// learns a limit within a second), so that re-count sees them. Readers are unchanged: a row is
// read when `trusted_from <= now()`.
//
// **Two capped buyers could deadlock two calls.** record_reserved_call()'s loop (0042, 0046)
// locked each candidate in the planned order and kept the lock of one found at a limit until the
// commit. Weighted routing plans a random order per call, so with two buyers at a limit one call
// held A waiting for B while another held B waiting for A; PostgreSQL broke the cycle after
// deadlock_timeout by failing one of them (58 of 200 calls in a review's run). Now each limited
// candidate is locked and checked in a subtransaction that is rolled back when the candidate is
// refused, which releases its lock: a call holds at most the lock of the buyer it dials. What the
// rollback also undoes is a re-count the check made for a buyer at a limit; its next call counts
// again, without holding anything.
import { type Kysely, sql } from 'kysely';
import { LEG_WINDOW_COUNT_FUNCTION, NEW_COUNTER_GRACE } from './0022_leg_usage_counters.js';
import { PROCEDURE as PROCEDURE_0046 } from './0046_reserved_call_short_lock.js';
import { LEG_OPEN_COUNT } from './0047_open_leg_counters.js';
import { replaceOnce } from './sql-text.js';

/** A re-count trusts the row only once its grace has passed (and a trusted row stays trusted). */
const TRUST_AFTER_RECOUNT = `trusted_from = CASE WHEN leg_usage_counters.grace_until <= now()
        THEN LEAST(leg_usage_counters.trusted_from, now()) ELSE leg_usage_counters.trusted_from END`;

/**
 * A counting function of 0022 / 0047 with this migration's change: the row it makes is untrusted
 * (`trusted_from` infinity) with its grace in `grace_until`, and a re-count trusts it only after.
 */
function untrustedUntilRecounted(fn: string, what: string): string {
  let text = replaceOnce(fn, 'CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION', what);
  text = replaceOnce(text, 'legs, trusted_from)', 'legs, trusted_from, grace_until)', `${what}'s insert`);
  text = replaceOnce(text, `v_n, now() + ${NEW_COUNTER_GRACE})`, `v_n, 'infinity', now() + ${NEW_COUNTER_GRACE})`, `${what}'s values`);
  return replaceOnce(text, 'trusted_from = LEAST(leg_usage_counters.trusted_from, now())', TRUST_AFTER_RECOUNT, `${what}'s re-count`);
}

const LEG_WINDOW_COUNT = untrustedUntilRecounted(LEG_WINDOW_COUNT_FUNCTION, '0022\'s leg_window_count()');
const LEG_OPEN_COUNT_0048 = untrustedUntilRecounted(LEG_OPEN_COUNT, '0047\'s leg_open_count()');

// The loop's check of one candidate, as 0046 wrote it and as it is now.
const LOOP_CHECK_0046 = `
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
          END IF;`;
const LOOP_CHECK = `
          IF v_limited THEN
            -- Locked and checked in a subtransaction, rolled back when refused: the lock of a buyer
            -- not dialled is not kept (see migration 0048). Variables keep their values.
            BEGIN
              PERFORM 1 FROM buyers WHERE org_id = p_org AND id = (c->>'buyerId')::integer FOR NO KEY UPDATE;
              IF NOT FOUND THEN
                v_reason := 'not_found';
              ELSE
                v_reason := leg_cap_reason('buyer', (c->>'buyerId')::integer, (c->>'maxConcurrent')::integer, (c->>'hourlyCap')::integer,
                  (c->>'dailyCap')::integer, (c->>'monthlyCap')::integer, (c->>'hourStart')::timestamptz, (c->>'dayStart')::timestamptz,
                  (c->>'monthStart')::timestamptz, p_stale_sec);
              END IF;
              IF v_reason IS NOT NULL THEN
                RAISE EXCEPTION 'candidate refused' USING ERRCODE = 'CCL03';
              END IF;
            EXCEPTION WHEN SQLSTATE 'CCL03' THEN
              NULL;
            END;
          ELSE
            PERFORM 1 FROM buyers WHERE org_id = p_org AND id = (c->>'buyerId')::integer FOR SHARE;
            v_reason := CASE WHEN FOUND THEN NULL ELSE 'not_found' END;
          END IF;`;

export const PROCEDURE = replaceOnce(PROCEDURE_0046, LOOP_CHECK_0046, LOOP_CHECK, "0046's record_reserved_call() loop");

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
    ALTER TABLE leg_usage_counters ADD COLUMN grace_until timestamptz NOT NULL DEFAULT '-infinity';
    -- Rows still in their grace: untrusted until a re-count after it.
    UPDATE leg_usage_counters SET grace_until = trusted_from, trusted_from = 'infinity' WHERE trusted_from > now();
    ${LEG_WINDOW_COUNT}
    ${LEG_OPEN_COUNT_0048}
    ${PROCEDURE}
  `,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `
    ${PROCEDURE_0046}
    ${LEG_OPEN_COUNT.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')}
    ${LEG_WINDOW_COUNT_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')}
    UPDATE leg_usage_counters SET trusted_from = grace_until WHERE trusted_from = 'infinity';
    ALTER TABLE leg_usage_counters DROP COLUMN grace_until;
  `,
    )
    .execute(db);
}
