/**
 * The appending half of the ERP consumer: records of the assigned partitions (ERP and control
 * topics) go into an {@link EventTimeMerge}; what it releases is appended in merged order, a
 * run of one partition per log transaction together with that partition's source checkpoint
 * `kafka:topic/partition`; only then are the partitions' offsets committed to Kafka.
 *
 * Contract (commit after append):
 * - Kafka's committed offset of a partition never passes a record that is not in the log:
 *   records held back by the watermark are fetched (KafkaJS's resolved offset moves on) but
 *   not committed, so a consumer that stops or crashes resumes from before them.
 * - A redelivered record below the log's checkpoint is skipped (it was applied), so nothing
 *   is counted twice — not even a duplicate or a rejection — and eventId idempotency covers
 *   the rest.
 * - A failed append (the log cannot be written) drops the buffer and seeks every partition
 *   back to the log's checkpoint; the records are fetched, merged and appended again.
 *
 * The control partition's end offset (eventTimeMerge.ts) is asked for when a channel event
 * waits on it only: one request at a time, at most one per {@link CONTROL_END_SPACING_MS}
 * (backing off to {@link CONTROL_END_MAX_BACKOFF_MS} while the broker does not answer).
 */
import type { RawInput } from '@chanperf/engine';
import type { Runtime } from '@chanperf/runtime';
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { EventTimeMerge, MergedRecord, MergeSource } from './eventTimeMerge.js';
import { eventTimeOf } from './eventTime.js';
import type { ErpIngestion } from './ingestionPort.js';
import type { RejectedPublisher } from './publishers.js';

/** Least time between two requests for the control partitions' end offsets. */
const CONTROL_END_SPACING_MS = 20;
/** Longest pause between two such requests while they fail. */
const CONTROL_END_MAX_BACKOFF_MS = 2000;
/** Least pause before a pump that failed is tried again by the idle wake-up. */
const RETRY_AFTER_FAILURE_MS = 100;

/** A partition's end offset (the offset the next record produced to it will have). */
export interface PartitionEnd {
  readonly partition: number;
  readonly end: number;
}

/** A partition offset to commit or seek to (KafkaJS's shape). */
export interface TopicOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface OrderedIngressOptions {
  readonly runtime: Runtime;
  readonly ingestion: ErpIngestion;
  readonly merge: EventTimeMerge<RawInput>;
  /** Records per ingest call at most (a run of one partition is cut into such chunks). */
  readonly chunkSize: number;
  readonly rejected: RejectedPublisher | undefined;
  /** Commits Kafka offsets (the next offset to read) of the running consumer. */
  readonly commit: (offsets: readonly TopicOffset[]) => Promise<void>;
  /** Moves the running consumer's fetch position back (after a failed append). */
  readonly seek: (offset: TopicOffset) => void;
  /** Asks the broker for the end offsets of `topic`'s partitions (the control topic's). */
  readonly endOffsets: (topic: string) => Promise<readonly PartitionEnd[]>;
  /**
   * A monotonic clock in ms, for idleness and fetch instants only (tests pass their own). Not
   * the wall clock: a step of the system clock (NTP, a VM resumed) would hold records back, or
   * let them go early, by the size of the step.
   */
  readonly now?: () => number;
  readonly log: Logger;
}

/** The partitions of one topic in an assignment. */
export interface AssignedTopic {
  readonly topic: string;
  readonly partitions: readonly number[];
  readonly control: boolean;
}

export interface OrderedIngress {
  /** A new assignment (a group join): the buffer is dropped, the acceptance facts reloaded. */
  assign(topics: readonly AssignedTopic[]): void;
  /** Buffers a fetched batch of one partition (records buffered already are ignored). */
  add(topic: string, partition: number, messages: readonly KafkaMessage[], input: InputOf): void;
  /**
   * A fetch of `topic/partition` that began at `from` was read through `next` (exclusive),
   * records Kafka does not hand over (transaction markers, aborted records) included
   * ({@link EventTimeMerge.readThrough}); channel events held on the control partition may go.
   */
  readThrough(topic: string, partition: number, from: number, next: number): Promise<void>;
  /** Appends what the merge releases now; `beat` is called between transactions. */
  pump(beat?: () => Promise<void>): Promise<void>;
  /** Records buffered, waiting for the watermark. */
  buffered(): number;
  /** Stops the idleness timer and waits for the append in flight. */
  stop(): Promise<void>;
}

/** How a record becomes a raw input (see `recordInput`). */
export type InputOf = (topic: string, partition: number, message: KafkaMessage) => RawInput;

const sourceName = (topic: string, partition: number) => `${topic}/${partition}`;

