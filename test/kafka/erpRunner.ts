/**
 * A child process for the redelivery suite: one `serve`-like node with Kafka on — runtime,
 * projection, ERP consumer (through the ingestion service), alerts and performance
 * publishers — configured from the environment, until SIGTERM (or SIGKILL: that is the
 * point). support/child.ts transpiles it to test/kafka/dist/erpRunner.mjs, which imports the
 * built packages (tsc -b).
 *
 * Extra variables: RUNNER_ROOT (the repository, to find pino), RUNNER_CHUNK (records per log transaction), RUNNER_MAX_BYTES (fetch size
 * per partition), RUNNER_GROUP_ID.
 */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { createIngestion } from '@chanperf/ingestion';
import { startProjection } from '@chanperf/projection';
import { loadConfig, openRuntime } from '@chanperf/runtime';
import {
  loadKafkaConfig,
  serviceErpIngestion,
  startAlertsPublisher,
  startErpConsumer,
  startPerformancePublisher,
} from '../../packages/kafka/src/index.js';

const config = loadConfig(process.env);
const kafkaConfig = loadKafkaConfig(process.env);
if (config._tag === 'Left' || kafkaConfig._tag === 'Left' || kafkaConfig.right === undefined) {
  process.stderr.write(`erpRunner: bad configuration\n`);
  process.exit(2);
}
// pino comes with the runtime package (the workspace root does not depend on it).
const { pino } = createRequire(`${process.env.RUNNER_ROOT ?? '.'}/packages/runtime/package.json`)('pino') as {
  pino: ((options: { level: string }, stream: unknown) => Logger) & { destination(fd: number): unknown };
};
const logger = pino({ level: config.right.logLevel }, pino.destination(2));
const runtime = openRuntime(config.right, logger);
const projection = startProjection(runtime, { pollMs: 50 });
const alerts = await startAlertsPublisher(runtime, kafkaConfig.right, { pollMs: 100 });
const performance = await startPerformancePublisher(runtime, kafkaConfig.right);
const consumer = await startErpConsumer(runtime, kafkaConfig.right, {
  ingestion: serviceErpIngestion(runtime, createIngestion),
  ...(process.env.RUNNER_GROUP_ID !== undefined ? { groupId: process.env.RUNNER_GROUP_ID } : {}),
  ...(process.env.RUNNER_CHUNK !== undefined ? { chunkSize: Number(process.env.RUNNER_CHUNK) } : {}),
  ...(process.env.RUNNER_MAX_BYTES !== undefined
    ? { maxBytesPerPartition: Number(process.env.RUNNER_MAX_BYTES) }
    : {}),
});
process.stdout.write('ready\n');

await new Promise<void>((resolve) => {
  process.once('SIGTERM', resolve);
  process.once('SIGINT', resolve);
});
await consumer.stop();
await alerts.stop();
await performance.stop();
await projection.stop();
runtime.close();
