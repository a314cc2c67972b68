/**
 * The log's eventIds as an in-memory hash table: 32-bit hash → log position, 8 bytes a slot
 * (about 11 bytes an event at most 70 % full; 134 MB for 10M events).
 *
 * It replaces a unique index on the `events.event_id` text, whose random-key inserts were the
 * most expensive single step of an append (about 7 µs of 10 here). A hash is not the id: a
 * lookup answers the positions whose id *may* be the one asked for, and the caller reads those
 * rows (by rowid, cheap) to compare the text. With 32-bit hashes a new id meets a false
 * candidate about once per 430 lookups per million ids held; that read is the only cost.
 */
import { EMPTY, hash32, newSeed } from './keyHashes.js';

const MAX_LOAD = 0.7;

export class EventIdIndex {
  private keys: Int32Array;
  private positions: Uint32Array;
  private mask: number;
  private count = 0;
  private readonly seed: number;

  constructor(capacityHint = 1 << 16) {
    let capacity = 1 << 10;
    while (capacity * MAX_LOAD < capacityHint) capacity *= 2;
    this.keys = new Int32Array(capacity);
    this.positions = new Uint32Array(capacity);
    this.mask = capacity - 1;
    this.seed = newSeed();
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.keys.byteLength + this.positions.byteLength;
  }

  hash(id: string): number {
    return hash32(id, this.seed);
  }

  /** Positions whose eventId may be `id` (usually none or one). */
  candidates(id: string): number[] {
    const h = this.hash(id);
    const out: number[] = [];
    for (let slot = h & this.mask; this.keys[slot] !== EMPTY; slot = (slot + 1) & this.mask) {
      if (this.keys[slot] === h) out.push(this.positions[slot] as number);
    }
    return out;
  }

  /** Records that `id` is at `position` (a position in 1 … 2^32 − 1). */
  add(id: string, position: number): void {
    if (!(position > 0 && position <= 0xffffffff && Number.isInteger(position))) {
      throw new RangeError(`event position ${position} is outside 1 … 2^32 − 1`);
    }
    if ((this.count + 1) / this.keys.length > MAX_LOAD) this.grow();
    this.put(this.hash(id), position);
    this.count++;
  }

  private put(h: number, position: number): void {
    let slot = h & this.mask;
    while (this.keys[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    this.keys[slot] = h;
    this.positions[slot] = position;
  }

  private grow(): void {
    const keys = this.keys;
    const positions = this.positions;
    this.keys = new Int32Array(keys.length * 2);
    this.positions = new Uint32Array(keys.length * 2);
    this.mask = this.keys.length - 1;
    for (let i = 0; i < keys.length; i++) {
      const h = keys[i] as number;
      if (h !== EMPTY) this.put(h, positions[i] as number);
    }
  }
}
