/**
 * Test harness of the Kafka suites: an embedded runtime wired like `serve` with Kafka on
 * (projection, ERP consumer, alerts and performance publishers), producing ERP lines,
 * reading topics back, and waits that are conditions (log checkpoints, consumer lag).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import type { RunningBroker } from './brokers.js';
import { reportOf } from '@chanperf/engine';
import { createIngestion } from '@chanperf/ingestion';
import { startProjection, type ProjectionService } from '@chanperf/projection';
import { loadConfig, openRuntime, type Runtime } from '@chanperf/runtime';
import type { Report } from '@chanperf/domain';
import {
  channelIdOf,
  createKafka,
  erpRoute,
  loadKafkaConfig,
  serviceErpIngestion,
  startAlertsPublisher,
  startErpConsumer,
  startPerformancePublisher,
  TOPICS,
  type AlertsPublisher,
  type ErpConsumer,
  type Kafka,
  type KafkaConfig,
  type PerformancePublisher,
} from '../../../packages/kafka/src/index.js';
import { waitUntil } from '@chanperf/testing';
import { sharedSpec } from '../../support/sharedSpec.js';

export const BASIC_LINES = readFileSync(sharedSpec('examples', 'basic.ndjson'), 'utf8')
  .split('\n')
  .filter((l) => l !== '');
export const BASIC_REPORT = JSON.parse(
  readFileSync(sharedSpec('examples', 'basic.report.json'), 'utf8'),
) as Report;

export const silentLogger = (): Logger => pino({ level: process.env.CHANPERF_TEST_LOG_LEVEL ?? 'silent' });

export function kafkaConfigOf(env: Readonly<Record<string, string>>): KafkaConfig {
  const c = loadKafkaConfig({ ...env });
  if (c._tag === 'Left') throw new Error(c.left);
  if (c.right === undefined) throw new Error('CHANPERF_KAFKA_BROKERS is missing');
  return c.right;
}

export function tempDir(name: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `chanperf-kafka-${name}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** What each test of a suite is given: a broker, a data directory, and the node it starts. */
export interface PerTest {
  broker: RunningBroker;
  dir: ReturnType<typeof tempDir>;
  /** Set by the test that starts one: stopped after it. */
  node: Node | undefined;
}

/**
 * Before each test, a broker (`start`) and a data directory named after `name`; after it, the
 * test's node stopped, the broker stopped, the directory removed.
 */
export function brokerPerTest(name: string, start: () => Promise<RunningBroker>): PerTest {
  const t = { node: undefined } as PerTest;
  beforeEach(async () => {
    t.broker = await start();
    t.dir = tempDir(name);
  });
  afterEach(async () => {
    await t.node?.stop();
    t.node = undefined;
    await t.broker.stop();
    t.dir.remove();
  });
  return t;
}

export function openTestRuntime(dataDir: string, env: Record<string, string> = {}): Runtime {
  const config = loadConfig({ CHANPERF_DATA_DIR: dataDir, ...env });
  if (config._tag === 'Left') throw new Error(config.left);
  return openRuntime(config.right, silentLogger());
}

/** One `serve`-like node with Kafka on. */
export interface Node {
  readonly runtime: Runtime;
  readonly projection: ProjectionService | undefined;
  readonly consumer: ErpConsumer | undefined;
  readonly alerts: AlertsPublisher | undefined;
  readonly performance: PerformancePublisher | undefined;
  stop(): Promise<void>;
}

export async function startNode(
  dataDir: string,
  kafkaConfig: KafkaConfig,
  parts: {
    projection?: boolean;
    consumer?: boolean;
    publishers?: boolean;
    groupId?: string;
    topic?: string;
  } = {},
): Promise<Node> {
  const runtime = openTestRuntime(dataDir);
  const projection = parts.projection !== false ? startProjection(runtime, { pollMs: 50 }) : undefined;
  const alerts =
    parts.publishers !== false
      ? await startAlertsPublisher(runtime, kafkaConfig, { pollMs: 100 })
      : undefined;
  const performance =
    parts.publishers !== false ? await startPerformancePublisher(runtime, kafkaConfig) : undefined;
  const consumer =
    parts.consumer !== false
      ? await startErpConsumer(runtime, kafkaConfig, {
          ingestion: serviceErpIngestion(runtime, createIngestion),
          ...(parts.groupId !== undefined ? { groupId: parts.groupId } : {}),
          ...(parts.topic !== undefined ? { topic: parts.topic } : {}),
        })
      : undefined;
  return {
    runtime,
    projection,
    consumer,
    alerts,
    performance,
    async stop() {
      await consumer?.stop();
      await alerts?.stop();
      await performance?.stop();
      await projection?.stop();
      runtime.close();
    },
  };
}

/**
 * Produces `lines` in order: to `partition` of `topic` (default the ERP topic) when given, else
 * as the README tells producers (`erpRoute`): channel events to the ERP topic keyed by
 * channelId, program events to the control topic, anything else unkeyed to the ERP topic.
 */
