// Where the buyer's current local hour, day and month began, as UTC instants, so that a query can
// count the calls since then (`created_at >= dayStart`). Caps reset on the buyer's own clock.
import { instantsOfWall, wallClock } from '../../platform/common/zoned-time.js';

export interface CapWindows {
  hourStart: Date;
  dayStart: Date;
  monthStart: Date;
}

/**
 * DST: a day or month starts at the first time its midnight happens (and, when midnight itself
 * is skipped, when the gap ends); the repeated hour of a fall-back counts as an hour of its own.
 */
export function capWindows(timeZone: string, at: Date): CapWindows {
  const t = at.getTime();
  const w = wallClock(timeZone, t);
  const notAfter = (wall: number): number[] => {
    const list = instantsOfWall(timeZone, wall).filter((i) => i <= t);
    return list.length > 0 ? list : [t];
  };
  const hour = notAfter(Date.UTC(w.year, w.month - 1, w.day, w.hour));
  const day = notAfter(Date.UTC(w.year, w.month - 1, w.day));
  const month = notAfter(Date.UTC(w.year, w.month - 1, 1));
  return {
    hourStart: new Date(hour[hour.length - 1]!),
    dayStart: new Date(day[0]!),
    monthStart: new Date(month[0]!),
  };
}
