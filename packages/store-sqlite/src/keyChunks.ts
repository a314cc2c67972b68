/**
 * The read model's order and sale keys on disk (`rm_order_keys`, `rm_sale_keys`): each batch's
 * new keys appended as rows of up to 256 keys, numbered from the row's `first`, written in the
 * batch's transaction with the checkpoint. A row holds the keys' hashes (read at load to
 * fill the in-memory table, `keyIndex.ts`), their values (a sale's bonus bps) and the keys
 * themselves (read only to confirm a fingerprint hit). `rm_sale_key_updates` holds later
 * changes of a value, one row per batch.
 */
import type { Database as DB, Statement } from 'better-sqlite3';

/** Keys a row: a confirmation reads one row, 256 keys of ~35 characters ≈ 9 KB. */
export const CHUNK_KEYS = 256;

/** A row of keys as stored. */
interface ChunkRow {
  readonly first: number;
  /** Each key's end (UTF-16 code units from the row's start), uint32 little-endian. */
  readonly ends: Buffer;
  /** The keys one after the other: Latin-1 bytes, or UTF-16LE when `wide` (any code unit > 255). */
  readonly keys: Buffer;
  readonly wide: number;
}

/** One row's keys, each decoded when asked for (a confirmation wants one key, not 256). */
export class KeyChunk {
  constructor(private readonly row: ChunkRow) {}

  get first(): number {
    return this.row.first;
  }

  get count(): number {
    return this.row.ends.length / 4;
  }

  /** Key number `ref` (in `first … first + count − 1`). */
  keyOf(ref: number): string {
    const { ends, keys, wide } = this.row;
    const i = ref - this.row.first;
    const start = i === 0 ? 0 : ends.readUInt32LE((i - 1) * 4);
    const end = ends.readUInt32LE(i * 4);
    return wide === 1 ? keys.toString('utf16le', start * 2, end * 2) : keys.toString('latin1', start, end);
  }
}

/** The statements over one key table (and its updates table when its keys carry values). */
export interface KeyChunkStatements {
  /** The row holding key number `ref`, if any. */
  holding(ref: number): KeyChunk | undefined;
  /** Every row's first number, key hashes and values, in key order (for the load). */
  hashes(): IterableIterator<[number, Buffer, Buffer | null]>;
  /** The key count held on disk. */
  count(): number;
  /** Later value changes: [key numbers, values] rows in the order written. */
  updates(): IterableIterator<[Buffer, Buffer]>;
  /**
   * Appends keys `first …` with their hashes and values (inside the batch's transaction);
   * answers the rows written, as `holding` would read them back.
   */
  append(
    first: number,
    keys: readonly string[],
    hashes: Int32Array,
    values: Int32Array | undefined,
  ): KeyChunk[];
  /** Appends one batch's value changes of keys already on disk. */
  appendUpdates(changes: ReadonlyMap<number, number>): void;
  /** Whether the connection is inside a transaction (a long batch then writes its keys as it goes). */
  inTransaction(): boolean;
}

/** A code unit beyond Latin-1 (the class is everything above U+00FF). */
const NON_LATIN1 = /[\u0100-\uffff]/;

/** 32-bit little-endian words of `values[from … to − 1]` (key numbers wrap to int32; read them unsigned). */
function int32s(values: ArrayLike<number>, from: number, to: number): Buffer {
  const out = Buffer.allocUnsafe((to - from) * 4);
  for (let i = from; i < to; i++) out.writeInt32LE((values[i] as number) | 0, (i - from) * 4);
  return out;
}

/**
 * The statements over key table `table` of connection `db`, with `updatesTable` for keys that
 * carry values (`rm_sale_keys` and `rm_sale_key_updates`; `rm_order_keys` has none).
 */
export function keyChunkStatements(db: DB, table: string, updatesTable?: string): KeyChunkStatements {
  const holding = db.prepare<[number], ChunkRow>(
    `SELECT first, ends, keys, wide FROM ${table} WHERE first <= ? ORDER BY first DESC LIMIT 1`,
  );
  const insert: Statement<[number, Buffer, Buffer | null, Buffer, Buffer, number]> = db.prepare(
    `INSERT INTO ${table} (first, hashes, vals, ends, keys, wide) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  return {
    holding(ref) {
      const row = holding.get(ref);
      if (row === undefined) return undefined;
      const chunk = new KeyChunk(row);
      return ref < chunk.first + chunk.count ? chunk : undefined;
    },
    hashes: () =>
      db
        .prepare<[], [number, Buffer, Buffer | null]>(
          `SELECT first, hashes, vals FROM ${table} ORDER BY first`,
        )
        .raw()
        .iterate(),
    count: () =>
      db
        .prepare<[], number>(`SELECT COALESCE(MAX(first + length(hashes) / 4), 0) FROM ${table}`)
        .pluck()
        .get() ?? 0,
    updates: () =>
      updatesTable === undefined
        ? [][Symbol.iterator]()
        : db
            .prepare<[], [Buffer, Buffer]>(`SELECT refs, vals FROM ${updatesTable} ORDER BY seq`)
            .raw()
            .iterate(),
    append(first, keys, hashes, values) {
      const written: KeyChunk[] = [];
      for (let from = 0; from < keys.length; from += CHUNK_KEYS) {
        const to = Math.min(keys.length, from + CHUNK_KEYS);
        // Not from the pool: a caller may keep the row, and a pooled slice keeps its 8 KiB slab.
        const ends = Buffer.allocUnsafeSlow((to - from) * 4);
        let end = 0;
        for (let i = from; i < to; i++) {
          end += (keys[i] as string).length;
          ends.writeUInt32LE(end, (i - from) * 4);
        }
        const text = keys.slice(from, to).join('');
        const wide = NON_LATIN1.test(text) ? 1 : 0;
        const row = {
          first: first + from,
          ends,
          keys: Buffer.from(text, wide === 1 ? 'utf16le' : 'latin1'),
          wide,
        };
        insert.run(
          row.first,
          int32s(hashes, from, to),
          values === undefined ? null : int32s(values, from, to),
          row.ends,
          row.keys,
          row.wide,
        );
        written.push(new KeyChunk(row));
      }
      return written;
    },
    inTransaction: () => db.inTransaction,
    appendUpdates(changes) {
      if (changes.size === 0) return;
      if (updatesTable === undefined) throw new Error(`the keys of ${table} carry no values`);
      db.prepare(`INSERT INTO ${updatesTable} (refs, vals) VALUES (?, ?)`).run(
        int32s([...changes.keys()], 0, changes.size),
        int32s([...changes.values()], 0, changes.size),
      );
    },
  };
}
