/**
 * Issue 15, "What it must show" 4: channel events keyed by channelId over 4 partitions of the
 * ERP topic, sent in a random interleaving of the partitions (several seeds), and program
 * events on the control topic give the report of `chanperf replay` of the same events in
 * event-time order — basic.ndjson, v2-basic.ndjson and multi-month generated feeds (v1 and
 * v2). Each record's partition is checked to be its key's: the producer keyed, it did not
 * place records by hand.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { generateFeed } from '@chanperf/testing';
import { TOPICS } from '../../packages/kafka/src/index.js';
import { describeOnBrokers } from './support/brokers.js';
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
  readTopic,
  report,
  settle,
  startNode,
  waitUntil,
} from './support/harness.js';
import { sharedSpec } from '../support/sharedSpec.js';

const PARTITIONS = 4;

const V2_BASIC_LINES = readFileSync(sharedSpec('examples-v2', 'v2-basic.ndjson'), 'utf8')
  .split('\n')
  .filter((l) => l !== '');

const generated = (seed: number, v2: boolean) => [
  ...generateFeed({ seed, partners: 24, months: 5, startMonth: '2026-01', badLineRatio: 0.02, v2 }),
];

/** [name, interleaving seed, lines] */
const CASES: readonly (readonly [string, number, () => readonly string[]])[] = [
  ['basic.ndjson', 1, () => BASIC_LINES],
  ['basic.ndjson', 2, () => BASIC_LINES],
  ['basic.ndjson', 3, () => BASIC_LINES],
  ['v2-basic.ndjson', 4, () => V2_BASIC_LINES],
  ['v2-basic.ndjson', 5, () => V2_BASIC_LINES],
  ['a generated 5-month feed (seed 11)', 6, () => generated(11, false)],
  ['a generated 5-month v2 feed (seed 12)', 7, () => generated(12, true)],
];

describeOnBrokers('event-time order over 4 ERP partitions and the control topic', (target) => {
  const t = brokerPerTest('event-time', () =>
    target.start([
      { name: TOPICS.erpEvents, partitions: PARTITIONS },
      { name: TOPICS.erpControl, partitions: 1 },
    ]),
  );

  it.each(CASES)(
    '%s, interleaving seed %i, gives the replay of the event-time order',
    async (_, seed, feed) => {
      const lines = feed();
      const sorted = eventTimeSorted(lines, PARTITIONS, seed);
      const expected = replayReport(
        t.dir.path,
        sorted.map((r) => r.line),
      );
      // A partition that has sent everything may fall idle; one still sending must not (3 s
      // between two of its records would make the rest late on a loaded machine).
      const config = kafkaConfigOf({ ...t.broker.env, CHANPERF_KAFKA_IDLE_TIMEOUT_MS: '3000' });
      const kafka = createKafka(config, logger());
      const node = (t.node = await startNode(t.dir.path, config));
      const consumer = node.consumer;
      await waitUntil(
        'the partitions to be assigned',
        () => (consumer?.assignment().length ?? 0) === PARTITIONS,
      );

      const sends = interleave(sorted, PARTITIONS, seed);
      await produceSends(kafka, sends);
      await appliedAll(kafka, node);
      await settle(node);
      const actual = await report(node.runtime);

      expect(comparable(actual)).toEqual(comparable(expected));
      expect(actual.counts.lines).toBe(lines.length);
      // The interleaving really interleaved, and every keyed record is in its key's partition.
      expect(new Set(sends.map((s) => s.partition)).size).toBe(PARTITIONS);
      const records = await readTopic(kafka, TOPICS.erpEvents);
      const partitionOf = new Map(sorted.map((r) => [r.line, r]));
      for (const r of records) {
        const routed = partitionOf.get(r.value.toString('utf8'));
        if (routed?.key !== null) expect(r.partition).toBe(routed?.partition);
      }
    },
    120_000,
  );
});
