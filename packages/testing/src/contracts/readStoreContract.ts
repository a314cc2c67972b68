/**
 * The ReadStore contract (DESIGN.md "Testing"): every read-model adapter runs it. The read
 * model is fed by the real projection runner from a generated feed (partners, sales, returns,
 * closings, tier reviews, alerts), and compared with the in-memory reference run.
 *
 * What it pins down: `load()` after a save gives back an equal state and the position saved
 * with it; alerts, their sequence numbers and tier movements are kept in order; resuming from
 * the saved position gives what one uninterrupted run gives; `applyBatch` is atomic (when
 * `apply` throws, nothing of that batch is saved — not its facts, index writes or position);
 * `reset()` empties the read model and a rebuild gives the same result again; the index counts
 * a channel-month's orders once and answers the latest sale's bonus, across batches and reopens;
 * batches committed in groups (`hold`, `commitHeld`) give what one batch at a time gives, are
 * seen by another process only once committed, and are given up whole by a failure or a load.
 */
import {
  buildReport,
  defaultSettings,
  type Alert,
  type ProjectionState,
  type Report,
  type TierMovement,
} from '@chanperf/domain';
import {
  InMemoryEventLog,
  InMemoryReadStore,
  Ingestor,
  ProjectionRunner,
  type Feed,
  type ReadStore,
} from '@chanperf/engine';
import { beforeAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateFeed } from '../generator.js';

export interface ReadStoreHarness {
  readonly store: ReadStore;
  close(): Promise<void>;
  /** Closes `store` and opens it again over the same durable state (a process restart). */
  reopen?(): Promise<ReadStore>;
  /** A second store over the same durable state, `store` still open (another process). */
  peer?(): Promise<ReadStore>;
}

export type ReadStoreFactory = () => Promise<ReadStoreHarness>;

interface Reference {
  readonly report: Report;
  readonly alerts: Alert[];
  readonly tierMovements: TierMovement[];
  readonly head: number;
}

const NO_COUNTS = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };

/** The state as the report shows it: channels, months, program, last closed month. */
function viewOf(state: ProjectionState): Report {
  return buildReport(state, defaultSettings.minorDigits, {
    counts: NO_COUNTS,
    tierMovements: [],
    alerts: [],
    rejected: [],
  });
}

/** The first `count` entries of a feed, as a feed (a log that stopped growing there). */
function prefixOf(feed: Feed, count: number): Feed {
  return {
    read: (after, limit) =>
      after >= count ? Promise.resolve([]) : feed.read(after, Math.min(limit, count - after)),
  };
}

