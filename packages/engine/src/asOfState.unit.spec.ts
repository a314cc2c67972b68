/**
 * The as-of history's encodings (`asOfState.ts`): a month's facts survive `encodeFacts` →
 * `decodeFacts` whatever their values, with the fields in `FACT_FIELDS` order; and a
 * snapshot's lazy months (`LazyMonths`) answer, before and after they are all decoded, what
 * a plain Map given the same months and later rows answers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MonthFacts, type Month } from '@chanperf/domain';
import { decodeFacts, encodeFacts, FACT_FIELDS, LazyMonths, monthsText } from './asOfState.js';

const big = fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n });
const count = fc.integer({ min: 0, max: 2 ** 31 });
const facts: fc.Arbitrary<MonthFacts> = fc
  .record({
    sales: big,
    returns: big,
    orders: count,
    unitsSold: big,
    unitsReturned: big,
    saleCount: count,
    promoNumerator: big,
    restated: fc.boolean(),
    trainings: count,
    satisfactionPoints: big,
    satisfactionRespondents: big,
    surveys: count,
  })
  .map((v) => MonthFacts.of(v));
const month = fc.integer({ min: 24_000, max: 24_040 });

describe('month facts', () => {
  it('decode what encode wrote, fields in FACT_FIELDS order', () => {
    fc.assert(
      fc.property(facts, (f) => {
        const back = decodeFacts(encodeFacts(f));
        expect(back).toEqual(f);
        expect(FACT_FIELDS.map((k) => back[k])).toEqual(FACT_FIELDS.map((k) => f[k]));
      }),
    );
  });

  it('refuse a text with a field missing', () => {
    const text = encodeFacts(fc.sample(facts, 1)[0] as MonthFacts);
    expect(() => decodeFacts(text.slice(0, text.lastIndexOf(',')))).toThrow(/11 fields, not 12/);
  });
});

describe('a snapshot’s lazy months', () => {
  it('answer as the plain map of the snapshot’s months with the later rows set in order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(month, facts), { selector: ([m]) => m, maxLength: 14 }),
        fc.array(fc.tuple(month, facts), { maxLength: 8 }),
        fc.array(month, { maxLength: 6 }),
        fc.boolean(),
        (snapshot, later, readFirst, sizeFirst) => {
          const reference = new Map<Month, MonthFacts>(snapshot);
          const lazy = new LazyMonths(monthsText(reference));
          // Reads and sizes asked between the rows: each answer is the reference's at that point.
          if (sizeFirst) expect(lazy.size).toBe(reference.size);
          for (const [i, [m, f]] of later.entries()) {
            const asked = readFirst[i];
            if (asked !== undefined) {
              expect(lazy.get(asked)).toEqual(reference.get(asked));
              expect(lazy.has(asked)).toBe(reference.has(asked));
            }
            lazy.setEncoded(m, encodeFacts(f));
            reference.set(m, f);
            if (sizeFirst) expect(lazy.size).toBe(reference.size);
          }
          for (const m of readFirst) expect(lazy.get(m)).toEqual(reference.get(m));
          expect(lazy.size).toBe(reference.size);
          // Walked: every month decoded, in the reference's order.
          expect([...lazy.entries()]).toEqual([...reference.entries()]);
          expect(lazy.size).toBe(reference.size);
        },
      ),
    );
  });
});
