// Buyer rows <-> API shapes, and the checks JSON Schema cannot express (pure).
import type { components } from '../../../client/schema.js';
import type { BuyerPatch, BuyerRow, OperatingHours } from '../../../db/types.js';
import { iso } from '../../platform/common/dates.js';
import { obfuscatePhone } from '../../platform/common/phone.js';
import { isValidTimeZone } from '../../platform/common/time-zone.js';
import type { CampaignBuyerView } from './queries.js';

type Buyer = components['schemas']['Buyer'];
type BuyerUpdate = components['schemas']['BuyerUpdate'];

export function presentBuyer(row: BuyerRow): Buyer {
  return {
    id: row.id,
    name: row.name,
    companyName: row.company_name,
    email: row.email,
    phoneNumber: obfuscatePhone(row.phone_number) ?? '',
    priority: row.priority,
    maxConcurrentCalls: row.max_concurrent_calls,
    isActive: row.is_active,
    timeZone: row.time_zone,
    operatingHours: row.operating_hours,
    hourlyCap: row.hourly_cap,
    dailyCap: row.daily_cap,
    monthlyCap: row.monthly_cap,
    payout: row.payout === null ? null : Number(row.payout),
    minCallDurationSec: row.min_call_duration_sec,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function presentCampaignBuyer(row: CampaignBuyerView): components['schemas']['CampaignBuyer'] {
  return {
    campaignId: row.campaign_id,
    buyerId: row.buyer_id,
    buyerName: row.buyer_name,
    companyName: row.company_name,
    priority: row.priority,
    weight: row.weight,
    isActive: row.is_active,
    createdAt: iso(row.created_at),
  };
}

/** Problems the schema cannot see: unknown time zones, empty day ranges. */
export function buyerProblems(body: BuyerUpdate): Record<string, string> {
  const problems: Record<string, string> = {};
  if (body.timeZone !== undefined && !isValidTimeZone(body.timeZone)) {
    problems.timeZone = 'must be an IANA time zone name, e.g. America/New_York';
  }
  for (const [day, hours] of Object.entries(body.operatingHours ?? {})) {
    if (hours && hours.start === hours.end) problems[`operatingHours.${day}`] = 'start and end must differ';
  }
  return problems;
}

/** jsonb on write is always a JSON string; "always open" is SQL NULL. */
export function operatingHoursColumn(hours: OperatingHours | null | undefined): string | null {
  return hours ? JSON.stringify(hours) : null;
}

export function buyerPatch(body: BuyerUpdate): BuyerPatch {
  const patch: BuyerPatch = {};
  if (body.name !== undefined) patch.name = body.name;
  if (body.companyName !== undefined) patch.company_name = body.companyName;
  if (body.email !== undefined) patch.email = body.email;
  if (body.phoneNumber !== undefined) patch.phone_number = body.phoneNumber;
  if (body.priority !== undefined) patch.priority = body.priority;
  if (body.maxConcurrentCalls !== undefined) patch.max_concurrent_calls = body.maxConcurrentCalls;
  if (body.isActive !== undefined) patch.is_active = body.isActive;
  if (body.timeZone !== undefined) patch.time_zone = body.timeZone;
  if (body.operatingHours !== undefined) patch.operating_hours = operatingHoursColumn(body.operatingHours);
  if (body.hourlyCap !== undefined) patch.hourly_cap = body.hourlyCap;
  if (body.dailyCap !== undefined) patch.daily_cap = body.dailyCap;
  if (body.monthlyCap !== undefined) patch.monthly_cap = body.monthlyCap;
  if (body.payout !== undefined) patch.payout = body.payout;
  if (body.minCallDurationSec !== undefined) patch.min_call_duration_sec = body.minCallDurationSec;
  return patch;
}
