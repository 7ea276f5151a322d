// Winner and price among the valid bids. Deterministic: highest bid; ties by assignment priority
// (lower first), then faster response (an unknown time counts as slowest), then lower target id.
//
// Price:
// - first_price: the winner's bid.
// - second_price: the second-highest valid bid, raised to the winner's minBidAmount (its reserve)
//   and never above the winner's bid; with a single valid bid, the winner's minBidAmount (capped
//   at the bid). The reserve keeps the price monotonic: adding a low competitor can never make
//   the winner pay less than it would pay alone.
import { roundMoney } from '../../platform/common/money.js';
import type { AuctionType } from './types.js';

export interface Candidate {
  targetId: number;
  bidAmount: number;
  priority: number;
  responseTimeMs: number | null;
  minBidAmount: number;
}

export interface Selection {
  targetId: number;
  bidAmount: number;
  price: number;
}

/** Negative when `a` ranks before `b`. */
export function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.bidAmount !== b.bidAmount) return b.bidAmount - a.bidAmount;
  if (a.priority !== b.priority) return a.priority - b.priority;
  const ta = a.responseTimeMs ?? Number.POSITIVE_INFINITY;
  const tb = b.responseTimeMs ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.targetId - b.targetId;
}

export function selectWinner(candidates: readonly Candidate[], auctionType: AuctionType): Selection | null {
  let best: Candidate | undefined;
  for (const c of candidates) if (best === undefined || compareCandidates(c, best) < 0) best = c;
  if (best === undefined) return null;
  if (auctionType === 'first_price') return { targetId: best.targetId, bidAmount: best.bidAmount, price: best.bidAmount };

  let second: number | null = null;
  for (const c of candidates) if (c !== best && (second === null || c.bidAmount > second)) second = c.bidAmount;
  const reserve = Math.min(best.minBidAmount, best.bidAmount);
  const price = Math.min(best.bidAmount, Math.max(second ?? reserve, reserve));
  return { targetId: best.targetId, bidAmount: best.bidAmount, price: roundMoney(price) };
}
