/**
 * Ports of the engine (DESIGN.md "Ports"). Adapters: in-memory (this package), SQLite
 * (`@chanperf/store-sqlite`), and later EventStoreDB and Kafka. Infrastructure failures are
 * thrown `EngineError`s; business outcomes (rejections) are values.
 */
import type { Logger } from 'pino';
import type {
  AcceptanceState,
  Alert,
  ChannelProjection,
  Counts,
  DeploymentSettings,
  Month,
  ParentFact,
  ProjectionChanges,
  ProjectionIndex,
  ProjectionSink,
  ProjectionState,
  RejectedReport,
  RejectionCode,
  TierMovement,
} from '@chanperf/domain';

/** An accepted event as the log stores it. */
export interface NewLogEntry {
  readonly eventId: string;
  readonly type: string;
  readonly channelId: string | null;
  /** Canonical JSON of the event's known fields (what duplicates are compared with). */
  readonly payload: string;
}

export interface LogEntry extends NewLogEntry {
  /** 1-based, gap-free, in log order. */
  readonly position: number;
}

/** A rejected input, kept with its raw bytes so it can be corrected and redriven. */
export interface RejectedInput {
  /** Where it came from: `file:basic.ndjson`, `http`, `kafka:topic/partition/offset`. */
  readonly source: string;
  /** 1-based line number within the source, when it has lines. */
  readonly line: number | null;
  readonly eventId: string | null;
  readonly code: RejectionCode;
  readonly message: string;
  /** The input exactly as received. */
  readonly raw: string | Uint8Array;
}

export interface RejectedRecord extends RejectedInput {
  readonly id: number;
  /** `open` until redriven; `redriven` once a retry was accepted or duplicate. */
  readonly status: 'open' | 'redriven';
}

/** How far a resumable source (a file) has been ingested. */
export interface SourceCheckpoint {
  readonly key: string;
  /** Byte offset just after the last committed line. */
  readonly offset: number;
  /** Number of the last committed line (1-based; 0 = none). */
  readonly line: number;
  /**
   * sha256 (hex) of the source's bytes before `offset` (files), so a resume can check that
   * they are the ones ingested; absent for other sources and for checkpoints of older versions.
   */
  readonly prefixHash?: string;
}

/** Everything one ingestion batch produced; an adapter commits it atomically. */
export interface IngestBatch {
  readonly accepted: readonly NewLogEntry[];
  readonly rejected: readonly RejectedInput[];
  /** Increments of the report's counts. */
  readonly counts: Counts;
  readonly checkpoint?: SourceCheckpoint;
  /** Rejected records this batch redrove successfully. */
  readonly redriven?: readonly number[];
}

/** Where a commit put the accepted entries. */
export interface CommitResult {
  /** Parallel to `batch.accepted`: the entry's position, or 0 when it was already in the log. */
  readonly positions: readonly number[];
}

/** Facts the acceptance checks need, as of the log's head. */
export interface AcceptanceFacts {
  readonly channels: readonly string[];
  readonly promotions: readonly string[];
  readonly lastClosed: Month | null;
  /** (v2) The changeIds of the accepted price changes. */
  readonly priceChanges: readonly string[];
  /** (v2) The accepted parent assignments, in log order per channel. */
  readonly parentAssignments: readonly ParentFact[];
}

/**
 * What the log holds as of its head, seen from inside an append: the acceptance state
 * (registered channels, promotions, last closed month, v2 price changes and parent
 * assignments) and the canonical content of the
 * accepted events the decider asks about.
 */
export interface AcceptanceView {
  /** A copy of the acceptance state at the head: the decider may fold its own events into it. */
  readonly acceptance: AcceptanceState;
  /** Canonical content of an accepted event with this eventId, if the log holds one. */
  content(eventId: string): string | undefined;
}

/**
 * Decides a batch against the log as it stands: pure in the view (it may be called again,
 * with a newer view, when another writer appended first).
 */
export type BatchDecider = (view: AcceptanceView) => IngestBatch;

