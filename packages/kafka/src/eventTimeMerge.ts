/**
 * The event-time merge of the ERP ingress (docs/kafka.md, "Event-time order"): records of
 * every assigned partition of the ERP topic and of the control topic are buffered here and
 * released in event-time order up to a watermark. Pure: the caller passes a monotonic clock
 * (`now`, only for idleness and fetch instants) and appends what {@link EventTimeMerge.release} returns.
 *
 * - A record's *effective time* is max(its event time, every earlier record's of the same
 *   partition): a partition's order is never changed, and a record behind its partition's
 *   time (an ERP resend, a late sale) is placed where it arrived — behind the watermark, it
 *   follows the spec's late-event rules.
 * - The *frontier* of an ERP partition is the effective time of its last record; the
 *   *watermark* is the least frontier of the ERP partitions that are not idle (no record
 *   for `idleTimeoutMs`), +∞ when all are.
 * - The control topic holds channel events back, not the watermark: program events are rare
 *   and a producer sends each one when it happens, so a control partition that has been
 *   read to its end has nothing earlier to give. Kafka does not order fetches across
 *   partitions, though: a promotion produced before a sale may be fetched after it. So the
 *   caller asks the broker for the control partition's end offset ({@link
 *   EventTimeMerge.controlEnd}, with the instant it asked at) and a channel event
 *   at or after the control partition's frontier is released only if it was fetched before
 *   an instant at which the control partition was known to be read to its end. Until the
 *   first answer, no channel event passes the control partition's frontier (−∞).
 *   {@link EventTimeMerge.needsControlEnd} says when an answer would release something.
 * - Order of release: effective time, then control before ERP (a promotion, program or
 *   close at the same instant as a sale comes first), then partition, then offset.
 * - `merge` releases an ERP record once its time is below the watermark (strictly: a tie
 *   with a partition still at that time is only ordered once all tied records are here),
 *   a control record once its time is at or below it. `control` holds only control records
 *   (ERP records go out as they come); `arrival` holds nothing (the order before issue 15).
 *   Both release partition by partition (one log transaction per partition's run).
 */

/** How the ingress orders what it appends (CHANPERF_KAFKA_ORDERING). */
export type Ordering = 'merge' | 'control' | 'arrival';

export const ORDERINGS: readonly Ordering[] = ['merge', 'control', 'arrival'];

/** A partition taking part in the merge. */
export interface MergeSource {
  /** `topic/partition`. */
  readonly name: string;
  /** A partition of the control topic (program events): holds channel events, not the watermark. */
  readonly control: boolean;
  /** Tie-break between sources at the same time and kind: the partition number. */
  readonly rank: number;
}

/** A buffered record and where it goes in the merged order. */
export interface MergedRecord<T> {
  readonly source: string;
  readonly offset: number;
  /** Effective event time, epoch milliseconds (-∞ before a partition's first timed record). */
  readonly time: number;
  /** Instant (ms, the caller's monotonic clock) it was buffered at. */
  readonly at: number;
  readonly item: T;
}

interface SourceState<T> {
  readonly source: MergeSource;
  readonly queue: MergedRecord<T>[];
  /** Index of the queue's head (the queue is compacted when it is drained). */
  head: number;
  /** Effective time of the last record added. */
  frontier: number;
  /** The next offset expected: a record below it was buffered already (a re-fetch). */
  nextOffset: number;
  /**
   * A control partition: the offset it has been read through (exclusive), counting what Kafka
   * does not deliver — transaction markers, aborted records (−1: nothing known).
   */
  readTo: number;
  /** Instant of the last record added (or of the assignment). */
  lastSeenAt: number;
  /** A control partition: the last instant it was known to be read to its end (−∞: never). */
  caughtUpAt: number;
  /** A control partition: end offsets asked for (and when) that it has not yet reached. */
  pending: { end: number; askedAt: number }[];
}

export interface EventTimeMergeOptions {
  readonly ordering: Ordering;
  /** A partition with no record for this long no longer holds the watermark back. */
  readonly idleTimeoutMs: number;
}

export class EventTimeMerge<T> {
  private sources = new Map<string, SourceState<T>>();
  private count = 0;
  /** The `now` of the last {@link EventTimeMerge.release} (−∞: none since the assignment). */
  private releasedAt = -Infinity;

