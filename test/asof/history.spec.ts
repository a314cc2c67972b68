/**
 * The as-of history in process (issue 18): on a generated v1 and v2 stream appended in several
 * commits, the state and report as of many positions — with a snapshot every 97 positions, so
 * most reads start from a snapshot and apply rows after it — equal the pure reference
 * (`runScenario`) of the stream's first p accepted events; a history rebuilt by a second
 * process's builder (catching up to another's checkpoint) writes the same rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings, runScenario } from '@chanperf/domain';
import { HISTORY_FORMAT } from '@chanperf/engine';
import { generateFeed } from '@chanperf/testing';
import { scratchProjectionIndex, sqliteStore, type SqliteStore } from '@chanperf/store-sqlite';
import { appended, figures, historyOf } from './historyFixture.js';

let dir: string;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-asof-history-'));
});

function payloadsUpTo(store: SqliteStore, head: number): Promise<string[]> {
  return store.log.read(0, head).then((entries) => entries.map((e) => e.payload));
}

/**
 * The builder's projection index: in memory (the default), or the compact one a database
 * file's build uses (`scratchIndex.ts`) with 6-bit fingerprints, so most lookups meet false
 * candidates that only the keys on disk tell apart.
 */
const INDEXES = {
  memory: undefined,
  compact: () => scratchProjectionIndex(6),
} as const;

describe.each([
  ['v1', false, 'memory'],
  ['v2', true, 'memory'],
  ['v1', false, 'compact'],
  ['v2', true, 'compact'],
] as const)('the %s stream, the builder’s index %s', (name, v2, indexKind) => {
  it('the state and report as of p equal the reference of the first p accepted events', async () => {
    const lines = [...generateFeed({ seed: 5, partners: 25, months: 5, v2 })];
    const store = await appended(dir, `${name}-${indexKind}.db`, lines);
    const index = INDEXES[indexKind];
    const config = {
      build: { snapshotEvery: 97, batchSize: 250, ...(index === undefined ? {} : { index }) },
    };
    const asOf = historyOf(store, config);
    const head = await store.log.head();
    expect(head).toBeGreaterThan(500);
    expect(await asOf.catchUp()).toBe(head);
    // Fewer channels than are read one at a time before a walk reads them all at once.
    expect((await asOf.stateAt(head)).channelOrder.length).toBeLessThan(64);
    const payloads = await payloadsUpTo(store, head);
    const positions = [
      0,
      1,
      96,
      97,
      98,
      194,
      195,
      ...Array.from({ length: 8 }, (_, i) => Math.floor(((i + 1) * head) / 9)),
      head,
    ];
    for (const p of positions) {
      const reference = runScenario(payloads.slice(0, p), defaultSettings).report;
      expect(figures(await asOf.reportAt(p)), `as of ${p}`).toEqual(figures(reference));
      // Each channel read alone (its own rows) equals it in the whole state (snapshot + window).
      const state = await historyOf(store, config).stateAt(p);
      // Months as a plain Map: the whole state's decode on first use (a Map subclass).
      const channels = () =>
        state.channelOrder.map((id) => {
          const c = state.channels.get(id);
          return c === undefined ? undefined : { ...c, months: new Map(c.months) };
        });
      const alone = channels();
      expect(state.channels.size, `as of ${p}`).toBe(alone.length);
      expect(alone, `as of ${p}`).toEqual(channels());
    }
    // The counts at the head are the log's own.
    expect((await asOf.reportAt(head)).counts).toEqual(await store.log.counts());
    store.close();
  }, 120_000);
});

/** The position of the log's first PriceChanged. */
async function firstPriceChange(store: SqliteStore, head: number): Promise<number> {
  const entries = await store.log.read(0, head);
  const at = entries.find((e) => (JSON.parse(e.payload) as { type: string }).type === 'PriceChanged');
  if (at === undefined) throw new Error('the v2 stream has no price change');
  return at.position;
}

describe('a second builder', () => {
  // Where the first builder stops: half the log, just before the first price change (the second
  // reads the first's stashed claim inputs), just after it (it reads the rows they became).
  it.each(['half', 'before the first price change', 'after the first price change'] as const)(
    'continues another builder’s history from its checkpoint with the same rows (first stops at %s)',
    async (where) => {
      const lines = [...generateFeed({ seed: 9, partners: 15, months: 4, v2: true })];
      const store = await appended(dir, `second-${where.replaceAll(' ', '-')}.db`, lines);
      const head = await store.log.head();
      const { history } = store.asOf();
      const change = await firstPriceChange(store, head);
      expect(change).toBeGreaterThan(100); // inputs stashed before it
      const stop =
        where === 'half'
          ? Math.floor(head / 2)
          : where === 'before the first price change'
            ? change - 1
            : change + 1;
      // The first builder stops at `stop` (its feed ends there).
      const first = historyOf(store, {
        feed: { read: (after, limit) => store.log.read(after, Math.max(0, Math.min(limit, stop - after))) },
        head: () => Promise.resolve(stop),
        build: { snapshotEvery: 50, batchSize: 40 },
      });
      expect(await first.catchUp()).toBe(stop);
      // The second catches up with the compact index (a database file's build uses it).
      const second = historyOf(store, {
        build: { snapshotEvery: 50, batchSize: 40, index: INDEXES.compact },
      });
      expect(await second.catchUp()).toBe(head);
      const kinds = ['channel', 'month', 'global', 'alert', 'claimInput'] as const;
      const continued = [...history.rowsBetween(0, head, kinds)];
      history.reset();
      expect(await second.catchUp()).toBe(head);
      const whole = [...history.rowsBetween(0, head, kinds)];
      expect(continued.length).toBe(whole.length);
      expect(continued).toEqual(whole);
      // Every claim input before the price change is a row at its own position.
      expect(whole.filter((r) => r.kind === 'claimInput' && r.position < change).length).toBeGreaterThan(0);
      const payloads = await payloadsUpTo(store, head);
      for (const p of [change - 1, change, change + 1, head]) {
        const reference = runScenario(payloads.slice(0, p), defaultSettings).report;
        expect(figures(await second.reportAt(p)), `as of ${p}`).toEqual(figures(reference));
      }
      store.close();
    },
    120_000,
  );
});

describe('a history file written in another format', () => {
  it('is dropped when opened and built again, with the same report', async () => {
    const lines = [...generateFeed({ seed: 3, partners: 6, months: 3 })];
    const store = await appended(dir, 'older-format.db', lines);
    const head = await store.log.head();
    const before = figures(await historyOf(store, { build: { snapshotEvery: 50 } }).reportAt(head));
    store.close();
    // As an older version left it: its snapshots in another format (here, bytes no decoder reads).
    const file = new Database(join(dir, 'older-format.db-history'));
    expect(file.prepare(`SELECT value FROM h_settings WHERE key = 'format'`).pluck().get()).toBe(
      String(HISTORY_FORMAT),
    );
    file.prepare(`UPDATE h_settings SET value = '1' WHERE key = 'format'`).run();
    expect(file.prepare(`UPDATE h_snapshots SET body = x'00'`).run().changes).toBeGreaterThan(1);
    file.close();
    const reopened = sqliteStore({ path: join(dir, 'older-format.db'), settings: defaultSettings });
    const { history } = reopened.asOf();
    expect(history.checkpoint()).toBe(0);
    expect(figures(await historyOf(reopened).reportAt(head))).toEqual(before);
    expect(history.checkpoint()).toBe(head);
    reopened.close();
  });
});
