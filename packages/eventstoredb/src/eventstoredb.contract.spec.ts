/**
 * The port contracts and the EventStoreDB-specific suite against a real server: an insecure
 * single node in a container (testcontainers; image `CHANPERF_ESDB_IMAGE`, default
 * `eventstore/eventstore:24.10`, or `kurrentplatform/kurrentdb:25.0` with its `KURRENTDB_`
 * settings), or the server at `CHANPERF_EVENTSTORE_URL` when that is set (no restart test
 * then). Where neither is available it says so and skips, within a few seconds.
 */
import { freePort } from '@chanperf/testing';
import { EventStoreDBClient } from '@eventstore/db-client';
import type { StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { eventLogContract } from '../../testing/src/contracts/index.js';
import type { EsdbClient } from './client.js';
import { eventStoreDbSuite, harnessFor, type EsdbTarget } from './testing/eventStoreDb.testkit.js';

const IMAGE = process.env.CHANPERF_ESDB_IMAGE ?? 'eventstore/eventstore:24.10';
const EXTERNAL = process.env.CHANPERF_EVENTSTORE_URL;
const PORT = 2113; // gRPC and HTTP of a single node

type Availability = { readonly run: true } | { readonly run: false; readonly reason: string };

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unknown error';
}

/** Whether testcontainers finds a Docker-compatible runtime; answers within `ms`. */
async function containerRuntime(ms: number): Promise<Availability> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from a container runtime within ${ms} ms`)), ms);
  });
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return { run: true };
  } catch (err) {
    return { run: false, reason: `no container runtime (${firstLine(err)})` };
  } finally {
    clearTimeout(timer);
  }
}

/** The settings of an insecure single node (EventStoreDB's, or KurrentDB's prefix). */
function nodeEnvironment(image: string): Record<string, string> {
  const prefix = image.includes('kurrent') ? 'KURRENTDB' : 'EVENTSTORE';
  return {
    [`${prefix}_CLUSTER_SIZE`]: '1',
    [`${prefix}_INSECURE`]: 'true',
    [`${prefix}_RUN_PROJECTIONS`]: 'All',
    // System projections write link events to `$ce-chanperf`, `$et-…`: the feed must skip them.
    [`${prefix}_START_STANDARD_PROJECTIONS`]: 'true',
  };
}

const availability: Availability = EXTERNAL !== undefined ? { run: true } : await containerRuntime(4000);

if (!availability.run) {
  console.warn(
    `EventStoreDB contract suite skipped: ${availability.reason}. ` +
      'It runs where Docker (or another runtime testcontainers finds) is available, ' +
      'or against CHANPERF_EVENTSTORE_URL=esdb://host:2113?tls=false.',
  );
  describe.skip(`EventLog contract: eventstoredb (${IMAGE})`, () => {
    it(`needs a real EventStoreDB: ${availability.reason}`, () => undefined);
  });
} else {
  let container: StartedTestContainer | undefined;
  let inspector: EsdbClient | undefined;
  const target: EsdbTarget & { connectionString: string } = {
    name: EXTERNAL !== undefined ? 'server at CHANPERF_EVENTSTORE_URL' : IMAGE,
    connectionString: EXTERNAL ?? '',
    inspector: () => {
      inspector ??= EventStoreDBClient.connectionString(target.connectionString);
      return inspector;
    },
    ...(EXTERNAL === undefined
      ? {
          restart: async () => {
            await container?.restart(); // waits for the health check again
          },
        }
      : {}),
  };

  beforeAll(async () => {
    if (EXTERNAL !== undefined) return;
    const { GenericContainer, Wait } = await import('testcontainers');
    const hostPort = await freePort();
    container = await new GenericContainer(IMAGE)
      .withEnvironment(nodeEnvironment(IMAGE))
      .withExposedPorts({ container: PORT, host: hostPort })
      .withWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(180_000)
      .start();
    target.connectionString = `esdb://${container.getHost()}:${hostPort}?tls=false`;
  }, 300_000);

  afterAll(async () => {
    await inspector?.dispose();
    await container?.stop();
  }, 120_000);

  eventLogContract(`eventstoredb (${target.name})`, harnessFor(target), { waitMs: 60_000, testMs: 120_000 });
  eventStoreDbSuite(target, 60_000);
}
