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
import { defaultSettings, runScenario } from '@chanperf/domain';
import { generateFeed } from '@chanperf/testing';
import { asOfWorkerBuilder } from '@chanperf/store-sqlite';
import { appended, figures, historyOf, ingestedStore } from './historyFixture.js';

const dir = mkdtempSync(join(tmpdir(), 'chanperf-asof-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('reads only the events appended since its last catch-up, and builds the reference history', async () => {
  const { store, ingest } = await ingestedStore(dir, 'kept.db');
  const lines = [...generateFeed({ seed: 12, partners: 12, months: 4 })];
  const cut = Math.floor(lines.length * 0.8);
  await ingest(lines.slice(0, cut));
  const firstHead = await store.log.head();

  const builder = asOfWorkerBuilder(join(dir, 'kept.db'));
  try {
    expect(await builder.catchUp(defaultSettings)).toEqual({ checkpoint: firstHead, read: firstHead });
    await ingest(lines.slice(cut), cut + 1);
    const head = await store.log.head();
    expect(head).toBeGreaterThan(firstHead);
    expect(await builder.catchUp(defaultSettings)).toEqual({ checkpoint: head, read: head - firstHead });
    expect(await builder.catchUp(defaultSettings)).toEqual({ checkpoint: head, read: 0 });

    const asOf = historyOf(store, { catchUp: () => builder(defaultSettings) });
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
  const store = await appended(dir, 'idle.db', [...generateFeed({ seed: 4, partners: 5, months: 2 })]);
  const head = await store.log.head();
  let stopped!: () => void;
  const idleStop = new Promise<void>((resolve) => (stopped = resolve));
  const builder = asOfWorkerBuilder(join(dir, 'idle.db'), { idleMs: 20, onIdleStop: () => stopped() });
  try {
    expect(await builder.catchUp(defaultSettings)).toEqual({ checkpoint: head, read: head });
    await idleStop;
    expect(await builder.catchUp(defaultSettings)).toEqual({ checkpoint: head, read: head });
  } finally {
    await builder.stop();
    store.close();
  }
}, 120_000);
