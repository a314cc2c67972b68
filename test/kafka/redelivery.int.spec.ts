/**
 * Issue 4, "What it must show" 2: the ingestion consumer is killed with SIGKILL mid-stream
 * several times and restarted; the figures, counts, rejections and alerts equal an
 * uninterrupted run's, and no alert nor rejected record is published twice.
 *
 * The node runs in a child process (test/kafka/erpRunner.ts) with small chunks, so a kill
 * lands between any two steps: log commit, rejected publish, offset commit, projection,
 * alert publish. Kills are triggered by conditions on the log (the partition's checkpoint has
 * passed a target), never by timers.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { readModelPath } from '@chanperf/store-sqlite';
import { generateFeed } from '@chanperf/testing';
import { createIngestion } from '@chanperf/ingestion';
import { startProjection } from '@chanperf/projection';
import { HEADERS, TOPICS } from '../../packages/kafka/src/index.js';
import { describeOnBrokers, type RunningBroker } from './support/brokers.js';
import { buildRunner, kill, startRunner, type Child } from './support/child.js';
import {
  createKafka,
  figures,
  kafkaConfigOf,
  logger,
  openTestRuntime,
  produceLines,
  readTopics,
  report,
  tempDir,
  waitUntil,
} from './support/harness.js';

const FEED = [...generateFeed({ seed: 7, partners: 40, months: 5, badLineRatio: 0.03 })];

/** A number from the child's database, or 0 while the file or the row does not exist yet. */
function readInt(dbPath: string, sql: string): number {
  if (!existsSync(dbPath)) return 0;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    return (db.prepare(sql).pluck().get() as number | undefined) ?? 0;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

let buildProblem: string | undefined;
beforeAll(() => {
  buildProblem = buildRunner();
}, 300_000);

describeOnBrokers('redelivery after SIGKILL', (target) => {
  let broker: RunningBroker;
  let dir: ReturnType<typeof tempDir>;
  let child: Child | undefined;

  beforeEach(async () => {
    broker = await target.start([{ name: TOPICS.erpEvents, partitions: 1 }]);
    dir = tempDir('redelivery');
  });
  afterEach(async () => {
    if (child !== undefined) await kill(child, 'SIGKILL');
    await broker.stop();
    dir.remove();
  });

  it('counts nothing twice and publishes no alert twice across kills', async () => {
    expect(buildProblem).toBeUndefined();
    const config = kafkaConfigOf(broker.env);
    const kafka = createKafka(config, logger());

    // The uninterrupted run: the same lines through the same pipeline, no Kafka.
    const baselineDir = tempDir('baseline');
    const baseline = openTestRuntime(baselineDir.path);
    const projection = startProjection(baseline, { pollMs: 20 });
    const ingestion = createIngestion(baseline);
    for (let i = 0; i < FEED.length; i += 500) {
      await ingestion.ingest(
        FEED.slice(i, i + 500).map((text) => ({ text, source: 'baseline', line: null })),
      );
    }
    await projection.waitFor();
    const expected = await report(baseline);
    await projection.stop();
    baseline.close();
    baselineDir.remove();
    expect(expected.alerts.length).toBeGreaterThan(5);
    expect(expected.rejected.length).toBeGreaterThan(5);

    await produceLines(kafka, FEED, { partition: 0 });

    const dbPath = join(dir.path, 'chanperf.db');
    const applied = () =>
      readInt(dbPath, `SELECT offset FROM sources WHERE key = 'kafka:${TOPICS.erpEvents}/0'`);
    const env = {
      ...broker.env,
      CHANPERF_KAFKA_SESSION_TIMEOUT_MS: '3000',
      CHANPERF_DATA_DIR: dir.path,
      RUNNER_CHUNK: '20',
      RUNNER_MAX_BYTES: '8192',
    };
    const targets = [0.15, 0.4, 0.7].map((f) => Math.floor(FEED.length * f));
    for (const at of targets) {
      child = await startRunner(env);
      await waitUntil(`the log to pass offset ${at}`, () => applied() >= at, 60_000, 5);
      await kill(child, 'SIGKILL');
      child = undefined;
    }
    expect(applied()).toBeLessThan(FEED.length);

    child = await startRunner(env);
    await waitUntil('every record to be applied', () => applied() >= FEED.length);
    await waitUntil(
      'the projection and the alerts outbox to finish',
      () =>
        readInt(readModelPath(dbPath), `SELECT position FROM rm_checkpoint`) >=
          readInt(dbPath, `SELECT MAX(position) FROM events`) &&
        readInt(dbPath, `SELECT position FROM kafka_outbox WHERE name = 'alerts'`) >=
          expected.alerts.length &&
        readInt(dbPath, `SELECT position FROM kafka_outbox WHERE name = 'rejected'`) >=
          expected.rejected.length,
    );
    await kill(child, 'SIGTERM');
    child = undefined;

    const runtime = openTestRuntime(dir.path);
    try {
      const actual = await report(runtime);
      expect(figures(actual)).toEqual(figures(expected));
      expect(actual.alerts).toEqual(expected.alerts);
      expect(actual.counts).toEqual(expected.counts);
      expect(actual.rejected.map((r) => [r.eventId, r.code])).toEqual(
        expected.rejected.map((r) => [r.eventId, r.code]),
      );
    } finally {
      runtime.close();
    }

    const topics = await readTopics(kafka, [TOPICS.alerts, TOPICS.rejected]);
    const alerts = topics.get(TOPICS.alerts) ?? [];
    const ids = alerts.map((m) => m.headers[HEADERS.alertId]);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(expected.alerts.map((a) => a.id).sort());

    const rejected = topics.get(TOPICS.rejected) ?? [];
    const sources = rejected.map((m) => m.headers[HEADERS.source]);
    expect(new Set(sources).size).toBe(sources.length);
    expect(rejected).toHaveLength(expected.rejected.length);
  });
});
