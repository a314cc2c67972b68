/**
 * The query service on a real socket (127.0.0.1, port 0): basic.ndjson posted in three chunks
 * through the ingestion API, then every query endpoint checked against basic.report.json,
 * explain reconciled to the cent, trainings and certifications, CSV parsed back, partner
 * isolation, and the live stream.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createHttpServer,
  loadConfig,
  openRuntime,
  type ApiKey,
  type DerivedFact,
  type Runtime,
} from '@chanperf/runtime';
import { parse as parseCsv } from 'csv-parse/sync';
import * as E from 'fp-ts/lib/Either.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXAMPLES, EXAMPLES_V2 } from '../../../test/support/sharedSpec.js';
import { expectReportOverHttp } from '../../../packages/testing/src/contracts/index.js';
import { registerIngestionRoutes } from '../../ingestion/src/index.js';
import { startProjection, type ProjectionService } from '../../projection/src/index.js';
import { registerQueryRoutes, type Explanation, type Trainings } from './index.js';

const basicLines = readFileSync(join(EXAMPLES, 'basic.ndjson'), 'utf8')
  .split('\n')
  .filter((l) => l !== '');
const expected = JSON.parse(readFileSync(join(EXAMPLES, 'basic.report.json'), 'utf8')) as BasicReport;
/** The trainees of basic.ndjson by channel (TrainingCompleted lines). */
const traineesOf = (channelId: string): string[] =>
  basicLines.flatMap((line) => {
    try {
      const e = JSON.parse(line) as { type?: string; channelId?: string; data?: { traineeId?: string } };
      return e.type === 'TrainingCompleted' && e.channelId === channelId && e.data?.traineeId !== undefined
        ? [e.data.traineeId]
        : [];
    } catch {
      return []; // the malformed line
    }
  });

interface MonthJson {
  month: string;
  sales: string;
  returns: string;
  net: string;
  rebate: Record<'base' | 'growthBonus' | 'promotion' | 'volume' | 'total', string>;
  [k: string]: unknown;
}
interface ChannelJson {
  channelId: string;
  name: string;
  tier: string | null;
  months: MonthJson[];
  [k: string]: unknown;
}
interface BasicReport {
  counts: Record<string, number>;
  lastClosedMonth: string | null;
  channels: ChannelJson[];
  program: { months: Record<string, unknown>[] };
  tierMovements: { channelId: string }[];
  alerts: { id: string; kind: string; channelId: string }[];
  rejected: { line: number; eventId: string | null; code: string }[];
}

const KEYS = {
  analyst: 'analyst-key-0123456789',
  admin: 'admin-key-0123456789ab',
  ingest: 'ingest-key-0123456789a',
  partnerA: 'partner-a-key-01234567',
  partnerB: 'partner-b-key-01234567',
} as const;

const API_KEYS: ApiKey[] = [
  { key: KEYS.analyst, role: 'analyst' },
  { key: KEYS.admin, role: 'admin' },
  { key: KEYS.ingest, role: 'ingest' },
  { key: KEYS.partnerA, role: 'partner', channelId: 'CH-A' },
  { key: KEYS.partnerB, role: 'partner', channelId: 'CH-B' },
];

interface Server {
  readonly url: string;
  readonly runtime: Runtime;
  readonly projection: ProjectionService;
  close(): Promise<void>;
}

/** The services of `chanperf serve` in this process, on a fresh data dir and a free port. */
async function startServer(options: { heartbeatMs?: number } = {}): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-query-'));
  const config = loadConfig({
    CHANPERF_DATA_DIR: dir,
    CHANPERF_API_KEYS: JSON.stringify(API_KEYS),
    CHANPERF_LOG_LEVEL: 'silent',
  });
  if (E.isLeft(config)) throw new Error(config.left);
  const runtime = openRuntime(config.right, pino({ level: 'silent' }));
  const projection = startProjection(runtime);
  const app = await createHttpServer(runtime, { ready: () => Promise.resolve(projection.ready()) });
  await registerIngestionRoutes(app, runtime);
  await registerQueryRoutes(app, runtime, options);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    runtime,
    projection,
    async close() {
      await app.close();
      await projection.stop();
      runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function post(server: Server, path: string, body: string, contentType: string, key: string) {
  const res = await fetch(server.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
    body,
  });
  expect(res.status).toBe(200);
  return res.json();
}

/** Posts basic.ndjson in three chunks and waits for the projection to reach the log head. */
async function ingestBasic(server: Server): Promise<void> {
  const third = Math.ceil(basicLines.length / 3);
  for (let i = 0; i < basicLines.length; i += third) {
    const chunk = basicLines.slice(i, i + third).join('\n') + '\n';
    await post(server, '/v1/events', chunk, 'application/x-ndjson', KEYS.ingest);
  }
  await server.projection.waitFor();
}

async function get(server: Server, path: string, key: string | undefined, accept?: string) {
  const headers: Record<string, string> = {};
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  if (accept !== undefined) headers.accept = accept;
  const res = await fetch(server.url + path, { headers });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, headers: res.headers };
}

