/**
 * The publishers of one process: rejected inputs and alerts through outboxes (each item
 * once, across crashes; see outbox.ts), derived facts straight from the in-process bus.
 */
import type { Alert } from '@chanperf/domain';
import type { RejectedRecord } from '@chanperf/engine';
import type { DerivedFact, Runtime } from '@chanperf/runtime';
import type { Logger } from 'pino';
import { createKafka } from './client.js';
import type { KafkaConfig } from './config.js';
import { createOutbox, type Outbox, type OutboxSource } from './outbox.js';
import { connectPublisher, type RecordPublisher } from './producer.js';
import { alertRecord, factRecord, rejectedRecord, TOPICS } from './topics.js';

export interface OutboxPublisherOptions {
  /** How often to look for items written by another process (default 500 ms). */
  readonly pollMs?: number;
  /** Items per request (default 500). */
  readonly batchSize?: number;
  /** Outbox lease (default 5000 ms); see outbox.ts. */
  readonly leaseMs?: number;
}

/** A running outbox publisher. */
export interface OutboxPublisher {
  /** Publishes everything pending now (if this process holds the outbox lease). */
  flush(): Promise<void>;
  /** The last published sequence number (alert seq, rejected id). */
  position(): number;
  /** Stops polling, flushes once more, releases the lease and disconnects. */
  stop(): Promise<void>;
}

export type RejectedPublisher = OutboxPublisher;
export type AlertsPublisher = OutboxPublisher;

async function startOutboxPublisher<T>(
  runtime: Runtime,
  config: KafkaConfig,
  name: string,
  topic: string,
  source: OutboxSource<T>,
  wakeOn: 'appended' | 'projected',
  options: OutboxPublisherOptions,
): Promise<OutboxPublisher> {
  const log = runtime.logger.child({ service: `kafka-${name}` });
  const kafka = createKafka(config, runtime.logger);
  const publisher = await connectPublisher(kafka, config, log);
  const outbox: Outbox = createOutbox(
    runtime.store.outboxes,
    kafka,
    publisher,
    source,
    {
      name,
      topic,
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
    },
    log,
  );
  let failures = 0;
  let stopped = false;
  const tick = async () => {
    try {
      await outbox.flush();
      failures = 0;
    } catch (err) {
      failures++;
      log.warn({ err, failures }, 'outbox publish failed; will retry');
    }
  };
  const wake = () => void tick();
  runtime.bus.on(wakeOn, wake);
  const pollMs = options.pollMs ?? 500;
  // Poll: another process may write the items; back off while the broker fails.
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(
      () => void tick().then(schedule),
      failures === 0 ? pollMs : Math.min(30_000, pollMs * 2 ** failures),
    );
    timer.unref();
  };
  schedule();
  await tick();
  return {
    flush: () => outbox.flush(),
    position: () => outbox.position(),
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      runtime.bus.off(wakeOn, wake);
      await tick();
      await outbox.release();
      await publisher.disconnect();
    },
  };
}

/**
 * Publishes the rejected store to `chanperf.rejected.v1`: each rejected input once, with its
 * raw bytes as the value and headers `chanperf-code`, `chanperf-message`, `chanperf-source`
 * (`topic/partition/offset` for Kafka inputs), keyed by its `channelId` when it has one.
 * Inputs rejected over HTTP or from files are published too.
 */
export function startRejectedPublisher(
  runtime: Runtime,
  config: KafkaConfig,
  options: OutboxPublisherOptions = {},
): Promise<RejectedPublisher> {
  // The rejected store hands `raw` back as UTF-8 text; the topic must carry the bytes as
  // received (invalid UTF-8 included), which the store hands back through `rawBytes`.
  const rejected = runtime.store.log;
  const source: OutboxSource<RejectedRecord> = {
    read: async (after, limit) =>
      Promise.all(
        (await rejected.list({ afterId: after, limit })).map(async (r) => ({
          seq: r.id,
          item: { ...r, raw: (await rejected.rawBytes(r.id)) ?? r.raw },
        })),
      ),
    toRecord: rejectedRecord,
  };
  return startOutboxPublisher(runtime, config, 'rejected', TOPICS.rejected, source, 'appended', options);
}

/**
 * Publishes the alert log to `chanperf.alerts.v1`: each alert once by its deterministic id,
 * in the order raised (so in order per channel: the key is `channelId`), header
 * `chanperf-alert-id`. Run it in one process per log (like the alerting service); it wakes on
 * the bus's `projected` facts and polls, since another process may project.
 */
export function startAlertsPublisher(
  runtime: Runtime,
  config: KafkaConfig,
  options: OutboxPublisherOptions = {},
): Promise<AlertsPublisher> {
  const source: OutboxSource<Alert> = {
    read: async (after, limit) =>
      (await runtime.store.readStore.alertLog(after, limit)).map((a) => ({ seq: a.seq, item: a.alert })),
    toRecord: alertRecord,
    idOf: (alert) => alert.id,
  };
  return startOutboxPublisher(runtime, config, 'alerts', TOPICS.alerts, source, 'projected', options);
}

/** A running publisher of derived facts. */
export interface PerformancePublisher {
  /** Resolves once every fact received so far is acknowledged by the broker. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Publishes every derived fact the projection of THIS process commits (bus `projected`) to
 * `chanperf.performance.v1`, keyed by `channelId` (none for MonthClosed), with the fact's
 * deterministic id in the value and header `chanperf-fact-id`. Facts are notifications:
 * published at least once while the process runs; those of a batch committed just before a
 * crash may be missing (consumers re-read figures from the query API by channel and month).
 */
export async function startPerformancePublisher(
  runtime: Runtime,
  config: KafkaConfig,
): Promise<PerformancePublisher> {
  const log: Logger = runtime.logger.child({ service: 'kafka-performance' });
  const publisher: RecordPublisher = await connectPublisher(createKafka(config, runtime.logger), config, log);
  let pending: Promise<void> = Promise.resolve();
  let stopped = false;
  // In order, one batch of facts after the other; a failed batch is retried with backoff
  // (the later ones wait) until it is acknowledged or the publisher stops.
  const publishWithRetry = async (position: number, records: ReturnType<typeof factRecord>[]) => {
    for (let failures = 0; ; failures++) {
      try {
        await publisher.publish(TOPICS.performance, records);
        return;
      } catch (err) {
        if (stopped) {
          log.warn({ err, position, facts: records.length }, 'derived facts dropped at stop');
          return;
        }
        log.warn({ err, position, failures: failures + 1 }, 'derived facts not published; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 100 * 2 ** failures)));
      }
    }
  };
  const onProjected = (position: number, facts: readonly DerivedFact[]) => {
    if (facts.length === 0) return;
    const records = facts.map(factRecord);
    pending = pending.then(() => publishWithRetry(position, records));
  };
  runtime.bus.on('projected', onProjected);
  return {
    async flush() {
      await publisher.flush();
      await pending;
    },
    async stop() {
      runtime.bus.off('projected', onProjected);
      stopped = true;
      await publisher.flush();
      await pending;
      await publisher.disconnect();
    },
  };
}
