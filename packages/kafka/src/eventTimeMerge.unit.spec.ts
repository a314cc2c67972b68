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
  /** The broker says, at `askedAt`, that the control partition ends where this test has added up to. */
  const readToEnd = (askedAt = 0) => m.controlEnd('control/0', offsets.get('control/0') ?? 0, askedAt, 0);
  return { m, add, release, readToEnd };
}

describe('EventTimeMerge', () => {
  it('holds a control event until every ERP partition has reached its time', () => {
    const { add, release, readToEnd } = merge();
    add('control/0', 100, 'close');
    add('erp/0', 150, 'a150');
    readToEnd();
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
    const { add, release, readToEnd } = merge();
    add('erp/0', 300, 'sale300');
    add('control/0', 200, 'promotion200');
    add('erp/1', 250, 'sale250');
    add('erp/1', 400, 'sale400');
    add('erp/0', 500, 'sale500');
    readToEnd();
    expect(release()).toEqual(['promotion200', 'sale250', 'sale300']);
  });

  it('puts control before ERP at the same instant, then partitions in order', () => {
    const { add, release, readToEnd } = merge();
    add('erp/1', 100, 'b100');
    add('erp/0', 100, 'a100');
    add('control/0', 100, 'c100');
    add('erp/0', 101, 'a101');
    add('erp/1', 101, 'b101');
    readToEnd();
    expect(release()).toEqual(['c100', 'a100', 'b100']);
  });

  it('keeps a partition in its order: a record behind its partition takes the time before it', () => {
    const { m, add, release, readToEnd } = merge();
    add('erp/0', 300, 'april');
    add('erp/0', 200, 'march-late');
    expect(m.buffered()).toBe(2);
    add('control/0', 250, 'close-march');
    add('erp/1', 400, 'b400');
    add('erp/0', 500, 'may');
    readToEnd();
    // march-late is placed at 300 (after april), so after the close: a late event.
    expect(release()).toEqual(['close-march', 'april', 'march-late']);
  });

  it('places a record without event time where it arrived in its partition', () => {
    const { add, release, readToEnd } = merge();
    add('erp/0', 100, 'a100');
    add('erp/0', undefined, 'garbage');
    add('erp/1', 50, 'b50');
    add('erp/1', 150, 'b150');
    add('erp/0', 200, 'a200');
    readToEnd();
    expect(release()).toEqual(['b50', 'a100', 'garbage']);
  });

  it('stops waiting for a silent partition after the idleness timeout', () => {
    const { m, add, release, readToEnd } = merge();
    add('erp/0', 100, 'a100', 10);
    add('control/0', 100, 'close', 10);
    readToEnd(10);
    expect(release(10)).toEqual([]);
    expect(m.nextWakeAt()).toBe(IDLE); // erp/1, silent since the assignment at 0
    expect(release(IDLE - 1)).toEqual([]);
    expect(release(IDLE)).toEqual(['close']); // erp/1 idle; erp/0 still holds its tie
    expect(m.nextWakeAt()).toBe(10 + IDLE);
    expect(release(10 + IDLE)).toEqual(['a100']); // everything idle: +∞
    expect(m.nextWakeAt()).toBeUndefined(); // nothing buffered
  });

  it('given a partition that turned idle between a release and the question, then a wake-up is due at once', () => {
    // The ingress releases, then asks when to wake: time passes between the two. A partition
    // idle by the question but not at the release must still be released (the wake-up is due,
    // in the past), or its held record waits for a batch that may never come.
    const { m, add, release, readToEnd } = merge();
    add('erp/0', 100, 'a100', 10);
    readToEnd(10);
    expect(release(10 + IDLE - 1)).toEqual([]); // erp/0 not idle yet: the watermark (100) holds its tie
    expect(m.nextWakeAt()).toBe(10 + IDLE); // before the question's now (10 + IDLE + 5): due
    expect(release(10 + IDLE + 5)).toEqual(['a100']);
    expect(m.nextWakeAt()).toBeUndefined();
  });

  it('given a partition idle before the last release, then it is no wake-up any more', () => {
    const { m, add, release, readToEnd } = merge();
    add('erp/0', 100, 'a100', 10);
    add('erp/1', 300, 'b300', 20);
    readToEnd(20);
    expect(release(20)).toEqual([]);
    add('erp/1', 400, 'b400', 10 + IDLE);
    // erp/0 turned idle at 10 + IDLE; released since: only erp/1's idleness is still ahead.
    expect(release(10 + IDLE + 1)).toEqual(['a100', 'b300']);
    expect(m.nextWakeAt()).toBe(10 + 2 * IDLE);
  });

  it('releases what arrives behind the watermark at once, in its partition order', () => {
    const { add, release, readToEnd } = merge();
    add('erp/0', 500, 'a500', 0);
    add('erp/1', 600, 'b600', 0);
    add('erp/1', 700, 'b700', 0);
    add('erp/0', 800, 'a800', 0);
    readToEnd(0);
    expect(release(0)).toEqual(['a500', 'b600']);
    add('control/0', 400, 'late-close', 1);
    expect(release(1)).toEqual(['late-close']);
  });

  it('holds channel events until the control partition is known to be read to its end', () => {
    const { m, add, release } = merge();
    add('erp/0', 300, 'sale300');
    add('erp/1', 250, 'sale250');
    add('erp/1', 400, 'sale400');
    add('erp/0', 500, 'sale500');
    // No answer yet: the promotion produced before these sales may still be on its way.
    expect(m.needsControlEnd(0)).toBe(true);
    expect(release()).toEqual([]);
    // The broker: the control partition holds one record, not fetched yet.
    m.controlEnd('control/0', 1, 0, 0);
    expect(release()).toEqual([]);
    m.add('control/0', 0, 200, 'promotion200', 1);
    expect(release(1)).toEqual(['promotion200', 'sale250', 'sale300']);
    expect(m.needsControlEnd(1)).toBe(false);
  });

  it('holds a channel event fetched after the last answer, from the control frontier on', () => {
    const { m, add, release, readToEnd } = merge();
    add('control/0', 200, 'promotion200');
    add('erp/0', 100, 'a100');
    add('erp/1', 150, 'b150');
    readToEnd(0);
    add('erp/0', 300, 'a300', 5);
    add('erp/1', 350, 'b350', 5);
    add('erp/0', 400, 'a400', 6);
    // a100 is before the control frontier (200): nothing produced later can precede it.
    expect(release(6)).toEqual(['a100', 'b150', 'promotion200']);
    // a300 and b350 were fetched after the answer at 0: another program event may precede them.
    expect(m.needsControlEnd(6)).toBe(true);
    expect(release(6)).toEqual([]);
    m.controlEnd('control/0', 1, 4, 0); // asked before they were fetched: not enough
    expect(release(6)).toEqual([]);
    m.controlEnd('control/0', 1, 7, 0);
    expect(release(7)).toEqual(['a300']); // b350 is the watermark: it waits for erp/1's next
  });

  it('counts the log checkpoint as read: an empty or applied control partition is at its end', () => {
    const { m, add, release } = merge();
    add('erp/0', 100, 'a100');
    add('erp/1', 200, 'b200');
    add('erp/0', 300, 'a300');
    expect(release()).toEqual([]);
    m.controlEnd('control/0', 3, 0, 3); // three program events, in the log already
    expect(release()).toEqual(['a100']);
  });

  it('given a transaction marker after the last program event, then the partition counts as read to its end once read through it', () => {
    const { m, add, release } = merge();
    add('erp/0', 300, 'sale300');
    add('erp/0', 500, 'sale500');
    add('erp/1', 400, 'sale400'); // the watermark: 400
    m.add('control/0', 0, 200, 'promotion200', 0);
    // A transactional producer: offset 1 is the commit marker, never handed over; the end is 2.
    m.controlEnd('control/0', 2, 0, 0);
    expect(release()).toEqual(['promotion200']); // the sales wait: the partition is not at 2
    expect(m.needsControlEnd(0)).toBe(true);
    m.readThrough('control/0', 0, 2, 0);
    expect(release()).toEqual(['sale300']);
    expect(m.needsControlEnd(0)).toBe(false);
  });

  it('given a fetch of markers only, then it counts from the log checkpoint; past a gap, it counts for nothing', () => {
    const { m, add, release } = merge();
    add('erp/0', 300, 'sale300');
    add('erp/0', 500, 'sale500');
    add('erp/1', 400, 'sale400');
    m.controlEnd('control/0', 6, 0, 4); // the log holds 0–3; 4 is a marker, 5 is unknown
    expect(release()).toEqual([]);
    m.readThrough('control/0', 5, 6, 4); // a stale fetch from 5: offset 4 not read by it
    expect(release()).toEqual([]);
    m.readThrough('control/0', 4, 5, 4); // the marker alone
    expect(release()).toEqual([]);
    m.readThrough('control/0', 5, 6, 4); // now contiguous
    expect(release()).toEqual(['sale300']);
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
