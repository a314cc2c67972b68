/**
 * The embedded store over better-sqlite3 (WAL): `sqliteStore()` opens the log's file (event
 * log, feed, rejected store and what lives beside the log) and the read model's file, and
 * hands them out through ports only. Every write is a transaction; the read model is saved with
 * its checkpoint in the same transaction, so a crash at any point leaves consistent files.
 *
 * The pieces: `eventLog.ts` (the append that decides), `rejectedStore.ts`, `readStore.ts` (the
 * read model and its compare-and-set checkpoint), `projectionIndex.ts` (its growing index).
 */
import Database from 'better-sqlite3';
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
import { useWal } from './walMode.js';
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
import { SqliteReadStore } from './readStore.js';
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
  const db = open(config.path, {
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
      open: (path) =>
        open(path, {
          cacheMiB: config.readModelCacheMiB ?? 16,
          mmapMiB: config.mmapMiB ?? 0,
          // OFF: the read model is disposable and rebuilt from the log; fsyncing its checkpoints
          // cost a rebuild a third of its time here. A commit still survives a process crash.
          synchronous: 'OFF',
        }),
    });
    readStore = new SqliteReadStore(files, config.indexFingerprintBits ?? 32);
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

/** One connection per file: a transaction of one never takes the other's writer lock. */
function open(
  path: string,
  config: { cacheMiB: number; mmapMiB: number; synchronous: 'FULL' | 'NORMAL' | 'OFF' },
): DB {
  let db: DB;
  try {
    db = new Database(path);
  } catch (cause) {
    throw new EngineError(
      'DB_OPEN_FAILED',
      `cannot open database ${path}: ${(cause as Error).message}`,
      false,
      {
        cause,
      },
    );
  }
  // Writers queue on the file's lock: appends and projection batches take well under a second
  // each (a command's group of batches, 50 000 events, a few seconds), so 30 s of waiting only
  // runs out when a process holds the lock far longer than any of ours does.
  db.pragma('busy_timeout = 30000');
  useWal(db, path);
  db.pragma(`synchronous = ${config.synchronous}`);
  // No memory-mapped I/O by default: mapped pages count in the process's resident memory,
  // which must stay under 1 GiB however large the files grow.
  db.pragma(`cache_size = -${config.cacheMiB * 1024}`);
  db.pragma(`mmap_size = ${config.mmapMiB * 1024 * 1024}`);
  db.pragma('temp_store = MEMORY');
  // Checkpoint every ~40 MB of WAL rather than 4 MB: ten times fewer fsyncs of the log.
  db.pragma('wal_autocheckpoint = 10000');
  return db;
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
