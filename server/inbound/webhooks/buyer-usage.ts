// The usage of limited buyers that the routing plan reads (open legs, legs this hour / day /
// month): from the leg counters that the reservations keep (migrations 0022, 0047) where they can
// answer, counted from call_legs only for the buyers they cannot. The plan is a pre-check (the
// reservation decides under the buyer's lock), so the counters answer where counter-usage.ts's
// rule lets them.
//
// Before, every call on this path (RTB campaigns with buyers, call flows, a dial's fall-through)
// counted each limited buyer's legs since its month began: 140 ms for a buyer with 156,000 legs
// this month (EXPLAIN ANALYZE, PostgreSQL, 6 December).
import { sql } from 'kysely';
import type { Db } from '../../../db/types.js';
import { splitByCounters, type UsageLimits } from '../calls/counter-usage.js';
import { readUsageCounters, STALE_OPEN_LEG_SEC, windowArrays } from '../calls/queries/index.js';
import type { CapWindows } from '../routing/cap-windows.js';
import type { BuyerUsage } from '../routing/types.js';

export interface UsageRequest {
  buyer: UsageLimits & { id: number };
  windows: CapWindows;
}

/** A leg counts against caps unless it failed to connect (as calls/queries/legs.ts legUsage counts). */
const COUNTED = sql`(l.dial_status IS NULL OR l.dial_status IN ('answered', 'completed'))`;

/** Counted from call_legs: open legs (not stale) and legs since each window start that did not fail. */
async function countedUsage(db: Db, requests: readonly UsageRequest[]): Promise<Map<number, BuyerUsage>> {
  const w = windowArrays(requests.map((r) => ({ id: r.buyer.id, windows: r.windows })));
  const { rows } = await sql<{ buyer_id: number; open: string; hour: string; day: string; month: string }>`
    SELECT w.buyer_id,
      count(l.call_id) FILTER (WHERE l.ended_at IS NULL AND l.started_at > now() - make_interval(secs => ${STALE_OPEN_LEG_SEC})) AS open,
      count(l.call_id) FILTER (WHERE ${COUNTED} AND l.started_at >= w.hour_start) AS hour,
      count(l.call_id) FILTER (WHERE ${COUNTED} AND l.started_at >= w.day_start) AS day,
      count(l.call_id) FILTER (WHERE ${COUNTED} AND l.started_at >= w.month_start) AS month
    FROM unnest(${w.ids}::integer[], ${w.hours}::timestamptz[], ${w.days}::timestamptz[], ${w.months}::timestamptz[])
         AS w(buyer_id, hour_start, day_start, month_start)
    LEFT JOIN call_legs l ON l.buyer_id = w.buyer_id
      AND (l.ended_at IS NULL OR l.started_at >= LEAST(w.hour_start, w.day_start, w.month_start))
    GROUP BY w.buyer_id`.execute(db);
  return new Map(
    rows.map((r) => [r.buyer_id, { activeCalls: Number(r.open), callsThisHour: Number(r.hour), callsToday: Number(r.day), callsThisMonth: Number(r.month) }]),
  );
}

/** The usage of each buyer asked, each in its own windows (its time zone). */
export async function buyersUsage(db: Db, requests: readonly UsageRequest[]): Promise<Map<number, BuyerUsage>> {
  if (requests.length === 0) return new Map();
  const counters = await readUsageCounters(db, 'buyer', requests.map((r) => ({ id: r.buyer.id, windows: r.windows })));
  const { usage, toCount } = splitByCounters(requests.map((r) => ({ ...r.buyer, request: r })), counters);
  if (toCount.length > 0) for (const [id, u] of await countedUsage(db, toCount.map((o) => o.request))) usage.set(id, u);
  return usage;
}
