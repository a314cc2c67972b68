/**
 * Ports of the engine (DESIGN.md "Ports"). Adapters: in-memory (this package), SQLite
 * (`@chanperf/store-sqlite`), and later EventStoreDB and Kafka. Infrastructure failures are
 * thrown `EngineError`s; business outcomes (rejections) are values.
 */
import type {
  Alert,
  Counts,
  Month,
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
}

/** The event log: the system of record. Appends are idempotent on `eventId`. */
export interface EventLog {
  /** Canonical contents of already accepted events, by eventId (absent ids are omitted). */
  contents(eventIds: readonly string[]): Promise<Map<string, string>>;
  /**
   * Appends the accepted entries and records rejections, counts and the source checkpoint,
   * all or nothing. An entry whose eventId is already in the log is skipped (idempotence).
   */
  commit(batch: IngestBatch): Promise<CommitResult>;
  /** Position of the last appended entry (0 when empty). */
  head(): Promise<number>;
  acceptanceFacts(): Promise<AcceptanceFacts>;
  sourceCheckpoint(key: string): Promise<SourceCheckpoint | undefined>;
  counts(): Promise<Counts>;
}

/** Reads the log in order from a position. */
export interface Feed {
  /** Up to `limit` entries with position > `after`, ascending. */
  read(after: number, limit: number): Promise<LogEntry[]>;
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
   * Runs `apply` (which evolves `state` and writes through `index` and `sink`), then saves
   * what changed in `state`, the derived facts and `position` in ONE transaction. When
   * `apply` throws, nothing is saved and `state` must be reloaded.
   */
  applyBatch(
    state: ProjectionState,
    position: number,
    apply: (sink: ProjectionSink) => void,
  ): ProjectionOutputs;
  /** The log position the saved read model reflects. */
  position(): Promise<number>;
  alerts(options?: { readonly afterSeq?: number }): Promise<Alert[]>;
  /** Alerts with their sequence numbers (1-based, in the order raised), after `afterSeq`. */
  alertLog(afterSeq: number, limit: number): Promise<{ readonly seq: number; readonly alert: Alert }[]>;
  tierMovements(): Promise<TierMovement[]>;
  /** Drops the read model so the next load starts from the beginning of the log. */
  reset(): Promise<void>;
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
