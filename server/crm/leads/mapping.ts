// Lead rows <-> API shapes, and the checks of a create / update body (pure).
import type { components } from '../../../client/schema.js';
import type { LeadPatch, LeadRow } from '../../../db/types.js';
import { iso, isoOrNull } from '../../platform/common/dates.js';
import { obfuscatePhone } from '../../platform/common/phone.js';
import { ERRORS } from '../../platform/errors.js';
import { type NormalisedPhone, singleTimeZoneOf } from './phone.js';
import { isValidTimeZone } from '../../platform/common/time-zone.js';
import { parseStage } from './stage.js';

type Lead = components['schemas']['Lead'];
type LeadUpdate = components['schemas']['LeadUpdate'];

export function presentLead(row: LeadRow): Lead {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    name: row.name,
    firstName: row.first_name,
    lastName: row.last_name,
    company: row.company,
    phone: obfuscatePhone(row.phone_e164) ?? '',
    phoneE164: obfuscatePhone(row.phone_e164) ?? '',
    email: row.email,
    country: row.country,
    timeZone: row.time_zone,
    priority: row.priority,
    customFields: row.custom_fields,
    notes: row.notes,
    assignedTo: row.assigned_to,
    stage: row.stage,
    dialStatus: row.dial_status,
    callAttempts: row.call_attempts,
    lastCallAt: isoOrNull(row.last_call_at),
    nextCallAt: isoOrNull(row.next_call_at),
    nextFollowUpAt: isoOrNull(row.next_follow_up_at),
    doNotCall: row.do_not_call,
    source: row.source,
    importId: row.import_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** The full name: as given, else first and last name joined (null when neither). */
export function fullName(name: string | null | undefined, first: string | null | undefined, last: string | null | undefined): string | null {
  const given = name?.trim();
  if (given) return given;
  const joined = [first?.trim(), last?.trim()].filter(Boolean).join(' ');
  return joined || null;
}

function emptyToNull(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * The column changes a body asks for (only the fields sent), given its phone already normalised and
 * the lead as it is (`current`; null for a new lead). `campaignId`, `assignedTo` and `phone` are
 * checked by the caller (they need the database).
 */
export function leadPatch(body: LeadUpdate, phone: NormalisedPhone | null, current: Pick<LeadRow, 'phone_e164' | 'country' | 'time_zone'> | null = null): LeadPatch {
  const patch: LeadPatch = {};
  const problems: Record<string, string> = {};
  if (body.name !== undefined) patch.name = emptyToNull(body.name);
  if (body.firstName !== undefined) patch.first_name = emptyToNull(body.firstName);
  if (body.lastName !== undefined) patch.last_name = emptyToNull(body.lastName);
  if (body.company !== undefined) patch.company = emptyToNull(body.company);
  if (body.email !== undefined) patch.email = emptyToNull(body.email);
  if (body.notes !== undefined) patch.notes = body.notes;
  if (body.priority !== undefined) patch.priority = body.priority;
  if (body.customFields !== undefined) patch.custom_fields = JSON.stringify(body.customFields);
  if (body.nextCallAt !== undefined) patch.next_call_at = body.nextCallAt;
  const stageText = body.stage ?? body.status;
  if (stageText !== undefined) {
    const stage = parseStage(stageText);
    if (!stage) problems[body.stage !== undefined ? 'stage' : 'status'] = 'is not a stage';
    else patch.stage = stage;
  }
  if (body.country !== undefined) patch.country = body.country;
  if (body.timeZone !== undefined) {
    if (body.timeZone !== null && !isValidTimeZone(body.timeZone)) problems.timeZone = 'is not an IANA time zone (e.g. America/New_York)';
    else patch.time_zone = body.timeZone;
  }
  if (phone) patch.phone_e164 = phone.e164;
  Object.assign(patch, derivedPlace(body, phone, current));
  if (Object.keys(problems).length > 0) throw ERRORS.validation(problems);
  return patch;
}

/**
 * The country and time zone a new number or country implies, for the fields not given. Only a
 * number or country that really changes implies anything (the same number sent again changes
 * nothing), and a zone is never cleared unless it was the one the old country implied: a zone
 * given explicitly (now or before) is not replaced by the null of a country with several zones.
 */
function derivedPlace(body: LeadUpdate, phone: NormalisedPhone | null, current: Pick<LeadRow, 'phone_e164' | 'country' | 'time_zone'> | null): LeadPatch {
  const place: LeadPatch = {};
  const numberChanged = phone !== null && (current === null || current.phone_e164 !== phone.e164);
  if (body.country === undefined && numberChanged && phone.country) place.country = phone.country;
  const country = body.country !== undefined ? body.country : (place.country ?? current?.country ?? null);
  const countryChanged = current === null ? country !== null : country !== current.country;
  if (body.timeZone !== undefined || !(numberChanged || countryChanged)) return place;
  const zone = singleTimeZoneOf(country);
  const storedWasImplied = current === null || current.time_zone === null || current.time_zone === singleTimeZoneOf(current.country);
  if (zone !== null || storedWasImplied) place.time_zone = zone;
  return place;
}
