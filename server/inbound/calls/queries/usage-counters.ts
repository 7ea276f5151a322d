// The leg counters' values (migrations 0022, 0047) for several owners at once, each in the
// windows its caller asks: the trusted `open` row, and the trusted hour / day / month rows that
// hold exactly those windows. One statement; whether a value may be used is counter-usage.ts's rule.
import { sql } from 'kysely';
import type { Db } from '../../../../db/types.js';
import type { CapWindows } from '../../routing/cap-windows.js';
import type { CounterValues } from '../counter-usage.js';

export interface CounterRequest {
  id: number;
  windows: CapWindows;
}

/** The four window arrays of `requests`, for unnest(). */
export function windowArrays(requests: readonly CounterRequest[]) {
  const iso = (d: Date) => d.toISOString();
  return {
    ids: requests.map((r) => r.id),
    hours: requests.map((r) => iso(r.windows.hourStart)),
    days: requests.map((r) => iso(r.windows.dayStart)),
    months: requests.map((r) => iso(r.windows.monthStart)),
  };
}

export async function readUsageCounters(db: Db, kind: 'buyer' | 'target', requests: readonly CounterRequest[]): Promise<Map<number, CounterValues>> {
  if (requests.length === 0) return new Map();
  const w = windowArrays(requests);
  const counter = (period: 'open' | 'hour' | 'day' | 'month', windowColumn: 'hour_start' | 'day_start' | 'month_start' | null) =>
    sql<number | null>`(SELECT c.legs FROM leg_usage_counters c WHERE c.owner_kind = ${kind} AND c.owner_id = w.owner_id
      AND c.period = ${period} AND c.trusted_from <= now()${windowColumn ? sql` AND c.window_start = ${sql.ref(`w.${windowColumn}`)}` : sql``})`;
  const { rows } = await sql<CounterValues & { owner_id: number }>`
    SELECT w.owner_id, ${counter('open', null)} AS open, ${counter('hour', 'hour_start')} AS hour,
      ${counter('day', 'day_start')} AS day, ${counter('month', 'month_start')} AS month
    FROM unnest(${w.ids}::integer[], ${w.hours}::timestamptz[], ${w.days}::timestamptz[], ${w.months}::timestamptz[])
      AS w(owner_id, hour_start, day_start, month_start)`.execute(db);
  return new Map(rows.map((r) => [r.owner_id, { open: r.open, hour: r.hour, day: r.day, month: r.month }]));
}
