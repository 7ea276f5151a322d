// An agent's day, from its presence history (pure): the window "today" in the agent's time zone
// and the seconds spent in each status within it.
import type { AgentStatus } from '../../../db/types.js';
import { DAY_MS, instantsOfWall, wallAt } from '../../platform/common/zoned-time.js';

export type TimeInStatus = Record<AgentStatus, number>;

export interface DayWindow {
  /** The local date, YYYY-MM-DD. */
  date: string;
  /** The instant the local day began. */
  start: Date;
}

/** The local day `now` falls in, in `timeZone`. */
export function dayOf(timeZone: string, now: Date): DayWindow {
  const wall = wallAt(timeZone, now.getTime());
  const midnight = wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS);
  const start = instantsOfWall(timeZone, midnight)[0] ?? now.getTime();
  return { date: new Date(midnight).toISOString().slice(0, 10), start: new Date(Math.min(start, now.getTime())) };
}

export interface StatusChange {
  at: Date;
  from: AgentStatus;
  to: AgentStatus;
}

/**
 * Seconds in each status over [from, to]. `before` is the status the last change before `from`
 * left (null when there was none: then the first change's `from`, else `current`); `changes` are
 * those within the window, in order.
 */
export function timeInStatus(before: AgentStatus | null, changes: readonly StatusChange[], current: AgentStatus, from: Date, to: Date): TimeInStatus {
  const ms: TimeInStatus = { available: 0, busy: 0, offline: 0, break: 0 };
  let status = before ?? changes[0]?.from ?? current;
  let since = from.getTime();
  const end = to.getTime();
  for (const change of changes) {
    const at = Math.min(Math.max(change.at.getTime(), since), end);
    ms[status] += at - since;
    status = change.to;
    since = at;
  }
  ms[status] += Math.max(0, end - since);
  return wholeSeconds(ms, Math.round((end - from.getTime()) / 1000));
}

/**
 * Milliseconds per status as whole seconds that add up to `total` (the window's rounded length):
 * each part rounded down, the seconds left given to the largest remainders — rounding each part
 * on its own could make the parts miss the whole by a second or two.
 */
function wholeSeconds(ms: TimeInStatus, total: number): TimeInStatus {
  const keys = Object.keys(ms) as Array<keyof TimeInStatus>;
  const out = { ...ms };
  for (const key of keys) out[key] = Math.floor(ms[key] / 1000);
  let left = total - keys.reduce((sum, key) => sum + out[key], 0);
  const byRemainder = [...keys].sort((a, b) => (ms[b] % 1000) - (ms[a] % 1000));
  for (const key of byRemainder) {
    if (left <= 0) break;
    out[key] += 1;
    left -= 1;
  }
  return out;
}
