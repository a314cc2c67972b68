/**
 * ERP ingress: consumes `chanperf.erp-events.v1` (channel events, keyed by channelId) and
 * `chanperf.erp-control.v1` (program events, one partition) in a consumer group and appends
 * the records to the log in event-time order up to the watermark (eventTimeMerge.ts,
 * docs/kafka.md).
 *
 * Contract (commit after append, orderedIngress.ts):
 * - `eachBatch`, auto-resolve and auto-commit off. A partition's batch is buffered in the
 *   merge and its offsets resolved (KafkaJS fetches on); what the merge releases is appended
 *   with the checkpoint `kafka:topic/partition` = next offset, one partition's run per
 *   transaction; the chunk's rejected records are published; only then are the appended
 *   partitions' offsets committed to Kafka. Records held back are never committed.
 * - A crash anywhere redelivers from the last committed Kafka offset; records below the
 *   log's checkpoint are skipped (they were applied), so nothing is counted twice — not even
 *   duplicates or rejections — and eventId idempotency covers the rest.
 * - A poison record never stops a partition: a value that is not UTF-8 or not a JSON object
 *   is a rejected input (MALFORMED_JSON) kept with its exact bytes; it has no event time and
 *   keeps its place in its partition. A null value (tombstone) is skipped like a blank line.
 */
import { lineInput, type RawInput } from '@chanperf/engine';
import { RestartBackoff, type Runtime } from '@chanperf/runtime';
import type { Admin, Consumer, EachBatchHandler, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from './config.js';
import { createKafka } from './client.js';
import { kafkaError } from './errors.js';
import type { ErpIngestion } from './ingestionPort.js';
import { EventTimeMerge } from './eventTimeMerge.js';
import { createOrderedIngress, type OrderedIngress, type PartitionEnd } from './orderedIngress.js';
import { startRejectedPublisher, type RejectedPublisher } from './publishers.js';
import { TOPICS, kafkaSource } from './topics.js';

export interface ErpConsumerOptions {
  /** Where records go; see `serviceErpIngestion` (the service) and `engineErpIngestion`. */
  readonly ingestion: ErpIngestion;
  /** Consumer group (default: `kafkaConfig.groupId`). */
  readonly groupId?: string;
  /** Topic of channel events (default `chanperf.erp-events.v1`). */
  readonly topic?: string;
  /** Topic of program events (default `chanperf.erp-control.v1`). */
  readonly controlTopic?: string;
  /** Records per ingest call, i.e. per log transaction (default 1000). */
  readonly chunkSize?: number;
  /**
   * Publisher of rejected inputs to `chanperf.rejected.v1`, flushed before offsets are
   * resolved. Default: one started (and stopped) with the consumer; `false`: none (another
   * process sharing the log publishes them).
   */
  readonly rejectedPublisher?: RejectedPublisher | false;
  /** Max bytes fetched per partition per request (default KafkaJS's 1 MiB). */
  readonly maxBytesPerPartition?: number;
}

export interface ErpConsumer {
  /** The KafkaJS consumer running now (a new one after a restart). */
  readonly consumer: Consumer;
  /** Partitions currently assigned to this instance. */
  assignment(): readonly number[];
  /** How often the consumer was restarted after KafkaJS gave up on it. */
  restarts(): number;
  /** Records fetched but held back by the watermark (not in the log, offsets not committed). */
  held(): number;
  /** Stops consuming (the batch in flight finishes first) and disconnects. */
  stop(): Promise<void>;
}

/**
 * A record as a raw input, read like the start of a file (a BOM and a trailing CR dropped). A
 * value that is not UTF-8 is `unreadable` (rejected MALFORMED_JSON, kept with its exact bytes),
 * never decoded with replacement characters: two different eventIds must not become equal.
 */
export function recordInput(topic: string, partition: number, message: KafkaMessage): RawInput {
  const source = kafkaSource(topic, partition, message.offset);
  const value = message.value;
  if (value === null) return { text: '', source, line: null };
  return lineInput(Uint8Array.from(value), true, source, null);
}

/** The group's assignment as this instance last saw it. */
interface GroupAssignment {
  /** ERP partitions assigned to this instance, ascending. */
  partitions: readonly number[];
}

/**
 * Starts consuming the ERP and control topics into `options.ingestion`. Resolves once the
 * consumer is connected and subscribed (partitions are assigned shortly after, when the
 * group settles).
 *
 * @throws KafkaAdapterError KAFKA_CONNECT when the brokers cannot be reached.
 */
export async function startErpConsumer(
  runtime: Runtime,
  kafkaConfig: KafkaConfig,
  options: ErpConsumerOptions,
): Promise<ErpConsumer> {
  const log = runtime.logger.child({ service: 'kafka-erp' });
  const ownRejected = options.rejectedPublisher === undefined;
  const rejected =
    options.rejectedPublisher === undefined
      ? await startRejectedPublisher(runtime, kafkaConfig)
      : options.rejectedPublisher === false
        ? undefined
        : options.rejectedPublisher;
  const group: GroupAssignment = { partitions: [] };
  let current: Consumer | undefined;
  const kafka = createKafka(kafkaConfig, runtime.logger);
  const ends = endOffsetReader(kafka);
  const ingress = ingressOf(runtime, kafkaConfig, options, rejected, () => current, ends.endOffsets, log);
  const setup: ConsumerSetup = {
    kafka,
    kafkaConfig,
    groupId: options.groupId ?? kafkaConfig.groupId,
    topic: options.topic ?? TOPICS.erpEvents,
    controlTopic: options.controlTopic ?? TOPICS.erpControl,
    maxBytesPerPartition: options.maxBytesPerPartition,
    ingress,
    group,
    log,
  };
  const run = () => runErpConsumer(setup, scheduleRestart);

  let stopped = false;
  let restarts = 0;
  const backoff = new RestartBackoff(500);
  let restartTimer: NodeJS.Timeout | undefined;
  // After KafkaJS gave up on a consumer: a new one after a backoff (0.5 s doubling, at most 30 s;
  // back to 0.5 s after a minute without giving up).
  function scheduleRestart() {
    if (stopped || restartTimer !== undefined) return;
    group.partitions = [];
    ingress.assign([]);
    const delay = backoff.next();
    restarts++;
    log.warn({ delayMs: delay, restarts }, 'restarting the erp consumer');
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (stopped) return;
      run().then(
        (c) => {
          current = c;
        },
        (err: unknown) => {
          log.error({ err }, 'erp consumer restart failed');
          scheduleRestart();
        },
      );
    }, delay);
  }

  try {
    current = await run();
  } catch (err) {
    if (ownRejected) await rejected?.stop();
    throw err;
  }

  return {
    get consumer() {
      return current as Consumer;
    },
    assignment: () => group.partitions,
    restarts: () => restarts,
    held: () => ingress.buffered(),
    async stop() {
      stopped = true;
      if (restartTimer !== undefined) clearTimeout(restartTimer);
      await ingress.stop();
      await ends.stop();
      await current?.disconnect();
      if (ownRejected) await rejected?.stop();
    },
  };
}