async function getJson<T = Record<string, unknown>>(
  server: Server,
  path: string,
  key: string = KEYS.analyst,
): Promise<T> {
  const r = await get(server, path, key);
  expect(r.status, `${path}: ${r.text}`).toBe(200);
  return JSON.parse(r.text) as T;
}

/** An exact decimal string as an integer scaled by 10^scale (e.g. "-400.0000", 6 → -400000000n). */
function scaled(text: string, scale: number): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) throw new Error(`not a decimal: ${text}`);
  const frac = m[3] ?? '';
  expect(frac.length).toBeLessThanOrEqual(scale);
  const v = BigInt((m[2] ?? '') + frac.padEnd(scale, '0'));
  return m[1] === '-' ? -v : v;
}

/** Half away from zero, from `scale` fraction digits down to `digits` (the spec's one rounding). */
function roundTo(value: bigint, scale: number, digits: number): bigint {
  const unit = 10n ** BigInt(scale - digits);
  const abs = value < 0n ? -value : value;
  let q = abs / unit;
  if ((abs % unit) * 2n >= unit) q += 1n;
  return value < 0n ? -q : q;
}

const DIGITS = 2;
const EXACT = DIGITS + 4;

describe('query API on v2-basic.ndjson (spec v2)', () => {
  it('GET /v1/report has the example report, v2 sections included', async () => {
    const server = await startServer();
    try {
      const body = readFileSync(join(EXAMPLES_V2, 'v2-basic.ndjson'), 'utf8');
      await post(server, '/v1/events', body, 'application/x-ndjson', KEYS.ingest);
      await server.projection.waitFor();
      const want = JSON.parse(readFileSync(join(EXAMPLES_V2, 'v2-basic.report.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      const r = await get(server, '/v1/report', KEYS.analyst);
      expect(r.status).toBe(200);
      const got = JSON.parse(r.text) as Record<string, unknown>;
      expectReportOverHttp(got as unknown as BasicReport, want as unknown as BasicReport);
      for (const section of ['targets', 'priceProtection', 'rollups', 'satisfaction']) {
        expect(got[section], section).toEqual(want[section]);
      }
    } finally {
      await server.close();
    }
  });
});

describe('query API on basic.ndjson', () => {
  let server: Server;

  beforeAll(async () => {
    server = await startServer();
    await ingestBasic(server);
  });
  afterAll(async () => {
    await server.close();
  });

  it('GET /v1/report equals basic.report.json (channels, program, tier movements, alerts)', async () => {
    const r = await get(server, '/v1/report', KEYS.analyst);
    expect(r.status).toBe(200);
    expect(Number(r.headers.get('x-chanperf-position'))).toBe(await server.runtime.store.log.head());
    expectReportOverHttp(JSON.parse(r.text) as BasicReport, expected);
  });

  it('GET /v1/channels/:id and …/months/:month answer the report figures', async () => {
    for (const channel of expected.channels) {
      const detail = await getJson(server, `/v1/channels/${channel.channelId}`);
      const { region, ...rest } = detail as ChannelJson & { region: string | null };
      expect(rest).toEqual(channel);
      expect(region === null || typeof region === 'string').toBe(true);
      for (const month of channel.months) {
        expect(await getJson(server, `/v1/channels/${channel.channelId}/months/${month.month}`)).toEqual({
          channelId: channel.channelId,
          ...month,
        });
      }
    }
    expect((await getJson(server, '/v1/channels/CH-A')).region).toBe('North');
    expect((await getJson(server, '/v1/channels/CH-B')).region).toBeNull();
  });

  it('GET /v1/channels lists every channel with its last closed month and quarter accrual', async () => {
    const { channels } = await getJson<{ channels: Record<string, unknown>[] }>(server, '/v1/channels');
    expect(channels.map((c) => c.channelId)).toEqual(expected.channels.map((c) => c.channelId));
    for (const c of channels) {
      const want = expected.channels.find((e) => e.channelId === c.channelId)!;
      const march = want.months.find((m) => m.month === '2026-03');
      const april = want.months.find((m) => m.month === '2026-04')!;
      expect(c).toMatchObject({ name: want.name, tier: want.tier, quarter: '2026-Q2' });
      // April is the only month of Q2 so far.
      expect(c.quarterRebateAccrued).toBe(april.rebate.total);
      if (march === undefined) {
        expect(c.lastClosedMonth).toBeNull(); // CH-D registered in April
      } else {
        expect(c).toMatchObject({ lastClosedMonth: '2026-03', lastClosedNet: march.net });
        expect(c.lastClosedGrowthStatus).toBe(march.growthStatus);
      }
    }
  });

  it('GET /v1/channels pages with limit and cursor: the pages add up to the whole list', async () => {
    type Page = { channels: { channelId: string }[]; next: string | null };
    const all = await getJson<Page>(server, '/v1/channels');
    expect(all.next).toBeNull();
    const seen: string[] = [];
    let path: string | undefined = '/v1/channels?limit=3';
    while (path !== undefined) {
      const r = await get(server, path, KEYS.analyst);
      const page = JSON.parse(r.text) as Page;
      expect(page.channels.length).toBeLessThanOrEqual(3);
      seen.push(...page.channels.map((c) => c.channelId));
      // The Link header names the same next page as the body.
      const link = /^<([^>]+)>; rel="next"$/.exec(r.headers.get('link') ?? '')?.[1];
      expect(link === undefined ? null : new URL(link, server.url).searchParams.get('cursor')).toBe(
        page.next,
      );
      path = link;
    }
    expect(seen).toEqual(all.channels.map((c) => c.channelId));
    expect((await get(server, '/v1/channels?cursor=x', KEYS.analyst)).status).toBe(400);
    expect((await get(server, '/v1/channels?limit=0', KEYS.analyst)).status).toBe(400);
  });

  it('GET /v1/program/months, /v1/tier-movements and /v1/alerts (with since/limit paging)', async () => {
    expect(await getJson(server, '/v1/program/months')).toEqual({ months: expected.program.months });
    expect(await getJson(server, '/v1/tier-movements')).toEqual({ tierMovements: expected.tierMovements });
    const all = await getJson<{ alerts: { seq: number; alert: unknown }[]; next: number }>(
      server,
      '/v1/alerts',
    );
    expect(all.alerts.map((a) => a.alert)).toEqual(expected.alerts);
    expect(all.alerts.map((a) => a.seq)).toEqual(expected.alerts.map((_, i) => i + 1));
    const paged: unknown[] = [];
    let since = 0;
    for (let i = 0; i <= expected.alerts.length; i++) {
      const page = await getJson<{ alerts: { alert: unknown }[]; next: number }>(
        server,
        `/v1/alerts?since=${since}&limit=1`,
      );
      if (page.alerts.length === 0) {
        expect(page.next).toBe(since);
        break;
      }
      paged.push(...page.alerts.map((a) => a.alert));
      since = page.next;
    }
    expect(paged).toEqual(expected.alerts);
    const onlyA = await getJson<{ alerts: { alert: { channelId: string } }[] }>(
      server,
      '/v1/alerts?channelId=CH-A',
    );
    expect(onlyA.alerts.map((a) => a.alert)).toEqual(expected.alerts.filter((a) => a.channelId === 'CH-A'));
  });

  it('explain of every rebate component of every channel-month sums to the reported figure', async () => {
    let components = 0;
    for (const channel of expected.channels) {
      for (const month of channel.months) {
        const e = await getJson<Explanation>(
          server,
          `/v1/channels/${channel.channelId}/months/${month.month}/explain`,
        );
        const where = `${channel.channelId} ${month.month}`;
        expect(e.consistent, where).toBe(true);
        expect(e.sales.figure).toBe(month.sales);
        expect(e.returns.figure).toBe(month.returns);
        const sumOf = (list: { amount: string }[]) => list.reduce((s, x) => s + scaled(x.amount, DIGITS), 0n);
        expect(sumOf(e.sales.events), where).toBe(scaled(month.sales, DIGITS));
        expect(sumOf(e.returns.events), where).toBe(scaled(month.returns, DIGITS));
        let total = 0n;
        for (const name of ['base', 'growthBonus', 'promotion', 'volume'] as const) {
          const c = e.rebate[name];
          const reported = month.rebate[name];
          const contributions = c.events.reduce((s, x) => s + scaled(x.contribution, EXACT), 0n);
          // Each contribution is exactly amount × bps / 10000 …
          for (const x of c.events) {
            expect(scaled(x.contribution, EXACT), `${where} ${name} ${x.eventId}`).toBe(
              scaled(x.amount, DIGITS) * BigInt(x.bps),
            );
          }
          // … they add up to the unrounded sum, which rounds once to the reported figure.
          expect(contributions, `${where} ${name}`).toBe(scaled(c.unrounded, EXACT));
          expect(roundTo(contributions, EXACT, DIGITS), `${where} ${name}`).toBe(scaled(reported, DIGITS));
          expect(c.figure).toBe(reported);
          expect(c.computed).toBe(reported);
          total += scaled(reported, DIGITS);
          components++;
        }
        expect(total, where).toBe(scaled(month.rebate.total, DIGITS));
        expect(e.rebate.total).toEqual(
          expect.objectContaining({ figure: month.rebate.total, computed: month.rebate.total }),
        );
        expect(e.growth.computed).toEqual({ growthBps: month.growthBps, growthStatus: month.growthStatus });
      }
    }
    expect(components).toBe(4 * expected.channels.reduce((n, c) => n + c.months.length, 0));
  });

  it('explain names the events, promotions and original sales behind CH-A’s promotion figures', async () => {
    const feb = await getJson<Explanation>(server, '/v1/channels/CH-A/months/2026-02/explain');
    expect(feb.rebate.promotion.events).toEqual([
      expect.objectContaining({
        eventId: 's5',
        amount: '600000.00',
        bps: 100,
        contribution: '6000.000000',
        promotions: [
          expect.objectContaining({ promotionId: 'spring-P1', eventId: 'promo-feb', bonusBps: 100 }),
        ],
      }),
    ]);
    expect(feb.rebate.growthBonus).toMatchObject({ applies: true, bps: 50, figure: '3000.00' });
    const mar = await getJson<Explanation>(server, '/v1/channels/CH-A/months/2026-03/explain');
    const r1 = mar.rebate.promotion.events.find((x) => x.eventId === 'r1');
    expect(r1).toMatchObject({
      type: 'SaleReturned',
      amount: '-40000.00',
      bps: 100,
      contribution: '-400.000000',
      originalSale: { eventId: 's5', bps: 100 },
    });
    // s8 is in March, after the February window: no promotion.
    expect(mar.rebate.promotion.events.find((x) => x.eventId === 's8')).toMatchObject({
      bps: 0,
      promotions: [],
    });
    expect(mar.rebate.volume).toMatchObject({
      applies: true,
      bps: 50,
      figure: '8800.00',
      quarter: {
        months: [
          { month: '2026-01', net: '500000.00' },
          { month: '2026-02', net: '600000.00' },
          { month: '2026-03', net: '660000.00' },
        ],
        quarterNet: '1760000.00',
        band: { minQuarterNet: '1000000.00', rateBps: 50 },
      },
    });
    expect(mar.rebate.volume.events.map((x) => x.eventId)).toEqual(['s1', 's2', 's5', 's8', 'r1']);
    expect(mar.growth).toMatchObject({ net: '660000.00', previous: { month: '2026-02', net: '600000.00' } });
    const apr = await getJson<Explanation>(server, '/v1/channels/CH-A/months/2026-04/explain');
    expect(apr.rebate.base).toMatchObject({ tier: 'gold', bps: 300, figure: '7500.00' });
    expect(apr.rebate.volume).toMatchObject({ applies: false, quarter: null, events: [] });
  });

  it('GET /v1/channels/:id/trainings: months, trainees and their certifications, certified in 12 months', async () => {
    const r = await get(server, '/v1/channels/CH-A/trainings', KEYS.analyst);
    expect(r.status, r.text).toBe(200);
    expect(Number(r.headers.get('x-chanperf-position'))).toBe(await server.runtime.store.log.head());
    expect(JSON.parse(r.text)).toEqual({
      channelId: 'CH-A',
      months: [
        { month: '2026-01', trainings: 2, certifications: 2 },
        { month: '2026-02', trainings: 1, certifications: 1 },
        { month: '2026-03', trainings: 1, certifications: 1 },
        { month: '2026-04', trainings: 0, certifications: 0 },
      ],
      trainees: [
        {
          traineeId: 'a-chen',
          certifications: [
            { certification: 'CERT-SALES', courseId: 'SALES-201', month: '2026-02', eventId: 't4' },
            { certification: 'CERT-ADV', courseId: 'SALES-201', month: '2026-03', eventId: 't6' },
          ],
        },
        {
          traineeId: 'a-li',
          certifications: [
            { certification: 'CERT-SALES', courseId: 'SALES-101', month: '2026-01', eventId: 't1' },
          ],
        },
        {
          traineeId: 'a-wang',
          certifications: [
            { certification: 'CERT-SALES', courseId: 'SALES-101', month: '2026-01', eventId: 't2' },
          ],
        },
      ],
      certifiedLast12Months: 3,
      certificationWindow: { from: '2025-05', to: '2026-04' },
    } satisfies Trainings);

    // b-zhao completed a course without a certification in January, then certified in February.
    expect(await getJson(server, '/v1/channels/CH-B/trainings')).toEqual({
      channelId: 'CH-B',
      months: [
        { month: '2026-01', trainings: 1, certifications: 0 },
        { month: '2026-02', trainings: 1, certifications: 1 },
        { month: '2026-03', trainings: 0, certifications: 0 },
        { month: '2026-04', trainings: 0, certifications: 0 },
      ],
      trainees: [
        {
          traineeId: 'b-zhao',
          certifications: [
            { certification: 'CERT-SALES', courseId: 'SALES-201', month: '2026-02', eventId: 't5' },
          ],
        },
      ],
      certifiedLast12Months: 1,
      certificationWindow: { from: '2025-05', to: '2026-04' },
    } satisfies Trainings);
    expect(await getJson(server, '/v1/channels/CH-D/trainings')).toEqual({
      channelId: 'CH-D',
      months: [{ month: '2026-04', trainings: 0, certifications: 0 }],
      trainees: [],
      certifiedLast12Months: 0,
      certificationWindow: { from: '2025-05', to: '2026-04' },
    });

    // Every channel's months are its report months, and their trainings add up to the program's.
    const perMonth = new Map<string, number>();
    for (const channel of expected.channels) {
      const t = await getJson<Trainings>(server, `/v1/channels/${channel.channelId}/trainings`);
      expect(t.months.map((m) => m.month)).toEqual(channel.months.map((m) => m.month));
      for (const m of t.months) perMonth.set(m.month, (perMonth.get(m.month) ?? 0) + m.trainings);
    }
    expect(
      expected.program.months.map((m) => [m.month, m.trainingsCompleted]),
      'Σ trainings per month = program trainingsCompleted',
    ).toEqual([...perMonth]);

    const unknown = await get(server, '/v1/channels/CH-Z/trainings', KEYS.analyst);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toMatchObject({ error: { code: 'UNKNOWN_CHANNEL' } });
    expect((await get(server, '/v1/channels/bad%20id/trainings', KEYS.analyst)).status).toBe(400);
  });

  it('a partner reads its own trainings only: CH-A to partner B is 403, naming nothing', async () => {
    const own = await getJson<Trainings>(server, '/v1/channels/CH-A/trainings', KEYS.partnerA);
    expect(own.certifiedLast12Months).toBe(3);
    expect((await getJson<Trainings>(server, '/v1/channels/CH-A/trainings', KEYS.admin)).trainees).toEqual(
      own.trainees,
    );
    const r = await get(server, '/v1/channels/CH-A/trainings', KEYS.partnerB);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    for (const mark of ['CH-A', ...traineesOf('CH-A')]) expect(r.text).not.toContain(mark);
    // 403, not 404, for a channel that does not exist either.
    expect((await get(server, '/v1/channels/CH-NOPE/trainings', KEYS.partnerB)).status).toBe(403);
    expect((await get(server, '/v1/channels/CH-A/trainings', KEYS.ingest)).status).toBe(403);
    expect((await get(server, '/v1/channels/CH-A/trainings', undefined)).status).toBe(401);
  });

  it('answers 404 for an unknown channel or a month outside its months, 400 for a malformed month', async () => {
    const unknown = await get(server, '/v1/channels/CH-Z', KEYS.analyst);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toMatchObject({ error: { code: 'UNKNOWN_CHANNEL' } });
    for (const path of ['/v1/channels/CH-D/months/2026-03', '/v1/channels/CH-A/months/2026-05/explain']) {
      const r = await get(server, path, KEYS.analyst);
      expect(r.status, path).toBe(404);
      expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'UNKNOWN_MONTH' } });
    }
    for (const path of ['/v1/channels/CH-A/months/2026-13', '/v1/channels/CH-A/months/March/explain']) {
      const r = await get(server, path, KEYS.analyst);
      expect(r.status, path).toBe(400);
    }
    expect((await get(server, '/v1/channels/bad%20id', KEYS.analyst)).status).toBe(400);
  });

  it('CSV month tables parse back to the JSON figures', async () => {
    const csv = async (path: string, viaQuery = false) => {
      const r = await get(
        server,
        viaQuery ? `${path}?format=csv` : path,
        KEYS.analyst,
        viaQuery ? undefined : 'text/csv',
      );
      expect(r.status).toBe(200);
      expect(r.type).toMatch(/^text\/csv/);
      return parseCsv<Record<string, string>>(r.text, { bom: true, columns: true });
    };
    const cell = (v: unknown): string =>
      v === null ? '' : typeof v === 'number' || typeof v === 'boolean' ? String(v) : (v as string);
    // Beside each column of basis points, its percentage with two decimals.
    const percent = (bps: unknown): string => (typeof bps === 'number' ? (bps / 100).toFixed(2) : '');
    const row = (o: object) =>
      Object.fromEntries(
        Object.entries(o).flatMap(([k, v]) =>
          k.endsWith('Bps')
            ? [
                [k, cell(v)],
                [k.replace(/Bps$/, 'Percent'), percent(v)],
              ]
            : [[k, cell(v)]],
        ),
      );

    for (const channel of expected.channels) {
      const rows = await csv(`/v1/channels/${channel.channelId}`);
      expect(rows).toEqual(
        channel.months.map((m) => ({
          channelId: channel.channelId,
          month: m.month,
          sales: m.sales,
          returns: m.returns,
          net: m.net,
          orders: cell(m.orders),
          units: cell(m.units),
          closed: cell(m.closed),
          restated: cell(m.restated),
          tier: cell(m.tier),
          growthBps: cell(m.growthBps),
          growthPercent: percent(m.growthBps),
          growthStatus: cell(m.growthStatus),
          targetBps: cell(m.targetBps),
          targetPercent: percent(m.targetBps),
          rebateBase: m.rebate.base,
          rebateGrowthBonus: m.rebate.growthBonus,
          rebatePromotion: m.rebate.promotion,
          rebateVolume: m.rebate.volume,
          rebateTotal: m.rebate.total,
        })),
      );
    }

    const program = await csv('/v1/program/months', true);
    expect(program).toEqual(expected.program.months.map(row));

    const { channels } = await getJson<{ channels: Record<string, unknown>[] }>(server, '/v1/channels');
    const list = await csv('/v1/channels');
    expect(list).toEqual(channels.map(row));
    expect(list.find((c) => c.channelId === 'CH-A')?.name).toBe('华北总代 North Distribution');
  });

  it('describes every query route in the OpenAPI document', async () => {
    const doc = await getJson<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>(server, '/docs/json');
    for (const path of [
      '/v1/report',
      '/v1/channels',
      '/v1/channels/{id}',
      '/v1/channels/{id}/months/{month}',
      '/v1/channels/{id}/months/{month}/explain',
      '/v1/channels/{id}/trainings',
      '/v1/alerts',
      '/v1/tier-movements',
      '/v1/program/months',
      '/v1/live',
    ]) {
      expect(doc.paths[path]?.get?.responses['200'], path).toBeDefined();
    }
    expect(JSON.stringify(doc.paths['/v1/channels/{id}']?.get?.responses['200'])).toContain('text/csv');
  });

  describe('authorization', () => {
    const foreign = (own: string) => expected.channels.filter((c) => c.channelId !== own);
    /** Strings that only another channel's answers would contain: ids, names, money figures. */
    const foreignMarks = (own: string) => {
      const mine = expected.channels.find((c) => c.channelId === own)!;
      const ownFigures = new Set(
        mine.months.flatMap((m) => [m.sales, m.returns, m.net, ...Object.values(m.rebate)]),
      );
      const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return [
        ...foreign(own).flatMap((c) => [c.channelId, c.name, ...traineesOf(c.channelId)]),
        ...foreign(own)
          .flatMap((c) => c.months.flatMap((m) => [m.sales, m.returns, m.net, ...Object.values(m.rebate)]))
          .filter((f) => !ownFigures.has(f) && f !== '0.00'),
      ].map((mark) => ({ mark, pattern: new RegExp(`(?<![0-9.])${escape(mark)}(?![0-9])`) }));
    };

    it.each([
      ['partnerA', 'CH-A', 'CH-B'],
      ['partnerB', 'CH-B', 'CH-A'],
    ] as const)(
      '%s reads its own channel only: 403 on others, lists, report and program totals',
      async (who, own, other) => {
        const key = KEYS[who];
        const forbidden = [
          `/v1/channels/${other}`,
          `/v1/channels/${other}?format=csv`,
          `/v1/channels/${other}/months/2026-01`,
          `/v1/channels/${other}/months/2026-01/explain`,
          `/v1/channels/${other}/trainings`,
          '/v1/channels/CH-C/months/2026-03/explain',
          '/v1/channels/CH-C/trainings',
          '/v1/channels/CH-NOPE', // 403, not 404: a partner cannot probe which channels exist
          '/v1/channels',
          '/v1/channels?format=csv',
          '/v1/report',
          '/v1/program/months',
          '/v1/program/months?format=csv',
          `/v1/alerts?channelId=${other}`,
          `/v1/tier-movements?channelId=${other}`,
        ];
        const allowed = [
          `/v1/channels/${own}`,
          `/v1/channels/${own}?format=csv`,
          `/v1/channels/${own}/months/2026-03`,
          `/v1/channels/${own}/months/2026-03/explain`,
          `/v1/channels/${own}/trainings`,
          '/v1/alerts',
          `/v1/alerts?channelId=${own}`,
          '/v1/tier-movements',
        ];
        const marks = foreignMarks(own);
        for (const path of [...forbidden, ...allowed]) {
          const r = await get(server, path, key);
          expect(r.status, path).toBe(forbidden.includes(path) ? 403 : 200);
          for (const { mark, pattern } of marks)
            expect(pattern.test(r.text), `${path} shows ${mark}`).toBe(false);
        }
        const alerts = await getJson<{ alerts: { alert: { channelId: string } }[] }>(
          server,
          '/v1/alerts',
          key,
        );
        expect(alerts.alerts.map((a) => a.alert)).toEqual(expected.alerts.filter((a) => a.channelId === own));
        const moves = await getJson<{ tierMovements: unknown[] }>(server, '/v1/tier-movements', key);
        expect(moves.tierMovements).toEqual(expected.tierMovements.filter((m) => m.channelId === own));
        expect((await getJson(server, `/v1/channels/${own}`, key)).months).toEqual(
          expected.channels.find((c) => c.channelId === own)!.months,
        );
      },
    );

    it('the ingest role may not read; no key is 401', async () => {
      for (const path of ['/v1/report', '/v1/channels', '/v1/channels/CH-A', '/v1/alerts', '/v1/live']) {
        expect((await get(server, path, KEYS.ingest)).status, path).toBe(403);
        expect((await get(server, path, undefined)).status, path).toBe(401);
        expect((await get(server, path, 'not-a-key-0123456789')).status, path).toBe(401);
      }
    });
  });
});

