import { describe, expect, it } from 'vitest';
import { comparePositions, fromCheckpoint, isAfter, toCheckpoint } from './positions.js';
import { checkNamespace, streamOf } from './streams.js';

describe('$all positions', () => {
  it('orders by commit, then prepare', () => {
    expect(comparePositions({ commit: 5n, prepare: 9n }, { commit: 6n, prepare: 1n })).toBeLessThan(0);
    expect(comparePositions({ commit: 6n, prepare: 2n }, { commit: 6n, prepare: 1n })).toBeGreaterThan(0);
    expect(comparePositions({ commit: 6n, prepare: 1n }, { commit: 6n, prepare: 1n })).toBe(0);
    expect(isAfter({ commit: 0n, prepare: 0n }, undefined)).toBe(true);
  });

  it('stores a position as a checkpoint and reads it back exactly', () => {
    const p = { commit: 2n ** 52n + 7n, prepare: 2n ** 52n + 3n };
    expect(fromCheckpoint(toCheckpoint('k', p))).toEqual(p);
    expect(fromCheckpoint(undefined)).toBeUndefined();
  });

  it('refuses a position it could not store exactly', () => {
    expect(() => toCheckpoint('k', { commit: 2n ** 53n, prepare: 0n })).toThrow(/cannot be stored exactly/);
  });
});

describe('streams', () => {
  it('names channel and program streams', () => {
    expect(streamOf('chanperf', 'CH-A')).toBe('chanperf-channel-CH-A');
    expect(streamOf('chanperf', null)).toBe('chanperf-program');
  });

  it('accepts namespaces no other namespace prefixes', () => {
    expect(checkNamespace('chanperf')).toBe('chanperf');
    for (const bad of ['', 'chan-perf', 'Chanperf', '1chanperf', 'chan perf', '$chanperf']) {
      expect(() => checkNamespace(bad)).toThrow(/namespace/);
    }
  });
});
