/**
 * What this package's specs share, whatever serves EventStoreDB (the wire-level stand-in,
 * `standIn.ts`, or a real server in a container), always through the real client: the harness the port contracts run on, and the suite of behaviour
 * specific to EventStoreDB (streams and ids, numbering on a new node, foreign events, server-
 * side duplicates, the commit journal). Each test gets its own stream namespace and local
 * file, so tests sharing one server never see each other's events. Test code: src/testing/ is
 * excluded from the package's build.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORWARDS, START, type AllStreamRecordedEvent } from '@eventstore/db-client';
import { defaultSettings } from '@chanperf/domain';
import type { IngestBatch, LogEntry } from '@chanperf/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acceptedBatch,
  channelRegistered,
  entryOf,
  periodClosed,
  saleRecorded,
  sales,
  waitUntil,
  type ContractLog,
  type EventLogHarness,
} from '../../../testing/src/contracts/index.js';
import type { EsdbClient } from '../client.js';
import { encodeEntry } from '../codec.js';
import { esdbEventId } from '../eventIds.js';
import { streamOf } from '../streams.js';
import { openEventStoreDbStore, type EventStoreDbStore, type StoreInternals } from '../eventStoreDbStore.js';

/** Something that serves EventStoreDB to the tests. */
export interface EsdbTarget {
  readonly name: string;
  readonly connectionString: string;
  /** A client to look at the server directly. */
  inspector(): EsdbClient;
  restart?(): Promise<void>;
}

let counter = 0;

/** A namespace no other test uses (lower-case letters and digits). */
function freshNamespace(): string {
  counter++;
  return `cpt${counter}x${randomBytes(4).toString('hex')}`;
}

/** Stores opened on one namespace, each with a local file in one temporary directory. */
export class Nodes {
  readonly namespace = freshNamespace();
  private readonly dir = mkdtempSync(join(tmpdir(), 'chanperf-esdb-'));
  private readonly open = new Set<EventStoreDbStore>();
  private files = 0;

  constructor(private readonly target: EsdbTarget) {}

  newFile(): string {
    this.files++;
    return join(this.dir, `node-${this.files}.db`);
  }

  async node(
    localPath = this.newFile(),
    internals: Omit<StoreInternals, 'client'> = {},
  ): Promise<EventStoreDbStore> {
    const store = await openEventStoreDbStore(
      {
        connectionString: this.target.connectionString,
        localPath,
        settings: defaultSettings,
        namespace: this.namespace,
      },
      { reconnect: { minMs: 20, maxMs: 500 }, ...internals },
    );
    this.open.add(store);
    return store;
  }

  async closeNode(store: EventStoreDbStore): Promise<void> {
    this.open.delete(store);
    await store.close();
  }

