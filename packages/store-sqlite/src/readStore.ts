/**
 * The read model over its own SQLite file (`ReadStore`): loads the projection state (months
 * older than the last closed − 1 stay on disk, `spillingMonths.ts`), and saves what a batch
 * changed, its derived facts and the checkpoint in ONE transaction, the checkpoint written as a
 * compare-and-set so two projectors never interleave batches.
 *
 * The store's current read model follows the pointer of `readModels.ts`: each load, read and
 * batch first looks at it, and after a switch (by any process) works on the new file.
 */
import type { Database as DB } from 'better-sqlite3';
import type {
  Alert,
  Month,
  MonthFacts,
  ProjectionIndex,
  ProjectionSink,
  ProjectionState,
  TierMovement,
} from '@chanperf/domain';
import { applyNewOrders, initialProjectionState, ProjectionChanges } from '@chanperf/domain/rules';
import type {
  PartsBuildOptions,
  ProjectionOutputs,
  ReadStore,
  SideBySide,
  SideReadModel,
} from '@chanperf/engine';
import { EngineError } from '@chanperf/engine/runner';
import {
  logClaimInputs,
  sqliteClaimInputs,
  type ClaimInputLog,
  type SqliteClaimInputs,
} from './claimInputs.js';
import { SqliteProjectionIndex } from './projectionIndex.js';
import {
  channelBodyOf,
  channelStateOf,
  factsOf,
  globalBodyOf,
  putMonthRow,
  readModelStatements,
  restoreGlobal,
  type ChannelBody,
  type GlobalBody,
  type MonthRow,
  type ReadModelStatements,
} from './readModelRows.js';
import { ReadModelFiles, type SlotBuild } from './readModels.js';
import { migrateReadModel, resetReadModel } from './schema.js';
import { ColdMonthsReader, HOT_CLOSED_MONTHS, SpillingMonths } from './spillingMonths.js';

/** The first month kept in memory: the last closed − 1 (every month before any close). */
function hotFrom(state: ProjectionState): Month {
  return state.lastClosed === null ? Number.NEGATIVE_INFINITY : state.lastClosed - HOT_CLOSED_MONTHS + 1;
}

/** Where a batch's alerts and tier movements go (`ReadStoreOptions.outputs`). */
export interface OutputWriter {
  /** `lastClosed`: the state's as the rules raised it (during a close: the month being closed). */
  alert(alert: Alert, position: number, lastClosed: Month | null): void;
  movement(movement: TierMovement, position: number, lastClosed: Month | null): void;
}

export interface ReadStoreOptions {
  /**
   * Where each alert and tier movement is written; `position` is the batch's last. Default: the
   * read model's own rows (a part of a rebuild in parts stages them for the merge instead).
   */
  readonly outputs?: OutputWriter;
  /** Builds a fresh side read model in parts (`partsBuild.ts`); absent: side builds use one thread. */
  readonly buildInParts?: (
    build: Pick<SlotBuild, 'db' | 'slot'>,
    options: PartsBuildOptions,
  ) => Promise<number>;
}

/** The read model: the projection state, its index, derived facts and the checkpoint. */
export class SqliteReadStore implements ReadStore {
  private readonly idx: SqliteProjectionIndex;
  private stmts!: ReadModelStatements;
  /** Where the batches' alerts and tier movements go (`ReadStoreOptions.outputs`). */
  private readonly outputs: OutputWriter;
  /** The months of the loaded state that left memory (none before the first load). */
  private cold: ColdMonthsReader | undefined;
  /** The claim inputs of the loaded state (none before the first load or after a reset). */
  private claims: SqliteClaimInputs | undefined;
  private db!: DB;
  private readonly logId: string;
  /** The log's claim inputs of the channels projected here (read at the first price change). */
  private readonly claimLog: ClaimInputLog;
  /** The pointer to follow: absent for one file (a side build's). */
  private readonly files: ReadModelFiles | undefined;
  /** The pointer generation `db` is current at (−1: not looked at yet). */
  private generation = -1;
  /** The current read model was made by another version of the projection. */
  private stale = false;
  readonly sideBySide: SideBySide | undefined;
  /**
   * The changes of the batches applied with `hold` since the last commit, whose transaction is
   * open on `db` (undefined: none open).
   */
  private held: ProjectionChanges | undefined;

