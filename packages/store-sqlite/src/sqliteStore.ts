/**
 * The embedded store over better-sqlite3 (WAL): `sqliteStore()` opens the log's file (event
 * log, feed, rejected store and what lives beside the log) and the read model's file, and
 * hands them out through ports only. Every write is a transaction; the read model is saved with
 * its checkpoint in the same transaction, so a crash at any point leaves consistent files.
 *
 * The pieces: `eventLog.ts` (the append that decides), `rejectedStore.ts`, `readStore.ts` (the
 * read model and its compare-and-set checkpoint), `projectionIndex.ts` (its growing index).
 */
import type { Database as DB } from 'better-sqlite3';
import type { ChannelProjection, DeploymentSettings } from '@chanperf/domain';
import {
  EngineError,
  type AsOfStore,
  type LogCommits,
  type ChannelLog,
  type CommitJournalStore,
  type DeliveryLedger,
  type EventLog,
  type Feed,
  type OutboxStore,
  type ReadStore,
  type RejectedBytes,
  type RejectedStore,
  type SourceCheckpoint,
} from '@chanperf/engine';
import { asOfWorkerBuilder, type AsOfWorkerBuilder } from './asOfInWorker.js';
import { openDatabase } from './openDatabase.js';
import { buildInParts } from './partsBuild.js';
import { historyPath, sqliteAsOfStore } from './asOfStore.js';
import { sqliteChannelLog } from './channelLog.js';
import { sqliteCommitJournal } from './commitJournalStore.js';
import { once, withConnections } from './connections.js';
import { sqliteDeliveryLedger } from './deliveryLedger.js';
import { SqliteEventLog } from './eventLog.js';
import { SqliteLease } from './leases.js';
import { sqliteLogCommits } from './logCommits.js';
import { sqliteOutboxStore } from './outboxStore.js';
import { ReadModelFiles } from './readModels.js';
import { SqliteReadStore, type ReadStoreOptions } from './readStore.js';
import { sqliteRejectedStore } from './rejectedStore.js';
import { migrate } from './schema.js';

/** What a committed append survives: a power loss (`power`) or a process crash (`process`). */
export type Durability = 'power' | 'process';

export interface SqliteStoreConfig {
  /**
   * The log's database file; created when missing. The read model goes to `readModelPath(path)`,
   * or to its twin after a rebuild beside it (readModels.ts).
   */
  readonly path: string;
  readonly settings: DeploymentSettings;
  /** The as-of history build's worker heap limit in MB (default 512: asOfInWorker.ts). */
  readonly asOfMaxHeapMb?: number;
  /**
   * Page cache in MiB of the log's connection (default 32: appends are sequential, lookups go
   * by rowid) and of the read model's (default 16: its rows are channels × months; the order
   * and sale indexes are in memory, their rows on disk only appended and read to confirm a
   * rare fingerprint hit). A process that only appends, or only projects, gives the other one little.
   */
  readonly logCacheMiB?: number;
  readonly readModelCacheMiB?: number;
  /**
   * What a committed append survives: `power` (default; the log fsyncs every commit) or
   * `process` (a process crash, not a power loss or OS crash; faster on slow disks).
   */
  readonly durability?: Durability;
  /** Memory-mapped I/O window in MiB (default 0: off). */
  readonly mmapMiB?: number;
  /**
   * Fingerprint bits of the in-memory order and sale indexes (default 32). Tests pass a few
   * bits to force collisions: every hit is confirmed against the key, so the answers are the
   * same, only slower.
   */
  readonly indexFingerprintBits?: number;
  /** The projection whose read model this store keeps (default channel-performance). */
  readonly projection?: ChannelProjection;
  /**
   * Parts a fresh rebuild projects at once, each on a thread (default 2; 1: one thread;
   * CHANPERF_REBUILD_PARTS): `partsBuild.ts`.
   */
  readonly rebuildParts?: number;
  /** The rebuild's builder lease's time to live in ms (default 10 000; tests shorten it). */
  readonly builderLeaseTtlMs?: number;
  /** A rebuild in parts needs at least this many log entries (default `PARTS_MIN_EVENTS`; tests lower it). */
  readonly rebuildPartsMinEvents?: number;
}

/**
 * The embedded store, through ports only (DESIGN.md "Ports"): no database handle is public,
 * so every writer goes through the same guarantees. What lives beside the log (the channel
 * log's index, the delivery ledger, outboxes, the commit journal) is in the log's file and
 * survives read-model rebuilds; each is made (its table or index created) on first use.
 */
export interface SqliteStore {
  /** The event log, its feed and the rejected store (which also hands back the stored bytes). */
  readonly log: EventLog & Feed & RejectedStore & RejectedBytes;
  readonly readStore: ReadStore;
  /** The log's events by channel, for `explain` and trainings (the same object on every call). */
  channelLog(): ChannelLog;
  /** The alerting service's delivery ledger (the same object on every call). */
  deliveryLedger(): DeliveryLedger;
  /** The outboxes publishing from this log (Kafka), by name. */
  readonly outboxes: OutboxStore;
  /** The journal of commits spanning this file and a remote log (EventStoreDB adapter). */
  commitJournal(): CommitJournalStore;
  /**
   * Every source checkpoint the file's ledgers hold, by key (`chanperf export`). They live in
   * this file beside a remote log too, so an EventStoreDB node's store answers with its own.
   */
  sourceCheckpoints(): SourceCheckpoint[];
  /**
   * A lease, in the log's file: `projector` (one projector per read model, whichever of its
   * files is current), `alerting`, `ingest:<file>`.
   */
  lease(name: string, what: string, options?: { readonly ttlMs?: number }): SqliteLease;
  /**
   * (issue 18) The as-of history, in `historyPath(path)`, and the log's commit records (the same
   * objects on every call; the history file is opened on first use).
   */
  asOf(): {
    readonly history: AsOfStore;
    readonly commits: LogCommits;
    /** A file's history is built in a worker thread with a capped heap (asOfInWorker.ts). */
    readonly build?: (settings: DeploymentSettings) => Promise<number>;
  };
  close(): void;
}

