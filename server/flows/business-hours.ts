// Open or closed at an instant, by weekly hours in a time zone (pure; wall-clock time from Intl).
// Same rules as buyers' operatingHours: HH:MM per weekday; `end` before `start` runs past
// midnight into the next day (so Friday 22:00-06:00 covers Saturday 03:00); `24:00` ends a day;
// a weekday that is not listed is closed.
import { WEEKDAYS, type OperatingHours, type Weekday } from './types.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'long',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

export interface WallClock {
  weekday: Weekday;
  /** Minutes since local midnight, 0-1439. */
  minutes: number;
}

/** The weekday and time of day at `now` in `timeZone` (throws RangeError for an unknown zone). */
export function wallClock(now: Date, timeZone: string): WallClock {
  let weekday: Weekday = 'sunday';
  let hour = 0;
  let minute = 0;
  for (const part of formatter(timeZone).formatToParts(now)) {
    if (part.type === 'weekday') weekday = part.value.toLowerCase() as Weekday;
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { weekday, minutes: hour * 60 + minute };
}

/** `HH:MM` (or `24:00`) as minutes since midnight. */
export function clockMinutes(time: string): number {
  const [hours = '0', minutes = '0'] = time.split(':');
  return Number(hours) * 60 + Number(minutes);
}

export function isOpenAt(hours: OperatingHours, timeZone: string, now: Date): boolean {
  const { weekday, minutes } = wallClock(now, timeZone);
  const today = hours[weekday];
  if (today) {
    const start = clockMinutes(today.start);
    const end = clockMinutes(today.end);
    if (start < end ? minutes >= start && minutes < end : minutes >= start) return true;
  }
  const yesterday = hours[previousDay(weekday)];
  if (yesterday) {
    const start = clockMinutes(yesterday.start);
    const end = clockMinutes(yesterday.end);
    if (end < start && minutes < end) return true;
  }
  return false;
}

function previousDay(day: Weekday): Weekday {
  const index = WEEKDAYS.indexOf(day);
  return WEEKDAYS[(index + WEEKDAYS.length - 1) % WEEKDAYS.length] ?? 'saturday';
}
