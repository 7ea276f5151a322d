// The usage of several limited buyers or RTB targets at once (open legs, legs this hour / day /
// month), for the pre-checks that read it: the routing plan and the RTB pre-filter. One statement:
// each owner's figures come from its leg counters (migrations 0022, 0047) when they can answer,
// and are counted from call_legs otherwise.
//
// The counters answer when every limit the owner has is covered by a trusted row of the window
// asked, and the `open` row (an upper bound: stale legs included) is under the concurrency limit.
// A pre-check that blocked an owner wrongly would send the call elsewhere, so anything less is
// counted, as every call did before. The count runs only for the owners that need it: its
// condition refers to the outer row alone, so PostgreSQL skips the scan when it is false, and
// HAVING drops the aggregate's row then. Measured (PostgreSQL, 6 December; median of 30, round trip
// included) for a buyer with 156,000 legs this month: 53.6 ms counted, 1.2 ms from its trusted
// counters. A fixed text per kind, prepared once per connection (db/prepared.ts): it runs on every
// such call.
import { sql } from 'kysely';
import { preparedMark } from '../../../../db/prepared.js';
import type { Db } from '../../../../db/types.js';
import type { CapWindows } from '../../routing/cap-windows.js';
import { type LegUsage, STALE_OPEN_LEG_SEC } from './legs.js';

export interface UsageLimits {
  maxConcurrentCalls: number | null;
  hourlyCap: number | null;
  dailyCap: number | null;
  monthlyCap: number | null;
}

export interface UsageRequest {
  id: number;
  limits: UsageLimits;
  windows: CapWindows;
}

/** A leg counts against caps unless it failed to connect. */
const COUNTED = sql`(l.dial_status IS NULL OR l.dial_status IN ('answered', 'completed'))`;

/** An owner's limit that its counters cannot answer for (the row `k` of counters, the limits `w`). */
const NEEDS_COUNT = sql`((w.max_concurrent IS NOT NULL AND (k.open IS NULL OR k.open >= w.max_concurrent))
  OR (w.hourly_cap IS NOT NULL AND k.hour IS NULL) OR (w.daily_cap IS NOT NULL AND k.day IS NULL)
  OR (w.monthly_cap IS NOT NULL AND k.month IS NULL))`;

interface UsageRow {
  owner_id: number;
  open: number | null;
  hour: number | null;
  day: number | null;
  month: number | null;
  counted: boolean;
  c_open: string | null;
  c_hour: string | null;
  c_day: string | null;
  c_month: string | null;
}

/** The owners are the organisation's; their legs are read in it. */
export async function ownersUsage(db: Db, orgId: string, kind: 'buyer' | 'target', requests: readonly UsageRequest[]): Promise<Map<number, LegUsage>> {
  if (requests.length === 0) return new Map();
  const iso = (d: Date) => d.toISOString();
  const column = sql.ref(kind === 'buyer' ? 'l.buyer_id' : 'l.rtb_target_id');
  const counter = (period: 'open' | 'hour' | 'day' | 'month', windowColumn: 'hour_start' | 'day_start' | 'month_start' | null) =>
    sql<number | null>`(SELECT c.legs FROM leg_usage_counters c WHERE c.owner_kind = ${kind} AND c.owner_id = w.owner_id
      AND c.period = ${period} AND c.trusted_from <= now()${windowColumn ? sql` AND c.window_start = ${sql.ref(`w.${windowColumn}`)}` : sql``})`;
  const { rows } = await sql<UsageRow>`${preparedMark}
    SELECT w.owner_id, k.open, k.hour, k.day, k.month, n.counted, n.c_open, n.c_hour, n.c_day, n.c_month
    FROM unnest(${requests.map((r) => r.id)}::integer[], ${requests.map((r) => r.limits.maxConcurrentCalls)}::integer[],
                ${requests.map((r) => r.limits.hourlyCap)}::integer[], ${requests.map((r) => r.limits.dailyCap)}::integer[],
                ${requests.map((r) => r.limits.monthlyCap)}::integer[], ${requests.map((r) => iso(r.windows.hourStart))}::timestamptz[],
                ${requests.map((r) => iso(r.windows.dayStart))}::timestamptz[], ${requests.map((r) => iso(r.windows.monthStart))}::timestamptz[])
      AS w(owner_id, max_concurrent, hourly_cap, daily_cap, monthly_cap, hour_start, day_start, month_start)
    CROSS JOIN LATERAL (
      SELECT ${counter('open', null)} AS open, ${counter('hour', 'hour_start')} AS hour,
        ${counter('day', 'day_start')} AS day, ${counter('month', 'month_start')} AS month
    ) k
    LEFT JOIN LATERAL (
      SELECT true AS counted,
        count(*) FILTER (WHERE l.ended_at IS NULL AND l.started_at > now() - make_interval(secs => ${STALE_OPEN_LEG_SEC})) AS c_open,
        count(*) FILTER (WHERE ${COUNTED} AND l.started_at >= w.hour_start) AS c_hour,
        count(*) FILTER (WHERE ${COUNTED} AND l.started_at >= w.day_start) AS c_day,
        count(*) FILTER (WHERE ${COUNTED} AND l.started_at >= w.month_start) AS c_month
      FROM call_legs l
      WHERE l.org_id = ${orgId} AND ${column} = w.owner_id AND (l.ended_at IS NULL OR l.started_at >= LEAST(w.hour_start, w.day_start, w.month_start))
        AND ${NEEDS_COUNT}
      HAVING ${NEEDS_COUNT}
    ) n ON true`.execute(db);
  return new Map(rows.map((r) => [r.owner_id, usageOf(r)]));
}

function usageOf(r: UsageRow): LegUsage {
  if (r.counted) return { activeCalls: Number(r.c_open), callsThisHour: Number(r.c_hour), callsToday: Number(r.c_day), callsThisMonth: Number(r.c_month) };
  return { activeCalls: r.open ?? 0, callsThisHour: r.hour ?? 0, callsToday: r.day ?? 0, callsThisMonth: r.month ?? 0 };
}