/** The event log: the system of record. Appends are idempotent on `eventId`. */
export interface EventLog {
  /**
   * The append that decides (DESIGN.md "Concurrency: the log decides"): brings the acceptance
   * state and the eventIds up to the log's head inside the write, calls `decide` with that view
   * (`content` answers for `eventIds`, the ids the decider will ask about), and commits the batch
   * it returns, all or nothing. Outcomes are those of some serial order of every writer's
   * batches, whatever the number of processes; every entry the returned batch accepts is
   * appended (positions are never 0 here).
   */
  append(
    eventIds: readonly string[],
    decide: BatchDecider,
  ): Promise<{
    readonly batch: IngestBatch;
    readonly positions: readonly number[];
  }>;
  /** Canonical contents of already accepted events, by eventId (absent ids are omitted). */
  contents(eventIds: readonly string[]): Promise<Map<string, string>>;
  /**
   * Appends already decided entries and records rejections, counts and the source checkpoint,
   * all or nothing. An entry whose eventId is already in the log is skipped (idempotence). The
   * low-level write under `append`: ingestion always goes through `append`.
   */
  commit(batch: IngestBatch): Promise<CommitResult>;
  /** Position of the last appended entry (0 when empty). */
  head(): Promise<number>;
  /**
   * Optional: about `appends` more entries are coming (a file's estimated lines), so an index
   * that grows with the log may make its room at once rather than grow step by step on the way.
   * Only a hint: nothing depends on it being right.
   */
  reserve?(appends: number): void;
  /** The acceptance facts at the head (for inspection; `append` brings its own view). */
  acceptanceFacts(): Promise<AcceptanceFacts>;
  sourceCheckpoint(key: string): Promise<SourceCheckpoint | undefined>;
  counts(): Promise<Counts>;
}

/** Reads the log in order from a position. */
export interface Feed {
  /** Up to `limit` entries with position > `after`, ascending: a new array, the caller's to empty. */
  read(after: number, limit: number): Promise<LogEntry[]>;
  /**
   * Optional, for a log read synchronously: the payloads of what `read(after, limit)` would
   * answer, as a batch read a chunk at a time while it is iterated. A projection batch (50 000
   * entries) then holds a chunk of rows at a time, not ~20 MB of them that outlive the young
   * generation and are copied twice by the scavenger before they die; and a payload is one
   * string, not an object of five fields (a rebuild reads its log 3× faster).
   */
  readBatch?(after: number, limit: number): LazyBatch;
}

/** Log entries' payloads read as they are iterated (`Feed.readBatch`). */
export interface LazyBatch {
  /** The position of the batch's last entry (`after` when the batch is empty). */
  readonly last: number;
  /**
   * The payloads of its entries, ascending, positions `after + 1` … `last` (positions are
   * gap-free): iterate once, in a synchronous stretch.
   */
  readonly payloads: Iterable<string>;
}

/** Rejected inputs: for inspection, correction and redrive. */
export interface RejectedStore {
  list(options?: { readonly afterId?: number; readonly limit?: number }): Promise<RejectedRecord[]>;
  get(id: number): Promise<RejectedRecord | undefined>;
  /** The report's `rejected` list, in the order inputs were rejected. */
  forReport(): Promise<RejectedReport[]>;
}

/** What one projection batch derived. */
export interface ProjectionOutputs {
  readonly alerts: Alert[];
  readonly tierMovements: TierMovement[];
  /** Channel-months whose facts changed in the batch. */
  readonly changedMonths: { readonly channelId: string; readonly month: Month }[];
  /** The last closed month after the batch. */
  readonly lastClosed: Month | null;
}

