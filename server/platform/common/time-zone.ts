/**
 * The names found valid, in lower case (bounded by the IANA set: a name the runtime refuses is
 * never kept, and zone names are case-insensitive, so every spelling of one is one entry).
 */
const known = new Set<string>();

/**
 * A zone name's cache key: its ASCII letters in lower case (zone names are ASCII and their case
 * does not matter to Intl; other characters are kept, so that no non-ASCII spelling can fold onto
 * a valid name — the Kelvin sign's lower case is `k` — without Intl judging it).
 */
export function zoneKey(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** True when the runtime knows this IANA time zone name (`America/New_York`, `UTC`). */
export function isValidTimeZone(name: string): boolean {
  const key = zoneKey(name);
  if (known.has(key)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    return false;
  }
  known.add(key);
  return true;
}