  constructor(private readonly options: EventTimeMergeOptions) {}

  /** Starts over with `sources` (a new assignment): everything buffered is dropped. */
  assign(sources: readonly MergeSource[], now: number): void {
    this.sources = new Map(
      sources.map((source) => [
        source.name,
        {
          source,
          queue: [],
          head: 0,
          frontier: -Infinity,
          nextOffset: -1,
          readTo: -1,
          lastSeenAt: now,
          caughtUpAt: -Infinity,
          pending: [],
        },
      ]),
    );
    this.count = 0;
    this.releasedAt = -Infinity;
  }

  /**
   * Buffers one record of `source`. `eventTime` is undefined for a record without one (not
   * JSON, no valid `occurredAt`): it keeps its place in its partition. Returns false when
   * the record was buffered already or the source is not assigned.
   */
  add(source: string, offset: number, eventTime: number | undefined, item: T, now: number): boolean {
    const s = this.sources.get(source);
    if (s === undefined || offset < s.nextOffset) return false;
    const time = eventTime === undefined ? s.frontier : Math.max(eventTime, s.frontier);
    s.queue.push({ source, offset, time, at: now, item });
    s.frontier = time;
    s.nextOffset = offset + 1;
    s.lastSeenAt = now;
    this.count++;
    if (s.source.control) settle(s, -1);
    return true;
  }

  /**
   * The broker's answer for a control partition: at instant `askedAt` (taken before the
   * request was sent) its end offset was `end`; `applied` is the next offset the log holds
   * already (records below it are not fetched again). Once the partition is buffered up to
   * `end`, every channel event fetched before `askedAt` has the program events produced
   * before it here.
   */
  controlEnd(source: string, end: number, askedAt: number, applied: number): void {
    const s = this.sources.get(source);
    if (s === undefined || !s.source.control) return;
    s.pending.push({ end, askedAt });
    settle(s, applied);
  }

  /**
   * A fetch of control partition `source` that began at offset `from` was read through `next`
   * (exclusive), records Kafka does not hand over included: a transactional producer's commit
   * marker takes an offset of its own (the end offset is past it), and a read-committed
   * consumer never sees an aborted record. Without this, a control partition whose last offset
   * is a marker would never count as read to its end, and every channel event would wait.
   * Ignored unless the fetch is contiguous with what is buffered or `applied` (the log's next
   * offset): a stale fetch past a gap says nothing about the records in the gap.
   */
  readThrough(source: string, from: number, next: number, applied: number): void {
    const s = this.sources.get(source);
    if (s === undefined || !s.source.control || from > Math.max(s.nextOffset, s.readTo, applied)) return;
    s.readTo = Math.max(s.readTo, next);
    settle(s, applied);
  }

  /**
   * True when a channel event waits on a control partition's end offset only: one asked for
   * now (and answered) would let it go.
   */
  needsControlEnd(now: number): boolean {
    if (this.options.ordering !== 'merge') return false;
    const w = this.watermark(now);
    for (const s of this.sources.values()) {
      if (!s.source.control) continue;
      const hold = this.controlHold(s);
      if (hold < w && hold !== Infinity) return true;
    }
    return false;
  }

  /** The least frontier of the ERP partitions that are not idle; +∞ when there is none. */
  watermark(now: number): number {
    let w = Infinity;
    for (const s of this.sources.values()) {
      if (!s.source.control && now - s.lastSeenAt < this.options.idleTimeoutMs) w = Math.min(w, s.frontier);
    }
    return w;
  }

  /**
   * The least time of a channel event a control partition holds back: at or after its
   * frontier, fetched after the last instant it was known to be read to its end.
   */
  private controlHold(c: SourceState<T>): number {
    let hold = Infinity;
    for (const s of this.sources.values()) {
      if (s.source.control) continue;
      // Times and arrival instants both grow along a queue (a binary search each; a buffer may
      // hold an idle timeout's worth of records): the first record past both is its least.
      const i = Math.max(
        firstIndex(s.queue, s.head, (r) => r.at > c.caughtUpAt),
        firstIndex(s.queue, s.head, (r) => r.time >= c.frontier),
      );
      const r = s.queue[i];
      if (r !== undefined) hold = Math.min(hold, r.time);
    }
    return hold;
  }

