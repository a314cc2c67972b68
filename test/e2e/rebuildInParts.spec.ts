/**
 * `chanperf rebuild` with the built CLI, as the README's settings table promises: by default a
 * log of 250 000 entries or more is rebuilt in two parts at once (its log says so) and the report
 * is the replay's; `CHANPERF_REBUILD_PARTS=1` rebuilds on one thread, to the same report, as
 * does the default below 250 000 entries; a value other than 1 or 2 is refused with the
 * variable named.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeFeed } from '@chanperf/testing';
import { chanperf } from '../support/cli.js';

let dir: string;
let db: string;
let replayed: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-parts-e2e-'));
  db = join(dir, 'chanperf.db');
  const feed = join(dir, 'feed.ndjson');
  await writeFeed(feed, { seed: 11, partners: 3400, months: 12 });
  const run = chanperf(['replay', feed, '--db', db, '--quiet']);
  expect(run.status, run.stderr).toBe(0);
  replayed = run.stdout;
  const counts = (JSON.parse(replayed) as { counts: { accepted: number } }).counts;
  expect(counts.accepted).toBeGreaterThan(250_000);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Rebuilds with `env` at the info level; answers the log's messages and the report after. */
function rebuildWith(env: NodeJS.ProcessEnv, at = db): { messages: string[]; report: string } {
  const run = chanperf(['rebuild', '--db', at, '--quiet'], { CHANPERF_LOG_LEVEL: 'info', ...env });
  expect(run.status, run.stderr).toBe(0);
  const messages = run.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => (JSON.parse(l) as { msg: string }).msg);
  const report = chanperf(['report', '--db', at]);
  expect(report.status, report.stderr).toBe(0);
  return { messages, report: report.stdout };
}

it('rebuilds in parts by default, to the replay’s report, and leaves no scratch file', () => {
  const { messages, report } = rebuildWith({});
  expect(messages).toContain('read model: built in parts');
  expect(messages).toContain('read model switched');
  expect(report).toBe(replayed);
  expect(readdirSync(dir).filter((f) => f.includes('-part'))).toStrictEqual([]);
}, 120_000);

it('rebuilds on one thread with CHANPERF_REBUILD_PARTS=1, to the same report', () => {
  const { messages, report } = rebuildWith({ CHANPERF_REBUILD_PARTS: '1' });
  expect(messages).not.toContain('read model: built in parts');
  expect(messages).toContain('read model switched');
  expect(report).toBe(replayed);
}, 120_000);

it('rebuilds a log under 250 000 entries on one thread by default', async () => {
  const small = join(dir, 'small.db');
  const feed = join(dir, 'small.ndjson');
  await writeFeed(feed, { seed: 12, partners: 100, months: 6 });
  const run = chanperf(['replay', feed, '--db', small, '--quiet']);
  expect(run.status, run.stderr).toBe(0);
  const { messages, report } = rebuildWith({}, small);
  expect(messages).not.toContain('read model: built in parts');
  expect(messages).toContain('read model switched');
  expect(report).toBe(run.stdout);
}, 120_000);

it('refuses CHANPERF_REBUILD_PARTS other than 1 or 2, naming it', () => {
  const run = chanperf(['rebuild', '--db', db], { CHANPERF_REBUILD_PARTS: '3' });
  expect(run.status).not.toBe(0);
  expect(run.stderr).toContain('CHANPERF_REBUILD_PARTS');
  expect(run.stderr).toContain('must be 1 or 2');
});
