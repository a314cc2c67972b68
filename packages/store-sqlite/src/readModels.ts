/**
 * Read models side by side (docs/architecture.md "Read models side by side"). A projection's
 * read model lives in one of two files beside the log: slot 0 is `PATH-readmodel` (where it
 * always was), slot 1 `PATH-readmodel-b`; a projection other than channel-performance adds
 * `-<name>` to both. The log's file holds the pointer, `read_models`: per projection name, the
 * current slot, its version and a generation counting the switches (no row: slot 0).
 *
 * A rebuild builds into the other slot under that file's `builder` lease while the current one
 * keeps answering, then moves the pointer in ONE IMMEDIATE transaction of the log's file: appends
 * wait for it, so the head it compares with is the head, and it switches only when the new read
 * model reflects it (never behind the current one either). An interrupted build (a crash) leaves
 * the pointer where it was; the next build of the same version resumes from its checkpoint.
 * The old file stays as it is (other processes may still read its cold months until they
 * notice the switch, at their next read) and is emptied by the next rebuild, which builds there.
 */
import type { Database as DB, Statement } from 'better-sqlite3';
import type { ChannelProjection } from '@chanperf/domain';
import { CHANNEL_PERFORMANCE } from '@chanperf/domain/rules';
import type { SideReadModel } from '@chanperf/engine';
import { describeHolder, EngineError } from '@chanperf/engine/runner';
import { SqliteLease } from './leases.js';
import { migrateReadModel, resetReadModel } from './schema.js';

type Slot = 0 | 1;

/**
 * Renews `lease` every `everyMs` until the timer is cleared. A renewal that fails (its file busy
 * past the connection's 30 s wait — a rebuild in parts' first half holds the side file's write
 * lock through its groups of batches —, or a connection closed under it) is skipped: the next
 * one tries again. Thrown from a timer it would end the process.
 */
export function keepRenewed(lease: Pick<SqliteLease, 'renew'>, everyMs: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    try {
      lease.renew();
    } catch {
      // busy or closed: the next renewal tries again (the lease outlives three missed ones)
    }
  }, everyMs);
  timer.unref();
  return timer;
}

/** Where the pointer says the current read model is, and how many switches made it so. */
export interface Pointer {
  readonly slot: Slot;
  readonly generation: number;
}

/** A side build's read model, with the slot it builds in. */
export interface SlotBuild extends SideReadModel {
  readonly slot: Slot;
  readonly db: DB;
}

/**
 * How long a pointer read serves the reads of this process: a read of the log's file costs
 * ~20 µs (its WAL read lock) where a query answered from memory costs ~200 µs; so readers
 * notice another process's switch within this long. Batches and switches read it fresh.
 */
const POINTER_FRESH_MS = 100;

/** The builder's lease on the file it builds in: renewed every 2.5 s, lost 10 s after a crash. */
const BUILDER_LEASE = 'builder';
const BUILDER_TTL_MS = 10_000;

export interface ReadModelFilesConfig {
  readonly log: DB;
  /** The log's file; `:memory:` keeps every read model in memory too. */
  readonly path: string;
  readonly logId: string;
  readonly projection?: ChannelProjection;
  /** Opens a read-model file with the store's pragmas. */
  readonly open: (path: string) => DB;
  /** The builder's lease's time to live (ms; default 10 s, renewed every quarter of it; tests shorten it). */
  readonly builderTtlMs?: number;
}

/** The read-model files of one projection beside one log, and the pointer between them. */
export class ReadModelFiles {
  readonly projection: ChannelProjection;
  /** This process's connection to each slot's file (one each, shared by its users). */
  private readonly connections = new Map<Slot, DB>();
  /** Read at every load, read and batch of the current read model: prepared once. */
  private readonly readPointer: Statement<[string], Pointer>;
  /** The pointer last read, and when (`performance.now()`). */
  private seen: { readonly pointer: Pointer; readonly at: number } | undefined;

  constructor(private readonly config: ReadModelFilesConfig) {
    this.projection = config.projection ?? CHANNEL_PERFORMANCE;
    config.log.exec(`CREATE TABLE IF NOT EXISTS read_models (
      name TEXT PRIMARY KEY, slot INTEGER NOT NULL, version INTEGER NOT NULL,
      generation INTEGER NOT NULL, position INTEGER NOT NULL
    )`);
    this.readPointer = config.log.prepare<[string], Pointer>(
      `SELECT slot, generation FROM read_models WHERE name = ?`,
    );
  }

  get logId(): string {
    return this.config.logId;
  }

  /** The log's connection (this thread's). */
  get log(): DB {
    return this.config.log;
  }

