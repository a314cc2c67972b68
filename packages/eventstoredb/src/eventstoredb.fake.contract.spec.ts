/**
 * The port contracts and the EventStoreDB-specific suite against the adapter over an
 * in-process fake of the server and client (`testing/eventStoreDb.fake.ts`): runs everywhere, and
 * checks the adapter's own logic — ordering, indexing, resuming the subscription after a
 * restart, the commit journal. The real server runs the same suites in
 * `eventstoredb.contract.spec.ts` where a container runtime exists.
 */
import { defaultSettings } from '@chanperf/domain';
import { EngineError } from '@chanperf/engine';
import { describe, expect, it } from 'vitest';
import {
  acceptedBatch,
  channelRegistered,
  entryOf,
  eventLogContract,
  sales,
} from '../../testing/src/contracts/index.js';
import { encodeEntry } from './codec.js';
import { FakeEventStoreDb } from './testing/eventStoreDb.fake.js';
import { eventStoreDbSuite, harnessFor, Nodes, type EsdbTarget } from './testing/eventStoreDb.testkit.js';
import { openEventStoreDbStore } from './eventStoreDbStore.js';

function fakeTarget(server: FakeEventStoreDb): EsdbTarget {
  return {
    name: 'in-process fake server',
    connectionString: 'esdb://fake.invalid:2113?tls=false',
    client: () => server.client(),
    inspector: () => server.client(),
    restart: () => server.restart(),
  };
}

const server = new FakeEventStoreDb();
server.system('$stats-127.0.0.1:2113', '$statsCollected');
eventLogContract('eventstoredb over an in-process fake server', harnessFor(fakeTarget(server)));
eventStoreDbSuite(fakeTarget(server));

describe('eventstoredb adapter: failures injected through the fake server', () => {
  const retriable = (code: string): unknown =>
    expect.objectContaining({ name: 'EngineError', code, retriable: true });

  it('fails to open, retriably, while the server is down', async () => {
    const down = new FakeEventStoreDb();
    down.setDown(true);
    const nodes = new Nodes(fakeTarget(down));
    await expect(nodes.node()).rejects.toEqual(retriable('ESDB_UNAVAILABLE'));
    await nodes.close();
  });

  it('keeps a commit the server refused in its journal, and completes it once the server is back', async () => {
    const s = new FakeEventStoreDb();
    const nodes = new Nodes(fakeTarget(s));
    const store = await nodes.node();
    await store.log.commit(acceptedBatch([entryOf(channelRegistered('CH-A'))]));
    s.setDown(true);
    const batch = {
      ...acceptedBatch(sales('CH-A', 1, 3)),
      checkpoint: { key: 'file:d', offset: 30, line: 3 },
    };
    await expect(store.log.commit(batch)).rejects.toEqual(retriable('ESDB_UNAVAILABLE'));
    await expect(store.log.head()).rejects.toBeInstanceOf(EngineError);
    await expect(store.log.counts()).rejects.toEqual(retriable('ESDB_UNAVAILABLE')); // must finish first
    expect(await store.log.read(0, 10)).toHaveLength(1); // the local index still serves reads
    s.setDown(false);
    expect(await store.log.counts()).toEqual({ lines: 4, accepted: 4, duplicates: 0, rejected: 0 });
    expect(await store.log.sourceCheckpoint('file:d')).toEqual(batch.checkpoint);
    expect(await store.log.head()).toBe(4);
    await nodes.close();
  });

  it('counts once a commit retried after a lost acknowledgement', async () => {
    const s = new FakeEventStoreDb();
    const nodes = new Nodes(fakeTarget(s));
    const store = await nodes.node();
    await store.log.commit(acceptedBatch([entryOf(channelRegistered('CH-A'))]));
    const batch = acceptedBatch(sales('CH-A', 1, 5));
    s.loseAcknowledgements = 1; // written, but the client is told it failed
    await expect(store.log.commit(batch)).rejects.toEqual(retriable('ESDB_UNAVAILABLE'));
    await store.log.commit(batch); // the caller retries the same batch
    expect(await store.log.counts()).toEqual({ lines: 6, accepted: 6, duplicates: 0, rejected: 0 });
    expect((await store.log.read(0, 100)).map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.stream(`${nodes.namespace}-channel-CH-A`)).toHaveLength(6); // the server holds each once
    await nodes.close();
  });

  it('indexes an eventId once when the server stores a resend twice', async () => {
    const s = new FakeEventStoreDb();
    s.idempotent = false; // `expectedRevision: any` idempotence is best effort on a real server
    const nodes = new Nodes(fakeTarget(s));
    const store = await nodes.node();
    const entries = [entryOf(channelRegistered('CH-A')), ...sales('CH-A', 1, 2)];
    await store.log.commit(acceptedBatch(entries));
    const raw = s.client();
    await raw.appendToStream(
      `${nodes.namespace}-channel-CH-A`,
      entries.map((e) => encodeEntry(nodes.namespace, e)),
    );
    expect(s.stream(`${nodes.namespace}-channel-CH-A`)).toHaveLength(6);
    expect(await store.log.head()).toBe(3);
    expect((await store.log.read(0, 10)).map((e) => e.eventId)).toEqual(entries.map((e) => e.eventId));
    await nodes.close();
  });

  it('refuses a namespace that could overlap another one', async () => {
    await expect(
      openEventStoreDbStore(
        {
          connectionString: 'esdb://x:2113?tls=false',
          localPath: ':memory:',
          settings: defaultSettings,
          namespace: 'chan-perf',
        },
        { client: new FakeEventStoreDb().client() },
      ),
    ).rejects.toEqual(expect.objectContaining({ code: 'ESDB_BAD_NAMESPACE', retriable: false }));
  });
});
