/**
 * The EventLog over EventStoreDB, the local file as its index and ledgers (see
 * `eventStoreDbStore.ts` for how it is opened).
 *
 * - Acceptance: `append` decides against the index brought up to `$all`'s head, and appends the
 *   accepted entries to `<ns>-log` expecting the log stream's revision the index held when the
 *   view was taken. When another node appended first, the server refuses; the node catches up
 *   and decides again with the newer view (at most `MAX_ATTEMPTS` times). So every batch is
 *   decided against the whole log before it, whichever node wrote it: outcomes are those of
 *   the log's order, and an eventId is accepted once across nodes.
 * - Two stores, no shared transaction: the journal (`commitJournal.ts`) makes a batch take
 *   effect once; a node recognises its own appends by the attempt ids in their metadata.
 * - Errors: every failure is an `EngineError`; `retriable` says whether to try again.
 */
import { randomUUID } from 'node:crypto';
import type { Counts, RejectedReport } from '@chanperf/domain';
import {
  acceptanceViewOf,
  EngineError,
  type AcceptanceFacts,
  type BatchDecider,
  type CommitResult,
  type EventLog,
  type Feed,
  type IngestBatch,
  type LogEntry,
  type NewLogEntry,
  type RejectedBytes,
  type RejectedRecord,
  type RejectedStore,
  type SourceCheckpoint,
} from '@chanperf/engine';
import type { SqliteStore } from '@chanperf/store-sqlite';
import type { EsdbLogger } from './client.js';
import { encodeBatch, type CommitJournal, type PendingCommit } from './commitJournal.js';
import type { LocalLogIndex } from './localIndex.js';
import { backoff, contended, MAX_ATTEMPTS, type LogWriter } from './logWriter.js';

/** Called at the points where a crash leaves a commit half done (what the journal is for). */
export type CrashPoint = (point: 'beforeLocalCommit' | 'beforeJournalCleared') => void;

export class EventStoreDbLog implements EventLog, Feed, RejectedStore, RejectedBytes {
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly commitKey: string;

  constructor(
    private readonly local: SqliteStore,
    private readonly index: LocalLogIndex,
    private readonly journal: CommitJournal,
    private readonly writer: LogWriter,
    namespace: string,
    private readonly crashPoint: CrashPoint | undefined,
    private readonly logger: EsdbLogger | undefined,
  ) {
    this.commitKey = `eventstoredb:${namespace}:commit`;
  }

  /** Completes a commit left in the journal (by a crash or a failed call), if any. */
  settle(): Promise<void> {
    return this.exclusive(() => this.settleNow());
  }

  /** Refuses new calls and waits for the ones under way. */
  async closing(): Promise<void> {
    this.closed = true;
    await this.lock;
  }

  async contents(eventIds: readonly string[]): Promise<Map<string, string>> {
    await this.settle();
    await this.index.pull();
    return this.local.log.contents(eventIds);
  }

  /**
   * Appends entries decided elsewhere (idempotent on eventId: one already in the log is
   * skipped and gets position 0) and commits the rest locally. When it throws, the batch stays
   * in the journal and the next call on this log completes it first (an identical retry just
   * completes it), so the caller must treat the outcome as unknown until then, as after a lost
   * acknowledgement.
   */
  commit(batch: IngestBatch): Promise<CommitResult> {
    return this.exclusive(async () => {
      const pending = this.journal.read();
      if (pending !== undefined && encodeBatch(pending.batch) === encodeBatch(batch)) {
        const before = await this.local.log.head();
        await this.complete(pending); // a retry of the commit that failed
        return { positions: await this.positionsOf(batch.accepted, before) };
      }
      if (pending !== undefined) await this.complete(pending);
      if (batch.accepted.length === 0) {
        await this.local.log.commit(batch); // nothing for EventStoreDB: one local transaction
        return { positions: [] };
      }
      const next: PendingCommit = {
        marker: await this.markerOf(batch),
        batch,
        attempts: [randomUUID()],
        from: undefined,
        revision: undefined,
      };
      this.journal.write(next);
      await this.index.pull();
      const before = await this.local.log.head();
      await this.complete(next);
      return { positions: await this.positionsOf(batch.accepted, before) };
    });
  }