  /** The pointer as read at most `POINTER_FRESH_MS` ago, or (`fresh`) now. */
  pointer(fresh = false): Pointer {
    const now = performance.now();
    if (!fresh && this.seen !== undefined && now - this.seen.at < POINTER_FRESH_MS) return this.seen.pointer;
    const pointer = this.readPointer.get(this.projection.name) ?? { slot: 0, generation: 0 };
    this.seen = { pointer, at: now };
    return pointer;
  }

  /** The file of `slot` (`:memory:` for an in-memory store). */
  fileOf(slot: Slot): string {
    const { path } = this.config;
    if (path === ':memory:' || path === '') return ':memory:';
    const name = this.projection.name === CHANNEL_PERFORMANCE.name ? '' : `-${this.projection.name}`;
    return `${path}-readmodel${name}${slot === 1 ? '-b' : ''}`;
  }

  /** This process's connection to `slot`'s file, opened on first use. */
  connection(slot: Slot): DB {
    let db = this.connections.get(slot);
    if (db === undefined) {
      db = this.config.open(this.fileOf(slot));
      this.connections.set(slot, db);
    }
    return db;
  }

  /**
   * Starts (or resumes) a build in the slot that is not current, under its builder lease: an
   * interrupted build of this version and log is resumed, anything else there is emptied.
   */
  beside(what: string): Omit<SlotBuild, 'store' | 'resumedFrom'> {
    const slot: Slot = this.pointer(true).slot === 0 ? 1 : 0;
    const db = this.connection(slot);
    const ttlMs = this.config.builderTtlMs ?? BUILDER_TTL_MS;
    const lease = new SqliteLease(db, BUILDER_LEASE, { what, ttlMs });
    if (!lease.tryAcquire()) {
      const holder = lease.holder();
      throw new EngineError(
        'REBUILD_RUNNING',
        `the read model beside the current one is being built by ${holder === undefined ? 'another process' : describeHolder(holder)}; wait for it or try again later`,
        true,
      );
    }
    // Another build may have switched to this slot between the pointer read above and the
    // lease (it releases the lease after its switch): this slot is then the current read
    // model, which must not be emptied. Read again under the lease and let the caller retry.
    if (this.pointer(true).slot === slot) {
      lease.release();
      throw new EngineError(
        'REBUILD_RUNNING',
        'another rebuild has just switched to the read model beside the current one; try again',
        true,
      );
    }
    const renewal = keepRenewed(lease, ttlMs / 4);
    try {
      migrateReadModel(db, this.logId, this.projection);
      const build = db.prepare(`SELECT value FROM rm_settings WHERE key = 'build'`).pluck().get();
      if (build !== 'building') {
        resetReadModel(db);
        migrateReadModel(db, this.logId, this.projection);
        db.prepare(`INSERT OR REPLACE INTO rm_settings VALUES ('build', 'building')`).run();
      }
    } catch (err) {
      clearInterval(renewal);
      lease.release();
      throw err;
    }
    return {
      slot,
      db,
      close() {
        clearInterval(renewal);
        lease.release();
      },
    };
  }

  /** Moves the pointer to `build`'s slot if its read model reflects the log's head. */
  switchTo(build: SlotBuild): boolean {
    const log = this.config.log;
    const checkpoint = (db: DB) =>
      (db.prepare(`SELECT position FROM rm_checkpoint WHERE id = 1`).pluck().get() as number | undefined) ??
      0;
    const built = checkpoint(build.db);
    const switched = log
      .transaction((): boolean => {
        const head = log.prepare(`SELECT COALESCE(MAX(position), 0) FROM events`).pluck().get() as number;
        const current = this.pointer(true);
        if (current.slot === build.slot) {
          // Cannot happen while builds hold the slot's lease (see beside); were it to, building
          // again would never switch: stop instead of looping.
          throw new EngineError('REBUILD_RUNNING', 'the read model being built became the current one', true);
        }
        if (built < head) return false;
        const old = this.connection(current.slot);
        if (old.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'rm_checkpoint'`).get() !== undefined) {
          if (built < checkpoint(old)) return false;
        }
        log
          .prepare(`INSERT OR REPLACE INTO read_models VALUES (?, ?, ?, ?, ?)`)
          .run(this.projection.name, build.slot, this.projection.version, current.generation + 1, built);
        this.seen = {
          pointer: { slot: build.slot, generation: current.generation + 1 },
          at: performance.now(),
        };
        return true;
      })
      .immediate();
    // Current now: a later switch away leaves it a finished read model, emptied before reuse.
    if (switched) build.db.prepare(`INSERT OR REPLACE INTO rm_settings VALUES ('build', 'done')`).run();
    return switched;
  }

  close(): void {
    for (const db of this.connections.values()) db.close();
  }
}
