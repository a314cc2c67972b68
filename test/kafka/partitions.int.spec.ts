/**
 * Issue 4, "What it must show" 3: two ingestion instances in one consumer group share a
 * 4-partition ERP topic keyed by channel; the monthly figures equal the single-partition run.
 *
 * With two instances each merges only its own partitions by event time (docs/kafka.md,
 * "Several instances"), so the producer follows the documented operating rule for that
 * layout: a program event (to the control topic) is produced only once everything before it
 * is in the log — every partition's checkpoint, control topic included, has reached its end
 * offset — and waited for in the same way.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Report } from '@chanperf/domain';
import { createIngestion } from '@chanperf/ingestion';
import { startProjection } from '@chanperf/projection';
import { deadline, generateFeed } from '@chanperf/testing';
import { channelIdOf, TOPICS, type Kafka } from '../../packages/kafka/src/index.js';
import { describeOnBrokers, type RunningBroker } from './support/brokers.js';
import {
  appliedOffset,
  BASIC_LINES,
  createKafka,
  figures,
  kafkaConfigOf,
  logger,
  openTestRuntime,
  produceLines,
  readTopic,
  report,
  settle,
  startNode,
  tempDir,
  waitUntil,
  type Node,
} from './support/harness.js';

/** Splits a feed into phases: runs of channel events, and each program event alone. */
function phases(lines: readonly string[]): string[][] {
  const out: string[][] = [];
  let run: string[] = [];
  for (const line of lines) {
    if (channelIdOf(line) === null) {
      if (run.length > 0) out.push(run);
      out.push([line]);
      run = [];
    } else run.push(line);
  }
  if (run.length > 0) out.push(run);
  return out;
}

/** What an instance holds, for a failure's message: its partitions, records held, restarts. */
const stateOf = (name: string, n: Node) =>
  `${name}: partitions [${n.consumer?.assignment().join(',') ?? ''}], ${n.consumer?.held() ?? 0} held, ${n.consumer?.restarts() ?? 0} restarts`;

/** How long a phase is expected to take at most, and how much longer it may before the test fails. */
const PHASE_MS = 30_000;
const LATE_MS = 90_000;

/**
 * Waits until the log has applied every partition of the ERP and control topics to its current
 * end (as `node` reads it). Past {@link PHASE_MS} it says so on stderr, with the lagging
 * partitions and each instance's state, and waits {@link LATE_MS} more: a late phase is a
 * finding to read, a phase that never ends fails the test with the same details.
 */
async function drained(kafka: Kafka, node: Node, instances: Readonly<Record<string, Node>>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends: { topic: string; partition: number; high: string }[] = [];
  for (const topic of [TOPICS.erpEvents, TOPICS.erpControl]) {
    for (const e of await admin.fetchTopicOffsets(topic)) ends.push({ topic, ...e });
  }
  await admin.disconnect();
  const lagging = async () => {
    const out: string[] = [];
    for (const e of ends) {
      const at = await appliedOffset(node.runtime, e.partition, e.topic);
      if (at < Number(e.high)) out.push(`${e.topic}/${e.partition} at ${at} of ${e.high}`);
    }
    return out;
  };
  const details = async () =>
    `${(await lagging()).join(', ')}; ${Object.entries(instances)
      .map(([name, n]) => stateOf(name, n))
      .join('; ')}`;
  const applied = async () => (await lagging()).length === 0;
  const what = 'every partition to be applied to its end';
  try {
    await waitUntil(what, applied, PHASE_MS);
  } catch (err) {
    console.warn(`[partitions] ${(err as Error).message}: ${await details()}; waiting longer`);
    const late = deadline(LATE_MS);
    await waitUntil(what, applied, LATE_MS).catch(async (again: Error) => {
      throw new Error(`${again.message}: ${await details()}`);
    });
    console.warn(`[partitions] the phase ended ${late.elapsed()} past ${PHASE_MS} ms`);
  }
}

function alertsPerChannel(r: Report): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const a of r.alerts) out.set(a.channelId, [...(out.get(a.channelId) ?? []), a.id]);
  return out;
}

/**
 * The single-partition run: every line in order through the same pipeline. A single
 * partition delivers exactly that order (basic.int.spec.ts shows it for basic.ndjson).
 */
async function inOrder(lines: readonly string[]): Promise<Report> {
  const dir = tempDir('in-order');
  const runtime = openTestRuntime(dir.path);
  try {
    const projection = startProjection(runtime, { pollMs: 20 });
    const ingestion = createIngestion(runtime);
    for (let i = 0; i < lines.length; i += 500) {
      await ingestion.ingest(
        lines.slice(i, i + 500).map((text) => ({ text, source: 'in-order', line: null })),
      );
    }
    await projection.waitFor();
    await projection.stop();
    return await report(runtime);
  } finally {
    runtime.close();
    dir.remove();
  }
}

describeOnBrokers('two ingestion instances over 4 partitions', (target) => {
  let broker: RunningBroker;
  let dir: ReturnType<typeof tempDir>;
  let nodes: Node[] = [];

  beforeEach(async () => {
    broker = await target.start([{ name: TOPICS.erpEvents, partitions: 4 }]);
    dir = tempDir('partitions');
  });
  afterEach(async () => {
    for (const n of nodes) await n.stop();
    nodes = [];
    await broker.stop();
    dir.remove();
  });

  it('gives the monthly figures of the single-partition run', async () => {
    const feed = [
      ...BASIC_LINES,
      // A second program year after basic.ndjson's months, from a seeded generator.
      ...generateFeed({ seed: 11, partners: 24, months: 4, startMonth: '2026-06', badLineRatio: 0.02 }),
    ];
    const expected = await inOrder(feed);
    const config = kafkaConfigOf(broker.env);
    const kafka = createKafka(config, logger());
    // Instance A projects and publishes; instance B only ingests, into the same log. Both
    // start together, so that the group settles in one generation.
    const [a, b] = await Promise.all([
      startNode(dir.path, config),
      startNode(dir.path, config, { projection: false, publishers: false }),
    ]);
    nodes = [b, a];
    const assigned = () => [a.consumer?.assignment().length ?? 0, b.consumer?.assignment().length ?? 0];
    await waitUntil('both instances to share the 4 partitions', () => {
      const [na = 0, nb = 0] = assigned();
      return na > 0 && nb > 0 && na + nb === 4;
    });
    for (const phase of phases(feed)) {
      await produceLines(kafka, phase);
      await drained(kafka, a, { a, b });
    }
    await settle(a);
    const actual = await report(a.runtime);

    expect(figures(actual)).toEqual(figures(expected));
    expect(actual.counts).toEqual(expected.counts);
    expect(alertsPerChannel(actual)).toEqual(alertsPerChannel(expected));
    expect(new Set(actual.rejected.map((r) => `${r.eventId}/${r.code}`))).toEqual(
      new Set(expected.rejected.map((r) => `${r.eventId}/${r.code}`)),
    );
    // Both instances ingested: every partition got records.
    const records = await readTopic(kafka, TOPICS.erpEvents);
    expect(new Set(records.map((r) => r.partition))).toEqual(new Set([0, 1, 2, 3]));
    // A member KafkaJS gave up on during a rebalance is restarted (and rejoins), so allow time.
  }, 240_000);
});
