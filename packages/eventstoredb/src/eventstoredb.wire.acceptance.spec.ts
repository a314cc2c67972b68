/**
 * Acceptance with the log as the authority, through the REAL client against the wire-level
 * stand-in (`testing/standIn.ts`): another writer appends between a node's view and its append
 * (a test seam runs before each append), the server refuses the expected revision, and the
 * node decides again with the newer view; a batch split over several appends keeps the part
 * that went; after a lost acknowledgement or a crash a node recognises its own appends (attempt
 * ids in the metadata) and counts them once, and another node counts them as duplicates.
 */
import type { AcceptanceView, BatchDecider, NewLogEntry } from '@chanperf/engine';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acceptedBatch,
  channelRegistered,
  entryOf,
  saleRecorded,
  sales,
} from '../../testing/src/contracts/index.js';
import type { EventStoreDbStore, StoreInternals } from './eventStoreDbStore.js';
import { MAX_ATTEMPTS } from './logWriter.js';
import { EsdbStandIn } from './testing/standIn.js';
import { Nodes } from './testing/eventStoreDb.testkit.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const done of cleanup.splice(0).reverse()) await done();
});

/** A stand-in of its own; node `b` has registered CH-A; `a` opens with the given seams. */
async function fixture(internals: (b: EventStoreDbStore) => Omit<StoreInternals, 'client'>) {
  const server = new EsdbStandIn();
  await server.start();
  const nodes = new Nodes({
    name: 'stand-in',
    connectionString: server.connectionString,
    inspector: () => {
      throw new Error('not used');
    },
  });
  cleanup.push(
    () => server.stop(),
    () => nodes.close(),
  );
  const b = await nodes.node();
  await b.log.commit(acceptedBatch([entryOf(channelRegistered('CH-A'))]));
  const path = nodes.newFile();
  const a = await nodes.node(path, internals(b));
  const logIds = () => server.log.stream(`${nodes.namespace}-log`).map((e) => eventIdOf(e.metadata));
  return { server, nodes, a, b, path, logIds };
}

function eventIdOf(metadata: Uint8Array): string {
  return (JSON.parse(Buffer.from(metadata).toString('utf8')) as { eventId: string }).eventId;
}

/** The ingestion's duplicate rule, over entries: equal content in the log is a duplicate. */
function decider(entries: readonly NewLogEntry[], views: AcceptanceView[] = []): BatchDecider {
  return (view) => {
    views.push(view);
    const accepted = entries.filter((e) => view.content(e.eventId) === undefined);
    const duplicates = entries.filter((e) => view.content(e.eventId) === e.payload).length;
    return {
      accepted,
      rejected: [],
      counts: { lines: entries.length, accepted: accepted.length, duplicates, rejected: 0 },
    };
  };
}

const ids = (entries: readonly NewLogEntry[]) => entries.map((e) => e.eventId);

