/**
 * A rebuild in parts (packages/store-sqlite/src/partsBuild.ts: two threads, each projecting
 * part of the channels, merged) makes the read model a rebuild on one thread makes — row for
 * row: channels, months, certifications, the alerts and tier movements in their order with
 * their seq (not the batch's last position each row also keeps), the program-wide facts, the
 * order and sale keys with their values, every channel's claim inputs in log order — and the
 * projection goes on from it alike: more events after the rebuild give the same report and
 * alerts. Over random v1 and v2 streams (small projection batches, held commits), generated
 * feeds (late events, closes of every month), and a stream made to need what the merge and
 * the first close's month do. Then: a part that cannot start leaves the build to one thread; a
 * side file a build in parts left is never resumed; events appended while the parts run are
 * caught up on one thread before the switch.
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ingestor, ProjectionRunner, reportOf, type RawInput } from '@chanperf/engine';
import { migrateReadModel, sqliteConnections, sqliteStore } from '@chanperf/store-sqlite';
import { generateFeed } from '@chanperf/testing';
import { CHANNEL_IDS, SKUS, realisticLinesArb, type Line } from './arbitraries.js';
import { settings, toInputs } from './harness.js';
import { v2LinesArb } from './v2Arbitraries.js';

let dir: string;
let files = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-parts-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Projection {
  readonly batchSize: number;
  readonly commitEvery: number;
}

/** What a rebuild left, and the report and alerts after more events. */
interface Rebuilt {
  readonly inParts: boolean;
  /** The position the side build started from. */
  readonly startedAt: number;
  readonly messages: readonly string[];
  readonly rows: Record<string, unknown>;
  readonly after: { readonly report: string; readonly alerts: string };
}

/** The order or sale keys of the read model's file, with their values after every update. */
function keysOf(
  db: ReturnType<typeof sqliteConnections>['readModel'],
  table: string,
): [string, number | null][] {
  const keys: [string, number | null][] = [];
  const rows = db.prepare(`SELECT first, vals, ends, keys, wide FROM ${table} ORDER BY first`).all() as {
    first: number;
    vals: Buffer | null;
    ends: Buffer;
    keys: Buffer;
    wide: number;
  }[];
  for (const r of rows) {
    const text = r.keys.toString(r.wide === 1 ? 'utf16le' : 'latin1');
    let start = 0;
    for (let i = 0; i < r.ends.length / 4; i++) {
      const end = r.ends.readUInt32LE(i * 4);
      keys[r.first + i] = [text.slice(start, end), r.vals === null ? null : r.vals.readInt32LE(i * 4)];
      start = end;
    }
  }
  if (table === 'rm_sale_keys') {
    const updates = db.prepare(`SELECT refs, vals FROM rm_sale_key_updates ORDER BY seq`).all() as {
      refs: Buffer;
      vals: Buffer;
    }[];
    for (const u of updates) {
      for (let at = 0; at < u.refs.length; at += 4) {
        const entry = keys[u.refs.readInt32LE(at)];
        if (entry === undefined)
          throw new Error(`an update of key ${u.refs.readInt32LE(at)}, which is not there`);
        entry[1] = u.vals.readInt32LE(at);
      }
    }
  }
  return keys.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Ingests `before` into a new file, rebuilds with `parts`, reads what it built; then `after`. */
async function rebuild(
  before: readonly RawInput[],
  after: readonly RawInput[],
  parts: 1 | 2,
  projection: Projection,
  channels: readonly string[],
  hooks: {
    /** Called with the log's file after the ingestion, before the rebuild. */
    readonly prepare?: (path: string) => void;
    /** Ingested while the rebuild runs (from its first progress on), then projected. */
    readonly during?: readonly RawInput[];
  } = {},
): Promise<Rebuilt> {
  const path = join(dir, `parts-${++files}.db`);
  const store = sqliteStore({ path, settings, rebuildParts: parts, rebuildPartsMinEvents: 1 });
  try {
    const ingestor = new Ingestor(store.log, settings);
    await ingestor.init();
    await ingestor.ingest(before);
    hooks.prepare?.(path);
    const messages: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void messages.push(l) });
    const runner = new ProjectionRunner(store.log, store.readStore, settings, { ...projection, logger });
    let startedAt = -1;
    let during: Promise<unknown> | undefined;
    await runner.rebuild({
      what: 'rebuildInParts.spec',
      onStart: (p) => void (startedAt = p),
      onBatch: () => void (during ??= ingestor.ingest(hooks.during ?? [])),
    });
    if (hooks.during !== undefined) {
      await during;
      await runner.catchUp();
    }
    const db = sqliteConnections(store).readModel;
    const all = (sql: string) => db.prepare(sql).raw().all();
    const state = await runner.current();
    const claims: unknown[] = [];
    for (const c of channels)
      for (const sku of SKUS) claims.push([c, sku, state.claimInputs.inputsOf(c, sku)]);
    const rows = {
      checkpoint: all(`SELECT * FROM rm_checkpoint`),
      global: (all(`SELECT body FROM rm_global`) as [string][]).map(([b]) => JSON.parse(b) as unknown),
      channels: all(`SELECT * FROM rm_channels ORDER BY channel_id`),
      months: all(`SELECT * FROM rm_months ORDER BY channel_id, month`),
      certs: all(`SELECT * FROM rm_certs ORDER BY channel_id, trainee_id, month`),
      // Not the batch's last position each row also keeps: nothing reads it, and the halves'
      // batches span more positions than one thread's.
      alerts: all(`SELECT seq, alert_id, channel_id, kind, body FROM rm_alerts ORDER BY seq`),
      movements: all(`SELECT seq, channel_id, body FROM rm_tier_movements ORDER BY seq`),
      orders: keysOf(db, 'rm_order_keys'),
      sales: keysOf(db, 'rm_sale_keys'),
      claimsIndexed: all(`SELECT name FROM sqlite_master WHERE name = 'rm_claim_inputs_key'`),
      claims,
    };
    await ingestor.ingest(after);
    await runner.catchUp();
    const report = await reportOf(runner, store.log, store.readStore, store.log, settings);
    const alerts = await store.readStore.alerts();
    return {
      inParts: messages.some((m) => m.includes('read model: built in parts')),
      startedAt,
      messages,
      rows,
      after: { report: JSON.stringify(report), alerts: JSON.stringify(alerts) },
    };
  } finally {
    store.close();
    for (const file of ['', '-readmodel', '-readmodel-b', '-readmodel-b-part']) {
      for (const suffix of ['', '-wal', '-shm'])
        rmSync(`${path}${file}${suffix}`, { recursive: true, force: true });
    }
  }
}

