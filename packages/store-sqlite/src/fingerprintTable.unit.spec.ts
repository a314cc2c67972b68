import { describe, expect, it } from 'vitest';
import { FingerprintTable, releaseTableArray, tableInt32s } from './fingerprintTable.js';
import { fmix32 } from './keyHashes.js';

/** Every key number the table names as a candidate for fingerprint `fp`. */
function candidates(t: FingerprintTable, fp: number): number[] {
  const out: number[] = [];
  for (let s = t.first(fp); s >= 0; s = t.next(s, fp)) out.push(t.refAt(s));
  return out;
}

describe('FingerprintTable', () => {
  it('given 200 000 keys added through several growths, then each is a candidate for its own fingerprint', () => {
    const t = new FingerprintTable();
    const first = t.bytes;
    for (let i = 0; i < 200_000; i++) t.add(t.fingerprint(fmix32(i + 1)), i);
    expect(t.size).toBe(200_000);
    expect(t.bytes).toBeGreaterThan(first);
    // 8 bytes a slot, at most 85 % and (after doubling, below 2^20 slots) at least ~42 % full
    expect(t.bytes / t.size).toBeLessThanOrEqual(8 / 0.425);
    expect(t.bytes / t.size).toBeGreaterThanOrEqual(8 / 0.85);
    for (let i = 0; i < 200_000; i += 37) expect(candidates(t, t.fingerprint(fmix32(i + 1)))).toContain(i);
  });

  it('given 100 000 keys, then a fingerprint never added rarely names a candidate', () => {
    const t = new FingerprintTable();
    for (let i = 0; i < 100_000; i++) t.add(t.fingerprint(fmix32(i + 1)), i);
    let false_ = 0;
    for (let i = 100_000; i < 200_000; i++) false_ += candidates(t, t.fingerprint(fmix32(i + 1))).length;
    // n / 2^32 a lookup: about 2 in 100 000 lookups
    expect(false_).toBeLessThan(20);
  });

  it('given 2-bit fingerprints, then every key of a fingerprint is named, in a table grown many times', () => {
    const t = new FingerprintTable(2);
    for (let i = 0; i < 5000; i++) t.add(t.fingerprint(i), i);
    for (const fp of [0, 1, 2, 3]) {
      const refs = candidates(t, fp).sort((a, b) => a - b);
      expect(refs).toEqual(Array.from({ length: 1250 }, (_, k) => k * 4 + fp));
    }
  });

  it('given room reserved for 100 000 keys midway, then it does not grow up to them, and names every key', () => {
    const t = new FingerprintTable();
    for (let i = 0; i < 3000; i++) t.add(t.fingerprint(fmix32(i + 1)), i);
    t.reserve(100_000);
    const reserved = t.bytes;
    expect(reserved).toBe(Math.ceil(100_000 / 0.85) * 8);
    for (let i = 3000; i < 100_000; i++) t.add(t.fingerprint(fmix32(i + 1)), i);
    expect(t.bytes).toBe(reserved);
    for (let i = 0; i < 100_000; i += 7) expect(candidates(t, t.fingerprint(fmix32(i + 1)))).toContain(i);
    // Less than it holds: nothing to do; past it, it grows as before.
    t.reserve(50_000);
    expect(t.bytes).toBe(reserved);
    t.add(t.fingerprint(fmix32(100_001)), 100_000);
    expect(t.bytes).toBeGreaterThan(reserved);
    expect(candidates(t, t.fingerprint(fmix32(100_001)))).toContain(100_000);
  });

  it('given an empty table, then nothing is a candidate; a key number out of range is refused', () => {
    const t = new FingerprintTable();
    expect(t.first(12345)).toBe(-1);
    expect(() => t.add(1, -1)).toThrow(RangeError);
    expect(() => t.add(1, 2 ** 32 - 1)).toThrow(RangeError);
    expect(() => new FingerprintTable(0)).toThrow(RangeError);
  });

  it('allocates an array of 2^20 elements or more with room for 33 MiB (its own mapping), a smaller one as asked', () => {
    expect(tableInt32s(1000).length).toBe(1000);
    expect(tableInt32s((1 << 20) - 1).length).toBe((1 << 20) - 1);
    expect(tableInt32s(1 << 20).byteLength).toBe(33 << 20);
    expect(tableInt32s(10_000_000).length).toBe(10_000_000);
  });

  it('given keys added from empty, then it doubles up to 2^20 slots and grows by 1.3 past them', () => {
    const t = new FingerprintTable();
    const slots = [t.bytes / 8];
    for (let i = 0; i < 1_300_000; i++) {
      t.add(t.fingerprint(fmix32(i + 1)), i);
      if (t.bytes / 8 !== slots.at(-1)) slots.push(t.bytes / 8);
    }
    const doubled = slots.filter((n) => n <= 1 << 20);
    expect(doubled).toEqual(Array.from({ length: 11 }, (_, k) => 1024 * 2 ** k));
    expect(slots.slice(doubled.length)).toEqual([
      Math.ceil(2 ** 20 * 1.3),
      Math.ceil(Math.ceil(2 ** 20 * 1.3) * 1.3),
    ]);
    for (let i = 0; i < 1_300_000; i += 97) expect(candidates(t, t.fingerprint(fmix32(i + 1)))).toContain(i);
  });

  it('given a table grown past 2^20 slots, then it reports the bytes of its slots and still names every key', () => {
    const t = new FingerprintTable(32, 1_300_000);
    for (let i = 0; i < 1_500_000; i++) t.add(t.fingerprint(fmix32(i + 1)), i);
    expect(t.bytes / t.size).toBeLessThanOrEqual(8 / 0.65);
    for (let i = 0; i < 1_500_000; i += 101) expect(candidates(t, t.fingerprint(fmix32(i + 1)))).toContain(i);
  });

  it('releases an outgrown array at once: its buffer is handed on and the array reads empty', () => {
    const a = tableInt32s(1 << 20);
    a[7] = 1;
    releaseTableArray(a);
    expect(a.length).toBe(0);
    expect(a.buffer.byteLength).toBe(0);
  });
});
