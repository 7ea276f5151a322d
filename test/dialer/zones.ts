// Time zones where it is now a given time of day, so that dialer tests run the same at any hour.
import { DateTime } from 'luxon';

/** A fixed-offset zone (Etc/GMT±N) whose local hour now is in [fromHour, toHour). */
export function zoneAtHour(fromHour: number, toHour: number): string {
  for (let offset = -12; offset <= 14; offset += 1) {
    const zone = offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
    const hour = DateTime.now().setZone(zone).hour;
    if (hour >= fromHour && hour < toHour) return zone;
  }
  throw new Error(`no zone where it is now ${fromHour}:00–${toHour}:00`);
}

/** Between 10:00 and 19:00 local: inside the legal window with room to spare. */
export const daytimeZone = (): string => zoneAtHour(10, 19);
/** Between 03:00 and 06:00 local. */
export const nightZone = (): string => zoneAtHour(3, 6);
