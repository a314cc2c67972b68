/**
 * (v2) The four v2 alert kinds on the Kafka alerts topic, through the composition root
 * operators run (`startServer` with CHANPERF_KAFKA_BROKERS): the stream of
 * test/support/v2AlertStream.ts produced to the ERP topic in two halves, serve restarted between
 * them. Every record of the alerts topic is counted by alert id — a duplicate is a failure, not
 * something a consumer's dedupe would hide.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Alert } from '@chanperf/domain';
import { HEADERS, TOPICS, type Kafka } from '../../packages/kafka/src/index.js';
import { startServer, type Server } from '../../services/cli/src/serve.js';
import {
  V2_ALERT_LINES,
  V2_EXPECTED_ALERTS,
  V2_EXPECTED_IDS,
  V2_KINDS,
  V2_RESTART_AT,
  v2SchemaProblem,
} from '../support/v2AlertStream.js';
import { describeOnBrokers, type RunningBroker } from './support/brokers.js';
import {
  createKafka,
  kafkaConfigOf,
  produceLines,
  readTopic,
  silentLogger,
  tempDir,
  waitUntil,
} from './support/harness.js';

/** Records on `topic` now (all partitions), from the broker's offsets; 0 before it exists. */
async function recordsOn(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } catch {
    return 0;
  } finally {
    await admin.disconnect();
  }
}

describeOnBrokers('v2 alerts on the alerts topic through serve', (target) => {
  let broker: RunningBroker;
  let dir: ReturnType<typeof tempDir>;
  let server: Server | undefined;

  beforeEach(async () => {
    broker = await target.start([{ name: TOPICS.erpEvents, partitions: 1 }]);
    dir = tempDir('v2-alerts');
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await broker.stop();
    dir.remove();
  });

  it('given a restart of serve mid-stream, then every alert id is on the alerts topic exactly once, each v2 kind included', async () => {
    const env = { ...broker.env, CHANPERF_DATA_DIR: dir.path, CHANPERF_HTTP_PORT: '0' };
    const kafka = createKafka(kafkaConfigOf(broker.env), silentLogger());
    const alertsOnTopic = () => recordsOn(kafka, TOPICS.alerts);

    // Up to the March close: alerts 1–3 (the v1 miss, CHANNEL_INACTIVE, TARGET_BEHIND/1).
    server = await startServer({ env, logger: silentLogger() });
    await produceLines(kafka, V2_ALERT_LINES.slice(0, V2_RESTART_AT), { partition: 0 });
    await waitUntil('alerts 1–3 on the topic', async () => (await alertsOnTopic()) >= 3, 60_000, 200);
    await server.close();
    server = undefined;
    expect(await alertsOnTopic()).toBe(3);

    // After a restart, the late events: alerts 4–6 (both retractions, TARGET_BEHIND/2).
    server = await startServer({ env, logger: silentLogger() });
    await produceLines(kafka, V2_ALERT_LINES.slice(V2_RESTART_AT), { partition: 0 });
    await waitUntil('alerts 1–6 on the topic', async () => (await alertsOnTopic()) >= 6, 60_000, 200);
    const log = (await (await fetch(`${server.url}/v1/alerts`)).json()) as { alerts: { alert: Alert }[] };
    expect(log.alerts.map((e) => e.alert)).toEqual(V2_EXPECTED_ALERTS);
    // Stopped (publishers flushed) before reading, so a late duplicate would be on the topic.
    await server.close();
    server = undefined;

    const records = await readTopic(kafka, TOPICS.alerts);
    const counts: Record<string, number> = {};
    for (const r of records) {
      const id = r.headers[HEADERS.alertId] ?? '(no id header)';
      counts[id] = (counts[id] ?? 0) + 1;
    }
    expect(counts).toEqual(Object.fromEntries(V2_EXPECTED_IDS.map((id) => [id, 1])));

    const payloads = records.map((r) => JSON.parse(r.value.toString('utf8')) as Alert);
    for (const [i, r] of records.entries()) {
      expect(payloads[i]!.id).toBe(r.headers[HEADERS.alertId]);
      expect(r.headers[HEADERS.kind]).toBe(payloads[i]!.kind);
      expect(r.key).toBe(payloads[i]!.channelId);
    }
    const byId = (a: Alert, b: Alert) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    expect([...payloads].sort(byId)).toEqual([...V2_EXPECTED_ALERTS].sort(byId));
    // One key, one partition: each channel's alerts are in the order raised.
    for (const channelId of ['IDLE-1', 'TGT-1'])
      expect(payloads.filter((a) => a.channelId === channelId)).toEqual(
        V2_EXPECTED_ALERTS.filter((a) => a.channelId === channelId),
      );
    const v2 = payloads.filter((a) => V2_KINDS.includes(a.kind as never));
    expect(new Set(v2.map((a) => a.kind))).toEqual(new Set(V2_KINDS));
    for (const alert of v2) expect(v2SchemaProblem(alert), alert.id).toBeUndefined();
  }, 120_000);
});