/** The read model: projection state, its growing index, derived facts and the checkpoint. */
export interface ReadStore {
  readonly index: ProjectionIndex;
  /** The saved state and the position it reflects (0 and the initial state when new). */
  load(): Promise<{ state: ProjectionState; position: number }>;
  /**
   * Runs `apply` (which evolves `state`, writes through `index` and `sink`, and marks what it
   * changed in `changes`), then saves what changed in `state`, the derived facts and
   * `position` in ONE transaction. When `apply` throws, nothing is saved and `state` must be
   * reloaded.
   */
  applyBatch(
    state: ProjectionState,
    position: number,
    apply: (sink: ProjectionSink, changes: ProjectionChanges) => void,
    /**
     * The checkpoint this batch continues from. When given, the checkpoint write is a
     * compare-and-set: a read model another projector moved on since fails the batch with
     * `PROJECTION_FENCED` and saves nothing, so two projectors can never interleave batches.
     */
    from?: number,
    /**
     * Leaves the transaction open, the rows the batch changed unwritten, for the next batches
     * to join (`commitHeld`, or the next batch applied without `hold`, saves and commits them
     * all): what several batches change is written once. Until then nothing of them is visible
     * to others, and a load gives them up. A held batch's outputs name no changed months: the
     * committing batch names the whole group's. A store without `commitHeld` commits anyway.
     */
    hold?: boolean,
  ): ProjectionOutputs;
  /** Saves and commits the batches held (undefined: none were). */
  commitHeld?(state: ProjectionState): ProjectionOutputs | undefined;
  /** The log position the saved read model reflects. */
  position(): Promise<number>;
  alerts(options?: { readonly afterSeq?: number }): Promise<Alert[]>;
  /** Alerts with their sequence numbers (1-based, in the order raised), after `afterSeq`. */
  alertLog(afterSeq: number, limit: number): Promise<{ readonly seq: number; readonly alert: Alert }[]>;
  tierMovements(): Promise<TierMovement[]>;
  /** Drops the read model so the next load starts from the beginning of the log. */
  reset(): Promise<void>;
  /** Read models kept side by side (SQLite): absent where a rebuild can only reset in place. */
  readonly sideBySide?: SideBySide | undefined;
}

/**
 * Read models of one projection kept side by side (docs/architecture.md "Read models side by
 * side"): the current one answers while another is built beside it from the log; a pointer
 * moves to the new one in one transaction once it has caught up with the log's head.
 */
export interface SideBySide {
  /** Moves on each switch (by any process): a state loaded before a change is stale. */
  generation(): number;
  /** The current read model was made by another version of the projection: build one beside. */
  stale(): boolean;
  /**
   * The read model beside the current one: an interrupted build of the same version is
   * resumed, anything else there is emptied. Throws `REBUILD_RUNNING` while another live
   * process builds it.
   */
  beside(what: string): SideReadModel;
  /** Makes `side` current if it reflects the log's head, in one transaction; false otherwise. */
  switchTo(side: SideReadModel): boolean;
}

export interface SideReadModel {
  readonly store: ReadStore;
  /** The position the build resumes from (0: a fresh build). */
  readonly resumedFrom: number;
  /**
   * Optional: projects the log as it stands into this (fresh) read model in parts at once —
   * each part's channels on a thread of its own, merged in one transaction — and answers the
   * position reached (0 when it declined: a log too small, or parts turned off). The build then
   * goes on from there as usual.
   */
  buildInParts?(options: PartsBuildOptions): Promise<number>;
  /** Ends the build (gives up its lease and connection); the read model stays where it is. */
  close(): void;
}

/** What a build in parts projects with (`SideReadModel.buildInParts`). */
export interface PartsBuildOptions {
  readonly settings: DeploymentSettings;
  readonly projection: ChannelProjection;
  readonly batchSize?: number;
  readonly commitEvery?: number;
  /** Called as the parts commit, with the position every part has reached. */
  readonly onBatch?: (position: number) => void;
  readonly logger?: Logger;
}

/**
 * A named lease (DESIGN.md "one projector per read model"): at most one live holder at a time,
 * held while renewed, taken over once it expires or its holder's process is gone.
 */
export interface Lease {
  readonly name: string;
  /** Takes the lease when free, expired or already ours; answers whether we hold it now. */
  tryAcquire(): boolean;
  /** Extends our hold; false when it was lost (another holder took it over after expiry). */
  renew(): boolean;
  /** Gives the lease up if we hold it. */
  release(): void;
  /** The live holder, if any (ourselves included). */
  holder(): LeaseHolder | undefined;
}

export interface LeaseHolder {
  readonly owner: string;
  readonly pid: number;
  readonly host: string;
  /** What holds it, for people: `chanperf serve`, `chanperf ingest day1.ndjson`. */
  readonly what: string;
  /** Unix milliseconds (infrastructure time, never the domain's). */
  readonly expiresAt: number;
}

/** The leases of the services: one projector per read model, one alert deliverer per log. */
export const PROJECTOR_LEASE = 'projector';
export const ALERTING_LEASE = 'alerting';

/** "pid 4711 on host-a (chanperf serve)", for the lines that say who waits for whom. */
export function describeHolder(h: LeaseHolder): string {
  return `pid ${h.pid} on ${h.host} (${h.what})`;
}

/** An infrastructure failure (KafkaJS style): a code, whether retrying may help, a cause. */
export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EngineError';
  }
}
