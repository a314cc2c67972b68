/**
 * (v2) The query routes of every v2 figure, through Fastify's inject on the services of
 * `chanperf serve` (a real SQLite data dir in a temp folder): v2-basic.ndjson, then each
 * route's entries compared with the report's v2 sections (JSON, and CSV parsed back), the
 * claims' explain reconciled to the cent, partner isolation, a v1 log's empty lists, and the
 * OpenAPI document.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createHttpServer,
  loadConfig,
  openRuntime,
  type ApiKey,
  type App,
  type Runtime,
} from '@chanperf/runtime';
import { parse as parseCsv } from 'csv-parse/sync';
import * as E from 'fp-ts/lib/Either.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES, EXAMPLES_V2 } from '../../../test/support/sharedSpec.js';
import { registerIngestionRoutes } from '../../ingestion/src/index.js';
import { startProjection, type ProjectionService } from '../../projection/src/index.js';
import { registerQueryRoutes } from './index.js';
import type { claimExplainSchema } from './v2Schemas.js';
import type { z } from 'zod';

type Json = Record<string, unknown>;
type ClaimExplain = z.infer<typeof claimExplainSchema>;

interface Claim {
  channelId: string;
  changeId: string;
  sku: string;
  eligibleUnits: number;
  credit: string;
  basis: { sales: string[]; returns: string[]; inventory: string | null };
  [k: string]: unknown;
}
interface V2Report {
  channels: { channelId: string }[];
  program: { quarters: Json[] };
  targets: (Json & { channelId: string; year: string; quarters: Json[] })[];
  priceProtection: { changes: Json[]; claims: Claim[] };
  rollups: (Json & { channelId: string; months: (Json & { members: string[] })[] })[];
  satisfaction: (Json & { channelId: string; quarters: Json[] })[];
}

const want = JSON.parse(readFileSync(join(EXAMPLES_V2, 'v2-basic.report.json'), 'utf8')) as V2Report;
const CHANNELS = want.channels.map((c) => c.channelId);

const KEYS = {
  analyst: 'analyst-key-0123456789',
  ingest: 'ingest-key-0123456789a',
  partnerD1: 'partner-d1-key-0123456',
  partnerS1: 'partner-s1-key-0123456',
} as const;
const API_KEYS: ApiKey[] = [
  { key: KEYS.analyst, role: 'analyst' },
  { key: KEYS.ingest, role: 'ingest' },
  { key: KEYS.partnerD1, role: 'partner', channelId: 'D1' },
  { key: KEYS.partnerS1, role: 'partner', channelId: 'S1' },
];

interface Server {
  readonly app: App;
  close(): Promise<void>;
}

/** The services of `chanperf serve` on a fresh data dir, with `file` ingested. */
async function serve(file: string): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-v2-query-'));
  const config = loadConfig({
    CHANPERF_DATA_DIR: dir,
    CHANPERF_API_KEYS: JSON.stringify(API_KEYS),
    CHANPERF_LOG_LEVEL: 'silent',
  });
  if (E.isLeft(config)) throw new Error(config.left);
  const runtime: Runtime = openRuntime(config.right, pino({ level: 'silent' }));
  const projection: ProjectionService = startProjection(runtime);
  const app = await createHttpServer(runtime, { ready: () => Promise.resolve(projection.ready()) });
  await registerIngestionRoutes(app, runtime);
  await registerQueryRoutes(app, runtime);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { authorization: `Bearer ${KEYS.ingest}`, 'content-type': 'application/x-ndjson' },
    payload: readFileSync(file, 'utf8'),
  });
  expect(res.statusCode).toBe(200);
  await projection.waitFor();
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

async function get(server: Server, url: string, key: string = KEYS.analyst, accept?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (accept !== undefined) headers.accept = accept;
  return server.app.inject({ method: 'GET', url, headers });
}

async function getJson<T = Json>(server: Server, url: string, key: string = KEYS.analyst): Promise<T> {
  const res = await get(server, url, key);
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  expect(res.headers['x-chanperf-position'], url).toMatch(/^\d+$/);
  return res.json<T>();
}