/** Creates the ingress; it appends nothing until {@link OrderedIngress.assign}. */
export function createOrderedIngress(options: OrderedIngressOptions): OrderedIngress {
  return new Ingress(options);
}

class Ingress implements OrderedIngress {
  private readonly now: () => number;
  /** topic/partition → the source's topic and partition. */
  private partitions = new Map<string, { topic: string; partition: number }>();
  private sources: MergeSource[] = [];
  /** Bumped by every assignment and rewind: an append of an older one stops. */
  private generation = 0;
  private refresh = false;
  private running: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The control end-offset request: pending timer, or in flight. */
  private endCheck: NodeJS.Timeout | 'in-flight' | undefined;
  private lastEndCheckAt = -Infinity;
  private endCheckFailures = 0;

  constructor(private readonly options: OrderedIngressOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  assign(topics: readonly AssignedTopic[]): void {
    this.generation++;
    this.refresh = true;
    this.partitions = new Map();
    this.sources = [];
    for (const t of topics) {
      for (const partition of t.partitions) {
        const name = sourceName(t.topic, partition);
        this.partitions.set(name, { topic: t.topic, partition });
        this.sources.push({ name, control: t.control, rank: partition });
      }
    }
    this.options.merge.assign(this.sources, this.now());
    this.wake();
  }

  add(topic: string, partition: number, messages: readonly KafkaMessage[], input: InputOf): void {
    const at = this.now();
    const name = sourceName(topic, partition);
    for (const m of messages) {
      const raw = input(topic, partition, m);
      const time = raw.unreadable === undefined ? eventTimeOf(raw.text) : undefined;
      this.options.merge.add(name, Number(m.offset), time, raw, at);
    }
  }

  async readThrough(topic: string, partition: number, from: number, next: number): Promise<void> {
    const name = sourceName(topic, partition);
    // Only a control partition's end is waited on: an ERP partition's markers need no log read.
    if (!this.sources.some((s) => s.name === name && s.control)) return;
    const gen = this.generation;
    const applied = (await this.options.runtime.store.log.sourceCheckpoint(`kafka:${name}`))?.offset ?? 0;
    if (gen === this.generation) this.options.merge.readThrough(name, from, next, applied);
  }

  pump(beat?: () => Promise<void>): Promise<void> {
    const run = this.running.then(() => this.pumpOnce(beat));
    this.running = run.catch((err: unknown) => this.options.log.error({ err }, 'erp append loop failed'));
    return run;
  }

  buffered(): number {
    return this.options.merge.buffered();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.endCheck !== undefined && this.endCheck !== 'in-flight') clearTimeout(this.endCheck);
    await this.running;
  }

