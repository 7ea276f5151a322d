// People's numbers as given -> E.164 (libphonenumber-js), and what a number says about where the
// person is (pure). A number is accepted when it is *possible* (a plausible length for its
// country): seed examples use fictional 555 numbers, which are not *valid* in libphonenumber's
// stricter sense, and a sales team imports those from test lists too.
import { getCountry } from 'countries-and-timezones';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

export interface NormalisedPhone {
  e164: string;
  /** ISO country of the number, when its calling code and prefix tell (null e.g. for +1 555). */
  country: string | null;
}

/** The E.164 form of `raw`, reading a national number in `defaultCountry`; null when it is no phone number. */
export function normalisePhone(raw: string, defaultCountry: string): NormalisedPhone | null {
  const text = raw.trim();
  if (text.length === 0 || text.length > 40 || /[a-z]{2}/i.test(text)) return null;
  const parsed = parsePhoneNumberFromString(text, { defaultCountry: defaultCountry as CountryCode });
  if (!parsed || !parsed.isPossible()) return null;
  return { e164: parsed.number, country: parsed.country ?? null };
}

/** The IANA time zone of a country that has exactly one (US, CA, RU, ... have several: null). */
export function singleTimeZoneOf(country: string | null): string | null {
  if (!country) return null;
  const zones = getCountry(country)?.timezones ?? [];
  return zones.length === 1 ? zones[0]! : null;
}
