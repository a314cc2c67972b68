/**
 * Outbox publishing: a durable, ordered list beside the log (the alert log, the rejected
 * store) is published to a topic once per item, across crashes and restarts.
 *
 * Contract:
 * - The outbox's cursor (engine port `OutboxCursor`; in SQLite one row of `kafka_outbox`,
 *   which survives read-model rebuilds) holds the last published sequence number `position`.
 *   Items after it are read in order, at most `batchSize` at a time; before a batch is sent its
 *   last seq is recorded as in doubt; after the broker acknowledges it, `position` moves there
 *   and the doubt is cleared, in one transaction.
 * - A crash (or a failed request) between the two writes leaves the batch in doubt: some of
 *   its records may be in the topic. The next flush reads the tail of every partition (the
 *   in-doubt batch is the newest thing this outbox wrote) and re-sends only the items whose
 *   `chanperf-seq` header it does not find. So no item is published twice and none is lost —
 *   as long as only this outbox writes to the topic, which the lease below ensures.
 * - Lease: several processes may share the log (ingestion ×N); only the holder of the
 *   cursor's lease publishes. The lease lasts `leaseMs` and is renewed on every flush; a dead
 *   holder's lease expires and another process takes over (recovering the in-doubt batch).
 * - With `idOf`, published ids are also kept (`published(id)`), and an item whose id was
 *   published before is skipped even if its seq changed (a read model rebuilt by different
 *   rules renumbers its alert log).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { OutboxCursor, OutboxStore } from '@chanperf/engine';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { KafkaAdapterError, kafkaError } from './errors.js';
import type { RecordPublisher } from './producer.js';
import { HEADERS, type OutgoingRecord } from './topics.js';

/** A durable, ordered source of items with 1-based ascending sequence numbers. */
export interface OutboxSource<T> {
  /** Items with seq > `after`, ascending, at most `limit`. */
  read(after: number, limit: number): Promise<readonly { readonly seq: number; readonly item: T }[]>;
  toRecord(item: T): OutgoingRecord;
  /** A stable id of the item, when it has one (alerts: the deterministic alert id). */
  idOf?(item: T): string;
}

export interface OutboxOptions {
  /** Names the outbox's cursor in the store and the `chanperf-outbox` header. */
  readonly name: string;
  readonly topic: string;
  /** Items per request (default 500). */
  readonly batchSize?: number;
  /** Lease duration (default 5000 ms). */
  readonly leaseMs?: number;
  /** Time allowed to read the topic's tail when recovering (default 30 s). */
  readonly recoveryTimeoutMs?: number;
}

export interface Outbox {
  /**
   * Publishes every item readable now, if this process holds the lease (else returns at
   * once: the holder publishes). Calls are serialized. Rejects on a failed publish; the
   * batch stays in doubt and the next call recovers it.
   */
  flush(): Promise<void>;
  /** Whether this process held the lease at its last flush. */
  leader(): boolean;
  /** The last published seq. */
  position(): number;
  /** Gives the lease up (after the flush in progress). */
  release(): Promise<void>;
}

/**
 * Reads the newest `count` records of every partition of `topic` and returns the seq headers
 * written by outbox `name`. Uses a throwaway consumer group, deleted afterwards.
 */
export async function readTailSeqs(
  kafka: Kafka,
  topic: string,
  name: string,
  count: number,
  timeoutMs: number,
): Promise<Set<number>> {
  const admin = kafka.admin();
  await admin.connect();
  const found = new Set<number>();
  const groupId = `chanperf-outbox-recovery-${name}-${randomUUID()}`;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const wanted = new Map<number, { from: bigint; to: bigint }>();
    for (const o of offsets) {
      const high = BigInt(o.high);
      const low = BigInt(o.low);
      if (high > low) {
        const from = high - BigInt(count) > low ? high - BigInt(count) : low;
        wanted.set(o.partition, { from, to: high - 1n });
      }
    }
    if (wanted.size === 0) return found;
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const remaining = new Set(wanted.keys());
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new KafkaAdapterError('KAFKA_RECOVERY', `reading the tail of ${topic} timed out`, true)),
          timeoutMs,
        );
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const range = wanted.get(batch.partition);
              if (range === undefined) return;
              for (const m of batch.messages) {
                if (BigInt(m.offset) < range.from) continue;
                if (m.headers?.[HEADERS.outbox]?.toString() === name) {
                  const seq = Number(m.headers[HEADERS.seq]?.toString());
                  if (Number.isSafeInteger(seq)) found.add(seq);
                }
                if (BigInt(m.offset) >= range.to) remaining.delete(batch.partition);
              }
              if (remaining.size === 0) {
                clearTimeout(timer);
                resolve();
              }
              return Promise.resolve();
            },
          })
          .then(() => {
            for (const [partition, range] of wanted) {
              consumer.seek({ topic, partition, offset: range.from.toString() });
            }
          })
          .catch((err: unknown) => {
            clearTimeout(timer);
            reject(err instanceof Error ? err : new Error(String(err)));
          });
      });
    } finally {
      await consumer.disconnect();
    }
    await admin.deleteGroups([groupId]).catch(() => undefined);
    return found;
  } catch (cause) {
    throw kafkaError('KAFKA_RECOVERY', `cannot read the tail of ${topic}`, cause);
  } finally {
    await admin.disconnect();
  }
}

