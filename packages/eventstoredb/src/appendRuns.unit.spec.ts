import { describe, expect, it } from 'vitest';
import { channelRegistered, entryOf, periodClosed, saleRecorded } from '../../testing/src/contracts/index.js';
import { appendRuns } from './appendRuns.js';

describe('appendRuns', () => {
  const a1 = entryOf(saleRecorded('CH-A', 1));
  const a2 = entryOf(saleRecorded('CH-A', 2));
  const b1 = entryOf(saleRecorded('CH-B', 1));
  const close = entryOf(periodClosed('2026-01'));

  it('groups consecutive entries of a stream and never reorders across streams', () => {
    const runs = appendRuns('chanperf', [entryOf(channelRegistered('CH-A')), a1, a2, close, b1, a2]);
    expect(runs.map((r) => [r.stream, r.entries.length])).toEqual([
      ['chanperf-channel-CH-A', 3],
      ['chanperf-program', 1],
      ['chanperf-channel-CH-B', 1],
      ['chanperf-channel-CH-A', 1],
    ]);
    expect(runs.flatMap((r) => r.entries)).toEqual([
      entryOf(channelRegistered('CH-A')),
      a1,
      a2,
      close,
      b1,
      a2,
    ]);
    expect(runs[0]?.events.map((e) => e.type)).toEqual(['ChannelRegistered', 'SaleRecorded', 'SaleRecorded']);
  });

  it('cuts a run before it would exceed the byte budget', () => {
    const many = Array.from({ length: 10 }, (_, i) => entryOf(saleRecorded('CH-A', i)));
    const budget = 3 * (Buffer.byteLength(a1.payload) + 512);
    const runs = appendRuns('chanperf', many, budget);
    expect(runs.map((r) => r.entries.length)).toEqual([3, 3, 3, 1]);
    expect(runs.flatMap((r) => r.entries)).toEqual(many);
  });

  it('returns nothing for nothing', () => {
    expect(appendRuns('chanperf', [])).toEqual([]);
  });
});
