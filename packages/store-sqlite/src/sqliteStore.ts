/**
 * The embedded store over better-sqlite3 (WAL): EventLog + Feed + RejectedStore + ReadStore
 * in one file. Every write is a transaction; the read model is saved with its checkpoint in
 * the same transaction, so a crash at any point leaves a consistent file.
 */
import Database from 'better-sqlite3';
import type { Database as DB, Statement, Transaction } from 'better-sqlite3';
import {
  applyNewOrders,
  clearDirty,
  ACCEPTANCE_FACT_TYPES,
  evolveAcceptance,
  initialAcceptanceState,
  type AcceptanceState,
  type ChanperfEvent,
  dirtyMonths,
  initialProjectionState,
  parseMonth,
  type Alert,
  type ChannelState,
  type Counts,
  type DeploymentSettings,
  type Month,
  type MonthFacts,
  type NewOrders,
  type ProjectionIndex,
  type ProjectionSink,
  type ProjectionState,
  type RejectedReport,
  type RejectionCode,
  type TierMovement,
} from '@chanperf/domain';
import {
  EngineError,
  PROJECTOR_LEASE,
  type AcceptanceFacts,
  type AcceptanceView,
  type BatchDecider,
  type CommitResult,
  type EventLog,
  type Feed,
  type IngestBatch,
  type LogEntry,
  type ProjectionOutputs,
  type ReadStore,
  type RejectedRecord,
  type RejectedStore,
  type SourceCheckpoint,
} from '@chanperf/engine';
import { EventIdIndex } from './eventIdIndex.js';
import { SqliteLease } from './leases.js';
import { KeyFilter } from './fingerprints.js';
import { migrate, migrateReadModel, resetReadModel } from './schema.js';
import { ColdMonthsReader, HOT_CLOSED_MONTHS, SpillingMonths } from './spillingMonths.js';
import type { ChannelLog, CommitJournalStore, OutboxStore, RejectedBytes } from '@chanperf/engine';
import { sqliteChannelLog } from './channelLog.js';
import { sqliteCommitJournal } from './commitJournalStore.js';
import { once, withConnections } from './connections.js';
import { sqliteDeliveryLedger, type DeliveryLedgerStore } from './deliveryLedger.js';
import { sqliteOutboxStore } from './outboxStore.js';
import { sqliteRejectedBytes } from './rejectedBytes.js';

/** What a committed append survives: a power loss (`power`) or a process crash (`process`). */
export type Durability = 'power' | 'process';

