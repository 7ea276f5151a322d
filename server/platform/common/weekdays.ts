// Weekday names in ISO order (1 = Monday … 7 = Sunday), as the API spells them and as the
// database stores them (smallint ISO weekdays): campaigns' calling days, AI schedules' run days.
import type { Weekday } from '../../../db/types.js';

export const ISO_WEEKDAYS: readonly Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** 1 (Monday) … 7 (Sunday). */
export function isoWeekdayNumber(name: Weekday): number {
  return ISO_WEEKDAYS.indexOf(name) + 1;
}

/** The name of ISO weekday 1 … 7. */
export function isoWeekdayName(day: number): Weekday {
  const name = ISO_WEEKDAYS[day - 1];
  if (name === undefined) throw new RangeError(`not an ISO weekday: ${day}`);
  return name;
}
