/**
 * The exact key sets over their rows: with fingerprints of 1–2 bits nearly every lookup meets
 * false candidates, confirmed against the batch's keys in memory or the rows on disk, and the
 * answers must equal a plain `Map`'s — before and after a reload from the file.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SaleKey } from './indexKeys.js';
import { keyChunkStatements } from './keyChunks.js';
import { KeyIndex } from './keyIndex.js';
import { migrateReadModel } from './schema.js';

function readModel(): Database.Database {
  const db = new Database(':memory:');
  migrateReadModel(db, 'log-1');
  return db;
}

function open(db: Database.Database, bits: number, writeAheadKeys?: number, recentRows?: number): KeyIndex {
  return new KeyIndex(keyChunkStatements(db, 'rm_sale_keys', 'rm_sale_key_updates'), {
    seed: 7,
    bits,
    values: true,
    ...(writeAheadKeys === undefined ? {} : { writeAheadKeys }),
    ...(recentRows === undefined ? {} : { recentRows }),
  });
}

/** Parts over a tiny alphabet (many near neighbours), some beyond Latin-1 and lone surrogates. */
const partArb = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', ':', '1'), maxLength: 4 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('\ud800', '\udc00x', 'é', '€'),
);
const keyArb = fc.tuple(partArb, partArb, partArb).map(([a, b, c]) => new SaleKey().set(a, b, c));
const stepArb = fc.tuple(keyArb, fc.integer({ min: 0, max: 3 }), fc.boolean());

/** Sets `key` to `value` in the index and in `reference`, checking first that they agree on it. */
function step(index: KeyIndex, reference: Map<string, number>, key: SaleKey, value: number): void {
  const ref = index.find(key);
  expect(ref >= 0).toBe(reference.has(key.text()));
  if (ref >= 0) {
    expect(index.value(ref)).toBe(reference.get(key.text()));
    index.setValue(ref, value);
  } else index.setValue(index.add(key), value);
  reference.set(key.text(), value);
}