  /** Removes and returns, in merged order, every record that may be appended now. */
  release(now: number): MergedRecord<T>[] {
    this.releasedAt = Math.max(this.releasedAt, now);
    const w = this.watermark(now);
    // Channel events also stop at what a control partition holds back (merge only).
    let erpLimit = w;
    if (this.options.ordering === 'merge') {
      for (const s of this.sources.values())
        if (s.source.control) erpLimit = Math.min(erpLimit, this.controlHold(s));
    }
    const out: MergedRecord<T>[] = [];
    for (;;) {
      let best: SourceState<T> | undefined;
      let bestRecord: MergedRecord<T> | undefined;
      for (const s of this.sources.values()) {
        const r = s.queue[s.head];
        if (r === undefined || !this.releasable(s.source, r.time, s.source.control ? w : erpLimit)) continue;
        if (
          bestRecord === undefined ||
          best === undefined ||
          (this.options.ordering === 'merge'
            ? before(s.source, r, best.source, bestRecord)
            : bySource(s.source, best.source))
        ) {
          best = s;
          bestRecord = r;
        }
      }
      if (best === undefined || bestRecord === undefined) return out;
      out.push(bestRecord);
      this.count--;
      best.head++;
      if (best.head === best.queue.length) {
        best.queue.length = 0;
        best.head = 0;
      }
    }
  }

  /**
   * When a release should next be tried without a new record, if anything is buffered: the
   * first instant after the last {@link EventTimeMerge.release} at which an ERP partition turns
   * idle (the watermark moves then) — possibly before `now`: time passes between a release and
   * this question, and a partition that turned idle in between must still be released (due at
   * once). Undefined when nothing is buffered or no partition turns idle after the last release.
   */
  nextWakeAt(): number | undefined {
    if (this.count === 0) return undefined;
    let at: number | undefined;
    for (const s of this.sources.values()) {
      const idleAt = s.lastSeenAt + this.options.idleTimeoutMs;
      if (!s.source.control && idleAt > this.releasedAt) at = Math.min(at ?? idleAt, idleAt);
    }
    return at;
  }

  /** Records buffered, all sources together. */
  buffered(): number {
    return this.count;
  }

  private releasable(source: MergeSource, time: number, watermark: number): boolean {
    switch (this.options.ordering) {
      case 'arrival':
        return true;
      case 'control':
        return !source.control || time <= watermark;
      case 'merge':
        return source.control ? time <= watermark : time < watermark;
      default: {
        const never: never = this.options.ordering;
        return never;
      }
    }
  }
}

/**
 * Without the merge, what is releasable goes out source by source (control first): long runs
 * of one partition, so few log transactions, as before issue 15.
 */
function bySource(a: MergeSource, b: MergeSource): boolean {
  if (a.control !== b.control) return a.control;
  return a.rank < b.rank || (a.rank === b.rank && a.name < b.name);
}

/** The merged order: time, control first, partition, offset. */
function before<T>(a: MergeSource, ra: MergedRecord<T>, b: MergeSource, rb: MergedRecord<T>): boolean {
  if (ra.time !== rb.time) return ra.time < rb.time;
  if (a.control !== b.control) return a.control;
  if (a.rank !== b.rank) return a.rank < b.rank;
  if (a.name !== b.name) return a.name < b.name;
  return ra.offset < rb.offset;
}

/** Marks the control partition caught up as of every answer whose end offset it has reached. */
function settle<T>(s: SourceState<T>, applied: number): void {
  if (s.pending.length === 0) return;
  const reached = Math.max(s.nextOffset, s.readTo, applied);
  s.pending = s.pending.filter((p) => {
    if (p.end > reached) return true;
    s.caughtUpAt = Math.max(s.caughtUpAt, p.askedAt);
    return false;
  });
}

/** The first index from `from` whose record satisfies `past` (monotone along the queue); length if none. */
function firstIndex<T>(
  queue: readonly MergedRecord<T>[],
  from: number,
  past: (r: MergedRecord<T>) => boolean,
): number {
  let lo = from;
  let hi = queue.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (past(queue[mid] as MergedRecord<T>)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