  /**
   * Sets the timer for when an idle partition may let the watermark move; not sooner than
   * `atLeastMs` from now (after a failed pump: no spinning on a log that cannot be written).
   */
  private wake(atLeastMs = 0): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const at = this.options.merge.nextWakeAt();
    if (at === undefined || this.stopped) return;
    // Due already (a partition turned idle since the last release): at once.
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.pump();
      },
      Math.max(atLeastMs, at - this.now() + 1),
    );
  }

  private async pumpOnce(beat?: () => Promise<void>): Promise<void> {
    let failed = true;
    try {
      await this.appendReleased(beat);
      failed = false;
    } finally {
      // Even after a failure: records held now are let go by the idle wake-up or the control
      // partition's end offset, never only by a batch that may not come.
      this.wake(failed ? RETRY_AFTER_FAILURE_MS : 0);
      this.checkControlEnd();
    }
  }

  /** Appends, run by run, what the merge releases until it releases nothing more. */
  private async appendReleased(beat?: () => Promise<void>): Promise<void> {
    const { merge, log } = this.options;
    if (this.refresh) {
      // Another instance may have appended since this one loaded its acceptance facts.
      this.refresh = false;
      try {
        await this.options.ingestion.refresh();
      } catch (err) {
        this.refresh = true; // the next pump tries again
        throw err;
      }
    }
    // Until nothing more is released: a partition may have turned idle during an append.
    for (;;) {
      const gen = this.generation;
      const released = merge.release(this.now());
      if (released.length === 0) break;
      try {
        const next = await this.append(released, gen, beat);
        // Rejected inputs reach their topic before the offsets move on.
        await this.options.rejected?.flush();
        log.debug({ appended: released.length, buffered: merge.buffered() }, 'erp records appended');
        await this.commit(next, gen);
      } catch (err) {
        log.error({ err }, 'appending erp records failed: fetching them again from the log checkpoints');
        await this.rewind();
        break;
      }
    }
  }

  /** Asks for the control partitions' end offsets if a channel event waits on them only. */
  private checkControlEnd(): void {
    if (this.endCheck !== undefined || this.stopped || !this.options.merge.needsControlEnd(this.now()))
      return;
    const spacing =
      this.endCheckFailures === 0
        ? CONTROL_END_SPACING_MS
        : Math.min(CONTROL_END_MAX_BACKOFF_MS, CONTROL_END_SPACING_MS * 2 ** this.endCheckFailures);
    const delay = Math.max(0, this.lastEndCheckAt + spacing - this.now());
    this.endCheck = setTimeout(() => {
      this.endCheck = 'in-flight';
      void this.askControlEnd().finally(() => {
        this.endCheck = undefined;
        if (!this.stopped) void this.pump();
      });
    }, delay);
  }

  private async askControlEnd(): Promise<void> {
    const gen = this.generation;
    // Taken before the request goes out: what was fetched before it was produced before it.
    const askedAt = this.now();
    this.lastEndCheckAt = askedAt;
    const topics = new Map<string, number[]>();
    for (const s of this.sources) {
      const p = this.partitions.get(s.name);
      if (s.control && p !== undefined) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition]);
    }
    try {
      for (const [topic, partitions] of topics) {
        const ends = await this.options.endOffsets(topic);
        for (const { partition, end } of ends) {
          if (!partitions.includes(partition)) continue;
          const name = sourceName(topic, partition);
          const applied =
            (await this.options.runtime.store.log.sourceCheckpoint(`kafka:${name}`))?.offset ?? 0;
          if (gen === this.generation) this.options.merge.controlEnd(name, end, askedAt, applied);
        }
      }
      this.endCheckFailures = 0;
    } catch (err) {
      this.endCheckFailures++;
      this.options.log.warn(
        { err, failures: this.endCheckFailures },
        'cannot read the control topic end offset: channel events wait',
      );
    }
  }

  /** Appends `released` (merged order) run by run; returns each partition's next offset. */
  private async append(
    released: readonly MergedRecord<RawInput>[],
    gen: number,
    beat?: () => Promise<void>,
  ): Promise<Map<string, number>> {
    const { runtime, ingestion, chunkSize } = this.options;
    const next = new Map<string, number>();
    let i = 0;
    while (i < released.length && gen === this.generation) {
      const source = (released[i] as MergedRecord<RawInput>).source;
      let end = i + 1;
      while (end < released.length && end - i < chunkSize && released[end]?.source === source) end++;
      const run = released.slice(i, end);
      i = end;
      const key = `kafka:${source}`;
      const applied = (await runtime.store.log.sourceCheckpoint(key))?.offset ?? 0;
      const fresh = run.filter((r) => r.offset >= applied);
      const last = (run[run.length - 1] as MergedRecord<RawInput>).offset + 1;
      if (fresh.length > 0 && gen === this.generation) {
        await ingestion.ingest(
          fresh.map((r) => r.item),
          { key, offset: last, line: 0 },
        );
      }
      next.set(source, last);
      await beat?.();
    }
    return next;
  }

  /** Commits the appended partitions' offsets (a failure loses nothing: see the header). */
  private async commit(next: ReadonlyMap<string, number>, gen: number): Promise<void> {
    const offsets: TopicOffset[] = [];
    for (const [source, offset] of next) {
      const p = this.partitions.get(source);
      if (p !== undefined) offsets.push({ ...p, offset: String(offset) });
    }
    if (gen !== this.generation || offsets.length === 0) return;
    await this.options
      .commit(offsets)
      .catch((err: unknown) => this.options.log.warn({ err }, 'erp offset commit failed'));
  }

  /** Drops the buffer and moves every partition back to the log's checkpoint. */
  private async rewind(): Promise<void> {
    // Every checkpoint first: between dropping the buffer and the last seek nothing may wait, or
    // a batch fetched before the seeks could be buffered above a checkpoint meanwhile.
    const targets: { topic: string; partition: number; at: number }[] = [];
    for (const { topic, partition } of this.partitions.values()) {
      const key = `kafka:${sourceName(topic, partition)}`;
      targets.push({
        topic,
        partition,
        at: (await this.options.runtime.store.log.sourceCheckpoint(key))?.offset ?? 0,
      });
    }
    this.generation++;
    this.options.merge.assign(this.sources, this.now());
    for (const { topic, partition, at } of targets) {
      try {
        this.options.seek({ topic, partition, offset: String(at) });
      } catch (err) {
        // No running consumer (a restart is under way): the new one starts from Kafka's
        // committed offsets, which never pass the log.
        this.options.log.warn({ err, topic, partition }, 'cannot seek the erp consumer');
      }
    }
  }
}
