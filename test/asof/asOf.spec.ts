/**
 * As-of reads end to end (issue 18): a generated stream ingested by `chanperf ingest` in four
 * runs; for a sample of its positions — the first, right before, at and after a PeriodClosed
 * and a late return that restates a closed month, each run's last, and the head —
 * `GET /v1/report?asOf=p` and `chanperf report --as-of p` equal `chanperf replay` of the
 * stream's first p accepted events (everything but counts and rejections, which as of p are
 * those of the last commit at or before p); the same through the instants taken between the
 * runs, whose counts and rejections are exactly those of the runs before. A restated month's
 * history lists its versions; bad and future asOf values are refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Counts, Report } from '@chanperf/domain';
import { writeFeed } from '@chanperf/testing';
import { chanperf, serveAsync, stopChild } from '../support/cli.js';

const RUNS = 4;
let dir: string;
let db: string;
let base: string;
let server: ReturnType<typeof serveAsync> | undefined;
/** After each ingest run: its head, the instant after it, the counts so far. */
const runs: { head: number; instant: string; counts: Counts; rejected: number }[] = [];
/** The accepted payloads in log order, and each event's type and month. */
let events: { payload: string; type: string; month: string }[] = [];

/** `o` without `keys`. */
function without(o: object, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

/** The figures of a report: everything but the ingestion counts and rejections. */
function figures(r: Report): unknown {
  return without(r, 'counts', 'rejected');
}

function ok(args: string[]): string {
  const run = chanperf(args);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

/** `chanperf replay` of the first p accepted events. */
function replayOfFirst(p: number): Report {
  const file = join(dir, `first-${p}.ndjson`);
  writeFileSync(
    file,
    events
      .slice(0, p)
      .map((e) => `${e.payload}\n`)
      .join(''),
  );
  return JSON.parse(ok(['replay', file])) as Report;
}

async function get(path: string): Promise<{ status: number; position: string | null; body: unknown }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, position: res.headers.get('x-chanperf-position'), body: await res.json() };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-asof-'));
  db = join(dir, 'chanperf.db');
  const feed = join(dir, 'feed.ndjson');
  await writeFeed(feed, { seed: 3, partners: 30, months: 6 });
  const lines = readFileSync(feed, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const counts: Counts = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const size = Math.ceil(lines.length / RUNS);
  const parts = Array.from({ length: RUNS }, (_, i) => lines.slice(i * size, (i + 1) * size));
  // The generator sends late sales, not late returns: a last run sends a return of the
  // first sale, and another sale, into its month long closed.
  parts.push(lateEvents(lines));
  for (const [i, part] of parts.entries()) {
    const file = join(dir, `part-${i}.ndjson`);
    writeFileSync(file, part.map((l) => `${l}\n`).join(''));
    const out = JSON.parse(ok(['ingest', file, '--db', db, '--quiet'])) as Counts & { position: number };
    for (const k of ['lines', 'accepted', 'duplicates', 'rejected'] as const) counts[k] += out[k];
    runs.push({
      head: out.position,
      instant: new Date().toISOString(),
      counts: { ...counts },
      rejected: counts.rejected,
    });
  }
  const log = new Database(db, { readonly: true });
  events = (
    log.prepare(`SELECT payload, type FROM events ORDER BY position`).all() as {
      payload: string;
      type: string;
    }[]
  ).map((e) => ({ ...e, month: (JSON.parse(e.payload) as { occurredAt: string }).occurredAt.slice(0, 7) }));
  log.close();
  server = serveAsync([], { CHANPERF_DATA_DIR: dir, CHANPERF_HTTP_PORT: '0' });
  base = await server.url;
}, 300_000);

/** A return of the stream's first sale and one more sale, both in that sale's month. */
function lateEvents(lines: readonly string[]): string[] {
  const text = lines.find((l) => l.includes('"SaleRecorded"'));
  if (text === undefined) throw new Error('the stream has no sale');
  const sale = JSON.parse(text) as { channelId: string; occurredAt: string; data: Record<string, unknown> };
  const at = `${sale.occurredAt.slice(0, 10)}T23:00:00${sale.occurredAt.slice(19)}`;
  const late = (eventId: string, type: string, data: object) =>
    JSON.stringify({ eventId, type, occurredAt: at, channelId: sale.channelId, data, source: 'erp-late' });
  return [
    late('late-return-1', 'SaleReturned', { ...sale.data, quantity: 1, netAmount: '10.00' }),
    late('late-sale-1', 'SaleRecorded', {
      ...sale.data,
      orderId: 'LATE-1',
      quantity: 2,
      netAmount: '250.00',
    }),
  ];
}

