// Whether a country code can read national phone numbers (pure): libphonenumber-js knows it.
import { isSupportedCountry } from 'libphonenumber-js';

export function isPhoneCountry(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}

export const UNKNOWN_PHONE_COUNTRY = 'must be an ISO 3166-1 alpha-2 country libphonenumber-js knows (e.g. US, GB, DE)';
