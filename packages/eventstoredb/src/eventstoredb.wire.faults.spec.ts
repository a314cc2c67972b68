/**
 * Faults and protocol details through the REAL client against the wire-level stand-in
 * (`testing/standIn.ts`), each on a server of its own: the server down, a restart under a live
 * subscription, a lost acknowledgement, a server that stores a resend twice, WrongExpectedVersion
 * as the real server encodes it on Append and on BatchAppend, system streams and link events in
 * `$all`. Every fault here is made over the wire; none needs an object standing in for the client.
 */
import { defaultSettings } from '@chanperf/domain';
import { EngineError } from '@chanperf/engine';
import {
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  WrongExpectedVersionError,
  jsonEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acceptedBatch,
  channelRegistered,
  entryOf,
  sales,
  waitUntil,
} from '../../testing/src/contracts/index.js';
import { encodeEntry } from './codec.js';
import { eventStoreDbStore } from './eventStoreDbStore.js';
import { EsdbStandIn, type StandInOptions } from './testing/standIn.js';
import { Nodes, type EsdbTarget } from './testing/eventStoreDb.testkit.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const done of cleanup.splice(0).reverse()) await done();
});

/** A stand-in of its own, its nodes, and a raw client; all closed after the test. */
async function fixture(options: StandInOptions = {}) {
  const server = new EsdbStandIn(options);
  await server.start();
  const raw = EventStoreDBClient.connectionString(server.connectionString);
  const target: EsdbTarget = {
    name: 'stand-in',
    connectionString: server.connectionString,
    inspector: () => raw,
  };
  const nodes = new Nodes(target);
  cleanup.push(
    () => server.stop(),
    () => raw.dispose(),
    () => nodes.close(),
  );
  return { server, raw, nodes };
}

const retriable = (code: string): unknown =>
  expect.objectContaining({ name: 'EngineError', code, retriable: true });