afterAll(async () => {
  if (server !== undefined) await stopChild(server.child);
  rmSync(dir, { recursive: true, force: true });
});

/** The position of the first late return (into a month closed before it), and of a close. */
function landmarks(): { close: number; lateReturn: number; lateMonth: string; channelId: string } {
  let lastClosed = '';
  let close = 0;
  for (const [i, e] of events.entries()) {
    const event = JSON.parse(e.payload) as { channelId?: string; data: { month?: string } };
    if (e.type === 'PeriodClosed') {
      lastClosed = event.data.month ?? lastClosed;
      if (close === 0) close = i + 1;
    } else if (e.type === 'SaleReturned' && lastClosed !== '' && e.month <= lastClosed) {
      return { close, lateReturn: i + 1, lateMonth: e.month, channelId: event.channelId ?? '' };
    }
  }
  throw new Error('the stream has no late return into a closed month');
}

describe('as of a position', () => {
  it('the report over HTTP and from the CLI equals a replay of the first p accepted events', async () => {
    const { close, lateReturn } = landmarks();
    const head = events.length;
    const sample = [1, close - 1, close, close + 1, lateReturn - 1, lateReturn, runs[1]?.head ?? 0, head];
    for (const p of sample) {
      const reference = figures(replayOfFirst(p));
      const http = await get(`/v1/report?asOf=${p}`);
      expect(http.status, `asOf=${p}`).toBe(200);
      expect(http.position).toBe(String(p));
      expect(figures(http.body as Report), `HTTP as of ${p}`).toEqual(reference);
      const text = ok(['report', '--db', db, '--as-of', String(p)]);
      const cli = JSON.parse(text) as Report;
      expect(figures(cli), `CLI as of ${p}`).toEqual(reference);
      // Printed in pieces, laid out as the live report (two-space JSON and a newline).
      expect(text).toBe(`${JSON.stringify(cli, null, 2)}\n`);
      // Counts as of p: a commit's, never beyond what had been accepted by p.
      expect(cli.counts.accepted).toBeLessThanOrEqual(p);
      expect(http.body).toEqual(cli);
    }
    // A run's last position: the counts and rejections of the runs so far.
    const second = runs[1];
    if (second === undefined) throw new Error('no second run');
    const cli = JSON.parse(ok(['report', '--db', db, '--as-of', String(second.head)])) as Report;
    expect(cli.counts).toEqual(second.counts);
    expect(cli.rejected).toHaveLength(second.rejected);
  }, 600_000);
});

describe('as of an instant', () => {
  it('lands on the head after each ingest run, with that moment’s counts and rejections', async () => {
    for (const run of runs) {
      const http = await get(`/v1/report?asOf=${encodeURIComponent(run.instant)}`);
      expect(http.status).toBe(200);
      expect(http.position).toBe(String(run.head));
      const report = http.body as Report;
      expect(report.counts).toEqual(run.counts);
      expect(report.rejected).toHaveLength(run.rejected);
      const cli = JSON.parse(ok(['report', '--db', db, '--as-of', run.instant])) as Report;
      expect(cli).toEqual(report);
    }
    const first = runs[0];
    if (first === undefined) throw new Error('no run');
    expect(
      figures((await get(`/v1/report?asOf=${encodeURIComponent(first.instant)}`)).body as Report),
    ).toEqual(figures(replayOfFirst(first.head)));
    // Before the first commit: the empty log.
    const before = await get(`/v1/report?asOf=2000-01-01T00:00:00Z`);
    expect(before.position).toBe('0');
    expect((before.body as Report).channels).toEqual([]);
  }, 600_000);
});

