// One CSV record -> a lead to import, or the row's errors (pure).
import type { CustomFieldValue, LeadPriority, LeadStage } from '../../../db/types.js';
import { isPhoneCountry } from '../../accounts/organization/country.js';
import { fullName } from '../leads/mapping.js';
import { normalisePhone, singleTimeZoneOf } from '../leads/phone.js';
import { isValidTimeZone } from '../../platform/common/time-zone.js';
import { parseStage } from '../leads/stage.js';
import { readCallTime } from './call-time.js';
import { type ColumnPlan, setOwn } from './columns.js';

export interface ImportLead {
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  phone: string;
  phoneE164: string;
  email: string | null;
  country: string | null;
  timeZone: string | null;
  priority: LeadPriority;
  stage: LeadStage;
  notes: string | null;
  nextCallAt: string | null;
  customFields: Record<string, CustomFieldValue>;
}

export interface RowError {
  row: number;
  field: string | null;
  value: string | null;
  message: string;
}

export type RowResult = { ok: true; lead: ImportLead } | { ok: false; errors: RowError[] };

const LIMITS: Record<string, number> = { name: 200, firstName: 100, lastName: 100, company: 200, email: 254, notes: 2000, customField: 2000 };
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PRIORITIES = new Set<string>(['low', 'normal', 'high', 'urgent']);
const MAX_VALUE_IN_ERROR = 200;
/** PostgreSQL text and jsonb cannot hold U+0000: a cell with one is a row error, never a failed batch. */
const NUL = '\u0000';

/** A cell's value as an error may quote it (a NUL shown as U+FFFD, so that the error itself can be stored). */
export function quotable(value: string): string {
  return value.slice(0, MAX_VALUE_IN_ERROR).replaceAll(NUL, '\uFFFD');
}

/**
 * Validate and normalise one record (`row`: its line in the file). National numbers are read in
 * `defaultCountry`; a call time without an offset in the lead's zone, else `campaignTimeZone`.
 */
export function readRow(values: string[], row: number, plan: ColumnPlan, defaultCountry: string, campaignTimeZone: string | null = null): RowResult {
  const errors: RowError[] = [];
  const fail = (field: string, value: string, message: string) => errors.push({ row, field, value: quotable(value), message });
  const text: Partial<Record<string, string>> = {};
  const customFields: Record<string, CustomFieldValue> = {};
  plan.targets.forEach((target, i) => {
    const value = (values[i] ?? '').trim();
    if (target.kind === 'skip') return;
    if (value.includes(NUL)) {
      fail(target.kind === 'custom' ? `customFields.${target.key}` : target.field, value, 'contains a NUL character (U+0000), which cannot be stored');
      return;
    }
    if (target.kind === 'custom') {
      if (value === '') return;
      if (value.length > LIMITS.customField!) fail(`customFields.${target.key}`, value, `is longer than ${LIMITS.customField} characters`);
      else setOwn(customFields, target.key, value);
      return;
    }
    if (value !== '') text[target.field] = value;
  });
  for (const field of ['name', 'firstName', 'lastName', 'company', 'email', 'notes']) {
    const value = text[field];
    if (value !== undefined && value.length > LIMITS[field]!) fail(field, value, `is longer than ${LIMITS[field]} characters`);
  }
  if (text.email !== undefined && !EMAIL.test(text.email)) fail('email', text.email, 'Invalid email address');
  let country: string | null = null;
  if (text.country !== undefined) {
    const upper = text.country.toUpperCase();
    if (!isPhoneCountry(upper)) fail('country', text.country, 'Invalid country (ISO code, e.g. US)');
    else country = upper;
  }
  const phoneText = text.phone;
  const phone = phoneText === undefined ? null : normalisePhone(phoneText, country ?? defaultCountry);
  if (phoneText === undefined) fail('phone', '', 'Phone number is required');
  else if (!phone) fail('phone', phoneText, 'Invalid phone number');
  const zoneGiven = text.timeZone !== undefined && isValidTimeZone(text.timeZone);
  if (text.timeZone !== undefined && !zoneGiven) fail('timeZone', text.timeZone, 'Invalid time zone (IANA, e.g. America/New_York)');
  const priority = text.priority?.toLowerCase() ?? 'normal';
  if (!PRIORITIES.has(priority)) fail('priority', text.priority ?? '', 'Invalid priority (low, normal, high, urgent)');
  const stage = text.stage === undefined ? 'new' : parseStage(text.stage);
  if (!stage) fail('stage', text.stage ?? '', 'Invalid stage (New, Contacted, Follow-up, Qualified, Converted, Lost)');
  const finalCountry = country ?? phone?.country ?? null;
  let nextCallAt: string | null = null;
  if (text.nextCallAt !== undefined) {
    // Read where the dialer will call the lead: its own zone, else the campaign's.
    const zone = (zoneGiven ? text.timeZone! : null) ?? singleTimeZoneOf(finalCountry) ?? campaignTimeZone;
    const at = readCallTime(text.nextCallAt, zone);
    if (!at.ok) fail('nextCallAt', text.nextCallAt, at.message);
    else nextCallAt = at.iso;
  }
  if (errors.length > 0 || !phone || !stage) return { ok: false, errors };
  return {
    ok: true,
    lead: {
      name: fullName(text.name, text.firstName, text.lastName),
      firstName: text.firstName ?? null,
      lastName: text.lastName ?? null,
      company: text.company ?? null,
      phone: phoneText!,
      phoneE164: phone.e164,
      email: text.email ?? null,
      country: finalCountry,
      timeZone: text.timeZone ?? singleTimeZoneOf(finalCountry),
      priority: priority as LeadPriority,
      stage,
      notes: text.notes ?? null,
      nextCallAt,
      customFields,
    },
  };
}
