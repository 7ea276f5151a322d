// Who a call may be dialled to, in order (pure): RTB bids first (the winner, then the other
// valid bids, best first), then buyers in routing order. DESIGN.md 4.1 step 6: a busy or
// unanswered leg falls through to the next candidate.
import { formatMoney, parseMoney } from '../calls/money.js';

export type RouteMode = 'auto' | 'buyers' | 'rtb' | 'number';
export const ROUTE_MODES: readonly RouteMode[] = ['auto', 'buyers', 'rtb', 'number'];

export type DialCandidate =
  /** An RTB bid: dial its destination; a qualified call pays `price`. */
  | { kind: 'target'; targetId: number; destination: string; price: string; minDurationSec: number | null }
  /** A buyer: its number, payout and limits are read when it is reserved. */
  | { kind: 'buyer'; buyerId: number }
  /** A plain number (a flow's Route to a number): nobody's limits, no payout. */
  | { kind: 'number'; destination: string };

export interface StoredBid {
  targetId: number;
  /** Decimal text as stored (numeric). */
  amount: string;
  destination: string;
  durationSec: number | null;
  responseTimeMs: number | null;
  isWinner: boolean;
  /** The target's minimum bid (what a sole bidder pays under second price). */
  minBid: string;
  /** The target's assignment priority on the campaign (lower first); null: no longer assigned (last). */
  priority: number | null;
}

export interface AuctionPricing {
  auctionType: 'first_price' | 'second_price';
  /** What the auction's winner pays (bid_requests.clearing_price). */
  clearingPrice: string | null;
}

/** Lower first; an unknown value last. */
function ascending(a: number | null, b: number | null): number {
  const x = a ?? Infinity;
  const y = b ?? Infinity;
  return x < y ? -1 : x > y ? 1 : 0;
}

function units(text: string): bigint {
  return parseMoney(text) ?? 0n;
}

/**
 * The bids in dialling order: the auction's winner first (its tie-breaks already applied), then
 * the others by amount (higher first), then by assignment priority (lower first), then by response
 * time, then by target id — the auction's own ranking (engine/select-winner.ts). Under second price a runner-up
 * pays the next lower bid among those after it raised to its own minimum bid (its reserve, as the
 * winner's), or that minimum when none is left, never more than its own bid. Each amount is parsed once (this runs on the answer's path: with 100
 * bids, parsing in the comparisons and again for every runner-up took ~1 ms, with 500 ~18 ms).
 */
export function bidCandidates(bids: readonly StoredBid[], pricing: AuctionPricing): DialCandidate[] {
  const ordered = bids
    .map((bid) => ({ bid, amount: units(bid.amount) }))
    .sort(
      (a, b) =>
        Number(b.bid.isWinner) - Number(a.bid.isWinner) ||
        (b.amount > a.amount ? 1 : b.amount < a.amount ? -1 : 0) ||
        ascending(a.bid.priority, b.bid.priority) ||
        ascending(a.bid.responseTimeMs, b.bid.responseTimeMs) ||
        a.bid.targetId - b.bid.targetId,
    );
  const clearingPrice = pricing.clearingPrice === null ? null : units(pricing.clearingPrice);
  return ordered.map(({ bid, amount }, index) => {
    let price = amount;
    if (bid.isWinner && clearingPrice !== null) price = clearingPrice;
    else if (pricing.auctionType === 'second_price') {
      // Its own minimum bid is its reserve, as the winner's is (engine/select-winner.ts): a lower
      // bid behind it never makes it pay less than it would alone.
      const minBid = units(bid.minBid);
      const reserve = minBid < price ? minBid : price;
      let floor: bigint | null = null;
      for (let next = index + 1; next < ordered.length && floor === null; next += 1) {
        if (ordered[next]!.amount <= price) floor = ordered[next]!.amount;
      }
      price = floor !== null && floor > reserve ? floor : reserve;
    }
    return { kind: 'target', targetId: bid.targetId, destination: bid.destination, price: formatMoney(price), minDurationSec: bid.durationSec };
  });
}

/** Candidates not dialled yet in this call (each buyer / target / number at most once). */
export function untried(candidates: readonly DialCandidate[], tried: { buyerIds: ReadonlySet<number>; targetIds: ReadonlySet<number>; destinations: ReadonlySet<string> }): DialCandidate[] {
  return candidates.filter((c) =>
    c.kind === 'buyer' ? !tried.buyerIds.has(c.buyerId) : c.kind === 'target' ? !tried.targetIds.has(c.targetId) : !tried.destinations.has(c.destination),
  );
}
