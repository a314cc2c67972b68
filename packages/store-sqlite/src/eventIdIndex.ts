/**
 * The log's eventIds as an in-memory hash table: 32-bit hash → log position, a
 * `FingerprintTable` (8 bytes a slot, 65–85 % full, grown by 1.3: 9.4–12.3 bytes an event,
 * 94–123 MB for 10M events; a power-of-two table at most 70 % full held 134 MB, and 201 MB
 * while it doubled).
 *
 * It replaces a unique index on the `events.event_id` text, whose random-key inserts were the
 * most expensive single step of an append (about 7 µs of 10 here). A hash is not the id: a
 * lookup answers the positions whose id *may* be the one asked for, and the caller reads those
 * rows (by rowid, cheap) to compare the text. With 32-bit hashes a new id meets a false
 * candidate about once per 430 lookups per million ids held; that read is the only cost.
 */
import { FingerprintTable } from './fingerprintTable.js';
import { hash32, newSeed } from './keyHashes.js';

export class EventIdIndex {
  private readonly table: FingerprintTable;
  private readonly seed = newSeed();

  constructor(capacityHint = 1 << 16) {
    this.table = new FingerprintTable(32, capacityHint);
  }

  get size(): number {
    return this.table.size;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.table.bytes;
  }

  hash(id: string): number {
    return hash32(id, this.seed);
  }

  /** Positions whose eventId may be `id` (usually none or one). */
  candidates(id: string): number[] {
    const t = this.table;
    const fp = t.fingerprint(this.hash(id));
    const out: number[] = [];
    for (let s = t.first(fp); s >= 0; s = t.next(s, fp)) out.push(t.refAt(s) + 1);
    return out;
  }

  /** Makes room for `events` ids in all (see `FingerprintTable.reserve`). */
  reserve(events: number): void {
    this.table.reserve(events);
  }

  /** Records that `id` is at `position` (a position in 1 … 2^32 − 1). */
  add(id: string, position: number): void {
    if (!(position > 0 && position <= 0xffffffff && Number.isInteger(position))) {
      throw new RangeError(`event position ${position} is outside 1 … 2^32 − 1`);
    }
    this.table.add(this.table.fingerprint(this.hash(id)), position - 1);
  }
}
