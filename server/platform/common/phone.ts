// Phone numbers: the E.164 shape, and obfuscation of people's numbers in responses (seed 000):
// the first three and the last four digits of the national number, e.g. +12125551234 -> 212***1234.
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** A phone number in E.164 form (the contract's `E164` schema). */
export const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * A North American number in E.164 (+1, an area code 2–9, seven digits more): its national number
 * is its last ten digits, which libphonenumber-js would find only after trying the plan's two
 * dozen countries one by one (about 70 µs for a number outside the first few, on every call).
 */
const NANP_E164 = /^\+1([2-9]\d{9})$/;

export function obfuscatePhone(phone: string | null): string | null {
  if (phone === null) return null;
  if (phone.startsWith('sip:')) return 'sip:***';
  const national = NANP_E164.exec(phone)?.[1] ?? parsePhoneNumberFromString(phone)?.nationalNumber ?? phone.replace(/\D/g, '');
  if (national.length < 8) return `***${national.slice(-2)}`;
  return `${national.slice(0, 3)}***${national.slice(-4)}`;
}
