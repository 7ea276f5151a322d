// A campaign's own `phoneNumber` is a number the organisation holds (issue 15.7): a campaign can
// no longer squat on a number another organisation bought, and the answer never says whether
// someone else holds it. With Twilio it must be one of the organisation's purchased (or ported)
// numbers. Under the local simulator any number nobody here holds is accepted too (the seeds'
// examples use made-up numbers like +1234567890); its numbers are fictional and no call reaches a
// real carrier, so what it reveals between organisations on a demo server is only demo data.
import type { Db } from '../../../db/types.js';
import { ERRORS } from '../../platform/errors.js';
import type { AnyTelephony } from '../../telephony/factory.js';
import { findNumberByPhone } from '../numbers/queries.js';

const NOT_HELD = 'is not one of this organisation\'s numbers: buy it first (POST /api/phone-numbers/purchase), then use it here';

/**
 * `campaignId`: the campaign being changed (none on create). One of the organisation's numbers
 * whose calls go elsewhere (its pool, another campaign, an AI agent: they come first, see
 * webhooks/lookup.ts) would leave the campaign without calls: 409 naming phoneNumber.
 */
export async function checkCampaignNumber(
  db: Db,
  orgId: string,
  phoneNumber: string | null | undefined,
  telephony: Pick<AnyTelephony, 'kind'>,
  campaignId?: string,
): Promise<void> {
  if (phoneNumber === undefined || phoneNumber === null) return;
  const holder = await findNumberByPhone(db, phoneNumber);
  if (holder?.org_id === orgId) {
    const elsewhere =
      holder.pool_id !== null
        ? `number pool ${holder.pool_id}`
        : holder.ai_agent_id !== null
          ? `AI agent ${holder.ai_agent_id}`
          : holder.campaign_id !== null && holder.campaign_id !== campaignId
            ? `campaign ${holder.campaign_id}`
            : null;
    if (elsewhere !== null) throw ERRORS.conflict({ phoneNumber: `answers for ${elsewhere}, so this campaign would get none of its calls: free the number there first` });
    return;
  }
  if (holder === undefined && telephony.kind === 'simulator') return;
  throw ERRORS.validation({ phoneNumber: NOT_HELD });
}

/** Whether the organisation holds the number now (a caller id may have been released since it was set, and bought by someone else). */
export async function holdsCallerId(db: Db, orgId: string, callerId: string): Promise<boolean> {
  return (await findNumberByPhone(db, callerId))?.org_id === orgId;
}

/** An outbound campaign's caller id must be one of the organisation's numbers (no simulator exception: it is what leads see). */
export async function checkCallerId(db: Db, orgId: string, callerId: string | null | undefined): Promise<void> {
  if (callerId === undefined || callerId === null) return;
  if (!(await holdsCallerId(db, orgId, callerId))) throw ERRORS.validation({ callerId: NOT_HELD });
}

/** The 409 of a campaign whose caller id was released after it was set. */
export const CALLER_ID_RELEASED = { callerId: "is no longer one of this organisation's numbers: set another one (PUT the campaign), then start it" };
