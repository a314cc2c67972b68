/**
 * An exact set of keys (strings), optionally with an int32 value per key, for the read model's
 * order and sale indexes: an in-memory `FingerprintTable` in front of the keys kept in the read
 * model's file (`keyChunks.ts`). Every fingerprint hit is confirmed against the real key — the
 * batch's new keys and the rows written last from memory, older ones from their row on disk —
 * so an answer is never taken from a hash.
 */
import { FingerprintTable, releaseTableArray, tableInt32s } from './fingerprintTable.js';
import { CHUNK_KEYS, type KeyChunk, type KeyChunkStatements } from './keyChunks.js';
import type { IndexKey } from './indexKeys.js';

/**
 * Pending keys written early, inside the batch's transaction, once this many wait (whole rows):
 * a projection batch of 50 000 sales otherwise held ~50 000 key strings until its end, long
 * enough for the scavenger to copy them twice into the old generation.
 */
const WRITE_AHEAD_KEYS = CHUNK_KEYS * 16;

/**
 * The rows last written kept in memory, as written (Latin-1 or UTF-16 bytes, off the heap):
 * 256 rows are the last 65 536 keys, ~2.3 MB of sale keys. A return's sale is confirmed from
 * them instead of reading its row back: in the bench's feed half the returns come within 36 000
 * lines of their sale and 98 % within 131 000 (a half of a rebuild in parts read ~15 000 rows
 * for them, ~0.17 s of its 5).
 */
const RECENT_ROWS = 256;

export interface KeyIndexOptions {
  /** The read model's hash seed (its fingerprints are persisted, so it is the file's, not the process's). */
  readonly seed: number;
  /** Fingerprint bits (32; fewer in tests to force collisions). */
  readonly bits: number;
  /** Whether keys carry a value. */
  readonly values: boolean;
  /** Pending keys written early inside a transaction (default `WRITE_AHEAD_KEYS`; fewer in tests). */
  readonly writeAheadKeys?: number;
  /** Rows last written kept to confirm from (default `RECENT_ROWS`; fewer in tests). */
  readonly recentRows?: number;
}

/** A blob's little-endian int32 words (copied: a blob's bytes need not be 4-byte aligned). */
function int32sOf(blob: Buffer): Int32Array {
  const words = new Int32Array(blob.length >>> 2);
  new Uint8Array(words.buffer).set(blob.subarray(0, words.length * 4));
  return words;
}

export class KeyIndex {
  private readonly table: FingerprintTable;
  /** Keys numbered below this are on disk; the others are `pending`. */
  private persisted: number;
  private pending: string[] = [];
  /**
   * The keys last written ahead (numbered from `recentFirst`), kept until the next write-ahead:
   * a key met again soon after (an order's next line) is confirmed from memory, not its row.
   */
  private recent: string[] = [];
  private recentFirst = 0;
  private pendingHashes = new Int32Array(CHUNK_KEYS);
  private vals: Int32Array | undefined;
  /** Values changed since the last flush of keys already on disk. */
  private readonly changed = new Map<number, number>();
  /** The last `find`'s key hash (persisted: a load with any fingerprint width reads it) and fingerprint. */
  private lastHash = 0;
  private lastFp = 0;
  /** The last row read to confirm a hit (returns often ask about neighbouring sales). */
  private chunk: KeyChunk | undefined;
  /** The rows last written (at most `RECENT_ROWS`), in key order, numbered one after another. */
  private written: KeyChunk[] = [];

  /** Loads the index of the keys on disk (fingerprints and values only). */
  constructor(
    private readonly disk: KeyChunkStatements,
    private readonly options: KeyIndexOptions,
  ) {
    const count = disk.count();
    // Room for a quarter more before the first growth: a loaded index goes on growing.
    this.table = new FingerprintTable(options.bits, count * 1.25);
    if (options.values) this.vals = tableInt32s(Math.max(CHUNK_KEYS, count));
    for (const [first, hashes, vals] of disk.hashes()) {
      const words = int32sOf(hashes);
      for (let i = 0; i < words.length; i++)
        this.table.add(this.table.fingerprint(words[i] as number), first + i);
      if (vals !== null) this.vals?.set(int32sOf(vals), first);
    }
    for (const [refs, vals] of disk.updates()) {
      const values = int32sOf(vals);
      const keys = int32sOf(refs);
      for (let i = 0; i < keys.length; i++) this.setValueAt((keys[i] as number) >>> 0, values[i] as number);
    }
    this.persisted = count;
  }

