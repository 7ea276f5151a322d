// Money as the database stores it (numeric(12, 4)): one rounding for every amount we compute —
// bids, clearing prices, AI costs.

const SCALE = 10_000;

/**
 * Half away from zero to 4 decimals. The scaled value is first cut to 12 significant digits, so
 * that binary noise (1.00005 × 10⁴ = 10000.499999999998, 0.00015 × 3 = 0.00045000000000000004)
 * cannot move a value across a half, while a value truly under one (1.23454999999) stays under
 * it. Not a finite number: 0. Never -0.
 */
export function roundMoney(value: number): number {
  if (!Number.isFinite(value)) return 0;
  const scaled = Number((value * SCALE).toPrecision(12));
  const rounded = Math.sign(scaled) * Math.round(Math.abs(scaled));
  return rounded / SCALE + 0; // + 0: never -0
}
