/**
 * Guards the optimised pipeline (issue 6): `chanperf replay` — SQLite, eventIds in a hash
 * table, the projection in the main thread or on its own thread fed by hand-over or by reading
 * the log back — gives
 * exactly the report of `runScenario`, the pure reference that shares none of that machinery,
 * on a generated feed with the demo's mix, in small batches.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings, runScenario } from '@chanperf/domain';
import { writeFeed } from '@chanperf/testing';
import { chanperf } from '../support/cli.js';

let dir: string;
let feed: string;
let reference: unknown;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-reference-'));
  feed = join(dir, 'feed.ndjson');
  const stats = await writeFeed(feed, { seed: 11, partners: 150, months: 12 });
  expect(stats.lines).toBeGreaterThan(10_000);
  const lines = readFileSync(feed, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  reference = JSON.parse(JSON.stringify(runScenario(lines, defaultSettings).report));
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('chanperf replay equals the pure reference', () => {
  it.each([
    [
      'the projection in the main thread, the parsed events handed over',
      { CHANPERF_PROJECTION_THREAD: 'main' },
    ],
    [
      'the projection thread, payloads handed over',
      { CHANPERF_PROJECTION_THREAD: 'worker', CHANPERF_HAND_OVER_LAG: '100000' },
    ],
    [
      'the projection thread reading every entry back from the log (hand-over off, the default)',
      { CHANPERF_PROJECTION_THREAD: 'worker' },
    ],
  ])(
    '%s',
    (_name, env) => {
      const run = chanperf(['replay', feed], { CHANPERF_BATCH_SIZE: '700', ...env });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual(reference);
    },
    120_000,
  );
});
