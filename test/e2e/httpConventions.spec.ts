/**
 * The HTTP conventions every route follows (packages/runtime/src/httpConventions.ts), on a
 * whole `chanperf serve` with keys: the OpenAPI document linted by Redocly's recommended rules
 * with no error, an operation id and 4XX answers on every operation; ETag and 304 on reads,
 * per position and per caller; brotli and gzip; 406 for an Accept no route answers; and
 * `WWW-Authenticate` on 401.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../packages/testing/src/contracts/index.js';
import { serveAsync, stopChild } from '../support/cli.js';
import { EXAMPLES } from '../support/sharedSpec.js';

const KEYS = {
  analyst: 'analyst-key-0123456789',
  ingest: 'ingest-key-0123456789',
  partner: 'partner-a-key-01234567',
};
const API_KEYS = JSON.stringify([
  { key: KEYS.analyst, role: 'analyst' },
  { key: KEYS.ingest, role: 'ingest' },
  { key: KEYS.partner, role: 'partner', channelId: 'CH-A' },
]);
const basic = readFileSync(join(EXAMPLES, 'basic.ndjson'), 'utf8').trimEnd().split('\n');

let dir: string;
let child: ChildProcess;
let url: string;
const auth = (key: string) => ({ authorization: `Bearer ${key}` });

async function post(lines: readonly string[]): Promise<void> {
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', ...auth(KEYS.ingest) },
    body: lines.join('\n'),
  });
  expect(res.status).toBe(200);
}

/** Resolves once the projection has reached the log's head. */
async function settled(): Promise<void> {
  let lag: number | undefined;
  await waitUntil(
    async () => {
      const s = (await (await fetch(`${url}/v1/status`, { headers: auth(KEYS.analyst) })).json()) as {
        lag: number;
      };
      lag = s.lag;
      return lag === 0;
    },
    () => `the projection stayed ${String(lag)} behind`,
    30_000,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-conventions-'));
  const started = serveAsync([], {
    CHANPERF_DATA_DIR: dir,
    CHANPERF_HTTP_HOST: '127.0.0.1',
    CHANPERF_HTTP_PORT: '0',
    CHANPERF_API_KEYS: API_KEYS,
  });
  child = started.child;
  url = await started.url;
  await post(basic.slice(0, -3));
  await settled();
});

afterAll(async () => {
  await stopChild(child);
  rmSync(dir, { recursive: true, force: true });
});

