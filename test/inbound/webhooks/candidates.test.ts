// bidCandidates (pure): the RTB bids in dialling order with what each one pays, by example and
// against the rules stated plainly over generated auctions (ties, equal amounts, missing response
// times, both auction types, up to 500 bids).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from '../../../server/inbound/calls/money.js';
import { bidCandidates, type AuctionPricing, type StoredBid } from '../../../server/inbound/webhooks/candidates.js';

function bid(targetId: number, amount: string, extra: Partial<StoredBid> = {}): StoredBid {
  return { targetId, amount, destination: `+1212555${String(targetId).padStart(4, '0')}`, durationSec: 60, responseTimeMs: 10, isWinner: false, minBid: '1.0000', priority: 1, ...extra };
}

function prices(bids: StoredBid[], pricing: AuctionPricing): Array<[number, string]> {
  return bidCandidates(bids, pricing).map((c) => {
    if (c.kind !== 'target') throw new Error('a bid candidate is a target');
    return [c.targetId, c.price];
  });
}

describe('bidCandidates', () => {
  it('second price: the winner pays the clearing price, each runner-up the next lower bid after it (at least its minimum bid), the last its minimum bid', () => {
    const bids = [bid(1, '20.0000'), bid(2, '35.5000', { isWinner: true }), bid(3, '12.2500', { minBid: '5.0000' }), bid(4, '20.0000', { responseTimeMs: 5 })];
    expect(prices(bids, { auctionType: 'second_price', clearingPrice: '20.0100' })).toEqual([
      [2, '20.0100'],
      [4, '20.0000'],
      [1, '12.2500'],
      [3, '5.0000'],
    ]);
  });

  it('second price: a runner-up never pays less than its own minimum bid (its reserve, as the winner)', () => {
    const bids = [bid(1, '40.0000', { isWinner: true }), bid(2, '20.0000', { minBid: '15.0000' }), bid(3, '12.2500', { minBid: '5.0000' })];
    expect(prices(bids, { auctionType: 'second_price', clearingPrice: '20.0000' })).toEqual([
      [1, '20.0000'],
      [2, '15.0000'],
      [3, '5.0000'],
    ]);
    // The reserve never raises a price above the bid itself.
    expect(prices([bid(1, '40.0000', { isWinner: true }), bid(2, '20.0000', { minBid: '25.0000' }), bid(3, '2.0000')], { auctionType: 'second_price', clearingPrice: '20.0000' })[1]).toEqual([2, '20.0000']);
  });

  it('runner-ups of equal amounts are dialled by assignment priority (lower first) before the faster answer, as the winner is chosen', () => {
    const bids = [bid(1, '40.0000', { isWinner: true }), bid(2, '20.0000', { priority: 3, responseTimeMs: 5 }), bid(3, '20.0000', { priority: 2, responseTimeMs: 50 }), bid(4, '20.0000', { priority: null, responseTimeMs: 1 })];
    expect(prices(bids, { auctionType: 'first_price', clearingPrice: '40.0000' }).map(([id]) => id)).toEqual([1, 3, 2, 4]);
  });

  it('first price: every bid pays its own amount; a minimum bid above the bid never raises the price', () => {
    const bids = [bid(1, '8.0000', { minBid: '9.0000' }), bid(2, '9.5000', { isWinner: true })];
    expect(prices(bids, { auctionType: 'first_price', clearingPrice: '9.5000' })).toEqual([
      [2, '9.5000'],
      [1, '8.0000'],
    ]);
    expect(prices([bid(1, '8.0000', { minBid: '9.0000' })], { auctionType: 'second_price', clearingPrice: null })).toEqual([[1, '8.0000']]);
  });

  it('matches the rules stated plainly, over generated auctions', () => {
    const amount = fc.integer({ min: 0, max: 20_000 }).map((cents) => formatMoney(BigInt(cents) * 100n));
    const auction = fc
      .record({
        amounts: fc.array(
          fc.record({ amount, minBid: amount, priority: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }), responseTimeMs: fc.option(fc.integer({ min: 0, max: 60 }), { nil: null }) }),
          { maxLength: 500 },
        ),
        winner: fc.nat(),
        second: fc.boolean(),
        clearing: fc.option(amount, { nil: null }),
      })
      .map(({ amounts, winner, second, clearing }) => ({
        bids: amounts.map((a, i) => bid(i + 1, a.amount, { minBid: a.minBid, priority: a.priority, responseTimeMs: a.responseTimeMs, isWinner: amounts.length > 0 && i === winner % amounts.length })),
        pricing: { auctionType: second ? 'second_price' : 'first_price', clearingPrice: clearing } as AuctionPricing,
      }));
    fc.assert(
      fc.property(auction, ({ bids, pricing }) => {
        const cents = (text: string) => parseMoney(text)!;
        // The order: the winner, then higher amounts, then lower assignment priority (none last), then faster answers (none last), then target id.
        const order = [...bids].sort((a, b) => {
          if (a.isWinner !== b.isWinner) return a.isWinner ? -1 : 1;
          if (cents(a.amount) !== cents(b.amount)) return cents(a.amount) > cents(b.amount) ? -1 : 1;
          const pa = a.priority ?? Number.POSITIVE_INFINITY;
          const pb = b.priority ?? Number.POSITIVE_INFINITY;
          if (pa !== pb) return pa < pb ? -1 : 1;
          const ra = a.responseTimeMs ?? Number.POSITIVE_INFINITY;
          const rb = b.responseTimeMs ?? Number.POSITIVE_INFINITY;
          if (ra !== rb) return ra - rb;
          return a.targetId - b.targetId;
        });
        const expected = order.map((b, i): [number, string] => {
          const own = cents(b.amount);
          if (b.isWinner && pricing.clearingPrice !== null) return [b.targetId, formatMoney(cents(pricing.clearingPrice))];
          if (pricing.auctionType === 'first_price') return [b.targetId, formatMoney(own)];
          // The next lower bid after it, raised to its own minimum bid (none left: that minimum), never above its bid.
          const lower = order.slice(i + 1).find((later) => cents(later.amount) <= own);
          const reserve = cents(b.minBid) < own ? cents(b.minBid) : own;
          const floor = lower && cents(lower.amount) > reserve ? cents(lower.amount) : reserve;
          return [b.targetId, formatMoney(floor < own ? floor : own)];
        });
        expect(prices(bids, pricing)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
