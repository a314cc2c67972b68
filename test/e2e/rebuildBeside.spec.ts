/**
 * `chanperf rebuild` builds the read model beside the current one (docs/architecture.md "Read
 * models side by side"), with the built CLI and a real `serve`:
 * - while it runs, serve answers every query from the old read model, complete; after the
 *   switch, from the new one; the position header never goes backwards;
 * - SIGKILLed mid-way, it leaves the old read model current and correct, and the next rebuild
 *   resumes where it stopped and completes.
 *
 * To tell the two read models apart, the old one's channel names are edited in its file before
 * serve starts (a read model only the log can put right): the new one has the true names.
 */
import Database from 'better-sqlite3';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '@chanperf/domain';
import { ProjectionRunner } from '@chanperf/engine';
import { sqliteStore } from '@chanperf/store-sqlite';
import { writeFeed } from '@chanperf/testing';
import { chanperf, chanperfAsync, serveAsync, stopChild } from '../support/cli.js';

interface Report {
  channels: { name: string }[];
  counts: { accepted: number };
}

let dir: string;
let feed: string;
/** `chanperf replay` of the feed. */
let baseline: Report;
const children: ChildProcess[] = [];

/** Small projection batches: a rebuild of the feed lasts long enough to query (and kill) it. */
const SLOW = { CHANPERF_BATCH_SIZE: '50' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-rebuild-'));
  feed = join(dir, 'feed.ndjson');
  const stats = await writeFeed(feed, { seed: 3, partners: 200, months: 12 });
  expect(stats.lines).toBeGreaterThan(10_000);
  const run = chanperf(['replay', feed]);
  expect(run.status, run.stderr).toBe(0);
  baseline = JSON.parse(run.stdout) as Report;
}, 120_000);

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => stopChild(c)));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A number read from a database file, or 0 while the file or the table does not exist yet. */
function readInt(file: string, sql: string): number {
  if (!existsSync(file)) return 0;
  const conn = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare(sql).pluck().get() as number | undefined) ?? 0;
  } catch {
    return 0;
  } finally {
    conn.close();
  }
}

/** Which of the two files is current (`read_models` in the log's file; none: the first). */
function currentSlot(db: string): number {
  return readInt(db, `SELECT slot FROM read_models WHERE name = 'channel-performance'`);
}

const CHECKPOINT = 'SELECT position FROM rm_checkpoint WHERE id = 1';
/** Whether a builder's lease is in a read model file. */
const LEASE = 'SELECT COUNT(*) FROM leases';

/** A database at `db` holding the feed, projected. */
function ingested(db: string): void {
  const run = chanperf(['ingest', feed, '--db', db, '--quiet']);
  expect(run.status, run.stderr).toBe(0);
}

