/**
 * A batching producer: records published within `lingerMs` of each other go out in one
 * request (KafkaJS has no linger of its own), one request at a time, acks from all in-sync
 * replicas. With `idempotent` the broker drops retried duplicates and keeps their order.
 */
import { CompressionTypes, Partitioners, type Kafka, type Producer, type TopicMessages } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from './config.js';
import { KafkaAdapterError, kafkaError } from './errors.js';
import type { OutgoingRecord } from './topics.js';

/**
 * The partition KafkaJS's default partitioner (murmur2, as the Java client) gives `key` among
 * `partitions`: where a producer's keyed channel events land, e.g. to check that a channel's
 * events share one partition.
 */
export function partitionOfKey(topic: string, key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  return Partitioners.DefaultPartitioner()({ topic, partitionMetadata, message: { key, value: null } });
}

/** Publishes records; see {@link connectPublisher}. */
export interface RecordPublisher {
  /**
   * Queues `records` for `topic` and resolves once the broker has acknowledged all of them
   * (rejects with a KAFKA_PUBLISH error otherwise). Records keep their order per partition.
   */
  publish(topic: string, records: readonly OutgoingRecord[]): Promise<void>;
  /** Sends what is queued now and waits for it. */
  flush(): Promise<void>;
  /** Flushes, then disconnects. */
  disconnect(): Promise<void>;
}

interface Pending {
  readonly topic: string;
  readonly records: readonly OutgoingRecord[];
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/** Flush early once this many records are queued. */
const MAX_QUEUED_RECORDS = 2000;

/** Whether a connect failure means the broker cannot give out producer ids. */
function idempotenceUnavailable(err: unknown): boolean {
  const e = err as { name?: unknown; message?: unknown };
  return (
    e.name === 'KafkaJSBrokerNotFound' ||
    (typeof e.message === 'string' && /Broker -?\d+ not found|Controller broker/.test(e.message))
  );
}

/**
 * Connects a producer for `config` (idempotent unless `config.idempotent` is false) and
 * returns a publisher that batches within `config.lingerMs`.
 *
 * @throws KafkaAdapterError KAFKA_IDEMPOTENCE_UNAVAILABLE when the broker cannot serve
 *   idempotent producers (librdkafka's mock cluster reports no valid controller), else
 *   KAFKA_CONNECT.
 */
export async function connectPublisher(
  kafka: Kafka,
  config: KafkaConfig,
  logger: Logger,
): Promise<RecordPublisher> {
  const producer: Producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: config.idempotent,
    // One request in flight: retries can never reorder records (and idempotence requires it).
    maxInFlightRequests: 1,
    allowAutoTopicCreation: true,
  });
  try {
    await producer.connect();
  } catch (cause) {
    if (config.idempotent && idempotenceUnavailable(cause)) {
      throw new KafkaAdapterError(
        'KAFKA_IDEMPOTENCE_UNAVAILABLE',
        'the broker cannot serve idempotent producers (no valid controller in its metadata, as with ' +
          "librdkafka's mock cluster); set CHANPERF_KAFKA_IDEMPOTENT=false for such a broker",
        false,
        { cause },
      );
    }
    throw kafkaError('KAFKA_CONNECT', 'cannot connect the Kafka producer', cause);
  }

  let queue: Pending[] = [];
  let queued = 0;
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> = Promise.resolve();

  const sendNow = async (batch: Pending[]): Promise<void> => {
    // Group by topic, keeping each topic's records in the order they were published.
    const byTopic = new Map<string, TopicMessages>();
    for (const p of batch) {
      let tm = byTopic.get(p.topic);
      if (tm === undefined) byTopic.set(p.topic, (tm = { topic: p.topic, messages: [] }));
      for (const r of p.records) tm.messages.push({ key: r.key, value: r.value, headers: { ...r.headers } });
    }
    try {
      await producer.sendBatch({
        topicMessages: [...byTopic.values()],
        acks: -1,
        compression: CompressionTypes.None,
      });
      for (const p of batch) p.resolve();
    } catch (cause) {
      const err = kafkaError('KAFKA_PUBLISH', 'publishing to Kafka failed', cause);
      logger.warn(
        { err: { code: err.code, message: err.message }, records: batch.length },
        'kafka publish failed',
      );
      for (const p of batch) p.reject(err);
    }
  };

  const flushQueued = (): Promise<void> => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    const batch = queue;
    queue = [];
    queued = 0;
    if (batch.length > 0) sending = sending.then(() => sendNow(batch));
    return sending;
  };

  return {
    publish(topic, records) {
      if (records.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ topic, records, resolve, reject });
        queued += records.length;
        if (queued >= MAX_QUEUED_RECORDS || config.lingerMs === 0) void flushQueued();
        else timer ??= setTimeout(() => void flushQueued(), config.lingerMs);
      });
    },
    flush: flushQueued,
    async disconnect() {
      await flushQueued();
      await producer.disconnect();
    },
  };
}