describe('every read route takes asOf', () => {
  it('answers a channel-month as the report as of the same position shows it, and refuses bad values', async () => {
    const { lateReturn, lateMonth, channelId } = landmarks();
    const month = await get(`/v1/channels/${channelId}/months/${lateMonth}?asOf=${lateReturn - 1}`);
    const report = (await get(`/v1/report?asOf=${lateReturn - 1}`)).body as Report;
    const line = report.channels
      .find((c) => c.channelId === channelId)
      ?.months.find((m) => m.month === lateMonth);
    expect(month.status).toBe(200);
    expect(month.body).toEqual({ channelId, ...line });
    for (const path of [
      '/v1/channels',
      `/v1/channels/${channelId}`,
      '/v1/alerts',
      '/v1/tier-movements',
      '/v1/program/months',
      '/v1/program/current',
    ]) {
      const res = await get(`${path}?asOf=${lateReturn}`);
      expect(res.status, path).toBe(200);
      expect(res.position, path).toBe(String(lateReturn));
    }
    // The alert log as of a position is the report's alerts as of it, numbered in the order raised.
    const alerts = (await get(`/v1/alerts?asOf=${lateReturn}&limit=1000`)).body as {
      alerts: { seq: number; alert: unknown }[];
    };
    const raised = ((await get(`/v1/report?asOf=${lateReturn}`)).body as Report).alerts.slice(0, 1000);
    expect(raised.length).toBeGreaterThan(0);
    expect(alerts.alerts).toEqual(raised.map((alert, i) => ({ seq: i + 1, alert })));
    const bad = await get('/v1/report?asOf=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'BAD_AS_OF' });
    const beyond = await get(`/v1/report?asOf=${events.length + 1}`);
    expect(beyond.status).toBe(409);
    expect(beyond.body).toMatchObject({ code: 'ASOF_BEYOND_HEAD' });
    const future = await get(`/v1/channels/${channelId}?asOf=2999-01-01T00:00:00Z`);
    expect(future.status).toBe(409);
    const cli = chanperf(['report', '--db', db, '--as-of', 'yesterday']);
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain('--as-of must be a log position');
  }, 300_000);
});

describe('the history of a restated month', () => {
  it('lists each version with its position and event: the sales, the close, the late return', async () => {
    const { lateReturn, lateMonth, channelId } = landmarks();
    const res = await get(`/v1/channels/${channelId}/months/${lateMonth}/history`);
    expect(res.status).toBe(200);
    const history = res.body as {
      versions: { position: number; eventId: string; type: string; restated: boolean; closed: boolean }[];
    };
    const late = history.versions.find((v) => v.position === lateReturn);
    expect(late).toMatchObject({ type: 'SaleReturned', restated: true, closed: true });
    // … and the late sale after it.
    expect(history.versions.find((v) => v.position === lateReturn + 1)).toMatchObject({
      type: 'SaleRecorded',
      eventId: 'late-sale-1',
      restated: true,
    });
    expect(late?.eventId).toBe(
      (JSON.parse(events[lateReturn - 1]?.payload ?? '{}') as { eventId: string }).eventId,
    );
    const closing = history.versions.find((v) => v.type === 'PeriodClosed');
    expect(closing?.closed).toBe(true);
    expect(closing?.position).toBeLessThan(lateReturn);
    expect(
      history.versions.filter((v) => v.position < (closing?.position ?? 0)).every((v) => !v.closed),
    ).toBe(true);
    // Each version is the month as of its position; the last one is the month now.
    for (const v of history.versions) {
      expect((await get(`/v1/channels/${channelId}/months/${lateMonth}?asOf=${v.position}`)).body).toEqual({
        channelId,
        ...without(v, 'position', 'eventId', 'type'),
      });
    }
    const now = (await get(`/v1/channels/${channelId}/months/${lateMonth}`)).body as object;
    const last = history.versions[history.versions.length - 1] ?? {};
    expect(now).toEqual({ channelId, ...without(last, 'position', 'eventId', 'type') });
  }, 300_000);
});

describe('the OpenAPI document', () => {
  it('documents asOf on every read route of the query service, and the history route with its schema', async () => {
    const doc = (await (await fetch(`${base}/docs/json`)).json()) as {
      paths: Record<
        string,
        Record<string, { tags?: string[]; parameters?: { name: string; in: string }[]; responses: object }>
      >;
    };
    const reads = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method, op]) => method === 'get' && op.tags?.includes('query') && path !== '/v1/live')
        .map(([, op]) => ({ path, op })),
    );
    expect(reads.length).toBeGreaterThan(15);
    for (const { path, op } of reads) {
      expect(
        op.parameters?.some((p) => p.name === 'asOf' && p.in === 'query'),
        `${path} documents asOf`,
      ).toBe(true);
      expect(Object.keys(op.responses), path).toContain('409');
    }
    const history = doc.paths['/v1/channels/{id}/months/{month}/history']?.get;
    expect(JSON.stringify(history?.responses)).toContain('versions');
  });
});
