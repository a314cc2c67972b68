/**
 * Ports of the as-of history (issue 18, "What did we report then?"): where the versions of the
 * projection state are kept, and what the log records of each of its commits. The embedded
 * store implements both (`@chanperf/store-sqlite`, `asOfStore.ts` and `logCommits.ts`).
 */
import type { Counts, RejectedReport } from '@chanperf/domain';

/**
 * What one row of the history holds, after the event at `position`:
 * - `channel`: a channel's state but its months (key: channelId);
 * - `month`: a channel-month's facts (key: `channelId\0month`), only when they changed;
 * - `global`: the program-wide facts;
 * - `alert` / `tierMovement`: a derived fact raised at that position;
 * - `claimInput`: (v2) a price-protection claim input (key: `channelId\0sku`).
 */
export type HistoryKind =
  'channel' | 'month' | 'global' | 'alert' | 'tierMovement' | 'claimInput' | 'claimStash';

export interface HistoryRow {
  readonly position: number;
  readonly kind: HistoryKind;
  readonly key: string;
  /** The value, `node:v8`-serialised (Maps, Sets and bigints survive). */
  readonly body: Uint8Array;
}

/** A serialised projection state (claim inputs aside) as of `position`. */
export interface StateSnapshot {
  readonly position: number;
  readonly body: Uint8Array;
}

/**
 * The history of the projection state, derived from the log and disposable (dropped and
 * rebuilt like a read model). Synchronous, like the read model's index: a local file.
 */
export interface AsOfStore {
  /** The log position the history reflects (0 when empty). */
  checkpoint(): number;
  /**
   * Appends `rows` and `snapshots` and moves the checkpoint from `from` to `to`, in one
   * transaction; a compare-and-set: false (nothing written) when the checkpoint is not `from`
   * (another process wrote the history meanwhile).
   */
  commit(from: number, to: number, rows: readonly HistoryRow[], snapshots: readonly StateSnapshot[]): boolean;
  /** The latest snapshot at or before `position`. */
  snapshotAtOrBefore(position: number): StateSnapshot | undefined;
  /** Rows of `kinds` with `after` < position ≤ `upTo`, in the order written. */
  rowsBetween(after: number, upTo: number, kinds: readonly HistoryKind[]): IterableIterator<HistoryRow>;
  /**
   * Rows of one kind and key (`prefix`: every key that starts with `key`) with position ≤
   * `upTo`, in the order written.
   */
  rowsOf(kind: HistoryKind, key: string, upTo: number, prefix?: boolean): HistoryRow[];
  /** The last row of one kind and key with position ≤ `upTo` (the value as it stood then). */
  latestOf(kind: HistoryKind, key: string, upTo: number): HistoryRow | undefined;
  /** The keys of `kind` with a row at or before `upTo`, each once (the channels that existed). */
  keysOf(kind: HistoryKind, upTo: number): string[];
  /** Drops the history (the next build starts from the log's beginning). */
  reset(): void;
}

/** What the log recorded at one of its commits (an append batch, all or nothing). */
export interface LogCommit {
  /** The log's head after the commit. */
  readonly head: number;
  /** When the commit was made: Unix milliseconds of the appending process's clock. */
  readonly appendedAt: number;
  /** The ingestion counts after the commit (cumulative). */
  readonly counts: Counts;
  /** The id of the last rejected input recorded by then (0: none). */
  readonly lastRejectedId: number;
}

/** The log's commit records: append times, counts and rejections as they stood. */
export interface LogCommits {
  /** The last commit whose head is at or before `position` (the log as it stood at `position`). */
  atPosition(position: number): LogCommit | undefined;
  /** The last commit appended at or before `instantMs`; undefined when none (or none recorded). */
  atInstant(instantMs: number): LogCommit | undefined;
  /** Whether the log records commits at all (logs of older versions, other adapters: no). */
  recorded(): boolean;
  /** The report's `rejected` entries with id ≤ `lastId`, in the order rejected. */
  rejectedUpTo(lastId: number): RejectedReport[];
}