describe('GET /v1/program/months, computed once per position', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server.close());

  it('answers the figures of each position as the projection moves, in JSON and CSV alike', async () => {
    const half = Math.ceil(basicLines.length / 2);
    await post(
      server,
      '/v1/events',
      basicLines.slice(0, half).join('\n'),
      'application/x-ndjson',
      KEYS.ingest,
    );
    await server.projection.waitFor();
    const early = await getJson<{ months: Record<string, unknown>[] }>(server, '/v1/program/months');
    // Asked again at the same position: the same answer, in either format.
    expect(await getJson(server, '/v1/program/months')).toEqual(early);
    const earlyCsv: Record<string, string>[] = parseCsv(
      (await get(server, '/v1/program/months?format=csv', KEYS.analyst)).text,
      { columns: true },
    );
    expect(earlyCsv.map((r) => r.net)).toEqual(early.months.map((m) => m.net));

    await post(server, '/v1/events', basicLines.slice(half).join('\n'), 'application/x-ndjson', KEYS.ingest);
    await server.projection.waitFor();
    const late = await getJson<{ months: Record<string, unknown>[] }>(server, '/v1/program/months');
    expect(late).toEqual({ months: expected.program.months });
    expect(late).not.toEqual(early);
  });
});

describe('GET /v1/channels/:id/trainings reads the log up to the read model’s position', () => {
  let server: Server;
  let restarted: ProjectionService | undefined;

  beforeAll(async () => {
    server = await startServer();
    await ingestBasic(server);
  });
  afterAll(async () => {
    await restarted?.stop();
    await server.close();
  });

  it('leaves out an event appended after the snapshot until the projection has applied it', async () => {
    const before = await server.runtime.store.log.head();
    await server.projection.stop();
    const late = {
      eventId: 't-late',
      type: 'TrainingCompleted',
      occurredAt: '2026-04-20T14:00:00+08:00',
      channelId: 'CH-A',
      data: { courseId: 'SALES-301', traineeId: 'a-zhou', certification: 'CERT-PRO' },
    };
    await post(server, '/v1/events', JSON.stringify([late]), 'application/json', KEYS.ingest);
    expect(await server.runtime.store.log.head()).toBe(before + 1);

    const stale = await get(server, '/v1/channels/CH-A/trainings', KEYS.analyst);
    expect(stale.status).toBe(200);
    expect(Number(stale.headers.get('x-chanperf-position'))).toBe(before);
    const old = JSON.parse(stale.text) as Trainings;
    expect(old.trainees.map((t) => t.traineeId)).toEqual(['a-chen', 'a-li', 'a-wang']);
    expect(old.certifiedLast12Months).toBe(3);
    expect(old.months.at(-1)).toEqual({ month: '2026-04', trainings: 0, certifications: 0 });

    restarted = startProjection(server.runtime);
    await restarted.waitFor();
    const fresh = await getJson<Trainings>(server, '/v1/channels/CH-A/trainings');
    expect(fresh.trainees.find((t) => t.traineeId === 'a-zhou')?.certifications).toEqual([
      { certification: 'CERT-PRO', courseId: 'SALES-301', month: '2026-04', eventId: 't-late' },
    ]);
    expect(fresh.certifiedLast12Months).toBe(4);
    expect(fresh.months.at(-1)).toEqual({ month: '2026-04', trainings: 1, certifications: 1 });
  });
});

