/**
 * `CHANPERF_KAFKA_BROKERS` makes `chanperf serve` use Kafka: basic.ndjson produced to the ERP
 * topic comes out of `GET /v1/report` as the spec's report, and its alerts reach the alerts
 * topic — through the same composition root operators run.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Report } from '@chanperf/domain';
import { TOPICS } from '../../packages/kafka/src/index.js';
import { startServer, type Server } from '../../services/cli/src/serve.js';
import { describeOnBrokers, type RunningBroker } from './support/brokers.js';
import {
  BASIC_LINES,
  BASIC_REPORT,
  createKafka,
  figures,
  kafkaConfigOf,
  produceLines,
  readTopic,
  silentLogger,
  tempDir,
  waitUntil,
} from './support/harness.js';

describeOnBrokers('chanperf serve with CHANPERF_KAFKA_BROKERS', (target) => {
  let broker: RunningBroker;
  let dir: ReturnType<typeof tempDir>;
  let server: Server | undefined;

  beforeEach(async () => {
    broker = await target.start([{ name: TOPICS.erpEvents, partitions: 1 }]);
    dir = tempDir('serve');
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await broker.stop();
    dir.remove();
  });

  it('consumes the ERP topic and publishes the alerts of basic.ndjson', async () => {
    server = await startServer({
      env: { ...broker.env, CHANPERF_DATA_DIR: dir.path, CHANPERF_HTTP_PORT: '0' },
      logger: silentLogger(),
    });
    const url = server.url;
    await produceLines(createKafka(kafkaConfigOf(broker.env), silentLogger()), BASIC_LINES, { partition: 0 });
    let report: Report | undefined;
    // Every line counted, and the projection at the log's head (the counts are the ingestion's
    // ledger, committed before the projection applies the batch).
    await waitUntil('the report to hold every line', async () => {
      const res = await fetch(`${url}/v1/report`);
      report = (await res.json()) as Report;
      return (
        report.counts.lines === BASIC_LINES.length &&
        res.headers.get('x-chanperf-position') === String(report.counts.accepted) &&
        report.alerts.length === BASIC_REPORT.alerts.length
      );
    });
    expect(figures(report!)).toEqual(figures(BASIC_REPORT));
    const kafka = createKafka(kafkaConfigOf(broker.env), silentLogger());
    await waitUntil(
      'every alert on the alerts topic',
      async () => (await readTopic(kafka, TOPICS.alerts)).length >= BASIC_REPORT.alerts.length,
    );
    const ids = (await readTopic(kafka, TOPICS.alerts)).map(
      (r) => (JSON.parse(r.value.toString('utf8')) as { id: string }).id,
    );
    expect(ids.sort()).toEqual(BASIC_REPORT.alerts.map((a) => a.id).sort());
  }, 120_000);
});
