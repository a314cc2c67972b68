/**
 * Benchmark (figures for docs/kafka.md, not a test): what each CHANPERF_KAFKA_ORDERING costs
 * in latency, from an event's time to its append to the log, on the mock broker.
 *
 *   node packages/kafka/dist/bench/orderLatency.js [--seconds 15] [--rate 200] [--idle 5000]
 *
 * A live stream: 40 channels keyed over 4 ERP partitions, `--rate` sales per second with
 * `occurredAt` = the instant they are produced, and a PromotionScheduled on the control
 * topic every second. Two shapes: `uniform` (every partition busy) and `sparse` (the
 * channels of partition 3 send one sale every 2 s). For each ordering (arrival, control,
 * merge) a fresh log and consumer group; prints one JSON line per ordering and shape with
 * percentiles of append time − event time (records of the last second excluded: the
 * stream's end is not steady state).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { pino } from 'pino';
import { loadConfig, openRuntime } from '@chanperf/runtime';
import {
  createKafka,
  engineErpIngestion,
  erpRoute,
  loadKafkaConfig,
  partitionOfKey,
  startErpConsumer,
  TOPICS,
  type ErpIngestion,
  type KafkaConfig,
  type Ordering,
} from '../index.js';
import { buildMockBroker, startMockBroker } from './devBroker.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    rate: { type: 'string', default: '200' },
    idle: { type: 'string', default: '5000' },
  },
});
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const PARTITIONS = 4;
const print = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);
const logger = pino({ level: process.env.CHANPERF_LOG_LEVEL ?? 'warn' }, pino.destination(2));
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const problem = buildMockBroker();
if (problem !== undefined) {
  process.stderr.write(`bench: no broker: ${problem}\n`);
  process.exit(1);
}
/** A fresh broker per run: a new group reading from the beginning must see this run's records only. */
async function withBroker<T>(f: (config: KafkaConfig) => Promise<T>): Promise<T> {
  const broker = await startMockBroker({
    topics: [
      { name: TOPICS.erpEvents, partitions: PARTITIONS },
      { name: TOPICS.erpControl, partitions: 1 },
    ],
  });
  try {
    const config = loadKafkaConfig({
      CHANPERF_KAFKA_BROKERS: broker.bootstrap,
      CHANPERF_KAFKA_IDEMPOTENT: 'false',
      CHANPERF_KAFKA_FETCH_MAX_WAIT_MS: '100',
      CHANPERF_KAFKA_IDLE_TIMEOUT_MS: values.idle,
    });
    if (E.isLeft(config) || config.right === undefined) throw new Error('bench: bad Kafka configuration');
    return await f(config.right);
  } finally {
    await broker.stop(0);
  }
}

const CHANNELS = Array.from({ length: 40 }, (_, i) => `C-${i}`);
const event = (id: string, type: string, channelId: string | null, data: object) =>
  JSON.stringify({
    eventId: id,
    type,
    occurredAt: new Date().toISOString(),
    ...(channelId !== null ? { channelId } : {}),
    data,
  });

/** The ERP port, noting when each input was appended (by eventId) and its event time. */
function timed(inner: ErpIngestion, latencies: { control: number[]; channel: number[] }): ErpIngestion {
  return {
    refresh: () => inner.refresh(),
    async ingest(inputs, checkpoint) {
      const outcomes = await inner.ingest(inputs, checkpoint);
      const now = Date.now();
      for (const input of inputs) {
        const e = JSON.parse(input.text) as {
          occurredAt: string;
          channelId?: string;
          data: { late?: boolean };
        };
        if (e.data.late === true) continue;
        (e.channelId === undefined ? latencies.control : latencies.channel).push(
          now - Date.parse(e.occurredAt),
        );
      }
      return outcomes;
    },
  };
}

