/**
 * An ERP that produces through Kafka transactions: every commit writes a marker, an offset of
 * its own that no consumer is handed, so the control partition's end offset is always one past
 * its last program event. The consumer must count the partition read through the marker, or
 * every channel event after the first program event waits for good (docs/kafka.md, "Event-time
 * order"). Needs a real broker: librdkafka's mock cluster commits transactions without writing
 * markers, and KafkaJS's idempotent producer does not run on it.
 */
import { expect, it } from 'vitest';
import { erpRoute, TOPICS, type Kafka } from '../../packages/kafka/src/index.js';
import { containerTarget, describeOnBrokers } from './support/brokers.js';
import {
  appliedOffset,
  BASIC_LINES,
  BASIC_REPORT,
  brokerPerTest,
  createKafka,
  figures,
  kafkaConfigOf,
  logger,
  report,
  settle,
  startNode,
  waitUntil,
} from './support/harness.js';

/** Each line in a transaction of its own, routed as the README tells producers. */
async function produceInTransactions(kafka: Kafka, lines: readonly string[]): Promise<void> {
  const producer = kafka.producer({
    transactionalId: 'chanperf-test-erp',
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    for (const line of lines) {
      const { topic, key } = erpRoute(line);
      const tx = await producer.transaction();
      await tx.send({ topic, acks: -1, messages: [{ key, value: line, partition: 0 }] });
      await tx.commit();
    }
  } finally {
    await producer.disconnect();
  }
}

describeOnBrokers(
  'program and channel events produced in transactions',
  (target) => {
    const t = brokerPerTest('transactions', () => target.start([{ name: TOPICS.erpEvents, partitions: 1 }]));

    it('gives the figures of basic.report.json: no channel event waits on a commit marker', async () => {
      const config = kafkaConfigOf(t.broker.env);
      const kafka = createKafka(config, logger());
      const node = (t.node = await startNode(t.dir.path, config));
      await produceInTransactions(kafka, BASIC_LINES);
      const admin = kafka.admin();
      await admin.connect();
      const ends = new Map<string, number>();
      for (const topic of [TOPICS.erpEvents, TOPICS.erpControl]) {
        ends.set(topic, Number((await admin.fetchTopicOffsets(topic))[0]?.high ?? 0));
      }
      await admin.disconnect();
      // The last offset of each partition is a marker: the log is applied up to it.
      const runtime = node.runtime;
      await waitUntil('every record to be applied', async () => {
        for (const [topic, end] of ends) if ((await appliedOffset(runtime, 0, topic)) < end - 1) return false;
        return true;
      });
      await settle(node);
      const r = await report(runtime);
      expect(figures(r)).toEqual(figures(BASIC_REPORT));
      expect(r.counts).toEqual(BASIC_REPORT.counts);
    });
  },
  [containerTarget],
);