function report(db: string): Report {
  const run = chanperf(['report', '--db', db]);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Report;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/**
 * One serve's answers around a rebuild: some during it, the old read model's until the switch,
 * then the new one's to the end; positions never go backwards.
 */
function expectOldThenNew(answers: { position: number; model: 'old' | 'new'; duringRebuild: boolean }[]) {
  const during = answers.filter((a) => a.duringRebuild);
  expect(during.length).toBeGreaterThanOrEqual(3);
  expect(during.filter((a) => a.model === 'old').length).toBeGreaterThanOrEqual(2);
  const firstNew = answers.findIndex((a) => a.model === 'new');
  expect(firstNew).toBeGreaterThan(0);
  expect(answers.slice(firstNew).every((a) => a.model === 'new')).toBe(true);
  for (let i = 1; i < answers.length; i++) {
    expect(answers[i]?.position).toBeGreaterThanOrEqual(answers[i - 1]?.position ?? 0);
  }
  expect(answers.at(-1)?.position).toBe(baseline.counts.accepted);
}

describe('rebuild beside the current read model', () => {
  it('while serve answers: the old read model complete until the switch, then the new one; positions never go back', async () => {
    const data = join(dir, 'served');
    const db = join(data, 'chanperf.db');
    mkdirSync(data);
    ingested(db);
    const edited = new Database(`${db}-readmodel`);
    edited.exec(
      `UPDATE rm_channels SET body = json_set(body, '$.name', json_extract(body, '$.name') || ' (old)')`,
    );
    edited.close();
    const old: Report = {
      ...baseline,
      channels: baseline.channels.map((c) => ({ ...c, name: `${c.name} (old)` })),
    };
    // A full serve (it projects: answers from its projection's state) and a query-only one (it
    // answers from the read model as saved).
    const env = { CHANPERF_DATA_DIR: data, CHANPERF_HTTP_HOST: '127.0.0.1', CHANPERF_HTTP_PORT: '0' };
    const nodes = [serveAsync([], env), serveAsync(['--only', 'query'], env)];
    children.push(...nodes.map((n) => n.child));
    const urls = await Promise.all(nodes.map((n) => n.url));
    const first = baseline.channels[0] as { channelId: string; name: string };

    const answers: { position: number; model: 'old' | 'new'; duringRebuild: boolean }[][] = [[], []];
    let rebuilding = true;
    /** The report, then one channel (a cached document), of each serve: old or new, complete. */
    const ask = async () => {
      for (const [i, base] of urls.entries()) {
        const res = await fetch(`${base}/v1/report`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as Report;
        let duringRebuild = rebuilding;
        let model: 'old' | 'new';
        try {
          expect(body).toEqual(old);
          model = 'old';
        } catch {
          expect(body).toEqual(baseline); // neither old nor new (empty, partial): fails here
          model = 'new';
        }
        let position = Number(res.headers.get('x-chanperf-position'));
        answers[i]?.push({ position, model, duringRebuild });
        // A cached document: the switch may come between the two requests, never back.
        const one = await fetch(`${base}/v1/channels/${first.channelId}`);
        duringRebuild = rebuilding;
        const { name } = (await one.json()) as Report['channels'][0];
        expect([first.name, `${first.name} (old)`]).toContain(name);
        model = name === first.name ? 'new' : 'old';
        position = Number(one.headers.get('x-chanperf-position'));
        answers[i]?.push({ position, model, duringRebuild });
      }
    };
    await ask();
    const rebuild = chanperfAsync(['rebuild', '--db', db], { ...SLOW, CHANPERF_LOG_LEVEL: 'info' });
    let stderr = '';
    rebuild.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = exited(rebuild).then((code) => {
      rebuilding = false;
      return code;
    });
    while (rebuilding) await ask();
    expect(await done, stderr).toBe(0);
    await ask();
    for (const node of answers) expectOldThenNew(node);
    expect(stderr).toMatch(/"msg":"read model switched"/);
    expect(currentSlot(db)).toBe(1);
  }, 180_000);

  it('SIGKILLed mid-way: the old read model stays current and correct; the next rebuild resumes and completes', async () => {
    const db = join(dir, 'killed.db');
    ingested(db);
    const head = readInt(db, 'SELECT MAX(position) FROM events');
    const side = `${db}-readmodel-b`;
    const rebuild = chanperfAsync(['rebuild', '--db', db], SLOW);
    const exit = exited(rebuild);
    let running = true;
    void exit.then(() => (running = false));
    while (running && readInt(side, CHECKPOINT) < head / 3) await new Promise((r) => setTimeout(r, 5));
    expect(running).toBe(true); // killed mid-way, not after the end
    rebuild.kill('SIGKILL');
    await exit;
    const stoppedAt = readInt(side, CHECKPOINT);
    expect(stoppedAt).toBeGreaterThan(0);
    expect(stoppedAt).toBeLessThan(head);

    expect(currentSlot(db)).toBe(0);
    expect(readInt(`${db}-readmodel`, CHECKPOINT)).toBe(head);
    expect(report(db)).toEqual(baseline);

    const again = chanperf(['rebuild', '--db', db], { CHANPERF_LOG_LEVEL: 'info' });
    expect(again.status, again.stderr).toBe(0);
    const resumed = /"resumedFrom":(\d+),"msg":"read model: building beside the current one"/.exec(
      again.stderr,
    );
    expect(Number(resumed?.[1])).toBe(stoppedAt);
    expect(JSON.parse(again.stdout)).toMatchObject({ position: head });
    expect(currentSlot(db)).toBe(1);
    expect(readInt(side, CHECKPOINT)).toBe(head);
    expect(report(db)).toEqual(baseline);
  }, 180_000);

  it('a second rebuild while one builds: it waits, naming the first, then builds in its turn', async () => {
    const db = join(dir, 'two.db');
    ingested(db);
    const head = readInt(db, 'SELECT MAX(position) FROM events');
    // The first rebuild runs in this process and stops right after taking the builder's lease
    // (its `onStart`), holding no SQLite lock, until the second (the built CLI) has said it
    // waits: a CLI first rebuild finished before a second had started on a loaded CI machine.
    const store = sqliteStore({ path: db, settings: defaultSettings });
    let resume: () => void = () => undefined;
    const paused = new Promise<void>((r) => (resume = r));
    const first = new ProjectionRunner(store.log, store.readStore, defaultSettings, {
      batchSize: 50,
    }).rebuild({
      what: 'the first rebuild (this test)',
      onStart: () => paused,
    });
    try {
      while (readInt(`${db}-readmodel-b`, LEASE) === 0) await new Promise((r) => setTimeout(r, 5));
      // With no time to wait: refused at once, in one line naming the first (no stack), exit 1.
      const impatient = chanperf(['rebuild', '--db', db, '--wait', '0', '--quiet']);
      expect(impatient.status, impatient.stderr).toBe(1);
      expect(impatient.stderr).toMatch(
        new RegExp(
          `chanperf: the read model beside the current one is being built by pid ${String(process.pid)} on .+\\(the first rebuild \\(this test\\)\\); wait for it or try again later`,
        ),
      );
      expect(impatient.stderr).not.toMatch(/\n\s+at |unexpected failure/);
      const second = chanperfAsync(['rebuild', '--db', db, '--wait', '120']);
      children.push(second);
      let stderr = '';
      second.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const secondDone = exited(second);
      while (!/waiting/.test(stderr) && second.exitCode === null) await new Promise((r) => setTimeout(r, 5));
      expect(stderr).toMatch(
        new RegExp(
          `being built by pid ${String(process.pid)} on .+\\(the first rebuild \\(this test\\)\\); .*waiting`,
        ),
      );
      resume();
      expect(await first).toBe(head);
      expect(await secondDone, stderr).toBe(0);
    } finally {
      resume();
      await first.catch(() => undefined);
      store.close();
    }
    // Two switches: back in the first file, at the head.
    expect(currentSlot(db)).toBe(0);
    expect(readInt(`${db}-readmodel`, CHECKPOINT)).toBe(head);
    expect(report(db)).toEqual(baseline);
  }, 180_000);
});
