// Pool number assignment (DESIGN.md 4.4), correct under concurrency across instances.
//
// The database is the only arbiter: pool_assignments has partial UNIQUE indexes (one live holding
// per number, one live holding per session per pool), so whatever two instances decide at the same
// moment, at most one of them can insert the holding; the loser gets 23505 and chooses again.
// Candidates are also locked with FOR UPDATE SKIP LOCKED so that concurrent requests pick
// different free numbers instead of all fighting for the same least recently used one.
//
// Rules, for a session in a pool at time `now` (idle = pool.idle_timeout_sec):
// 1. keep: the session's live holding seen within idle (on a number still active in the pool) is
//    touched and kept (source 'pool');
// 2. otherwise its stale holding is released, and the least recently used free number is taken:
//    an active number of the pool with no live holding, or whose live holding is idle (released
//    first), ordered by when the number was last shown (its latest holding's last_seen_at: a number
//    given long ago to a visitor still on the page until a minute ago is not the least recently
//    used), never used first (source 'pool'). A number whose last holding was ended while still
//    fresh (taken out of its pool and put back, or into another pool) is not free until half its
//    old pool's idle time after that holding was last seen: until then an instance may still
//    answer its session from memory (assign-cache.ts). A deleted pool's holdings are kept for
//    this (pool_id NULL, the pool's idle time in idle_timeout_sec: migration 0064);
// 3. exhausted, when_exhausted = 'recycle_oldest': the holding with the oldest last_seen_at is
//    released and its number taken (source 'recycled'). Only holdings not seen for half the idle
//    time can be recycled: a holding touched within that window may be answered from another
//    instance's memory (see assign-cache.ts), so taking it would hand one number to two sessions.
//    When every holding is that fresh the pool behaves as 'default_number';
// 4. exhausted, when_exhausted = 'default_number': no pool number (null).
import { type Kysely, sql } from 'kysely';
import type { DB, Db, PoolExhaustedBehaviour } from '../../../db/types.js';
import { isUniqueViolation } from '../../platform/common/pg-errors.js';

export interface PoolRule {
  orgId: string;
  poolId: number;
  idleTimeoutSec: number;
  whenExhausted: PoolExhaustedBehaviour;
}

export interface PoolNumber {
  phoneNumberId: number;
  phoneNumber: string;
  source: 'pool' | 'recycled';
}

/** How often a lost race (23505, or a holding changed under us) is retried before giving up. */
const MAX_ATTEMPTS = 20;

class LostRace extends Error {}

function cutoff(now: Date, seconds: number): Date {
  return new Date(now.getTime() - seconds * 1000);
}

/** Rule 1: the session's live, recent holding, touched; or null. */
async function keepHolding(db: Db, rule: PoolRule, sessionRowId: string, now: Date): Promise<PoolNumber | null> {
  const { rows } = await sql<{ phone_number_id: number; phone_number: string }>`
    UPDATE pool_assignments a SET last_seen_at = GREATEST(a.last_seen_at, ${now})
    FROM phone_numbers n
    WHERE a.pool_id = ${rule.poolId} AND a.visitor_session_id = ${sessionRowId} AND a.released_at IS NULL
      AND a.last_seen_at > ${cutoff(now, rule.idleTimeoutSec)}
      AND n.id = a.phone_number_id AND n.org_id = ${rule.orgId} AND n.pool_id = ${rule.poolId} AND n.is_active
    RETURNING a.phone_number_id, n.phone_number`.execute(db);
  const row = rows[0];
  return row ? { phoneNumberId: row.phone_number_id, phoneNumber: row.phone_number, source: 'pool' } : null;
}

async function insertHolding(tx: Db, rule: PoolRule, sessionRowId: string, phoneNumberId: number, now: Date): Promise<void> {
  await tx
    .insertInto('pool_assignments')
    .values({ org_id: rule.orgId, pool_id: rule.poolId, phone_number_id: phoneNumberId, visitor_session_id: sessionRowId, assigned_at: now, last_seen_at: now })
    .execute();
}

