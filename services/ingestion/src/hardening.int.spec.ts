/**
 * The ingestion API's edges: bytes that are not UTF-8, byte-order marks, the item limit and
 * blank lines, content types and encodings, slow bodies, and the limits of the rejected store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, loadConfig, openRuntime, type App, type Runtime } from '@chanperf/runtime';
import { sqliteConnections } from '@chanperf/store-sqlite';
import { MAX_ITEMS, registerIngestionRoutes } from './index.js';

const KEY = 'admin-key-0123456789';

interface Server {
  dir: string;
  runtime: Runtime;
  app: App;
  url: string;
}

async function start(env: Record<string, string>): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-hardening-'));
  const config = loadConfig({
    CHANPERF_DATA_DIR: dir,
    CHANPERF_API_KEYS: JSON.stringify([{ key: KEY, role: 'admin' }]),
    ...env,
  });
  if (E.isLeft(config)) throw new Error(config.left);
  const runtime = openRuntime(config.right, pino({ level: 'silent' }));
  const app = await createHttpServer(runtime, { ready: () => Promise.resolve(true) });
  await registerIngestionRoutes(app, runtime);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { dir, runtime, app, url };
}

async function stop(s: Server): Promise<void> {
  await s.app.close();
  s.runtime.close();
  rmSync(s.dir, { recursive: true, force: true });
}

interface Answer {
  status: number;
  body: unknown;
}

/** A request with exactly these headers (fetch would add a content type of its own). */
function send(
  s: Server,
  path: string,
  body: string | Uint8Array | undefined,
  headers: Record<string, string>,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${s.url}${path}`,
      { method: 'POST', headers: { authorization: `Bearer ${KEY}`, ...headers } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            body: text === '' ? undefined : (JSON.parse(text) as unknown),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const ndjson = (s: Server, body: string | Uint8Array) =>
  send(s, '/v1/events', body, { 'content-type': 'application/x-ndjson' });

type Item = { index: number; eventId: string | null; status: string; code?: string; message?: string };
const results = (a: Answer) => (a.body as { results: Item[] }).results;
const errorOf = (a: Answer) => (a.body as { error: { code: string; message: string } }).error;

const concat = (...parts: (Uint8Array | string)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

const REG = JSON.stringify({
  eventId: 'reg-a',
  type: 'ChannelRegistered',
  occurredAt: '2026-01-02T10:00:00+08:00',
  channelId: 'CH-A',
  data: { name: 'A', kind: 'reseller' },
});
const sale = (id: string | Uint8Array, extra = '') =>
  concat(
    '{"eventId":"',
    id,
    `","type":"SaleRecorded","occurredAt":"2026-01-10T10:00:00+08:00","channelId":"CH-A"${extra},"data":{"orderId":"O1","sku":"P1","quantity":1,"netAmount":"10.00","currency":"CNY"}}`,
  );

let main: Server;
beforeAll(async () => {
  main = await start({ CHANPERF_REJECTED_MAX_BYTES_PER_ITEM: '1024', CHANPERF_HTTP_BODY_TIMEOUT_MS: '300' });
  expect((await ndjson(main, REG)).status).toBe(200);
});
afterAll(async () => {
  await stop(main);
});

const head = () => main.runtime.store.log.head();
const rejectedCount = async () => (await main.runtime.store.log.counts()).rejected;