export interface SqliteStoreConfig {
  /** The log's database file; created when missing. The read model goes to `readModelPath(path)`. */
  readonly path: string;
  readonly settings: DeploymentSettings;
  /**
   * Page cache in MiB of the log's connection (default 32: appends are sequential, lookups go
   * by rowid) and of the read model's (default 128: the order and sale indexes are written in
   * random key order). A process that only appends, or only projects, gives the other one little.
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
   * The in-memory key filters in front of the order and sale indexes (default true). With
   * false every order and return looks the disk up: slower, same results (tests run both).
   */
  readonly keyFilters?: boolean;
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
  deliveryLedger(): DeliveryLedgerStore;
  /** The outboxes publishing from this log (Kafka), by name. */
  readonly outboxes: OutboxStore;
  /** The journal of commits spanning this file and a remote log (EventStoreDB adapter). */
  commitJournal(): CommitJournalStore;
  /**
   * A lease: `projector` lives in the read model's file (one projector per read model), any
   * other name in the log's (`alerting`, `ingest:<file>`).
   */
  lease(name: string, what: string, options?: { readonly ttlMs?: number }): SqliteLease;
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
  let rm: DB;
  try {
    rm = open(memory ? ':memory:' : readModelPath(config.path), {
      cacheMiB: config.readModelCacheMiB ?? 128,
      mmapMiB: config.mmapMiB ?? 0,
      // OFF: the read model is disposable and rebuilt from the log; fsyncing its checkpoints
      // cost a rebuild a third of its time here. A commit still survives a process crash.
      synchronous: 'OFF',
    });
  } catch (err) {
    db.close();
    throw err;
  }
  let logId: string;
  try {
    logId = migrate(db);
    checkSettings(db, config.settings);
    migrateReadModel(rm, logId);
  } catch (err) {
    db.close();
    rm.close();
    throw err;
  }
  const log = new SqliteEventLog(db);
  const readStore = new SqliteReadStore(rm, logId, config.keyFilters ?? true);
  const store: SqliteStore = {
    log: Object.assign(log, sqliteRejectedBytes(db)),
    readStore,
    channelLog: once(() => sqliteChannelLog(db)),
    deliveryLedger: once(() => sqliteDeliveryLedger(db)),
    outboxes: sqliteOutboxStore(db),
    commitJournal: once(() => sqliteCommitJournal(db)),
    lease: (name, what, options) =>
      new SqliteLease(name === PROJECTOR_LEASE ? rm : db, name, {
        what,
        ...(options?.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {}),
      }),
    close: () => {
      db.close();
      rm.close();
    },
  };
  return withConnections(store, { log: db, readModel: rm });
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
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${config.synchronous}`);
  // Writers queue on the file's lock: appends and projection batches take well under a second
  // each, so 30 s of waiting only runs out when a process holds the lock far longer than any
  // of ours does.
  db.pragma('busy_timeout = 30000');
  // No memory-mapped I/O by default: mapped pages count in the process's resident memory,
  // which must stay under 1 GiB however large the files grow.
  db.pragma(`cache_size = -${config.cacheMiB * 1024}`);
  db.pragma(`mmap_size = ${config.mmapMiB * 1024 * 1024}`);
  db.pragma('temp_store = MEMORY');
  // Checkpoint every ~40 MB of WAL rather than 4 MB: ten times fewer fsyncs of the log.
  db.pragma('wal_autocheckpoint = 10000');
  return db;
}

function checkSettings(db: DB, settings: DeploymentSettings): void {
  const get = db.prepare<[string], string>(`SELECT value FROM settings WHERE key = ?`).pluck();
  const put = db.prepare(`INSERT INTO settings VALUES (?, ?)`);
  for (const [key, value] of [
    ['timeZone', settings.timeZone],
    ['currency', settings.currency],
  ] as const) {
    const stored = get.get(key);
    if (stored === undefined) put.run(key, value);
    else if (stored !== value) {
      throw new EngineError(
        'SETTINGS_MISMATCH',
        `the database was created with ${key} ${stored}, not ${value}`,
        false,
      );
    }
  }
}

interface EventRow {
  position: number;
  event_id: string;
  type: string;
  channel_id: string | null;
  payload: string;
}

interface RejectedRow {
  id: number;
  source: string;
  line: number | null;
  event_id: string | null;
  code: RejectionCode;
  message: string;
  raw: Buffer;
  status: 'open' | 'redriven';
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Carries a decider's own exception out of the transaction it rolled back. */
class DeciderFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('the decider failed');
  }
}

class SqliteEventLog implements EventLog, Feed, RejectedStore {
  private readonly rowsAt: Statement<[string], { event_id: string; payload: string }>;
  private readonly idAt: Statement<[number], string>;
  private readonly rowsAfter: Statement<[number], [number, string, string, string | null]>;
  /**
   * The log's eventIds and its acceptance state, as of `synced` (built on first use: only
   * processes that append need them). Rows after `synced` were appended by another connection.
   */
  private ids: EventIdIndex | undefined;
  private acceptance: AcceptanceState = initialAcceptanceState();
  private synced = 0;
  private readonly insertEvent: Statement;
  private readonly insertFact: Statement;
  private readonly insertRejected: Statement;
  private readonly addCounts: Statement;
  private readonly putSource: Statement;
  private readonly markRedriven: Statement;
  private readonly readFrom: Statement<[number, number], EventRow>;
  private readonly commitTx: Transaction<(batch: IngestBatch) => number[]>;
  private readonly appendTx: Transaction<
    (eventIds: readonly string[], decide: BatchDecider) => { batch: IngestBatch; positions: number[] }
  >;

  constructor(private readonly db: DB) {
    this.rowsAt = db.prepare<[string], { event_id: string; payload: string }>(
      `SELECT event_id, payload FROM events WHERE position IN (SELECT value FROM json_each(?))`,
    );
    this.idAt = db.prepare<[number], string>(`SELECT event_id FROM events WHERE position = ?`).pluck();
    this.rowsAfter = db
      .prepare<[number], [number, string, string, string | null]>(
        `SELECT position, event_id, type,
                CASE WHEN type IN ('ChannelRegistered', 'PromotionScheduled', 'PeriodClosed')
                     THEN payload END
           FROM events WHERE position > ? ORDER BY position`,
      )
      .raw();
    // OR IGNORE: logs created before the in-memory eventId index keep a unique index on
    // event_id; a conflict there reads as a duplicate, as the index check below does.
    this.insertEvent = db.prepare(
      `INSERT OR IGNORE INTO events (event_id, type, channel_id, payload) VALUES (?, ?, ?, ?)`,
    );
    this.insertFact = db.prepare(`INSERT OR IGNORE INTO acceptance_facts VALUES (?, ?)`);
    this.insertRejected = db.prepare(
      `INSERT INTO rejected (source, line, event_id, code, message, raw) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.addCounts = db.prepare(
      `UPDATE ingest_counts SET lines = lines + ?, accepted = accepted + ?, duplicates = duplicates + ?, rejected = rejected + ? WHERE id = 1`,
    );
    this.putSource = db.prepare(
      `INSERT OR REPLACE INTO sources (key, offset, line, prefix_sha256) VALUES (?, ?, ?, ?)`,
    );
    this.markRedriven = db.prepare(`UPDATE rejected SET status = 'redriven' WHERE id = ?`);
    this.readFrom = db.prepare<[number, number], EventRow>(
      `SELECT position, event_id, type, channel_id, payload FROM events WHERE position > ? ORDER BY position LIMIT ?`,
    );
    this.commitTx = db.transaction((batch: IngestBatch) => this.write(this.sync(), batch));
    this.appendTx = db.transaction((eventIds: readonly string[], decide: BatchDecider) => {
      const ids = this.sync();
      const known = this.contentsOf(ids, eventIds);
      const view: AcceptanceView = {
        acceptance: {
          channels: new Set(this.acceptance.channels),
          promotions: new Set(this.acceptance.promotions),
          lastClosed: this.acceptance.lastClosed,
        },
        content: (id) => known.get(id),
      };
      let batch: IngestBatch;
      try {
        batch = decide(view);
      } catch (err) {
        throw new DeciderFailed(err);
      }
      const positions = this.write(ids, batch);
      if (positions.includes(0)) {
        // The view was exact: an accepted entry the log holds is a decider that asked about
        // other ids than it accepted. Roll back rather than answer `accepted` for it.
        throw new EngineError(
          'APPEND_INCONSISTENT',
          'the decider accepted an eventId it did not ask about',
          false,
        );
      }
      return { batch, positions };
    });
  }

  /**
   * Brings the eventId index and the acceptance state up to the log's head: loads them on
   * first use, then folds what other connections appended since. Inside a write transaction
   * (IMMEDIATE) nobody else can append, so what is decided there is exact across processes.
   */
  private sync(): EventIdIndex {
    let ids = this.ids;
    if (ids === undefined) {
      const head = this.db.prepare(`SELECT COALESCE(MAX(position), 0) FROM events`).pluck().get() as number;
      ids = new EventIdIndex(head + 1);
      this.ids = ids;
      this.acceptance = initialAcceptanceState();
      this.synced = 0;
    }
    for (const [position, eventId, , payload] of this.rowsAfter.iterate(this.synced)) {
      ids.add(eventId, position);
      if (payload !== null) evolveAcceptance(this.acceptance, JSON.parse(payload) as ChanperfEvent);
      this.synced = position;
    }
    return ids;
  }

  /** Appends `batch` (inside a transaction), keeping the index and acceptance state in step. */
  private write(ids: EventIdIndex, batch: IngestBatch): number[] {
    const positions: number[] = [];
    for (const e of batch.accepted) {
      if (this.holds(ids, e.eventId)) {
        positions.push(0);
        continue;
      }
      const info = this.insertEvent.run(e.eventId, e.type, e.channelId, e.payload);
      if (info.changes === 0) {
        positions.push(0);
        continue;
      }
      const position = Number(info.lastInsertRowid);
      positions.push(position);
      ids.add(e.eventId, position);
      this.synced = position;
      if (ACCEPTANCE_FACT_TYPES.has(e.type)) this.recordFact(e.type, e.channelId, e.payload);
    }
    for (const r of batch.rejected) {
      const raw = typeof r.raw === 'string' ? Buffer.from(r.raw, 'utf8') : Buffer.from(r.raw);
      // The eventId of a rejected input may be any string (even ill-formed UTF-16): stored as a
      // JSON string literal, it survives the UTF-8 round trip exactly.
      this.insertRejected.run(
        r.source,
        r.line,
        r.eventId === null ? null : JSON.stringify(r.eventId),
        r.code,
        r.message,
        raw,
      );
    }
    for (const id of batch.redriven ?? []) this.markRedriven.run(id);
    const c = batch.counts;
    this.addCounts.run(c.lines, c.accepted, c.duplicates, c.rejected);
    if (batch.checkpoint !== undefined) {
      const cp = batch.checkpoint;
      this.putSource.run(cp.key, cp.offset, cp.line, cp.prefixHash ?? null);
    }
    return positions;
  }

  /** Folds an appended fact into the acceptance state and the `acceptance_facts` table. */
  private recordFact(type: string, channelId: string | null, payload: string): void {
    const event = JSON.parse(payload) as ChanperfEvent;
    evolveAcceptance(this.acceptance, event);
    if (type === 'ChannelRegistered') this.insertFact.run('channel', channelId);
    else if (event.type === 'PromotionScheduled') this.insertFact.run('promotion', event.data.promotionId);
    else if (event.type === 'PeriodClosed') {
      this.insertFact.run('closed', String(parseMonth(event.data.month) ?? 0).padStart(8, '0'));
    }
  }

  /** Whether the log holds `eventId` (hash candidates confirmed by their rows). */
  private holds(ids: EventIdIndex, eventId: string): boolean {
    for (const p of ids.candidates(eventId)) if (this.idAt.get(p) === eventId) return true;
    return false;
  }

  /** Canonical contents of the held ones of `eventIds`. */
  private contentsOf(ids: EventIdIndex, eventIds: readonly string[]): Map<string, string> {
    // Only ids the hash index may hold are read, by position, in one statement; new ids (the
    // usual case) cost a hash lookup and no SQL at all.
    const wanted = new Set(eventIds);
    const positions: number[] = [];
    for (const id of wanted) for (const p of ids.candidates(id)) positions.push(p);
    const out = new Map<string, string>();
    if (positions.length === 0) return out;
    positions.sort((a, b) => a - b);
    for (const row of this.rowsAt.iterate(JSON.stringify(positions))) {
      if (wanted.has(row.event_id)) out.set(row.event_id, row.payload);
    }
    return out;
  }

  append(
    eventIds: readonly string[],
    decide: BatchDecider,
  ): Promise<{ batch: IngestBatch; positions: number[] }> {
    try {
      // IMMEDIATE: take the write lock before reading what other writers appended.
      return Promise.resolve(this.appendTx.immediate(eventIds, decide));
    } catch (cause) {
      this.forget();
      // The decider's own failure goes back as it was; the store's become EngineErrors.
      if (cause instanceof DeciderFailed) return Promise.reject(asError(cause.cause));
      if (cause instanceof EngineError) return Promise.reject(cause);
      return Promise.reject(
        new EngineError('APPEND_FAILED', `append failed: ${(cause as Error).message}`, true, { cause }),
      );
    }
  }

  /** The index and state may hold rolled-back rows: rebuild them from the log on next use. */
  private forget(): void {
    this.ids = undefined;
    this.acceptance = initialAcceptanceState();
    this.synced = 0;
  }

  contents(eventIds: readonly string[]): Promise<Map<string, string>> {
    return Promise.resolve(this.contentsOf(this.sync(), eventIds));
  }

  commit(batch: IngestBatch): Promise<CommitResult> {
    try {
      // IMMEDIATE: take the write lock before reading what other writers appended.
      return Promise.resolve({ positions: this.commitTx.immediate(batch) });
    } catch (cause) {
      this.forget();
      throw new EngineError('APPEND_FAILED', `append failed: ${(cause as Error).message}`, true, { cause });
    }
  }

  head(): Promise<number> {
    return Promise.resolve(
      (this.db.prepare(`SELECT COALESCE(MAX(position), 0) FROM events`).pluck().get() as number) ?? 0,
    );
  }

  acceptanceFacts(): Promise<AcceptanceFacts> {
    const rows = this.db.prepare(`SELECT kind, key FROM acceptance_facts`).all() as {
      kind: string;
      key: string;
    }[];
    const channels: string[] = [];
    const promotions: string[] = [];
    let lastClosed: number | null = null;
    for (const r of rows) {
      if (r.kind === 'channel') channels.push(r.key);
      else if (r.kind === 'promotion') promotions.push(r.key);
      else if (r.kind === 'closed') lastClosed = Math.max(lastClosed ?? 0, Number(r.key));
    }
    return Promise.resolve({ channels, promotions, lastClosed });
  }

  sourceCheckpoint(key: string): Promise<SourceCheckpoint | undefined> {
    const row = this.db
      .prepare(`SELECT key, offset, line, prefix_sha256 FROM sources WHERE key = ?`)
      .get(key) as { key: string; offset: number; line: number; prefix_sha256: string | null } | undefined;
    if (row === undefined) return Promise.resolve(undefined);
    const { prefix_sha256: prefixHash, ...checkpoint } = row;
    return Promise.resolve(prefixHash === null ? checkpoint : { ...checkpoint, prefixHash });
  }

  counts(): Promise<Counts> {
    const row = this.db
      .prepare(`SELECT lines, accepted, duplicates, rejected FROM ingest_counts WHERE id = 1`)
      .get() as Counts;
    return Promise.resolve({ ...row });
  }

  read(after: number, limit: number): Promise<LogEntry[]> {
    const rows = this.readFrom.all(after, limit);
    return Promise.resolve(
      rows.map((r) => ({
        position: r.position,
        eventId: r.event_id,
        type: r.type,
        channelId: r.channel_id,
        payload: r.payload,
      })),
    );
  }

  private toRecord(r: RejectedRow): RejectedRecord {
    return {
      id: r.id,
      source: r.source,
      line: r.line,
      eventId: r.event_id === null ? null : (JSON.parse(r.event_id) as string),
      code: r.code,
      message: r.message,
      raw: r.raw.toString('utf8'),
      status: r.status,
    };
  }

  list(options: { afterId?: number; limit?: number } = {}): Promise<RejectedRecord[]> {
    const rows = this.db
      .prepare(`SELECT * FROM rejected WHERE id > ? ORDER BY id LIMIT ?`)
      .all(options.afterId ?? 0, options.limit ?? 100) as RejectedRow[];
    return Promise.resolve(rows.map((r) => this.toRecord(r)));
  }

  get(id: number): Promise<RejectedRecord | undefined> {
    const row = this.db.prepare(`SELECT * FROM rejected WHERE id = ?`).get(id) as RejectedRow | undefined;
    return Promise.resolve(row === undefined ? undefined : this.toRecord(row));
  }

  forReport(): Promise<RejectedReport[]> {
    const rows = this.db.prepare(`SELECT line, event_id, code FROM rejected ORDER BY id`).all() as {
      line: number | null;
      event_id: string | null;
      code: RejectionCode;
    }[];
    return Promise.resolve(
      rows.map((r) => ({
        line: r.line ?? 0,
        eventId: r.event_id === null ? null : (JSON.parse(r.event_id) as string),
        code: r.code,
      })),
    );
  }
}