  /**
   * Over `files`' current read model (following its pointer), or over one file `db` (a side
   * build's) made for `logId`, whose claim inputs are read from the log by `claimLog`.
   */
  constructor(
    over: ReadModelFiles | { readonly db: DB; readonly logId: string; readonly claimLog: ClaimInputLog },
    fingerprintBits: number,
    options: ReadStoreOptions = {},
  ) {
    this.idx = new SqliteProjectionIndex(() => this.stmts, fingerprintBits);
    this.outputs = options.outputs ?? {
      alert: (a, position) => this.stmts.putAlert.run(a.id, a.channelId, a.kind, position, JSON.stringify(a)),
      movement: (m, position) => this.stmts.putMovement.run(m.channelId, position, JSON.stringify(m)),
    };
    this.logId = over.logId;
    this.claimLog = over instanceof ReadModelFiles ? logClaimInputs(over.log) : over.claimLog;
    if (over instanceof ReadModelFiles) {
      this.files = over;
      this.follow();
      this.sideBySide = sideBySide(
        over,
        () => (this.follow(), this.stale),
        fingerprintBits,
        options.buildInParts,
      );
    } else {
      this.files = undefined;
      this.db = over.db;
      this.sideBySide = undefined;
    }
    this.stmts = readModelStatements(this.db);
  }

  /**
   * Moves to the current read model's file if the pointer moved (by any process), as read at
   * most 100 ms ago, or now (`fresh`: before a batch).
   */
  private follow(fresh = false): DB {
    const files = this.files;
    // A held transaction stays on its file: its commit checks the pointer (`saveAndCommit`).
    if (files === undefined || this.held !== undefined) return this.db;
    const pointer = files.pointer(fresh);
    if (pointer.generation === this.generation) return this.db;
    this.db = files.connection(pointer.slot);
    this.stale = migrateReadModel(this.db, this.logId, files.projection, true) === 'stale';
    this.generation = pointer.generation;
    this.stmts = readModelStatements(this.db);
    this.idx.forgetKeys();
    this.claims = undefined;
    this.cold = undefined;
    return this.db;
  }

  get index(): ProjectionIndex {
    return this.idx;
  }

  load(): Promise<{ state: ProjectionState; position: number }> {
    // Batches held and not committed are given up: the state is loaded as committed.
    this.rollBack();
    this.follow();
    // One read transaction: the checkpoint and the rows of one commit, even while another
    // connection (a projection thread or process) commits the next batch meanwhile.
    return Promise.resolve(this.db.transaction(() => this.loadNow())());
  }

  private loadNow(): { state: ProjectionState; position: number } {
    this.idx.forgetKeys();
    // Months older than the last closed − 1 stay on disk (see spillingMonths.ts).
    this.cold = new ColdMonthsReader((channelId, below) => {
      const months = new Map<Month, MonthFacts>();
      for (const r of this.stmts.coldMonths.iterate(channelId, below)) months.set(r.month, factsOf(r));
      return months;
    });
    const cold = this.cold;
    const state = initialProjectionState();
    const position = this.stmts.getCheckpoint.get() ?? 0;
    const global = this.db.prepare(`SELECT body FROM rm_global WHERE id = 1`).pluck().get() as
      string | undefined;
    if (global !== undefined) restoreGlobal(state, JSON.parse(global) as GlobalBody);
    const channels = this.db
      .prepare(`SELECT channel_id, body FROM rm_channels ORDER BY channel_id`)
      .all() as {
      channel_id: string;
      body: string;
    }[];
    for (const row of channels) {
      const body = JSON.parse(row.body) as ChannelBody;
      state.channels.set(
        row.channel_id,
        channelStateOf(row.channel_id, body, new SpillingMonths(row.channel_id, cold)),
      );
    }
    state.channelOrder.push(...[...state.channels.keys()].sort());
    this.claims = sqliteClaimInputs(this.db, this.claimLog);
    state.claimInputs = this.claims;
    const below = hotFrom(state);
    cold.moveTo(below);
    const rows = this.db.prepare(`SELECT * FROM rm_months WHERE month >= ?`).iterate(below);
    for (const r of rows as IterableIterator<MonthRow>) {
      state.channels.get(r.channel_id)?.months.set(r.month, factsOf(r));
    }
    return { state, position };
  }

