/**
 * The shared HTTP server's hardening, on a real socket and real SQLite files:
 * - a full database (SQLITE_FULL, made reproducible with `PRAGMA max_page_count`) answers
 *   507 STORAGE_FULL, not 500 INTERNAL;
 * - API keys are compared in constant time (timingSafeEqual over SHA-256 digests);
 * - /metrics needs a key when keys are configured, unless CHANPERF_METRICS_PUBLIC=true.
 */
import type * as NodeCrypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sqliteConnections } from '@chanperf/store-sqlite';
import { registerIngestionRoutes } from '../../../services/ingestion/src/index.js';
import { loadConfig } from './config.js';
import { createHttpServer, storageFullError } from './http.js';
import { openRuntime, type Runtime } from './runtime.js';

// Counts the comparisons of API keys (the real function still does the work).
const crypto = vi.hoisted(() => ({ calls: [] as [number, number][] }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof NodeCrypto>();
  const timingSafeEqual = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    crypto.calls.push([a.byteLength, b.byteLength]);
    return actual.timingSafeEqual(a, b);
  };
  return { ...actual, default: { ...actual, timingSafeEqual }, timingSafeEqual };
});

const KEYS = {
  analyst: 'analyst-key-0123456789',
  ingest: 'ingest-key-0123456789a',
  admin: 'admin-key-0123456789ab',
  partner: 'partner-key-0123456789',
} as const;
const API_KEYS = JSON.stringify([
  { key: KEYS.analyst, role: 'analyst' },
  { key: KEYS.ingest, role: 'ingest' },
  { key: KEYS.admin, role: 'admin' },
  { key: KEYS.partner, role: 'partner', channelId: 'CH-A' },
]);

const teardown: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of teardown.splice(0).reverse()) await step();
});

interface LogLine {
  level: number;
  msg?: string;
}

async function start(env: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-http-'));
  teardown.push(() => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({ CHANPERF_DATA_DIR: dir, CHANPERF_API_KEYS: API_KEYS, ...env });
  if (E.isLeft(config)) throw new Error(config.left);
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l) as LogLine) });
  const runtime: Runtime = openRuntime(config.right, logger);
  teardown.push(() => runtime.close());
  const app = await createHttpServer(runtime, { ready: () => Promise.resolve(true) });
  await registerIngestionRoutes(app, runtime);
  await app.listen({ host: '127.0.0.1', port: 0 });
  teardown.push(() => app.close());
  const { port } = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const request = async (path: string, key?: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (key !== undefined) headers.set('authorization', `Bearer ${key}`);
    const res = await fetch(url + path, { ...init, headers });
    return { status: res.status, text: await res.text() };
  };
  return { runtime, lines, request };
}

const sale = (i: number) => ({
  eventId: `s-${i}`,
  type: 'SaleRecorded',
  occurredAt: '2026-01-10T10:00:00+08:00',
  channelId: 'CH-A',
  data: { orderId: `O-${i}`, sku: 'P1', quantity: 1, netAmount: '10.00', currency: 'CNY' },
});
const registration = {
  eventId: 'reg-A',
  type: 'ChannelRegistered',
  occurredAt: '2026-01-02T09:00:00+08:00',
  channelId: 'CH-A',
  data: { name: 'A', kind: 'agent' },
};