interface ChannelBody {
  name: string;
  kind: ChannelState['kind'];
  online: boolean;
  region: string | null;
  registeredMonth: number;
  firstMonth: number;
  tierIndex: number;
  misses: number;
  tierChanges: { effective: number; index: number }[];
  alertCounts: [string, number][];
}

interface GlobalBody {
  programs: ProjectionState['programs'];
  promotions: ProjectionState['promotions'];
  lastClosed: number | null;
  maxMonth: number | null;
  anyPromotedSale: boolean;
}

interface MonthRow {
  channel_id: string;
  month: number;
  sales: string;
  returns: string;
  orders: number;
  units_sold: string;
  units_returned: string;
  sale_count: number;
  promo_numerator: string;
  restated: number;
  trainings: number;
  satisfaction_points: string;
  satisfaction_respondents: string;
}

/**
 * The growing index in SQLite, with a Bloom filter of each table's keys in front of it.
 *
 * - Orders: a channel-month's order is new unless the batch has it or, when the filter says
 *   it may be there, `rm_orders` has it. Nearly every order is new, so nearly every order is
 *   decided without reading the B-tree, and the batch's new orders are inserted at its end
 *   (the key is month first: the batch's rows land in the months being sold).
 * - Sales: `rm_sales` holds the sales that may carry a bonus to claw back. A sale without a
 *   bonus bps is written only when it replaces a row (no row means no bonus); a return reads
 *   the table only when the filter says a row may be there. The batch's rows are upserted at
 *   its end; lookups see the batch's buffer first.
 *
 * Rows go one prepared statement each: one `INSERT … SELECT … FROM json_each(?)` per batch
 * was ~1 s faster at 1M but kept ~140 MiB more resident at 10M (multi-MB strings copied into
 * the projection thread's malloc arena every batch). They go in the order they were decided:
 * sorting them into key order first took 1.7 s (4 %) of a 1M rebuild's profile and gained nothing
 * measurable at 3M events.
 *
 * A failed batch leaves keys in the filters for rows it did not write: a key in a filter is
 * only ever a reason to read the disk, so that costs a read and changes no answer.
 */
