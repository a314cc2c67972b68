/**
 * A Bloom filter of keys (`KeyFilter`) for the read model's order and sale indexes: a hit only
 * says the key *may* be in the table, and the caller confirms it on disk; a miss is certain.
 */
import { fmix32, newSeed } from './keyHashes.js';

/** The seeds' hash step over one part of a key, for `KeyFilter.hash`. */
function mix(h: number, part: string | number): number {
  if (typeof part === 'number') return Math.imul(h ^ part, 0x01000193);
  for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0xffff, 0x01000193); // the separator: no part ends a key early
}

/** Bits a key in each filter, and probes a key (all in one 64-byte block). */
const BITS_PER_KEY = 10;
const PROBES = 7;
const BLOCK_WORDS = 16;
const FIRST_CAPACITY = 1 << 16;

interface Filter {
  readonly words: Int32Array;
  readonly blocks: number;
  readonly capacity: number;
  count: number;
}

function newFilter(capacity: number): Filter {
  const blocks = Math.ceil((capacity * BITS_PER_KEY) / (BLOCK_WORDS * 32));
  return { words: new Int32Array(blocks * BLOCK_WORDS), blocks, capacity, count: 0 };
}

/**
 * A growing, blocked Bloom filter of keys made of parts (strings or numbers): `mayHave` is
 * false only for a key never added. Each key sets 7 bits in one 64-byte block (one cache
 * line), so a lookup costs one memory read. It is a list of filters, each twice the capacity
 * of the one before (10 bits a key of capacity), so adding never rehashes what is held; a key
 * is looked up in each. Measured: 1M keys 2.4 MiB, a key never added taken for one 4.4 % of the
 * time; 8.5M keys 19.9 MiB, 7.6 % (the caller then reads the disk).
 *
 * `hash(...)` hashes a key; `mayHave()` and `add()` then act on that key, and `lastHash` is a
 * 32-bit hash of it for the caller's own maps. The key is never built as a string.
 */
export class KeyFilter {
  private readonly filters: Filter[] = [];

  /** `enabled: false` answers "may have" for every key: every lookup goes to the disk. */
  constructor(private readonly enabled = true) {}

  private readonly seed1 = newSeed();
  private readonly seed2 = newSeed();
  private h1 = 0;
  private h2 = 0;

  get size(): number {
    return this.filters.reduce((n, f) => n + f.count, 0);
  }

  get bytes(): number {
    return this.filters.reduce((n, f) => n + f.words.byteLength, 0);
  }

  /** A hash of the key last given to `hash`. */
  get lastHash(): number {
    return this.h1;
  }

  hash(a: string | number, b: string | number, c: string | number): this {
    this.h1 = fmix32(mix(mix(mix(this.seed1 | 0, a), b), c));
    this.h2 = fmix32(mix(mix(mix(this.seed2 | 0, a), b), c));
    return this;
  }

  add(): void {
    if (!this.enabled) return;
    let last = this.filters[this.filters.length - 1];
    if (last === undefined || last.count >= last.capacity) {
      last = newFilter(last === undefined ? FIRST_CAPACITY : last.capacity * 2);
      this.filters.push(last);
    }
    const words = last.words;
    const base = ((this.h1 >>> 0) % last.blocks) * BLOCK_WORDS;
    const step = (this.h2 >>> 9) | 1;
    for (let i = 0; i < PROBES; i++) {
      const bit = (this.h2 + Math.imul(i, step)) & 511;
      words[base + (bit >>> 5)] = (words[base + (bit >>> 5)] as number) | (1 << (bit & 31));
    }
    last.count++;
  }

  mayHave(): boolean {
    if (!this.enabled) return true;
    const step = (this.h2 >>> 9) | 1;
    search: for (const f of this.filters) {
      const words = f.words;
      const base = ((this.h1 >>> 0) % f.blocks) * BLOCK_WORDS;
      for (let i = 0; i < PROBES; i++) {
        const bit = (this.h2 + Math.imul(i, step)) & 511;
        if (((words[base + (bit >>> 5)] as number) & (1 << (bit & 31))) === 0) continue search;
      }
      return true;
    }
    return false;
  }
}
