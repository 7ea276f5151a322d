// Inbound RTB (we sell a call a publisher holds): answer what we pay if the call reaches our
// tracking number within the expiry with the same caller ID (Ringba's shape). A repeat ping for
// the same caller before expiry gets the same bid; concurrent pings share one auction.
import type { Kysely } from 'kysely';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { components } from '../../../client/schema.js';
import type { CampaignRow, DB } from '../../../db/types.js';
import { isForeignKeyViolation } from '../../platform/common/pg-errors.js';
import { ERRORS } from '../../platform/errors.js';
import { findCampaignByRtbId } from './queries.js';
import { runCampaignAuction } from './run-campaign-auction.js';
import type { RtbRuntime } from './runtime.js';

type InboundBid = components['schemas']['InboundBid'];

export const BID_TTL_SECONDS = 60;
/** The rejection of an auction won at a price of 0. */
export const ZERO_PRICE = 'zero_price';

export interface InboundPing {
  callerId: string;
  callerState?: string | undefined;
  callerZip?: string | undefined;
}

/** The caller as E.164 (digits without a country code are read as North American). */
export function normaliseCallerId(raw: string): string | null {
  const parsed = parsePhoneNumberFromString(raw.startsWith('+') ? raw : raw.length === 10 ? `+1${raw}` : `+${raw}`);
  return parsed?.isPossible() ? parsed.number : null;
}

function accepted(id: string, amount: number, expiresAt: Date, phone: string, warnings: string[]): InboundBid {
  return {
    bidId: id,
    bidAmount: amount,
    expireInSeconds: Math.max(0, Math.round((expiresAt.getTime() - Date.now()) / 1000)),
    bidExpireEpoch: expiresAt.getTime(),
    phoneNumber: phone,
    phoneNumberNoPlus: phone.replace(/^\+/, ''),
    warnings,
  };
}

function warningsFor(ping: InboundPing): string[] {
  const warnings: string[] = [];
  if (!ping.callerState) warnings.push('callerState missing: targets limited to states did not bid');
  if (!ping.callerZip) warnings.push('callerZip missing: targets limited to zip codes did not bid');
  return warnings;
}

async function bidFor(db: Kysely<DB>, rtb: RtbRuntime, campaign: CampaignRow, callerId: string, ping: InboundPing): Promise<InboundBid> {
  const reject = async (reason: string, bidRequestId: string | null = null): Promise<InboundBid> => {
    const row = await db
      .insertInto('inbound_bids')
      .values({ org_id: campaign.org_id, campaign_id: campaign.id, caller_id: callerId, bid_request_id: bidRequestId, bid_amount: 0, reject_reason: reason, expires_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { bidId: row.id, bidAmount: 0, rejectReason: reason };
  };
  // Checked before the cache: a campaign paused (or its RTB turned off) since the first ping no longer bids.
  if (campaign.status !== 'active') return reject('campaign_not_active');
  if (!campaign.enable_rtb) return reject('rtb_disabled');
  if (!campaign.phone_number) return reject('no_tracking_number');

  const cached = await db
    .selectFrom('inbound_bids')
    .selectAll()
    .where('campaign_id', '=', campaign.id)
    .where('caller_id', '=', callerId)
    .where('reject_reason', 'is', null)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (cached) {
    return accepted(cached.id, Number(cached.bid_amount), new Date(cached.expires_at), campaign.phone_number, warningsFor(ping));
  }

  const auction = await runCampaignAuction(db, rtb, {
    campaign,
    caller: { callerId, callerState: ping.callerState?.toUpperCase() ?? null, callerZip: ping.callerZip ?? null },
    source: 'inbound_rtb',
  });
  const winner = auction.result.winner;
  if (!winner) return reject(auction.result.status, auction.bidRequestId);
  // A sole second-price bidder whose minimum bid is 0 pays 0: a publisher reads a bid of 0 as none
  // (the contract's accepted bid is above 0), so it is a rejection, and nothing is cached.
  if (!(winner.price > 0)) return reject(ZERO_PRICE, auction.bidRequestId);
  const expiresAt = new Date(Date.now() + BID_TTL_SECONDS * 1000);
  const row = await db
    .insertInto('inbound_bids')
    .values({
      org_id: campaign.org_id,
      campaign_id: campaign.id,
      caller_id: callerId,
      bid_request_id: auction.bidRequestId,
      bid_amount: winner.price,
      winning_target_id: winner.targetId,
      destination_number: winner.destination,
      expires_at: expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return accepted(row.id, winner.price, expiresAt, campaign.phone_number, warningsFor(ping));
}

export function createInboundBidder(db: Kysely<DB>, rtb: RtbRuntime) {
  const inFlight = new Map<string, Promise<InboundBid>>();
  return async function inboundBid(rtbId: string, ping: InboundPing): Promise<InboundBid> {
    if (!/^[0-9a-f]{32}$/.test(rtbId)) throw ERRORS.notFound('Campaign RTB ID', rtbId);
    const callerId = normaliseCallerId(ping.callerId);
    if (!callerId) throw ERRORS.validation({ callerId: 'is not a possible phone number' });
    const campaign = await findCampaignByRtbId(db, rtbId);
    if (!campaign) throw ERRORS.notFound('Campaign RTB ID', rtbId);
    const key = `${campaign.id}:${callerId}`;
    const running = inFlight.get(key);
    if (running) return running;
    const pending = bidFor(db, rtb, campaign, callerId, ping)
      .catch((err: unknown) => {
        // The campaign was deleted while its auction ran: its bid cannot be stored, the RTB ID is gone.
        if (isForeignKeyViolation(err)) throw ERRORS.notFound('Campaign RTB ID', rtbId);
        throw err;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
    return pending;
  };
}