class SqliteProjectionIndex implements ProjectionIndex {
  /** The batch's new orders: the rows to insert (by key hash), the counts per channel-month. */
  private readonly batchOrders = new Map<number, [number, string, string][]>();
  private newOrderRows: [number, string, string][] = [];
  private readonly newCounts = new Map<string, { channelId: string; month: number; count: number }>();
  private readonly sales = new Map<string, [string, string, string, number]>();
  /** Keys of `rm_orders` and `rm_sales`; read from the tables on first use after a load. */
  private orderKeys: KeyFilter | undefined;
  private saleKeys: KeyFilter | undefined;

  constructor(
    private readonly stmts: () => ReturnType<SqliteReadStore['prepare']>,
    private readonly filtering: boolean,
  ) {}

  addOrder(channelId: string, month: number, orderId: string): void {
    const known = this.orders().hash(month, channelId, orderId);
    const inBatch = this.batchOrders.get(known.lastHash);
    if (known.mayHave()) {
      if (inBatch?.some((r) => r[0] === month && r[1] === channelId && r[2] === orderId)) return;
      if (this.stmts().hasOrder.get(month, channelId, orderId) !== undefined) return;
    }
    known.add();
    const row: [number, string, string] = [month, channelId, orderId];
    if (inBatch === undefined) this.batchOrders.set(known.lastHash, [row]);
    else inBatch.push(row);
    this.newOrderRows.push(row);
    const cm = `${channelId}\u0000${month}`;
    const c = this.newCounts.get(cm);
    if (c === undefined) this.newCounts.set(cm, { channelId, month, count: 1 });
    else c.count++;
  }