/** A CSV answer parsed back (header row as keys), after checking its type. */
async function getCsv(
  server: Server,
  url: string,
  key: string = KEYS.analyst,
): Promise<Record<string, string>[]> {
  const res = await get(server, url, key, 'text/csv');
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  expect(res.headers['content-type']).toContain('text/csv');
  return parseCsv<Record<string, string>>(res.body, { columns: true, bom: true });
}

/** A JSON value as the CSV writes it: null empty, the rest as text. */
const cell = (v: string | number | boolean | null): string => (v === null ? '' : String(v));
/** Each field as the CSV writes it; beside each `…Bps`, its `…Percent` (bps / 100, two decimals). */
const cells = (row: Json): Record<string, string> =>
  Object.fromEntries(
    Object.entries(row).flatMap(([k, v]) => {
      const field: [string, string] = [k, cell(v as string | number | boolean | null)];
      if (!k.endsWith('Bps')) return [field];
      const percent = typeof v === 'number' ? (v / 100).toFixed(2) : '';
      return [field, [k.replace(/Bps$/, 'Percent'), percent]];
    }),
  );

const targetRows = (targets: V2Report['targets']) =>
  targets.flatMap(({ quarters, ...t }) =>
    quarters.map((q) =>
      cells({
        ...t,
        quarter: q.quarter,
        quarterTarget: q.target,
        quarterNet: q.net,
        cumulativeTarget: q.cumulativeTarget,
        cumulativeNet: q.cumulativeNet,
        quarterStatus: q.status,
      }),
    ),
  );
const claimRows = (claims: Claim[]) =>
  claims.map(({ basis, ...c }) =>
    cells({
      ...c,
      basisSales: basis.sales.length,
      basisReturns: basis.returns.length,
      basisInventory: basis.inventory,
    }),
  );
const rollupRows = (rollups: V2Report['rollups']) =>
  rollups.flatMap((r) =>
    r.months.map((m) => cells({ channelId: r.channelId, ...m, members: m.members.join(' ') })),
  );
const satisfactionRows = (entries: V2Report['satisfaction']) =>
  entries.flatMap((s) => s.quarters.map((q) => cells({ channelId: s.channelId, ...q })));

const of = <T extends { channelId: string }>(list: T[], id: string) => list.filter((x) => x.channelId === id);
const claims = want.priceProtection.claims;

/** An exact decimal string in hundredths. */
const cents = (text: string): bigint => {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(text);
  if (m === null) throw new Error(`not a 2-digit decimal: ${text}`);
  const v = BigInt(`${m[2]}${m[3]}`);
  return m[1] === '-' ? -v : v;
};

/** The invariants of an explanation against its claim. */
function expectReconciles(x: ClaimExplain, claim: Claim): void {
  expect(x).toMatchObject({ channelId: claim.channelId, changeId: claim.changeId, sku: claim.sku });
  expect(x.credit).toBe(claim.credit);
  expect(x.eligibleUnits).toBe(claim.eligibleUnits);
  expect(x.lines.reduce((s, l) => s + l.units, 0)).toBe(claim.eligibleUnits);
  expect(x.lines.reduce((s, l) => s + cents(l.credit), 0n)).toBe(cents(claim.credit));
  for (const l of x.lines) expect(cents(l.credit)).toBe(BigInt(l.units) * cents(x.unitCredit));
  const ids = x.lines.map((l) => l.eventId);
  const basis = [
    ...claim.basis.sales,
    ...claim.basis.returns,
    ...(claim.basis.inventory === null ? [] : [claim.basis.inventory]),
  ];
  for (const id of basis) expect(ids, `${claim.channelId}/${claim.changeId}: ${id}`).toContain(id);
  const caps = x.lines.filter((l) => l.type === 'INVENTORY_CAP');
  expect(caps.length).toBe(claim.eligibleUnits < (claim.windowUnits as number) ? 1 : 0);
  for (const cap of caps) expect(cap.units).toBeLessThan(0);
}

