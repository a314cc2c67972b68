import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderKey, SaleKey } from './indexKeys.js';
import { hash32 } from './keyHashes.js';

const part = fc.string({ unit: 'binary', maxLength: 12 });

describe('the index keys', () => {
  it('hash as hash32 of their text, without building it', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        part,
        part,
        part,
        (seed, month, a, b, c) => {
          const order = new OrderKey().set(month, a, b);
          expect(order.hash(seed)).toBe(hash32(order.text(), seed));
          const sale = new SaleKey().set(a, b, c);
          expect(sale.hash(seed)).toBe(hash32(sale.text(), seed));
        },
      ),
    );
  });

  it('spell different parts differently (prefix-free), however the ids split', () => {
    fc.assert(
      fc.property(fc.tuple(part, part, part), fc.tuple(part, part, part), (x, y) => {
        const same = x.every((v, i) => v === y[i]);
        expect(new SaleKey().set(...x).text() === new SaleKey().set(...y).text()).toBe(same);
        const ox = new OrderKey().set(x[0].length, x[1], x[2]).text();
        const oy = new OrderKey().set(y[0].length, y[1], y[2]).text();
        expect(ox === oy).toBe(x[0].length === y[0].length && x[1] === y[1] && x[2] === y[2]);
      }),
    );
  });

  it('spell a key again after set', () => {
    const key = new OrderKey();
    expect(key.set(1, 'P1', 'O-1').text()).not.toBe(key.set(2, 'P1', 'O-1').text());
  });
});
