// The usage of limited buyers that the routing plan reads (open legs, legs this hour / day /
// month): from the leg counters that the reservations keep (migrations 0022, 0047) where they can
// answer, counted from call_legs only for the buyers they cannot. The plan is a pre-check (the
// reservation decides under the buyer's lock), but a plan that skipped a buyer wrongly would
// route the call elsewhere, so a figure is taken from a counter only when it is exact or, for the
// open legs (an upper bound: stale legs included), when it is under the limit.
//
// Before, every call on this path (RTB campaigns with buyers, call flows, a dial's fall-through)
// counted each limited buyer's legs since its month began: 140 ms for a buyer with 156,000 legs
// this month (EXPLAIN ANALYZE, PostgreSQL, 6 December).
import { sql } from 'kysely';
import type { Db } from '../../../db/types.js';
import { STALE_OPEN_LEG_SEC } from '../calls/queries/index.js';
import type { CapWindows } from '../routing/cap-windows.js';
import type { BuyerUsage, RoutingBuyer } from '../routing/types.js';

export type UsageLimits = Pick<RoutingBuyer, 'id' | 'maxConcurrentCalls' | 'hourlyCap' | 'dailyCap' | 'monthlyCap'>;

export interface UsageRequest {
  buyer: UsageLimits;
  windows: CapWindows;
}

/** A buyer's trusted counter values for the windows asked (null: no such row, another window, or not trusted yet). */
export interface CounterValues {
  open: number | null;
  hour: number | null;
  day: number | null;
  month: number | null;
}

/** The usage the counters give, or null when one of the buyer's limits needs a count (pure). */
export function usageFromCounters(buyer: UsageLimits, counters: CounterValues | undefined): BuyerUsage | null {
  if (!counters) return null;
  const known = (limit: number | null, value: number | null) => limit === null || value !== null;
  if (!known(buyer.maxConcurrentCalls, counters.open) || !known(buyer.hourlyCap, counters.hour)) return null;
  if (!known(buyer.dailyCap, counters.day) || !known(buyer.monthlyCap, counters.month)) return null;
  // The open counter counts stale legs too: at or over the limit, only the count can tell.
  if (buyer.maxConcurrentCalls !== null && (counters.open ?? 0) >= buyer.maxConcurrentCalls) return null;
  return { activeCalls: counters.open ?? 0, callsThisHour: counters.hour ?? 0, callsToday: counters.day ?? 0, callsThisMonth: counters.month ?? 0 };
}

/** A leg counts against caps unless it failed to connect (as calls/queries/legs.ts legUsage counts). */
const COUNTED = sql`(l.dial_status IS NULL OR l.dial_status IN ('answered', 'completed'))`;

function windowArrays(requests: readonly UsageRequest[]) {
  const iso = (d: Date) => d.toISOString();
  return {
    ids: requests.map((r) => r.buyer.id),
    hours: requests.map((r) => iso(r.windows.hourStart)),
    days: requests.map((r) => iso(r.windows.dayStart)),
    months: requests.map((r) => iso(r.windows.monthStart)),
  };
}

async function counterValues(db: Db, requests: readonly UsageRequest[]): Promise<Map<number, CounterValues>> {
  const w = windowArrays(requests);
  const counter = (period: string, windowColumn: string | null) =>
    sql<number | null>`(SELECT c.legs FROM leg_usage_counters c WHERE c.owner_kind = 'buyer' AND c.owner_id = w.buyer_id
      AND c.period = ${period} AND c.trusted_from <= now()${windowColumn ? sql` AND c.window_start = ${sql.ref(`w.${windowColumn}`)}` : sql``})`;
  const { rows } = await sql<CounterValues & { buyer_id: number }>`
    SELECT w.buyer_id, ${counter('open', null)} AS open, ${counter('hour', 'hour_start')} AS hour,
      ${counter('day', 'day_start')} AS day, ${counter('month', 'month_start')} AS month
    FROM unnest(${w.ids}::integer[], ${w.hours}::timestamptz[], ${w.days}::timestamptz[], ${w.months}::timestamptz[])
      AS w(buyer_id, hour_start, day_start, month_start)`.execute(db);
  return new Map(rows.map((r) => [r.buyer_id, { open: r.open, hour: r.hour, day: r.day, month: r.month }]));
}

/** Counted from call_legs: open legs (not stale) and legs since each window start that did not fail. */
async function countedUsage(db: Db, requests: readonly UsageRequest[]): Promise<Map<number, BuyerUsage>> {
  const w = windowArrays(requests);
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
  const usage = new Map<number, BuyerUsage>();
  if (requests.length === 0) return usage;
  const counters = await counterValues(db, requests);
  const toCount: UsageRequest[] = [];
  for (const r of requests) {
    const fromCounters = usageFromCounters(r.buyer, counters.get(r.buyer.id));
    if (fromCounters) usage.set(r.buyer.id, fromCounters);
    else toCount.push(r);
  }
  if (toCount.length > 0) for (const [id, u] of await countedUsage(db, toCount)) usage.set(id, u);
  return usage;
}
