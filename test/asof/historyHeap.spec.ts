/**
 * The as-of history is built in a worker thread whose heap is capped by
 * CHANPERF_ASOF_MAX_HEAP_MB (README "Settings"): too small a cap stops the build with one clear
 * line and exit 2 (serve: 503 naming the setting), nothing half-written is read; the default
 * builds it, and the report as of a position is the replay of the events up to it.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sharedSpec } from '../support/sharedSpec.js';
import { chanperf, serveAsync, stopChild } from '../support/cli.js';

let dir: string;
let db: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-asof-heap-'));
  db = join(dir, 'chanperf.db');
  const run = chanperf(['ingest', sharedSpec('examples', 'basic.ndjson'), '--db', db, '--quiet']);
  expect(run.status, run.stderr).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('given a heap cap too small for the build, then it exits 2 naming the cap; the default builds it', () => {
  const refused = chanperf(['report', '--db', db, '--as-of', '10'], { CHANPERF_ASOF_MAX_HEAP_MB: '8' });
  expect(refused.status).toBe(2);
  expect(refused.stdout).toBe('');
  expect(refused.stderr).toContain(
    'chanperf: building the as-of history needs more than its 8 MB heap (CHANPERF_ASOF_MAX_HEAP_MB)',
  );

  const built = chanperf(['report', '--db', db, '--as-of', '10']);
  expect(built.status, built.stderr).toBe(0);
  // The reference: a replay of the log's first 10 accepted events.
  const events = chanperf(['export', '--db', db]);
  expect(events.status, events.stderr).toBe(0);
  const payloads = events.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { position?: number; payload?: unknown })
    .filter((e) => e.position !== undefined)
    .slice(0, 10)
    .map((e) => JSON.stringify(e.payload));
  const first10 = join(dir, 'first10.ndjson');
  writeFileSync(first10, payloads.map((p) => `${p}\n`).join(''));
  const replay = chanperf(['replay', first10]);
  expect(replay.status, replay.stderr).toBe(0);
  const figures = (text: string) => {
    const r = JSON.parse(text) as Record<string, unknown>;
    delete r.counts;
    delete r.rejected;
    return r;
  };
  expect(figures(built.stdout)).toEqual(figures(replay.stdout));
  expect(readFileSync(`${db}-history`).length).toBeGreaterThan(0);
});

it('given serve with a heap cap too small for the build, then an as-of read answers 503 naming the cap', async () => {
  const served = join(dir, 'served');
  mkdirSync(served);
  copyFileSync(db, join(served, 'chanperf.db'));
  const server = serveAsync([], {
    CHANPERF_DATA_DIR: served,
    CHANPERF_HTTP_PORT: '0',
    CHANPERF_ASOF_MAX_HEAP_MB: '8',
  });
  try {
    const res = await fetch(`${await server.url}/v1/report?asOf=10`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      code: 'ASOF_OUT_OF_MEMORY',
      detail: 'building the as-of history needs more than its 8 MB heap (CHANPERF_ASOF_MAX_HEAP_MB)',
    });
  } finally {
    await stopChild(server.child);
  }
});
