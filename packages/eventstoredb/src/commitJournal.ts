/**
 * The journal that makes a commit across two stores safe.
 *
 * A commit writes the accepted entries to EventStoreDB and the rest of the batch (rejected
 * inputs, counts, the source checkpoint) to the local SQLite file. No transaction spans both,
 * so the batch is first written here; then appended; then committed locally with a marker
 * checkpoint; then the journal is cleared. After a crash or a failed call, whatever is in the
 * journal is completed ("rolled forward") before the log does anything else:
 * - the node recognises its own appends: every event carries the id of the append attempt that
 *   wrote it, and the journal lists the batch's attempts, so reading `$all` from where the
 *   batch was decided tells which of its entries are in the log as this node's; the others are
 *   appended at the revision the decision expected, or, when another writer appended since,
 *   not at all (see `logWriter.ts`);
 * - the local part is committed at most once: its marker checkpoint (the batch's own source
 *   checkpoint, or a sequence number under the log's own key) is written in the same SQLite
 *   transaction, and a batch whose marker is already stored is not committed again.
 * So a batch takes effect exactly once, even though no single transaction covers it.
 */
import type { AllPosition } from './positions.js';
import type {
  CommitJournalStore,
  IngestBatch,
  NewLogEntry,
  RejectedInput,
  SourceCheckpoint,
} from '@chanperf/engine';

export interface PendingCommit {
  /** Stored by the local commit; present in the store means "local part already applied". */
  readonly marker: SourceCheckpoint;
  readonly batch: IngestBatch;
  /** The append attempts that may have written entries of this batch (metadata `batch`). */
  readonly attempts: readonly string[];
  /** The `$all` position the batch was decided at: its entries can only be after it. */
  readonly from: AllPosition | undefined;
  /**
   * A decided batch (`EventLog.append`): the log stream's revision its entries follow. Absent
   * for `commit` of entries decided elsewhere, which are appended wherever the log's head is.
   */
  readonly revision: bigint | undefined;
}

interface StoredMarker {
  readonly key: string;
  readonly offset: number;
  readonly line: number;
  readonly attempts?: readonly string[];
  readonly from?: { readonly commit: string; readonly prepare: string } | null;
  readonly revision?: string | null;
}

interface StoredRejected extends Omit<RejectedInput, 'raw'> {
  readonly raw: { readonly text: string } | { readonly base64: string };
}

interface StoredBatch {
  readonly accepted: readonly NewLogEntry[];
  readonly rejected: readonly StoredRejected[];
  readonly counts: IngestBatch['counts'];
  readonly checkpoint: SourceCheckpoint | null;
  readonly redriven: readonly number[] | null;
}

/** The journal over its slot in the local file (`SqliteStore.commitJournal()`), in this adapter's encoding. */
export class CommitJournal {
  constructor(private readonly store: CommitJournalStore) {}

  read(): PendingCommit | undefined {
    const row = this.store.read();
    if (row === undefined) return undefined;
    const m = JSON.parse(row.marker) as StoredMarker;
    return {
      marker: { key: m.key, offset: m.offset, line: m.line },
      batch: decodeBatch(row.batch),
      attempts: m.attempts ?? [],
      from: m.from ? { commit: BigInt(m.from.commit), prepare: BigInt(m.from.prepare) } : undefined,
      revision: m.revision === undefined || m.revision === null ? undefined : BigInt(m.revision),
    };
  }

  write(pending: PendingCommit): void {
    const { marker: m, from, revision } = pending;
    const stored: StoredMarker = {
      key: m.key,
      offset: m.offset,
      line: m.line,
      attempts: pending.attempts,
      from: from === undefined ? null : { commit: from.commit.toString(), prepare: from.prepare.toString() },
      revision: revision === undefined ? null : revision.toString(),
    };
    this.store.write({ marker: JSON.stringify(stored), batch: encodeBatch(pending.batch) });
  }

  clear(): void {
    this.store.clear();
  }
}

/** A stable text form of a batch: equal batches give equal text (field order is fixed here). */
export function encodeBatch(batch: IngestBatch): string {
  const stored: StoredBatch = {
    accepted: batch.accepted.map((e) => ({
      eventId: e.eventId,
      type: e.type,
      channelId: e.channelId,
      payload: e.payload,
    })),
    rejected: batch.rejected.map((r) => ({
      source: r.source,
      line: r.line,
      eventId: r.eventId,
      code: r.code,
      message: r.message,
      raw: typeof r.raw === 'string' ? { text: r.raw } : { base64: Buffer.from(r.raw).toString('base64') },
    })),
    counts: {
      lines: batch.counts.lines,
      accepted: batch.counts.accepted,
      duplicates: batch.counts.duplicates,
      rejected: batch.counts.rejected,
    },
    checkpoint:
      batch.checkpoint === undefined
        ? null
        : { key: batch.checkpoint.key, offset: batch.checkpoint.offset, line: batch.checkpoint.line },
    redriven: batch.redriven === undefined ? null : [...batch.redriven],
  };
  return JSON.stringify(stored);
}

function decodeBatch(text: string): IngestBatch {
  const s = JSON.parse(text) as StoredBatch;
  return {
    accepted: s.accepted,
    rejected: s.rejected.map((r): RejectedInput => ({
      source: r.source,
      line: r.line,
      eventId: r.eventId,
      code: r.code,
      message: r.message,
      raw: 'text' in r.raw ? r.raw.text : new Uint8Array(Buffer.from(r.raw.base64, 'base64')),
    })),
    counts: s.counts,
    ...(s.checkpoint === null ? {} : { checkpoint: s.checkpoint }),
    ...(s.redriven === null ? {} : { redriven: s.redriven }),
  };
}
