/**
 * Group commit over a real SQLite store and socket: concurrent bodies committed together each
 * get exactly their own outcomes, one body's bad line touches no other body, and a failed group
 * commit fails each of its requests while everything acknowledged before stays.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RawInput } from '@chanperf/engine';
import { createHttpServer, loadConfig, openRuntime, type App, type Runtime } from '@chanperf/runtime';
import { sqliteConnections } from '@chanperf/store-sqlite';
import { createIngestion, registerIngestionRoutes } from './index.js';

const teardown: (() => unknown)[] = [];
afterEach(async () => {
  for (const t of teardown.splice(0).reverse()) await t();
});

function open(): Runtime {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-group-'));
  teardown.push(() => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({ CHANPERF_DATA_DIR: dir });
  if (E.isLeft(config)) throw new Error(config.left);
  const runtime = openRuntime(config.right, pino({ level: 'silent' }));
  teardown.push(() => runtime.close());
  return runtime;
}

const line = (event: object): RawInput => ({ text: JSON.stringify(event), source: 'http', line: null });
const registration = (channelId: string) =>
  line({
    eventId: `reg-${channelId}`,
    type: 'ChannelRegistered',
    occurredAt: '2026-01-02T09:00:00+08:00',
    channelId,
    data: { name: channelId, kind: 'agent' },
  });
const sale = (channelId: string, n: number) =>
  line({
    eventId: `${channelId}-s${n}`,
    type: 'SaleRecorded',
    occurredAt: '2026-01-10T10:00:00+08:00',
    channelId,
    data: { orderId: `${channelId}-O${n}`, sku: 'P1', quantity: 1, netAmount: '10.00', currency: 'CNY' },
  });

describe('group commit over the SQLite log', () => {
  it('given bodies waiting together, then they commit in one ingest call, each answered with its own outcomes; a bad line stays in its body', async () => {
    const runtime = open();
    const service = createIngestion(runtime);
    const ingestor = await runtime.ingestor();
    const calls = vi.spyOn(ingestor, 'ingest');
    // Three requests in one turn of the event loop: one group.
    const a = service.ingest([
      registration('CH-A'),
      sale('CH-A', 1),
      { text: '{oops', source: 'http', line: 3 },
    ]);
    const b = service.ingest([registration('CH-B'), sale('CH-B', 1), sale('CH-A', 1)]);
    const c = service.ingest([sale('CH-C', 1), { text: '', source: 'http', line: 2 }, sale('CH-B', 2)]);
    const [ra, rb, rc] = await Promise.all([a, b, c]);

    expect(calls).toHaveBeenCalledTimes(1);
    expect(ra?.map((o) => o.status)).toEqual(['accepted', 'accepted', 'rejected']);
    expect(ra?.[2]).toMatchObject({ code: 'MALFORMED_JSON' });
    // b's third line repeats a's second: a duplicate of what a committed just before it.
    expect(rb).toEqual([
      { status: 'accepted', eventId: 'reg-CH-B' },
      { status: 'accepted', eventId: 'CH-B-s1' },
      { status: 'duplicate', eventId: 'CH-A-s1' },
    ]);
    expect(rc?.map((o) => o.status)).toEqual(['rejected', 'skipped', 'accepted']);
    expect(rc?.[0]).toMatchObject({ eventId: 'CH-C-s1', code: 'UNKNOWN_CHANNEL' });
    expect(await runtime.store.log.head()).toBe(5);
  });

  it('given a group commit that fails (storage full), then every request of it gets the error and what was acknowledged before stays', async () => {
    const runtime = open();
    const service = createIngestion(runtime);
    expect((await service.ingest([registration('CH-A')]))[0]?.status).toBe('accepted');

    const db = sqliteConnections(runtime.store).log;
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);

    const calls = vi.spyOn(await runtime.ingestor(), 'ingest');
    const many = (from: number) => Array.from({ length: 2000 }, (_, i) => sale('CH-A', from + i));
    const a = service.ingest(many(0));
    const b = service.ingest(many(2000));
    await expect(a).rejects.toThrow(/full/);
    await expect(b).rejects.toThrow(/full/);
    expect(calls).toHaveBeenCalledTimes(1);
    expect(await runtime.store.log.head()).toBe(1);
    expect(await runtime.store.log.counts()).toMatchObject({ accepted: 1 });
  });
});

describe('POST /v1/events from concurrent clients', () => {
  async function serve(runtime: Runtime): Promise<string> {
    const app: App = await createHttpServer(runtime, { ready: () => Promise.resolve(true) });
    await registerIngestionRoutes(app, runtime);
    teardown.push(() => app.close());
    return app.listen({ host: '127.0.0.1', port: 0 });
  }

  it('answers each body with the outcomes of its own lines, whichever bodies were committed together', async () => {
    const runtime = open();
    const url = await serve(runtime);
    const channels = ['CH-1', 'CH-2', 'CH-3', 'CH-4'];
    const bodies = channels.map((ch) => {
      const lines = [registration(ch), ...Array.from({ length: 300 }, (_, i) => sale(ch, i))].map(
        (l) => l.text,
      );
      if (ch === 'CH-3') lines[7] = '{"eventId": "broken"';
      return `${lines.join('\n')}\n`;
    });
    const answers = await Promise.all(
      bodies.map(async (body) => {
        const res = await fetch(`${url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
          body,
        });
        expect(res.status).toBe(200);
        return (await res.json()) as {
          accepted: number;
          rejected: number;
          results: { index: number; eventId: string | null; status: string; code?: string }[];
        };
      }),
    );
    answers.forEach((answer, k) => {
      const ch = channels[k] as string;
      const bad = ch === 'CH-3' ? 1 : 0;
      expect(answer.accepted).toBe(301 - bad);
      expect(answer.rejected).toBe(bad);
      expect(answer.results.map((r) => r.index)).toEqual(Array.from({ length: 301 }, (_, i) => i));
      for (const r of answer.results) {
        if (r.status === 'accepted') expect(r.eventId?.includes(ch)).toBe(true);
      }
    });
    expect(answers[2]?.results[7]).toMatchObject({ status: 'rejected', code: 'MALFORMED_JSON' });
    expect(await runtime.store.log.head()).toBe(4 * 301 - 1);
  });
});
