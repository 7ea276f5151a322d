// Phone number rows <-> API shapes (pure).
import type { components } from '../../../client/schema.js';
import { iso } from '../../platform/common/dates.js';
import type { PhoneNumberRow } from './queries.js';
import type { AvailableNumber } from '../../telephony/types.js';

type PhoneNumber = components['schemas']['PhoneNumber'];
type ApiAvailableNumber = components['schemas']['AvailableNumber'];
export type NumberStatus = PhoneNumber['status'];

/** assigned: points at a campaign; pooled: in a number pool; ai_agent: answered by an AI agent; unassigned: none. */
export function numberStatus(row: Pick<PhoneNumberRow, 'campaign_id' | 'pool_id' | 'ai_agent_id'>): NumberStatus {
  if (row.campaign_id !== null) return 'assigned';
  if (row.pool_id !== null) return 'pooled';
  if (row.ai_agent_id !== null) return 'ai_agent';
  return 'unassigned';
}

/** numeric arrives as an exact decimal string; the API speaks JSON numbers. */
export function moneyOrNull(value: string | null): number | null {
  if (value === null) return null;
  const amount = Number(value);
  return Number.isFinite(amount) ? amount : null;
}

export function presentNumber(row: PhoneNumberRow): PhoneNumber {
  return {
    id: row.id,
    phoneNumber: row.phone_number,
    friendlyName: row.friendly_name,
    phoneNumberSid: row.provider_sid,
    provider: row.provider,
    campaignId: row.campaign_id,
    poolId: row.pool_id,
    aiAgentId: row.ai_agent_id,
    status: numberStatus(row),
    isActive: row.is_active,
    monthlyFee: moneyOrNull(row.monthly_fee),
    capabilities: { voice: row.capabilities.voice === true, SMS: row.capabilities.SMS === true, MMS: row.capabilities.MMS === true },
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function presentAvailableNumber(n: AvailableNumber): ApiAvailableNumber {
  return {
    phoneNumber: n.phoneNumber,
    friendlyName: n.friendlyName,
    region: n.region,
    isoCountry: n.isoCountry,
    capabilities: { voice: n.capabilities.voice, SMS: n.capabilities.SMS, MMS: n.capabilities.MMS },
  };
}

/** Where the provider sends a number's calls and call-status callbacks (both POST). */
export function numberWebhooks(publicBaseUrl: string): { voiceUrl: string; statusCallbackUrl: string } {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return { voiceUrl: `${base}/api/webhooks/voice`, statusCallbackUrl: `${base}/api/webhooks/call-status` };
}