/** The read model's file beside the log's `path`: disposable, rebuilt from the log when missing. */
export function readModelPath(path: string): string {
  return `${path}-readmodel`;
}

/** Opens (or creates) the embedded database; refuses one created with other settings. */
export function sqliteStore(config: SqliteStoreConfig): SqliteStore {
  const memory = config.path === ':memory:' || config.path === '';
  const db = openDatabase(config.path, {
    cacheMiB: config.logCacheMiB ?? 32,
    mmapMiB: config.mmapMiB ?? 0,
    // FULL in WAL mode: every commit fsyncs the WAL, so an acknowledged append survives a
    // power loss. NORMAL ('process'): commits are not fsynced, checkpoints are; a committed
    // transaction survives a process crash, a power loss may roll back the last ones, and the
    // log is never corrupted.
    synchronous: (config.durability ?? 'power') === 'power' ? 'FULL' : 'NORMAL',
  });
  let files: ReadModelFiles | undefined;
  let readStore: SqliteReadStore;
  try {
    const logId = migrate(db);
    checkSettings(db, config.settings);
    files = new ReadModelFiles({
      log: db,
      path: config.path,
      logId,
      ...(config.projection === undefined ? {} : { projection: config.projection }),
      ...(config.builderLeaseTtlMs === undefined ? {} : { builderTtlMs: config.builderLeaseTtlMs }),
      open: (path) =>
        openDatabase(path, {
          cacheMiB: config.readModelCacheMiB ?? 16,
          mmapMiB: config.mmapMiB ?? 0,
          // OFF: the read model is disposable and rebuilt from the log; fsyncing its checkpoints
          // cost a rebuild a third of its time here. A commit still survives a process crash.
          synchronous: 'OFF',
        }),
    });
    const fingerprintBits = config.indexFingerprintBits ?? 32;
    readStore = new SqliteReadStore(files, fingerprintBits, {
      buildInParts: partsBuilder(db, config, files, fingerprintBits),
    });
  } catch (err) {
    db.close();
    files?.close();
    throw err;
  }
  const rm = files;
  const log = new SqliteEventLog(db);
  let history: ReturnType<typeof sqliteAsOfStore> | undefined;
  let builder: AsOfWorkerBuilder | undefined;
  const store: SqliteStore = {
    log: Object.assign(log, sqliteRejectedStore(db)),
    readStore,
    channelLog: once(() => sqliteChannelLog(db)),
    deliveryLedger: once(() => sqliteDeliveryLedger(db)),
    outboxes: sqliteOutboxStore(db),
    commitJournal: once(() => sqliteCommitJournal(db)),
    sourceCheckpoints: () => log.sourceCheckpoints(),
    lease: (name, what, options) =>
      new SqliteLease(db, name, {
        what,
        ...(options?.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {}),
      }),
    asOf: once(() => {
      history = sqliteAsOfStore(memory ? ':memory:' : historyPath(config.path), rm.logId);
      if (!memory) {
        builder = asOfWorkerBuilder(config.path, {
          ...(config.asOfMaxHeapMb === undefined ? {} : { maxHeapMb: config.asOfMaxHeapMb }),
        });
      }
      return {
        history,
        commits: sqliteLogCommits(db),
        ...(builder === undefined ? {} : { build: builder }),
      };
    }),
    close: () => {
      db.close();
      rm.close();
      history?.close();
      // Its thread has connections of its own: it closes them once its catch-up in flight ends.
      void builder?.stop();
    },
  };
  return withConnections(store, {
    log: db,
    get readModel() {
      return rm.connection(rm.pointer().slot);
    },
  });
}

/** How this store's side read models are built in parts (`partsBuild.ts`). */
function partsBuilder(
  log: DB,
  config: SqliteStoreConfig,
  files: ReadModelFiles,
  fingerprintBits: number,
): NonNullable<ReadStoreOptions['buildInParts']> {
  return (build, options) =>
    buildInParts(
      build,
      files.fileOf(build.slot),
      {
        log,
        logPath: config.path,
        logId: files.logId,
        parts: config.rebuildParts ?? 2,
        ...(config.rebuildPartsMinEvents === undefined ? {} : { minEvents: config.rebuildPartsMinEvents }),
        fingerprintBits,
        cacheMiB: config.readModelCacheMiB ?? 16,
      },
      options,
    );
}

/**
 * Stores the deployment settings in a new database, or refuses ones other than those stored.
 * Several processes may open a new database at once: the first to write a setting decides
 * (INSERT OR IGNORE), and each compares what is stored then. Nothing is written when the
 * settings are there already (opening an existing database takes no write lock).
 */
function checkSettings(db: DB, settings: DeploymentSettings): void {
  const get = db.prepare<[string], string>(`SELECT value FROM settings WHERE key = ?`).pluck();
  const put = db.prepare(`INSERT OR IGNORE INTO settings VALUES (?, ?)`);
  for (const [key, value] of [
    ['timeZone', settings.timeZone],
    ['currency', settings.currency],
  ] as const) {
    let stored = get.get(key);
    if (stored === undefined) {
      put.run(key, value);
      stored = get.get(key);
    }
    if (stored !== value) {
      throw new EngineError(
        'SETTINGS_MISMATCH',
        `the database was created with ${key} ${stored}, not ${value}`,
        false,
      );
    }
  }
}
