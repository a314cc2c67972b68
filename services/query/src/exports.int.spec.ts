/**
 * Exports: every table route answers an Excel workbook (`Accept:` the xlsx type or
 * `?format=xlsx`) and CSV, as an attachment with a file name, read back here with exceljs and
 * csv-parse and compared with the spec's expected reports (basic and v2-basic): numbers are
 * numbers, amounts are exact, percentages carry a % format beside their bps, totals equal the
 * report's. And CORS: off by default, on only for a configured origin.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpServer, loadConfig, openRuntime, type App } from '@chanperf/runtime';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import * as E from 'fp-ts/lib/Either.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES, EXAMPLES_V2 } from '../../../test/support/sharedSpec.js';
import { registerIngestionRoutes } from '../../ingestion/src/index.js';
import { startProjection, type ProjectionService } from '../../projection/src/index.js';
import { XLSX_CONTENT_TYPE } from './csv.js';
import { registerQueryRoutes } from './index.js';

const ANALYST = 'analyst-key-exports-0123';
const INGEST = 'ingest-key-exports-01234';
const API_KEYS = JSON.stringify([
  { key: ANALYST, role: 'analyst' },
  { key: INGEST, role: 'ingest' },
]);

interface Month {
  month: string;
  net: string;
  growthBps: number | null;
  rebate: { total: string };
}
interface Report {
  channels: { channelId: string; name: string; months: Month[] }[];
  alerts: { id: string; kind: string; growthBps?: number | null }[];
  tierMovements: { channelId: string; to: string }[];
}
const report = (dir: string, name: string) =>
  JSON.parse(readFileSync(join(dir, `${name}.report.json`), 'utf8')) as Report;
const BASIC = report(EXAMPLES, 'basic');

interface Server {
  readonly app: App;
  close(): Promise<void>;
}

/** The services of `chanperf serve` on a fresh data dir with `env`, and `file` ingested when given. */
async function serve(env: Record<string, string>, file?: string): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-exports-'));
  const config = loadConfig({ CHANPERF_DATA_DIR: dir, CHANPERF_API_KEYS: API_KEYS, ...env });
  if (E.isLeft(config)) throw new Error(config.left);
  const runtime = openRuntime(config.right, pino({ level: 'silent' }));
  const projection: ProjectionService = startProjection(runtime);
  const app = await createHttpServer(runtime, { ready: () => Promise.resolve(projection.ready()) });
  await registerIngestionRoutes(app, runtime);
  await registerQueryRoutes(app, runtime);
  if (file !== undefined) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/x-ndjson' },
      payload: readFileSync(file, 'utf8'),
    });
    expect(res.statusCode).toBe(200);
    await projection.waitFor();
  }
  return {
    app,
    async close() {
      await app.close();
      await projection.stop();
      runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const get = (server: Server, url: string, headers: Record<string, string> = {}) =>
  server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ANALYST}`, ...headers } });

/** Rows of the first sheet, keyed by the header row, with each cell's value and number format. */
interface SheetCell {
  readonly value: unknown;
  readonly numFmt: string | undefined;
}
async function readXlsx(body: Buffer): Promise<Record<string, SheetCell>[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  if (sheet === undefined) throw new Error('no sheet');
  const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: Record<string, SheetCell>[] = [];
  for (let r = 2; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    rows.push(
      Object.fromEntries(
        headers.map((h, i) => {
          const cell = row.getCell(i + 1);
          return [h, { value: cell.value, numFmt: cell.numFmt }];
        }),
      ),
    );
  }
  return rows;
}

async function xlsxOf(server: Server, url: string, via: 'accept' | 'query' = 'query') {
  const res =
    via === 'accept'
      ? await get(server, url, { accept: XLSX_CONTENT_TYPE })
      : await get(server, `${url}${url.includes('?') ? '&' : '?'}format=xlsx`);
  expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBe(200);
  expect(res.headers['content-type'], url).toBe(XLSX_CONTENT_TYPE);
  return { rows: await readXlsx(res.rawPayload), disposition: String(res.headers['content-disposition']) };
}

async function csvOf(server: Server, url: string) {
  const res = await get(server, url, { accept: 'text/csv' });
  expect(res.statusCode, url).toBe(200);
  expect(res.headers['content-type'], url).toMatch(/^text\/csv/);
  const rows = parseCsv<Record<string, string>>(res.body, { bom: true, columns: true });
  return { rows, disposition: String(res.headers['content-disposition']) };
}

/** An exact decimal string in hundredths (independent of the code under test). */
const cents = (text: string): bigint => {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(text);
  if (m === null) throw new Error(`not an amount: ${text}`);
  const v = BigInt(m[2] ?? '') * 100n + BigInt(m[3] ?? '');
  return m[1] === '-' ? -v : v;
};
const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);
/** A number cell holding an amount, in hundredths; it must print back as the report's string. */
const numberCents = (cell: SheetCell | undefined): bigint => {
  expect(typeof cell?.value).toBe('number');
  expect(cell?.numFmt).toBe('#,##0.00');
  return BigInt(Math.round((cell?.value as number) * 100));
};

describe('exports on basic.ndjson', () => {
  let server: Server;
  beforeAll(async () => {
    server = await serve({ CHANPERF_LOG_LEVEL: 'silent' }, join(EXAMPLES, 'basic.ndjson'));
  });
  afterAll(async () => server.close());

  it('the partners list as xlsx (Accept): numbers are numbers, a % column beside bps, a file name', async () => {
    const { rows, disposition } = await xlsxOf(server, '/v1/channels', 'accept');
    expect(disposition).toBe('attachment; filename="chanperf-partners-2026-04.xlsx"');
    const { channels } = (await get(server, '/v1/channels')).json<{
      channels: { channelId: string; lastClosedNet: string | null; lastClosedGrowthBps: number | null }[];
    }>();
    expect(rows.map((r) => r.channelId?.value)).toEqual(channels.map((c) => c.channelId));
    channels.forEach((c, i) => {
      const row = rows[i] ?? {};
      if (c.lastClosedNet === null) expect(row.lastClosedNet?.value).toBeNull();
      else {
        expect((row.lastClosedNet?.value as number).toFixed(2)).toBe(c.lastClosedNet);
        expect(numberCents(row.lastClosedNet)).toBe(cents(c.lastClosedNet));
      }
      if (c.lastClosedGrowthBps !== null) {
        expect(row.lastClosedGrowthBps?.value).toBe(c.lastClosedGrowthBps);
        expect(row.lastClosedGrowthPercent?.numFmt).toBe('0.00%');
        expect(row.lastClosedGrowthPercent?.value).toBeCloseTo(c.lastClosedGrowthBps / 10_000, 12);
      }
      expect(typeof row.online?.value).toBe('boolean');
    });
  });

  it("the report as xlsx and CSV: every channel-month, and its totals are the report's", async () => {
    const months = BASIC.channels.flatMap((c) =>
      c.months.map((m) => ({ channelId: c.channelId, name: c.name, m })),
    );
    const xlsx = await xlsxOf(server, '/v1/report');
    expect(xlsx.disposition).toBe('attachment; filename="chanperf-report-2026-04.xlsx"');
    expect(xlsx.rows.map((r) => [r.channelId?.value, r.name?.value, r.month?.value])).toEqual(
      months.map((x) => [x.channelId, x.name, x.m.month]),
    );
    const want = sum(months.map((x) => cents(x.m.rebate.total)));
    expect(sum(xlsx.rows.map((r) => numberCents(r.rebateTotal)))).toBe(want);
    expect(sum(xlsx.rows.map((r) => numberCents(r.net)))).toBe(sum(months.map((x) => cents(x.m.net))));

    const csv = await csvOf(server, '/v1/report');
    expect(csv.disposition).toBe('attachment; filename="chanperf-report-2026-04.csv"');
    expect(sum(csv.rows.map((r) => cents(r.rebateTotal ?? '')))).toBe(want);
    csv.rows.forEach((r, i) => {
      const bps = months[i]?.m.growthBps ?? null;
      expect(r.growthPercent, `${r.channelId} ${r.month}`).toBe(bps === null ? '' : (bps / 100).toFixed(2));
    });
  });

  it('alerts and tier movements as CSV and xlsx: a row each, as the report lists them', async () => {
    const alerts = await csvOf(server, '/v1/alerts');
    expect(alerts.disposition).toBe('attachment; filename="chanperf-alerts-2026-04.csv"');
    expect(alerts.rows.map((r) => [r.seq, r.id, r.kind])).toEqual(
      BASIC.alerts.map((a, i) => [String(i + 1), a.id, a.kind]),
    );
    const missed = alerts.rows.find((r) => r.kind === 'GROWTH_TARGET_MISSED');
    expect(missed?.growthPercent).toBe('5.00');
    const xlsx = await xlsxOf(server, '/v1/alerts?channelId=CH-B', 'accept');
    expect(xlsx.disposition).toBe('attachment; filename="chanperf-alerts-CH-B-2026-04.xlsx"');
    expect(xlsx.rows.length).toBe(BASIC.alerts.filter((a) => a.id.includes('/CH-B/')).length);
    expect(xlsx.rows[0]?.targetPercent).toEqual({ value: 0.1, numFmt: '0.00%' });

    const moves = await xlsxOf(server, '/v1/tier-movements');
    expect(moves.rows.map((r) => [r.channelId?.value, r.to?.value])).toEqual(
      BASIC.tierMovements.map((m) => [m.channelId, m.to]),
    );
    expect((await csvOf(server, '/v1/tier-movements')).rows).toHaveLength(BASIC.tierMovements.length);
  });

  it('explain as CSV and xlsx: each figure then its events; Σ contributions = unrounded, total = the report', async () => {
    const url = '/v1/channels/CH-A/months/2026-03/explain';
    const csv = await csvOf(server, url);
    expect(csv.disposition).toBe('attachment; filename="chanperf-explain-CH-A-2026-03.csv"');
    const base = csv.rows.filter((r) => r.figure === 'rebate.base');
    const [head, ...events] = base;
    expect(events.length).toBeGreaterThan(0);
    // Contributions are exact decimals: compare them scaled to 10 decimal places.
    const scaled = (t = '') => {
      const [whole = '', fraction = ''] = t.replace('-', '').split('.');
      const v = BigInt(whole + fraction.padEnd(10, '0'));
      return t.startsWith('-') ? -v : v;
    };
    expect(sum(events.map((e) => scaled(e.contribution)))).toBe(scaled(head?.unrounded));
    const march = BASIC.channels
      .find((c) => c.channelId === 'CH-A')
      ?.months.find((m) => m.month === '2026-03');
    expect(csv.rows.find((r) => r.figure === 'rebate.total')?.reported).toBe(march?.rebate.total);
    const xlsx = await xlsxOf(server, url);
    const total = xlsx.rows.find((r) => r.figure?.value === 'rebate.total');
    expect(numberCents(total?.reported)).toBe(cents(march?.rebate.total ?? ''));
  });

  it('every table route answers xlsx; 406 stays for an Accept none answers', async () => {
    for (const url of ['/v1/channels/CH-A', '/v1/program/months', '/v1/channels/CH-A/claims']) {
      const { rows, disposition } = await xlsxOf(server, url);
      expect(disposition, url).toMatch(/^attachment; filename="chanperf-[A-Za-z0-9._-]+\.xlsx"$/);
      if (url !== '/v1/channels/CH-A/claims') expect(rows.length, url).toBeGreaterThan(0);
    }
    // The README's example: `?format=xlsx` on the partners list, saved under its file name.
    const partners = await xlsxOf(server, '/v1/channels');
    expect(partners.disposition).toBe('attachment; filename="chanperf-partners-2026-04.xlsx"');
    expect((await get(server, '/v1/alerts', { accept: 'application/xml' })).statusCode).toBe(406);
    const json = await get(server, '/v1/alerts', { accept: 'application/json, text/csv;q=0.5' });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
  });
});

describe('exports of the v2 list routes on v2-basic.ndjson', () => {
  let server: Server;
  beforeAll(async () => {
    server = await serve({ CHANPERF_LOG_LEVEL: 'silent' }, join(EXAMPLES_V2, 'v2-basic.ndjson'));
  });
  afterAll(async () => server.close());

  it('targets, claims, roll-ups, satisfaction and price changes answer xlsx with number cells', async () => {
    const urls = ['/v1/targets', '/v1/claims', '/v1/rollups', '/v1/satisfaction', '/v1/price-changes'];
    for (const url of urls) {
      const { rows, disposition } = await xlsxOf(server, url);
      expect(rows.length, url).toBeGreaterThan(0);
      expect(disposition, url).toMatch(/^attachment; filename="chanperf-[a-z-]+-2026-04\.xlsx"$/);
    }
    const targets = (await xlsxOf(server, '/v1/targets')).rows;
    for (const r of targets) {
      expect(typeof r.annualTarget?.value, 'annualTarget').toBe('number');
      if (r.attainmentBps?.value !== null) expect(r.attainmentPercent?.numFmt).toBe('0.00%');
    }
  });
});

describe('CORS', () => {
  const ORIGIN = 'https://bi.example.com';
  const preflight = (server: Server, origin: string) =>
    server.app.inject({
      method: 'OPTIONS',
      url: '/v1/channels',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });

  it('is off by default: no Access-Control-Allow-Origin, no preflight', async () => {
    const server = await serve({ CHANPERF_LOG_LEVEL: 'silent' });
    try {
      const res = await get(server, '/v1/channels', { origin: ORIGIN });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const pre = await preflight(server, ORIGIN);
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
      expect(pre.statusCode).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('answers a configured origin (preflight without a key, then the read), never another', async () => {
    const server = await serve({
      CHANPERF_LOG_LEVEL: 'silent',
      CHANPERF_CORS_ORIGINS: `${ORIGIN}, http://localhost:3000`,
    });
    try {
      const pre = await preflight(server, ORIGIN);
      expect(pre.statusCode).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(String(pre.headers['access-control-allow-headers'])).toContain('authorization');
      const res = await get(server, '/v1/channels', { origin: ORIGIN });
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(String(res.headers['access-control-expose-headers'])).toContain('content-disposition');
      expect(String(res.headers.vary)).toMatch(/origin/i);

      const other = await get(server, '/v1/channels', { origin: 'https://evil.example.com' });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const otherPre = await preflight(server, 'https://evil.example.com');
      expect(otherPre.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('refuses an origin that is not scheme://host[:port]', () => {
    for (const bad of ['*', 'https://a.example.com/path', 'bi.example.com']) {
      const config = loadConfig({ CHANPERF_CORS_ORIGINS: bad });
      expect(E.isLeft(config) && config.left, bad).toContain('CHANPERF_CORS_ORIGINS');
    }
  });
});