describe('bytes that are not UTF-8', () => {
  it('rejects each NDJSON line that is not UTF-8 as MALFORMED_JSON, naming the byte, keeping its bytes', async () => {
    const before = await head();
    const ff = sale(Uint8Array.of(0x69, 0x6e, 0x76, 0x2d, 0xff)); // inv-\xff
    const fe = sale(Uint8Array.of(0x69, 0x6e, 0x76, 0x2d, 0xfe)); // inv-\xfe
    const res = await ndjson(main, concat(sale('utf8-ok'), '\n', ff, '\n', fe, '\n'));
    expect(res.status).toBe(200);
    expect(results(res)).toEqual([
      { index: 0, eventId: 'utf8-ok', status: 'accepted' },
      ...[1, 2].map((index) => ({
        index,
        eventId: null,
        status: 'rejected',
        code: 'MALFORMED_JSON',
        message: 'line is not valid UTF-8 (byte offset 16)',
      })),
    ]);
    // The store keeps the bytes as they came (read back through the port they are decoded).
    const stored = sqliteConnections(main.runtime.store)
      .log.prepare(`SELECT id, raw FROM rejected ORDER BY id DESC LIMIT 2`)
      .all() as { id: number; raw: Buffer }[];
    expect(stored.map((r) => r.raw).reverse()).toEqual([ff, fe]);

    // Not redriven as they were (never read as "inv-\uFFFD"): the corrected event is needed.
    const again = await send(main, `/v1/rejected/${stored[0]!.id}/retry`, undefined, {});
    expect(again.status).toBe(409);
    expect(errorOf(again).code).toBe('RAW_NOT_UTF8');
    expect(await head()).toBe(before + 1);
  });

  it('answers 400 INVALID_UTF8 to a JSON body that is not UTF-8, storing nothing', async () => {
    const [before, rejectedBefore] = [await head(), await rejectedCount()];
    const res = await send(main, '/v1/events', concat('[', sale(Uint8Array.of(0xff)), ']'), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(400);
    expect(errorOf(res)).toEqual({
      code: 'INVALID_UTF8',
      message: 'body is not valid UTF-8 (byte offset 13)',
    });
    expect([await head(), await rejectedCount()]).toEqual([before, rejectedBefore]);
    const retry = await send(main, '/v1/rejected/1/retry', concat(sale(Uint8Array.of(0xff))), {
      'content-type': 'application/json',
    });
    expect(retry.status).toBe(400);
    expect(errorOf(retry).code).toBe('INVALID_UTF8');
  });
});

describe('byte-order marks', () => {
  it('ignores a BOM at the start of an NDJSON body only; a later line starting with one is MALFORMED_JSON', async () => {
    const bom = '\ufeff';
    const res = await ndjson(main, `${bom}${sale('bom-1').toString()}\n${bom}${sale('bom-2').toString()}\n`);
    expect(results(res)[0]).toEqual({ index: 0, eventId: 'bom-1', status: 'accepted' });
    expect(results(res)[1]).toMatchObject({ index: 1, status: 'rejected', code: 'MALFORMED_JSON' });
    expect(results(res)[1]?.message).toMatch(/byte-order mark/);
  });

  it('does the same when the body also holds bytes that are not UTF-8', async () => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
    const res = await ndjson(
      main,
      concat(bom, sale('bom-3'), '\n', bom, sale('bom-4'), '\n', Uint8Array.of(0xff)),
    );
    expect(results(res).map((r) => r.status)).toEqual(['accepted', 'rejected', 'rejected']);
    expect(results(res)[1]?.message).toMatch(/byte-order mark/);
  });
});

