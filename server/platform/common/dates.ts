export function iso(date: Date): string {
  return date.toISOString();
}

export function isoOrNull(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

const LEAP_SECOND = /^(.+[Tt]\d{2}:\d{2}:)60(.*)$/;

/**
 * A date-time the contract validated (RFC 3339) as an instant. RFC 3339 allows a leap second
 * (`23:59:60`), which JavaScript's Date cannot parse (an Invalid Date, a 500 once it reached a
 * query); it is read as PostgreSQL reads it, the instant after `:59`.
 */
export function instantOf(value: string): Date {
  const parsed = new Date(value);
  if (!Number.isNaN(parsed.getTime())) return parsed;
  const leap = LEAP_SECOND.exec(value);
  if (!leap) return parsed;
  const before = new Date(`${leap[1]}59${leap[2]}`);
  return Number.isNaN(before.getTime()) ? parsed : new Date(before.getTime() + 1000);
}
