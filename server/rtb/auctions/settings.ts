// Which auction settings apply (pure): an active router named by the campaign replaces the
// campaign's deadline and minimum bidders; predictive routing comes only from a router.
import type { CampaignRow, RtbRouterRow } from '../../../db/types.js';
import type { AuctionSettings, BlockReason } from '../engine/types.js';

export interface EffectiveSettings {
  settings: AuctionSettings;
  predictiveRouting: boolean;
}

export function effectiveSettings(campaign: CampaignRow, router: RtbRouterRow | undefined): EffectiveSettings {
  const useRouter = router !== undefined && router.is_active;
  return {
    settings: {
      biddingTimeoutMs: useRouter ? router.bidding_timeout_ms : campaign.bidding_timeout_ms,
      minBiddersRequired: useRouter ? router.min_bidders_required : campaign.min_bidders_required,
      callerIdRequired: campaign.caller_id_required,
      auctionType: campaign.auction_type,
    },
    predictiveRouting: useRouter && router.enable_predictive_routing,
  };
}

/** Merge the pre-filter blocks: caps (from SQL) win over the breaker's reasons. */
export function mergeBlocks(
  caps: ReadonlyMap<number, BlockReason>,
  breaker: ReadonlyMap<number, BlockReason>,
  predictiveRouting: boolean,
): Map<number, BlockReason> {
  const merged = new Map<number, BlockReason>();
  for (const [id, reason] of breaker) {
    if (reason === 'predicted_no_bid' && !predictiveRouting) continue;
    merged.set(id, reason);
  }
  for (const [id, reason] of caps) merged.set(id, reason);
  return merged;
}
