/**
 * Money in the feed: integer minor units throughout, scaled exactly (bigint where a product
 * could exceed 2^53) and formatted to the decimal strings the events carry.
 */

/** a × (10000 + bps) / 10000, rounded down; exact. */
export function scaleBps(a: number, bps: number): number {
  return Number((BigInt(a) * BigInt(10000 + bps)) / 10000n);
}

/** ⌊a × b / c⌋; exact. */
export function mulDiv(a: number, b: number, c: number): number {
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** `value` minor units as a decimal string with `digits` minor digits (`123456`, 2 → `1234.56`). */
export function formatMinor(value: number, digits: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`bad amount ${value}`);
  if (digits === 0) return String(value);
  const s = String(value).padStart(digits + 1, '0');
  return `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
}
