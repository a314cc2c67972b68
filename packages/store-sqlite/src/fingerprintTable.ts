/**
 * An open-addressing hash table of key fingerprints → key numbers, in two typed arrays (8 bytes
 * a slot, no JavaScript object per key), for the read model's order and sale indexes
 * (`keyIndex.ts`). A fingerprint is not the key: the table only names the keys that *may* be
 * the one asked for, and the caller confirms each against the real key.
 */

/**
 * Grow by 1.3 when more than 85 % of the slots are taken: 9.4–12.2 bytes a key. Linear probing
 * that full scans ~23 slots for a key not held, but over 4-byte fingerprints side by side
 * (two cache lines); memory at 10M events counts more.
 *
 * Below `DOUBLE_BELOW` slots (8 MiB of table) it doubles instead: a table grown from empty to
 * 420 000 keys by 1.3 re-placed ~2.2M keys on the way (~0.1 s of a rebuild's half of the 1M
 * log), by doubling ~0.45M; the most that costs is one table of 2^20 slots half full (4 MiB).
 */
const MAX_LOAD = 0.85;
const GROWTH = 1.3;
const DOUBLE_BELOW = 1 << 20;
const MIN_CAPACITY = 1024;

/**
 * A table array of 2^20 elements (4 MiB) or more is allocated with room for at least 33 MiB:
 * above glibc's largest dynamic mmap threshold (32 MiB), so it is a mapping of its own, returned
 * to the system once outgrown and collected. Smaller, the arrays three growing tables outgrew
 * were blocks of the brk heap, and their holes stayed resident (docs/performance.md, thirteenth
 * session). Only the pages used count: a fresh mapping is zero pages that calloc does not write.
 */
const MAPPED_FROM = 1 << 20;
const MAPPED_ELEMENTS = (33 << 20) / 4;

/** `new Int32Array(length)`, mapped apart from the malloc heap when it is large (see above). */
export function tableInt32s(length: number): Int32Array {
  return new Int32Array(length >= MAPPED_FROM ? Math.max(length, MAPPED_ELEMENTS) : length);
}

function tableUint32s(length: number): Uint32Array {
  return new Uint32Array(length >= MAPPED_FROM ? Math.max(length, MAPPED_ELEMENTS) : length);
}

/**
 * Frees an outgrown table array's memory now rather than at the next full collection: its buffer
 * is handed (transferred, not copied) to a clone nobody keeps, which the next scavenge collects
 * with its memory. An outgrown array in the old generation otherwise stayed resident beside its
 * successor until a full collection, seconds later. The array reads as empty afterwards.
 */
export function releaseTableArray(array: Int32Array | Uint32Array): void {
  // The tables' arrays are made here, on plain (not shared) buffers.
  const buffer = array.buffer as ArrayBuffer;
  structuredClone(buffer, { transfer: [buffer] });
}

/**
 * Fingerprints of `bits` bits (32 in use; fewer in tests, to force collisions) placed by their
 * value (slot = fingerprint × capacity / 2^bits, then linear probing), so growing re-places
 * them without the keys. Key numbers are 0 … 2^32 − 2 (stored + 1: 0 marks an empty slot).
 *
 * Since the slot is a function of the fingerprint, a new key meets a false candidate when an
 * earlier key has its exact fingerprint: with n keys held, about n / 2^32 of lookups (0.2 % at
 * 8.6M keys), each costing the caller one confirmation.
 *
 * Bytes: 8 a slot, the table 65–85 % full once it has grown past 2^20 slots, i.e. 9.4–12.3 bytes
 * a key (42–85 % full below, while it doubles).
 */
export class FingerprintTable {
  private fps: Int32Array;
  private refs: Uint32Array;
  private capacity: number;
  private scale: number;
  private count = 0;
  private readonly mask: number;

  constructor(
    readonly bits = 32,
    capacityHint = 0,
  ) {
    if (!(bits >= 1 && bits <= 32 && Number.isInteger(bits)))
      throw new RangeError(`fingerprint bits ${bits}`);
    this.mask = bits === 32 ? -1 : (1 << bits) - 1;
    this.capacity = Math.max(MIN_CAPACITY, Math.ceil(capacityHint / MAX_LOAD));
    this.fps = tableInt32s(this.capacity);
    this.refs = tableUint32s(this.capacity);
    this.scale = this.capacity / 2 ** bits;
  }

  /** Keys held. */
  get size(): number {
    return this.count;
  }

  /** Bytes of the table's slots (an array may be mapped larger: only the slots' pages are used). */
  get bytes(): number {
    return this.capacity * 8;
  }

  /** The fingerprint of a 32-bit hash: its low `bits` bits. */
  fingerprint(hash: number): number {
    return hash & this.mask;
  }

  /** The first slot at or after `slot` whose key may be the one of fingerprint `fp`, or −1. */
  private scan(slot: number, fp: number): number {
    const fps = this.fps;
    const refs = this.refs;
    const cap = this.capacity;
    for (let s = slot; ; s = s + 1 === cap ? 0 : s + 1) {
      if (refs[s] === 0) return -1;
      if (fps[s] === fp) return s;
    }
  }

  /** The first candidate slot for fingerprint `fp`, or −1 (then `next` from it for the others). */
  first(fp: number): number {
    return this.scan(this.home(fp), fp);
  }

  /** The next candidate slot after `slot` for fingerprint `fp`, or −1. */
  next(slot: number, fp: number): number {
    return this.scan(slot + 1 === this.capacity ? 0 : slot + 1, fp);
  }

  /** The key number held in `slot` (a slot `first` or `next` answered). */
  refAt(slot: number): number {
    return (this.refs[slot] as number) - 1;
  }

  /** Holds key number `ref` under fingerprint `fp` (the caller knows the key is not held yet). */
  add(fp: number, ref: number): void {
    if (!(ref >= 0 && ref < 0xffffffff && Number.isInteger(ref))) {
      throw new RangeError(`key number ${ref} is outside 0 … 2^32 − 2`);
    }
    if (this.count + 1 > this.capacity * MAX_LOAD) this.grow();
    this.put(fp, ref + 1);
    this.count++;
  }

  private home(fp: number): number {
    return Math.min(this.capacity - 1, Math.floor(((fp & this.mask) >>> 0) * this.scale));
  }

  private put(fp: number, stored: number): void {
    const refs = this.refs;
    const cap = this.capacity;
    let s = this.home(fp);
    while (refs[s] !== 0) s = s + 1 === cap ? 0 : s + 1;
    this.fps[s] = fp;
    refs[s] = stored;
  }

  /**
   * Makes room for `keys` keys in all, at once: one re-placement now instead of the growths on
   * the way, each of which holds the old arrays beside the new ones while it re-places.
   */
  reserve(keys: number): void {
    const capacity = Math.ceil(keys / MAX_LOAD);
    if (capacity > this.capacity) this.resize(capacity);
  }

  private grow(): void {
    const cap = this.capacity;
    this.resize(cap < DOUBLE_BELOW ? Math.min(cap * 2, DOUBLE_BELOW) : Math.ceil(cap * GROWTH));
  }

  private resize(capacity: number): void {
    const fps = this.fps;
    const refs = this.refs;
    const before = this.capacity;
    this.capacity = capacity;
    this.scale = this.capacity / 2 ** this.bits;
    this.fps = tableInt32s(this.capacity);
    this.refs = tableUint32s(this.capacity);
    for (let i = 0; i < before; i++) {
      const stored = refs[i] as number;
      if (stored !== 0) this.put(fps[i] as number, stored);
    }
    releaseTableArray(fps);
    releaseTableArray(refs);
  }
}