describe('v2 query routes on v2-basic.ndjson', () => {
  let server: Server;
  beforeAll(async () => {
    server = await serve(join(EXAMPLES_V2, 'v2-basic.ndjson'));
  });
  afterAll(async () => {
    await server.close();
  });

  it('GET /v1/targets (and ?year=) has the report’s targets, JSON and CSV', async () => {
    expect(await getJson(server, '/v1/targets')).toEqual({ targets: want.targets });
    expect(await getJson(server, '/v1/targets?year=2026')).toEqual({
      targets: want.targets.filter((t) => t.year === '2026'),
    });
    expect(await getJson(server, '/v1/targets?year=2025')).toEqual({ targets: [] });
    expect(await getCsv(server, '/v1/targets')).toEqual(targetRows(want.targets));
    expect((await get(server, '/v1/targets?year=26')).statusCode).toBe(400);
  });

  it.each(CHANNELS)(
    'GET /v1/channels/%s/targets, /claims and /satisfaction are its report entries',
    async (id) => {
      expect(await getJson(server, `/v1/channels/${id}/targets`)).toEqual({
        channelId: id,
        targets: of(want.targets, id),
      });
      expect(await getCsv(server, `/v1/channels/${id}/targets?format=csv`)).toEqual(
        targetRows(of(want.targets, id)),
      );
      expect(await getJson(server, `/v1/channels/${id}/claims`)).toEqual({
        channelId: id,
        claims: of(claims, id),
      });
      expect(await getCsv(server, `/v1/channels/${id}/claims`)).toEqual(claimRows(of(claims, id)));
      const [satisfaction] = of(want.satisfaction, id);
      expect(await getJson(server, `/v1/channels/${id}/satisfaction`)).toEqual(satisfaction);
      expect(await getCsv(server, `/v1/channels/${id}/satisfaction`)).toEqual(
        satisfactionRows([satisfaction!]),
      );
      const [rollup] = of(want.rollups, id);
      expect(await getJson(server, `/v1/channels/${id}/rollup`)).toEqual({
        channelId: id,
        rollup: rollup ?? null,
      });
      expect(await getCsv(server, `/v1/channels/${id}/rollup`)).toEqual(
        rollupRows(rollup === undefined ? [] : [rollup]),
      );
    },
  );

  it('GET /v1/price-changes and /v1/claims (with filters) have the report’s price protection', async () => {
    expect(await getJson(server, '/v1/price-changes')).toEqual({ changes: want.priceProtection.changes });
    expect(await getCsv(server, '/v1/price-changes')).toEqual(want.priceProtection.changes.map(cells));
    expect(await getJson(server, '/v1/claims')).toEqual({ claims });
    expect(await getCsv(server, '/v1/claims')).toEqual(claimRows(claims));
    expect(await getJson(server, '/v1/claims?channelId=D1&changeId=pc-1&sku=P1')).toEqual({
      claims: of(claims, 'D1'),
    });
    expect(await getJson(server, '/v1/claims?changeId=pc-2')).toEqual({ claims: [] });
    expect(await getJson(server, '/v1/claims?sku=P1')).toEqual({
      claims: claims.filter((c) => c.sku === 'P1'),
    });
    expect(await getJson(server, '/v1/claims?channelId=NOPE')).toEqual({ claims: [] });
  });

  it('GET /v1/rollups, /v1/satisfaction and /v1/program/quarters have the report’s sections', async () => {
    expect(await getJson(server, '/v1/rollups')).toEqual({ rollups: want.rollups });
    expect(await getCsv(server, '/v1/rollups')).toEqual(rollupRows(want.rollups));
    expect(await getJson(server, '/v1/satisfaction')).toEqual({ satisfaction: want.satisfaction });
    expect(await getCsv(server, '/v1/satisfaction')).toEqual(satisfactionRows(want.satisfaction));
    expect(await getJson(server, '/v1/program/quarters')).toEqual({ quarters: want.program.quarters });
    expect(await getCsv(server, '/v1/program/quarters')).toEqual(want.program.quarters.map(cells));
  });

  it('explains every claim to the cent: lines add up to its eligible units and credit, every basis id on a line', async () => {
    expect(claims.length).toBeGreaterThan(0);
    for (const claim of claims) {
      const x = await getJson<ClaimExplain>(
        server,
        `/v1/channels/${claim.channelId}/claims/${claim.changeId}/explain`,
      );
      expectReconciles(x, claim);
    }
    const d1 = await getJson<ClaimExplain>(server, '/v1/channels/D1/claims/pc-1/explain');
    // D1: 150 purchased − 10 returned = 140 window units, 120 on hand (inv-d1) cuts 20.
    expect(d1.lines.find((l) => l.type === 'INVENTORY_CAP')).toMatchObject({
      eventId: 'inv-d1',
      units: -20,
      credit: '-8000.00',
    });
    const e1 = await getJson<ClaimExplain>(server, '/v1/channels/E1/claims/pc-1/explain');
    expect(e1.lines.find((l) => l.eventId === 'inv-e1-b')).toMatchObject({
      type: 'InventoryReported',
      units: 0,
    });
    const s1 = await getJson<ClaimExplain>(server, '/v1/channels/S1/claims/pc-1/explain');
    expect(s1.lines.find((l) => l.type === 'INVENTORY_CAP')).toMatchObject({ eventId: null, units: -20 });
  });

  it.each([
    ['/v1/channels/D1/claims/pc-2/explain', 'a change that is no protected cut'],
    ['/v1/channels/N1/claims/pc-1/explain', 'a channel with no sale in the window'],
    ['/v1/channels/D1/claims/nope/explain', 'an unknown change'],
  ])('GET %s (%s) answers 404 UNKNOWN_CLAIM', async (url) => {
    const res = await get(server, url);
    expect(res.statusCode).toBe(404);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('UNKNOWN_CLAIM');
  });

  describe('partner isolation', () => {
    const channelRoutes = (id: string) => [
      `/v1/channels/${id}/targets`,
      `/v1/channels/${id}/claims`,
      `/v1/channels/${id}/claims/pc-1/explain`,
      `/v1/channels/${id}/rollup`,
      `/v1/channels/${id}/satisfaction`,
      `/v1/claims?channelId=${id}`,
    ];

    it.each([
      ['D1', KEYS.partnerD1],
      ['S1', KEYS.partnerS1],
    ])(
      'partner %s gets 403 naming nothing on every other channel’s route, its sub-partners’ included',
      async (own, key) => {
        for (const id of CHANNELS.filter((c) => c !== own)) {
          for (const url of channelRoutes(id)) {
            const res = await get(server, url, key);
            expect(res.statusCode, url).toBe(403);
            expect(res.json<{ error: { code: string } }>().error.code).toBe('FORBIDDEN');
            for (const foreign of CHANNELS.filter((c) => c !== own))
              expect(res.body, url).not.toContain(foreign);
          }
        }
      },
    );

    it('analyst-only lists answer a partner 403', async () => {
      for (const url of ['/v1/targets', '/v1/rollups', '/v1/satisfaction', '/v1/program/quarters']) {
        expect((await get(server, url, KEYS.partnerD1)).statusCode, url).toBe(403);
      }
    });

    it('a partner reads its own entries; /v1/claims is scoped to it; price changes are published to all', async () => {
      for (const [own, key] of [
        ['D1', KEYS.partnerD1],
        ['S1', KEYS.partnerS1],
      ] as const) {
        expect(await getJson(server, '/v1/claims', key)).toEqual({ claims: of(claims, own) });
        expect(await getJson(server, `/v1/channels/${own}/targets`, key)).toEqual({
          channelId: own,
          targets: of(want.targets, own),
        });
        expect(await getJson(server, `/v1/channels/${own}/satisfaction`, key)).toEqual(
          of(want.satisfaction, own)[0],
        );
        expect(await getJson(server, '/v1/price-changes', key)).toEqual({
          changes: want.priceProtection.changes,
        });
      }
    });

    it('a top-level partner’s /rollup answers its tree with member ids; a sub-partner’s is null', async () => {
      const d1 = await getJson<{ rollup: V2Report['rollups'][number] }>(
        server,
        '/v1/channels/D1/rollup',
        KEYS.partnerD1,
      );
      expect(d1.rollup).toEqual(of(want.rollups, 'D1')[0]);
      expect(d1.rollup.months.flatMap((m) => m.members)).toContain('S1');
      expect(await getJson(server, '/v1/channels/S1/rollup', KEYS.partnerS1)).toEqual({
        channelId: 'S1',
        rollup: null,
      });
    });
  });

  it.each([
    ['README.md', '(v2) The figures of spec v2', 'Alerts go to the webhook'],
    ['services/query/README.md', '### Spec v2', '## CSV'],
  ])('runs every v2 example of %s', async (file, from, to) => {
    const text = readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');
    const section = text.slice(text.indexOf(from), text.indexOf(to));
    const urls = [...section.matchAll(/\$API(\/v1\/[^\s"`]+)/g)].map((m) => m[1]!);
    expect(urls.length).toBeGreaterThanOrEqual(11);
    for (const url of urls) {
      const res = await get(server, url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toContain(url.includes('format=csv') ? 'text/csv' : 'json');
      expect(res.body.length, url).toBeGreaterThan(30);
    }
  });

  it('describes every v2 route in the OpenAPI document, the lists with CSV', async () => {
    const docs = await get(server, '/docs/json');
    expect(docs.statusCode).toBe(200);
    const doc = docs.json<{ paths: Record<string, { get?: { responses: Record<string, unknown> } }> }>();
    for (const path of [
      '/v1/channels/{id}/targets',
      '/v1/targets',
      '/v1/price-changes',
      '/v1/claims',
      '/v1/channels/{id}/claims',
      '/v1/channels/{id}/claims/{changeId}/explain',
      '/v1/rollups',
      '/v1/channels/{id}/rollup',
      '/v1/channels/{id}/satisfaction',
      '/v1/satisfaction',
      '/v1/program/quarters',
    ]) {
      const ok = doc.paths[path]?.get?.responses['200'];
      expect(ok, path).toBeDefined();
      if (!path.endsWith('/explain')) expect(JSON.stringify(ok), path).toContain('text/csv');
    }
  });
});

describe('v2 query routes on a v1 log (basic.ndjson)', () => {
  let server: Server;
  beforeAll(async () => {
    server = await serve(join(EXAMPLES, 'basic.ndjson'));
  });
  afterAll(async () => {
    await server.close();
  });

  it('every list route answers empty lists, never 404', async () => {
    expect(await getJson(server, '/v1/targets')).toEqual({ targets: [] });
    expect(await getJson(server, '/v1/price-changes')).toEqual({ changes: [] });
    expect(await getJson(server, '/v1/claims')).toEqual({ claims: [] });
    expect(await getJson(server, '/v1/rollups')).toEqual({ rollups: [] });
    expect(await getJson(server, '/v1/satisfaction')).toEqual({ satisfaction: [] });
    expect(await getJson(server, '/v1/program/quarters')).toEqual({ quarters: [] });
    expect(await getCsv(server, '/v1/claims')).toEqual([]);
  });

  it('a channel’s v2 routes answer empty lists and a null roll-up', async () => {
    const { channels } = await getJson<{ channels: { channelId: string }[] }>(server, '/v1/channels');
    expect(channels.length).toBeGreaterThan(0);
    for (const { channelId: id } of channels) {
      expect(await getJson(server, `/v1/channels/${id}/targets`)).toEqual({ channelId: id, targets: [] });
      expect(await getJson(server, `/v1/channels/${id}/claims`)).toEqual({ channelId: id, claims: [] });
      expect(await getJson(server, `/v1/channels/${id}/rollup`)).toEqual({ channelId: id, rollup: null });
      expect(await getJson(server, `/v1/channels/${id}/satisfaction`)).toEqual({
        channelId: id,
        quarters: [],
      });
    }
  });
});
