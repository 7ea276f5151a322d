// An import's call time (seed 004's scheduledFor, nextCallAt) -> an instant (pure, luxon). A time
// with an offset (`Z`, `+02:00`) is that instant; one without is read in the lead's time zone (the
// row's timeZone, else its country's single zone, else the campaign's — the zone the dialer calls
// it in). Without any zone it is refused: the server's own zone says nothing about the lead.
import { DateTime } from 'luxon';

const DATE_FIRST = /^\d{4}-\d{2}-\d{2}/;
const OFFSET = /(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/;

export type CallTime = { ok: true; iso: string } | { ok: false; message: string };

export function readCallTime(text: string, zone: string | null): CallTime {
  const iso = text.replace(/^(\d{4}-\d{2}-\d{2}) +(?=\d)/, '$1T');
  if (!DATE_FIRST.test(iso)) return { ok: false, message: 'Invalid date-time (ISO 8601)' };
  const hasOffset = iso.includes('T') && OFFSET.test(iso);
  if (!hasOffset && zone === null) {
    return { ok: false, message: 'has no UTC offset and the lead has no time zone: add one (2030-06-03T10:00:00-04:00 or ...Z), or a timeZone column' };
  }
  const at = DateTime.fromISO(iso, { zone: hasOffset ? 'UTC' : zone!, setZone: false });
  if (!at.isValid) return { ok: false, message: 'Invalid date-time (ISO 8601)' };
  // The instant in UTC must be in the years 0001–9999: PostgreSQL has no year 0000, and a later
  // one is written `+010000-…` — either failed the whole batch it was in.
  const utcYear = at.toUTC().year;
  if (utcYear < 1 || utcYear > 9999) return { ok: false, message: 'is out of range (years 0001–9999 in UTC)' };
  return { ok: true, iso: at.toJSDate().toISOString() };
}