/** What one outbox works with, fixed when it is created. */
interface OutboxParts<T> {
  readonly name: string;
  readonly topic: string;
  /** This process's name in the lease. */
  readonly owner: string;
  readonly batchSize: number;
  readonly recoveryTimeoutMs: number;
  readonly cursor: OutboxCursor;
  readonly kafka: Kafka;
  readonly publisher: RecordPublisher;
  readonly source: OutboxSource<T>;
  readonly log: Logger;
}

/**
 * Creates the outbox `options.name` over `source`, publishing through `publisher`; its cursor
 * is `store.outbox(options.name)`.
 */
export function createOutbox<T>(
  store: OutboxStore,
  kafka: Kafka,
  publisher: RecordPublisher,
  source: OutboxSource<T>,
  options: OutboxOptions,
  logger: Logger,
): Outbox {
  const { name, topic } = options;
  const parts: OutboxParts<T> = {
    name,
    topic,
    owner: `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
    batchSize: options.batchSize ?? 500,
    recoveryTimeoutMs: options.recoveryTimeoutMs ?? 30_000,
    cursor: store.outbox(name),
    kafka,
    publisher,
    source,
    log: logger.child({ outbox: name, topic }),
  };
  const { cursor, owner, log } = parts;
  const leaseMs = options.leaseMs ?? 5000;

  let isLeader = false;
  let running: Promise<void> = Promise.resolve();

  const holdLease = (): boolean => {
    const now = Date.now();
    isLeader = cursor.acquire(owner, now + leaseMs, now);
    return isLeader;
  };

  const flushNow = async (): Promise<void> => {
    if (!holdLease()) return;
    let row = cursor.state();
    if (row.inDoubtTo !== null && row.inDoubtTo > row.position) {
      if (!(await recoverInDoubt(parts, row.position, row.inDoubtTo))) return;
      row = cursor.state();
    }
    for (;;) {
      if (!holdLease()) return;
      const items = await source.read(row.position, parts.batchSize);
      const last = items[items.length - 1];
      if (last === undefined) return;
      // Lost the lease while reading: the new holder publishes (and may recover our doubt).
      if (!cursor.markInDoubt(owner, last.seq)) {
        isLeader = false;
        return;
      }
      const sent = await publishBatch(parts, items, new Set());
      log.debug({ from: items[0]?.seq, to: last.seq, sent }, 'outbox published');
      row = cursor.state();
    }
  };

  return {
    flush() {
      const run = running.then(flushNow);
      running = run.catch(() => undefined);
      return run;
    },
    leader: () => isLeader,
    position: () => cursor.state().position,
    async release() {
      await running;
      cursor.release(owner);
      isLeader = false;
    },
  };
}

/**
 * Re-sends the items of the in-doubt batch (`position` < seq <= `inDoubtTo`) that the topic's
 * tail does not hold. False when none of them is readable (the read model is being rebuilt):
 * the batch stays in doubt and a later flush retries.
 */
async function recoverInDoubt<T>(
  parts: OutboxParts<T>,
  position: number,
  inDoubtTo: number,
): Promise<boolean> {
  const { kafka, topic, name, log } = parts;
  const inDoubt = inDoubtTo - position;
  log.info({ position, inDoubtTo }, 'recovering an in-doubt outbox batch');
  const published = await readTailSeqs(kafka, topic, name, inDoubt, parts.recoveryTimeoutMs);
  const items = (await parts.source.read(position, Math.max(inDoubt, parts.batchSize))).filter(
    (i) => i.seq <= inDoubtTo,
  );
  if (items.length === 0) return false;
  const resent = await publishBatch(parts, items, published);
  log.info({ found: published.size, resent }, 'outbox batch recovered');
  return true;
}

/**
 * Publishes `items` but those in `skip` and those whose id was published before, then moves
 * the cursor past the batch (and records its ids). Returns how many records were sent.
 */
async function publishBatch<T>(
  parts: OutboxParts<T>,
  items: readonly { seq: number; item: T }[],
  skip: ReadonlySet<number>,
): Promise<number> {
  const { cursor, source, name } = parts;
  const ids: string[] = [];
  const records: OutgoingRecord[] = [];
  for (const { seq, item } of items) {
    const id = source.idOf?.(item);
    if (id !== undefined) {
      ids.push(id);
      if (cursor.published(id)) continue;
    }
    if (skip.has(seq)) continue;
    const r = source.toRecord(item);
    records.push({ ...r, headers: { ...r.headers, [HEADERS.outbox]: name, [HEADERS.seq]: String(seq) } });
  }
  await parts.publisher.publish(parts.topic, records);
  const last = items[items.length - 1];
  if (last !== undefined && !cursor.markPublished(parts.owner, last.seq, ids)) {
    throw new KafkaAdapterError('KAFKA_PUBLISH', `outbox ${name} lost its lease while publishing`, true);
  }
  return records.length;
}
