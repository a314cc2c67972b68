/**
 * Issue 4, "What it must show" 1 and 4: basic.ndjson produced line by line to one partition
 * of the ERP topic (malformed lines included) gives the spec's report; the rejected topic
 * holds the five bad records with their codes; the alerts topic holds each alert once, and
 * a consumer of it sees every alert in order per channel.
 */
import { expect, it } from 'vitest';
import { HEADERS, TOPICS } from '../../packages/kafka/src/index.js';
import { describeOnBrokers } from './support/brokers.js';
import {
  appliedOffset,
  BASIC_LINES,
  BASIC_REPORT,
  brokerPerTest,
  createKafka,
  figures,
  kafkaConfigOf,
  logger,
  produceLines,
  readTopic,
  readTopics,
  report,
  settle,
  startNode,
  waitUntil,
} from './support/harness.js';

describeOnBrokers('ERP topic → report, rejected and alerts topics', (target) => {
  const t = brokerPerTest('basic', () => target.start([{ name: TOPICS.erpEvents, partitions: 1 }]));

  it('reproduces basic.report.json from the topic, publishes rejections and each alert once', async () => {
    const config = kafkaConfigOf(t.broker.env);
    const kafka = createKafka(config, logger());
    const node = (t.node = await startNode(t.dir.path, config));
    const runtime = node.runtime;

    await produceLines(kafka, BASIC_LINES, { partition: 0 });
    await waitUntil(
      'every record to be applied',
      async () => (await appliedOffset(runtime, 0)) >= BASIC_LINES.length,
    );
    await settle(node);

    const r = await report(runtime);
    expect(figures(r)).toEqual(figures(BASIC_REPORT));
    expect(r.alerts).toEqual(BASIC_REPORT.alerts);
    expect(r.counts).toEqual(BASIC_REPORT.counts);
    // Kafka records have no line numbers: the same rejections, in the same order.
    expect(r.rejected.map((x) => [x.eventId, x.code])).toEqual(
      BASIC_REPORT.rejected.map((x) => [x.eventId, x.code]),
    );

    const topics = await readTopics(kafka, [TOPICS.rejected, TOPICS.alerts, TOPICS.performance]);
    // The rejected topic: the five bad records, raw, with code, message and source headers.
    const rejected = topics.get(TOPICS.rejected) ?? [];
    expect(rejected).toHaveLength(5);
    const byLine = BASIC_REPORT.rejected.map((x) => ({ offset: x.line - 1, code: x.code }));
    expect(
      rejected
        .map((m) => ({
          offset: Number(m.headers[HEADERS.source]?.split('/').pop()),
          code: m.headers[HEADERS.code],
        }))
        .sort((a, b) => a.offset - b.offset),
    ).toEqual(byLine);
    for (const m of rejected) {
      const offset = Number(m.headers[HEADERS.source]?.split('/').pop());
      expect(m.headers[HEADERS.source]).toBe(`${TOPICS.erpEvents}/0/${offset}`);
      expect(m.value.toString('utf8')).toBe(BASIC_LINES[offset]);
      expect(m.headers[HEADERS.message]?.length).toBeGreaterThan(0);
    }

    // The alerts topic: each alert once, and per channel in the order raised.
    const alerts = topics.get(TOPICS.alerts) ?? [];
    const published = alerts.map(
      (m) => JSON.parse(m.value.toString('utf8')) as { id: string; channelId: string },
    );
    expect(published.map((a) => a.id).sort()).toEqual(BASIC_REPORT.alerts.map((a) => a.id).sort());
    for (const m of alerts) {
      const alert = JSON.parse(m.value.toString('utf8')) as { id: string; channelId: string };
      expect(m.key).toBe(alert.channelId);
      expect(m.headers[HEADERS.alertId]).toBe(alert.id);
    }
    const channels = [...new Set(BASIC_REPORT.alerts.map((a) => a.channelId))];
    for (const channel of channels) {
      const seen = alerts
        .filter((m) => m.key === channel)
        .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
        .map((m) => m.headers[HEADERS.alertId]);
      expect(seen).toEqual(BASIC_REPORT.alerts.filter((a) => a.channelId === channel).map((a) => a.id));
    }

    // The performance topic: derived facts keyed by channel, with deterministic ids.
    const facts = topics.get(TOPICS.performance) ?? [];
    const kinds = new Set(facts.map((m) => m.headers[HEADERS.kind]));
    expect(kinds).toEqual(new Set(['MonthFiguresChanged', 'MonthClosed', 'TierChanged', 'AlertRaised']));
    const tierFacts = facts.filter((m) => m.headers[HEADERS.kind] === 'TierChanged');
    expect(tierFacts.map((m) => m.key).sort()).toEqual(['CH-A', 'CH-B']);
  });

  it('keeps consuming past poison records: invalid UTF-8, not JSON, null values', async () => {
    const config = kafkaConfigOf(t.broker.env);
    const kafka = createKafka(config, logger());
    const node = (t.node = await startNode(t.dir.path, config));
    const runtime = node.runtime;
    const poison = [
      Buffer.from([0xff, 0xfe, 0x7b, 0x00]),
      Buffer.from('[1,2,3]'),
      Buffer.from('{"eventId": "x", '),
      Buffer.from(BASIC_LINES[1] ?? ''),
    ];
    // A null value (a tombstone) is skipped like a blank line: not counted, not rejected.
    await produceLines(kafka, [BASIC_LINES[0] ?? '', null, ...poison], { partition: 0 });
    await waitUntil('every record to be applied', async () => (await appliedOffset(runtime, 0)) >= 6);
    await settle(node);
    const counts = await runtime.store.log.counts();
    expect(counts).toEqual({ lines: 5, accepted: 2, duplicates: 0, rejected: 3 });
    const rejected = await readTopic(kafka, TOPICS.rejected);
    expect(rejected.map((m) => m.headers[HEADERS.code])).toEqual([
      'MALFORMED_JSON',
      'MALFORMED_JSON',
      'MALFORMED_JSON',
    ]);
    // The raw bytes are kept exactly, invalid UTF-8 included.
    expect(rejected.map((m) => m.value).find((v) => v[0] === 0xff)).toEqual(poison[0]);
  });
});
