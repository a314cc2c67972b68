/**
 * Feeds in event-time order and how a producer that follows docs/kafka.md sends them: the
 * expected order (`eventTimeSorted`), a random interleaving of the ERP partitions with each
 * program event on the control topic before any later channel event (`interleave`), sending
 * it (`produceSends`), waiting until the log holds all of it (`appliedAll`), and the report
 * of `chanperf replay` of the sorted feed (`replayReport`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '@chanperf/domain';
import { mulberry32 } from '@chanperf/testing';
import {
  erpRoute,
  eventTimeOf,
  partitionOfKey,
  TOPICS,
  type Kafka,
} from '../../../packages/kafka/src/index.js';
import { chanperf } from '../../support/cli.js';
import { appliedOffset, waitUntil, type Node } from './harness.js';

/** A line, where it goes, and its place in event-time order. */
export interface RoutedLine {
  readonly line: string;
  readonly topic: string;
  readonly key: string | null;
  /** The ERP partition (the key's, or a seeded pick for an unkeyed line); 0 on the control topic. */
  readonly partition: number;
  /** Event time; a line without one takes the previous line's (it keeps its place). */
  readonly time: number;
  /** Index in the file. */
  readonly index: number;
}

const isControl = (r: RoutedLine) => r.topic === TOPICS.erpControl;

/**
 * Event-time order (docs/kafka.md): by `occurredAt`; at the same instant a program event
 * before a channel event; otherwise the file's order (a stable sort).
 */
export function eventTimeSorted(lines: readonly string[], partitions: number, seed: number): RoutedLine[] {
  const rng = mulberry32(seed);
  let previous = -Infinity;
  const routed = lines.map((line, index): RoutedLine => {
    const { topic, key } = erpRoute(line);
    const time = eventTimeOf(line) ?? previous;
    previous = time;
    const partition =
      topic === TOPICS.erpControl
        ? 0
        : key !== null
          ? partitionOfKey(topic, key, partitions)
          : Math.floor(rng() * partitions);
    return { line, topic, key, partition, time, index };
  });
  return routed.sort(
    (a, b) => a.time - b.time || Number(isControl(b)) - Number(isControl(a)) || a.index - b.index,
  );
}

/** One produce request: `lines` to one partition of `topic`. */
export interface Send {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly RoutedLine[];
}

/**
 * A random interleaving of the ERP partitions (each keeps its event-time order; runs of 1–8
 * records), with each program event sent alone before the first channel event that comes
 * after it in event-time order — when it happens, as docs/kafka.md asks of producers.
 */
export function interleave(sorted: readonly RoutedLine[], partitions: number, seed: number): Send[] {
  const rng = mulberry32(seed);
  const rank = new Map(sorted.map((r, i) => [r, i]));
  const rankOf = (r: RoutedLine | undefined) => (r === undefined ? Infinity : (rank.get(r) ?? 0));
  const queues = Array.from({ length: partitions }, (_, p) =>
    sorted.filter((r) => !isControl(r) && r.partition === p),
  );
  const controls = sorted.filter(isControl);
  const sends: Send[] = [];
  for (;;) {
    const open = queues.filter((q) => q.length > 0);
    const queue = open[Math.floor(rng() * open.length)];
    if (queue === undefined) break;
    // The program events before this run's first record go first, each alone.
    while (rankOf(controls[0]) < rankOf(queue[0])) {
      sends.push({ topic: TOPICS.erpControl, partition: 0, records: [controls.shift() as RoutedLine] });
    }
    // The run: 1–8 records, none after the next program event.
    const n = 1 + Math.floor(rng() * 8);
    let take = 0;
    while (take < n && take < queue.length && rankOf(queue[take]) < rankOf(controls[0])) take++;
    const records = queue.splice(0, Math.max(1, take));
    sends.push({ topic: TOPICS.erpEvents, partition: (records[0] as RoutedLine).partition, records });
  }
  for (const c of controls) sends.push({ topic: TOPICS.erpControl, partition: 0, records: [c] });
  return sends;
}

/** Sends `sends` one request at a time (so the order of the list is the order produced). */
export async function produceSends(kafka: Kafka, sends: readonly Send[]): Promise<void> {
  const producer = kafka.producer({ maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (const s of sends) {
      await producer.send({
        topic: s.topic,
        acks: -1,
        // Keyed as a producer keys them; the partition is the key's (checked by the specs).
        messages: s.records.map((r) => ({ key: r.key, value: r.line, partition: s.partition })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Waits until the log has applied every partition of the ERP and control topics to its end. */
export async function appliedAll(kafka: Kafka, node: Node, timeoutMs = 60_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends: { topic: string; partition: number; high: number }[] = [];
  try {
    for (const topic of [TOPICS.erpEvents, TOPICS.erpControl]) {
      for (const o of await admin.fetchTopicOffsets(topic))
        ends.push({ topic, partition: o.partition, high: Number(o.high) });
    }
  } finally {
    await admin.disconnect();
  }
  const lagging = async () => {
    const out: string[] = [];
    for (const e of ends) {
      const at = await appliedOffset(node.runtime, e.partition, e.topic);
      if (at < e.high) out.push(`${e.topic}/${e.partition} at ${at} of ${e.high}`);
    }
    return out;
  };
  await waitUntil(
    'the log to hold every ERP and control record',
    async () => (await lagging()).length === 0,
    timeoutMs,
  ).catch(async (err: Error) => {
    throw new Error(`${err.message}: ${(await lagging()).join(', ')}; held ${node.consumer?.held()}`);
  });
}

/** `chanperf replay` of `lines` (written to `dir`), as JSON. */
export function replayReport(dir: string, lines: readonly string[]): Report {
  const path = join(dir, 'event-time-order.ndjson');
  writeFileSync(path, `${lines.join('\n')}\n`);
  const run = chanperf(['replay', path]);
  if (run.status !== 0) throw new Error(`chanperf replay failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Report;
}

/** A report without what depends on where inputs came from (a rejection's line number). */
export function comparable(r: Report) {
  return {
    ...r,
    rejected: r.rejected.map((x) => `${x.eventId ?? 'null'}/${x.code}`).sort(),
  };
}
