/**
 * An open-addressing hash table of key fingerprints → key numbers, in typed arrays (8 bytes a
 * slot, no JavaScript object per key), for the read model's order and sale indexes
 * (`keyIndex.ts`) and the log's eventIds (`eventIdIndex.ts`). A fingerprint is not the key: the
 * table only names the keys that *may* be the one asked for, and the caller confirms each
 * against the real key.
 */

/**
 * Grow by 1.3 when more than 85 % of the slots are taken: 9.4–12.2 bytes a key. Linear probing
 * that full scans ~23 slots for a key not held, but over 4-byte fingerprints side by side
 * (two cache lines); memory at 10M events counts more.
 */
const MAX_LOAD = 0.85;
const GROWTH = 1.3;
const MIN_SHARD_CAPACITY = 256;
/**
 * Shards, by the fingerprint's top bits (fingerprints of 16 bits or more), each grown on its
 * own: growing copies 1/64 of the table, not all of it. One table of 10M eventIds held its
 * 76 MB and its next 99 MB at once while it grew (a peak in the replay's resident memory), and
 * every array it outgrew below glibc's 32 MiB mmap ceiling was left as a hole in the malloc heap
 * (~55 MB of the 1M replay's 103 MB heap); a shard's arrays come and go in sizes the other
 * shards reuse.
 */
const SHARD_BITS = 6;

/**
 * One shard: fingerprints placed by their value (slot = fingerprint × capacity / 2^bits, then
 * linear probing), so growing re-places them without the keys. Key numbers are 0 … 2^32 − 2
 * (stored + 1: 0 marks an empty slot).
 */
class Shard {
  fps: Int32Array;
  refs: Uint32Array;
  capacity: number;
  private scale: number;
  count = 0;

  constructor(
    /** Bits of the fingerprint below the shard's (the placement's range). */
    private readonly bits: number,
    capacityHint: number,
  ) {
    this.capacity = Math.max(MIN_SHARD_CAPACITY, Math.ceil(capacityHint / MAX_LOAD));
    this.fps = new Int32Array(this.capacity);
    this.refs = new Uint32Array(this.capacity);
    this.scale = this.capacity / 2 ** bits;
  }

  /** The first slot at or after `slot` whose key may be the one of fingerprint `fp`, or −1. */
  scan(slot: number, fp: number): number {
    const fps = this.fps;
    const refs = this.refs;
    const cap = this.capacity;
    for (let s = slot; ; s = s + 1 === cap ? 0 : s + 1) {
      if (refs[s] === 0) return -1;
      if (fps[s] === fp) return s;
    }
  }

  home(fp: number): number {
    const low = this.bits === 32 ? fp >>> 0 : fp & ((1 << this.bits) - 1);
    return Math.min(this.capacity - 1, Math.floor(low * this.scale));
  }

  add(fp: number, stored: number): void {
    if (this.count + 1 > this.capacity * MAX_LOAD) this.grow();
    this.put(fp, stored);
    this.count++;
  }

  private put(fp: number, stored: number): void {
    const refs = this.refs;
    const cap = this.capacity;
    let s = this.home(fp);
    while (refs[s] !== 0) s = s + 1 === cap ? 0 : s + 1;
    this.fps[s] = fp;
    refs[s] = stored;
  }

  private grow(): void {
    const fps = this.fps;
    const refs = this.refs;
    this.capacity = Math.ceil(this.capacity * GROWTH);
    this.scale = this.capacity / 2 ** this.bits;
    this.fps = new Int32Array(this.capacity);
    this.refs = new Uint32Array(this.capacity);
    for (let i = 0; i < refs.length; i++) {
      const stored = refs[i] as number;
      if (stored !== 0) this.put(fps[i] as number, stored);
    }
  }
}

/**
 * Fingerprints of `bits` bits (32 in use; fewer in tests, to force collisions). A slot number
 * the table answers is (slot in its shard) × shards + shard.
 *
 * Since the slot is a function of the fingerprint, a new key meets a false candidate when an
 * earlier key has its exact fingerprint: with n keys held, about n / 2^32 of lookups (0.2 % at
 * 8.6M keys), each costing the caller one confirmation.
 *
 * Bytes: 8 a slot, each shard 65–85 % full once it has grown, i.e. 9.4–12.3 bytes a key.
 */
export class FingerprintTable {
  private readonly shards: Shard[];
  private readonly shardShift: number;
  private readonly shardMask: number;
  private count = 0;
  private readonly mask: number;

  constructor(
    readonly bits = 32,
    capacityHint = 0,
  ) {
    if (!(bits >= 1 && bits <= 32 && Number.isInteger(bits)))
      throw new RangeError(`fingerprint bits ${bits}`);
    this.mask = bits === 32 ? -1 : (1 << bits) - 1;
    const shardBits = bits >= 16 ? SHARD_BITS : 0;
    this.shardShift = bits - shardBits;
    this.shardMask = (1 << shardBits) - 1;
    this.shards = Array.from(
      { length: 1 << shardBits },
      () => new Shard(this.shardShift, capacityHint / (1 << shardBits)),
    );
  }

  /** Keys held. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the table's arrays. */
  get bytes(): number {
    let bytes = 0;
    for (const s of this.shards) bytes += s.fps.byteLength + s.refs.byteLength;
    return bytes;
  }

  /** The fingerprint of a 32-bit hash: its low `bits` bits. */
  fingerprint(hash: number): number {
    return hash & this.mask;
  }

  private shardOf(fp: number): number {
    return this.shardShift === 32 ? 0 : (fp >>> this.shardShift) & this.shardMask;
  }

  /** The first candidate slot for fingerprint `fp`, or −1 (then `next` from it for the others). */
  first(fp: number): number {
    const i = this.shardOf(fp);
    const shard = this.shards[i] as Shard;
    const s = shard.scan(shard.home(fp), fp);
    return s < 0 ? -1 : s * this.shards.length + i;
  }

  /** The next candidate slot after `slot` for fingerprint `fp`, or −1. */
  next(slot: number, fp: number): number {
    const n = this.shards.length;
    const i = slot % n;
    const shard = this.shards[i] as Shard;
    const local = (slot - i) / n + 1;
    const s = shard.scan(local === shard.capacity ? 0 : local, fp);
    return s < 0 ? -1 : s * n + i;
  }

  /** The key number held in `slot` (a slot `first` or `next` answered). */
  refAt(slot: number): number {
    const n = this.shards.length;
    const i = slot % n;
    return ((this.shards[i] as Shard).refs[(slot - i) / n] as number) - 1;
  }

  /** Holds key number `ref` under fingerprint `fp` (the caller knows the key is not held yet). */
  add(fp: number, ref: number): void {
    if (!(ref >= 0 && ref < 0xffffffff && Number.isInteger(ref))) {
      throw new RangeError(`key number ${ref} is outside 0 … 2^32 − 2`);
    }
    (this.shards[this.shardOf(fp)] as Shard).add(fp, ref + 1);
    this.count++;
  }
}