/** Rebuilds on one thread and in parts; answers whether the parts ran. */
async function expectSameRebuild(
  lines: readonly Line[],
  cut: number,
  projection: Projection,
  channels: readonly string[] = CHANNEL_IDS,
): Promise<boolean> {
  const inputs = toInputs(lines);
  const at = Math.min(cut, inputs.length);
  const before = inputs.slice(0, at);
  const after = inputs.slice(at);
  const one = await rebuild(before, after, 1, projection, channels);
  const inParts = await rebuild(before, after, 2, projection, channels);
  expect(one.inParts).toBe(false);
  expect(inParts.rows).toStrictEqual(one.rows);
  expect(inParts.after).toStrictEqual(one.after);
  return inParts.inParts;
}

const projectionArb = fc.record({
  batchSize: fc.integer({ min: 1, max: 40 }),
  commitEvery: fc.constantFrom(0, 25, 100),
});

describe('a rebuild in parts makes the read model one thread makes', () => {
  it('over random v1 and v2 streams, cut anywhere, with more events after', async () => {
    let ran = 0;
    let runs = 0;
    const linesArb = fc.oneof(
      realisticLinesArb(60),
      v2LinesArb(60).map((ls) => ls.map((l) => l.line)),
    );
    await fc.assert(
      fc.asyncProperty(linesArb, fc.nat(80), projectionArb, async (lines, cut, projection) => {
        runs++;
        if (await expectSameRebuild(lines, cut, projection)) ran++;
      }),
      { numRuns: 40 },
    );
    // The parts must have run in most cases (they decline a log with fewer than two channels).
    expect(ran).toBeGreaterThan(runs / 3);
  });

  it.each([
    { seed: 5, v2: false },
    { seed: 6, v2: true },
    { seed: 7, v2: true },
  ])('over a generated feed (seed $seed, v2 $v2)', async ({ seed, v2 }) => {
    const lines: Line[] = [];
    for (const text of generateFeed({ seed, partners: 40, months: 8, v2, salesPerPartnerMonth: 4 })) {
      lines.push({ text });
    }
    const channels = [...new Set(lines.flatMap((l) => /"channelId":"([^"]+)"/.exec(l.text)?.[1] ?? []))];
    expect(channels.length).toBeGreaterThan(30);
    const ran = await expectSameRebuild(
      lines,
      lines.length - 200,
      { batchSize: 500, commitEvery: 2000 },
      channels,
    );
    expect(ran).toBe(true);
  });

  it('starts the first close where one thread does, and merges what both parts raised at one close', async () => {
    // Z registers in May with a 2026 target; the first close (June) closes January on for every
    // channel, so Z's first quarter is judged at March's close, before Z's first month. Z is
    // the part above the pivot alone (most entries are Z's): that part's own first month would
    // be May. The close raises alerts in both parts in several months (A's and C's in March,
    // B's in April and May, Z's in March and June), which the merge must put in month order
    // first. A's and Z's May sales carry a promotion bonus; Z's return comes after the rebuild.
    const line = (o: object): Line => ({ text: JSON.stringify(o) });
    const at = (m: string) => `2026-${m}-10T10:00:00Z`;
    const sale = (id: string, c: string, m: string, amount: string) =>
      line({
        eventId: id,
        type: 'SaleRecorded',
        occurredAt: at(m),
        channelId: c,
        data: { orderId: `o-${id}`, sku: 'S1', quantity: 1, netAmount: amount, currency: 'CNY' },
      });
    const lines: Line[] = [
      line({
        eventId: 'p',
        type: 'ProgramPublished',
        occurredAt: '2025-12-20T09:00:00Z',
        data: {
          programId: 'P',
          effectiveFrom: '2026-01',
          growthTargetBps: 1000,
          growthBonusBps: 50,
          tierReview: 'quarterly',
          downgradeGraceReviews: 1,
          tiers: [
            { id: 'registered', rebateBps: 100, minTrailingNet: '0', minCertifiedTrainees: 0 },
            { id: 'silver', rebateBps: 200, minTrailingNet: '300', minCertifiedTrainees: 0 },
          ],
          volumeRebate: [],
        },
      }),
      line({
        eventId: 'promo',
        type: 'PromotionScheduled',
        occurredAt: at('01'),
        data: {
          promotionId: 'may',
          startsAt: '2026-05-01T00:00:00Z',
          endsAt: '2026-06-01T00:00:00Z',
          bonusBps: 300,
          skus: ['S2'],
        },
      }),
      ...['A', 'B', 'C'].map((c) =>
        line({
          eventId: `r${c}`,
          type: 'ChannelRegistered',
          occurredAt: at('01'),
          channelId: c,
          data: { name: c, kind: 'reseller' },
        }),
      ),
      sale('sA', 'A', '02', '100.00'),
      sale('sC', 'C', '02', '100.00'),
      sale('sB2', 'B', '02', '100.00'),
      sale('sB3', 'B', '03', '200.00'),
      sale('sB4', 'B', '04', '100.00'),
      line({
        eventId: 'rZ',
        type: 'ChannelRegistered',
        occurredAt: at('05'),
        channelId: 'Z',
        data: { name: 'Z', kind: 'reseller' },
      }),
      line({
        eventId: 'tZ',
        type: 'TargetSet',
        occurredAt: at('05'),
        channelId: 'Z',
        data: { year: '2026', annualNet: '1200.00' },
      }),
      line({
        eventId: 'sZ',
        type: 'SaleRecorded',
        occurredAt: at('05'),
        channelId: 'Z',
        data: { orderId: 'oZ', sku: 'S2', quantity: 2, netAmount: '500.00', currency: 'CNY' },
      }),
      // Counts never touch a month: they make Z most of the entries, so the pivot is Z.
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) =>
        line({
          eventId: `iZ${n}`,
          type: 'InventoryReported',
          occurredAt: at('05'),
          channelId: 'Z',
          data: { sku: 'S1', onHand: n, asOf: at('05') },
        }),
      ),
      line({
        eventId: 'pA',
        type: 'SaleRecorded',
        occurredAt: at('05'),
        channelId: 'A',
        data: { orderId: 'oA', sku: 'S2', quantity: 1, netAmount: '50.00', currency: 'CNY' },
      }),
      // The same order and SKU again, without the bonus, ten entries later (a later batch of
      // either build): an update of a key already written, whose number the merge shifts past
      // the other part's keys.
      line({
        eventId: 'sZ2',
        type: 'SaleRecorded',
        occurredAt: at('06'),
        channelId: 'Z',
        data: { orderId: 'oZ', sku: 'S2', quantity: 1, netAmount: '200.00', currency: 'CNY' },
      }),
      line({
        eventId: 'close',
        type: 'PeriodClosed',
        occurredAt: '2026-07-01T00:00:00Z',
        data: { month: '2026-06' },
      }),
      // The latest month of any channel is Z's alone.
      line({
        eventId: 'tr',
        type: 'TrainingCompleted',
        occurredAt: at('08'),
        channelId: 'Z',
        data: { courseId: 'C1', traineeId: 't1' },
      }),
      line({
        eventId: 'xZ',
        type: 'SaleReturned',
        occurredAt: at('07'),
        channelId: 'Z',
        data: { orderId: 'oZ', sku: 'S2', quantity: 1, netAmount: '250.00', currency: 'CNY' },
      }),
    ];
    const channels = ['A', 'B', 'C', 'Z'];
    const projection = { batchSize: 1, commitEvery: 0 };
    expect(await expectSameRebuild(lines, lines.length - 1, projection, channels)).toBe(true);
    const one = await rebuild(toInputs(lines), [], 1, projection, channels);
    const ids = (one.rows.alerts as [number, string][]).map((a) => a[1]);
    // The case is what it says: Z judged before its first month, and months interleaved.
    expect(ids).toContain('TARGET_BEHIND/Z/2026-03/1');
    expect(ids.indexOf('TARGET_BEHIND/Z/2026-03/1')).toBeLessThan(
      ids.indexOf('GROWTH_TARGET_MISSED/B/2026-04/1'),
    );
    const global = (one.rows.global as { anyPromotedSale: boolean; maxMonth: number }[])[0];
    expect(global?.anyPromotedSale).toBe(true);
    expect(global?.maxMonth).toBe(2026 * 12 + 7);
    const sales = one.rows.sales as [string, number][];
    expect(sales.map(([key, bps]) => [key.includes('oA'), key.includes('oZ'), bps])).toStrictEqual([
      [true, false, 300],
      [false, true, 0],
    ]);
  });

  it('falls back to one thread when a part cannot start, and builds the same read model', async () => {
    const lines = [...generateFeed({ seed: 8, partners: 20, months: 4, salesPerPartnerMonth: 3 })].map(
      (text): Line => ({ text }),
    );
    const projection = { batchSize: 200, commitEvery: 0 };
    const one = await rebuild(toInputs(lines), [], 1, projection, []);
    // The scratch file's name is taken by a folder with a file in it: the parts cannot start.
    const blocked = await rebuild(toInputs(lines), [], 2, projection, [], {
      prepare: (path) => {
        mkdirSync(`${path}-readmodel-b-part`);
        writeFileSync(`${path}-readmodel-b-part/x`, 'x');
      },
    });
    expect(blocked.inParts).toBe(false);
    expect(
      blocked.messages.some((m) => m.includes('the build in parts failed; building on one thread')),
    ).toBe(true);
    expect(blocked.rows).toStrictEqual(one.rows);
  });

  it('never resumes a side build a build in parts left (it holds one part only): it starts again', async () => {
    const lines = [...generateFeed({ seed: 9, partners: 20, months: 4, salesPerPartnerMonth: 3 })].map(
      (text): Line => ({ text }),
    );
    const projection = { batchSize: 200, commitEvery: 0 };
    const one = await rebuild(toInputs(lines), [], 1, projection, []);
    /** A side file as a build killed mid-way left it, marked `marker`. */
    const leftAt = (marker: string) => (path: string) => {
      const logId = (() => {
        const log = new Database(path, { readonly: true });
        try {
          return log.prepare(`SELECT value FROM settings WHERE key = 'logId'`).pluck().get() as string;
        } finally {
          log.close();
        }
      })();
      const side = new Database(`${path}-readmodel-b`);
      try {
        migrateReadModel(side, logId);
        side.prepare(`INSERT OR REPLACE INTO rm_checkpoint VALUES (1, 400)`).run();
        side.prepare(`INSERT OR REPLACE INTO rm_settings VALUES ('build', ?)`).run(marker);
      } finally {
        side.close();
      }
    };
    // The control: a one-thread build killed mid-way is resumed from its checkpoint.
    const resumed = await rebuild(toInputs(lines), [], 1, projection, [], { prepare: leftAt('building') });
    expect(resumed.startedAt).toBe(400);
    const again = await rebuild(toInputs(lines), [], 2, projection, [], { prepare: leftAt('parts') });
    expect(again.startedAt).toBe(0);
    expect(again.inParts).toBe(true);
    expect(again.rows).toStrictEqual(one.rows);
  });

  it('catches up on one thread with what was appended while the parts ran, then switches', async () => {
    const inputs = toInputs(
      [...generateFeed({ seed: 10, partners: 60, months: 5, salesPerPartnerMonth: 3 })].map((text): Line => ({
        text,
      })),
    );
    const cut = inputs.length - 150;
    const projection = { batchSize: 1, commitEvery: 0 };
    const one = await rebuild(inputs, [], 1, projection, []);
    const grown = await rebuild(inputs.slice(0, cut), [], 2, projection, [], { during: inputs.slice(cut) });
    expect(grown.inParts).toBe(true);
    const logged = grown.messages.map((m) => JSON.parse(m) as { msg: string; position?: number });
    const parts = logged.find((m) => m.msg === 'read model: built in parts');
    const switched = logged.find((m) => m.msg === 'read model switched');
    // The appends landed before the switch: the parts stopped short of the head, the one thread went on.
    const head = (one.rows.checkpoint as [number, number][])[0]?.[1];
    expect(parts?.position).toBeLessThan(head ?? 0);
    expect(switched?.position).toBe(head);
    expect(grown.rows).toStrictEqual(one.rows);
    expect(grown.after).toStrictEqual(one.after);
  });
});