export async function produceLines(
  kafka: Kafka,
  lines: readonly (string | Buffer | null)[],
  options: { partition?: number; topic?: string } = {},
): Promise<void> {
  const producer = kafka.producer({ maxInFlightRequests: 1 });
  await producer.connect();
  try {
    if (options.partition !== undefined || options.topic !== undefined) {
      await producer.send({
        topic: options.topic ?? TOPICS.erpEvents,
        acks: -1,
        messages: lines.map((line) => ({
          value: line,
          key: options.partition !== undefined || line === null ? null : channelIdOf(line),
          ...(options.partition !== undefined ? { partition: options.partition } : {}),
        })),
      });
      return;
    }
    // One request for all topics keeps the order of each partition.
    const byTopic = new Map<string, { key: string | null; value: string | Buffer | null }[]>();
    for (const value of lines) {
      const { topic, key } = value === null ? { topic: TOPICS.erpEvents, key: null } : erpRoute(value);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key, value }]);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  } finally {
    await producer.disconnect();
  }
}

export interface ReadRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/** Every record of each of `topics` up to its current end, by partition then offset (one group join). */
export async function readTopics(
  kafka: Kafka,
  topics: readonly string[],
): Promise<Map<string, ReadRecord[]>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  try {
    for (const topic of topics) {
      for (const o of await admin.fetchTopicOffsets(topic)) {
        if (Number(o.high) > Number(o.low)) ends.set(`${topic}/${o.partition}`, Number(o.high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  const out = new Map<string, ReadRecord[]>(topics.map((t) => [t, []]));
  if (ends.size > 0) {
    const consumer = kafka.consumer({
      groupId: `test-reader-${Math.random().toString(36).slice(2)}`,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`reading ${topics.join(', ')} timed out`)), 30_000);
        const remaining = new Set(ends.keys());
        consumer
          .run({
            autoCommit: false,
            eachMessage: ({ topic, partition, message }) => {
              const headers: Record<string, string> = {};
              for (const [k, v] of Object.entries(message.headers ?? {}))
                if (v !== undefined) headers[k] = v.toString();
              out.get(topic)?.push({
                partition,
                offset: Number(message.offset),
                key: message.key?.toString() ?? null,
                value: message.value ?? Buffer.alloc(0),
                headers,
              });
              const at = `${topic}/${partition}`;
              if (Number(message.offset) + 1 >= (ends.get(at) ?? 0)) remaining.delete(at);
              if (remaining.size === 0) {
                clearTimeout(timer);
                resolve();
              }
              return Promise.resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
  }
  for (const records of out.values())
    records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  return out;
}

/** Every record of `topic` up to its current end, by partition then offset. */
export async function readTopic(kafka: Kafka, topic: string): Promise<ReadRecord[]> {
  return (await readTopics(kafka, [topic])).get(topic) ?? [];
}

/** The tests' wait on a condition, on the monotonic clock. */
export { waitUntil };

/** How far the log has applied `topic/partition` (the next offset), from the log's checkpoint. */
export async function appliedOffset(runtime: Runtime, partition: number, topic: string = TOPICS.erpEvents) {
  return (await runtime.store.log.sourceCheckpoint(`kafka:${topic}/${partition}`))?.offset ?? 0;
}

/** Records not yet committed by `groupId` on `topic`, all partitions together. */
export async function consumerLag(
  kafka: Kafka,
  groupId: string,
  topic: string = TOPICS.erpEvents,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    let lag = 0;
    for (const e of ends) {
      const c = committed?.partitions.find((p) => p.partition === e.partition);
      const at = c === undefined || Number(c.offset) < 0 ? Number(e.low) : Number(c.offset);
      lag += Number(e.high) - at;
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

/** Waits until the read model has applied the whole log and the alerts outbox has published it. */
export async function settle(node: Node): Promise<void> {
  const { runtime } = node;
  await waitUntil('the projection to reach the log head', async () => {
    const head = await runtime.store.log.head();
    return (await runtime.store.readStore.position()) >= head;
  });
  if (node.alerts !== undefined) {
    const alerts = node.alerts;
    await waitUntil('the alerts outbox to publish every alert', async () => {
      await alerts.flush();
      return alerts.position() >= (await runtime.store.readStore.alerts()).length;
    });
  }
  await node.performance?.flush();
}

export function report(runtime: Runtime): Promise<Report> {
  const { store, runner, settings } = runtime;
  return reportOf(runner, store.log, store.readStore, store.log, settings);
}

/** The parts of a report that do not depend on where inputs came from. */
export function figures(r: Report) {
  return {
    channels: r.channels,
    program: r.program,
    tierMovements: r.tierMovements,
    lastClosedMonth: r.lastClosedMonth,
  };
}

export { createKafka, silentLogger as logger };
