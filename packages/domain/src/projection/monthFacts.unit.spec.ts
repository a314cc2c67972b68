/**
 * A month's sums held as numbers while they are safe integers (`monthFacts.ts`): whatever the
 * amounts, sales and returns added read as the exact `bigint` sums, across 2^53 and back; and
 * facts with the same sums have the same fields, however they got there.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MonthFacts, type MonthFactValues } from './monthFacts.js';

const MAX = Number.MAX_SAFE_INTEGER;
/** Safe integers, many of them near the top (where sums cross 2^53). */
const amount = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000 }),
  fc.integer({ min: MAX - 1_000_000, max: MAX }),
  fc.integer({ min: 0, max: MAX }),
);
const bps = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10_000 }), fc.constant(MAX));
const op = fc.record({ sale: fc.boolean(), amount, quantity: amount, bps });

interface Sums {
  sales: bigint;
  returns: bigint;
  unitsSold: bigint;
  unitsReturned: bigint;
  promoNumerator: bigint;
}

function valuesOf(f: MonthFacts): MonthFactValues {
  return {
    ...sumsOf(f),
    orders: f.orders,
    saleCount: f.saleCount,
    restated: f.restated,
    trainings: f.trainings,
    satisfactionPoints: f.satisfactionPoints,
    satisfactionRespondents: f.satisfactionRespondents,
    surveys: f.surveys,
  };
}

function sumsOf(f: MonthFacts): Sums {
  const { sales, returns, unitsSold, unitsReturned, promoNumerator } = f;
  return { sales, returns, unitsSold, unitsReturned, promoNumerator };
}

describe('MonthFacts', () => {
  it('given sales and returns of any safe amounts, then its sums are the exact bigint sums', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const f = new MonthFacts();
        const want: Sums = { sales: 0n, returns: 0n, unitsSold: 0n, unitsReturned: 0n, promoNumerator: 0n };
        for (const o of ops) {
          if (o.sale) {
            f.addSale(o.amount, o.quantity, o.bps);
            want.sales += BigInt(o.amount);
            want.unitsSold += BigInt(o.quantity);
            want.promoNumerator += BigInt(o.amount) * BigInt(o.bps);
          } else {
            f.addReturn(o.amount, o.quantity, o.bps);
            want.returns += BigInt(o.amount);
            want.unitsReturned += BigInt(o.quantity);
            want.promoNumerator -= BigInt(o.amount) * BigInt(o.bps);
          }
          expect(sumsOf(f)).toEqual(want);
        }
        // The same sums set at once: the same fields (one representation per value).
        expect(f).toEqual(MonthFacts.of({ ...valuesOf(f), ...want }));
      }),
      { numRuns: 300 },
    );
  });

  it('given a sum past 2^53 brought back under it, then it is held as a number again', () => {
    const f = new MonthFacts();
    f.addSale(MAX, 1, 0);
    f.addSale(2, 1, 0);
    expect(f.sales).toBe(BigInt(MAX) + 2n);
    f.sales -= 3n;
    expect(f.sales).toBe(BigInt(MAX) - 1n);
    expect(f).toEqual(MonthFacts.of({ ...valuesOf(f), sales: BigInt(MAX) - 1n }));
    // Set through its setters from fresh: the same fields as the facts that crossed 2^53.
    expect(f).toEqual(Object.assign(new MonthFacts(), { sales: BigInt(MAX) - 1n, unitsSold: 2n }));
  });

  it('given a product of amount and bps past 2^53, then the promotion numerator is exact', () => {
    const f = new MonthFacts();
    f.addSale(MAX, 1, 10_000);
    f.addReturn(1, 1, 10_000);
    expect(f.promoNumerator).toBe(BigInt(MAX) * 10_000n - 10_000n);
    f.addReturn(MAX - 1, 1, 10_000);
    expect(f.promoNumerator).toBe(0n);
    expect(f).toEqual(MonthFacts.of({ ...valuesOf(f), promoNumerator: 0n }));
  });
});
