import { describe, expect, it } from 'vitest';
import { orderCandidates } from '../../../server/inbound/routing/select.js';
import type { Candidate, RoutingMethod } from '../../../server/inbound/routing/types.js';
import { seeded } from './prng.js';

const c = (buyerId: number, priority = 1, weight = 1): Candidate => ({ buyerId, priority, weight });
const ids = (list: readonly Candidate[]): number[] => list.map((x) => x.buyerId);
const noRandom = (): number => {
  throw new Error('random() must not be used by this method');
};

describe('orderCandidates: priority', () => {
  // Input deliberately out of order: the result must not depend on row order.
  const tied = [c(13, 1), c(12, 2), c(11, 1), c(10, 1)];
  it.each([
    [0, [10, 11, 13, 12]],
    [1, [11, 13, 10, 12]],
    [2, [13, 10, 11, 12]],
    [3, [10, 11, 13, 12]],
    [-1, [13, 10, 11, 12]],
    [3 * 1_000_000 + 1, [11, 13, 10, 12]],
  ] as const)('rotation %i → %j (ties rotate, priority 2 stays last)', (rotation, expected) => {
    expect(ids(orderCandidates('priority', tied, { rotation, random: noRandom }))).toEqual(expected);
  });

  it.each([
    [0, [1, 2, 3, 4, 5, 6]],
    [1, [2, 1, 4, 5, 3, 6]],
    [2, [1, 2, 5, 3, 4, 6]],
    [5, [2, 1, 5, 3, 4, 6]],
  ] as const)('two tied groups rotate independently, rotation %i → %j', (rotation, expected) => {
    const list = [c(6, 9), c(5, 2), c(4, 2), c(3, 2), c(2, 1), c(1, 1)];
    expect(ids(orderCandidates('priority', list, { rotation, random: noRandom }))).toEqual(expected);
  });

  it("a group with a counter of its own (groupRotations) rotates by it; the others by rotation", () => {
    const list = [c(6, 9), c(5, 2), c(4, 2), c(3, 2), c(2, 1), c(1, 1)];
    const order = (groupRotations: ReadonlyMap<number, number>) => ids(orderCandidates('priority', list, { rotation: 0, groupRotations, random: noRandom }));
    expect(order(new Map([[2, 1]]))).toEqual([1, 2, 4, 5, 3, 6]);
    expect(order(new Map([[1, 1]]))).toEqual([2, 1, 3, 4, 5, 6]);
    expect(order(new Map([[1, 3], [2, 2]]))).toEqual([2, 1, 5, 3, 4, 6]);
  });

  it('lowest number first regardless of weight', () => {
    expect(ids(orderCandidates('priority', [c(1, 5, 1000), c(2, 1, 1), c(3, 3, 500)], { rotation: 0, random: noRandom }))).toEqual([2, 3, 1]);
  });

  it('every buyer of a tie is first equally often over the rotations', () => {
    const firsts = new Map<number, number>();
    for (let rotation = 0; rotation < 300; rotation++) {
      const first = orderCandidates('priority', tied, { rotation, random: noRandom })[0]!.buyerId;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    expect(Object.fromEntries(firsts)).toEqual({ 10: 100, 11: 100, 13: 100 });
  });
});

describe('orderCandidates: round_robin', () => {
  const list = [c(4, 3), c(1, 1), c(3, 1), c(2, 2)]; // base order by (priority, id): 1, 3, 2, 4
  it.each([
    [0, [1, 3, 2, 4]],
    [1, [3, 2, 4, 1]],
    [2, [2, 4, 1, 3]],
    [3, [4, 1, 3, 2]],
    [4, [1, 3, 2, 4]],
    [-3, [3, 2, 4, 1]],
  ] as const)('rotation %i → %j (the whole list rotates, fall-backs follow in the cycle)', (rotation, expected) => {
    expect(ids(orderCandidates('round_robin', list, { rotation, random: noRandom }))).toEqual(expected);
  });

  it('is fair over many rotations: each buyer first, and in each position, equally often', () => {
    const five = [c(50), c(40), c(30), c(20), c(10)];
    const seen = Array.from({ length: 5 }, () => new Map<number, number>());
    for (let rotation = 0; rotation < 1000; rotation++) {
      const order = ids(orderCandidates('round_robin', five, { rotation, random: noRandom }));
      expect([...order].sort((a, b) => a - b)).toEqual([10, 20, 30, 40, 50]);
      order.forEach((id, position) => seen[position]!.set(id, (seen[position]!.get(id) ?? 0) + 1));
    }
    for (const counts of seen) expect(Object.fromEntries(counts)).toEqual({ 10: 200, 20: 200, 30: 200, 40: 200, 50: 200 });
  });
});

describe('orderCandidates: weighted', () => {
  it('over 20,000 seeded draws, each buyer comes first in proportion to its weight (±2 points)', () => {
    const list = [c(1, 1, 10), c(2, 1, 20), c(3, 1, 30), c(4, 1, 40)];
    const random = seeded(20240610);
    const firsts = new Map<number, number>();
    const draws = 20_000;
    for (let i = 0; i < draws; i++) {
      const order = ids(orderCandidates('weighted', list, { rotation: i, random }));
      expect(order).toHaveLength(4);
      expect(new Set(order).size).toBe(4);
      firsts.set(order[0]!, (firsts.get(order[0]!) ?? 0) + 1);
    }
    for (const { buyerId, weight } of list) {
      const share = (firsts.get(buyerId) ?? 0) / draws;
      expect(Math.abs(share - weight / 100), `buyer ${buyerId}: ${share}`).toBeLessThan(0.02);
    }
  });

  it('samples the fall-backs by weight too (second place, weights 1 : 3 : 6)', () => {
    // P(second = a) = P(b first)·1/7 + P(c first)·1/4 = 0.3/7 + 0.6/4 ≈ 0.1929
    const list = [c(1, 1, 1), c(2, 1, 3), c(3, 1, 6)];
    const random = seeded(7);
    let aSecond = 0;
    const draws = 20_000;
    for (let i = 0; i < draws; i++) if (orderCandidates('weighted', list, { rotation: 0, random })[1]!.buyerId === 1) aSecond++;
    expect(Math.abs(aSecond / draws - (0.3 / 7 + 0.6 / 4))).toBeLessThan(0.02);
  });

  it('a zero weight is never first while someone has a positive weight', () => {
    const list = [c(1, 1, 0), c(2, 1, 5), c(3, 1, 0), c(4, 1, 1)];
    const random = seeded(99);
    for (let i = 0; i < 2000; i++) {
      const order = ids(orderCandidates('weighted', list, { rotation: 0, random }));
      expect(order.slice(0, 2).sort()).toEqual([2, 4]);
      expect(order.slice(2).sort()).toEqual([1, 3]);
    }
  });

  it('all weights zero: still every buyer, each first about equally often', () => {
    const list = [c(1, 1, 0), c(2, 1, 0), c(3, 1, 0)];
    const random = seeded(3);
    const firsts = new Map<number, number>();
    const draws = 6000;
    for (let i = 0; i < draws; i++) {
      const order = ids(orderCandidates('weighted', list, { rotation: 0, random }));
      expect([...order].sort()).toEqual([1, 2, 3]);
      firsts.set(order[0]!, (firsts.get(order[0]!) ?? 0) + 1);
    }
    for (const id of [1, 2, 3]) expect(Math.abs((firsts.get(id) ?? 0) / draws - 1 / 3)).toBeLessThan(0.03);
  });

  it('the same seed gives the same order; random() out of range does not break it', () => {
    const list = [c(5, 1, 2), c(6, 2, 7), c(7, 1, 1)];
    expect(ids(orderCandidates('weighted', list, { rotation: 0, random: seeded(42) }))).toEqual(
      ids(orderCandidates('weighted', list, { rotation: 0, random: seeded(42) })),
    );
    for (const value of [1, 1.5, -0.2, Number.NaN]) {
      const order = ids(orderCandidates('weighted', list, { rotation: 0, random: () => value }));
      expect([...order].sort()).toEqual([5, 6, 7]);
    }
  });
});

describe('orderCandidates: all methods', () => {
  const methods: RoutingMethod[] = ['priority', 'round_robin', 'weighted'];
  it.each(methods)('%s: empty in, empty out; one in, that one out; the input is not modified', (method) => {
    expect(orderCandidates(method, [], { rotation: 3, random: seeded(1) })).toEqual([]);
    expect(ids(orderCandidates(method, [c(9, 4, 0)], { rotation: 3, random: seeded(1) }))).toEqual([9]);
    const input = [c(3, 2, 1), c(1, 1, 2), c(2, 1, 3)];
    const copy = structuredClone(input);
    const out = orderCandidates(method, input, { rotation: 1, random: seeded(1) });
    expect(input).toEqual(copy);
    expect(ids(out).sort()).toEqual([1, 2, 3]);
  });
});
