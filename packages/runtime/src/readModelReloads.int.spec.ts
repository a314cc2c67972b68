/**
 * A query process's read model (`Runtime.readModel`) while another projector moves the file on:
 * loaded again at most once a reload interval for queries alone (a load reads the whole state),
 * but never behind a position `readModelPosition` (/v1/status) answered — a reader that saw
 * lag 0 reads at least that far.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '@chanperf/domain';
import { ProjectionRunner, type Feed } from '@chanperf/engine';
import { generateFeed, waitUntil } from '@chanperf/testing';
import { loadConfig } from './config.js';
import { openRuntime } from './runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'chanperf-reloads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A runtime over a new data directory holding a generated feed, and a projector beside it. */
async function setUp(name: string, minReloadMs: number) {
  const config = loadConfig({ CHANPERF_DATA_DIR: join(dir, name) });
  if (E.isLeft(config)) throw new Error(config.left);
  const runtime = openRuntime(config.right, pino({ level: 'silent' }), undefined, minReloadMs);
  const ingestor = await runtime.ingestor();
  const lines = [...generateFeed({ seed: 9, partners: 6, months: 3 })];
  await ingestor.ingest(lines.map((text, i) => ({ text, source: 'gen', line: i + 1 })));
  const head = await runtime.store.log.head();
  const log = runtime.store.log;
  const upTo = (n: number): Feed => ({
    read: (after, limit) => log.read(after, Math.max(0, Math.min(limit, n - after))),
  });
  // Another projector (here a runner of its own) commits to the file.
  const project = (n: number) =>
    new ProjectionRunner(upTo(n), runtime.store.readStore, defaultSettings).catchUp();
  return { runtime, head, half: Math.floor(head / 2), project };
}

describe('the read model of a process that does not project', () => {
  it('is not loaded again for queries within the interval, but at once when /v1/status promised more', async () => {
    // An hour between loads for queries alone: only the promise can make one here.
    const { runtime, head, half, project } = await setUp('promised', 3_600_000);
    try {
      expect(await project(half)).toBe(half);
      expect((await runtime.readModel()).position).toBe(half);
      expect(await project(head)).toBe(head);
      // Moved, but loaded a moment ago: the queries keep answering from `half`.
      expect((await runtime.readModel()).position).toBe(half);
      // /v1/status answers the head: the next query reads at least that far.
      expect(await runtime.readModelPosition()).toBe(head);
      const after = await runtime.readModel();
      expect(after.position).toBe(head);
      expect(after.state.channels.size).toBeGreaterThan(0);
    } finally {
      runtime.close();
    }
  });

  it('is loaded again for queries alone once the interval passed', async () => {
    const { runtime, head, half, project } = await setUp('interval', 0);
    try {
      expect(await project(half)).toBe(half);
      expect((await runtime.readModel()).position).toBe(half);
      expect(await project(head)).toBe(head);
      // Three load times at most (a load of this feed takes milliseconds).
      await waitUntil(
        'the queries to read the head',
        async () => (await runtime.readModel()).position === head,
      );
    } finally {
      runtime.close();
    }
  });
});
