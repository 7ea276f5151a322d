const cache = new Map<string, boolean>();

/** True when the runtime knows this IANA time zone name. */
export function isValidTimeZone(name: string): boolean {
  let known = cache.get(name);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      known = true;
    } catch {
      known = false;
    }
    cache.set(name, known);
  }
  return known;
}
