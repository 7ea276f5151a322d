// Zone names are case-insensitive to Intl: every spelling of one zone shares one validity entry and
// one formatter, so callers sending `utc`, `UTC`, `uTc`, … cannot grow the process's caches without
// bound; a non-ASCII look-alike is still judged by Intl (and refused), never folded onto a valid name.
import { describe, expect, it } from 'vitest';
import { isValidTimeZone, zoneKey } from '../../../server/platform/common/time-zone.js';
import { heldZoneFormatters, wallClock } from '../../../server/platform/common/zoned-time.js';

/** The 2^n spellings of a name by the case of its first n letters. */
function spellings(name: string, n: number): string[] {
  const out: string[] = [];
  for (let mask = 0; mask < 2 ** n; mask += 1) {
    out.push([...name].map((ch, i) => (i < n && mask & (1 << i) ? ch.toUpperCase() : ch.toLowerCase())).join(''));
  }
  return out;
}

describe('time zone spellings', () => {
  it('every spelling of a zone is valid and reads the same, and shares one formatter', () => {
    const instant = Date.UTC(2026, 6, 1, 12, 0, 0);
    const expected = wallClock('America/New_York', instant);
    const before = heldZoneFormatters();
    for (const name of spellings('america/new_york', 10)) {
      expect(isValidTimeZone(name)).toBe(true);
      expect(wallClock(name, instant)).toEqual(expected);
    }
    expect(heldZoneFormatters()).toBe(before);
  });

  it('a non-ASCII look-alike is not folded onto a valid name', () => {
    // U+212A KELVIN SIGN lower-cases to 'k'.
    expect(zoneKey('Europe/\u212Aiev')).not.toBe(zoneKey('Europe/Kiev'));
    expect(isValidTimeZone('Europe/Kiev')).toBe(true);
    expect(isValidTimeZone('Europe/\u212Aiev')).toBe(false);
  });
});
