/**
 * A layered set or map reads as a plain copy of its base with the same writes applied: the same
 * membership, values, size and entries (in some order), whatever the base and the writes; the
 * base itself is never written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LayeredMap, LayeredSet } from './layered.js';

const key = fc.integer({ min: 0, max: 30 }).map(String);

describe('LayeredSet', () => {
  it('reads as a copy of its base with the adds applied, and leaves the base as it was', () => {
    fc.assert(
      fc.property(fc.array(key), fc.array(key), fc.array(key), (base, adds, probes) => {
        const b = new Set(base);
        const before = [...b];
        const layered = new LayeredSet(b);
        const plain = new Set(b);
        for (const a of adds) {
          layered.add(a);
          plain.add(a);
        }
        for (const p of [...probes, ...adds, ...base]) expect(layered.has(p)).toBe(plain.has(p));
        expect(layered.size).toBe(plain.size);
        expect([...layered].sort()).toEqual([...plain].sort());
        expect([...layered.keys()].sort()).toEqual([...plain].sort());
        expect([...layered.entries()].map(([v, w]) => v === w)).not.toContain(false);
        const seen: string[] = [];
        layered.forEach((v) => seen.push(v));
        expect(seen.sort()).toEqual([...plain].sort());
        expect([...b]).toEqual(before);
      }),
    );
  });

  it('refuses deletes', () => {
    const s = new LayeredSet(new Set(['a']));
    expect(() => s.delete()).toThrow();
    expect(() => s.clear()).toThrow();
  });
});

describe('LayeredMap', () => {
  it('reads as a copy of its base with the sets applied (a key of the base set anew shadows it)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, fc.integer())),
        fc.array(fc.tuple(key, fc.integer())),
        fc.array(key),
        (base, sets, probes) => {
          const b = new Map(base);
          const before = [...b];
          const layered = new LayeredMap(b);
          const plain = new Map(b);
          for (const [k, v] of sets) {
            layered.set(k, v);
            plain.set(k, v);
          }
          for (const p of [...probes, ...sets.map(([k]) => k), ...base.map(([k]) => k)]) {
            expect(layered.has(p)).toBe(plain.has(p));
            expect(layered.get(p)).toBe(plain.get(p));
          }
          const sorted = (m: Iterable<[string, number]>) =>
            [...m].sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0));
          expect(layered.size).toBe(plain.size);
          expect(sorted(layered)).toEqual(sorted(plain));
          expect(sorted(layered.entries())).toEqual(sorted(plain.entries()));
          expect([...layered.keys()].sort()).toEqual([...plain.keys()].sort());
          expect([...layered.values()].sort()).toEqual([...plain.values()].sort());
          const seen: [string, number][] = [];
          layered.forEach((v, k) => seen.push([k, v]));
          expect(sorted(seen)).toEqual(sorted(plain));
          expect([...b]).toEqual(before);
        },
      ),
    );
  });

  it('refuses deletes', () => {
    const m = new LayeredMap(new Map([['a', 1]]));
    expect(() => m.delete()).toThrow();
    expect(() => m.clear()).toThrow();
  });
});