  /**
   * Decides against the log as the index holds it and appends what the decider accepted at the
   * revision of that view; decides again, with the newer view, when another writer appended
   * first. Entries of a split batch that went before such a refusal stay in the log: the
   * decision again sees them as the log's (duplicates) and the batch's counts keep them as
   * accepted by this node (they carry its attempt id).
   */
  append(
    eventIds: readonly string[],
    decide: BatchDecider,
  ): Promise<{ batch: IngestBatch; positions: readonly number[] }> {
    return this.exclusive(async () => {
      await this.settleNow();
      const attempts: string[] = [];
      let carried = 0;
      let first: Pick<PendingCommit, 'marker' | 'from'> | undefined;
      for (let attempt = 1; ; attempt++) {
        await this.index.pull();
        const at = this.index.upTo();
        const view = acceptanceViewOf(
          await this.local.log.acceptanceFacts(),
          await this.local.log.contents(eventIds),
        );
        const batch = credit(decide(view), carried);
        first ??= { marker: await this.markerOf(batch), from: at.position };
        if (batch.accepted.length === 0) {
          await this.local.log.commit({ ...batch, checkpoint: first.marker });
          this.journal.clear(); // a refused attempt's, whose entries this batch counted
          return { batch, positions: [] };
        }
        attempts.push(randomUUID());
        const revision = at.revision ?? -1n;
        const pending: PendingCommit = { ...first, batch, attempts: [...attempts], revision };
        this.journal.write(pending);
        const before = await this.local.log.head();
        const out = await this.writer.appendAt(batch.accepted, attempts[attempts.length - 1] ?? '', revision);
        if (out.kind === 'appended') {
          await this.index.ensureIndexed(batch.accepted.map((e) => e.eventId));
          await this.commitLocal(pending);
          return { batch, positions: await this.positionsOf(batch.accepted, before) };
        }
        carried += out.appended;
        if (carried === 0) this.journal.clear(); // nothing of it reached the log
        this.logger?.debug(
          { attempt, carried, current: out.current.toString() },
          'another writer appended first',
        );
        await this.index.caughtUpTo(out.current);
        if (attempt >= MAX_ATTEMPTS) throw contended();
        await backoff(attempt);
      }
    });
  }

  async head(): Promise<number> {
    this.checkOpen();
    await this.index.pull();
    return this.local.log.head();
  }

  async acceptanceFacts(): Promise<AcceptanceFacts> {
    await this.settle();
    await this.index.pull();
    return this.local.log.acceptanceFacts();
  }

  async sourceCheckpoint(key: string): Promise<SourceCheckpoint | undefined> {
    await this.settle();
    return this.local.log.sourceCheckpoint(key);
  }

  async counts(): Promise<Counts> {
    await this.settle();
    return this.local.log.counts();
  }

  /** Entries of the local index; `head()` or the subscription bring it up to date. */
  read(after: number, limit: number): Promise<LogEntry[]> {
    this.checkOpen();
    return this.local.log.read(after, limit);
  }

  async list(options?: { readonly afterId?: number; readonly limit?: number }): Promise<RejectedRecord[]> {
    await this.settle();
    return this.local.log.list(options);
  }

  async get(id: number): Promise<RejectedRecord | undefined> {
    await this.settle();
    return this.local.log.get(id);
  }

  async rawBytes(id: number): Promise<Uint8Array | undefined> {
    await this.settle();
    return this.local.log.rawBytes(id);
  }

  async forReport(): Promise<RejectedReport[]> {
    await this.settle();
    return this.local.log.forReport();
  }

  private async settleNow(): Promise<void> {
    const pending = this.journal.read();
    if (pending !== undefined) await this.complete(pending);
  }

  /** The batch's source checkpoint, or the next number under the log's own key. */
  private async markerOf(batch: IngestBatch): Promise<SourceCheckpoint> {
    return (
      batch.checkpoint ?? {
        key: this.commitKey,
        offset: ((await this.local.log.sourceCheckpoint(this.commitKey))?.offset ?? 0) + 1,
        line: 0,
      }
    );
  }

  /** Rolls a journaled batch forward: what is missing of it in the log, then the local part. */
  private async complete(pending: PendingCommit): Promise<void> {
    if (await this.applied(pending.marker)) {
      this.journal.clear();
      return;
    }
    if (pending.batch.accepted.length > 0) {
      await this.index.pull();
      if (pending.revision === undefined) await this.appendMissing(pending);
      else if (!(await this.finishDecided(pending, pending.revision))) return;
    }
    await this.commitLocal(pending);
  }

  private async applied(marker: SourceCheckpoint): Promise<boolean> {
    const stored = await this.local.log.sourceCheckpoint(marker.key);
    return stored !== undefined && stored.offset === marker.offset && stored.line === marker.line;
  }

