/**
 * The event-time merge of the ERP ingress (docs/kafka.md, "Event-time order"): records of
 * every assigned partition of the ERP topic and of the control topic are buffered here and
 * released in event-time order up to a watermark. Pure: the caller passes the wall clock
 * (`now`, only for idleness) and appends what {@link EventTimeMerge.release} returns.
 *
 * - A record's *effective time* is max(its event time, every earlier record's of the same
 *   partition): a partition's order is never changed, and a record behind its partition's
 *   time (an ERP resend, a late sale) is placed where it arrived — behind the watermark, it
 *   follows the spec's late-event rules.
 * - The *frontier* of an ERP partition is the effective time of its last record; the
 *   *watermark* is the least frontier of the ERP partitions that are not idle (no record
 *   for `idleTimeoutMs`), +∞ when all are. The control topic does not hold the watermark
 *   back: program events are rare, and a producer sends each one when it happens (before
 *   the ERP partitions pass it); one sent later is late.
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
  /** A partition of the control topic (program events): never holds the watermark back. */
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
  /** Wall-clock ms of the last record added (or of the assignment). */
  lastSeenAt: number;
}

export interface EventTimeMergeOptions {
  readonly ordering: Ordering;
  /** A partition with no record for this long no longer holds the watermark back. */
  readonly idleTimeoutMs: number;
}

export class EventTimeMerge<T> {
  private sources = new Map<string, SourceState<T>>();
  private count = 0;

  constructor(private readonly options: EventTimeMergeOptions) {}

  /** Starts over with `sources` (a new assignment): everything buffered is dropped. */
  assign(sources: readonly MergeSource[], now: number): void {
    this.sources = new Map(
      sources.map((source) => [
        source.name,
        { source, queue: [], head: 0, frontier: -Infinity, nextOffset: -1, lastSeenAt: now },
      ]),
    );
    this.count = 0;
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
    s.queue.push({ source, offset, time, item });
    s.frontier = time;
    s.nextOffset = offset + 1;
    s.lastSeenAt = now;
    this.count++;
    return true;
  }

  /** The least frontier of the ERP partitions that are not idle; +∞ when there is none. */
  watermark(now: number): number {
    let w = Infinity;
    for (const s of this.sources.values()) {
      if (!s.source.control && now - s.lastSeenAt < this.options.idleTimeoutMs) w = Math.min(w, s.frontier);
    }
    return w;
  }

  /** Removes and returns, in merged order, every record that may be appended now. */
  release(now: number): MergedRecord<T>[] {
    const w = this.watermark(now);
    const out: MergedRecord<T>[] = [];
    for (;;) {
      let best: SourceState<T> | undefined;
      let bestRecord: MergedRecord<T> | undefined;
      for (const s of this.sources.values()) {
        const r = s.queue[s.head];
        if (r === undefined || !this.releasable(s.source, r.time, w)) continue;
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
   * When the watermark may next move without a new record (an ERP partition turning idle),
   * if anything is buffered; undefined otherwise.
   */
  nextWakeAt(now: number): number | undefined {
    if (this.count === 0) return undefined;
    let at: number | undefined;
    for (const s of this.sources.values()) {
      const idleAt = s.lastSeenAt + this.options.idleTimeoutMs;
      if (!s.source.control && idleAt > now) at = Math.min(at ?? idleAt, idleAt);
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
