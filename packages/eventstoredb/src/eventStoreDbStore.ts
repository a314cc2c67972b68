/**
 * EventLog + Feed over EventStoreDB, with the node's local SQLite file (`@chanperf/store-sqlite`)
 * as the index of the log, the ingestion ledgers (rejected inputs, counts, source
 * checkpoints) and the read model.
 *
 * - Appends: accepted entries go to `<ns>-channel-<channelId>` / `<ns>-program` with a UUID v5
 *   of their `eventId`, in batch order (see `appendRuns`), expected revision `any`: ordering
 *   between nodes is `$all`'s, and idempotence is enforced on read (the index keeps the first
 *   occurrence of an `eventId`) rather than by optimistic concurrency, which the engine's
 *   duplicate check does not need.
 * - Positions: the engine's 1-based, gap-free positions are the index's (see `positions.ts`).
 * - Two stores, no shared transaction: see `commitJournal.ts` for why a batch still takes
 *   effect exactly once.
 * - Errors: every failure is an `EngineError`; `retriable` says whether to try again.
 */
import { ANY, EventStoreDBClient } from '@eventstore/db-client';
import type { Counts, DeploymentSettings, RejectedReport } from '@chanperf/domain';
import {
  EngineError,
  acceptanceViewOf,
  type AcceptanceFacts,
  type BatchDecider,
  type CommitResult,
  type EventLog,
  type Feed,
  type IngestBatch,
  type LogEntry,
  type NewLogEntry,
  type ReadStore,
  type RejectedBytes,
  type RejectedRecord,
  type RejectedStore,
  type SourceCheckpoint,
} from '@chanperf/engine';
import { sqliteStore, type SqliteStore } from '@chanperf/store-sqlite';
import { appendRuns, DEFAULT_MAX_APPEND_BYTES } from './appendRuns.js';
import type { EsdbClient, EsdbLogger } from './client.js';
import { CommitJournal, encodeBatch, type PendingCommit } from './commitJournal.js';
import { esdbCall } from './errors.js';
import { LocalLogIndex, type ReconnectPolicy } from './localIndex.js';
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
  readonly crashPoint?: (point: 'beforeLocalCommit' | 'beforeJournalCleared') => void;
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
    client,
    local,
    index,
    new CommitJournal(local.commitJournal()),
    namespace,
    internals,
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

class EventStoreDbLog implements EventLog, Feed, RejectedStore, RejectedBytes {
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly commitKey: string;

  constructor(
    private readonly client: EsdbClient,
    private readonly local: SqliteStore,
    private readonly index: LocalLogIndex,
    private readonly journal: CommitJournal,
    private readonly namespace: string,
    private readonly internals: StoreInternals,
  ) {
    this.commitKey = `eventstoredb:${namespace}:commit`;
  }

  /** Completes a commit left in the journal (by a crash or a failed call), if any. */
  settle(): Promise<void> {
    return this.exclusive(async () => {
      const pending = this.journal.read();
      if (pending !== undefined) await this.complete(pending);
    });
  }

  /** Refuses new calls and waits for the ones under way. */
  async closing(): Promise<void> {
    this.closed = true;
    await this.lock;
  }

  async contents(eventIds: readonly string[]): Promise<Map<string, string>> {
    await this.settle();
    await this.index.pull();
    return this.local.log.contents(eventIds);
  }

  /**
   * Appends the accepted entries to EventStoreDB and commits the rest locally; resolves with
   * the positions the entries got in the log (0 for one that was already there, or that a
   * peer appended first with other content). When it throws, the batch stays in the journal
   * and the next call on this log completes it first (an identical retry just completes it),
   * so the caller must treat the outcome as unknown until then, as after a lost
   * acknowledgement.
   */
  commit(batch: IngestBatch): Promise<CommitResult> {
    return this.exclusive(async () => {
      const pending = this.journal.read();
      if (pending !== undefined && encodeBatch(pending.batch) === encodeBatch(batch)) {
        const before = await this.local.log.head();
        await this.complete(pending); // a retry of the commit that failed
        return { positions: await this.positionsOf(batch.accepted, before) };
      }
      if (pending !== undefined) await this.complete(pending);
      if (batch.accepted.length === 0) {
        await this.local.log.commit(batch); // nothing for EventStoreDB: one local transaction
        return { positions: [] };
      }
      const marker: SourceCheckpoint = batch.checkpoint ?? {
        key: this.commitKey,
        offset: ((await this.local.log.sourceCheckpoint(this.commitKey))?.offset ?? 0) + 1,
        line: 0,
      };
      const next: PendingCommit = { marker, batch };
      this.journal.write(next);
      await this.index.pull();
      const before = await this.local.log.head();
      await this.complete(next);
      return { positions: await this.positionsOf(batch.accepted, before) };
    });
  }