  /**
   * After a commit: the channels registered since the load get months that spill to disk (the
   * rules make every channel a plain Map), so they leave memory like the others.
   */
  private spillNewChannels(state: ProjectionState, changes: ProjectionChanges): void {
    const cold = this.cold;
    if (cold === undefined) return;
    for (const id of changes.channels) {
      const c = state.channels.get(id);
      if (c === undefined || c.months instanceof SpillingMonths) continue;
      state.channels.set(id, { ...c, months: new SpillingMonths(id, cold, c.months) });
    }
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
    apply: (sink: ProjectionSink, changes: ProjectionChanges) => void,
    from?: number,
    hold = false,
  ): ProjectionOutputs {
    const changes = this.held ?? this.begin();
    const outputs = { alerts: [] as Alert[], tierMovements: [] as TierMovement[] };
    const s = this.stmts;
    try {
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
      const sink: ProjectionSink = {
        alert: (a) => {
          outputs.alerts.push(a);
          this.outputs.alert(a, position, state.lastClosed);
        },
        tierMovement: (m) => {
          outputs.tierMovements.push(m);
          this.outputs.movement(m, position, state.lastClosed);
        },
      };
      apply(sink, changes);
      applyNewOrders(state, this.idx.takeNewOrders(), changes);
      this.idx.flush();
      this.claims?.flush();
      s.putCheckpoint.run(position);
      if (!hold) this.saveAndCommit(state, changes);
    } catch (err) {
      this.rollBack();
      throw err;
    }
    if (hold) return { ...outputs, changedMonths: [], lastClosed: state.lastClosed };
    return this.committed(state, changes, outputs);
  }

  commitHeld(state: ProjectionState): ProjectionOutputs | undefined {
    const changes = this.held;
    if (changes === undefined) return undefined;
    try {
      this.saveAndCommit(state, changes);
    } catch (err) {
      this.rollBack();
      throw err;
    }
    return this.committed(state, changes, { alerts: [], tierMovements: [] });
  }

  /**
   * Opens a batch's transaction (IMMEDIATE: the read model's write lock) on the current read
   * model, which must be the one `state` was loaded from; answers the changes it will collect.
   */
  private begin(): ProjectionChanges {
    const generation = this.generation;
    this.follow(true);
    if (generation !== this.generation) {
      // `state` was loaded from the read model that was current before a switch.
      throw new EngineError(
        'PROJECTION_FENCED',
        'the read model was switched to one rebuilt beside it since this state was loaded',
        false,
      );
    }
    this.db.exec('BEGIN IMMEDIATE');
    this.held = new ProjectionChanges();
    return this.held;
  }

  /** Writes the rows the open transaction's batches changed, and commits it. */
  private saveAndCommit(state: ProjectionState, changes: ProjectionChanges): void {
    this.save(state, changes);
    if (this.files !== undefined && this.files.pointer(true).generation !== this.generation) {
      // Switched while batches were held: what they wrote went to a read model no longer current.
      throw new EngineError(
        'PROJECTION_FENCED',
        'the read model was switched to one rebuilt beside it while batches were held',
        false,
      );
    }
    this.db.exec('COMMIT');
    this.held = undefined;
  }

  /** Rolls the open transaction back (if any), with what the index and claims kept of it. */
  private rollBack(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.held = undefined;
    this.idx.discard();
    this.claims?.discard();
  }