  takeNewOrders(): NewOrders[] {
    // A plain INSERT: a row that is there already means the filter logic is wrong, and the
    // batch fails rather than miscount.
    const insert = this.stmts().addOrder;
    for (const [month, channelId, orderId] of this.newOrderRows) insert.run(month, channelId, orderId);
    const counts = [...this.newCounts.values()];
    this.clearOrders();
    return counts;
  }

  recordSale(channelId: string, orderId: string, sku: string, bps: number): void {
    const key = `${channelId}\u0000${orderId}\u0000${sku}`;
    if (bps === 0 && !this.sales.has(key) && !this.salesHeld().hash(channelId, orderId, sku).mayHave())
      return;
    this.sales.set(key, [channelId, orderId, sku, bps]);
  }

  saleBonusBps(channelId: string, orderId: string, sku: string): number | undefined {
    const key = `${channelId}\u0000${orderId}\u0000${sku}`;
    const buffered = this.sales.get(key);
    if (buffered !== undefined) return buffered[3];
    return this.salesHeld().hash(channelId, orderId, sku).mayHave()
      ? this.stmts().saleBps.get(channelId, orderId, sku)
      : undefined;
  }

  addCertification(channelId: string, traineeId: string, month: number): void {
    this.stmts().addCert.run(channelId, traineeId, month);
  }

