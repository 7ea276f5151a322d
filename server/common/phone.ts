// Obfuscation of people's phone numbers in responses (seed 000): the first three and the last
// four digits of the national number, e.g. +12125551234 -> 212***1234.
import { parsePhoneNumberFromString } from 'libphonenumber-js';

export function obfuscatePhone(phone: string | null): string | null {
  if (phone === null) return null;
  if (phone.startsWith('sip:')) return 'sip:***';
  const parsed = parsePhoneNumberFromString(phone);
  const national = parsed?.nationalNumber ?? phone.replace(/\D/g, '');
  if (national.length < 8) return `***${national.slice(-2)}`;
  return `${national.slice(0, 3)}***${national.slice(-4)}`;
}
