/**
 * Hardening of the query service, on a real socket and a real SQLite file:
 * - CSV formula injection: tier ids (ProgramPublished) and channel ids that start like a
 *   formula come out of every CSV table as text (a leading apostrophe), figures untouched;
 * - client errors of the channel routes (400, 403, 404) are answered without an error log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpServer, loadConfig, openRuntime, type ApiKey } from '@chanperf/runtime';
import { parse as parseCsv } from 'csv-parse/sync';
import * as E from 'fp-ts/lib/Either.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerIngestionRoutes } from '../../ingestion/src/index.js';
import { startProjection, type ProjectionService } from '../../projection/src/index.js';
import { registerQueryRoutes } from './index.js';

const KEYS = {
  analyst: 'analyst-key-0123456789',
  ingest: 'ingest-key-0123456789a',
  partner: 'partner-key-0123456789',
} as const;
const API_KEYS: ApiKey[] = [
  { key: KEYS.analyst, role: 'analyst' },
  { key: KEYS.ingest, role: 'ingest' },
  { key: KEYS.partner, role: 'partner', channelId: 'CH-OK' },
];

const EVIL_TIER_0 = "=cmd|' /C calc'!A0";
const EVIL_TIER_1 = '+SUM(1,2)';

/**
 * A program whose tier ids are formulas, reviewed monthly so that the channel `-2-3` moves up
 * to the second tier after January; `-2-3` has a negative month (a return) so that negative
 * figures show up in the CSV; `-23` looks like a number but is a channel id (text).
 */
const STREAM = [
  {
    eventId: 'prog',
    type: 'ProgramPublished',
    occurredAt: '2025-12-20T09:00:00+08:00',
    data: {
      programId: 'p',
      effectiveFrom: '2026-01',
      growthTargetBps: 1000,
      growthBonusBps: 50,
      tierReview: 'monthly',
      downgradeGraceReviews: 1,
      tiers: [
        { id: EVIL_TIER_0, rebateBps: 100, minTrailingNet: '0', minCertifiedTrainees: 0 },
        { id: EVIL_TIER_1, rebateBps: 200, minTrailingNet: '1.00', minCertifiedTrainees: 0 },
      ],
      volumeRebate: [],
    },
  },
  {
    eventId: 'reg-1',
    type: 'ChannelRegistered',
    occurredAt: '2026-01-02T09:00:00+08:00',
    channelId: '-2-3',
    data: { name: 'Minus', kind: 'reseller', region: '@North' },
  },
  {
    eventId: 'reg-2',
    type: 'ChannelRegistered',
    occurredAt: '2026-01-02T09:00:00+08:00',
    channelId: '-23',
    data: { name: '=1+2', kind: 'agent' },
  },
  {
    eventId: 'reg-3',
    type: 'ChannelRegistered',
    occurredAt: '2026-01-02T09:00:00+08:00',
    channelId: 'CH-OK',
    data: { name: 'Plain', kind: 'agent' },
  },
  {
    eventId: 's1',
    type: 'SaleRecorded',
    occurredAt: '2026-01-10T10:00:00+08:00',
    channelId: '-2-3',
    data: { orderId: 'O-1', sku: 'P1', quantity: 10, netAmount: '100.00', currency: 'CNY' },
  },
  {
    eventId: 'close-01',
    type: 'PeriodClosed',
    occurredAt: '2026-02-01T00:00:00+08:00',
    data: { month: '2026-01' },
  },
  {
    eventId: 'r1',
    type: 'SaleReturned',
    occurredAt: '2026-02-10T10:00:00+08:00',
    channelId: '-2-3',
    data: { orderId: 'O-1', sku: 'P1', quantity: 5, netAmount: '150.00', currency: 'CNY' },
  },
  {
    eventId: 'close-02',
    type: 'PeriodClosed',
    occurredAt: '2026-03-01T00:00:00+08:00',
    data: { month: '2026-02' },
  },
];

interface LogLine {
  level: number;
  msg?: string;
  [k: string]: unknown;
}

async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-query-hardening-'));
  const config = loadConfig({ CHANPERF_DATA_DIR: dir, CHANPERF_API_KEYS: JSON.stringify(API_KEYS) });
  if (E.isLeft(config)) throw new Error(config.left);
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'trace' },
    {
      write(line: string) {
        lines.push(JSON.parse(line) as LogLine);
      },
    },
  );
  const runtime = openRuntime(config.right, logger);
  const projection: ProjectionService = startProjection(runtime);
  const app = await createHttpServer(runtime, { ready: () => Promise.resolve(projection.ready()) });
  await registerIngestionRoutes(app, runtime);
  await registerQueryRoutes(app, runtime);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    lines,
    projection,
    async close() {
      await app.close();
      await projection.stop();
      runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Server = Awaited<ReturnType<typeof startServer>>;

async function get(server: Server, path: string, key: string) {
  const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, text: await res.text() };
}

const FORMULA_START = /^[=+\-@\t\r]/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

