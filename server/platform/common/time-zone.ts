/** The names found valid (bounded by the IANA set: a name the runtime refuses is never kept). */
const known = new Set<string>();

/** True when the runtime knows this IANA time zone name (`America/New_York`, `UTC`). */
export function isValidTimeZone(name: string): boolean {
  if (known.has(name)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    return false;
  }
  known.add(name);
  return true;
}
