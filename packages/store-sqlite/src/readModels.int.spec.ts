/**
 * Read models side by side (readModels.ts): two versions of the projection built from one log,
 * each answering its own figures; a version bump at start-up builds the new one beside the old
 * one, which answers until the switch; an interrupted build is resumed; one builder at a time.
 * Every figure is compared with an in-memory run of the same definition over the same log.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNEL_PERFORMANCE, defaultSettings, type ChannelProjection, type Report } from '@chanperf/domain';
import {
  EngineError,
  InMemoryReadStore,
  Ingestor,
  ProjectionRunner,
  reportOf,
  type Feed,
} from '@chanperf/engine';
import { generateFeed } from '@chanperf/testing';
import { keepRenewed, type ReadModelFiles } from './readModels.js';
import { sqliteStore, type SqliteStore } from './sqliteStore.js';

const dir = mkdtempSync(join(tmpdir(), 'chanperf-readmodels-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = [...generateFeed({ seed: 5, partners: 12, months: 6, salesPerPartnerMonth: 5 })];

/** A trivially different version: returns are not counted. */
const NO_RETURNS: ChannelProjection = {
  ...CHANNEL_PERFORMANCE,
  version: CHANNEL_PERFORMANCE.version + 1,
  evolve: (ctx, e) => {
    if (e.type !== 'SaleReturned') CHANNEL_PERFORMANCE.evolve(ctx, e);
  },
};

async function logOf(path: string, projection?: ChannelProjection): Promise<SqliteStore> {
  const store = sqliteStore({ path, settings: defaultSettings, ...(projection ? { projection } : {}) });
  const ingestor = new Ingestor(store.log, defaultSettings);
  await ingestor.init();
  await ingestor.ingest(lines.map((text, i) => ({ text, source: 'gen', line: i + 1 })));
  return store;
}

function runnerOf(store: SqliteStore, projection: ChannelProjection, feed: Feed = store.log) {
  return new ProjectionRunner(feed, store.readStore, defaultSettings, { batchSize: 300, projection });
}

function report(runner: ProjectionRunner, store: SqliteStore): Promise<Report> {
  return reportOf(runner, store.log, store.readStore, store.log, defaultSettings);
}

/** The report of `projection` over `store`'s log, from an in-memory read model. */
async function reference(store: SqliteStore, projection: ChannelProjection): Promise<Report> {
  const memory = new InMemoryReadStore();
  const runner = new ProjectionRunner(store.log, memory, defaultSettings, { projection });
  return reportOf(runner, store.log, memory, store.log, defaultSettings);
}