describe('KeyIndex', () => {
  it('given colliding fingerprints, batches flushed and a reload, then it answers as a Map', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(stepArb, { maxLength: 40 }), { maxLength: 8 }),
        fc.constantFrom(1, 2, 32),
        // Rows kept since written: none (every confirmation reads its row), one, all of them.
        fc.constantFrom(0, 1, 256),
        (batches, bits, recent) => {
          const db = readModel();
          let index = open(db, bits, undefined, recent);
          const reference = new Map<string, number>();
          const byText = new Map<string, SaleKey>();
          for (const batch of batches) {
            for (const [key, value, reload] of batch) {
              step(index, reference, key, value);
              byText.set(key.text(), key);
              if (reload) {
                db.transaction(() => index.flush())();
                index = open(db, bits, undefined, recent);
              }
            }
            db.transaction(() => index.flush())();
          }
          const reloaded = open(db, bits);
          expect(reloaded.size).toBe(reference.size);
          for (const [text, value] of reference) {
            const ref = reloaded.find(byText.get(text) as SaleKey);
            expect(ref).toBeGreaterThanOrEqual(0);
            expect(reloaded.value(ref)).toBe(value);
          }
          db.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('given batches in transactions that write their keys early, some rolled back, then it answers as a Map', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(stepArb, { maxLength: 40 }), fc.boolean()), { maxLength: 8 }),
        fc.constantFrom(1, 2, 32),
        fc.constantFrom(1, 3, 256),
        fc.constantFrom(0, 2, 256),
        (batches, bits, writeAhead, recent) => {
          const db = readModel();
          let index = open(db, bits, writeAhead, recent);
          let reference = new Map<string, number>();
          const byText = new Map<string, SaleKey>();
          for (const [batch, fails] of batches) {
            const before = new Map(reference);
            try {
              db.transaction(() => {
                for (const [key, value] of batch) {
                  step(index, reference, key, value);
                  byText.set(key.text(), key);
                }
                if (fails) throw new Error('the batch fails');
                index.flush();
              })();
            } catch (err) {
              expect((err as Error).message).toBe('the batch fails');
              // As the read store does on a failed batch: drop the index, read it again.
              index = open(db, bits, writeAhead, recent);
              reference = before;
            }
          }
          const reloaded = open(db, bits);
          expect(reloaded.size).toBe(reference.size);
          for (const [text, key] of byText) {
            const ref = reloaded.find(key);
            expect(ref >= 0).toBe(reference.has(text));
            if (ref >= 0) expect(reloaded.value(ref)).toBe(reference.get(text));
          }
          db.close();
        },
      ),
      { numRuns: 80 },
    );
  });

  it('given more keys in one transaction than are written ahead, then full rows are on disk before the flush', () => {
    const db = readModel();
    const index = open(db, 32, 256);
    const key = (i: number) => new SaleKey().set('P1', `O-${i}`, 'S');
    const rows = () => db.prepare(`SELECT count(*) FROM rm_sale_keys`).pluck().get() as number;
    db.transaction(() => {
      for (let i = 0; i < 600; i++) {
        expect(index.find(key(i))).toBe(-1);
        index.setValue(index.add(key(i)), i);
      }
      expect(rows()).toBe(2); // keys 0–255 and 256–511, written as they filled
      index.setValue(index.find(key(3)), 99); // a key on disk already: an update row
      index.flush();
    })();
    expect(rows()).toBe(3);
    const reloaded = open(db, 32);
    expect(reloaded.value(reloaded.find(key(3)))).toBe(99);
    expect(reloaded.value(reloaded.find(key(599)))).toBe(599);
    // Outside a transaction nothing is written early (the as-of builder's scratch index).
    const outside = open(db, 32, 1);
    expect(outside.find(key(1000))).toBe(-1);
    outside.add(key(1000));
    expect(rows()).toBe(3);
    db.close();
  });

  it('given keys written in rows, then it confirms a hit from the rows it wrote last, older ones from disk', () => {
    const db = readModel();
    const disk = keyChunkStatements(db, 'rm_sale_keys', 'rm_sale_key_updates');
    let reads = 0;
    const holding = disk.holding.bind(disk);
    disk.holding = (ref) => {
      reads++;
      return holding(ref);
    };
    const index = new KeyIndex(disk, { seed: 7, bits: 32, values: true, writeAheadKeys: 256, recentRows: 2 });
    const key = (i: number) => new SaleKey().set('P1', `O-${i}`, 'S');
    db.transaction(() => {
      for (let i = 0; i < 1024; i++) {
        expect(index.find(key(i))).toBe(-1);
        index.setValue(index.add(key(i)), i);
      }
      index.flush(); // rows of keys 0–255, 256–511, 512–767, 768–1023: the last two kept
    })();
    for (const i of [600, 767, 768, 1023]) expect(index.value(index.find(key(i)))).toBe(i);
    expect(reads).toBe(0);
    for (const i of [0, 255, 256, 511]) expect(index.value(index.find(key(i)))).toBe(i);
    expect(reads).toBe(2); // one row read for 0 and 255, one for 256 and 511
    db.close();
  });

  it('given 2 000 keys over many rows with 1-bit fingerprints, then each is found once and an unknown key is not', () => {
    const db = readModel();
    const index = open(db, 1);
    const key = (i: number) => new SaleKey().set('P1', `O-${i}`, 'S');
    for (let i = 0; i < 2000; i++) {
      expect(index.find(key(i))).toBe(-1);
      index.setValue(index.add(key(i)), i);
      if (i % 300 === 299) db.transaction(() => index.flush())();
    }
    db.transaction(() => index.flush())();
    const reloaded = open(db, 32);
    for (let i = 0; i < 2000; i++) expect(reloaded.value(reloaded.find(key(i)))).toBe(i);
    expect(reloaded.find(key(2000))).toBe(-1);
    expect(reloaded.bytes).toBeGreaterThan(0);
    db.close();
  });
});