describe('query hardening', () => {
  let server: Server;

  beforeAll(async () => {
    server = await startServer();
    const res = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.ingest}`, 'content-type': 'application/json' },
      body: JSON.stringify(STREAM),
    });
    const summary = (await res.json()) as { accepted: number };
    expect(res.status).toBe(200);
    expect(summary.accepted, JSON.stringify(summary)).toBe(STREAM.length);
    await server.projection.waitFor();
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('CSV formula injection', () => {
    const csv = async (path: string) => {
      const r = await get(server, path, KEYS.analyst);
      expect(r.status, r.text).toBe(200);
      return parseCsv<Record<string, string>>(r.text, { bom: true, columns: true });
    };
    const numeric = new Set([
      'lastClosedNet',
      'lastClosedGrowthBps',
      'lastClosedGrowthPercent',
      'growthPercent',
      'targetPercent',
      'onlineSharePercent',
      'quarterRebateAccrued',
      'sales',
      'returns',
      'net',
      'orders',
      'units',
      'growthBps',
      'targetBps',
      'rebateBase',
      'rebateGrowthBonus',
      'rebatePromotion',
      'rebateVolume',
      'rebateTotal',
      'onlineNet',
      'onlineShareBps',
      'activeChannels',
      'newChannels',
      'trainingsCompleted',
      'satisfactionAvg',
    ]);
    /** Every text cell is safe; every numeric cell is a plain number (never apostrophed). */
    const expectSafe = (rows: Record<string, string>[]) => {
      for (const row of rows) {
        for (const [column, cell] of Object.entries(row)) {
          if (numeric.has(column)) {
            if (cell !== '') expect(cell, `${column}`).toMatch(DECIMAL);
          } else {
            expect(cell, `${column}: ${cell}`).not.toMatch(FORMULA_START);
          }
        }
      }
    };

    it('given formula-like tier and channel ids, when the channel list is read as CSV, then they are text', async () => {
      const rows = await csv('/v1/channels?format=csv');
      expectSafe(rows);
      const byId = new Map(rows.map((r) => [r.channelId, r]));
      expect([...byId.keys()].sort()).toEqual(["'-2-3", "'-23", 'CH-OK']);
      expect(byId.get("'-2-3")).toMatchObject({
        tier: `'${EVIL_TIER_1}`,
        region: "'@North",
        lastClosedNet: '-150.00',
        lastClosedGrowthBps: '-25000',
      });
      expect(byId.get("'-23")).toMatchObject({ name: "'=1+2", tier: `'${EVIL_TIER_0}` });
    });

    it('given a formula-like channel id, when its months are read as CSV, then ids and tiers are text, figures numbers', async () => {
      const rows = await csv('/v1/channels/-2-3?format=csv');
      expectSafe(rows);
      expect(rows.map((r) => [r.channelId, r.month, r.tier, r.net])).toEqual([
        ["'-2-3", '2026-01', `'${EVIL_TIER_0}`, '100.00'],
        ["'-2-3", '2026-02', `'${EVIL_TIER_1}`, '-150.00'],
      ]);
    });

    it('given the program months as CSV, then every cell is safe', async () => {
      expectSafe(await csv('/v1/program/months?format=csv'));
    });
  });

  describe('client errors on channel routes', () => {
    it.each([
      ['a malformed month', 400, '/v1/channels/CH-OK/months/2026-13', KEYS.analyst],
      ['a malformed month (explain)', 400, '/v1/channels/CH-OK/months/2026-13/explain', KEYS.analyst],
      ["another partner's channel", 403, '/v1/channels/-2-3', KEYS.partner],
      ["another partner's month", 403, '/v1/channels/-2-3/months/2026-01', KEYS.partner],
      ["another partner's trainings", 403, '/v1/channels/-2-3/trainings', KEYS.partner],
      ["another partner's alerts", 403, '/v1/alerts?channelId=-2-3', KEYS.partner],
      ['an unknown channel', 404, '/v1/channels/NOPE', KEYS.analyst],
      ['an unknown channel (CSV)', 404, '/v1/channels/NOPE?format=csv', KEYS.analyst],
      ['an unknown channel (month)', 404, '/v1/channels/NOPE/months/2026-01', KEYS.analyst],
      ['an unknown channel (explain)', 404, '/v1/channels/NOPE/months/2026-01/explain', KEYS.analyst],
      ['an unknown channel (trainings)', 404, '/v1/channels/NOPE/trainings', KEYS.analyst],
      ['an unknown month', 404, '/v1/channels/CH-OK/months/2030-01', KEYS.analyst],
      ['a bad channel id', 400, '/v1/channels/a%20b', KEYS.analyst],
    ])('given %s, then it answers %i with no error logged', async (_name, status, path, key) => {
      const before = server.lines.length;
      const r = await get(server, path, key);
      expect(r.status, r.text).toBe(status);
      expect((JSON.parse(r.text) as { error: { code: string } }).error.code).toMatch(/^[A-Z_]+$/);
      // Fastify logs "Promise errored, but reply.sent = true was set" after the response.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const errors = server.lines.slice(before).filter((l) => l.level >= 50);
      expect(errors.map((l) => l.msg)).toEqual([]);
    });
  });
});
