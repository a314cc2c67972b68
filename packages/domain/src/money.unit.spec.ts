import { describe, expect, it } from 'vitest';
import { applyBps, formatAmount, parseAmount, roundBps } from './money.js';

describe('money: integer minor units, one rounding rule', () => {
  it('parses decimal strings to minor units at the currency precision', () => {
    expect(parseAmount('1999.90', 2)).toBe(199990);
    expect(parseAmount('1999.9', 2)).toBe(199990);
    expect(parseAmount('0', 2)).toBe(0);
    expect(parseAmount('1200', 0)).toBe(1200);
    expect(parseAmount('1.234', 3)).toBe(1234);
  });

  it('refuses more fraction digits than the currency has, signs, exponents and overflow', () => {
    expect(parseAmount('1999.905', 2)).toBeUndefined();
    expect(parseAmount('10.00', 0)).toBeUndefined();
    expect(parseAmount('-1.00', 2)).toBeUndefined();
    expect(parseAmount('1e3', 2)).toBeUndefined();
    expect(parseAmount('.5', 2)).toBeUndefined();
    expect(parseAmount('99999999999999999', 2)).toBeUndefined();
  });

  it('rounds half away from zero, once', () => {
    expect(roundBps(5000n)).toBe(1n); // 0.5 → 1
    expect(roundBps(-5000n)).toBe(-1n); // -0.5 → -1
    expect(roundBps(4999n)).toBe(0n);
    expect(roundBps(-4999n)).toBe(0n);
    expect(applyBps(610150, 333)).toBe(20318n); // 203.17995 → 203.18
    expect(applyBps(-113455, 200)).toBe(-2269n); // -22.691 → -22.69
  });

  it('formats with exactly the currency digits', () => {
    expect(formatAmount(-1230, 2)).toBe('-12.30');
    expect(formatAmount(5, 2)).toBe('0.05');
    expect(formatAmount(-5, 2)).toBe('-0.05');
    expect(formatAmount(1200, 0)).toBe('1200');
    expect(formatAmount(1234, 3)).toBe('1.234');
    expect(formatAmount(0, 2)).toBe('0.00');
  });
});