  get size(): number {
    return this.table.size;
  }

  /** Bytes held in memory: the table and the values (not the batch's pending keys). */
  get bytes(): number {
    return this.table.bytes + (this.vals === undefined ? 0 : this.size * 4);
  }

  /** The number of `key`, or −1 when it is not held (then `add(key)` may follow). */
  find(key: IndexKey): number {
    const t = this.table;
    this.lastHash = key.hash(this.options.seed);
    const fp = t.fingerprint(this.lastHash);
    this.lastFp = fp;
    for (let s = t.first(fp); s >= 0; s = t.next(s, fp)) {
      const ref = t.refAt(s);
      if (this.keyOf(ref) === key.text()) return ref;
    }
    return -1;
  }

  /** Holds `key`, which the last `find` did not find; answers its number. */
  add(key: IndexKey): number {
    const ref = this.persisted + this.pending.length;
    this.table.add(this.lastFp, ref);
    if (this.pending.length === this.pendingHashes.length) {
      const hashes = new Int32Array(this.pendingHashes.length * 2);
      hashes.set(this.pendingHashes);
      this.pendingHashes = hashes;
    }
    this.pendingHashes[this.pending.length] = this.lastHash;
    this.pending.push(key.text());
    if (this.vals !== undefined) this.setValueAt(ref, 0);
    if (
      this.pending.length >= (this.options.writeAheadKeys ?? WRITE_AHEAD_KEYS) &&
      this.disk.inTransaction()
    ) {
      this.recentFirst = this.persisted;
      this.recent = this.pending;
      this.writePending();
    }
    return ref;
  }

  value(ref: number): number {
    return this.vals?.[ref] ?? 0;
  }

  setValue(ref: number, value: number): void {
    this.setValueAt(ref, value);
    if (ref < this.persisted) this.changed.set(ref, value);
  }

  /** Appends the keys added and the values changed since the last flush (in the batch's transaction). */
  flush(): void {
    this.recent = [];
    this.writePending();
    this.disk.appendUpdates(this.changed);
    this.changed.clear();
  }

  /**
   * Appends the pending keys, in the batch's transaction (a batch that fails drops the whole
   * index, `SqliteProjectionIndex.discard`, and it is read again from disk). A value a key
   * written early changes later in the batch is then an update, like a key of an earlier batch.
   */
  private writePending(): void {
    const n = this.pending.length;
    if (n === 0) return;
    const values = this.vals?.subarray(this.persisted, this.persisted + n);
    const rows = this.disk.append(this.persisted, this.pending, this.pendingHashes.subarray(0, n), values);
    this.written.push(...rows);
    const keep = this.options.recentRows ?? RECENT_ROWS;
    if (this.written.length > keep) this.written.splice(0, this.written.length - keep);
    this.persisted += n;
    this.pending = [];
  }

  private setValueAt(ref: number, value: number): void {
    let vals = this.vals;
    if (vals === undefined) throw new Error('this key index holds no values');
    if (ref >= vals.length) {
      const grown = tableInt32s(Math.max(ref + 1, Math.ceil(vals.length * 1.5)));
      grown.set(vals);
      releaseTableArray(vals);
      this.vals = vals = grown;
    }
    vals[ref] = value;
  }

  /** Key number `ref`: from the batch in memory, else from its row on disk. */
  private keyOf(ref: number): string {
    if (ref >= this.persisted) return this.pending[ref - this.persisted] as string;
    const recent = ref - this.recentFirst;
    if (recent >= 0 && recent < this.recent.length) return this.recent[recent] as string;
    const written = this.writtenHolding(ref);
    if (written !== undefined) return written.keyOf(ref);
    let chunk = this.chunk;
    if (chunk === undefined || ref < chunk.first || ref >= chunk.first + chunk.count) {
      chunk = this.disk.holding(ref);
      if (chunk === undefined) throw new Error(`key ${ref} is in the index but not on disk`);
      this.chunk = chunk;
    }
    return chunk.keyOf(ref);
  }

  /** The row last written that holds key number `ref`, if it is still kept. */
  private writtenHolding(ref: number): KeyChunk | undefined {
    const rows = this.written;
    if (rows.length === 0 || ref < (rows[0] as KeyChunk).first) return undefined;
    let lo = 0;
    let hi = rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((rows[mid] as KeyChunk).first <= ref) lo = mid;
      else hi = mid - 1;
    }
    const row = rows[lo] as KeyChunk;
    return ref < row.first + row.count ? row : undefined;
  }
}
