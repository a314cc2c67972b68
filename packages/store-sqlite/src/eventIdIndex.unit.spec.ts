import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventIdIndex } from './eventIdIndex.js';

describe('EventIdIndex', () => {
  it('given ids added with positions, then each id has its position among its candidates', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 3000 }),
        (list) => {
          const index = new EventIdIndex(4);
          list.forEach((id, i) => index.add(id, i + 1));
          expect(index.size).toBe(list.length);
          list.forEach((id, i) => expect(index.candidates(id)).toContain(i + 1));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('given 200 000 ids and a table grown from its smallest size, then unknown ids rarely have candidates', () => {
    const index = new EventIdIndex(1);
    for (let i = 1; i <= 200_000; i++) index.add(`SO-${i}-L1`, i);
    let falseCandidates = 0;
    for (let i = 0; i < 100_000; i++) falseCandidates += index.candidates(`unknown-${i}`).length;
    // 32-bit hashes: expected 100 000 × 200 000 / 2^32 ≈ 4.7 false candidates
    expect(falseCandidates).toBeLessThan(50);
    expect(index.candidates('SO-123456-L1')).toContain(123_456);
    // Grown by 1.3 and kept 65–85 % full: at most ~12.3 bytes an id (doubling at 70 % full, 21).
    expect(index.bytes / 200_000).toBeLessThanOrEqual(12.5);
  });

  it('given a position outside 1 … 2^32 − 1, then add refuses it', () => {
    const index = new EventIdIndex();
    expect(() => index.add('a', 0)).toThrow(RangeError);
    expect(() => index.add('a', 2 ** 32)).toThrow(RangeError);
    expect(() => index.add('a', 1.5)).toThrow(RangeError);
  });

  it('hashes lone surrogates and the empty string without error, and differently per code unit', () => {
    const index = new EventIdIndex();
    expect(index.hash('\ud800')).not.toBe(index.hash('\udc00'));
    expect(index.hash('')).not.toBe(0);
  });
});
