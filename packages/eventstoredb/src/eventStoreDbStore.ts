/**
 * EventLog + Feed over EventStoreDB, with the node's local SQLite file (`@chanperf/store-sqlite`)
 * as the index of the log, the ingestion ledgers (rejected inputs, counts, source
 * checkpoints) and the read model.
 *
 * - Appends: accepted entries go to `<ns>-log` with a UUID v5 of their `eventId`, in batch
 *   order, expecting the revision the node's index holds (`eventStoreDbLog.ts`,
 *   `logWriter.ts`): the log, through the server's optimistic concurrency, decides which node's
 *   batch comes first, and each batch is decided against everything before it.
 * - Positions: the engine's 1-based, gap-free positions are the index's (see `positions.ts`).
 * - Two stores, no shared transaction: see `commitJournal.ts` for why a batch still takes
 *   effect exactly once.
 * - Errors: every failure is an `EngineError`; `retriable` says whether to try again.
 */
import { EventStoreDBClient } from '@eventstore/db-client';
import type { DeploymentSettings } from '@chanperf/domain';
import {
  EngineError,
  type EventLog,
  type Feed,
  type ReadStore,
  type RejectedBytes,
  type RejectedStore,
} from '@chanperf/engine';
import { sqliteStore, type SqliteStore } from '@chanperf/store-sqlite';
import type { EsdbClient, EsdbLogger } from './client.js';
import { CommitJournal } from './commitJournal.js';
import { EventStoreDbLog, type CrashPoint } from './eventStoreDbLog.js';
import { LocalLogIndex, type ReconnectPolicy } from './localIndex.js';
import { LogWriter } from './logWriter.js';
import { checkNamespace, DEFAULT_NAMESPACE } from './streams.js';

export interface EventStoreDbConfig {
  /** `esdb://host:2113?tls=false`, or a cluster: `esdb+discover://…` (see the client's docs). */
  readonly connectionString: string;
  /**
   * This node's SQLite file: its index of the log, ingestion ledgers and read model. It
   * belongs to one database and namespace; delete it to rebuild the index from `$all` (the
   * ledgers and read model go with it).
   */
  readonly localPath: string;
  readonly settings: DeploymentSettings;
  /** Stream namespace (lower-case letters and digits); default `chanperf`. */
  readonly namespace?: string;
  /** Keep a live subscription to `$all` (default true); one-shot commands pass false. */
  readonly follow?: boolean;
  readonly logger?: EsdbLogger;
}

export interface EventStoreDbStore {
  readonly log: EventLog & Feed & RejectedStore & RejectedBytes;
  /** The read model, in the local file. */
  readonly readStore: ReadStore;
  /**
   * The node's store as the services use it: the local file's (read model, channel index,
   * delivery ledger, outboxes, leases) with this log in place of the file's own. Its `close`
   * starts `close()` without waiting for it.
   */
  readonly nodeStore: SqliteStore;
  /** Calls `listener` with the new head whenever entries are indexed (ours or other nodes'). */
  onAppended(listener: (head: number) => void): () => void;
  /** True while the live subscription is connected and caught up. */
  isLive(): boolean;
  /** Stops the subscription, waits for calls under way, closes the client and the file. */
  close(): Promise<void>;
}

/**
 * Opens the log: connects, completes a commit a crash left half done, and indexes `$all` up
 * to now, before resolving. Fails (retriable `ESDB_UNAVAILABLE`) when the server cannot be
 * reached.
 */
export function eventStoreDbStore(config: EventStoreDbConfig): Promise<EventStoreDbStore> {
  return openEventStoreDbStore(config);
}

/** Seams for tests inside this package; not exported from the package. */
export interface StoreInternals {
  readonly client?: EsdbClient;
  readonly reconnect?: ReconnectPolicy;
  readonly maxAppendBytes?: number;
  /** Called at the points where a crash leaves a commit half done (what the journal is for). */
  readonly crashPoint?: CrashPoint;
  /** Runs before each append of a batch (0, 1, …): where a test lets another writer in first. */
  readonly beforeAppend?: (run: number) => Promise<void>;
}

export async function openEventStoreDbStore(
  config: EventStoreDbConfig,
  internals: StoreInternals = {},
): Promise<EventStoreDbStore> {
  const namespace = checkNamespace(config.namespace ?? DEFAULT_NAMESPACE);
  const client = internals.client ?? connect(config.connectionString);
  let local: SqliteStore;
  try {
    local = sqliteStore({ path: config.localPath, settings: config.settings });
  } catch (err) {
    await client.dispose();
    throw err;
  }
  const index = new LocalLogIndex(
    client,
    local.log,
    namespace,
    config.logger,
    internals.reconnect ?? { minMs: 100, maxMs: 5000 },
  );
  const log = new EventStoreDbLog(
    local,
    index,
    new CommitJournal(local.commitJournal()),
    new LogWriter(client, namespace, internals.maxAppendBytes, internals.beforeAppend),
    namespace,
    internals.crashPoint,
    config.logger,
  );
  const close = async () => {
    await log.closing();
    await index.close();
    await client.dispose();
    local.close();
  };
  try {
    await index.open();
    await log.settle();
    await index.pull();
  } catch (err) {
    await close();
    throw err;
  }
  if (config.follow !== false) index.follow();
  return {
    log,
    readStore: local.readStore,
    nodeStore: {
      ...local,
      log,
      close: () => {
        close().catch((err: unknown) => config.logger?.warn({ err }, 'closing the EventStoreDB log failed'));
      },
    },
    onAppended: (listener) => index.onAppended(listener),
    isLive: () => index.isLive,
    close,
  };
}

function connect(connectionString: string): EsdbClient {
  try {
    return EventStoreDBClient.connectionString(connectionString);
  } catch (cause) {
    throw new EngineError(
      'ESDB_BAD_CONNECTION_STRING',
      `bad EventStoreDB connection string: ${(cause as Error).message}`,
      false,
      { cause },
    );
  }
}
