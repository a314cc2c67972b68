/**
 * The ingestion API on a real socket: limits, bad bodies, redrive and period close. Every bad
 * request gets a clear 4xx, the server keeps serving, and nothing is half-appended.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedSpec } from '../../../test/support/sharedSpec.js';
import { createHttpServer, loadConfig, openRuntime, type App, type Runtime } from '@chanperf/runtime';
import { MAX_ITEMS, registerIngestionRoutes } from './index.js';

const BASIC = readFileSync(sharedSpec('examples', 'basic.ndjson'), 'utf8');
const ADMIN = 'admin-key-0123456789';
const INGEST = 'ingest-key-0123456789';
const ANALYST = 'analyst-key-0123456789';

let dir: string;
let runtime: Runtime;
let app: App;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-ingestion-'));
  const config = loadConfig({
    CHANPERF_DATA_DIR: dir,
    CHANPERF_API_KEYS: JSON.stringify([
      { key: ADMIN, role: 'admin' },
      { key: INGEST, role: 'ingest' },
      { key: ANALYST, role: 'analyst' },
    ]),
  });
  if (E.isLeft(config)) throw new Error(config.left);
  runtime = openRuntime(config.right, pino({ level: 'silent' }));
  app = await createHttpServer(runtime, { ready: () => Promise.resolve(true) });
  await registerIngestionRoutes(app, runtime);
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app.close();
  runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(body: string | Buffer, contentType: string, key = INGEST): Promise<Response> {
  return fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${key}` },
    body,
  });
}

const head = () => runtime.store.log.head();

async function expectStillServing(before: number): Promise<void> {
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  expect(await head()).toBe(before);
}

describe('POST /v1/events', () => {
  it('accepts NDJSON and answers per item: accepted, duplicate or rejected with the code', async () => {
    const lines = BASIC.split('\n').slice(0, 26).join('\n');
    const res = await post(lines, 'application/x-ndjson');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      accepted: number;
      duplicates: number;
      rejected: number;
      results: { index: number; eventId: string | null; status: string; code?: string }[];
    };
    expect(body.accepted + body.duplicates + body.rejected).toBe(26);
    expect(body.results.find((r) => r.index === 16)).toEqual({
      index: 16,
      eventId: 's7',
      status: 'duplicate',
    });
    expect(body.results.find((r) => r.index === 22)).toMatchObject({
      eventId: null,
      status: 'rejected',
      code: 'MALFORMED_JSON',
    });
    expect(body.results.find((r) => r.index === 24)).toMatchObject({
      eventId: 'x2',
      code: 'CURRENCY_MISMATCH',
    });
    expect(await head()).toBe(body.accepted);
  });

  it('accepts a JSON array the same way', async () => {
    const before = await head();
    const items = BASIC.split('\n')
      .slice(26, 30)
      .map((l) => JSON.parse(l) as unknown);
    const res = await post(JSON.stringify(items), 'application/json');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(4);
    expect(await head()).toBe(before + 4);
  });

  it('refuses a body over 10 MiB with 413', async () => {
    const before = await head();
    const res = await post(Buffer.alloc(10 * 1024 * 1024 + 1, 0x20), 'application/x-ndjson');
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    await expectStillServing(before);
  });

  it('refuses more than 10 000 items with 413, appending none of them', async () => {
    const before = await head();
    const line = (i: number) =>
      JSON.stringify({
        eventId: `many-${i}`,
        type: 'TrainingCompleted',
        occurredAt: '2026-02-02T10:00:00+08:00',
        channelId: 'CH-A',
        data: { courseId: 'C', traineeId: `t${i}` },
      });
    const body = Array.from({ length: MAX_ITEMS + 1 }, (_, i) => line(i)).join('\n');
    const res = await post(body, 'application/x-ndjson');
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_ITEMS');
    const arr = await post(
      `[${Array.from({ length: MAX_ITEMS + 1 }, (_, i) => line(i)).join(',')}]`,
      'application/json',
    );
    expect(arr.status).toBe(413);
    await expectStillServing(before);
  });

  it('refuses other content types with 415', async () => {
    const before = await head();
    const res = await post('{"eventId":"x"}', 'text/plain');
    expect(res.status).toBe(415);
    await expectStillServing(before);
  });

  it('refuses a malformed JSON body with 400', async () => {
    const before = await head();
    const res = await post('[{"eventId": "a",', 'application/json');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).not.toBe('');
    await expectStillServing(before);
  });

  it('refuses a JSON body nested 10 000 levels deep with 400', async () => {
    const before = await head();
    const res = await post(`[${'['.repeat(10_000)}${']'.repeat(10_000)}]`, 'application/json');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('TOO_DEEP');
    const objects = await post(`[${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}]`, 'application/json');
    expect(objects.status).toBe(400);
    await expectStillServing(before);
  });

  it('refuses __proto__ keys in a JSON body with 400, and pollutes nothing', async () => {
    const before = await head();
    const res = await post(
      '[{"eventId":"p1","type":"PeriodClosed","occurredAt":"2026-04-01T00:00:00Z","data":{"month":"2026-03"},"__proto__":{"polluted":true}}]',
      'application/json',
    );
    expect(res.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expectStillServing(before);
  });

  it('ignores a __proto__ key in an NDJSON line like any unknown field', async () => {
    const res = await post(
      '{"eventId":"proto-1","type":"SatisfactionSurveyed","occurredAt":"2026-02-03T10:00:00+08:00","channelId":"CH-A","data":{"score":70,"respondents":2,"__proto__":{"polluted":true}}}',
      'application/x-ndjson',
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers 401 without a key and 403 for a role that may not ingest', async () => {
    const none = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    });
    expect(none.status).toBe(401);
    expect((await post('[]', 'application/json', ANALYST)).status).toBe(403);
  });
});

describe('rejected inputs: inspect, correct, redrive', () => {
  it('lists rejected inputs with their raw text and reason', async () => {
    const res = await fetch(`${url}/v1/rejected?limit=10`, {
      headers: { authorization: `Bearer ${ANALYST}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      rejected: { id: number; code: string; raw: string; eventId: string | null }[];
    };
    const bad = body.rejected.find((r) => r.code === 'MALFORMED_JSON');
    expect(bad?.raw).toBe('{not json');
    expect(body.rejected.map((r) => r.code)).toContain('SCHEMA_VIOLATION');
  });

  it('redrives a corrected input: accepted, and the record is marked redriven', async () => {
    const list = (await (
      await fetch(`${url}/v1/rejected`, { headers: { authorization: `Bearer ${ANALYST}` } })
    ).json()) as { rejected: { id: number; eventId: string | null; raw: string }[] };
    const x3 = list.rejected.find((r) => r.eventId === 'x3');
    expect(x3).toBeDefined();
    const corrected = JSON.parse(x3!.raw) as { data: { quantity: number } };
    corrected.data.quantity = 1;
    const denied = await fetch(`${url}/v1/rejected/${x3!.id}/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ANALYST}`, 'content-type': 'application/json' },
      body: JSON.stringify(corrected),
    });
    expect(denied.status).toBe(403);
    const res = await fetch(`${url}/v1/rejected/${x3!.id}/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify(corrected),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ index: 0, eventId: 'x3', status: 'accepted' });
    const record = (await (
      await fetch(`${url}/v1/rejected/${x3!.id}`, { headers: { authorization: `Bearer ${ANALYST}` } })
    ).json()) as { status: string };
    expect(record.status).toBe('redriven');
    const again = await fetch(`${url}/v1/rejected/${x3!.id}/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(again.status).toBe(409);
  });

  it('redriving an uncorrected input rejects it again and keeps the record open', async () => {
    const list = (await (
      await fetch(`${url}/v1/rejected`, { headers: { authorization: `Bearer ${ANALYST}` } })
    ).json()) as { rejected: { id: number; eventId: string | null; status: string }[] };
    const x1 = list.rejected.find((r) => r.eventId === 'x1');
    const res = await fetch(`${url}/v1/rejected/${x1!.id}/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ eventId: 'x1', status: 'rejected', code: 'UNKNOWN_CHANNEL' });
    expect((await runtime.store.log.get(x1!.id))?.status).toBe('open');
  });
});

describe('POST /v1/periods/:month/close', () => {
  it('closes a month that has ended, once', async () => {
    const auth = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const early = await fetch(`${url}/v1/periods/2026-04/close`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ occurredAt: '2026-04-30T10:00:00+08:00' }),
    });
    expect(early.status).toBe(409);
    expect(((await early.json()) as { error: { code: string } }).error.code).toBe('PERIOD_NOT_ENDED');
    const res = await fetch(`${url}/v1/periods/2026-04/close`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ occurredAt: '2026-05-01T09:00:00+08:00' }),
    });
    expect(await res.json()).toEqual({ status: 'accepted', eventId: 'period-close/2026-04' });
    const twice = await fetch(`${url}/v1/periods/2026-03/close`, {
      method: 'POST',
      headers: auth,
      body: '{}',
    });
    expect(await twice.json()).toEqual({ status: 'already-closed', eventId: null });
  });
});
