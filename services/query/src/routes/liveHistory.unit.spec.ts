import type { DerivedFact } from '@chanperf/runtime';
import { describe, expect, it } from 'vitest';
import { LiveHistory, parseFactId } from './liveHistory.js';

const closed = (position: number): DerivedFact => ({ kind: 'MonthClosed', month: '2026-01', position });
const changed = (position: number, channelId: string): DerivedFact => ({
  kind: 'MonthFiguresChanged',
  channelId,
  month: '2026-02',
  position,
});
const ids = (r: ReturnType<LiveHistory['since']>) => (r === 'reset' ? r : r.map((f) => f.id));

describe('parseFactId', () => {
  it('reads position-index, a bare position as after its whole batch, and refuses anything else', () => {
    expect(parseFactId('12-3')).toEqual([12, 3]);
    expect(parseFactId(' 12 ')).toEqual([12, Number.POSITIVE_INFINITY]);
    for (const bad of ['', 'x', '12-', '-1', '1.5', '12-3-4']) expect(parseFactId(bad), bad).toBeUndefined();
  });
});

describe('LiveHistory', () => {
  const history = () => {
    const h = new LiveHistory(4);
    h.add(10, [changed(10, 'A'), changed(10, 'B')]);
    h.add(12, [closed(12)]);
    return h;
  };

  it('given batches, then each fact gets its position and index as id', () => {
    expect(
      history()
        .add(15, [changed(15, 'A'), closed(15)])
        .map((f) => f.id),
    ).toEqual(['15-0', '15-1']);
  });

  it('given an id inside the history, then it returns the facts after it, in order', () => {
    expect(ids(history().since('10-0'))).toEqual(['10-1', '12-0']);
    expect(ids(history().since('10'))).toEqual(['12-0']);
    expect(ids(history().since('12-0'))).toEqual([]);
    expect(ids(history().since('13'))).toEqual([]); // ahead of what this process saw: nothing missed
  });

  it('given an id before the first batch this process saw, or unparsable, then reset', () => {
    expect(history().since('9-0')).toBe('reset');
    expect(history().since('nonsense')).toBe('reset');
    expect(new LiveHistory().since('3-0')).toBe('reset');
  });

  it('given more facts than it keeps, then an id in the trimmed part is a reset, a later one is not', () => {
    const h = history();
    h.add(20, [changed(20, 'A'), changed(20, 'B')]); // 5 facts: 10-0 dropped
    expect(h.since('10-0')).toBe('reset');
    expect(ids(h.since('12-0'))).toEqual(['20-0', '20-1']);
  });

  it('given one batch with more facts than it keeps (or than a call takes arguments), then it keeps the newest', () => {
    const h = new LiveHistory(10_000);
    const many = Array.from({ length: 200_000 }, (_, i) => changed(30, `C${i}`));
    expect(h.add(30, many)).toHaveLength(200_000);
    expect(ids(h.since('30-199997'))).toEqual(['30-199998', '30-199999']);
    expect(h.since('30-0')).toBe('reset');
  });
});