export function readStoreContract(name: string, factory: ReadStoreFactory): void {
  describe(`ReadStore contract: ${name}`, () => {
    const log = new InMemoryEventLog();
    let reference: Reference;
    let h: ReadStoreHarness;

    const project = async (feed: Feed, store: ReadStore, batchSize = 37): Promise<number> =>
      new ProjectionRunner(feed, store, defaultSettings, { batchSize }).catchUp();

    beforeAll(async () => {
      const ingestor = new Ingestor(log, defaultSettings);
      await ingestor.init();
      const lines = [...generateFeed({ seed: 3, partners: 8, months: 5 })];
      await ingestor.ingest(lines.map((text, i) => ({ text, source: 'file:gen.ndjson', line: i + 1 })));
      const store = new InMemoryReadStore();
      const runner = new ProjectionRunner(log, store, defaultSettings);
      await runner.catchUp();
      reference = {
        report: viewOf(await runner.current()),
        alerts: await store.alerts(),
        tierMovements: await store.tierMovements(),
        head: await log.head(),
      };
      // The feed must exercise what the suite checks.
      expect(reference.alerts.length).toBeGreaterThan(3);
      expect(reference.tierMovements.length).toBeGreaterThan(0);
    });
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.close();
    });

    const expectReference = async (store: ReadStore) => {
      const loaded = await store.load();
      expect(loaded.position).toBe(reference.head);
      expect(await store.position()).toBe(reference.head);
      expect(viewOf(loaded.state)).toEqual(reference.report);
      expect(await store.alerts()).toEqual(reference.alerts);
      expect(await store.tierMovements()).toEqual(reference.tierMovements);
    };

    it('holds the initial state at position 0 when new', async () => {
      const loaded = await h.store.load();
      expect(loaded.position).toBe(0);
      expect(await h.store.position()).toBe(0);
      expect(loaded.state.channels.size).toBe(0);
      expect(loaded.state.lastClosed).toBeNull();
      expect(await h.store.alerts()).toEqual([]);
      expect(await h.store.alertLog(0, 10)).toEqual([]);
      expect(await h.store.tierMovements()).toEqual([]);
    });

    it('loads what it saved: an equal state, its position, alerts and tier movements in order', async () => {
      expect(await project(log, h.store)).toBe(reference.head);
      await expectReference(h.store);
      const all = await h.store.alertLog(0, 10_000);
      expect(all.map((a) => a.seq)).toEqual(reference.alerts.map((_, i) => i + 1));
      expect(all.map((a) => a.alert)).toEqual(reference.alerts);
      expect(await h.store.alertLog(2, 3)).toEqual(all.slice(2, 5));
      expect(await h.store.alerts({ afterSeq: 2 })).toEqual(reference.alerts.slice(2));
    });

    it('resumes from the saved position to what one uninterrupted run gives', async () => {
      const mid = Math.floor(reference.head / 2);
      expect(await project(prefixOf(log, mid), h.store)).toBe(mid);
      expect(await h.store.position()).toBe(mid);
      expect(await project(log, h.store, 53)).toBe(reference.head); // a new runner: loads `mid`
      await expectReference(h.store);
    });

    it('saves nothing of a batch whose apply throws: no facts, no index writes, no position', async () => {
      const mid = Math.floor(reference.head / 2);
      await project(prefixOf(log, mid), h.store);
      const before = {
        view: viewOf((await h.store.load()).state),
        alerts: await h.store.alerts(),
        tierMovements: await h.store.tierMovements(),
      };
      const { state } = await h.store.load();
      const fake: Alert = {
        id: 'contract/fake',
        kind: 'GROWTH_TARGET_MISS_RETRACTED',
        channelId: 'CH-ZZ',
        month: '2026-01',
      };
      const move: TierMovement = {
        channelId: 'CH-ZZ',
        from: 'registered',
        to: 'gold',
        reviewMonth: '2026-01',
        effectiveMonth: '2026-02',
        kind: 'UPGRADE',
      };
      expect(() =>
        h.store.applyBatch(state, mid + 5, (sink) => {
          sink.alert(fake);
          sink.tierMovement(move);
          h.store.index.recordSale('CH-ZZ', 'O-ZZ', 'P-ZZ', 123);
          throw new Error('boom');
        }),
      ).toThrow('boom');
      const position = await h.store.position();
      // Either the store kept its last save, or it forgot everything (and a rebuild follows).
      expect([mid, 0]).toContain(position);
      expect(await h.store.alerts()).not.toContainEqual(fake);
      expect(await h.store.tierMovements()).not.toContainEqual(move);
      if (position === mid) {
        expect(viewOf((await h.store.load()).state)).toEqual(before.view);
        expect(await h.store.alerts()).toEqual(before.alerts);
        expect(await h.store.tierMovements()).toEqual(before.tierMovements);
      } else {
        expect((await h.store.load()).state.channels.size).toBe(0);
        expect(await h.store.alerts()).toEqual([]);
      }
      // What the failed batch wrote through the index is not there either.
      expect(h.store.index.saleBonusBps('CH-ZZ', 'O-ZZ', 'P-ZZ')).toBeUndefined();
      // And a runner reloading the store recovers the reference result.
      expect(await project(log, h.store)).toBe(reference.head);
      await expectReference(h.store);
    });

    it('fences a batch off when the read model moved on since it was loaded (compare-and-set checkpoint)', async () => {
      const half = Math.floor(reference.head / 2);
      await project(prefixOf(log, half), h.store);
      const { state } = await h.store.load();
      const fake: Alert = {
        id: 'contract/fenced',
        kind: 'GROWTH_TARGET_MISS_RETRACTED',
        channelId: 'CH-ZZ',
        month: '2026-01',
      };
      // A batch that continues from another position than the saved one saves nothing.
      expect(() => h.store.applyBatch(state, half + 3, (sink) => sink.alert(fake), half - 1)).toThrow(
        expect.objectContaining({ code: 'PROJECTION_FENCED' }) as Error,
      );
      expect(await h.store.position()).toBe(half);
      expect(await h.store.alerts()).not.toContainEqual(fake);
      // From the saved position it goes through, and a runner carries on to the reference.
      expect(await project(log, h.store)).toBe(reference.head);
      await expectReference(h.store);
    });

    it('drops the read model on reset; a rebuild gives the same result again', async () => {
      await project(log, h.store);
      await h.store.reset();
      const loaded = await h.store.load();
      expect(loaded.position).toBe(0);
      expect(await h.store.position()).toBe(0);
      expect(loaded.state.channels.size).toBe(0);
      expect(await h.store.alerts()).toEqual([]);
      expect(await h.store.alertLog(0, 10)).toEqual([]);
      expect(await h.store.tierMovements()).toEqual([]);
      expect(await project(log, h.store, 101)).toBe(reference.head);
      await expectReference(h.store);
      expect((await h.store.alertLog(0, 1))[0]?.seq).toBe(1);
    });

    it('counts each channel-month order once and answers the latest sale bonus, across batches and a reopen', async () => {
      let store = h.store;
      const { state } = await store.load();
      const bonus = (s: ReadStore): number => s.index.saleBonusBps('CH-1', 'O-1', 'SKU') ?? 0;
      const batch = (position: number, apply: (s: ReadStore) => void): void => {
        store.applyBatch(state, position, () => apply(store));
      };
      batch(1, (s) => {
        s.index.addOrder('CH-1', 5, 'O-1');
        s.index.addOrder('CH-1', 5, 'O-1');
        s.index.addOrder('CH-1', 5, 'O-2');
        s.index.addOrder('CH-1', 6, 'O-1');
        s.index.addOrder('CH-2', 5, 'O-1');
        expect(s.index.takeNewOrders()).toEqual(
          expect.arrayContaining([
            { channelId: 'CH-1', month: 5, count: 2 },
            { channelId: 'CH-1', month: 6, count: 1 },
            { channelId: 'CH-2', month: 5, count: 1 },
          ]),
        );
        expect(bonus(s)).toBe(0);
        s.index.recordSale('CH-1', 'O-1', 'SKU', 120);
        expect(bonus(s)).toBe(120);
      });
      batch(2, (s) => {
        expect(bonus(s)).toBe(120);
        s.index.addOrder('CH-1', 5, 'O-2');
        s.index.addOrder('CH-1', 5, 'O-3');
        expect(s.index.takeNewOrders()).toEqual([{ channelId: 'CH-1', month: 5, count: 1 }]);
        // A later sale of the same line without a bonus: a return claws nothing back.
        s.index.recordSale('CH-1', 'O-1', 'SKU', 0);
        expect(bonus(s)).toBe(0);
      });
      batch(3, (s) => {
        expect(bonus(s)).toBe(0);
        s.index.recordSale('CH-1', 'O-1', 'SKU', 80);
        s.index.recordSale('CH-1', 'O-1', 'SKU', 0);
        s.index.recordSale('CH-1', 'O-1', 'SKU', 80);
      });
      expect(bonus(store)).toBe(80);
      if (h.reopen !== undefined) {
        store = await h.reopen();
        const reloaded = (await store.load()).state;
        store.applyBatch(reloaded, 4, () => {
          expect(bonus(store)).toBe(80);
          store.index.addOrder('CH-1', 5, 'O-3');
          store.index.addOrder('CH-1', 6, 'O-2');
          expect(store.index.takeNewOrders()).toEqual([{ channelId: 'CH-1', month: 6, count: 1 }]);
        });
      }
    });

    it('commits batches in groups to what one batch at a time gives, resuming across groups', async () => {
      const mid = Math.floor(reference.head / 2);
      const grouped = (feed: Feed) =>
        new ProjectionRunner(feed, h.store, defaultSettings, { batchSize: 37, commitEvery: 100 });
      const first = grouped(prefixOf(log, mid));
      // An ingestor's wakes: the last batches may stay held, `catchUp` commits them.
      expect(await first.catchUpHolding()).toBe(mid);
      expect(await first.catchUp()).toBe(mid);
      expect(await h.store.position()).toBe(mid);
      expect(await grouped(log).catchUp()).toBe(reference.head);
      await expectReference(h.store);
    });

    it('shows held batches to no one else until committed; a load gives them up; a close commits', async ({
      skip,
    }) => {
      if (h.store.commitHeld === undefined) return skip('the adapter commits every batch');
      const quarter = Math.floor(reference.head / 4);
      const closes = (await log.read(0, reference.head)).filter((e) => e.type === 'PeriodClosed');
      const close = closes.find((e) => e.position > quarter + 1)?.position;
      if (close === undefined) throw new Error('the feed must close a month after its first quarter');
      await project(prefixOf(log, quarter), h.store);
      const committed = await h.store.alerts();
      const holding = (feed: Feed) =>
        new ProjectionRunner(feed, h.store, defaultSettings, { batchSize: 37, commitEvery: 1_000_000 });
      // Up to the close, not including it: every batch held.
      expect(await holding(prefixOf(log, close - 1)).catchUpHolding()).toBe(close - 1);
      const peer = h.peer === undefined ? undefined : await h.peer();
      if (peer !== undefined) {
        expect(await peer.position()).toBe(quarter);
        expect(await peer.alerts()).toEqual(committed);
      }
      // Given up: the load answers the last commit.
      expect((await h.store.load()).position).toBe(quarter);
      // The batch that closes the month commits its group at once (its months leave memory).
      expect(await holding(prefixOf(log, close)).catchUpHolding()).toBe(close);
      expect(await (peer ?? h.store).position()).toBe(close);
      expect(await project(log, h.store)).toBe(reference.head);
      await expectReference(h.store);
      if (peer !== undefined) await expectReference(peer);
    });

    it('saves nothing of a group of held batches when one of them fails', async () => {
      const mid = Math.floor(reference.head / 2);
      await project(prefixOf(log, mid), h.store);
      const before = { view: viewOf((await h.store.load()).state), alerts: await h.store.alerts() };
      const { state } = await h.store.load();
      const fake: Alert = {
        id: 'contract/held',
        kind: 'GROWTH_TARGET_MISS_RETRACTED',
        channelId: 'CH-ZZ',
        month: '2026-01',
      };
      h.store.applyBatch(state, mid + 1, (sink) => sink.alert(fake), mid, true);
      h.store.applyBatch(
        state,
        mid + 2,
        () => h.store.index.recordSale('CH-ZZ', 'O-ZZ', 'P-ZZ', 123),
        mid + 1,
        true,
      );
      expect(() =>
        h.store.applyBatch(
          state,
          mid + 3,
          () => {
            throw new Error('boom');
          },
          mid + 2,
        ),
      ).toThrow('boom');
      const position = await h.store.position();
      // Either the store kept its last commit (a store that commits every batch kept the first two).
      expect(h.store.commitHeld === undefined ? [mid + 2, 0] : [mid]).toContain(position);
      if (h.store.commitHeld !== undefined) {
        expect(await h.store.alerts()).toEqual(before.alerts);
        expect(viewOf((await h.store.load()).state)).toEqual(before.view);
        expect(h.store.index.saleBonusBps('CH-ZZ', 'O-ZZ', 'P-ZZ')).toBeUndefined();
        expect(await project(log, h.store)).toBe(reference.head);
        await expectReference(h.store);
      }
    });

    it('keeps the read model across a reopen', async ({ skip }) => {
      if (h.reopen === undefined) return skip('the adapter keeps nothing across processes');
      await project(log, h.store);
      const reopened = await h.reopen();
      await expectReference(reopened);
    });
  });
}