  /** After a commit: what it changed; the new channels and the old months leave memory. */
  private committed(
    state: ProjectionState,
    changes: ProjectionChanges,
    outputs: Pick<ProjectionOutputs, 'alerts' | 'tierMovements'>,
  ): ProjectionOutputs {
    const result: ProjectionOutputs = {
      ...outputs,
      changedMonths: changes.changedMonths(),
      lastClosed: state.lastClosed,
    };
    this.spillNewChannels(state, changes);
    this.evict(state, result.changedMonths);
    return result;
  }

  /** Writes the rows `changes` names. */
  private save(state: ProjectionState, changes: ProjectionChanges): void {
    const s = this.stmts;
    for (const id of changes.channels) {
      const c = state.channels.get(id);
      if (c === undefined) continue;
      s.putChannel.run(id, JSON.stringify(channelBodyOf(c)));
    }
    for (const [id, months] of changes.months) {
      const c = state.channels.get(id);
      if (c === undefined) continue;
      for (const m of months) {
        const f = c.months.get(m);
        if (f !== undefined) putMonthRow(s, id, m, f);
      }
    }
    if (changes.global) s.putGlobal.run(JSON.stringify(globalBodyOf(state)));
  }

  position(): Promise<number> {
    // Asked before every query of a process that does not project (the statement prepared once).
    this.follow();
    return Promise.resolve(this.stmts.getCheckpoint.get() ?? 0);
  }

  alerts(options: { afterSeq?: number } = {}): Promise<Alert[]> {
    const rows = this.follow()
      .prepare(`SELECT body FROM rm_alerts WHERE seq > ? ORDER BY seq`)
      .pluck()
      .all(options.afterSeq ?? 0) as string[];
    return Promise.resolve(rows.map((b) => JSON.parse(b) as Alert));
  }

  alertLog(afterSeq: number, limit: number): Promise<{ seq: number; alert: Alert }[]> {
    const rows = this.follow()
      .prepare(`SELECT seq, body FROM rm_alerts WHERE seq > ? ORDER BY seq LIMIT ?`)
      .all(afterSeq, limit) as { seq: number; body: string }[];
    return Promise.resolve(rows.map((r) => ({ seq: r.seq, alert: JSON.parse(r.body) as Alert })));
  }

  tierMovements(): Promise<TierMovement[]> {
    const rows = this.follow()
      .prepare(`SELECT body FROM rm_tier_movements ORDER BY seq`)
      .pluck()
      .all() as string[];
    return Promise.resolve(rows.map((b) => JSON.parse(b) as TierMovement));
  }

  reset(): Promise<void> {
    this.rollBack();
    const db = this.follow();
    resetReadModel(db);
    this.stale = false;
    migrateReadModel(db, this.logId, this.files?.projection);
    this.stmts = readModelStatements(this.db);
    this.idx.forgetKeys();
    this.claims = undefined;
    return Promise.resolve();
  }
}

/** The side-by-side operations of `files`, for the store whose current read model it points at. */
function sideBySide(
  files: ReadModelFiles,
  stale: () => boolean,
  fingerprintBits: number,
  buildInParts: ReadStoreOptions['buildInParts'],
): SideBySide {
  return {
    generation: () => files.pointer().generation,
    stale,
    beside(what): SideReadModel {
      const build = files.beside(what);
      const store = new SqliteReadStore(
        { db: build.db, logId: files.logId, claimLog: logClaimInputs(files.log) },
        fingerprintBits,
      );
      const resumedFrom =
        (build.db.prepare(`SELECT position FROM rm_checkpoint WHERE id = 1`).pluck().get() as
          number | undefined) ?? 0;
      return {
        ...build,
        store,
        resumedFrom,
        ...(buildInParts === undefined
          ? {}
          : { buildInParts: (o: PartsBuildOptions) => buildInParts(build, o) }),
      };
    },
    switchTo: (side) => files.switchTo(side as SlotBuild),
  };
}
