import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyFilter } from './keyFilter.js';

const keyArb = fc.tuple(
  fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.integer()),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

describe('KeyFilter', () => {
  it('given keys added, then every one of them may be there (no false "certainly not")', () => {
    fc.assert(
      fc.property(fc.array(keyArb, { maxLength: 2000 }), (keys) => {
        const filter = new KeyFilter();
        for (const [a, b, c] of keys) filter.hash(a, b, c).add();
        for (const [a, b, c] of keys) expect(filter.hash(a, b, c).mayHave()).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('given 300 000 keys over several grown filters, then all are found and few unknown keys are taken for them', () => {
    const filter = new KeyFilter();
    expect(filter.hash(1, 'P1', 'O-1').mayHave()).toBe(false);
    for (let i = 0; i < 300_000; i++) filter.hash(24_300 + (i % 12), `P${i % 997}`, `O-${i}`).add();
    expect(filter.size).toBe(300_000);
    for (let i = 0; i < 300_000; i += 7) {
      expect(filter.hash(24_300 + (i % 12), `P${i % 997}`, `O-${i}`).mayHave()).toBe(true);
    }
    let falsePositives = 0;
    for (let i = 0; i < 100_000; i++) {
      if (filter.hash(24_300 + (i % 12), `P${i % 997}`, `R-${i}`).mayHave()) falsePositives++;
    }
    // 10 bits and 7 probes a key in 64-byte blocks: about 1.5 % per full filter, 3 here
    expect(falsePositives).toBeLessThan(6_000);
    expect(filter.bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  it('keeps the parts of a key apart: moving a character between parts makes another key', () => {
    const filter = new KeyFilter();
    filter.hash('ab', 'c', 'd').add();
    let collisions = 0;
    for (let i = 0; i < 1000; i++) {
      const f = new KeyFilter();
      f.hash('ab', 'c', 'd').add();
      if (f.hash('a', 'bc', 'd').mayHave()) collisions++;
    }
    expect(collisions).toBeLessThan(50);
    expect(filter.hash('ab', 'c', 'd').lastHash).toBe(filter.hash('ab', 'c', 'd').lastHash);
  });

  it('answers "may have" for every key when disabled, and holds nothing', () => {
    const filter = new KeyFilter(false);
    expect(filter.hash('x', 1, 'y').mayHave()).toBe(true);
    filter.add();
    expect(filter.size).toBe(0);
    expect(filter.bytes).toBe(0);
  });
});
