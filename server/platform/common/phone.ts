// Phone numbers: the E.164 shape, and obfuscation of people's numbers in responses (seed 000):
// the first three and the last four digits of the national number, e.g. +12125551234 -> 212***1234.
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** A phone number in E.164 form (the contract's `E164` schema). */
export const E164 = /^\+[1-9]\d{6,14}$/;

export function obfuscatePhone(phone: string | null): string | null {
  if (phone === null) return null;
  if (phone.startsWith('sip:')) return 'sip:***';
  const parsed = parsePhoneNumberFromString(phone);
  const national = parsed?.nationalNumber ?? phone.replace(/\D/g, '');
  if (national.length < 8) return `***${national.slice(-2)}`;
  return `${national.slice(0, 3)}***${national.slice(-4)}`;
}