describe('POST /v1/periods/:month/close', () => {
  it('answers 400 to an occurredAt that is not a timestamp, storing no rejection', async () => {
    const [before, rejectedBefore] = [await head(), await rejectedCount()];
    const res = await send(main, '/v1/periods/2026-01/close', JSON.stringify({ occurredAt: 'yesterday' }), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(400);
    expect(errorOf(res).code).toBe('BAD_REQUEST');
    expect(errorOf(res).message).toMatch(/occurredAt/);
    expect([await head(), await rejectedCount()]).toEqual([before, rejectedBefore]);
  });
});

describe('the item limit', () => {
  it('does not count blank NDJSON lines', async () => {
    const lines = Array.from({ length: MAX_ITEMS }, (_, i) =>
      JSON.stringify({
        eventId: `limit-${i}`,
        type: 'TrainingCompleted',
        occurredAt: '2026-02-02T10:00:00+08:00',
        channelId: 'CH-A',
        data: { courseId: 'C', traineeId: `t${i}` },
      }),
    );
    const res = await ndjson(main, `\n \r\n${lines.join('\n\n')}\n\t\n`);
    expect(res.status).toBe(200);
    expect((res.body as { accepted: number }).accepted).toBe(MAX_ITEMS);
    const over = await ndjson(main, `${lines.join('\n')}\n${sale('one-too-many').toString()}\n`);
    expect(over.status).toBe(413);
  });
});

describe('content types and encodings', () => {
  it('answers a body without Content-Type with the route’s own 415, naming the accepted types', async () => {
    const before = await head();
    const res = await send(main, '/v1/events', sale('no-type'), {});
    expect(res.status).toBe(415);
    expect(errorOf(res).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(errorOf(res).message).toMatch(/application\/json/);
    expect(errorOf(res).message).toMatch(/application\/x-ndjson/);
    expect(await head()).toBe(before);
  });

  it('answers 415 to a Content-Encoding other than identity, and takes identity', async () => {
    const before = await head();
    const gz = await send(main, '/v1/events', sale('gz'), {
      'content-type': 'application/x-ndjson',
      'content-encoding': 'gzip',
    });
    expect(gz.status).toBe(415);
    expect(errorOf(gz)).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(errorOf(gz).message).toMatch(/Content-Encoding/);
    expect(await head()).toBe(before);
    const identity = await send(main, '/v1/events', sale('identity'), {
      'content-type': 'application/x-ndjson',
      'content-encoding': 'identity',
    });
    expect(identity.status).toBe(200);
  });
});

describe('a slow request body', () => {
  it('times out (408) instead of holding the connection', async () => {
    const { port } = new URL(main.url);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\n` +
            'Content-Type: application/x-ndjson\r\nContent-Length: 1000\r\n\r\n{"eventId":',
        );
      });
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      setTimeout(() => {
        socket.destroy();
        resolve(text);
      }, 10_000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('limits of the rejected store', () => {
  it('keeps the first bytes of a large rejected item, marked, and refuses to redrive it as it was', async () => {
    const big = `{"eventId":"big-1","pad":"${'x'.repeat(5000)}"`; // no closing brace
    const res = await ndjson(main, `${big}\n`);
    expect(results(res)[0]).toMatchObject({ status: 'rejected', code: 'MALFORMED_JSON' });
    const [record] = (await main.runtime.store.log.list({ limit: 1000 })).slice(-1);
    const raw = Buffer.from(record!.raw as Uint8Array).toString('utf8');
    expect(raw.startsWith(big.slice(0, 1024))).toBe(true);
    expect(raw.slice(1024)).toBe(` …[truncated: the first 1024 of ${big.length} bytes are kept]`);
    const retry = await send(main, `/v1/rejected/${record!.id}/retry`, undefined, {});
    expect(retry.status).toBe(409);
    expect(errorOf(retry).code).toBe('RAW_TRUNCATED');
  });

  it('still accepts a large item that is valid (unknown fields are ignored)', async () => {
    const res = await ndjson(main, sale('big-ok', `,"note":"${'y'.repeat(5000)}"`));
    expect(results(res)[0]).toEqual({ index: 0, eventId: 'big-ok', status: 'accepted' });
  });

  it('answers 507 once the store holds the configured number of rejected inputs, appending nothing', async () => {
    const tight = await start({ CHANPERF_REJECTED_MAX_TOTAL: '3' });
    try {
      const first = await ndjson(tight, '{bad\n{bad\n');
      expect(first.status).toBe(200);
      expect((await ndjson(tight, `${REG}\n{bad\n`)).status).toBe(200); // now 3: full
      const before = await tight.runtime.store.log.head();
      const full = await ndjson(tight, `${sale('after-full').toString()}\n`);
      expect(full.status).toBe(507);
      expect(errorOf(full)).toMatchObject({ code: 'REJECTED_STORE_FULL' });
      expect(errorOf(full).message).toMatch(/CHANPERF_REJECTED_MAX_TOTAL/);
      expect(await tight.runtime.store.log.head()).toBe(before);
      expect((await tight.runtime.store.log.counts()).rejected).toBe(3);
    } finally {
      await stop(tight);
    }
  });
});

describe('the OpenAPI document', () => {
  it('still describes the ingestion routes, with their new answers', async () => {
    const doc = (await (await fetch(`${main.url}/docs/json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.paths['/v1/events']?.post?.responses['507']).toBeDefined();
    expect(doc.paths['/v1/events']?.post?.responses['415']).toBeDefined();
    expect(doc.paths['/v1/rejected/{id}/retry']?.post?.responses['200']).toBeDefined();
    expect(doc.paths['/v1/periods/{month}/close']?.post?.responses['400']).toBeDefined();
    expect(doc.paths['/v1/rejected']?.get?.responses['200']).toBeDefined();
  });
});

describe('the settings', () => {
  it('default to 64 KiB per rejected item, 1 000 000 rejected inputs and 30 s per request', () => {
    const config = loadConfig({});
    expect(E.isRight(config) && config.right).toMatchObject({
      rejectedMaxBytesPerItem: 65_536,
      rejectedMaxTotal: 1_000_000,
      httpBodyTimeoutMs: 30_000,
    });
  });

  it('stop start-up naming the variable when bad', () => {
    for (const name of [
      'CHANPERF_REJECTED_MAX_BYTES_PER_ITEM',
      'CHANPERF_REJECTED_MAX_TOTAL',
      'CHANPERF_HTTP_BODY_TIMEOUT_MS',
    ]) {
      const config = loadConfig({ [name]: '0' });
      expect(E.isLeft(config) && config.left).toMatch(name);
    }
  });
});
