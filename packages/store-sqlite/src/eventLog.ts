/**
 * The event log over the log's SQLite file: `EventLog` and `Feed`. Its append decides inside
 * its own IMMEDIATE transaction (DESIGN.md "Concurrency: the log decides"): the eventId index
 * and the acceptance state are brought up to the log's head there, the decider is called with
 * that view, and its batch is written, all or nothing. The rejected inputs it writes are read
 * back through `rejectedStore.ts`.
 */
import type { Database as DB, RunResult, Statement, Transaction } from 'better-sqlite3';
import {
  ACCEPTANCE_FACT_TYPES,
  evolveAcceptance,
  initialAcceptanceState,
  parentFactOf,
  parseMonth,
  type AcceptanceState,
  type ChanperfEvent,
  type Counts,
  type ParentFact,
} from '@chanperf/domain';
import {
  acceptanceViewOf,
  EngineError,
  type AcceptanceFacts,
  type BatchDecider,
  type CommitResult,
  type EventLog,
  type Feed,
  type IngestBatch,
  type LazyBatch,
  type LogEntry,
  type NewLogEntry,
  type SourceCheckpoint,
} from '@chanperf/engine';
import { EventIdIndex } from './eventIdIndex.js';
import { logCommitRecorder } from './logCommits.js';

/**
 * Rows a `readBatch` reads at a time: ~400 KB of payloads, which die young (a projection batch
 * read whole, 50 000 rows, was ~20 MB promoted to the old generation and collected there).
 */
const CHUNK_ROWS = 1000;

/** Rows appended by one statement (`appendInRows`): 4 parameters each. */
const ROWS_PER_INSERT = 64;

/** Whether `events` has a unique index on its eventIds (logs made before `eventIdIndex.ts`). */
function uniqueEventIds(db: DB): boolean {
  const indexes = db.prepare(`SELECT name, "unique" FROM pragma_index_list('events')`).all() as {
    name: string;
    unique: number;
  }[];
  return indexes.some(
    (i) =>
      i.unique === 1 &&
      (db.prepare(`SELECT name FROM pragma_index_info(?)`).pluck().all(i.name) as string[]).includes(
        'event_id',
      ),
  );
}

/** A parent fact's key in `acceptance_facts`: its log position in this many digits, a space, its JSON. */
const PARENT_KEY_DIGITS = 16;

/** A string literal of SQL. */
function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
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

