/**
 * Money: integer minor units, exact arithmetic, one rounding rule (spec §4 "Rounding").
 * A single amount is a safe-integer number; sums and products with basis points are BigInt.
 */

const NOT_DECIMAL = -1;
const TOO_PRECISE = -2;
const TOO_LARGE = -3;

/** Where the run of ASCII digits that starts at `from` ends. */
function digitsEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  return i;
}

/**
 * Minor units of a string matching `^[0-9]+(\.[0-9]+)?$` with at most `digits` fraction
 * digits, or one of the negative problem codes. Accumulating digit by digit is exact: every
 * prefix of a value ≤ 2^53 − 1 is an integer below 2^53, and once the true value passes it
 * the rounded one cannot come back under (rounding is monotone), so the safe-integer test
 * says what `Number` of the whole digit string would (the regular expression and `Number`
 * this replaced are kept in testing/legacyValidator.ts; a spec proves they agree).
 */
function scanAmount(text: string, digits: number): number {
  const intEnd = digitsEnd(text, 0);
  if (intEnd === 0) return NOT_DECIMAL;
  let end = intEnd;
  if (intEnd < text.length) {
    if (text.charCodeAt(intEnd) !== 0x2e) return NOT_DECIMAL;
    end = digitsEnd(text, intEnd + 1);
    if (end === intEnd + 1 || end < text.length) return NOT_DECIMAL;
  }
  const fraction = end === intEnd ? 0 : end - intEnd - 1;
  if (fraction > digits) return TOO_PRECISE;
  let value = 0;
  for (let i = 0; i < end; i++) {
    if (i !== intEnd) value = value * 10 + (text.charCodeAt(i) - 48);
  }
  for (let k = fraction; k < digits; k++) value *= 10;
  return value <= Number.MAX_SAFE_INTEGER ? value : TOO_LARGE;
}

/**
 * Parses a decimal amount string ("1999.90") into minor units with `digits` minor digits.
 * Returns undefined when the string is not a decimal, has more fraction digits than the
 * currency allows, or exceeds the safe-integer range.
 */
export function parseAmount(text: string, digits: number): number | undefined {
  const v = scanAmount(text, digits);
  return v < 0 ? undefined : v;
}

/** Why `parseAmount` refused `text`, for a rejection message. */
export function amountProblem(text: string, digits: number): string | undefined {
  const v = scanAmount(text, digits);
  if (v === NOT_DECIMAL) return 'must be a decimal string like "1999.90"';
  if (v === TOO_PRECISE) return `has more than ${digits} fraction digits`;
  if (v === TOO_LARGE) return 'is too large';
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
