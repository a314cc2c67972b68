/**
 * The as-of history's build thread (`store-sqlite/src/asOfInWorker.ts`) is kept between
 * catch-ups: after the first has built the history, the next reads only the events appended
 * since (a thread per catch-up replayed the whole log each time); the history it writes gives
 * the reference report; a stopped builder starts a new thread, which replays from the
 * beginning; an idle thread stops by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { defaultSettings, runScenario, type Report } from '@chanperf/domain';
import { asOfHistory, Ingestor } from '@chanperf/engine';
import { generateFeed } from '@chanperf/testing';
import { asOfWorkerBuilder, sqliteStore } from '@chanperf/store-sqlite';

const dir = mkdtempSync(join(tmpdir(), 'chanperf-asof-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function figures(r: Report): unknown {
  const copy = JSON.parse(JSON.stringify(r)) as Partial<Report>;
  delete copy.counts;
  delete copy.rejected;
  return copy;
}

it('reads only the events appended since its last catch-up, and builds the reference history', async () => {
  const path = join(dir, 'kept.db');
  const store = sqliteStore({ path, settings: defaultSettings });
  const ingestor = new Ingestor(store.log, defaultSettings);
  await ingestor.init();
  const lines = [...generateFeed({ seed: 12, partners: 12, months: 4 })];
  const cut = Math.floor(lines.length * 0.8);
  const ingest = (part: string[], from: number) =>
    ingestor.ingest(part.map((text, i) => ({ text, source: 'file:feed', line: from + i + 1 })));
  await ingest(lines.slice(0, cut), 0);
  const firstHead = await store.log.head();

  const builder = asOfWorkerBuilder(path);
  try {
    expect(await builder.catchUp(defaultSettings)).toEqual({ checkpoint: firstHead, read: firstHead });
    await ingest(lines.slice(cut), cut);
    const head = await store.log.head();
    expect(head).toBeGreaterThan(firstHead);
    expect(await builder.catchUp(defaultSettings)).toEqual({ checkpoint: head, read: head - firstHead });
    expect(await builder.catchUp(defaultSettings)).toEqual({ checkpoint: head, read: 0 });

    const { history, commits } = store.asOf();
    const asOf = asOfHistory({
      feed: store.log,
      head: () => store.log.head(),
      store: history,
      commits,
      settings: defaultSettings,
      catchUp: () => builder(defaultSettings),
    });
    const payloads = (await store.log.read(0, head)).map((e) => e.payload);
    for (const p of [firstHead - 1, firstHead, firstHead + 1, head]) {
      const reference = runScenario(payloads.slice(0, p), defaultSettings).report;
      expect(figures(await asOf.reportAt(p)), `as of ${p}`).toEqual(figures(reference));
    }

    // A new thread's projection starts from the log's beginning (it writes nothing until the head).
    await builder.stop();
    expect(await builder.catchUp(defaultSettings)).toEqual({ checkpoint: head, read: head });
  } finally {
    await builder.stop();
    store.close();
  }
}, 120_000);

it('stops its thread once idle; the next catch-up starts another, which replays from the beginning', async () => {
  const path = join(dir, 'idle.db');
  const store = sqliteStore({ path, settings: defaultSettings });
  const ingestor = new Ingestor(store.log, defaultSettings);
  await ingestor.init();
  const lines = [...generateFeed({ seed: 4, partners: 5, months: 2 })];
  await ingestor.ingest(lines.map((text, i) => ({ text, source: 'file:feed', line: i + 1 })));
  const head = await store.log.head();
  let stopped!: () => void;
  const idleStop = new Promise<void>((resolve) => (stopped = resolve));
  const builder = asOfWorkerBuilder(path, { idleMs: 20, onIdleStop: () => stopped() });
  try {
    expect(await builder.catchUp(defaultSettings)).toEqual({ checkpoint: head, read: head });
    await idleStop;
    expect(await builder.catchUp(defaultSettings)).toEqual({ checkpoint: head, read: head });
  } finally {
    await builder.stop();
    store.close();
  }
}, 120_000);
