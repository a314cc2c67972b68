/**
 * ERP ingress: consumes `chanperf.erp-events.v1` in a consumer group and feeds the records to
 * the ingestion pipeline.
 *
 * Contract (commit after apply):
 * - `eachBatch`, auto-resolve off. A partition's batch is cut into chunks; each chunk is
 *   ingested and committed to the log together with the checkpoint `kafka:topic/partition`
 *   = next offset; the chunk's rejected records are published to the rejected topic; only
 *   then is the last offset resolved and a heartbeat sent; the offsets are committed to
 *   Kafka at the end of the batch.
 * - A crash anywhere redelivers from the last committed Kafka offset; records below the
 *   log's checkpoint are skipped (they were applied), so nothing is counted twice — not even
 *   duplicates or rejections — and eventId idempotency covers the rest.
 * - A poison record never stops a partition: a value that is not UTF-8 or not a JSON object
 *   is a rejected input (MALFORMED_JSON) kept with its exact bytes. A null value (tombstone)
 *   is skipped like a blank line. Only infrastructure failures (the log cannot be written)
 *   stop a batch; KafkaJS then retries it from the last resolved offset.
 */
import { lineInput, type RawInput } from '@chanperf/engine';
import type { Runtime } from '@chanperf/runtime';
import type { Consumer, EachBatchHandler, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from './config.js';
import { createKafka } from './client.js';
import { kafkaError } from './errors.js';
import type { ErpIngestion } from './ingestionPort.js';
import { startRejectedPublisher, type RejectedPublisher } from './publishers.js';
import { TOPICS, kafkaSource } from './topics.js';

export interface ErpConsumerOptions {
  /** Where records go; see `serviceErpIngestion` (the service) and `engineErpIngestion`. */
  readonly ingestion: ErpIngestion;
  /** Consumer group (default: `kafkaConfig.groupId`). */
  readonly groupId?: string;
  /** Topic to consume (default `chanperf.erp-events.v1`). */
  readonly topic?: string;
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
  /** Partitions assigned to this instance, ascending. */
  partitions: readonly number[];
  /** Set on every rebalance: the next batch first reloads the acceptance facts. */
  changed: boolean;
}

/**
 * Starts consuming the ERP topic into `options.ingestion`. Resolves once the consumer is
 * connected and subscribed (partitions are assigned shortly after, when the group settles).
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
  const group: GroupAssignment = { partitions: [], changed: false };
  const setup: ConsumerSetup = {
    kafka: createKafka(kafkaConfig, runtime.logger),
    kafkaConfig,
    groupId: options.groupId ?? kafkaConfig.groupId,
    topic: options.topic ?? TOPICS.erpEvents,
    maxBytesPerPartition: options.maxBytesPerPartition,
    eachBatch: erpBatchHandler(runtime, options.ingestion, options.chunkSize ?? 1000, rejected, group, log),
    group,
    log,
  };
  const run = () => runErpConsumer(setup, scheduleRestart);

  let stopped = false;
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  // After KafkaJS gave up on a consumer: a new one after a backoff (0.5 s doubling, at most 30 s).
  function scheduleRestart() {
    if (stopped || restartTimer !== undefined) return;
    group.partitions = [];
    const delay = Math.min(30_000, 500 * 2 ** Math.min(restarts, 6));
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

  let current: Consumer;
  try {
    current = await run();
  } catch (err) {
    if (ownRejected) await rejected?.stop();
    throw err;
  }

  return {
    get consumer() {
      return current;
    },
    assignment: () => group.partitions,
    restarts: () => restarts,
    async stop() {
      stopped = true;
      if (restartTimer !== undefined) clearTimeout(restartTimer);
      await current.disconnect();
      if (ownRejected) await rejected?.stop();
    },
  };
}

/**
 * The commit-after-apply loop (module header): each chunk of a partition's batch is ingested
 * with its checkpoint, its rejected inputs published, then its last offset resolved.
 */
function erpBatchHandler(
  runtime: Runtime,
  ingestion: ErpIngestion,
  chunkSize: number,
  rejected: RejectedPublisher | undefined,
  group: GroupAssignment,
  log: Logger,
): EachBatchHandler {
  return async (payload) => {
    const { batch } = payload;
    if (group.changed) {
      // Another instance may have appended since this one loaded its acceptance facts.
      group.changed = false;
      await ingestion.refresh();
    }
    const key = `kafka:${batch.topic}/${batch.partition}`;
    const applied = (await runtime.store.log.sourceCheckpoint(key))?.offset ?? 0;
    const messages = batch.messages;
    let skipped = 0;
    for (let i = 0; i < messages.length && payload.isRunning() && !payload.isStale(); i += chunkSize) {
      const chunk = messages.slice(i, i + chunkSize);
      const last = chunk[chunk.length - 1] as KafkaMessage;
      const fresh = chunk.filter((m) => Number(m.offset) >= applied);
      skipped += chunk.length - fresh.length;
      if (fresh.length > 0) {
        const inputs = fresh.map((m) => recordInput(batch.topic, batch.partition, m));
        const next = Number(last.offset) + 1;
        const outcomes = await ingestion.ingest(inputs, { key, offset: next, line: 0 });
        const counts = { accepted: 0, duplicates: 0, rejected: 0 };
        for (const o of outcomes) {
          if (o.status === 'accepted') counts.accepted++;
          else if (o.status === 'duplicate') counts.duplicates++;
          else if (o.status === 'rejected') counts.rejected++;
        }
        log.debug({ partition: batch.partition, offset: last.offset, ...counts }, 'erp chunk ingested');
      }
      // Rejected inputs reach their topic before the offsets move on (also those of a
      // chunk applied before a crash: the outbox knows what it has not published yet).
      await rejected?.flush();
      payload.resolveOffset(last.offset);
      await payload.heartbeat();
    }
    if (skipped > 0) {
      log.info(
        { partition: batch.partition, skipped, checkpoint: applied },
        'redelivered records already in the log: skipped',
      );
    }
    // One offset commit per batch: the log's checkpoint, not Kafka's offset, is what
    // prevents double counting, so committing per chunk would only cost round trips.
    await payload.commitOffsetsIfNecessary();
  };
}

/** What a (re)started consumer is made of. */
interface ConsumerSetup {
  readonly kafka: Kafka;
  readonly kafkaConfig: KafkaConfig;
  readonly groupId: string;
  readonly topic: string;
  readonly maxBytesPerPartition: number | undefined;
  readonly eachBatch: EachBatchHandler;
  readonly group: GroupAssignment;
  readonly log: Logger;
}

/**
 * Creates, connects and runs a consumer; KafkaJS restarts it after retriable failures,
 * `onGiveUp` after the others.
 */
async function runErpConsumer(setup: ConsumerSetup, onGiveUp: () => void): Promise<Consumer> {
  const { kafka, kafkaConfig, groupId, topic, group, log } = setup;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: kafkaConfig.sessionTimeoutMs,
    maxWaitTimeInMs: kafkaConfig.fetchMaxWaitMs,
    heartbeatInterval: Math.max(100, Math.floor(kafkaConfig.sessionTimeoutMs / 10)),
    allowAutoTopicCreation: true,
    ...(setup.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: setup.maxBytesPerPartition } : {}),
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    group.partitions = [...(e.payload.memberAssignment[topic] ?? [])].sort((x, y) => x - y);
    group.changed = true;
    log.info({ groupId, partitions: group.partitions }, 'erp consumer joined its group');
  });
  consumer.on(consumer.events.CRASH, (e) => {
    const { error, restart } = e.payload;
    log.error({ err: { name: error.name, message: error.message }, restart }, 'erp consumer crashed');
    // KafkaJS gives up on errors it does not deem retriable (e.g. a protocol error from
    // the broker during a rebalance); the ingress must not stay down: start a new one.
    if (!restart) onGiveUp();
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      // Commit whenever anything was resolved: commitOffsetsIfNecessary() then always commits.
      autoCommitThreshold: 1,
      partitionsConsumedConcurrently: 1,
      eachBatch: setup.eachBatch,
    });
  } catch (cause) {
    await consumer.disconnect().catch(() => undefined);
    throw kafkaError('KAFKA_CONNECT', `cannot consume ${topic}`, cause);
  }
  return consumer;
}
