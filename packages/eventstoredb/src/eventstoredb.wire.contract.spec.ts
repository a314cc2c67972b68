/**
 * The port contracts and the EventStoreDB-specific suite through the REAL client
 * (`@eventstore/db-client` over gRPC, loopback, no TLS) against the wire-level stand-in server
 * (`testing/standIn.ts`; its header says what it does not prove). Runs everywhere, CI included:
 * every byte the adapter exchanges with "EventStoreDB" here crosses the protocol, including a
 * server restart in the middle of a subscription and a batch larger than the 1 MiB append limit.
 */
import { EventStoreDBClient } from '@eventstore/db-client';
import { afterAll, describe, expect, it } from 'vitest';
import {
  acceptedBatch,
  channelRegistered,
  entryOf,
  eventLogContract,
  sales,
} from '../../testing/src/contracts/index.js';
import type { EsdbClient } from './client.js';
import { EsdbStandIn, ONE_MIB } from './testing/standIn.js';
import { eventStoreDbSuite, harnessFor, Nodes, type EsdbTarget } from './testing/eventStoreDb.testkit.js';

function standInTarget(server: EsdbStandIn, name: string): EsdbTarget & { dispose(): Promise<void> } {
  let inspector: EsdbClient | undefined;
  return {
    name,
    get connectionString() {
      return server.connectionString;
    },
    inspector: () => (inspector ??= EventStoreDBClient.connectionString(server.connectionString)),
    restart: () => server.restart(),
    dispose: async () => {
      await inspector?.dispose();
    },
  };
}

const server = new EsdbStandIn();
await server.start();
const target = standInTarget(server, 'real client, stand-in server over gRPC (BatchAppend)');
// A 20.x-style node without BatchAppend: the client falls back to the Append call.
const appendOnly = new EsdbStandIn({ batchAppend: false });
await appendOnly.start();
const appendOnlyTarget = standInTarget(appendOnly, 'real client, stand-in server over gRPC (Append only)');

afterAll(async () => {
  await target.dispose();
  await appendOnlyTarget.dispose();
  server.stop();
  appendOnly.stop();
});

eventLogContract(`eventstoredb (${target.name})`, harnessFor(target), { waitMs: 20_000, testMs: 40_000 });
eventStoreDbSuite(target, 20_000);
eventStoreDbSuite(appendOnlyTarget, 20_000);

describe('eventstoredb over the wire: the append size limit', () => {
  for (const [label, s] of [
    ['BatchAppend', server],
    ['Append', appendOnly],
  ] as const) {
    it(`splits a 1.5 MiB batch into appends under the server's 1 MiB limit (${label})`, async () => {
      const nodes = new Nodes(standInTarget(s, label));
      try {
        const store = await nodes.node();
        const pad = 'x'.repeat(4000);
        const big = sales('CH-A', 1, 400).map((e) => ({
          ...e,
          payload: e.payload.replace(/}$/, `,"note":"${pad}"}`),
        }));
        const bytes = big.reduce((n, e) => n + Buffer.byteLength(e.payload), 0);
        expect(bytes).toBeGreaterThan(1.5 * ONE_MIB);
        const before = s.appendSizes.length;
        await store.log.commit(acceptedBatch([entryOf(channelRegistered('CH-A')), ...big]));
        const sizes = s.appendSizes.slice(before);
        expect(sizes.length).toBeGreaterThanOrEqual(3);
        for (const size of sizes) expect(size).toBeLessThanOrEqual(ONE_MIB);
        expect(await store.log.head()).toBe(401);
        const last = (await store.log.read(400, 1))[0];
        expect(last?.payload).toBe(big[big.length - 1]?.payload);
      } finally {
        await nodes.close();
      }
    });

    it(`maps the server's refusal of an append over 1 MiB to ESDB_APPEND_TOO_LARGE (${label})`, async () => {
      const nodes = new Nodes(standInTarget(s, label));
      try {
        const store = await nodes.node(undefined, { maxAppendBytes: 4 * ONE_MIB }); // no split
        const pad = 'y'.repeat(8000);
        const big = sales('CH-B', 1, 200).map((e) => ({
          ...e,
          payload: e.payload.replace(/}$/, `,"note":"${pad}"}`),
        }));
        await expect(store.log.commit(acceptedBatch(big))).rejects.toMatchObject({
          name: 'EngineError',
          code: 'ESDB_APPEND_TOO_LARGE',
          retriable: false,
        });
      } finally {
        await nodes.close();
      }
    });
  }
});
