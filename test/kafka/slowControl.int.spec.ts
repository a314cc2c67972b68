/**
 * Issue 15, "What it must show" 4, the fetch race: Kafka does not order fetches across
 * partitions, so a program event produced before a sale may be fetched after it. Here the
 * control topic's leader answers every request 400 ms late (a second mock broker, `--rtt`),
 * every record is produced before the consumer starts, and the ERP partitions' batches are
 * therefore fetched long before the promotion, the program and the closes. The merge waits
 * for the control partition's end offset before it lets a channel event pass what the
 * control partition may still hold (eventTimeMerge.ts): the figures are the replay's. With
 * the control partition left out of the merge's reckoning (the defect this spec was written
 * for), basic.ndjson's promotion rebate was 0.00 and the tiers were wrong.
 *
 * librdkafka mock only: a real broker cannot be made slow per partition here.
 */
import { describe, expect, it } from 'vitest';
import { TOPICS } from '../../packages/kafka/src/index.js';
import { mockTarget } from './support/brokers.js';
import {
  appliedAll,
  comparable,
  eventTimeSorted,
  interleave,
  produceSends,
  replayReport,
} from './support/eventTimeFeed.js';
import {
  BASIC_LINES,
  brokerPerTest,
  createKafka,
  kafkaConfigOf,
  logger,
  report,
  settle,
  startNode,
  waitUntil,
} from './support/harness.js';

const PARTITIONS = 4;
const SLOW_MS = 400;

const title = 'program events fetched after the sales they precede (a slow control broker)';
if (mockTarget.skip !== undefined) console.warn(`[kafka] "${title}": SKIPPED — ${mockTarget.skip}`);

describe.skipIf(mockTarget.skip !== undefined)(title, () => {
  const t = brokerPerTest('slow-control', () =>
    mockTarget.start(
      [
        { name: TOPICS.erpEvents, partitions: PARTITIONS },
        { name: TOPICS.erpControl, partitions: 1 },
      ],
      {
        brokers: 2,
        leaders: [
          ...Array.from({ length: PARTITIONS }, (_, partition) => ({
            topic: TOPICS.erpEvents,
            partition,
            broker: 1,
          })),
          { topic: TOPICS.erpControl, partition: 0, broker: 2 },
        ],
        rtt: [{ broker: 2, ms: SLOW_MS }],
      },
    ),
  );

  it.each([1, 2])(
    'basic.ndjson (interleaving seed %i) gives the replay of the event-time order',
    async (seed) => {
      const sorted = eventTimeSorted(BASIC_LINES, PARTITIONS, seed);
      const expected = replayReport(
        t.dir.path,
        sorted.map((r) => r.line),
      );
      const config = kafkaConfigOf({ ...t.broker.env, CHANPERF_KAFKA_IDLE_TIMEOUT_MS: '3000' });
      const kafka = createKafka(config, logger());
      // Everything is in Kafka before the consumer starts: its first fetch of the ERP
      // partitions holds every sale, while the control partition's answer is 400 ms away.
      await produceSends(kafka, interleave(sorted, PARTITIONS, seed));
      const node = (t.node = await startNode(t.dir.path, config));
      const consumer = node.consumer;
      await waitUntil(
        'the partitions to be assigned',
        () => (consumer?.assignment().length ?? 0) === PARTITIONS,
      );
      await appliedAll(kafka, node);
      await settle(node);
      const actual = await report(node.runtime);

      expect(comparable(actual)).toEqual(comparable(expected));
      // The figure that went wrong: CH-A's February promotion rebate (the promotion was
      // appended after the sales it covers, so it covered none of them).
      const february = actual.channels
        .find((c) => c.channelId === 'CH-A')
        ?.months.find((m) => m.month === '2026-02');
      expect(february?.rebate.promotion).toBe('6000.00');
    },
    120_000,
  );
});
