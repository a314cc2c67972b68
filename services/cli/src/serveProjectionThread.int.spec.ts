/**
 * One `serve`'s projection on a thread of its own (serveProjectionThread.ts):
 * - through `startServer` on a real data directory: the thread holds the lease and projects what
 *   the main thread's ingestion appended; the batches' derived facts reach the main thread's bus
 *   (what alerting, live streams and the Kafka publisher listen to); the queries read what it
 *   committed; closing the server ends the thread and frees the lease for the next process;
 * - the supervision, with a stand-in thread that exits at once: `ready` is false, another
 *   thread is started after the backoff, and `stop` ends the restarts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FactBus, type DerivedFact } from '@chanperf/runtime';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../../test/support/sharedSpec.js';
import { startServer, type Server } from './serve.js';
import { startProjectionThread } from './serveProjectionThread.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Polls `check` every 20 ms until it holds; fails after `timeoutMs`. */
async function waitUntil(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-projection-thread-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function server(dir: string, thread = 'worker'): Promise<Server> {
  const s = await startServer({
    env: {
      CHANPERF_DATA_DIR: dir,
      CHANPERF_HTTP_HOST: '127.0.0.1',
      CHANPERF_HTTP_PORT: '0',
      CHANPERF_SERVE_PROJECTION_THREAD: thread,
    },
    logger: pino({ level: 'silent' }),
  });
  let closed = false;
  cleanups.push(async () => {
    if (!closed) await s.close();
  });
  return {
    ...s,
    async close() {
      closed = true;
      await s.close();
    },
  };
}

describe('serve: the projection on its own thread', () => {
  // CHANPERF_SERVE_PROJECTION_THREAD=main, the other layout, runs the same case.
  it.each([
    ['worker', false],
    ['main', true],
  ])(
    '%s: projects what the main thread appended, hands the facts over, and frees the lease when closed',
    async (thread, here) => {
      const dir = tempDir();
      const s = await server(dir, thread);
      // It listens once the lease is taken: a process started now sees who projects.
      expect(s.projection?.leading()).toBe(true);
      const facts: DerivedFact[] = [];
      s.runtime.bus.on('projected', (_position, batch) => facts.push(...batch));

      const res = await fetch(`${s.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: readFileSync(join(EXAMPLES, 'basic.ndjson'), 'utf8'),
      });
      expect(res.status).toBe(200);
      const head = await s.runtime.store.log.head();
      await s.projection?.waitFor(head);
      expect(s.projection?.leading()).toBe(true);
      expect(await s.projection?.ready()).toBe(true);
      // Whether the read model is this thread's (it is the projection thread's with a worker).
      expect(s.runtime.projecting).toBe(here);
      expect(await s.runtime.store.readStore.position()).toBe(head);

      const want = JSON.parse(readFileSync(join(EXAMPLES, 'basic.report.json'), 'utf8')) as {
        alerts: unknown[];
        channels: { channelId: string }[];
      };
      // Every alert of the report, raised in the thread, came over as a fact.
      await waitUntil(
        'the alerts to come over',
        () => facts.filter((f) => f.kind === 'AlertRaised').length === want.alerts.length,
      );
      expect(facts.filter((f) => f.kind === 'AlertRaised').map((f) => f.alert)).toEqual(want.alerts);
      expect(facts.some((f) => f.kind === 'MonthClosed')).toBe(true);
      // The queries read what the thread committed.
      const channels = await fetch(`${s.url}/v1/channels`);
      expect(channels.status).toBe(200);
      const listed = (await channels.json()) as { channels: { channelId: string }[] };
      expect(listed.channels.map((c) => c.channelId).sort()).toEqual(
        want.channels.map((c) => c.channelId).sort(),
      );

      // Closed: the thread released the lease, so the next process leads at once (a lease left
      // behind would keep it standing by for the lease's 10 s).
      await s.close();
      const next = await server(dir, thread);
      const started = performance.now();
      await waitUntil('the next server to take the lease', () => next.projection?.leading() === true);
      expect(performance.now() - started).toBeLessThan(5000);
    },
  );

  it('starts another thread after the backoff when the thread exits, and stop ends the restarts', async () => {
    const dir = tempDir();
    const script = join(dir, 'exits.mjs');
    writeFileSync(script, 'process.exit(3);\n');
    const lines: { msg: string; restarts?: number; code?: number }[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (l: string) => lines.push(JSON.parse(l) as (typeof lines)[number]) },
    );
    const projection = startProjectionThread(
      { bus: new FactBus(), logger },
      { env: {}, maxLag: 10, what: 'a test', workerUrl: pathToFileURL(script), restartBackoffMs: 50 },
    );
    cleanups.push(() => projection.stop());
    const restarted = () => lines.filter((l) => l.msg === 'the projection thread exited: starting another');
    expect(await projection.ready()).toBe(false);
    expect(projection.leading()).toBe(false);
    // A second exit means a second thread was started after the first backoff (50 ms).
    await waitUntil('a second thread to exit', () => restarted().length >= 2);
    expect(restarted().map((l) => [l.code, l.restarts])).toEqual([
      [3, 1],
      [3, 2],
    ]);
    await projection.stop();
    const after = restarted().length;
    // Nothing to wait on for "no more": five times the longest backoff so far (200 ms) passes,
    // and no thread was started once stopped.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(restarted().length).toBe(after);
  });
});
