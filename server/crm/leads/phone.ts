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

/** What E.164 allows, as the tables' CHECK has it: a country code and 7 to 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;

/** A trailing extension: a marker (`ext`, `ext.`, `extn`, `extension`, `x`, `#`) and its digits. */
const EXTENSION = /\s*[,;]?\s*(?:ext(?:ension|n)?\.?|x|#)\s*\d{1,7}$/i;

/** The E.164 form of `raw`, reading a national number in `defaultCountry`; null when it is no phone number. */
export function normalisePhone(raw: string, defaultCountry: string): NormalisedPhone | null {
  const text = raw.trim();
  if (text.length === 0 || text.length > 40) return null;
  // An extension (`ext. 123`, `x12`, `extension 5`) is kept in the number as given but not dialled:
  // the number is what remains. Other words (`1-800-FLOWERS`, `call me`) make no number.
  const number = text.replace(EXTENSION, '');
  if (number.length === 0 || /[a-z]{2}/i.test(number)) return null;
  const parsed = parsePhoneNumberFromString(number, { defaultCountry: defaultCountry as CountryCode });
  // Possible is not enough: for some countries (DE, JP, ID, ...) libphonenumber-js finds numbers
  // possible that E.164 cannot hold (over 15 digits, or under 7), which leads.phone_e164 and
  // dnc_numbers.phone_e164 refuse (their CHECK).
  if (!parsed || !parsed.isPossible() || !E164.test(parsed.number)) return null;
  return { e164: parsed.number, country: parsed.country ?? null };
}

/** The ISO country an E.164 number belongs to, when its calling code and prefix tell (null e.g. for +1 555). */
export function countryOfE164(e164: string): string | null {
  return parsePhoneNumberFromString(e164)?.country ?? null;
}

/** The IANA time zone of a country that has exactly one (US, CA, RU, ... have several: null). */
export function singleTimeZoneOf(country: string | null): string | null {
  if (!country) return null;
  const zones = getCountry(country)?.timezones ?? [];
  return zones.length === 1 ? zones[0]! : null;
}