/** The log's events, rejected inputs, counts and source checkpoints in one SQLite file. */
export class SqliteEventLog implements EventLog, Feed {
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
  /** Entries the log is expected to hold (`reserve`): the eventId index's room when it is built. */
  private expected = 0;
  private readonly insertEvent: Statement;
  /** `ROWS_PER_INSERT` rows in one statement; undefined for a log with a unique eventId index. */
  private readonly insertRows: Statement | undefined;
  private readonly insertFact: Statement;
  private readonly insertRejected: Statement;
  private readonly addCounts: Statement;
  private readonly putSource: Statement;
  private readonly markRedriven: Statement;
  /** Records each commit's head, time, counts and last rejection (as-of reads, `logCommits.ts`). */
  private readonly recordCommit: (appendedAt: number) => void;
  private readonly readFrom: Statement<[number, number], LogEntry>;
  private readonly payloadsFrom: Statement<[number, number], string>;
  /** The log's head (0 when empty). */
  private readonly headNow: Statement<[], number>;
  /** The ingest counts: asked before every POST /v1/events (the rejected store's room). */
  private readonly countsNow: Statement<[], Counts>;
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
                CASE WHEN type IN (${[...ACCEPTANCE_FACT_TYPES].map(sqlString).join(', ')})
                     THEN payload END
           FROM events WHERE position > ? ORDER BY position`,
      )
      .raw();
    // OR IGNORE: logs created before the in-memory eventId index keep a unique index on
    // event_id; a conflict there reads as a duplicate, as the index check below does.
    this.insertEvent = db.prepare(
      `INSERT OR IGNORE INTO events (event_id, type, channel_id, payload) VALUES (?, ?, ?, ?)`,
    );
    this.insertRows = uniqueEventIds(db)
      ? undefined
      : db.prepare(
          `INSERT INTO events (event_id, type, channel_id, payload) VALUES ${Array(ROWS_PER_INSERT).fill('(?, ?, ?, ?)').join(', ')}`,
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
    this.recordCommit = logCommitRecorder(db);
    // Named as a LogEntry's fields, so each row is the entry (no second object per event).
    this.readFrom = db.prepare<[number, number], LogEntry>(
      `SELECT position, event_id AS eventId, type, channel_id AS channelId, payload
         FROM events WHERE position > ? ORDER BY position LIMIT ?`,
    );
    // Payloads alone, plucked: a string a row where an entry was an object of five fields.
    this.payloadsFrom = db
      .prepare<[number, number], string>(
        `SELECT payload FROM events WHERE position > ? ORDER BY position LIMIT ?`,
      )
      .pluck();
    this.headNow = db.prepare<[], number>(`SELECT COALESCE(MAX(position), 0) FROM events`).pluck();
    this.countsNow = db.prepare<[], Counts>(
      `SELECT lines, accepted, duplicates, rejected FROM ingest_counts WHERE id = 1`,
    );
    this.commitTx = db.transaction((batch: IngestBatch) => this.write(this.sync(), batch));
    this.appendTx = db.transaction((eventIds: readonly string[], decide: BatchDecider) =>
      this.decideAndWrite(eventIds, decide),
    );
  }

  /**
   * The body of the append's transaction: the view at the head (eventIds and acceptance state
   * synced, the contents `decide` will ask about read), the decider's batch, its write.
   */
  private decideAndWrite(
    eventIds: readonly string[],
    decide: BatchDecider,
  ): { batch: IngestBatch; positions: number[] } {
    const ids = this.sync();
    const known = this.contentsOf(ids, eventIds);
    const view = acceptanceViewOf(this.acceptance, known);
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
  }

  /**
   * Brings the eventId index and the acceptance state up to the log's head: loads them on
   * first use, then folds what other connections appended since. Inside a write transaction
   * (IMMEDIATE) nobody else can append, so what is decided there is exact across processes.
   */
  private sync(): EventIdIndex {
    let ids = this.ids;
    if (ids === undefined) {
      const head = this.headNow.get() ?? 0;
      ids = new EventIdIndex(Math.max(head + 1, this.expected));
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
    const positions =
      this.insertRows === undefined ? this.appendOneByOne(ids, batch) : this.appendInRows(ids, batch);
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
    this.recordCommit(Date.now());
    return positions;
  }

  /** Appends the accepted entries a statement each (a log with a unique index on its eventIds). */
  private appendOneByOne(ids: EventIdIndex, batch: IngestBatch): number[] {
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
      this.appended(ids, e, position);
    }
    return positions;
  }

  /** Keeps the eventId index and the acceptance state in step with an entry appended at `position`. */
  private appended(ids: EventIdIndex, e: NewLogEntry, position: number): void {
    ids.add(e.eventId, position);
    this.synced = position;
    if (ACCEPTANCE_FACT_TYPES.has(e.type)) this.recordFact(position, e.payload);
  }

  /**
   * Appends the accepted entries `ROWS_PER_INSERT` to a statement (a statement's call from
   * JavaScript cost what its row's write did). Inside the write transaction, synced to the
   * head, the positions are the head's successors: each statement's rowids are checked to be
   * those, else the batch rolls back.
   */
  private appendInRows(ids: EventIdIndex, batch: IngestBatch): number[] {
    const insertRows = this.insertRows as Statement;
    const positions: number[] = [];
    const values: (string | null)[] = [];
    let written = this.synced;
    const wrote = (info: RunResult, rows: number) => {
      written += rows;
      if (info.changes !== rows || Number(info.lastInsertRowid) !== written) {
        throw new EngineError(
          'APPEND_INCONSISTENT',
          `the log appended ${info.changes} rows ending at ${String(info.lastInsertRowid)}, not ${rows} ending at ${written}`,
          false,
        );
      }
    };
    const unwritten = (position: number) => values[(position - written - 1) * 4];
    for (const e of batch.accepted) {
      if (this.holds(ids, e.eventId, written, unwritten)) {
        positions.push(0);
        continue;
      }
      const position = this.synced + 1;
      values.push(e.eventId, e.type, e.channelId, e.payload);
      positions.push(position);
      this.appended(ids, e, position);
      if (values.length === ROWS_PER_INSERT * 4) {
        wrote(insertRows.run(values), ROWS_PER_INSERT);
        values.length = 0;
      }
    }
    // The rest a row at a time: a statement for each count would be prepared for few rows.
    for (let at = 0; at < values.length; at += 4) {
      wrote(this.insertEvent.run(values[at], values[at + 1], values[at + 2], values[at + 3]), 1);
    }
    return positions;
  }

  /**
   * Folds an appended fact into the acceptance state and the `acceptance_facts` table, which
   * `acceptanceFacts()` reads without folding the log: a channel, a promotion, a closed month,
   * (v2) a price change's changeId, and a parent assignment keyed by its log position (so the
   * key order is the log order) followed by its JSON.
   */
  private recordFact(position: number, payload: string): void {
    const event = JSON.parse(payload) as ChanperfEvent;
    evolveAcceptance(this.acceptance, event);
    if (event.type === 'ChannelRegistered') this.insertFact.run('channel', event.channelId);
    else if (event.type === 'PromotionScheduled') this.insertFact.run('promotion', event.data.promotionId);
    else if (event.type === 'PriceChanged') this.insertFact.run('priceChange', event.data.changeId);
    else if (event.type === 'PeriodClosed') {
      this.insertFact.run('closed', String(parseMonth(event.data.month) ?? 0).padStart(8, '0'));
    }
    const fact =
      event.type === 'ChannelRegistered' || event.type === 'ChannelReparented'
        ? parentFactOf(event)
        : undefined;
    if (fact !== undefined) {
      this.insertFact.run(
        'parent',
        `${String(position).padStart(PARENT_KEY_DIGITS, '0')} ${JSON.stringify(fact)}`,
      );
    }
  }

  /**
   * Whether the log holds `eventId` (hash candidates confirmed by their rows; those after
   * `written`, not inserted yet, by `unwritten`).
   */
  private holds(
    ids: EventIdIndex,
    eventId: string,
    written = Number.POSITIVE_INFINITY,
    unwritten?: (position: number) => unknown,
  ): boolean {
    for (const p of ids.candidates(eventId)) {
      if ((p > written ? unwritten?.(p) : this.idAt.get(p)) === eventId) return true;
    }
    return false;
  }

  /** Canonical contents of the held ones of `eventIds`. */
  private contentsOf(ids: EventIdIndex, eventIds: readonly string[]): Map<string, string> {
    // Only ids the hash index may hold are read, by position, in one statement; new ids (the
    // usual case) cost a hash lookup and no SQL at all (nor a set of the batch's ids).
    const positions: number[] = [];
    for (const id of eventIds) for (const p of ids.candidates(id)) positions.push(p);
    const out = new Map<string, string>();
    if (positions.length === 0) return out;
    const wanted = new Set(eventIds);
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

  reserve(appends: number): void {
    this.expected = (this.headNow.get() ?? 0) + appends;
    this.ids?.reserve(this.expected);
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
    return Promise.resolve(this.headNow.get() ?? 0);
  }

  acceptanceFacts(): Promise<AcceptanceFacts> {
    const rows = this.db.prepare(`SELECT kind, key FROM acceptance_facts ORDER BY kind, key`).all() as {
      kind: string;
      key: string;
    }[];
    const channels: string[] = [];
    const promotions: string[] = [];
    const priceChanges: string[] = [];
    const parentAssignments: ParentFact[] = [];
    let lastClosed: number | null = null;
    for (const r of rows) {
      if (r.kind === 'channel') channels.push(r.key);
      else if (r.kind === 'promotion') promotions.push(r.key);
      else if (r.kind === 'priceChange') priceChanges.push(r.key);
      else if (r.kind === 'parent')
        parentAssignments.push(JSON.parse(r.key.slice(PARENT_KEY_DIGITS + 1)) as ParentFact);
      else if (r.kind === 'closed') lastClosed = Math.max(lastClosed ?? 0, Number(r.key));
    }
    return Promise.resolve({ channels, promotions, lastClosed, priceChanges, parentAssignments });
  }

  sourceCheckpoint(key: string): Promise<SourceCheckpoint | undefined> {
    const row = this.db
      .prepare(`SELECT key, offset, line, prefix_sha256 FROM sources WHERE key = ?`)
      .get(key) as SourceRow | undefined;
    return Promise.resolve(row === undefined ? undefined : checkpointOf(row));
  }

  /** Every source checkpoint, by key (`chanperf export` carries them to another store). */
  sourceCheckpoints(): SourceCheckpoint[] {
    const rows = this.db
      .prepare(`SELECT key, offset, line, prefix_sha256 FROM sources ORDER BY key`)
      .all() as SourceRow[];
    return rows.map(checkpointOf);
  }

  counts(): Promise<Counts> {
    const row = this.countsNow.get() as Counts;
    return Promise.resolve({ ...row });
  }

  read(after: number, limit: number): Promise<LogEntry[]> {
    return Promise.resolve(this.readFrom.all(after, limit));
  }

  readBatch(after: number, limit: number): LazyBatch {
    // Positions are gap-free: the batch ends at after + limit, or at the head. Rows past the
    // head read here (appended meanwhile) belong to the next batch.
    const last = Math.max(after, Math.min(after + limit, this.headNow.get() ?? 0));
    return { last, payloads: this.chunks(after, last) };
  }

  private *chunks(after: number, last: number): Generator<string> {
    for (let from = after; from < last;) {
      const payloads = this.payloadsFrom.all(from, Math.min(CHUNK_ROWS, last - from));
      if (payloads.length === 0) throw new Error(`the log has no entry after ${from} (its head was ${last})`);
      for (const payload of payloads) yield payload;
      from += payloads.length; // gap-free positions
    }
  }
}

interface SourceRow {
  key: string;
  offset: number;
  line: number;
  prefix_sha256: string | null;
}

function checkpointOf(row: SourceRow): SourceCheckpoint {
  const { prefix_sha256: prefixHash, ...checkpoint } = row;
  return prefixHash === null ? checkpoint : { ...checkpoint, prefixHash };
}
