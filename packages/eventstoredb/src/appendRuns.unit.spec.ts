import { describe, expect, it } from 'vitest';
import { channelRegistered, entryOf, periodClosed, saleRecorded } from '../../testing/src/contracts/index.js';
import { appendRuns } from './appendRuns.js';

describe('appendRuns', () => {
  const a1 = entryOf(saleRecorded('CH-A', 1));
  const a2 = entryOf(saleRecorded('CH-A', 2));
  const b1 = entryOf(saleRecorded('CH-B', 1));
  const close = entryOf(periodClosed('2026-01'));

  it('keeps every stream of the batch in one append, in batch order, stamped with the attempt', () => {
    const batch = [entryOf(channelRegistered('CH-A')), a1, a2, close, b1, a2];
    const runs = appendRuns('chanperf', batch, 'attempt-1');
    expect(runs.map((r) => r.entries)).toEqual([batch]);
    expect(runs[0]?.events.map((e) => e.type)).toEqual([
      'ChannelRegistered',
      'SaleRecorded',
      'SaleRecorded',
      'PeriodClosed',
      'SaleRecorded',
      'SaleRecorded',
    ]);
    expect(runs[0]?.events.map((e) => (e.metadata as { batch?: string }).batch)).toEqual(
      batch.map(() => 'attempt-1'),
    );
  });

  it('cuts a run before it would exceed the byte budget', () => {
    const many = Array.from({ length: 10 }, (_, i) => entryOf(saleRecorded('CH-A', i)));
    const budget = 3 * (Buffer.byteLength(a1.payload) + 512);
    const runs = appendRuns('chanperf', many, 'attempt-2', budget);
    expect(runs.map((r) => r.entries.length)).toEqual([3, 3, 3, 1]);
    expect(runs.flatMap((r) => r.entries)).toEqual(many);
  });

  it('returns nothing for nothing', () => {
    expect(appendRuns('chanperf', [], 'attempt-3')).toEqual([]);
  });
});
