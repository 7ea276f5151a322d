// Exact money with four decimals, as numeric(12,4) stores it: amounts are bigint counts of
// 1/10,000 and strings like "25.5000". No floating point anywhere. Pure.

const MONEY = /^(-?)(\d+)(?:\.(\d{1,4}))?$/;

/** "25.5" → 255000n; null when the text is not a decimal with at most four fraction digits. */
export function parseMoney(text: string): bigint | null {
  const m = MONEY.exec(text.trim());
  if (m === null) return null;
  const units = BigInt(m[2]!) * 10_000n + BigInt((m[3] ?? '').padEnd(4, '0'));
  return m[1] === '-' && units !== 0n ? -units : units;
}

/** 255000n → "25.5000". */
export function formatMoney(units: bigint): string {
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  return `${sign}${abs / 10_000n}.${(abs % 10_000n).toString().padStart(4, '0')}`;
}

/** "25.5" → "25.5000"; null when not a decimal with at most four fraction digits. */
export function normalizeMoney(text: string): string | null {
  const units = parseMoney(text);
  return units === null ? null : formatMoney(units);
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * A JSON amount (the contract's `Money`) as numeric(12,4) text: 30 → "30.0000". The amount as the
 * client wrote it (the shortest decimal that reads back as the number) is rounded to four decimals
 * half away from zero, as PostgreSQL rounds a numeric — not the binary value, which `toFixed`
 * rounds (1.00005 → "1.0001" but 2.00005 → "2.0000").
 */
export function moneyFromNumber(amount: number): string {
  const m = DECIMAL.exec(String(amount));
  // Exponent notation: below 1e-6 (rounds to zero) or beyond any amount the contract allows.
  if (m === null) return amount.toFixed(4);
  const fraction = m[3] ?? '';
  let units = BigInt(m[2]!) * 10_000n + BigInt(fraction.slice(0, 4).padEnd(4, '0'));
  if (fraction.length > 4 && fraction.charCodeAt(4) >= 0x35) units += 1n;
  return formatMoney(m[1] === '-' && units !== 0n ? -units : units);
}
