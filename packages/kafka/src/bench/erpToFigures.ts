/**
 * Benchmark (a figure, not a test): events per second from the ERP topic to projected
 * figures, on the mock broker (or on CHANPERF_KAFKA_BROKERS when set).
 *
 *   node packages/kafka/dist/bench/erpToFigures.js [--events 100000] [--chunk 1000]
 *
 * Generates a seeded feed (`@chanperf/feed-generator`) and produces it to one partition of
 * the ERP topic while a node consumes it — ERP consumer → ingestion (validation, log) →
 * projection — timing from the first record produced until the read model reflects the
 * whole log (the group join before it is printed apart). Prints one JSON line per phase.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { Partitioners } from 'kafkajs';
import { pino } from 'pino';
import { loadConfig, openRuntime } from '@chanperf/runtime';
import { generateFeed } from '@chanperf/testing';
import { createKafka, engineErpIngestion, loadKafkaConfig, startErpConsumer, TOPICS } from '../index.js';
import { buildMockBroker, startMockBroker, type MockBroker } from './devBroker.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    chunk: { type: 'string', default: '1000' },
  },
});
const events = Number(values.events);
const chunkSize = Number(values.chunk);
const print = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);

let broker: MockBroker | undefined;
let brokers = process.env.CHANPERF_KAFKA_BROKERS;
if (brokers === undefined || brokers === '') {
  const problem = buildMockBroker();
  if (problem !== undefined) {
    process.stderr.write(`bench: no broker: ${problem}\n`);
    process.exit(1);
  }
  broker = await startMockBroker({
    topics: [
      { name: TOPICS.erpEvents, partitions: 1 },
      { name: TOPICS.erpControl, partitions: 1 },
    ],
  });
  brokers = broker.bootstrap;
}
const kafkaConfig = loadKafkaConfig({
  ...process.env,
  CHANPERF_KAFKA_BROKERS: brokers,
  CHANPERF_KAFKA_IDEMPOTENT:
    broker !== undefined ? 'false' : (process.env.CHANPERF_KAFKA_IDEMPOTENT ?? 'true'),
  CHANPERF_KAFKA_FETCH_MAX_WAIT_MS: '100',
  // One partition: the merge holds only its last records, until it is idle this long.
  CHANPERF_KAFKA_IDLE_TIMEOUT_MS: process.env.CHANPERF_KAFKA_IDLE_TIMEOUT_MS ?? '100',
});
if (E.isLeft(kafkaConfig) || kafkaConfig.right === undefined) {
  process.stderr.write(`bench: bad Kafka configuration\n`);
  process.exit(2);
}
const config = kafkaConfig.right;
const logger = pino({ level: process.env.CHANPERF_LOG_LEVEL ?? 'warn' }, pino.destination(2));

// The feed: the first `events` lines of a seeded generated feed.
const lines: string[] = [];
// About 6–7 lines per partner-month: 12 months of events/60 partners is more than enough.
for (const line of generateFeed({ seed: 42, partners: Math.max(20, Math.ceil(events / 60)), months: 12 })) {
  if (lines.length >= events) break;
  lines.push(line);
}

const kafka = createKafka(config, logger);
const dataDir = mkdtempSync(join(tmpdir(), 'chanperf-kafka-bench-'));
const serviceConfig = loadConfig({ CHANPERF_DATA_DIR: dataDir });
if (E.isLeft(serviceConfig)) throw new Error(serviceConfig.left);
const runtime = openRuntime(serviceConfig.right, logger);
// A projection driven by the bus, like the projection service: one catch-up at a time.
runtime.projecting = true;
let projecting: Promise<unknown> = Promise.resolve();
runtime.bus.on('appended', () => {
  projecting = projecting.then(() => runtime.runner.catchUp());
});

const t0 = performance.now();
const consumer = await startErpConsumer(runtime, config, {
  ingestion: engineErpIngestion(runtime),
  chunkSize,
  rejectedPublisher: false,
  groupId: `chanperf-bench-${process.pid}`,
});
while (consumer.assignment().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
const joinMs = performance.now() - t0;
print({ phase: 'consumer group join', ms: Math.round(joinMs) });

const key = `kafka:${TOPICS.erpEvents}/0`;
const applied = async () => (await runtime.store.log.sourceCheckpoint(key))?.offset ?? 0;
const poll = () => new Promise((resolve) => setTimeout(resolve, 5));

// Produce while the node consumes, keeping the lag under MAX_LAG records: the mock broker
// keeps only a few MB per partition and drops older records beyond that.
const MAX_LAG = 10_000;
const producer = kafka.producer({
  maxInFlightRequests: 1,
  createPartitioner: Partitioners.DefaultPartitioner,
});
await producer.connect();
const start = performance.now();
for (let i = 0; i < lines.length; i += 2000) {
  while (i - (await applied()) > MAX_LAG) await poll();
  await producer.send({
    topic: TOPICS.erpEvents,
    acks: -1,
    messages: lines.slice(i, i + 2000).map((value) => ({ value, partition: 0 })),
  });
}
await producer.disconnect();
while ((await applied()) < lines.length) await poll();
const ingestedMs = performance.now() - start;
await projecting;
await runtime.runner.catchUp();
const projectedMs = performance.now() - start;
const counts = await runtime.store.log.counts();
print({
  phase: 'erp topic → log',
  records: lines.length,
  ms: Math.round(ingestedMs),
  perSecond: Math.round(lines.length / (ingestedMs / 1000)),
});
print({
  phase: 'erp topic → projected figures',
  records: lines.length,
  ms: Math.round(projectedMs),
  eventsPerSecond: Math.round(lines.length / (projectedMs / 1000)),
  accepted: counts.accepted,
  rejected: counts.rejected,
  duplicates: counts.duplicates,
  logPosition: await runtime.store.log.head(),
  projectedPosition: runtime.runner.checkpoint,
});

await consumer.stop();
runtime.close();
rmSync(dataDir, { recursive: true, force: true });

// The same lines straight into the engine (no Kafka), in the same chunks: the ratio says
// what the Kafka edge costs on top of validation, the log and the projection.
const directDir = mkdtempSync(join(tmpdir(), 'chanperf-kafka-bench-direct-'));
const directConfig = loadConfig({ CHANPERF_DATA_DIR: directDir });
if (E.isLeft(directConfig)) throw new Error(directConfig.left);
const direct = openRuntime(directConfig.right, logger);
direct.projecting = true;
const sink = engineErpIngestion(direct);
const directStart = performance.now();
for (let i = 0; i < lines.length; i += chunkSize) {
  const chunk = lines.slice(i, i + chunkSize).map((text, j) => ({ text, source: 'bench', line: i + j + 1 }));
  await sink.ingest(chunk, { key: 'bench', offset: i + chunk.length, line: 0 });
  await direct.runner.catchUp();
}
const directMs = performance.now() - directStart;
direct.close();
rmSync(directDir, { recursive: true, force: true });
print({
  phase: 'same lines straight into the engine (no Kafka)',
  records: lines.length,
  ms: Math.round(directMs),
  eventsPerSecond: Math.round(lines.length / (directMs / 1000)),
  kafkaOverKafkaless: Number(
    (lines.length / (projectedMs / 1000) / (lines.length / (directMs / 1000))).toFixed(2),
  ),
});
await broker?.stop(0);