describe('a full database', () => {
  it('given the log cannot grow (SQLITE_FULL), when events are posted, then 507 STORAGE_FULL', async () => {
    const { runtime, lines, request } = await start();
    const post = (events: unknown[]) =>
      request('/v1/events', KEYS.ingest, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(events),
      });
    expect((await post([registration])).status).toBe(200);

    // The log's file may not grow by a single page any more.
    // max_page_count holds for one connection: the store's own (a test may reach it).
    const db = sqliteConnections(runtime.store).log;
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pages = db.pragma('page_count', { simple: true }) as number;
    expect(db.pragma(`max_page_count = ${pages}`, { simple: true })).toBe(pages);

    const events = Array.from({ length: 2000 }, (_, i) => sale(i));
    const r = await post(events);
    expect(r.status, r.text).toBe(507);
    const body = JSON.parse(r.text) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('STORAGE_FULL');
    expect(body.error.message).toMatch(/storage is full/);
    expect(body.error.message).not.toMatch(/SQLITE|internal/i);
    // Logged once, at error level (an operator has to act), without a stack.
    const logged = lines.filter((l) => l.level >= 50);
    expect(logged.map((l) => l.msg)).toEqual(['storage full']);
  });

  it('recognises SQLITE_FULL anywhere in the cause chain, and nothing else', () => {
    const sqlite = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    expect(storageFullError(sqlite)).toBe(sqlite);
    const wrapped = new Error('append failed', { cause: new Error('batch', { cause: sqlite }) });
    expect(storageFullError(wrapped)).toBe(sqlite);
    expect(storageFullError(new Error('x', { cause: { code: 'SQLITE_BUSY' } }))).toBeUndefined();
    expect(storageFullError('SQLITE_FULL')).toBeUndefined();
    // A cycle in the chain ends the walk.
    const a = new Error('a') as Error & { cause?: unknown };
    a.cause = a;
    expect(storageFullError(a)).toBeUndefined();
  });
});

describe('API keys', () => {
  it('compares every key in constant time, over SHA-256 digests (no length shows)', async () => {
    const { request } = await start();
    crypto.calls.length = 0;
    expect((await request('/v1/me', KEYS.analyst)).status).toBe(200);
    // Each configured key is compared with the candidate, 32 bytes against 32 bytes.
    expect(crypto.calls).toEqual(Array.from({ length: 4 }, () => [32, 32]));

    for (const wrong of ['x', `${KEYS.analyst}x`, KEYS.analyst.slice(0, -1), 'analyst-key-0123456788']) {
      crypto.calls.length = 0;
      expect((await request('/v1/me', wrong)).status).toBe(401);
      expect(crypto.calls).toEqual(Array.from({ length: 4 }, () => [32, 32]));
    }
    expect((await request('/v1/me')).status).toBe(401);
    expect(JSON.parse((await request('/v1/me', KEYS.partner)).text)).toEqual({
      role: 'partner',
      channelId: 'CH-A',
    });
  });
});

describe('/metrics', () => {
  it('given keys, then it needs one of a non-partner role', async () => {
    const { request } = await start();
    expect((await request('/metrics')).status).toBe(401);
    expect((await request('/metrics', 'not-a-key-at-all-0000')).status).toBe(401);
    expect((await request('/metrics', KEYS.partner)).status).toBe(403);
    for (const key of [KEYS.analyst, KEYS.ingest, KEYS.admin]) {
      const r = await request('/metrics', key);
      expect(r.status).toBe(200);
      expect(r.text).toContain('chanperf_projection_lag');
    }
  });

  it('given CHANPERF_METRICS_PUBLIC=true, then a scraper needs no key', async () => {
    const { request } = await start({ CHANPERF_METRICS_PUBLIC: 'true' });
    const r = await request('/metrics');
    expect(r.status).toBe(200);
    expect(r.text).toContain('chanperf_events_accepted_total');
    // Only /metrics opens.
    expect((await request('/v1/status')).status).toBe(401);
  });

  it('given no keys (loopback only), then it is open as every route is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chanperf-http-'));
    teardown.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = loadConfig({ CHANPERF_DATA_DIR: dir });
    if (E.isLeft(config)) throw new Error(config.left);
    const runtime = openRuntime(config.right, pino({ level: 'silent' }));
    teardown.push(() => runtime.close());
    const app = await createHttpServer(runtime, { ready: () => Promise.resolve(true) });
    teardown.push(() => app.close());
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(200);
  });
});
