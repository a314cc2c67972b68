/**
 * Narrow ports onto what the adapters and services keep beside the event log (DESIGN.md
 * "Ports", "Concurrency: the log decides"): they meet through these, never through a shared
 * database handle. Each says what it guarantees, so every writer gets the same guarantees
 * and another log implementation (EventStoreDB) can offer the same; the embedded store
 * (`@chanperf/store-sqlite`) implements them all in the log's file.
 *
 * The alerting service's delivery ledger is not here: its records and statuses are that
 * service's own contract (`services/alerting/src/deliveryLedger.ts`), which the store
 * implements structurally.
 *
 * The calls are synchronous, like the code that uses them: an implementation keeps this state
 * locally (in the embedded file, or a node's local file beside a remote log). Every write is
 * committed when the call returns.
 */

import type { MoneyRow, PromotionRow, TrainingRow } from '@chanperf/domain';

/**
 * The rows `ChannelLog` answers with are the domain's (`explain` and a channel's trainings
 * take them as plain data); re-exported here for the adapters that produce them.
 */
export type { MoneyRow, PromotionRow, TrainingRow };

/**
 * The log's events of one channel (and the program's promotions), for `explain` and a
 * channel's trainings. Read-only: it never changes what the log holds. Every read is bounded
 * by a position (the read model's), so an answer describes the same moment as the figures
 * next to it, whatever other writers append meanwhile. Iterators stream: a channel with a
 * long history is not loaded into memory at once (finish or `return()` them before the next
 * write on the same connection).
 */
export interface ChannelLog {
  /**
   * Optional: resolves once reads up to `upTo` (or the log's head, if lower) have nothing left
   * to prepare, preparing it in slices that yield to the event loop between them. A server
   * awaits it before a read, so catching up after a bulk load delays that request only, not
   * every request behind it; the synchronous reads below prepare what is left themselves.
   */
  caughtUp?(upTo: number): Promise<void>;
  /** Sales and returns of a channel with position ≤ upTo, in log order. */
  moneyEvents(channelId: string, upTo: number): IterableIterator<MoneyRow>;
  /** The latest SaleRecorded of (channel, orderId, sku) with position < before. */
  latestSaleBefore(channelId: string, orderId: string, sku: string, before: number): MoneyRow | undefined;
  /** Every PromotionScheduled with position ≤ upTo, in log order. */
  promotions(upTo: number): PromotionRow[];
  /** TrainingCompleted events of a channel with position ≤ upTo, in log order. */
  trainingEvents(channelId: string, upTo: number): IterableIterator<TrainingRow>;
}

/**
 * The rejected store's bytes: `RejectedRecord.raw` comes back as text, but an input is kept
 * exactly as received (invalid UTF-8 included), and an edge that forwards it (the Kafka
 * `rejected` topic) must carry those bytes.
 */
export interface RejectedBytes {
  /** The stored bytes of rejected input `id`, as received; undefined when there is no such id. */
  rawBytes(id: number): Promise<Uint8Array | undefined>;
}

/** The durable state of one named outbox (see `OutboxStore`). */
export interface OutboxState {
  /** The last published sequence number (0: none). */
  readonly position: number;
  /** The last seq of a batch that may have been sent but is not known published; null: none. */
  readonly inDoubtTo: number | null;
}

/**
 * One outbox's cursor: how far an ordered source (alert log, rejected store) has been
 * published, the batch in doubt, the lease that lets exactly one process publish, and (for
 * sources whose items have stable ids) the ids published. It survives read-model rebuilds.
 *
 * Guarantees, for any number of processes sharing the store:
 * - `acquire` is a compare-and-set: at most one owner holds the lease at a time, until it
 *   releases it or lets it expire;
 * - `markInDoubt` and `markPublished` change nothing unless `owner` still holds the row, and
 *   say so; `markPublished` moves the position, clears the doubt and records the ids in one
 *   transaction.
 */
export interface OutboxCursor {
  readonly name: string;
  state(): OutboxState;
  /**
   * Takes or extends the lease for `owner` until `until` (ms) when it is free, already
   * `owner`'s, or expired (`lease until` < `now`); answers whether `owner` holds it now.
   */
  acquire(owner: string, until: number, now: number): boolean;
  /** Records that the batch up to `to` is being sent; false when `owner` lost the lease. */
  markInDoubt(owner: string, to: number): boolean;
  /** Records the batch up to `to` published, with its items' `ids`; false when `owner` lost the lease. */
  markPublished(owner: string, to: number, ids: readonly string[]): boolean;
  /** Whether an item with this id was published through this outbox before. */
  published(id: string): boolean;
  /** Gives the lease up if `owner` holds it. */
  release(owner: string): void;
}

/** The outboxes of a log, by name; a cursor starts at position 0 on first use. */
export interface OutboxStore {
  outbox(name: string): OutboxCursor;
}

/** A commit in flight across two stores, as its journal keeps it (texts are the owner's encoding). */
export interface JournalEntry {
  /** The marker the local part stores with its commit (so it is applied at most once). */
  readonly marker: string;
  readonly batch: string;
}

/**
 * A write-ahead journal of one slot, for a commit that spans the log and a second store
 * (EventStoreDB + the node's local file): written before the commit starts, read back after
 * a crash to complete it, cleared once it is done. `write` replaces the slot.
 */
export interface CommitJournalStore {
  read(): JournalEntry | undefined;
  write(entry: JournalEntry): void;
  clear(): void;
}

/**
 * What happened to each alert, by its deterministic id (the alerting service's durable state):
 * - `pending`: written to the log; webhook delivery not done yet (in progress or interrupted).
 * - `logged`: written to the log while no webhook was configured; sent if one is configured later.
 * - `delivered`: the webhook answered 2xx.
 * - `failed`: the webhook kept failing for the whole time budget; given up (dead letter).
 */
export type DeliveryStatus = 'pending' | 'logged' | 'delivered' | 'failed';

export interface DeliveryRecord {
  readonly alertId: string;
  readonly status: DeliveryStatus;
  /** Webhook attempts so far, over all runs. */
  readonly attempts: number;
  /** The last failure (the alerting service redacts URLs before it is stored). */
  readonly lastError: string | null;
  /** When the webhook answered 2xx, or (status `logged`) when the alert was logged. */
  readonly deliveredAt: string | null;
}

/**
 * The delivery ledger: every write commits on return and survives restarts and read-model
 * rebuilds (a rebuild renumbers the alert log; ids stay the same, so nothing is re-sent). The
 * updates of an alert without a record throw.
 */
export interface DeliveryLedger {
  get(alertId: string): DeliveryRecord | undefined;
  /** The alert was written to the log; no-op when a record exists already. */
  recordLogged(alertId: string, status: 'pending' | 'logged', at: string): void;
  /** `recordLogged` for each alert, all in one commit. */
  recordAllLogged(alertIds: readonly string[], status: 'pending' | 'logged', at: string): void;
  /** One webhook attempt failed; the alert stays due. */
  recordAttemptFailed(alertId: string, error: string): void;
  recordDelivered(alertId: string, at: string): void;
  /** Gave up after a failed attempt (that attempt is counted here). */
  recordGivenUp(alertId: string, error: string): void;
  /** Makes every `failed` alert due again; returns how many. */
  redriveFailed(): number;
}