  async close(): Promise<void> {
    for (const s of [...this.open]) await this.closeNode(s);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The port contracts' harness: a fresh namespace per test, peers and reopens as nodes. */
export function harnessFor(target: EsdbTarget): () => Promise<EventLogHarness> {
  return async () => {
    const nodes = new Nodes(target);
    const path = nodes.newFile();
    let main = await nodes.node(path);
    const harness: EventLogHarness = {
      log: main.log,
      close: () => nodes.close(),
      peer: async () => (await nodes.node()).log,
      reopen: async () => {
        await nodes.closeNode(main);
        main = await nodes.node(path);
        return main.log;
      },
      ...(target.restart !== undefined ? { restart: target.restart.bind(target) } : {}),
    };
    return harness;
  };
}

/** Every event of `$all`, as the server holds it. */
async function allEvents(client: EsdbClient): Promise<AllStreamRecordedEvent[]> {
  const out: AllStreamRecordedEvent[] = [];
  for await (const r of client.readAll({ fromPosition: START, direction: FORWARDS })) {
    if (r.event !== undefined) out.push(r.event);
  }
  return out;
}

async function readLog(log: ContractLog): Promise<LogEntry[]> {
  await log.head(); // brings the local index up to date
  return log.read(0, 100_000);
}

export function eventStoreDbSuite(target: EsdbTarget, waitMs = 30_000): void {
  describe(`EventStoreDB specifics: ${target.name}`, () => {
    let nodes: Nodes;
    beforeEach(() => {
      nodes = new Nodes(target);
    });
    afterEach(async () => {
      await nodes.close();
    });

    it('appends every event to <ns>-log in batch order, stamped with the attempt that wrote it', async () => {
      const store = await nodes.node();
      const ns = nodes.namespace;
      const batch = [
        entryOf(periodClosed('2025-12')),
        entryOf(channelRegistered('CH-A')),
        entryOf(saleRecorded('CH-A', 1)),
        entryOf(channelRegistered('CH-B')),
        entryOf(saleRecorded('CH-B', 2)),
        entryOf(periodClosed('2026-01')),
        entryOf(saleRecorded('CH-A', 3)),
      ];
      await store.log.commit(acceptedBatch(batch));
      const mine = (await allEvents(target.inspector())).filter((e) => e.streamId.startsWith(`${ns}-`));
      // One stream, one append: a sale after a closing stays after it.
      expect(mine.map((e) => e.id)).toEqual(batch.map((e) => esdbEventId(ns, e.eventId)));
      expect(mine.map((e) => [e.streamId, e.revision])).toEqual(
        batch.map((_, i) => [`${ns}-log`, BigInt(i)]),
      );
      expect(mine.map((e) => e.type)).toEqual(batch.map((e) => e.type));
      const attempt = (mine[0]?.metadata as { batch?: unknown } | undefined)?.batch;
      expect(attempt).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
      for (const [i, e] of mine.entries()) {
        expect(e.isJson).toBe(true);
        expect(JSON.stringify(e.data)).toBe(batch[i]?.payload);
        expect(e.metadata).toMatchObject({
          eventId: batch[i]?.eventId,
          channelId: batch[i]?.channelId,
          batch: attempt,
        });
      }
    });

    it('reads a log written in the per-channel layout of earlier versions, and appends after it', async () => {
      const ns = nodes.namespace;
      const raw = target.inspector();
      const old = [
        entryOf(channelRegistered('CH-A')),
        ...sales('CH-A', 1, 2),
        entryOf(periodClosed('2026-01')),
      ];
      for (const e of old) await raw.appendToStream(streamOf(ns, e.channelId), [encodeEntry(ns, e)]);
      const store = await nodes.node();
      const facts = await store.log.acceptanceFacts();
      expect(facts.channels).toEqual(['CH-A']);
      expect(facts.lastClosed).not.toBeNull(); // the old program stream's closing counts
      const next = sales('CH-A', 3, 2);
      const { positions } = await store.log.append(
        next.map((e) => e.eventId),
        () => acceptedBatch(next),
      );
      expect(positions).toEqual([5, 6]);
      expect((await readLog(store.log)).map((e) => e.eventId)).toEqual(
        [...old, ...next].map((e) => e.eventId),
      );
      expect(await readLog((await nodes.node()).log)).toEqual(await readLog(store.log));
    });

    it('numbers the log on a new node exactly as on the node that wrote it', async () => {
      const writer = await nodes.node();
      await writer.log.commit(acceptedBatch([entryOf(channelRegistered('CH-A')), ...sales('CH-A', 1, 30)]));
      await writer.log.commit(acceptedBatch([entryOf(channelRegistered('CH-B')), ...sales('CH-B', 1, 12)]));
      const fresh = await nodes.node(); // empty local file: indexes $all from the start
      expect(await readLog(fresh.log)).toEqual(await readLog(writer.log));
      expect(await fresh.log.acceptanceFacts()).toEqual(await writer.log.acceptanceFacts());
    });

    it('ignores other streams, and events in its streams that chanperf did not write', async () => {
      const store = await nodes.node();
      const ns = nodes.namespace;
      const raw = target.inspector();
      const stray = {
        contentType: 'application/json' as const,
        type: 'Stray',
        data: { x: 1 },
        metadata: undefined,
      };
      await raw.appendToStream(`other-${ns}`, [{ ...stray, id: randomUUID() }]);
      await raw.appendToStream(`${ns}x-channel-CH-A`, [{ ...stray, id: randomUUID() }]);
      await store.log.commit(acceptedBatch([entryOf(channelRegistered('CH-A'))]));
      await raw.appendToStream(`${ns}-channel-CH-A`, [{ ...stray, id: randomUUID() }]); // no metadata
      await store.log.commit(acceptedBatch(sales('CH-A', 1, 2)));
      expect((await readLog(store.log)).map((e) => [e.position, e.eventId])).toEqual([
        [1, 'reg-CH-A'],
        [2, 'sale-CH-A-1'],
        [3, 'sale-CH-A-2'],
      ]);
      const fresh = await nodes.node();
      expect(await readLog(fresh.log)).toEqual(await readLog(store.log));
    });

    it('keeps the first occurrence of an eventId the server holds twice', async () => {
      const store = await nodes.node();
      const ns = nodes.namespace;
      const raw = target.inspector();
      await store.log.commit(
        acceptedBatch([entryOf(channelRegistered('CH-A')), entryOf(channelRegistered('CH-B'))]),
      );
      // Two writers raced on one eventId, in two streams (the server cannot tell).
      const first = entryOf(saleRecorded('CH-A', 1, '5.00', 'race-1'));
      const second = entryOf(saleRecorded('CH-B', 1, '7.00', 'race-1'));
      await raw.appendToStream(`${ns}-channel-CH-A`, [encodeEntry(ns, first)]);
      await raw.appendToStream(`${ns}-channel-CH-B`, [encodeEntry(ns, second)]);
      await store.log.commit(acceptedBatch(sales('CH-B', 2, 1)));
      const log = await readLog(store.log);
      expect(log.map((e) => e.eventId)).toEqual(['reg-CH-A', 'reg-CH-B', 'race-1', 'sale-CH-B-2']);
      expect(log[2]?.payload).toBe(first.payload);
      expect(await store.log.contents(['race-1'])).toEqual(new Map([['race-1', first.payload]]));
      expect(await readLog((await nodes.node()).log)).toEqual(log);
    });

    for (const point of ['beforeLocalCommit', 'beforeJournalCleared'] as const) {
      for (const withCheckpoint of [true, false]) {
        it(`completes exactly once a commit that crashed at ${point} (${
          withCheckpoint ? 'a file batch' : 'a batch without a source checkpoint'
        })`, async () => {
          const path = nodes.newFile();
          let crash = false;
          const crashing = await nodes.node(path, {
            crashPoint: (at) => {
              if (crash && at === point) throw new Error(`crash at ${at}`);
            },
          });
          await crashing.log.commit(acceptedBatch([entryOf(channelRegistered('CH-A'))]));
          crash = true;
          const batch: IngestBatch = {
            accepted: sales('CH-A', 1, 4),
            rejected: [
              { source: 'file:x', line: 6, eventId: null, code: 'MALFORMED_JSON', message: 'bad', raw: '{' },
            ],
            counts: { lines: 6, accepted: 4, duplicates: 1, rejected: 1 },
            ...(withCheckpoint ? { checkpoint: { key: 'file:x', offset: 600, line: 6 } } : {}),
          };
          await expect(crashing.log.commit(batch)).rejects.toThrow(`crash at ${point}`);
          await nodes.closeNode(crashing); // the process died here
          const restarted = await nodes.node(path); // completes the journal on open
          expect(await restarted.log.head()).toBe(5);
          expect(await restarted.log.counts()).toEqual({ lines: 7, accepted: 5, duplicates: 1, rejected: 1 });
          expect(await restarted.log.forReport()).toEqual([
            { line: 6, eventId: null, code: 'MALFORMED_JSON' },
          ]);
          if (withCheckpoint)
            expect(await restarted.log.sourceCheckpoint('file:x')).toEqual(batch.checkpoint);
          await restarted.log.commit(acceptedBatch(sales('CH-A', 5, 1)));
          expect(await restarted.log.counts()).toEqual({ lines: 8, accepted: 6, duplicates: 1, rejected: 1 });
          expect((await readLog(restarted.log)).map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6]);
        });
      }
    }

    it('tells listeners about new entries, its own and those a peer appends', async () => {
      const a = await nodes.node();
      const b = await nodes.node();
      const heads: number[] = [];
      const stop = a.onAppended((head) => heads.push(head));
      await a.log.commit(acceptedBatch([entryOf(channelRegistered('CH-A'))]));
      expect(heads).toEqual([1]);
      await b.log.commit(acceptedBatch(sales('CH-A', 1, 3)));
      await waitUntil(
        () => heads[heads.length - 1] === 4,
        () => `heads seen: ${heads.join(',')}`,
        waitMs,
      );
      stop();
      expect(await a.log.read(0, 10)).toEqual(await b.log.read(0, 10));
    });
  });
}
