/**
 * Money: integer minor units, exact arithmetic, one rounding rule (spec §4 "Rounding").
 * A single amount is a safe-integer number; sums and products with basis points are BigInt.
 */

const DECIMAL = /^([0-9]+)(?:\.([0-9]+))?$/;

/**
 * Parses a decimal amount string ("1999.90") into minor units with `digits` minor digits.
 * Returns undefined when the string is not a decimal, has more fraction digits than the
 * currency allows, or exceeds the safe-integer range.
 */
export function parseAmount(text: string, digits: number): number | undefined {
  const m = DECIMAL.exec(text);
  if (m === null) return undefined;
  const frac = m[2] ?? '';
  if (frac.length > digits) return undefined;
  const value = Number((m[1] ?? '') + frac.padEnd(digits, '0'));
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Why `parseAmount` refused `text`, for a rejection message. */
export function amountProblem(text: string, digits: number): string | undefined {
  const m = DECIMAL.exec(text);
  if (m === null) return 'must be a decimal string like "1999.90"';
  if ((m[2] ?? '').length > digits) return `has more than ${digits} fraction digits`;
  if (parseAmount(text, digits) === undefined) return 'is too large';
  return undefined;
}

const POW10 = [1n, 10n, 100n, 1000n, 10000n, 100000n, 1000000n];

/** Formats minor units as a decimal string with exactly `digits` fraction digits ("-12.30"). */
export function formatAmount(minor: number | bigint, digits: number): string {
  const v = BigInt(minor);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  if (digits === 0) return (neg ? '-' : '') + abs.toString();
  const scale = POW10[digits] ?? 10n ** BigInt(digits);
  const int = abs / scale;
  const frac = (abs % scale).toString().padStart(digits, '0');
  return `${neg ? '-' : ''}${int.toString()}.${frac}`;
}

/**
 * The one rounding rule: `numerator / 10000`, half away from zero, to a minor unit.
 * `numerator` is a sum of amount × bps products.
 */
export function roundBps(numerator: bigint): bigint {
  const neg = numerator < 0n;
  const abs = neg ? -numerator : numerator;
  let q = abs / 10000n;
  if ((abs % 10000n) * 2n >= 10000n) q += 1n;
  return neg ? -q : q;
}

/** amount × bps / 10000, rounded once (spec §4). */
export function applyBps(amount: bigint | number, bps: number): bigint {
  return roundBps(BigInt(amount) * BigInt(bps));
}
