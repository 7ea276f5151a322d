// The order in which eligible buyers are tried: the first is dialled, the rest are the
// fall-backs for `<Dial action>`. The base order is (priority, buyerId), so that the result does
// not depend on the order the caller's query returned rows in.
import type { Candidate, OrderState, RoutingMethod } from './types.js';

function byPriorityThenId(a: Candidate, b: Candidate): number {
  return a.priority - b.priority || a.buyerId - b.buyerId;
}

/** `list` rotated left by `rotation` (any integer; negative and huge values wrap). */
function rotate<T>(list: readonly T[], rotation: number): T[] {
  const n = list.length;
  if (n === 0) return [];
  const r = Number.isFinite(rotation) ? Math.trunc(rotation) : 0;
  const k = ((r % n) + n) % n;
  return [...list.slice(k), ...list.slice(0, k)];
}

/** random() clamped to [0, 1) (a NaN counts as 0). */
function unit(random: () => number): number {
  const x = random();
  return x >= 0 && x < 1 ? x : x >= 1 ? 1 - Number.EPSILON : 0;
}

function usableWeight(c: Candidate): number {
  return Number.isFinite(c.weight) && c.weight > 0 ? c.weight : 0;
}

/** Lowest priority number first; each group of equals rotated by its own counter, else by `rotation`. */
function priorityOrder(base: readonly Candidate[], rotation: number, groupRotations: ReadonlyMap<number, number> | undefined): Candidate[] {
  const out: Candidate[] = [];
  let i = 0;
  while (i < base.length) {
    let j = i;
    while (j < base.length && base[j]!.priority === base[i]!.priority) j++;
    out.push(...rotate(base.slice(i, j), groupRotations?.get(base[i]!.priority) ?? rotation));
    i = j;
  }
  return out;
}

/**
 * Positive weights drawn one by one without replacement, each with probability weight / (sum of
 * those left); zero weights (and nonsense: negative, NaN) after them, in uniformly random order.
 */
function weightedOrder(base: readonly Candidate[], random: () => number): Candidate[] {
  const pool = base.filter((c) => usableWeight(c) > 0);
  const zero = base.filter((c) => usableWeight(c) === 0);
  const out: Candidate[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, c) => sum + usableWeight(c), 0);
    let r = unit(random) * total;
    let pick = pool.length - 1;
    for (let i = 0; i < pool.length; i++) {
      r -= usableWeight(pool[i]!);
      if (r < 0) {
        pick = i;
        break;
      }
    }
    out.push(...pool.splice(pick, 1));
  }
  for (let i = zero.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(unit(random) * (i + 1)));
    [zero[i], zero[j]] = [zero[j]!, zero[i]!];
  }
  return [...out, ...zero];
}

export function orderCandidates(method: RoutingMethod, candidates: readonly Candidate[], state: OrderState): Candidate[] {
  const base = [...candidates].sort(byPriorityThenId);
  switch (method) {
    case 'priority':
      return priorityOrder(base, state.rotation, state.groupRotations);
    case 'round_robin':
      return rotate(base, state.rotation);
    case 'weighted':
      return weightedOrder(base, state.random);
    default: {
      const unknown: never = method;
      throw new Error(`unknown routing method: ${String(unknown)}`);
    }
  }
}