  countCertified(channelId: string, from: number, to: number): number {
    return this.stmts().countCerts.get(channelId, from, to) ?? 0;
  }

  /** Writes the buffered sales (inside the batch's transaction). */
  flush(): void {
    if (this.sales.size === 0) return;
    const upsert = this.stmts().recordSale;
    const held = this.salesHeld();
    for (const [channelId, orderId, sku, bps] of this.sales.values()) {
      upsert.run(channelId, orderId, sku, bps);
      held.hash(channelId, orderId, sku).add();
    }
    this.sales.clear();
  }

  /** Forgets the buffers of a batch that failed. */
  discard(): void {
    this.clearOrders();
    this.sales.clear();
  }

  /** The tables were loaded or reset: read their keys again when next needed. */
  forgetKeys(): void {
    this.orderKeys = undefined;
    this.saleKeys = undefined;
  }

  private clearOrders(): void {
    this.batchOrders.clear();
    this.newOrderRows = [];
    this.newCounts.clear();
  }

  private orders(): KeyFilter {
    return (this.orderKeys ??= this.filterOf(this.stmts().orderKeys.iterate()));
  }

  private salesHeld(): KeyFilter {
    return (this.saleKeys ??= this.filterOf(this.stmts().saleKeys.iterate()));
  }

  /** A filter of a table's keys (each row: the key's three parts). */
  private filterOf(rows: Iterable<readonly [string | number, string, string]>): KeyFilter {
    const keys = new KeyFilter(this.filtering);
    for (const [a, b, c] of rows) keys.hash(a, b, c).add();
    return keys;
  }
}

/** The first month kept in memory: the last closed − 1 (every month before any close). */
function hotFrom(state: ProjectionState): Month {
  return state.lastClosed === null ? Number.NEGATIVE_INFINITY : state.lastClosed - HOT_CLOSED_MONTHS + 1;
}

function factsOf(r: MonthRow): MonthFacts {
  return {
    sales: BigInt(r.sales),
    returns: BigInt(r.returns),
    orders: r.orders,
    unitsSold: BigInt(r.units_sold),
    unitsReturned: BigInt(r.units_returned),
    saleCount: r.sale_count,
    promoNumerator: BigInt(r.promo_numerator),
    restated: r.restated === 1,
    trainings: r.trainings,
    satisfactionPoints: BigInt(r.satisfaction_points),
    satisfactionRespondents: BigInt(r.satisfaction_respondents),
  };
}

class SqliteReadStore implements ReadStore {
  private readonly idx: SqliteProjectionIndex;
  private stmts!: ReturnType<SqliteReadStore['prepare']>;
  /** The months of the loaded state that left memory (none before the first load). */
  private cold: ColdMonthsReader | undefined;

  constructor(
    private readonly db: DB,
    private readonly logId: string,
    keyFilters: boolean,
  ) {
    this.stmts = this.prepare();
    this.idx = new SqliteProjectionIndex(() => this.stmts, keyFilters);
  }

  get index(): ProjectionIndex {
    return this.idx;
  }

