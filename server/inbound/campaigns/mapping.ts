// Campaign rows <-> API shapes (pure).
import { randomBytes } from 'node:crypto';
import type { components } from '../../../client/schema.js';
import type { CampaignPatch, CampaignRow } from '../../../db/types.js';
import { iso } from '../../platform/common/dates.js';
import { presentOutbound } from '../../dialer/campaigns/settings.js';
import { type DialCounters, NO_DIAL_COUNTERS } from '../../dialer/campaigns/counters.js';

type Campaign = components['schemas']['Campaign'];
type CampaignUpdate = components['schemas']['CampaignUpdate'];

/** 32 lowercase hex characters, as Ringba-style RTB IDs. */
export function generateRtbId(): string {
  return randomBytes(16).toString('hex');
}

/** `totalLeads` and `counters`: the campaign's leads and dial counters (outbound campaigns; ignored on inbound ones). */
export function presentCampaign(row: CampaignRow, totalLeads = 0, counters: DialCounters = NO_DIAL_COUNTERS): Campaign {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    phoneNumber: row.phone_number,
    routingType: row.routing_type,
    status: row.status,
    direction: row.direction,
    enableRtb: row.enable_rtb,
    rtbId: row.rtb_id,
    minBiddersRequired: row.min_bidders_required,
    biddingTimeoutMs: row.bidding_timeout_ms,
    callerIdRequired: row.caller_id_required,
    auctionType: row.auction_type,
    rtbRouterId: row.rtb_router_id,
    payout: row.payout === null ? null : Number(row.payout),
    minCallDurationSec: row.min_call_duration_sec,
    dialTimeoutSec: row.dial_timeout_sec,
    maxDialAttempts: row.max_dial_attempts,
    fallbackAction: row.fallback_action,
    fallbackMessage: row.fallback_message,
    fallbackAudioId: row.fallback_audio_id,
    defaultCountry: row.default_country,
    ...presentOutbound(row, totalLeads, counters),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** Only the fields sent become column changes (create bodies are a subset of update bodies). */
export function campaignPatch(body: CampaignUpdate): CampaignPatch {
  const patch: CampaignPatch = {};
  if (body.name !== undefined) patch.name = body.name;
  if (body.description !== undefined) patch.description = body.description;
  if (body.phoneNumber !== undefined) patch.phone_number = body.phoneNumber;
  if (body.routingType !== undefined) patch.routing_type = body.routingType;
  if (body.status !== undefined) patch.status = body.status;
  if (body.enableRtb !== undefined) patch.enable_rtb = body.enableRtb;
  if (body.minBiddersRequired !== undefined) patch.min_bidders_required = body.minBiddersRequired;
  if (body.biddingTimeoutMs !== undefined) patch.bidding_timeout_ms = body.biddingTimeoutMs;
  if (body.callerIdRequired !== undefined) patch.caller_id_required = body.callerIdRequired;
  if (body.auctionType !== undefined) patch.auction_type = body.auctionType;
  if (body.rtbRouterId !== undefined) patch.rtb_router_id = body.rtbRouterId;
  if (body.payout !== undefined) patch.payout = body.payout;
  if (body.minCallDurationSec !== undefined) patch.min_call_duration_sec = body.minCallDurationSec;
  if (body.dialTimeoutSec !== undefined) patch.dial_timeout_sec = body.dialTimeoutSec;
  if (body.maxDialAttempts !== undefined) patch.max_dial_attempts = body.maxDialAttempts;
  if (body.fallbackAction !== undefined) patch.fallback_action = body.fallbackAction;
  if (body.fallbackMessage !== undefined) patch.fallback_message = body.fallbackMessage;
  if (body.fallbackAudioId !== undefined) patch.fallback_audio_id = body.fallbackAudioId;
  if (body.defaultCountry !== undefined) patch.default_country = body.defaultCountry;
  return patch;
}