/** The ordered ingress of a consumer (`consumer()` is the one running now, if any). */
function ingressOf(
  runtime: Runtime,
  kafkaConfig: KafkaConfig,
  options: ErpConsumerOptions,
  rejected: RejectedPublisher | undefined,
  consumer: () => Consumer | undefined,
  endOffsets: (topic: string) => Promise<readonly PartitionEnd[]>,
  log: Logger,
): OrderedIngress {
  return createOrderedIngress({
    runtime,
    ingestion: options.ingestion,
    merge: new EventTimeMerge<RawInput>({
      ordering: kafkaConfig.ordering,
      idleTimeoutMs: kafkaConfig.idleTimeoutMs,
    }),
    chunkSize: options.chunkSize ?? 1000,
    rejected,
    commit: async (offsets) => {
      await consumer()?.commitOffsets([...offsets]);
    },
    seek: (offset) => consumer()?.seek(offset),
    endOffsets,
    log,
  });
}

/**
 * How long an end-offset request may go unanswered before it counts as failed: channel events
 * wait for the answer, and KafkaJS's own request timeout and retries could hold them 30 s and
 * more. A failed request is asked again with the ingress's backoff (orderedIngress.ts).
 */
const END_OFFSETS_TIMEOUT_MS = 5_000;

/**
 * End offsets through an admin client, connected on first use (the control partition's,
 * asked for by the merge: eventTimeMerge.ts); a failed or unanswered request drops the
 * connection.
 */
export function endOffsetReader(
  kafka: Pick<Kafka, 'admin'>,
  timeoutMs = END_OFFSETS_TIMEOUT_MS,
): {
  endOffsets: (topic: string) => Promise<readonly PartitionEnd[]>;
  stop: () => Promise<void>;
} {
  let admin: Admin | undefined;
  // Waits for the disconnect at most `timeoutMs`: a connection stuck on the way up may never
  // finish going down, and the check in flight (so every channel event held on it) waits here.
  const drop = async () => {
    const a = admin;
    admin = undefined;
    if (a === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      a.disconnect().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  };
  const ask = async (topic: string) => {
    let a = admin;
    if (a === undefined) {
      a = kafka.admin();
      admin = a;
      await a.connect();
    }
    const offsets = await a.fetchTopicOffsets(topic);
    return offsets.map((o) => ({ partition: o.partition, end: Number(o.high) }));
  };
  return {
    async endOffsets(topic) {
      let timer: NodeJS.Timeout | undefined;
      const unanswered = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer for the end offsets of ${topic} within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([ask(topic), unanswered]);
      } catch (err) {
        await drop();
        throw err;
      } finally {
        clearTimeout(timer);
      }
    },
    stop: drop,
  };
}