  private prepare() {
    const db = this.db;
    return {
      hasOrder: db.prepare<[number, string, string], number>(
        `SELECT 1 FROM rm_orders WHERE month = ? AND channel_id = ? AND order_id = ?`,
      ),
      addOrder: db.prepare<[number, string, string]>(`INSERT INTO rm_orders VALUES (?, ?, ?)`),
      orderKeys: db
        .prepare<[], [number, string, string]>(`SELECT month, channel_id, order_id FROM rm_orders`)
        .raw(),
      recordSale: db.prepare<[string, string, string, number]>(
        `INSERT INTO rm_sales VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET bps = excluded.bps`,
      ),
      saleKeys: db
        .prepare<[], [string, string, string]>(`SELECT channel_id, order_id, sku FROM rm_sales`)
        .raw(),
      saleBps: db
        .prepare<[string, string, string], number>(
          `SELECT bps FROM rm_sales WHERE channel_id = ? AND order_id = ? AND sku = ?`,
        )
        .pluck(),
      coldMonths: db.prepare<[string, number], MonthRow>(
        `SELECT * FROM rm_months WHERE channel_id = ? AND month < ?`,
      ),
      addCert: db.prepare(`INSERT OR IGNORE INTO rm_certs VALUES (?, ?, ?)`),
      countCerts: db
        .prepare<[string, number, number], number>(
          `SELECT COUNT(DISTINCT trainee_id) FROM rm_certs WHERE channel_id = ? AND month BETWEEN ? AND ?`,
        )
        .pluck(),
      putChannel: db.prepare(`INSERT OR REPLACE INTO rm_channels VALUES (?, ?)`),
      putMonth: db.prepare(`INSERT OR REPLACE INTO rm_months VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      putGlobal: db.prepare(`INSERT OR REPLACE INTO rm_global VALUES (1, ?)`),
      putAlert: db.prepare(
        `INSERT INTO rm_alerts (alert_id, channel_id, kind, position, body) VALUES (?, ?, ?, ?, ?)`,
      ),
      putMovement: db.prepare(`INSERT INTO rm_tier_movements (channel_id, position, body) VALUES (?, ?, ?)`),
      putCheckpoint: db.prepare(`INSERT OR REPLACE INTO rm_checkpoint VALUES (1, ?)`),
      getCheckpoint: db.prepare<[], number>(`SELECT position FROM rm_checkpoint WHERE id = 1`).pluck(),
    };
  }

  load(): Promise<{ state: ProjectionState; position: number }> {
    this.idx.forgetKeys();
    // Months older than the last closed − 1 stay on disk (see spillingMonths.ts).
    this.cold = new ColdMonthsReader((channelId, below) => {
      const months = new Map<Month, MonthFacts>();
      for (const r of this.stmts.coldMonths.iterate(channelId, below)) months.set(r.month, factsOf(r));
      return months;
    });
    const cold = this.cold;
    const state = initialProjectionState((channelId) => new SpillingMonths(channelId, cold));
    const position =
      (this.db.prepare(`SELECT position FROM rm_checkpoint WHERE id = 1`).pluck().get() as
        number | undefined) ?? 0;
    const global = this.db.prepare(`SELECT body FROM rm_global WHERE id = 1`).pluck().get() as
      string | undefined;
    if (global !== undefined) {
      const g = JSON.parse(global) as GlobalBody;
      state.programs.push(...g.programs);
      state.promotions.push(...g.promotions);
      state.lastClosed = g.lastClosed;
      state.maxMonth = g.maxMonth;
      state.anyPromotedSale = g.anyPromotedSale;
    }
    const channels = this.db
      .prepare(`SELECT channel_id, body FROM rm_channels ORDER BY channel_id`)
      .all() as {
      channel_id: string;
      body: string;
    }[];
    for (const row of channels) {
      const b = JSON.parse(row.body) as ChannelBody;
      state.channels.set(row.channel_id, {
        channelId: row.channel_id,
        name: b.name,
        kind: b.kind,
        online: b.online,
        region: b.region,
        registeredMonth: b.registeredMonth,
        firstMonth: b.firstMonth,
        months: state.newMonths(row.channel_id),
        tierIndex: b.tierIndex,
        misses: b.misses,
        tierChanges: b.tierChanges,
        alertCounts: new Map(b.alertCounts),
      });
    }
    state.channelOrder.push(...[...state.channels.keys()].sort());
    const below = hotFrom(state);
    cold.moveTo(below);
    const rows = this.db.prepare(`SELECT * FROM rm_months WHERE month >= ?`).iterate(below);
    for (const r of rows as IterableIterator<MonthRow>) {
      state.channels.get(r.channel_id)?.months.set(r.month, factsOf(r));
    }
    return Promise.resolve({ state, position });
  }

  /**
   * After a commit: the months below the last closed − 1, and the older ones a late event
   * brought back, leave memory (they are saved).
   */
  private evict(state: ProjectionState, changed: readonly { channelId: string; month: Month }[]): void {
    const cold = this.cold;
    if (cold === undefined) return;
    const below = hotFrom(state);
    if (below > cold.below) {
      cold.moveTo(below);
      for (const c of state.channels.values()) {
        if (c.months instanceof SpillingMonths) c.months.evictBelow(below);
      }
      return;
    }
    let any = false;
    for (const { channelId, month } of changed) {
      if (month >= cold.below) continue;
      state.channels.get(channelId)?.months.delete(month);
      any = true;
    }
    if (any) cold.forget();
  }

  applyBatch(
    state: ProjectionState,
    position: number,
    apply: (sink: ProjectionSink) => void,
    from?: number,
  ): ProjectionOutputs {
    const outputs = { alerts: [] as Alert[], tierMovements: [] as TierMovement[] };
    const s = this.stmts;
    const tx = this.db.transaction(() => {
      if (from !== undefined) {
        // Compare-and-set: another projector that moved the read model on since we loaded it
        // fences this batch off before it writes anything.
        const saved = s.getCheckpoint.get() ?? 0;
        if (saved !== from) {
          throw new EngineError(
            'PROJECTION_FENCED',
            `the read model is at ${saved}, not ${from}: another process projected into it`,
            false,
          );
        }
      }
      apply({
        alert: (a) => {
          outputs.alerts.push(a);
          s.putAlert.run(a.id, a.channelId, a.kind, position, JSON.stringify(a));
        },
        tierMovement: (m) => {
          outputs.tierMovements.push(m);
          s.putMovement.run(m.channelId, position, JSON.stringify(m));
        },
      });
      applyNewOrders(state, this.idx.takeNewOrders());
      this.idx.flush();
      this.save(state);
      s.putCheckpoint.run(position);
    });
    try {
      tx.immediate();
    } catch (err) {
      this.idx.discard();
      throw err;
    }
    const result: ProjectionOutputs = {
      ...outputs,
      changedMonths: dirtyMonths(state),
      lastClosed: state.lastClosed,
    };
    clearDirty(state);
    this.evict(state, result.changedMonths);
    return result;
  }

  private save(state: ProjectionState): void {
    const s = this.stmts;
    for (const id of state.dirty.channels) {
      const c = state.channels.get(id);
      if (c === undefined) continue;
      const body: ChannelBody = {
        name: c.name,
        kind: c.kind,
        online: c.online,
        region: c.region,
        registeredMonth: c.registeredMonth,
        firstMonth: c.firstMonth,
        tierIndex: c.tierIndex,
        misses: c.misses,
        tierChanges: c.tierChanges,
        alertCounts: [...c.alertCounts],
      };
      s.putChannel.run(id, JSON.stringify(body));
    }
    for (const [id, months] of state.dirty.months) {
      const c = state.channels.get(id);
      if (c === undefined) continue;
      for (const m of months) {
        const f = c.months.get(m);
        if (f === undefined) continue;
        s.putMonth.run(
          id,
          m,
          f.sales.toString(),
          f.returns.toString(),
          f.orders,
          f.unitsSold.toString(),
          f.unitsReturned.toString(),
          f.saleCount,
          f.promoNumerator.toString(),
          f.restated ? 1 : 0,
          f.trainings,
          f.satisfactionPoints.toString(),
          f.satisfactionRespondents.toString(),
        );
      }
    }
    if (state.dirty.global) {
      const body: GlobalBody = {
        programs: state.programs,
        promotions: state.promotions,
        lastClosed: state.lastClosed,
        maxMonth: state.maxMonth,
        anyPromotedSale: state.anyPromotedSale,
      };
      s.putGlobal.run(JSON.stringify(body));
    }
  }

  position(): Promise<number> {
    return Promise.resolve(
      (this.db.prepare(`SELECT position FROM rm_checkpoint WHERE id = 1`).pluck().get() as
        number | undefined) ?? 0,
    );
  }

  alerts(options: { afterSeq?: number } = {}): Promise<Alert[]> {
    const rows = this.db
      .prepare(`SELECT body FROM rm_alerts WHERE seq > ? ORDER BY seq`)
      .pluck()
      .all(options.afterSeq ?? 0) as string[];
    return Promise.resolve(rows.map((b) => JSON.parse(b) as Alert));
  }

  alertLog(afterSeq: number, limit: number): Promise<{ seq: number; alert: Alert }[]> {
    const rows = this.db
      .prepare(`SELECT seq, body FROM rm_alerts WHERE seq > ? ORDER BY seq LIMIT ?`)
      .all(afterSeq, limit) as { seq: number; body: string }[];
    return Promise.resolve(rows.map((r) => ({ seq: r.seq, alert: JSON.parse(r.body) as Alert })));
  }

  tierMovements(): Promise<TierMovement[]> {
    const rows = this.db.prepare(`SELECT body FROM rm_tier_movements ORDER BY seq`).pluck().all() as string[];
    return Promise.resolve(rows.map((b) => JSON.parse(b) as TierMovement));
  }

  reset(): Promise<void> {
    resetReadModel(this.db);
    migrateReadModel(this.db, this.logId);
    this.stmts = this.prepare();
    this.idx.forgetKeys();
    return Promise.resolve();
  }
}