const percentile = (xs: readonly number[], p: number) =>
  xs.length === 0
    ? null
    : ([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? null);

type Shape = 'uniform' | 'sparse';

/** The timed stream: sales at RATE/s (partition 3's channels every ~2 s when sparse), a promotion every ~1 s. */
async function produceStream(send: (lines: readonly string[]) => Promise<unknown>, shape: Shape) {
  const quiet = new Set(
    CHANNELS.filter((c) => partitionOfKey(TOPICS.erpEvents, c, PARTITIONS) === PARTITIONS - 1),
  );
  const busy = CHANNELS.filter((c) => shape === 'uniform' || !quiet.has(c));
  const start = Date.now();
  let n = 0;
  for (let t = 0; Date.now() - start < SECONDS * 1000; t++) {
    const lines: string[] = [];
    const due = Math.floor(((Date.now() - start) / 1000) * RATE);
    const sale = (c: string) =>
      event(`${shape}-s-${n++}`, 'SaleRecorded', c, {
        orderId: `o-${n}`,
        sku: 'S',
        quantity: 1,
        netAmount: '10.00',
        currency: 'CNY',
      });
    while (n < due) lines.push(sale(busy[n % busy.length] as string));
    if (shape === 'sparse' && t % 100 === 0) for (const c of quiet) lines.push(sale(c));
    if (t % 50 === 0) {
      const at = new Date(Date.now() + 60_000).toISOString();
      const end = new Date(Date.now() + 120_000).toISOString();
      lines.push(
        event(`${shape}-promo-${t}`, 'PromotionScheduled', null, {
          promotionId: `p-${t}`,
          startsAt: at,
          endsAt: end,
          bonusBps: 100,
        }),
      );
    }
    if (lines.length > 0) await send(lines);
    await tick(20);
  }
  return { n, produced: Date.now() - start };
}

async function run(ordering: Ordering, shape: Shape, config: KafkaConfig, report = true) {
  const dataDir = mkdtempSync(join(tmpdir(), 'chanperf-order-latency-'));
  const serviceConfig = loadConfig({ CHANPERF_DATA_DIR: dataDir });
  if (E.isLeft(serviceConfig)) throw new Error(serviceConfig.left);
  const runtime = openRuntime(serviceConfig.right, logger);
  const latencies = { control: [] as number[], channel: [] as number[] };
  const kafka = createKafka(config, logger);
  const producer = kafka.producer({ maxInFlightRequests: 1 });
  await producer.connect();
  const send = (lines: readonly string[]) =>
    producer.sendBatch({
      acks: -1,
      topicMessages: lines.map((value) => ({
        topic: erpRoute(value).topic,
        messages: [{ key: erpRoute(value).key, value }],
      })),
    });
  const consumer = await startErpConsumer(
    runtime,
    { ...config, ordering },
    {
      ingestion: timed(engineErpIngestion(runtime), latencies),
      rejectedPublisher: false,
      groupId: `chanperf-order-latency-${ordering}-${shape}-${process.pid}`,
    },
  );
  while (consumer.assignment().length < PARTITIONS) await tick(5);
  // Registrations first (not measured: `late` marks them), then the timed stream.
  const setup = { late: true };
  await send(
    CHANNELS.map((c) =>
      event(`${shape}-reg-${c}`, 'ChannelRegistered', c, { name: c, kind: 'reseller', ...setup }),
    ),
  );
  const { n, produced } = await produceStream(send, shape);
  const deadline = Date.now() + 60_000;
  while (latencies.channel.length < n && Date.now() < deadline) await tick(20);
  const steady = (xs: number[]) => xs.slice(0, Math.max(0, xs.length - RATE));
  const stats = (xs: number[]) => ({
    n: xs.length,
    p50: percentile(xs, 0.5),
    p95: percentile(xs, 0.95),
    p99: percentile(xs, 0.99),
    max: percentile(xs, 1),
  });
  if (report) {
    print({
      ordering,
      shape,
      idleTimeoutMs: config.idleTimeoutMs,
      producedMs: produced,
      channelMs: stats(steady(latencies.channel)),
      controlMs: stats(latencies.control),
    });
  }
  await producer.disconnect();
  await consumer.stop();
  runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
}

// A first run (not printed) warms up the JIT, SQLite and the broker: without it the first
// ordering measured paid for them (arrival's p50 was 3–10× the same run later).
await withBroker((config) => run('arrival', 'uniform', config, false));
for (const shape of ['uniform', 'sparse'] as const) {
  for (const ordering of ['arrival', 'control', 'merge'] as const) {
    await withBroker((config) => run(ordering, shape, config));
  }
}