/** Buffers each batch in the merge, resolves its offsets, and appends what is released. */
export function erpBatchHandler(ingress: OrderedIngress): EachBatchHandler {
  return async (payload) => {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale()) return;
    ingress.add(batch.topic, batch.partition, batch.messages, recordInput);
    const last = batch.messages[batch.messages.length - 1];
    // A transaction's commit marker (or aborted records) after the last record: the partition
    // was read past it (orderedIngress.ts, readThrough).
    const first = batch.firstOffset();
    if (last !== undefined && first !== null && batch.lastOffset() !== last.offset) {
      await ingress.readThrough(batch.topic, batch.partition, Number(first), Number(batch.lastOffset()) + 1);
    }
    // Fetching moves on; the committed offset does not (orderedIngress.ts commits it).
    if (last !== undefined) payload.resolveOffset(last.offset);
    await ingress.pump(() => payload.heartbeat());
    await payload.heartbeat();
  };
}

/** What KafkaJS says of a batch it processed (its END_BATCH_PROCESS event). */
export interface ProcessedBatch {
  readonly payload: {
    readonly topic: string;
    readonly partition: number;
    readonly batchSize: number;
    readonly firstOffset: string | null;
    readonly lastOffset: string;
  };
}

/**
 * A fetch of transaction markers or aborted records only: KafkaJS resolves it without calling
 * eachBatch, so the ingress hears of it here (a batch of 0 records) and notes the partition
 * read through it.
 */
export function markersOnlyListener(ingress: OrderedIngress, log: Logger): (e: ProcessedBatch) => void {
  return (e) => {
    const { topic, partition, batchSize, firstOffset, lastOffset } = e.payload;
    if (batchSize !== 0 || firstOffset === null) return;
    void ingress
      .readThrough(topic, partition, Number(firstOffset), Number(lastOffset) + 1)
      .then(() => ingress.pump())
      .catch((err: unknown) => log.warn({ err, topic, partition }, 'cannot note a fetch of markers only'));
  };
}

/** What a (re)started consumer is made of. */
interface ConsumerSetup {
  readonly kafka: Kafka;
  readonly kafkaConfig: KafkaConfig;
  readonly groupId: string;
  readonly topic: string;
  readonly controlTopic: string;
  readonly maxBytesPerPartition: number | undefined;
  readonly ingress: OrderedIngress;
  readonly group: GroupAssignment;
  readonly log: Logger;
}

/**
 * Creates, connects and runs a consumer; KafkaJS restarts it after retriable failures,
 * `onGiveUp` after the others.
 */
async function runErpConsumer(setup: ConsumerSetup, onGiveUp: () => void): Promise<Consumer> {
  const { kafka, kafkaConfig, groupId, topic, controlTopic, group, ingress, log } = setup;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: kafkaConfig.sessionTimeoutMs,
    maxWaitTimeInMs: kafkaConfig.fetchMaxWaitMs,
    heartbeatInterval: Math.max(100, Math.floor(kafkaConfig.sessionTimeoutMs / 10)),
    allowAutoTopicCreation: true,
    ...(setup.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: setup.maxBytesPerPartition } : {}),
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const assigned = e.payload.memberAssignment;
    const sorted = (t: string) => [...(assigned[t] ?? [])].sort((x, y) => x - y);
    group.partitions = sorted(topic);
    const control = sorted(controlTopic);
    ingress.assign([
      { topic, partitions: group.partitions, control: false },
      { topic: controlTopic, partitions: control, control: true },
    ]);
    log.info({ groupId, partitions: group.partitions, control }, 'erp consumer joined its group');
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, markersOnlyListener(ingress, log));
  consumer.on(consumer.events.CRASH, (e) => {
    const { error, restart } = e.payload;
    log.error({ err: { name: error.name, message: error.message }, restart }, 'erp consumer crashed');
    // KafkaJS gives up on errors it does not deem retriable (e.g. a protocol error from
    // the broker during a rebalance); the ingress must not stay down: start a new one.
    if (!restart) onGiveUp();
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic, controlTopic], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      // Offsets are committed by the ingress, for what is in the log only.
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: erpBatchHandler(ingress),
    });
  } catch (cause) {
    await consumer.disconnect().catch(() => undefined);
    throw kafkaError('KAFKA_CONNECT', `cannot consume ${topic} and ${controlTopic}`, cause);
  }
  return consumer;
}
