/** Given records of ERP partitions and the control topic, when the merge releases, then … */
import { describe, expect, it } from 'vitest';
import { EventTimeMerge, type MergeSource, type Ordering } from './eventTimeMerge.js';
import { eventTimeOf } from './eventTime.js';

const SOURCES: MergeSource[] = [
  { name: 'erp/0', control: false, rank: 0 },
  { name: 'erp/1', control: false, rank: 1 },
  { name: 'control/0', control: true, rank: 0 },
];
const IDLE = 1000;

function merge(ordering: Ordering = 'merge') {
  const m = new EventTimeMerge<string>({ ordering, idleTimeoutMs: IDLE });
  m.assign(SOURCES, 0);
  const offsets = new Map<string, number>();
  const add = (source: string, time: number | undefined, item: string, now = 0) => {
    const offset = offsets.get(source) ?? 0;
    offsets.set(source, offset + 1);
    return m.add(source, offset, time, item, now);
  };
  const release = (now = 0) => m.release(now).map((r) => r.item);
  return { m, add, release };
}

describe('EventTimeMerge', () => {
  it('holds a control event until every ERP partition has reached its time', () => {
    const { add, release } = merge();
    add('control/0', 100, 'close');
    add('erp/0', 150, 'a150');
    expect(release()).toEqual([]); // erp/1 has shown nothing yet
    add('erp/1', 90, 'b90');
    // The watermark is 90: the close (100) waits, and so does b90 (a tie may still come).
    expect(release()).toEqual([]);
    add('erp/1', 120, 'b120');
    expect(release()).toEqual(['b90', 'close']); // watermark 120
    add('erp/0', 200, 'a200');
    add('erp/1', 210, 'b210');
    expect(release()).toEqual(['b120', 'a150']); // watermark 200
  });

  it('orders a channel event after a promotion scheduled before it in another partition', () => {
    const { add, release } = merge();
    add('erp/0', 300, 'sale300');
    add('control/0', 200, 'promotion200');
    add('erp/1', 250, 'sale250');
    add('erp/1', 400, 'sale400');
    add('erp/0', 500, 'sale500');
    expect(release()).toEqual(['promotion200', 'sale250', 'sale300']);
  });

  it('puts control before ERP at the same instant, then partitions in order', () => {
    const { add, release } = merge();
    add('erp/1', 100, 'b100');
    add('erp/0', 100, 'a100');
    add('control/0', 100, 'c100');
    add('erp/0', 101, 'a101');
    add('erp/1', 101, 'b101');
    expect(release()).toEqual(['c100', 'a100', 'b100']);
  });

  it('keeps a partition in its order: a record behind its partition takes the time before it', () => {
    const { m, add, release } = merge();
    add('erp/0', 300, 'april');
    add('erp/0', 200, 'march-late');
    expect(m.buffered()).toBe(2);
    add('control/0', 250, 'close-march');
    add('erp/1', 400, 'b400');
    add('erp/0', 500, 'may');
    // march-late is placed at 300 (after april), so after the close: a late event.
    expect(release()).toEqual(['close-march', 'april', 'march-late']);
  });

  it('places a record without event time where it arrived in its partition', () => {
    const { add, release } = merge();
    add('erp/0', 100, 'a100');
    add('erp/0', undefined, 'garbage');
    add('erp/1', 50, 'b50');
    add('erp/1', 150, 'b150');
    add('erp/0', 200, 'a200');
    expect(release()).toEqual(['b50', 'a100', 'garbage']);
  });

  it('stops waiting for a silent partition after the idleness timeout', () => {
    const { m, add, release } = merge();
    add('erp/0', 100, 'a100', 10);
    add('control/0', 100, 'close', 10);
    expect(release(10)).toEqual([]);
    expect(m.nextWakeAt(10)).toBe(IDLE); // erp/1, silent since the assignment at 0
    expect(release(IDLE - 1)).toEqual([]);
    expect(release(IDLE)).toEqual(['close']); // erp/1 idle; erp/0 still holds its tie
    expect(m.nextWakeAt(IDLE)).toBe(10 + IDLE);
    expect(release(10 + IDLE)).toEqual(['a100']); // everything idle: +∞
    expect(m.nextWakeAt(10 + IDLE)).toBeUndefined(); // nothing buffered
  });

  it('releases what arrives behind the watermark at once, in its partition order', () => {
    const { add, release } = merge();
    add('erp/0', 500, 'a500', 0);
    add('erp/1', 600, 'b600', 0);
    add('erp/1', 700, 'b700', 0);
    add('erp/0', 800, 'a800', 0);
    expect(release(0)).toEqual(['a500', 'b600']);
    add('control/0', 400, 'late-close', 1);
    expect(release(1)).toEqual(['late-close']);
  });

  it('ignores a record it buffered already (a re-fetch) and records of unassigned sources', () => {
    const { m } = merge();
    expect(m.add('erp/0', 0, 100, 'x', 0)).toBe(true);
    expect(m.add('erp/0', 0, 100, 'x', 0)).toBe(false);
    expect(m.add('erp/9', 0, 100, 'y', 0)).toBe(false);
    expect(m.buffered()).toBe(1);
  });

  it('with `control`, holds only control events; with `arrival`, nothing', () => {
    const c = merge('control');
    c.add('control/0', 100, 'close');
    c.add('erp/0', 150, 'a150');
    expect(c.release()).toEqual(['a150']);
    const a = merge('arrival');
    a.add('control/0', 100, 'close');
    a.add('erp/0', 150, 'a150');
    expect(a.release()).toEqual(['close', 'a150']);
    // Partition by partition (few log transactions), not by time.
    a.add('erp/1', 50, 'b50');
    a.add('erp/0', 100, 'a100');
    a.add('erp/1', 150, 'b150');
    expect(a.release()).toEqual(['a100', 'b50', 'b150']);
  });
});

describe('eventTimeOf', () => {
  it('is occurredAt as epoch milliseconds, offsets applied, fractions kept', () => {
    expect(eventTimeOf('{"occurredAt":"2026-03-01T00:05:00+08:00","type":"PeriodClosed"}')).toBe(
      Date.parse('2026-02-28T16:05:00Z'),
    );
    expect(eventTimeOf('{"occurredAt":"2026-03-01T00:00:00.0005Z"}')).toBeCloseTo(
      Date.parse('2026-03-01T00:00:00Z') + 0.5,
      6,
    );
  });

  it('is undefined without a valid occurredAt', () => {
    expect(eventTimeOf('{not json')).toBeUndefined();
    expect(eventTimeOf('[1]')).toBeUndefined();
    expect(eventTimeOf('{"occurredAt":"2026-03-01T00:00:00"}')).toBeUndefined(); // no offset
    expect(eventTimeOf('{"occurredAt":5}')).toBeUndefined();
  });
});