/** Reads server-sent events from a fetch response body. */
function sseStream(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: { event: string; id: string; data: DerivedFact }[] = [];
  const comments: string[] = [];
  let buffer = '';
  const pump = async () => {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended');
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let id = '';
      let data: DerivedFact | undefined;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) comments.push(line.slice(1).trim());
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('data: ')) data = JSON.parse(line.slice(6)) as DerivedFact;
      }
      if (data !== undefined) events.push({ event, id, data });
    }
  };
  return {
    events,
    comments,
    /** Reads until `done()` holds (the test's timeout bounds it). */
    async until(done: () => boolean) {
      while (!done()) await pump();
    },
    cancel: () => reader.cancel(),
  };
}

describe('GET /v1/live', () => {
  let server: Server;
  let closed = false;

  beforeAll(async () => {
    server = await startServer({ heartbeatMs: 200 });
    await ingestBasic(server);
  });
  afterAll(async () => {
    if (!closed) await server.close();
  });

  it('streams derived facts; a partner sees only its own channel; listeners go away on close', async () => {
    const baseline = server.runtime.bus.listenerCount('projected');
    const open = (key: string) =>
      fetch(`${server.url}/v1/live`, {
        headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
      });
    const analystRes = await open(KEYS.analyst);
    const partnerRes = await open(KEYS.partnerB);
    expect(analystRes.status).toBe(200);
    expect(analystRes.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const analyst = sseStream(analystRes);
    const partner = sseStream(partnerRes);
    expect(server.runtime.bus.listenerCount('projected')).toBe(baseline + 2);

    // Closing April: CH-A (250000 after 660000) and CH-C (nothing after 66000) miss their target.
    await post(
      server,
      '/v1/events',
      JSON.stringify([
        {
          eventId: 'close-04',
          type: 'PeriodClosed',
          occurredAt: '2026-05-01T00:05:00+08:00',
          data: { month: '2026-04' },
        },
      ]),
      'application/json',
      KEYS.ingest,
    );
    const head = await server.runtime.store.log.head();
    const alertOf = (channelId: string) =>
      analyst.events.find((e) => e.data.kind === 'AlertRaised' && e.data.alert.channelId === channelId);
    await analyst.until(
      () =>
        analyst.events.some((e) => e.data.kind === 'MonthClosed' && e.data.month === '2026-04') &&
        alertOf('CH-C') !== undefined,
    );
    const missed = alertOf('CH-A');
    expect(missed?.data).toMatchObject({
      kind: 'AlertRaised',
      alert: { id: 'GROWTH_TARGET_MISSED/CH-A/2026-04/1', kind: 'GROWTH_TARGET_MISSED' },
    });
    expect(missed?.id).toMatch(new RegExp(`^${head}-\\d+$`));
    // One id per event: the batch's log position and the fact's index in it.
    expect(
      analyst.events.every((e) => e.data.kind === e.event && e.id.startsWith(`${e.data.position}-`)),
    ).toBe(true);
    expect(new Set(analyst.events.map((e) => e.id)).size).toBe(analyst.events.length);

    // The partner's stream carries the batch's MonthClosed and nothing of other channels.
    await partner.until(() => partner.events.some((e) => e.event === 'MonthClosed'));
    const text = JSON.stringify(partner.events);
    for (const other of ['CH-A', 'CH-C', 'CH-D']) expect(text.includes(other), other).toBe(false);
    await partner.until(() => partner.comments.includes('heartbeat'));

    await analyst.cancel();
    await partner.cancel();
    await vi.waitFor(() => expect(server.runtime.bus.listenerCount('projected')).toBe(baseline), {
      timeout: 5000,
      interval: 20,
    });
  });

  it('the alerts API shows the alerts the stream announced', async () => {
    const { alerts } = await getJson<{ alerts: { alert: { id: string } }[] }>(
      server,
      '/v1/alerts?since=0&limit=1000',
    );
    expect(alerts.map((a) => a.alert.id)).toEqual(
      expect.arrayContaining(['GROWTH_TARGET_MISSED/CH-A/2026-04/1', 'GROWTH_TARGET_MISSED/CH-C/2026-04/1']),
    );
  });

  it('a reconnection with Last-Event-ID gets what it missed, an unknown id a reset; MonthClosed once per close', async () => {
    const open = (lastEventId?: string) =>
      fetch(`${server.url}/v1/live`, {
        headers: {
          authorization: `Bearer ${KEYS.analyst}`,
          ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
        },
      }).then(sseStream);
    const live = await open();
    await live.until(() => live.comments.includes('connected'));
    // A sale in the open month: figures change, no month closes.
    const sale = {
      eventId: 'live-sale-1',
      type: 'SaleRecorded',
      occurredAt: '2026-05-03T10:00:00+08:00',
      channelId: 'CH-A',
      data: { orderId: 'A-LIVE-1', sku: 'P1', quantity: 1, netAmount: '100.00', currency: 'CNY' },
    };
    await post(server, '/v1/events', JSON.stringify([sale]), 'application/json', KEYS.ingest);
    const head = await server.runtime.store.log.head();
    await live.until(() => live.events.some((e) => e.data.position === head));
    expect(live.events.filter((e) => e.data.position === head).map((e) => e.event)).toEqual([
      'MonthFiguresChanged',
    ]);

    // Everything after the first fact of the previous test's close batch.
    const closeBatch = head - 1;
    const resumed = await open(`${closeBatch}-0`);
    await resumed.until(() => resumed.events.some((e) => e.data.position === head));
    const ids = resumed.events.map((e) => e.id);
    expect(ids[0]).toBe(`${closeBatch}-1`);
    expect(ids.at(-1)).toBe(`${head}-0`);
    expect(resumed.events.some((e) => e.event === 'reset')).toBe(false);
    await resumed.cancel();

    // An id from before this process's history: re-read the snapshots.
    const stale = await open('0-0');
    await stale.until(() => stale.events.length > 0);
    expect(stale.events[0]).toMatchObject({ event: 'reset', data: { position: head } });
    await stale.cancel();
    await live.cancel();
  });

  it('closing the server ends the open streams', async () => {
    const res = await fetch(`${server.url}/v1/live`, {
      headers: { authorization: `Bearer ${KEYS.analyst}` },
    });
    const stream = sseStream(res);
    await stream.until(() => stream.comments.includes('connected'));
    await server.close(); // would hang on an open stream
    closed = true;
    await expect(stream.until(() => false)).rejects.toThrow('stream ended');
  });
});