describe('acceptance across nodes through expected revisions (real client, stand-in)', () => {
  it('decides again, with the newer view, when another writer appended between the view and the append', async () => {
    const race = entryOf(saleRecorded('CH-A', 1, '5.00', 'race-1'));
    let letIn = true;
    const { server, a, logIds } = await fixture((b) => ({
      beforeAppend: async () => {
        if (!letIn) return;
        letIn = false;
        await b.log.commit(acceptedBatch([race])); // the peer gets there first
      },
    }));
    const mine = [race, ...sales('CH-A', 2, 1)];
    const views: AcceptanceView[] = [];
    const refused = server.wrongExpectedVersions;
    const { batch, positions } = await a.log.append(ids(mine), decider(mine, views));
    expect(server.wrongExpectedVersions).toBe(refused + 1);
    expect(views.map((v) => v.content('race-1') ?? 'not in the log')).toEqual([
      'not in the log',
      race.payload,
    ]);
    expect(batch.counts).toEqual({ lines: 2, accepted: 1, duplicates: 1, rejected: 0 });
    expect(positions).toEqual([3]);
    expect(logIds()).toEqual(['reg-CH-A', 'race-1', 'sale-CH-A-2']);
    expect(await a.log.counts()).toEqual({ lines: 2, accepted: 1, duplicates: 1, rejected: 0 });
  });

  it('keeps the appended part of a split batch when another writer comes between its appends', async () => {
    const mine = sales('CH-A', 1, 6);
    const longest = Math.max(...mine.map((e) => Buffer.byteLength(e.payload)));
    let letIn = true;
    const { a, logIds } = await fixture((b) => ({
      maxAppendBytes: 2 * (longest + 512), // appends of two entries
      beforeAppend: async (run) => {
        if (run !== 1 || !letIn) return;
        letIn = false;
        await b.log.commit(acceptedBatch(sales('CH-A', 100, 1)));
      },
    }));
    const views: AcceptanceView[] = [];
    const { batch, positions } = await a.log.append(ids(mine), decider(mine, views));
    expect(views).toHaveLength(2);
    // Decided again: its first two entries are the log's now, and still this node's to count.
    expect(ids(batch.accepted)).toEqual(ids(mine.slice(2)));
    expect(batch.counts).toEqual({ lines: 6, accepted: 6, duplicates: 0, rejected: 0 });
    expect(positions).toEqual([5, 6, 7, 8]);
    expect(logIds()).toEqual(['reg-CH-A', ...ids(mine.slice(0, 2)), 'sale-CH-A-100', ...ids(mine.slice(2))]);
    expect(await a.log.counts()).toEqual({ lines: 6, accepted: 6, duplicates: 0, rejected: 0 });
  });

  for (const fault of ['a lost acknowledgement', 'a crash before the local commit'] as const) {
    it(`after ${fault}, a node counts its own append as accepted and the other node as a duplicate`, async () => {
      let crash = fault === 'a crash before the local commit';
      const { server, nodes, a, b, path, logIds } = await fixture(() => ({
        crashPoint: (at) => {
          if (crash && at === 'beforeLocalCommit') throw new Error('crash');
        },
      }));
      const x = sales('CH-A', 1, 1);
      if (!crash) server.loseAcknowledgements = 1;
      await expect(a.log.append(ids(x), decider(x))).rejects.toThrow();
      crash = false;
      let ledger = a;
      if (fault === 'a crash before the local commit') {
        await nodes.closeNode(a); // the process died; a new one opens the same file
        ledger = await nodes.node(path);
      }
      const theirs = await b.log.append(ids(x), decider(x));
      expect(theirs.batch.counts).toEqual({ lines: 1, accepted: 0, duplicates: 1, rejected: 0 });
      expect(await ledger.log.counts()).toEqual({ lines: 1, accepted: 1, duplicates: 0, rejected: 0 });
      expect(logIds()).toEqual(['reg-CH-A', 'sale-CH-A-1']);
    });
  }

  it('gives up, retriably and with nothing committed, when another writer always appends first', async () => {
    let n = 0;
    const { server, a, logIds } = await fixture((b) => ({
      beforeAppend: async () => {
        n++;
        await b.log.commit(acceptedBatch(sales('CH-B', n, 1)));
      },
    }));
    const x = sales('CH-A', 1, 1);
    const refused = server.wrongExpectedVersions;
    await expect(a.log.append(ids(x), decider(x))).rejects.toMatchObject({
      code: 'ESDB_CONTENDED',
      retriable: true,
    });
    expect(server.wrongExpectedVersions - refused).toBe(MAX_ATTEMPTS);
    expect(await a.log.counts()).toEqual({ lines: 0, accepted: 0, duplicates: 0, rejected: 0 });
    expect(logIds()).not.toContain('sale-CH-A-1');
  });

  it('drops a journaled batch that never reached the log once another writer appended', async () => {
    let down = true;
    const { server, a, b, logIds } = await fixture(() => ({
      beforeAppend: () => {
        if (down) server.stop(); // the append fails: the batch stays in the journal
        down = false;
        return Promise.resolve();
      },
    }));
    const x = sales('CH-A', 1, 1);
    await expect(a.log.append(ids(x), decider(x))).rejects.toMatchObject({ code: 'ESDB_UNAVAILABLE' });
    await server.start();
    const theirs = await b.log.append(ids(x), decider(x));
    expect(theirs.batch.counts).toEqual({ lines: 1, accepted: 1, duplicates: 0, rejected: 0 });
    // The decision was against a log that has moved on: not appended, not counted (the sender,
    // told the call failed, resends: then a duplicate).
    expect(await a.log.counts()).toEqual({ lines: 0, accepted: 0, duplicates: 0, rejected: 0 });
    const again = await a.log.append(ids(x), decider(x));
    expect(again.batch.counts).toEqual({ lines: 1, accepted: 0, duplicates: 1, rejected: 0 });
    expect(logIds()).toEqual(['reg-CH-A', 'sale-CH-A-1']);
  });
});
