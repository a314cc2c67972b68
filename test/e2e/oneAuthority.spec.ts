/**
 * Safe beyond one process (DESIGN.md "Concurrency: the log decides"): any number of processes
 * append to one log and their answers are those of a serial order; one process at a time
 * projects into a read model and delivers alerts; the CLI on a shared database waits its turn.
 *
 * Every comparison is with `chanperf replay` of the same lines in the order they were sent.
 */
import { createServer, type Server } from 'node:http';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '@chanperf/domain';
import { PROJECTOR_LEASE } from '@chanperf/engine';
import { sqliteStore } from '@chanperf/store-sqlite';
import { generateFeed, waitUntil } from '@chanperf/testing';
import { expectReportOverHttp, type ComparableReport } from '../../packages/testing/src/contracts/index.js';
import { chanperf, chanperfAsync, serveAsync } from '../support/cli.js';

interface PostResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: { index: number; eventId: string | null; status: string; code?: string }[];
}
interface Status {
  log: { position: number };
  projection: { position: number };
}

const dirs: string[] = [];
const children: ChildProcess[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-authority-'));
  dirs.push(dir);
  return dir;
}

/** `chanperf serve [--only NAME]` on `dir`; resolves with its URL. */
async function serve(dir: string, only?: string, env: NodeJS.ProcessEnv = {}) {
  const { child, url } = serveAsync(only === undefined ? [] : ['--only', only], {
    CHANPERF_DATA_DIR: dir,
    CHANPERF_HTTP_HOST: '127.0.0.1',
    CHANPERF_HTTP_PORT: '0',
    ...env,
  });
  children.push(child);
  return { child, url: await url };
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => stop(c)));
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function post(url: string, lines: readonly string[]): Promise<PostResult> {
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: lines.join('\n'),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as PostResult;
}

async function status(url: string): Promise<Status> {
  return (await (await fetch(`${url}/v1/status`)).json()) as Status;
}

/** Polls `check` every 50 ms until it holds; fails with `what` after `timeoutMs`. */
const eventually = (check: () => Promise<boolean>, what: () => string, timeoutMs = 60_000) =>
  waitUntil(what, check, timeoutMs);

/** The report of `url` once its read model has reached the log's head. */
async function reportWhenProjected(url: string): Promise<ComparableReport> {
  let last: Status | undefined;
  await eventually(
    async () => {
      last = await status(url);
      return last.projection.position >= last.log.position;
    },
    () => `the read model did not reach the log's head: ${JSON.stringify(last)}`,
  );
  return (await (await fetch(`${url}/v1/report`)).json()) as ComparableReport;
}

/** `chanperf replay` of `lines` as one file, in that order. */
function serialReport(lines: readonly string[]): ComparableReport {
  const file = join(tempDir(), 'serial.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const run = chanperf(['replay', file]);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as ComparableReport;
}

function feed(seed: number, partners: number, months: number): string[] {
  return [...generateFeed({ seed, partners, months })];
}

function chunks(lines: readonly string[], size: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < lines.length; i += size) out.push(lines.slice(i, i + size));
  return out;
}

/** Rows the log of `dir` holds, read through the store (its own connection). */
function logHead(dir: string): Promise<number> {
  const store = sqliteStore({ path: join(dir, 'chanperf.db'), settings: defaultSettings });
  try {
    return store.log.head();
  } finally {
    store.close();
  }
}

const sale = (eventId: string, amount: string) =>
  JSON.stringify({
    eventId,
    type: 'SaleRecorded',
    occurredAt: '2026-04-10T10:00:00+08:00',
    channelId: 'CH-RACE',
    data: { orderId: eventId, sku: 'SKU-1', quantity: 1, netAmount: amount, currency: 'CNY' },
  });