/** Rules 2–4 in one transaction: a number, or null (exhausted, no recycling possible). */
async function takeNumber(db: Kysely<DB>, rule: PoolRule, sessionRowId: string, now: Date): Promise<PoolNumber | null> {
  const idleCutoff = cutoff(now, rule.idleTimeoutSec);
  return db.transaction().execute(async (tx) => {
    // The session's own holding in this pool is idle (or its number left the pool or was
    // deactivated): release it. A live one (made meanwhile by a concurrent request of the same
    // session) stays, and the insert below loses with 23505 and the retry keeps it.
    await sql`
      UPDATE pool_assignments a SET released_at = ${now}
      WHERE a.pool_id = ${rule.poolId} AND a.visitor_session_id = ${sessionRowId} AND a.released_at IS NULL
        AND (a.last_seen_at <= ${idleCutoff} OR NOT EXISTS (
          SELECT 1 FROM phone_numbers n WHERE n.id = a.phone_number_id AND n.pool_id = ${rule.poolId} AND n.is_active))`.execute(tx);

    // Free numbers, least recently used first. `locked` = false repeats the choice without SKIP
    // LOCKED: a number only skipped because a concurrent request holds its row lock is not a
    // sign of exhaustion (that request may yet fail), so the caller retries instead.
    const freeNumbers = (locked: boolean) => sql<{ id: number; phone_number: string; live_id: string | null }>`
      SELECT n.id, n.phone_number, la.id AS live_id
      FROM phone_numbers n
      LEFT JOIN pool_assignments la ON la.phone_number_id = n.id AND la.released_at IS NULL
      WHERE n.org_id = ${rule.orgId} AND n.pool_id = ${rule.poolId} AND n.is_active
        AND (la.id IS NULL OR la.last_seen_at <= ${idleCutoff} OR la.pool_id <> ${rule.poolId})
        AND NOT EXISTS (
          SELECT 1 FROM (SELECT h.pool_id, h.released_at, h.last_seen_at, h.idle_timeout_sec FROM pool_assignments h
                          WHERE h.phone_number_id = n.id ORDER BY h.assigned_at DESC LIMIT 1) last
          LEFT JOIN number_pools lp ON lp.id = last.pool_id
          WHERE last.released_at IS NOT NULL
            AND last.last_seen_at > ${now}::timestamptz - make_interval(secs => COALESCE(lp.idle_timeout_sec, last.idle_timeout_sec) / 2.0))
      ORDER BY (SELECT h.last_seen_at FROM pool_assignments h WHERE h.phone_number_id = n.id ORDER BY h.assigned_at DESC LIMIT 1) ASC NULLS FIRST, n.id
      LIMIT 1
      ${locked ? sql`FOR UPDATE OF n SKIP LOCKED` : sql``}`.execute(tx);
    const candidate = (await freeNumbers(true)).rows[0];
    if (candidate) {
      if (candidate.live_id !== null) {
        // An idle holding (or one of another pool): release it, unless it was touched meanwhile.
        const released = await sql`
          UPDATE pool_assignments SET released_at = ${now}
          WHERE id = ${candidate.live_id} AND released_at IS NULL
            AND (last_seen_at <= ${idleCutoff} OR pool_id <> ${rule.poolId})
          RETURNING id`.execute(tx);
        if (released.rows.length === 0) throw new LostRace();
      }
      await insertHolding(tx, rule, sessionRowId, candidate.id, now);
      return { phoneNumberId: candidate.id, phoneNumber: candidate.phone_number, source: 'pool' as const };
    }

    if ((await freeNumbers(false)).rows.length > 0) throw new LostRace();

    if (rule.whenExhausted !== 'recycle_oldest') return null;
    const protectedSince = cutoff(now, rule.idleTimeoutSec / 2);
    const oldestHolding = (locked: boolean) => sql<{ id: string; phone_number_id: number; phone_number: string }>`
      SELECT a.id, a.phone_number_id, n.phone_number
      FROM pool_assignments a JOIN phone_numbers n ON n.id = a.phone_number_id
      WHERE a.pool_id = ${rule.poolId} AND a.released_at IS NULL AND a.last_seen_at <= ${protectedSince}
        AND n.org_id = ${rule.orgId} AND n.pool_id = ${rule.poolId} AND n.is_active
      ORDER BY a.last_seen_at, a.id
      LIMIT 1
      ${locked ? sql`FOR UPDATE OF a SKIP LOCKED` : sql``}`.execute(tx);
    const victim = (await oldestHolding(true)).rows[0];
    if (!victim) {
      if ((await oldestHolding(false)).rows.length > 0) throw new LostRace();
      return null;
    }
    const released = await sql`
      UPDATE pool_assignments SET released_at = ${now}
      WHERE id = ${victim.id} AND released_at IS NULL AND last_seen_at <= ${protectedSince}
      RETURNING id`.execute(tx);
    if (released.rows.length === 0) throw new LostRace();
    await insertHolding(tx, rule, sessionRowId, victim.phone_number_id, now);
    return { phoneNumberId: victim.phone_number_id, phoneNumber: victim.phone_number, source: 'recycled' as const };
  });
}

/**
 * The pool number for a visitor session (rules above), or null when the pool has none to give
 * (exhausted with 'default_number', or nothing recyclable).
 */
export async function assignPoolNumber(db: Kysely<DB>, rule: PoolRule, sessionRowId: string, now: Date = new Date()): Promise<PoolNumber | null> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const kept = await keepHolding(db, rule, sessionRowId, now);
    if (kept) return kept;
    try {
      return await takeNumber(db, rule, sessionRowId, now);
    } catch (err) {
      if (!(err instanceof LostRace) && !isUniqueViolation(err)) throw err;
      // Let the concurrent request that won settle before choosing again.
      await new Promise((resolve) => setTimeout(resolve, 1 + Math.floor(Math.random() * 5 * (attempt + 1))));
    }
  }
  return null;
}
