/**
 * The two mechanisms behind "each once" made visible deterministically:
 * - a consumer group rewound to the beginning redelivers every record; the log's source
 *   checkpoint skips them, so counts, rejections and the rejected topic do not change;
 * - an outbox batch left in doubt by a crash (sent, or maybe not, before its position was
 *   saved) is recovered from the topic's tail: re-sent only where it is missing.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { HEADERS, TOPICS } from '../../packages/kafka/src/index.js';
import { describeOnBrokers, type BrokerTarget, type RunningBroker } from './support/brokers.js';
import {
  appliedOffset,
  BASIC_LINES,
  BASIC_REPORT,
  consumerLag,
  createKafka,
  kafkaConfigOf,
  logger,
  produceLines,
  readTopic,
  readTopics,
  report,
  settle,
  startNode,
  tempDir,
  waitUntil,
  type Node,
} from './support/harness.js';

const GROUP = 'chanperf-ingestion';

/** Simulates a crash between "the broker acknowledged" and "the position was saved". */
function putInDoubt(dataDir: string, outbox: string, position: number, inDoubtTo: number): void {
  const db = new Database(join(dataDir, 'chanperf.db'));
  try {
    db.prepare(`UPDATE kafka_outbox SET position = ?, in_doubt_to = ?, owner = NULL WHERE name = ?`).run(
      position,
      inDoubtTo,
      outbox,
    );
    db.prepare(`DELETE FROM kafka_outbox_ids WHERE name = ?`).run(outbox);
  } finally {
    db.close();
  }
}

describeOnBrokers('redelivery and outbox recovery', (target: BrokerTarget) => {
  let broker: RunningBroker;
  let dir: ReturnType<typeof tempDir>;
  let node: Node | undefined;

  beforeEach(async () => {
    broker = await target.start([{ name: TOPICS.erpEvents, partitions: 1 }]);
    dir = tempDir('recovery');
  });
  afterEach(async () => {
    await node?.stop();
    node = undefined;
    await broker.stop();
    dir.remove();
  });

  it('skips records redelivered to a new consumer group', async () => {
    const config = kafkaConfigOf(broker.env);
    const kafka = createKafka(config, logger());
    node = await startNode(dir.path, config, { groupId: GROUP });
    await produceLines(kafka, BASIC_LINES, { partition: 0 });
    await waitUntil(
      'every record to be applied',
      async () => (await appliedOffset(node!.runtime, 0)) >= BASIC_LINES.length,
    );
    await waitUntil('the group to commit', async () => (await consumerLag(kafka, GROUP)) === 0);
    await settle(node);
    await node.stop();
    node = undefined;

    // A group with no committed offsets reads the topic from the beginning: every record is
    // delivered again (as after offsets were lost or reset).
    node = await startNode(dir.path, config, { groupId: `${GROUP}-rewound` });
    await waitUntil(
      'the new group to commit',
      async () => (await consumerLag(kafka, `${GROUP}-rewound`)) === 0,
    );
    await settle(node);
    const r = await report(node.runtime);
    expect(r.counts).toEqual(BASIC_REPORT.counts);
    expect(r.alerts).toEqual(BASIC_REPORT.alerts);
    const topics = await readTopics(kafka, [TOPICS.rejected, TOPICS.alerts]);
    expect(topics.get(TOPICS.rejected)).toHaveLength(BASIC_REPORT.rejected.length);
    expect(topics.get(TOPICS.alerts)).toHaveLength(BASIC_REPORT.alerts.length);
  });

  it('recovers an in-doubt alerts batch: re-sends only what the topic lacks', async () => {
    const config = kafkaConfigOf(broker.env);
    const kafka = createKafka(config, logger());
    node = await startNode(dir.path, config);
    await produceLines(kafka, BASIC_LINES, { partition: 0 });
    await waitUntil(
      'every record to be applied',
      async () => (await appliedOffset(node!.runtime, 0)) >= BASIC_LINES.length,
    );
    await settle(node);
    await node.stop();
    node = undefined;

    // Alerts 2–4 were acknowledged but their position was not saved: nothing is re-sent.
    putInDoubt(dir.path, 'alerts', 1, 4);
    node = await startNode(dir.path, config, { consumer: false });
    await settle(node);
    expect(node.alerts?.position()).toBe(4);
    await node.stop();
    node = undefined;
    const alerts = await readTopic(kafka, TOPICS.alerts);
    expect(alerts.map((m) => m.headers[HEADERS.alertId])).toEqual(BASIC_REPORT.alerts.map((a) => a.id));

    // A new, empty broker: alerts 3–4 were in doubt and are not in its topic; 1–2 were done.
    await broker.stop();
    broker = await target.start([]);
    const fresh = kafkaConfigOf(broker.env);
    putInDoubt(dir.path, 'alerts', 2, 4);
    node = await startNode(dir.path, fresh, { consumer: false });
    await settle(node);
    const resent = await readTopic(createKafka(fresh, logger()), TOPICS.alerts);
    expect(resent.map((m) => m.headers[HEADERS.seq])).toEqual(['3', '4']);
    expect(resent.map((m) => m.headers[HEADERS.alertId])).toEqual(
      BASIC_REPORT.alerts.slice(2).map((a) => a.id),
    );
  });
});