describe('two ingestion processes and a projection process on one data directory', () => {
  it('give the report of a serial replay, and one version of each eventId raced from both', async () => {
    const dir = tempDir();
    const a = await serve(dir, 'ingestion');
    const [b, projection, query] = await Promise.all([
      serve(dir, 'ingestion'),
      serve(dir, 'projection'),
      serve(dir, 'query'),
    ]);
    let acceptedAnswers = 0;

    // A generated multi-month stream, its chunks sent one after the other, alternately to A and B.
    const lines = feed(11, 30, 4);
    const sent: string[] = [];
    for (const [i, chunk] of chunks(lines, 200).entries()) {
      acceptedAnswers += (await post(i % 2 === 0 ? a.url : b.url, chunk)).accepted;
      sent.push(...chunk);
    }
    expectReportOverHttp(await reportWhenProjected(query.url), serialReport(sent));

    // The same 5 000 eventIds posted at once to both, with different content.
    acceptedAnswers += (
      await post(a.url, [
        JSON.stringify({
          eventId: 'reg-CH-RACE',
          type: 'ChannelRegistered',
          occurredAt: '2026-04-01T09:00:00+08:00',
          channelId: 'CH-RACE',
          data: { name: 'Race', kind: 'reseller', online: false, region: 'East' },
        }),
      ])
    ).accepted;
    const ids = Array.from({ length: 5000 }, (_, i) => `race-${i}`);
    const [atA, atB] = await Promise.all([
      post(
        a.url,
        ids.map((id) => sale(id, '10.00')),
      ),
      post(
        b.url,
        ids.map((id) => sale(id, '20.00')),
      ),
    ]);
    acceptedAnswers += atA.accepted + atB.accepted;
    const store = sqliteStore({ path: join(dir, 'chanperf.db'), settings: defaultSettings });
    const held = await store.log.contents(ids);
    store.close();
    ids.forEach((id, i) => {
      const answers = [atA.results[i], atB.results[i]];
      expect(answers.map((r) => r?.eventId)).toEqual([id, id]);
      const accepted = answers.findIndex((r) => r?.status === 'accepted');
      expect(accepted).toBeGreaterThanOrEqual(0);
      expect(answers[1 - accepted]).toMatchObject({ status: 'rejected', code: 'CONFLICTING_DUPLICATE' });
      // The log holds the accepted answer's version.
      expect(held.get(id)).toContain(accepted === 0 ? '"netAmount":"10.00"' : '"netAmount":"20.00"');
    });

    // With identical content, the other answers `duplicate`.
    const same = Array.from({ length: 5000 }, (_, i) => sale(`same-${i}`, '30.00'));
    const [sameA, sameB] = await Promise.all([post(a.url, same), post(b.url, same)]);
    acceptedAnswers += sameA.accepted + sameB.accepted;
    same.forEach((_, i) => {
      const statuses = [sameA.results[i]?.status, sameB.results[i]?.status].sort();
      expect(statuses).toEqual(['accepted', 'duplicate']);
    });

    // Every `accepted` answered is a row of the log, and no row was answered twice.
    expect(acceptedAnswers).toBe(await logHead(dir));
    // The projection process projected all of it; the query process reads it.
    await reportWhenProjected(query.url);
    expect((await status(projection.url)).projection.position).toBe(await logHead(dir));
  });
});

interface Hooks {
  url: string;
  /** Deliveries per alert id. */
  deliveries: Map<string, number>;
  close(): Promise<void>;
}

/** A webhook receiver that accepts everything and counts deliveries by alert id. */
async function hooks(): Promise<Hooks> {
  const deliveries = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['x-chanperf-alert-id']);
      deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    deliveries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The pid holding the projector's lease of `dir` (read through the store). */
function projectorPid(dir: string): number | undefined {
  const store = sqliteStore({ path: join(dir, 'chanperf.db'), settings: defaultSettings });
  try {
    return store.lease(PROJECTOR_LEASE, 'test').holder()?.pid;
  } finally {
    store.close();
  }
}

describe('two full serve on one data directory', () => {
  it('one projects, the other answers; the projector SIGKILLed five times: the serial report, every alert delivered', async () => {
    const dir = tempDir();
    const receiver = await hooks();
    const env = { CHANPERF_WEBHOOK_URL: receiver.url };
    try {
      const nodes = [await serve(dir, undefined, env), await serve(dir, undefined, env)];
      const lines = feed(23, 25, 4);
      const parts = chunks(lines, 80);
      // Five distinct chunks after which the projector dies, chosen at random.
      const killAfter = new Set<number>();
      while (killAfter.size < Math.min(5, parts.length - 1)) {
        killAfter.add(Math.floor(Math.random() * (parts.length - 1)));
      }
      const sent: string[] = [];
      let kills = 0;
      for (const [i, chunk] of parts.entries()) {
        const node = nodes[i % nodes.length];
        if (node === undefined) throw new Error('no node');
        await post(node.url, chunk);
        sent.push(...chunk);
        if (!killAfter.has(i)) continue;
        // A random moment of the projection that follows the append (it gathers for 50 ms).
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 120)));
        let pid: number | undefined;
        await eventually(
          () => Promise.resolve((pid = projectorPid(dir)) !== undefined),
          () => 'no process holds the projector lease',
        );
        const victim = nodes.findIndex((n) => n.child.pid === pid);
        expect(victim).toBeGreaterThanOrEqual(0);
        const dead = nodes[victim];
        if (dead === undefined) throw new Error('no victim');
        await stop(dead.child, 'SIGKILL');
        kills++;
        nodes[victim] = await serve(dir, undefined, env);
      }
      expect(kills).toBe(killAfter.size);

      const expected = serialReport(sent);
      for (const node of nodes) expectReportOverHttp(await reportWhenProjected(node.url), expected);
      // Exactly one live projector.
      const pid = projectorPid(dir);
      expect(nodes.filter((n) => n.child.pid === pid)).toHaveLength(1);

      // Every alert reaches the webhook, by id; a kill can repeat at most the delivery in flight.
      const ids = expected.alerts.map((alert) => (alert as { id: string }).id);
      expect(ids.length).toBeGreaterThan(0);
      await eventually(
        () => Promise.resolve(ids.every((id) => receiver.deliveries.has(id))),
        () => `alerts not delivered: ${ids.filter((id) => !receiver.deliveries.has(id)).join(', ')}`,
      );
      expect([...receiver.deliveries.keys()].sort()).toEqual([...ids].sort());
      const repeated = [...receiver.deliveries.values()].reduce((n, c) => n + c - 1, 0);
      expect(repeated).toBeLessThanOrEqual(kills);
    } finally {
      await receiver.close();
    }
  });
});