describe('read models side by side', () => {
  it('given one log, the current projection and another version built beside it each answer their own figures', async () => {
    const store = await logOf(join(dir, 'two.db'));
    const current = runnerOf(store, CHANNEL_PERFORMANCE);
    const currentFigures = await report(current, store);
    const sides = store.readStore.sideBySide;
    if (sides === undefined) throw new Error('the SQLite store keeps read models side by side');
    const side = sides.beside('test');
    try {
      expect(side.resumedFrom).toBe(0);
      const other = new ProjectionRunner(store.log, side.store, defaultSettings, { projection: NO_RETURNS });
      const otherFigures = await reportOf(other, store.log, side.store, store.log, defaultSettings);
      expect(currentFigures).toEqual(await reference(store, CHANNEL_PERFORMANCE));
      expect(otherFigures).toEqual(await reference(store, NO_RETURNS));
      expect(otherFigures.channels).not.toEqual(currentFigures.channels);
      // Not switched: the store still answers the current one's figures.
      expect(await report(runnerOf(store, CHANNEL_PERFORMANCE), store)).toEqual(currentFigures);
    } finally {
      side.close();
      store.close();
    }
  });

  it('given a version bump at start-up, the old read model answers until the new one, built beside, is switched to', async () => {
    const path = join(dir, 'bump.db');
    const v7 = await logOf(path);
    const old = await report(runnerOf(v7, CHANNEL_PERFORMANCE), v7);
    v7.close();

    const v8 = sqliteStore({ path, settings: defaultSettings, projection: NO_RETURNS });
    expect(v8.readStore.sideBySide?.stale()).toBe(true);
    const runner = runnerOf(v8, NO_RETURNS);
    // Before its first run the runner answers from the old read model, complete.
    expect((await runner.current()).channels.size).toBe(old.channels.length);
    const generation = v8.readStore.sideBySide?.generation();
    const bumped = await report(runner, v8);
    expect(bumped).toEqual(await reference(v8, NO_RETURNS));
    expect(v8.readStore.sideBySide?.generation()).toBe((generation ?? 0) + 1);
    expect(v8.readStore.sideBySide?.stale()).toBe(false);
    expect(existsSync(`${path}-readmodel-b`)).toBe(true);
    v8.close();

    // Back to the version before: built beside again, in the first file.
    const back = sqliteStore({ path, settings: defaultSettings });
    expect(back.readStore.sideBySide?.stale()).toBe(true);
    expect(await report(runnerOf(back, CHANNEL_PERFORMANCE), back)).toEqual(old);
    back.close();
  });

  it('given a build interrupted half-way, the next rebuild resumes it, switches, and the figures are the reference', async () => {
    const store = await logOf(join(dir, 'resume.db'));
    const runner = runnerOf(store, CHANNEL_PERFORMANCE);
    const figures = await report(runner, store);
    const head = await store.log.head();
    const half = Math.floor(head / 2);
    const sides = store.readStore.sideBySide;
    if (sides === undefined) throw new Error('the SQLite store keeps read models side by side');
    // The log as it stood at `half`, as an interrupted build saw it.
    const upToHalf: Feed = {
      read: (after, limit) => store.log.read(after, Math.max(0, Math.min(limit, half - after))),
    };
    const side = sides.beside('interrupted');
    await new ProjectionRunner(upToHalf, side.store, defaultSettings, { batchSize: 100 }).catchUp();
    expect(sides.switchTo(side)).toBe(false); // behind the head: never switched to
    side.close();
    expect(await store.readStore.position()).toBe(head);

    const starts: number[] = [];
    const position = await runner.rebuild({ what: 'test', onStart: (p) => void starts.push(p) });
    expect(starts).toEqual([half]);
    expect(position).toBe(head);
    expect(await report(runner, store)).toEqual(figures);
    // A second rebuild starts afresh in the other file (the one it left is a finished read model).
    starts.length = 0;
    await runner.rebuild({ what: 'test', onStart: (p) => void starts.push(p) });
    expect(starts).toEqual([0]);
    expect(await report(runner, store)).toEqual(figures);
    store.close();
  });

  it('given batches held uncommitted when a rebuild beside is switched to, the projection gives them up and goes on from the rebuilt one', async () => {
    const path = join(dir, 'held-switch.db');
    const store = await logOf(path);
    const head = await store.log.head();
    const figures = await reference(store, CHANNEL_PERFORMANCE);
    const half = Math.floor(head / 2);
    const upToHalf: Feed = {
      read: (after, limit) => store.log.read(after, Math.max(0, Math.min(limit, half - after))),
    };
    await new ProjectionRunner(upToHalf, store.readStore, defaultSettings, { batchSize: 100 }).catchUp();
    // Another process builds the read model beside, up to the head.
    const other = sqliteStore({ path, settings: defaultSettings });
    const sides = other.readStore.sideBySide;
    if (sides === undefined) throw new Error('the SQLite store keeps read models side by side');
    const side = sides.beside('test');
    try {
      await new ProjectionRunner(other.log, side.store, defaultSettings, { batchSize: 100 }).catchUp();
      // A command's projection holds the rest of the log uncommitted; the other process
      // switches to its build just as the projection, at the head, is about to commit.
      let switched = false;
      const switchingAtHead: Feed = {
        read: (after, limit) => {
          if (after === head && !switched) switched = sides.switchTo(side);
          return store.log.read(after, limit);
        },
      };
      const holder = new ProjectionRunner(switchingAtHead, store.readStore, defaultSettings, {
        batchSize: 100,
        commitEvery: 1_000_000,
      });
      // The commit is fenced by the switch: the projection loads the rebuilt read model instead.
      expect(await holder.catchUp()).toBe(head);
      expect(switched).toBe(true);
      expect(await report(holder, store)).toEqual(figures);
      expect(await store.readStore.position()).toBe(head);
    } finally {
      side.close();
      other.close();
      store.close();
    }
  });

  it('given a build under way, a second one is refused naming the first', async () => {
    const store = await logOf(join(dir, 'two-builders.db'));
    const sides = store.readStore.sideBySide;
    if (sides === undefined) throw new Error('the SQLite store keeps read models side by side');
    const other = sqliteStore({ path: join(dir, 'two-builders.db'), settings: defaultSettings });
    const first = sides.beside('the first build');
    try {
      let refused: unknown;
      try {
        other.readStore.sideBySide?.beside('the second build');
      } catch (err) {
        refused = err;
      }
      expect(refused).toBeInstanceOf(EngineError);
      expect((refused as EngineError).code).toBe('REBUILD_RUNNING');
      expect((refused as Error).message).toMatch(/being built by pid \d+ on .+\(the first build\)/);
    } finally {
      first.close();
      other.close();
      store.close();
    }
  });

  it('given a lease whose renewal throws (its file busy, or closed), the renewals go on and nothing is thrown', async () => {
    let tries = 0;
    const timer = keepRenewed(
      {
        renew: () => {
          tries++;
          throw new Error('database is locked');
        },
      },
      5,
    );
    try {
      while (tries < 3) await new Promise((r) => setTimeout(r, 5));
    } finally {
      clearInterval(timer);
    }
    expect(tries).toBeGreaterThanOrEqual(3);
  });

  it('given a one-thread build that lasts many lease lives, its lease is renewed all along: a second one is refused', async () => {
    const path = join(dir, 'long-build.db');
    const seeded = await logOf(path);
    seeded.close();
    // A lease of 200 ms (renewed every 50 ms), a build of one event a batch slowed to ~2 ms a
    // batch: the build lasts several lease lives. Before the fix its thread never let the
    // renewal's timer run, and the lease expired under it after one.
    const ttl = { builderLeaseTtlMs: 200, rebuildParts: 1 };
    const store = sqliteStore({ path, settings: defaultSettings, ...ttl });
    const other = sqliteStore({ path, settings: defaultSettings, ...ttl });
    try {
      const runner = new ProjectionRunner(store.log, store.readStore, defaultSettings, { batchSize: 1 });
      let batches = 0;
      const slow = () => {
        batches++;
        const until = performance.now() + 2;
        while (performance.now() < until); // a batch that takes its time, in this thread
      };
      const attempt = new Promise<unknown>((resolve) => {
        setTimeout(() => {
          try {
            other.readStore.sideBySide?.beside('the second build').close();
            resolve('taken over');
          } catch (err) {
            resolve(err);
          }
        }, 600);
      });
      const built = runner.rebuild({ what: 'the long build', onBatch: slow });
      const refused = await attempt;
      const position = await built;
      expect(batches).toBeGreaterThan(600 / 2);
      expect(refused).toBeInstanceOf(EngineError);
      expect((refused as EngineError).code).toBe('REBUILD_RUNNING');
      expect((refused as Error).message).toContain('(the long build)');
      expect(position).toBe(await store.log.head());
    } finally {
      other.close();
      store.close();
    }
  });

  it('given another build that switched to the side slot just before the lease, refuses and leaves it intact', async () => {
    const path = join(dir, 'overtaken.db');
    const store = await logOf(path);
    const runner = runnerOf(store, CHANNEL_PERFORMANCE);
    const figures = await report(runner, store);
    const sides = store.readStore.sideBySide;
    if (sides === undefined) throw new Error('the SQLite store keeps read models side by side');
    const other = sqliteStore({ path, settings: defaultSettings });
    // The other process's read model files (the store's own, reached past its port).
    const late = (other.readStore as unknown as { files: ReadModelFiles }).files;
    try {
      // `late` read the pointer (slot 0 current, so it builds in slot 1)…
      const stale = late.pointer(true);
      // …then this build went through slot 1 and switched to it, releasing its lease.
      await runner.rebuild({ what: 'the fast build' });
      expect(late.pointer(true).slot).toBe(1);
      // The late one takes slot 1's lease with what it read before: it must not empty slot 1.
      const pointer = late.pointer.bind(late);
      let calls = 0;
      late.pointer = (fresh?: boolean) => (calls++ === 0 ? stale : pointer(fresh));
      let refused: unknown;
      try {
        late.beside('the late build');
      } catch (err) {
        refused = err;
      }
      expect((refused as EngineError | undefined)?.code).toBe('REBUILD_RUNNING');
      expect(await report(runner, store)).toEqual(figures);
      // And the next attempt builds in slot 0, beside it.
      late.pointer = pointer;
      const next = late.beside('the late build, again');
      expect(next.slot).toBe(0);
      next.close();
    } finally {
      other.close();
      store.close();
    }
  });
});
