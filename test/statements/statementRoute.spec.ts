/**
 * `GET /v1/channels/:id/statements/:quarter` of the built `chanperf serve` on a database holding
 * examples/basic.ndjson: a partner reads its own statement (the same JSON `chanperf statement`
 * writes for the same position, at the head and at an earlier `asOf`), 403 for another's; HTML
 * on request; ETag and 304; problem details for a bad quarter, a position beyond the head and
 * an unknown channel; the answer is what the OpenAPI schema says, with nothing left out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementSchema } from '../../services/query/src/routes/statementsSchema.js';
import { chanperf, serveAsync, stopChild } from '../support/cli.js';
import { issue } from './support.js';

const KEYS = [
  { key: 'analyst-key-0123456789', role: 'analyst' },
  { key: 'partner-a-key-01234567', role: 'partner', channelId: 'CH-A' },
  { key: 'partner-b-key-01234567', role: 'partner', channelId: 'CH-B' },
];
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const ANALYST = bearer('analyst-key-0123456789');
const PARTNER_A = bearer('partner-a-key-01234567');
const PARTNER_B = bearer('partner-b-key-01234567');

let dir: string;
let server: ReturnType<typeof serveAsync>;
let api: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-statement-route-'));
  const basic = new URL('../../examples/basic.ndjson', import.meta.url).pathname;
  expect(chanperf(['ingest', basic, '--db', join(dir, 'chanperf.db'), '--quiet']).status).toBe(0);
  server = serveAsync([], {
    CHANPERF_DATA_DIR: dir,
    CHANPERF_HTTP_PORT: '0',
    CHANPERF_LOG_LEVEL: 'warn',
    CHANPERF_API_KEYS: JSON.stringify(KEYS),
  });
  api = await server.url;
}, 60_000);

afterAll(async () => {
  await stopChild(server.child);
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string>) => fetch(`${api}${path}`, { headers });

describe('GET /v1/channels/:id/statements/:quarter', () => {
  it('answers a partner its own statement: the JSON chanperf statement writes for the same position', async () => {
    const res = await get('/v1/channels/CH-A/statements/2026-Q1', PARTNER_A);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-chanperf-position')).toBe('32');
    const body = await res.json();
    const cli = issue(join(dir, 'chanperf.db'), join(dir, 'out'), 'CH-A', '2026-Q1', ['--format', 'json']);
    expect(body).toEqual(cli.statement);
    expect(statementSchema.parse(body)).toEqual(body);

    const earlier = await get('/v1/channels/CH-A/statements/2026-Q1?asOf=20', PARTNER_A);
    expect(earlier.headers.get('x-chanperf-position')).toBe('20');
    const pinned = issue(join(dir, 'chanperf.db'), join(dir, 'p20'), 'CH-A', '2026-Q1', ['--position', '20']);
    expect(await earlier.json()).toEqual(pinned.statement);
    expect(pinned.statement.seal.sha256).not.toBe(cli.statement.seal.sha256);
  });

  it('answers another partner 403 without naming the channel', async () => {
    const res = await get('/v1/channels/CH-A/statements/2026-Q1', PARTNER_B);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.text()).not.toContain('CH-A');
  });

  it('serves the printable page with ?format=html or Accept: text/html, with the SHA-256 on it', async () => {
    const json = (await (await get('/v1/channels/CH-A/statements/2026-Q1', ANALYST)).json()) as {
      seal: { sha256: string };
    };
    for (const [path, headers] of [
      ['/v1/channels/CH-A/statements/2026-Q1?format=html', ANALYST],
      ['/v1/channels/CH-A/statements/2026-Q1', { ...ANALYST, accept: 'text/html' }],
    ] as const) {
      const res = await get(path, headers);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html).toContain(`SHA-256 ${json.seal.sha256}`);
      expect(html).not.toMatch(/<script|<link|src="http/);
    }
  });

  it('carries an ETag; sent back, it is 304', async () => {
    const first = await get('/v1/channels/CH-A/statements/2026-Q1?asOf=32', PARTNER_A);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/"32-/);
    const again = await get('/v1/channels/CH-A/statements/2026-Q1?asOf=32', {
      ...PARTNER_A,
      'if-none-match': etag,
    });
    expect(again.status).toBe(304);
  });

  it.each([
    ['/v1/channels/CH-A/statements/2026-Q5', 400, 'BAD_REQUEST'],
    ['/v1/channels/CH-A/statements/2026-Q1?asOf=99', 400, 'BAD_REQUEST'],
    ['/v1/channels/NOPE/statements/2026-Q1', 404, 'UNKNOWN_CHANNEL'],
    ['/v1/channels/CH-A/statements/2025-Q4', 404, 'NO_FIGURES'],
  ])('%s answers %i %s as problem details', async (path, status, code) => {
    const res = await get(path, ANALYST);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { code: string }).code).toBe(code);
  });

  it('is in the OpenAPI document with its JSON schema and the HTML page', async () => {
    const doc = (await (await fetch(`${api}/docs/json`)).json()) as {
      paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, unknown> }> } }>;
    };
    const ok = doc.paths['/v1/channels/{id}/statements/{quarter}']?.get?.responses['200'];
    expect(Object.keys(ok?.content ?? {}).sort()).toEqual(['application/json', 'text/html']);
    expect(JSON.stringify(ok?.content?.['application/json'])).toContain('sha256');
  });
});