  /** Entries decided elsewhere: appends those not in the log yet, wherever its head is. */
  private async appendMissing(pending: PendingCommit): Promise<void> {
    const attempt = pending.attempts[0] ?? randomUUID();
    for (let round = 1; ; round++) {
      const known = await this.local.log.contents(pending.batch.accepted.map((e) => e.eventId));
      const todo = firstOccurrences(pending.batch.accepted, new Set(known.keys()));
      if (todo.length === 0) return;
      const revision = await this.index.atRest((at) => Promise.resolve(at.revision ?? -1n));
      const out = await this.writer.appendAt(todo, attempt, revision);
      if (out.kind === 'appended') {
        await this.index.ensureIndexed(todo.map((e) => e.eventId));
        return;
      }
      await this.index.caughtUpTo(out.current);
      if (round >= MAX_ATTEMPTS) throw contended();
    }
  }

  /**
   * A decided batch after a crash, a lost acknowledgement or a failed call: its entries this
   * node appended are recognised by attempt id; the rest go at the revision the decision
   * expected. When another writer appended since, they cannot (the decision is stale): the
   * batch is replaced by what did reach the log, counted as this node's, and the rest is
   * dropped, as if its inputs had never arrived (the sender, told the call failed, resends;
   * a file resumes from its checkpoint). False when the replacement was completed instead.
   */
  private async finishDecided(pending: PendingCommit, revision: bigint): Promise<boolean> {
    const ours = await this.index.appendedBy(new Set(pending.attempts), pending.from);
    const missing = pending.batch.accepted.filter((e) => !ours.has(e.eventId));
    if (missing.length === 0) return true;
    const went = pending.batch.accepted.length - missing.length;
    const attempt = pending.attempts[pending.attempts.length - 1] ?? randomUUID();
    const out = await this.writer.appendAt(missing, attempt, revision + BigInt(went));
    if (out.kind === 'appended') {
      await this.index.ensureIndexed(missing.map((e) => e.eventId));
      return true;
    }
    const kept = ours.size + out.appended;
    this.logger?.warn(
      { kept, dropped: missing.length - out.appended },
      'a journaled batch met another writer: the part not in the log is dropped',
    );
    const replaced: PendingCommit = {
      marker: await this.markerOf({ accepted: [], rejected: [], counts: NO_COUNTS }),
      batch: { accepted: [], rejected: [], counts: { ...NO_COUNTS, lines: kept, accepted: kept } },
      attempts: pending.attempts,
      from: pending.from,
      revision: undefined,
    };
    this.journal.write(replaced);
    await this.complete(replaced);
    return false;
  }

  /** The local part, once (its marker is stored in the same transaction), then the journal cleared. */
  private async commitLocal(pending: PendingCommit): Promise<void> {
    const { batch, marker } = pending;
    this.crashPoint?.('beforeLocalCommit');
    await this.local.log.commit({
      accepted: [],
      rejected: batch.rejected,
      counts: batch.counts,
      checkpoint: marker,
      ...(batch.redriven !== undefined ? { redriven: batch.redriven } : {}),
    });
    this.crashPoint?.('beforeJournalCleared');
    this.journal.clear();
  }

  /**
   * Where the entries landed: each one indexed after `before` with the very same content gets
   * its position (the first occurrence of an eventId only); anything else 0. Exact, because
   * an in-process hand-over to the projection trusts these positions.
   */
  private async positionsOf(accepted: readonly NewLogEntry[], before: number): Promise<number[]> {
    const head = await this.local.log.head();
    const indexed = new Map<string, LogEntry>();
    for (let after = before; after < head;) {
      const page = await this.local.log.read(after, 1000);
      if (page.length === 0) break;
      for (const e of page) indexed.set(e.eventId, e);
      after = page[page.length - 1]?.position ?? head;
    }
    const used = new Set<string>();
    return accepted.map((e) => {
      const hit = indexed.get(e.eventId);
      if (hit === undefined || hit.payload !== e.payload || used.has(e.eventId)) return 0;
      used.add(e.eventId);
      return hit.position;
    });
  }

  private checkOpen(): void {
    if (this.closed) throw new EngineError('ESDB_CLOSED', 'the EventStoreDB log is closed', false);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.checkOpen();
    const run = this.lock.then(fn);
    this.lock = run.catch(() => undefined);
    return run;
  }
}

const NO_COUNTS: Counts = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };

/**
 * A batch decided again after `carried` of its entries went to the log under an earlier
 * attempt: the decision sees them as duplicates; they are this node's, so counted accepted.
 */
function credit(batch: IngestBatch, carried: number): IngestBatch {
  if (carried === 0) return batch;
  const c = batch.counts;
  return {
    ...batch,
    counts: { ...c, accepted: c.accepted + carried, duplicates: c.duplicates - carried },
  };
}

/** The entries not in `known`, each eventId once (the first occurrence stays). */
function firstOccurrences(entries: readonly NewLogEntry[], known: Set<string>): NewLogEntry[] {
  const seen = new Set(known);
  return entries.filter((e) => {
    if (seen.has(e.eventId)) return false;
    seen.add(e.eventId);
    return true;
  });
}