/** Resolves with a CLI child's exit code and stderr. */
function finished(child: ChildProcess): Promise<{ code: number | null; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr, stdout })));
}

describe('the CLI on a database another process uses', () => {
  it('two `ingest` of one file started together: the serial report; the one that waited says so', async () => {
    const dir = tempDir();
    const file = join(dir, 'feed.ndjson');
    const lines = feed(31, 40, 4);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const db = join(dir, 'shared.db');
    // The file's turn is held here first (the lease the CLI takes: `ingest:` and the file's
    // identity, `resumePoint.ts`), so both runs surely find it taken however late the second
    // starts: timing the overlap of two short runs failed on a loaded machine, where the first
    // run was done before the second looked. Released once both say they wait; then one runs
    // while the other waits for it, and the report must be the serial one.
    const holder = sqliteStore({ path: db, settings: defaultSettings });
    const identity = createHash('sha256')
      .update(readFileSync(file).subarray(0, 64 * 1024))
      .digest('hex');
    const turn = holder.lease(`ingest:file:${identity}`, 'chanperf ingest feed.ndjson', { ttlMs: 120_000 });
    let one: Awaited<ReturnType<typeof finished>>;
    let two: Awaited<ReturnType<typeof finished>>;
    try {
      expect(turn.tryAcquire()).toBe(true);
      const children = [
        chanperfAsync(['ingest', file, '--db', db]),
        chanperfAsync(['ingest', file, '--db', db]),
      ];
      const said = ['', ''];
      children.forEach((c, i) => c.stderr?.on('data', (d: Buffer) => (said[i] += d.toString())));
      const runs = children.map((c) => finished(c));
      await waitUntil(
        () => `both runs waiting for the turn held here: ${JSON.stringify(said)}`,
        () => said.every((e) => /waiting for pid \d+ on .+\(chanperf ingest feed\.ndjson\)/.test(e)),
      );
      turn.release();
      [one, two] = (await Promise.all(runs)) as [typeof one, typeof two];
    } finally {
      turn.release();
      holder.close();
    }
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    expect(`${one.stderr}${two.stderr}`).toMatch(
      /waiting for pid \d+ on .+\(chanperf ingest feed\.ndjson\), which is ingesting this file/,
    );
    expect(`${one.stderr}${two.stderr}`).not.toMatch(/database is locked/);
    const report = chanperf(['report', '--db', db]);
    expect(report.status, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout)).toEqual(serialReport(lines));
  });

  it('`ingest` while `serve` runs: it appends, serve projects; the serial report', async () => {
    const dir = tempDir();
    const node = await serve(dir);
    const file = join(dir, 'feed.ndjson');
    const lines = feed(37, 30, 4);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const run = await finished(chanperfAsync(['ingest', file, '--db', join(dir, 'chanperf.db')]));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /pid \d+ on .+\(chanperf serve \(pid \d+\)\) projects this database; appending only/,
    );
    const expected = serialReport(lines);
    expect(await reportWhenProjected(node.url)).toEqual(expected);
    // `report` on the same database reads what serve projected, without projecting itself.
    const report = chanperf(['report', '--db', join(dir, 'chanperf.db')]);
    expect(report.status, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout)).toEqual(expected);
    expect(projectorPid(dir)).toBe(node.child.pid);
    // `rebuild` builds beside the read model serve projects and switches to it: no waiting, and
    // serve answers from the new one (test/e2e/rebuildBeside.spec.ts follows the answers).
    const rebuild = chanperf(['rebuild', '--db', join(dir, 'chanperf.db'), '--wait', '1']);
    expect(rebuild.status, rebuild.stderr).toBe(0);
    expect(rebuild.stderr).not.toMatch(/waiting/);
    expect(projectorPid(dir)).toBe(node.child.pid);
    expect(await reportWhenProjected(node.url)).toEqual(expected);
  });
});
