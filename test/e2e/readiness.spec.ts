/**
 * `/readyz` says whether the figures can be trusted to be current: not ready while the
 * projection fails to advance, or while the read model trails the log by more than
 * CHANPERF_READY_MAX_LAG events (a projector elsewhere that stopped making progress).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '@chanperf/domain';
import { EngineError, PROJECTOR_LEASE } from '@chanperf/engine';
import { sqliteStore } from '@chanperf/store-sqlite';
import { waitUntil } from '@chanperf/testing';
import { startServer, type Server } from '../../services/cli/src/serve.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(dir: string, env: NodeJS.ProcessEnv = {}): Promise<Server> {
  const s = await startServer({
    env: { CHANPERF_DATA_DIR: dir, CHANPERF_HTTP_HOST: '127.0.0.1', CHANPERF_HTTP_PORT: '0', ...env },
    logger: pino({ level: 'silent' }),
  });
  cleanups.push(() => s.close());
  return s;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-ready-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const events = (n: number) =>
  [
    JSON.stringify({
      eventId: 'reg-A',
      type: 'ChannelRegistered',
      occurredAt: '2026-01-02T09:00:00+08:00',
      channelId: 'CH-A',
      data: { name: 'A', kind: 'reseller', online: false, region: 'East' },
    }),
    ...Array.from({ length: n - 1 }, (_, i) =>
      JSON.stringify({
        eventId: `s-${i}`,
        type: 'SaleRecorded',
        occurredAt: '2026-01-10T10:00:00+08:00',
        channelId: 'CH-A',
        data: { orderId: `O-${i}`, sku: 'P', quantity: 1, netAmount: '10.00', currency: 'CNY' },
      }),
    ),
  ].join('\n');

async function post(s: Server, body: string): Promise<void> {
  const res = await fetch(`${s.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body,
  });
  expect(res.status).toBe(200);
}

const readyz = async (s: Server) => (await fetch(`${s.url}/readyz`)).status;

const eventually = (check: () => Promise<boolean>, what: string) => waitUntil(what, check, 30_000);

describe('/readyz', () => {
  it('is 503 while the read model trails the log past CHANPERF_READY_MAX_LAG, 200 once projected', async () => {
    const dir = tempDir();
    // Another process holds the projector's lease and makes no progress.
    const other = sqliteStore({ path: join(dir, 'chanperf.db'), settings: defaultSettings });
    cleanups.push(() => other.close());
    const stuck = other.lease(PROJECTOR_LEASE, 'a stuck projector', { ttlMs: 600_000 });
    expect(stuck.tryAcquire()).toBe(true);

    const s = await server(dir, { CHANPERF_READY_MAX_LAG: '5' });
    await eventually(async () => (await readyz(s)) === 200, 'ready while nothing trails');
    await post(s, events(10));
    expect(await readyz(s)).toBe(503);
    expect(s.projection?.leading()).toBe(false);

    // The stuck projector goes away: this process takes over and catches up.
    stuck.release();
    await eventually(async () => (await readyz(s)) === 200, 'ready once this process projected');
    expect(s.projection?.leading()).toBe(true);
  });

  it('is 503 while the projection fails (a full disk, say), 200 once it advances again', async () => {
    // The failure is made by replacing this thread's read store's `applyBatch`: the projection
    // must run on this thread to meet it (a projection thread's readiness is asked of the
    // thread: serveProjectionThread.int.spec.ts).
    const s = await server(tempDir(), { CHANPERF_SERVE_PROJECTION_THREAD: 'main' });
    await eventually(async () => (await readyz(s)) === 200, 'ready at start');
    const store = s.runtime.store.readStore;
    const applyBatch = store.applyBatch.bind(store);
    store.applyBatch = () => {
      throw new EngineError('STORAGE_FULL', 'database or disk is full', true);
    };
    await post(s, events(3));
    await eventually(async () => (await readyz(s)) === 503, 'not ready while the projection fails');
    store.applyBatch = applyBatch;
    await eventually(async () => (await readyz(s)) === 200, 'ready once the projection advanced');
  });
});
