// The time zones a phone number may be in (pure), for a lead whose own zone nobody knows: every
// zone of the number's country (the main country of its calling code when its prefix does not
// tell, e.g. +1 555 is read as the US). Calling hours are then kept in all of them at once.
import { getCountry } from 'countries-and-timezones';
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** The IANA zones of the number's country, or [] when no country is known for it. */
export function zonesOfNumber(e164: string): string[] {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return [];
  // The possible countries of a number whose prefix does not tell start with its calling code's main one.
  const country = parsed.country ?? parsed.getPossibleCountries()[0];
  if (!country) return [];
  return [...new Set(getCountry(country)?.timezones ?? [])];
}