describe('the OpenAPI document', () => {
  it("has no error under Redocly's recommended rules, and an id and 4XX answers on every operation", async () => {
    const source = await (await fetch(`${url}/docs/json`)).text();
    const problems = await lintFromString({
      source,
      absoluteRef: `${url}/docs/json`,
      config: await createConfig({ extends: ['recommended'] }),
    });
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`)).toEqual([]);
    const warnings = problems.filter((p) => p.severity !== 'error').map((p) => p.ruleId);
    // No licence is chosen for the project yet (info-license), which only warns.
    expect(warnings.filter((w) => w !== 'info-license')).toEqual([]);

    const doc = JSON.parse(source) as {
      servers: unknown[];
      paths: Record<string, Record<string, { operationId?: string; responses: Record<string, unknown> }>>;
    };
    expect(doc.servers.length).toBeGreaterThan(0);
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ path, method, op })),
    );
    const ids = operations.map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, op } of operations) {
      expect(
        Object.keys(op.responses).some((code) => /^4\d\d$|^4XX$/.test(code)),
        `${method} ${path}`,
      ).toBe(true);
    }
    expect(doc.paths['/healthz']?.get?.operationId).toBe('getHealthz');
    expect(doc.paths['/metrics']?.get).toBeDefined();
    expect(doc.paths['/v1/channels/{id}/months/{month}']?.get?.operationId).toBe(
      'getChannelsByIdMonthsByMonth',
    );
  });
});

describe('ETag and 304', () => {
  it('answers 304 with no body to the same caller at the same position, and 200 once the log moves', async () => {
    const first = await fetch(`${url}/v1/report`, { headers: auth(KEYS.analyst) });
    const etag = first.headers.get('etag');
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^W\/"\d+-[\w-]+"$/);
    const again = await fetch(`${url}/v1/report`, {
      headers: { ...auth(KEYS.analyst), 'if-none-match': etag ?? '' },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');

    // Another caller (a partner, scoped) and another format get other tags.
    const partner = await fetch(`${url}/v1/alerts`, { headers: auth(KEYS.partner) });
    const analyst = await fetch(`${url}/v1/alerts`, { headers: auth(KEYS.analyst) });
    expect(partner.headers.get('etag')).not.toBe(analyst.headers.get('etag'));
    const csv = await fetch(`${url}/v1/channels?format=csv`, { headers: auth(KEYS.analyst) });
    const json = await fetch(`${url}/v1/channels`, { headers: auth(KEYS.analyst) });
    expect(csv.headers.get('etag')).not.toBe(json.headers.get('etag'));

    await post(basic.slice(-3));
    await settled();
    const moved = await fetch(`${url}/v1/report`, {
      headers: { ...auth(KEYS.analyst), 'if-none-match': etag ?? '' },
    });
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).not.toBe(etag);
  });
});

describe('compression, content negotiation, authentication', () => {
  it('sends brotli or gzip as asked, decoding to the plain answer', async () => {
    const plain = await request(`${url}/v1/report`, { headers: auth(KEYS.analyst) });
    const text = await plain.body.text();
    for (const [encoding, decode] of [
      ['br', brotliDecompressSync],
      ['gzip', gunzipSync],
    ] as const) {
      const res = await request(`${url}/v1/report`, {
        headers: { ...auth(KEYS.analyst), 'accept-encoding': encoding },
      });
      expect(res.headers['content-encoding']).toBe(encoding);
      const body = Buffer.from(await res.body.arrayBuffer());
      expect(body.length).toBeLessThan(Buffer.byteLength(text));
      expect(decode(body).toString('utf8')).toBe(text);
    }
  });

  it("leaves a write's answer uncompressed (the ingest path), whatever the client accepts", async () => {
    const res = await request(`${url}/v1/events`, {
      method: 'POST',
      headers: {
        ...auth(KEYS.ingest),
        'content-type': 'application/x-ndjson',
        'accept-encoding': 'br, gzip',
      },
      body: basic.join('\n'),
    });
    expect(res.statusCode).toBe(200);
    const text = await res.body.text();
    expect(Buffer.byteLength(text)).toBeGreaterThan(1024);
    expect(res.headers['content-encoding']).toBeUndefined();
  });

  it('answers 406 naming what it can send when Accept admits none of it; CSV and */* as before', async () => {
    const xml = await fetch(`${url}/v1/report`, {
      headers: { ...auth(KEYS.analyst), accept: 'application/xml' },
    });
    expect(xml.status).toBe(406);
    expect(xml.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const detail =
      'this route answers application/json or text/csv or ' +
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    expect(await xml.json()).toEqual({
      type: 'about:blank',
      title: 'Not Acceptable',
      status: 406,
      detail,
      code: 'NOT_ACCEPTABLE',
      error: { code: 'NOT_ACCEPTABLE', message: detail },
    });
    const csv = await fetch(`${url}/v1/channels`, { headers: { ...auth(KEYS.analyst), accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const any = await fetch(`${url}/v1/report`, {
      headers: { ...auth(KEYS.analyst), accept: 'text/html, */*;q=0.8' },
    });
    expect(any.status).toBe(200);
    const none = await fetch(`${url}/v1/report`, {
      headers: { ...auth(KEYS.analyst), accept: 'application/json;q=0' },
    });
    expect(none.status).toBe(406);
  });

  it("names no Fastify internals: an empty JSON body is a BAD_REQUEST in the status's words", async () => {
    const res = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth(KEYS.ingest) },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; detail: string };
    expect(body.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(body)).not.toMatch(/FST_/);
  });

  it('says how to authenticate on a 401', async () => {
    const res = await fetch(`${url}/v1/report`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="chanperf"');
  });
});
