/**
 * Crash safety: `chanperf ingest` and `chanperf project` are killed with SIGKILL at random
 * points, several times, then restarted; the report must equal an uninterrupted run's.
 * Kills are triggered by conditions on the database (the log or the checkpoint has moved past
 * a random target), so each kill lands while the process is busy.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, writeFeed } from '@chanperf/testing';
import { readModelPath } from '@chanperf/store-sqlite';
import { chanperf, chanperfAsync } from '../support/cli.js';

let dir: string;
let feed: string;
let baseline: unknown;

/** A number read from the database, or 0 while the file or the table does not exist yet. */
function readInt(db: string, sql: string): number {
  if (!existsSync(db)) return 0;
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare(sql).pluck().get() as number | undefined) ?? 0;
  } catch {
    return 0;
  } finally {
    conn.close();
  }
}

/** Starts the CLI, waits until `progress()` reaches `target`, then SIGKILLs it. */
async function killWhen(
  args: string[],
  progress: () => number,
  target: number,
  env: Readonly<Record<string, string>> = {},
): Promise<'killed' | 'finished'> {
  // Small transactions, so the runs last long enough to be interrupted many times.
  const child = chanperfAsync(args, { ...env, CHANPERF_BATCH_SIZE: '300' });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  void exit.then(() => {
    exited = true;
  });
  while (!exited) {
    if (progress() >= target) {
      child.kill('SIGKILL');
      await exit;
      return 'killed';
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return 'finished';
}

function report(db: string): unknown {
  const run = chanperf(['report', '--db', db]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-crash-'));
  feed = join(dir, 'feed.ndjson');
  const stats = await writeFeed(feed, { seed: 7, partners: 400, months: 12 });
  expect(stats.lines).toBeGreaterThan(30_000);
  const run = chanperf(['replay', feed]);
  expect(run.status).toBe(0);
  baseline = JSON.parse(run.stdout);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('crash safety', () => {
  // A projection thread reads the committed batches back from the log (the default for a
  // file of 200 000 lines or more); CHANPERF_PROJECTION_THREAD=main projects in the ingesting
  // thread. Each layout is named: the feed here is smaller.
  it.each([
    ['in the ingesting thread', { CHANPERF_PROJECTION_THREAD: 'main' }],
    ['on a worker thread', { CHANPERF_PROJECTION_THREAD: 'worker' }],
  ])(
    'SIGKILL during ingest (projection %s), several times, then a restart: the same report',
    async (layout, env) => {
      const db = join(dir, `ingest-kill-${layout.replaceAll(' ', '-')}.db`);
      const random = mulberry32(1);
      const total = (baseline as { counts: { accepted: number } }).counts.accepted;
      let kills = 0;
      for (let i = 1; i <= 5; i++) {
        // Each target lies further into the log than the last, so every run makes progress.
        const target = Math.floor(((i - 1 + random()) / 6) * total);
        const outcome = await killWhen(
          ['ingest', feed, '--db', db],
          () => readInt(db, 'SELECT COALESCE(MAX(position), 0) FROM events'),
          target,
          env,
        );
        if (outcome === 'killed') kills++;
      }
      expect(kills).toBeGreaterThanOrEqual(3);
      const finish = chanperf(['ingest', feed, '--db', db], env);
      expect(finish.status).toBe(0);
      expect(report(db)).toEqual(baseline);
    },
    180_000,
  );

  it('SIGKILL during the projection, several times, then a restart: the same report', async () => {
    const db = join(dir, 'project-kill.db');
    const append = chanperf(['ingest', feed, '--db', db, '--no-project']);
    expect(append.status).toBe(0);
    const head = readInt(db, 'SELECT MAX(position) FROM events');
    const random = mulberry32(2);
    let kills = 0;
    for (let i = 1; i <= 5; i++) {
      const target = Math.floor(((i - 1 + random()) / 6) * head);
      const outcome = await killWhen(
        ['project', '--db', db],
        () => readInt(readModelPath(db), 'SELECT position FROM rm_checkpoint WHERE id = 1'),
        target,
      );
      if (outcome === 'killed') kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(report(db)).toEqual(baseline);
  }, 180_000);

  it('ingesting the same file again after it completed counts nothing twice', () => {
    const db = join(dir, 'twice.db');
    expect(chanperf(['ingest', feed, '--db', db]).status).toBe(0);
    const again = chanperf(['ingest', feed, '--db', db]);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ lines: 0, accepted: 0, duplicates: 0, rejected: 0 });
    expect(report(db)).toEqual(baseline);
  }, 120_000);
});