describe('eventstoredb adapter over the wire: faults', () => {
  it('fails to open, retriably, while the server is down', async () => {
    const { server, nodes } = await fixture();
    server.stop();
    await expect(nodes.node()).rejects.toEqual(retriable('ESDB_UNAVAILABLE'));
  });

  it('resubscribes after a restart drops its subscription, and sees what a peer appended meanwhile', async () => {
    const { server, nodes } = await fixture();
    const a = await nodes.node();
    const b = await nodes.node();
    await a.log.commit(acceptedBatch([entryOf(channelRegistered('CH-A'))]));
    await waitUntil(
      () => a.isLive() && b.isLive(),
      () => 'subscriptions live',
      10_000,
    );
    const subscribed = server.calls.subscribe;
    const heads: number[] = [];
    a.onAppended((h) => heads.push(h));
    await server.restart();
    await waitUntil(
      () => !a.isLive() || server.calls.subscribe > subscribed,
      () => 'drop seen',
      10_000,
    );
    await b.log.commit(acceptedBatch(sales('CH-A', 1, 3))); // a learns of it by its subscription
    await waitUntil(
      () => heads.includes(4),
      () => `heads seen: ${heads.join(',')}`,
      10_000,
    );
    expect(server.calls.subscribe).toBeGreaterThanOrEqual(subscribed + 2); // both nodes came back
    expect(await a.log.read(0, 10)).toEqual(await b.log.read(0, 10));
  });

  it('keeps a commit the server refused in its journal, and completes it once the server is back', async () => {
    const { server, nodes } = await fixture();
    const store = await nodes.node();
    await store.log.commit(acceptedBatch([entryOf(channelRegistered('CH-A'))]));
    server.stop();
    const batch = {
      ...acceptedBatch(sales('CH-A', 1, 3)),
      checkpoint: { key: 'file:d', offset: 30, line: 3 },
    };
    await expect(store.log.commit(batch)).rejects.toEqual(retriable('ESDB_UNAVAILABLE'));
    await expect(store.log.head()).rejects.toBeInstanceOf(EngineError);
    await expect(store.log.counts()).rejects.toEqual(retriable('ESDB_UNAVAILABLE')); // must finish first
    expect(await store.log.read(0, 10)).toHaveLength(1); // the local index still serves reads
    await server.start();
    expect(await store.log.counts()).toEqual({ lines: 4, accepted: 4, duplicates: 0, rejected: 0 });
    expect(await store.log.sourceCheckpoint('file:d')).toEqual(batch.checkpoint);
    expect(await store.log.head()).toBe(4);
  });

  for (const batchAppend of [true, false]) {
    it(`counts once a commit retried after a lost acknowledgement (${batchAppend ? 'BatchAppend' : 'Append'})`, async () => {
      const { server, nodes } = await fixture({ batchAppend });
      const store = await nodes.node();
      await store.log.commit(acceptedBatch([entryOf(channelRegistered('CH-A'))]));
      const batch = acceptedBatch(sales('CH-A', 1, 5));
      server.loseAcknowledgements = 1; // written, but the client is told it failed
      await expect(store.log.commit(batch)).rejects.toEqual(retriable('ESDB_UNAVAILABLE'));
      await store.log.commit(batch); // the caller retries the same batch
      expect(await store.log.counts()).toEqual({ lines: 6, accepted: 6, duplicates: 0, rejected: 0 });
      expect((await store.log.read(0, 100)).map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(server.log.stream(`${nodes.namespace}-log`)).toHaveLength(6); // held once
    });
  }

  it('indexes an eventId once when the server stores a resend twice', async () => {
    const { server, raw, nodes } = await fixture();
    server.idempotent = false; // `expectedRevision: any` idempotence is best effort on a real server
    const store = await nodes.node();
    const entries = [entryOf(channelRegistered('CH-A')), ...sales('CH-A', 1, 2)];
    await store.log.commit(acceptedBatch(entries));
    const stream = `${nodes.namespace}-log`;
    await raw.appendToStream(
      stream,
      entries.map((e) => encodeEntry(nodes.namespace, e)),
    );
    expect(server.log.stream(stream)).toHaveLength(6);
    expect(await store.log.head()).toBe(3);
    expect((await store.log.read(0, 10)).map((e) => e.eventId)).toEqual(entries.map((e) => e.eventId));
  });

  it('refuses a namespace that could overlap another one, before connecting', async () => {
    const { server } = await fixture();
    await expect(
      eventStoreDbStore({
        connectionString: server.connectionString,
        localPath: ':memory:',
        settings: defaultSettings,
        namespace: 'chan-perf',
      }),
    ).rejects.toEqual(expect.objectContaining({ code: 'ESDB_BAD_NAMESPACE', retriable: false }));
  });
});

describe('the stand-in speaks the protocol as the real server does (real client)', () => {
  for (const batchAppend of [true, false]) {
    const path = batchAppend ? 'BatchAppend' : 'Append';
    it(`answers expected revisions, and WrongExpectedVersion as the client decodes it (${path})`, async () => {
      const { server, raw } = await fixture({ batchAppend });
      const event = () => jsonEvent({ type: 'T', data: { n: 1 } });
      expect(await raw.appendToStream('s-1', event(), { expectedRevision: NO_STREAM })).toMatchObject({
        success: true,
        nextExpectedRevision: 0n,
      });
      await expect(raw.appendToStream('s-1', event(), { expectedRevision: NO_STREAM })).rejects.toMatchObject(
        {
          type: 'wrong-expected-version',
          streamName: 's-1',
          expectedVersion: 'no_stream',
          actualVersion: 0n,
        },
      );
      await expect(raw.appendToStream('s-2', event(), { expectedRevision: 3n })).rejects.toBeInstanceOf(
        WrongExpectedVersionError,
      );
      await expect(raw.appendToStream('s-2', event(), { expectedRevision: 3n })).rejects.toMatchObject({
        expectedVersion: 3n,
        actualVersion: 'no_stream',
      });
      expect(await raw.appendToStream('s-1', [event(), event()], { expectedRevision: 0n })).toMatchObject({
        success: true,
        nextExpectedRevision: 2n,
      });
      expect(server.calls[batchAppend ? 'batchAppend' : 'append']).toBe(5);
      expect(server.calls[batchAppend ? 'append' : 'batchAppend']).toBe(0);
    });
  }

  it('puts system streams and $ce- link events in $all, and filters a subscription by stream prefix', async () => {
    const { raw } = await fixture();
    await raw.appendToStream('shop-1', jsonEvent({ type: 'Sold', data: { n: 1 } }));
    await raw.appendToStream('other-1', jsonEvent({ type: 'Other', data: { n: 2 } }));
    const all: [string, string][] = [];
    for await (const r of raw.readAll({ fromPosition: START, direction: FORWARDS })) {
      if (r.event !== undefined) all.push([r.event.streamId, r.event.type]);
    }
    expect(all).toEqual([
      [expect.stringMatching(/^\$stats-127\.0\.0\.1:\d+$/), '$statsCollected'],
      ['shop-1', 'Sold'],
      ['$ce-shop', '$>'],
      ['other-1', 'Other'],
      ['$ce-other', '$>'],
    ]);
    const checkpoints: bigint[] = [];
    const sub = raw.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({
        prefixes: ['shop-'],
        checkpointInterval: 1,
        checkpointReached: (_s, p) => {
          checkpoints.push(p.commit);
        },
      }),
    });
    const seen: string[] = [];
    let caughtUp = false;
    sub.on('caughtUp', () => (caughtUp = true));
    sub.on('data', (r: { event?: { streamId: string } }) => seen.push(r.event?.streamId ?? ''));
    await waitUntil(
      () => caughtUp && checkpoints.length > 0,
      () => 'caught up with a checkpoint',
      10_000,
    );
    await raw.appendToStream('shop-2', jsonEvent({ type: 'Sold', data: { n: 3 } }));
    await waitUntil(
      () => seen.length === 2,
      () => `seen: ${seen.join(',')}`,
      10_000,
    );
    await sub.unsubscribe();
    expect(seen).toEqual(['shop-1', 'shop-2']);
  });
});