  /**
   * Decides against this node's index of the log, brought up to EventStoreDB's head first.
   * Not yet an authority across nodes: two nodes deciding at once can both accept an eventId
   * (the second's entry then gets position 0). Expected revisions close that gap (the
   * "Beyond one machine" work); until then run one ingesting node per EventStoreDB log.
   */
  async append(
    eventIds: readonly string[],
    decide: BatchDecider,
  ): Promise<{ batch: IngestBatch; positions: readonly number[] }> {
    const view = acceptanceViewOf(await this.acceptanceFacts(), await this.contents(eventIds));
    const batch = decide(view);
    const { positions } = await this.commit(batch);
    return { batch, positions };
  }

  async head(): Promise<number> {
    this.checkOpen();
    await this.index.pull();
    return this.local.log.head();
  }

  async acceptanceFacts(): Promise<AcceptanceFacts> {
    await this.settle();
    await this.index.pull();
    return this.local.log.acceptanceFacts();
  }

  async sourceCheckpoint(key: string): Promise<SourceCheckpoint | undefined> {
    await this.settle();
    return this.local.log.sourceCheckpoint(key);
  }

  async counts(): Promise<Counts> {
    await this.settle();
    return this.local.log.counts();
  }

  /** Entries of the local index; `head()` or the subscription bring it up to date. */
  read(after: number, limit: number): Promise<LogEntry[]> {
    this.checkOpen();
    return this.local.log.read(after, limit);
  }

  async list(options?: { readonly afterId?: number; readonly limit?: number }): Promise<RejectedRecord[]> {
    await this.settle();
    return this.local.log.list(options);
  }

  async get(id: number): Promise<RejectedRecord | undefined> {
    await this.settle();
    return this.local.log.get(id);
  }

  async rawBytes(id: number): Promise<Uint8Array | undefined> {
    await this.settle();
    return this.local.log.rawBytes(id);
  }

  async forReport(): Promise<RejectedReport[]> {
    await this.settle();
    return this.local.log.forReport();
  }

  /** Appends what is not indexed yet, then commits the local part unless its marker is stored. */
  private async complete(pending: PendingCommit): Promise<void> {
    const { batch, marker } = pending;
    const stored = await this.local.log.sourceCheckpoint(marker.key);
    const applied = stored !== undefined && stored.offset === marker.offset && stored.line === marker.line;
    if (!applied) {
      if (batch.accepted.length > 0) {
        await this.index.pull();
        await this.appendToStreams(batch);
        await this.index.ensureIndexed(batch.accepted.map((e) => e.eventId));
      }
      this.internals.crashPoint?.('beforeLocalCommit');
      await this.local.log.commit({
        accepted: [],
        rejected: batch.rejected,
        counts: batch.counts,
        checkpoint: marker,
        ...(batch.redriven !== undefined ? { redriven: batch.redriven } : {}),
      });
      this.internals.crashPoint?.('beforeJournalCleared');
    }
    this.journal.clear();
  }

  private async appendToStreams(batch: IngestBatch): Promise<void> {
    const known = await this.local.log.contents(batch.accepted.map((e) => e.eventId));
    const seen = new Set(known.keys());
    const todo = batch.accepted.filter((e) => {
      if (seen.has(e.eventId)) return false; // indexed already: the first occurrence stays
      seen.add(e.eventId);
      return true;
    });
    for (const run of appendRuns(
      this.namespace,
      todo,
      this.internals.maxAppendBytes ?? DEFAULT_MAX_APPEND_BYTES,
    )) {
      await esdbCall(`append to ${run.stream}`, () =>
        this.client.appendToStream(run.stream, run.events, { expectedRevision: ANY }),
      );
    }
  }

  /**
   * Where the entries landed: each one indexed after `before` with the very same content gets
   * its position (the first occurrence of an eventId only); anything else 0. Exact, because
   * an in-process hand-over to the projection trusts these positions.
   */
  private async positionsOf(accepted: readonly NewLogEntry[], before: number): Promise<number[]> {
    const head = await this.local.log.head();
    const indexed = new Map<string, LogEntry>();
    for (let after = before; after < head;) {
      const page = await this.local.log.read(after, 1000);
      if (page.length === 0) break;
      for (const e of page) indexed.set(e.eventId, e);
      after = page[page.length - 1]?.position ?? head;
    }
    const used = new Set<string>();
    return accepted.map((e) => {
      const hit = indexed.get(e.eventId);
      if (hit === undefined || hit.payload !== e.payload || used.has(e.eventId)) return 0;
      used.add(e.eventId);
      return hit.position;
    });
  }

  private checkOpen(): void {
    if (this.closed) throw new EngineError('ESDB_CLOSED', 'the EventStoreDB log is closed', false);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.checkOpen();
    const run = this.lock.then(fn);
    this.lock = run.catch(() => undefined);
    return run;
  }
}
