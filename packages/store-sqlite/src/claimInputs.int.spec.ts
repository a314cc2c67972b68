/**
 * The embedded claim inputs (claimInputs.ts) answer as the in-memory reference does: before the
 * first price change (one batch row a flush), across the move to typed rows inside a batch,
 * after it, before each flush, across a rolled-back batch and after a reload on a new connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryClaimInputs, type ClaimInputRecord, type ClaimInputStore } from '@chanperf/domain';
import { sqliteClaimInputs, type SqliteClaimInputs } from './claimInputs.js';
import { claimInputText } from './claimInputText.js';
import { migrateReadModel } from './schema.js';

const dir = mkdtempSync(join(tmpdir(), 'chanperf-claims-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHANNELS = ['c1', 'c2'];
const SKUS = ['A', 'B\t"x"'];
const ORDERS = ['o1', 'o2', 'o3'];

/** A deterministic stream of inputs (sales, returns, counts) over few keys, so orders repeat. */
function inputs(count: number, seed: number): ClaimInputRecord[] {
  let x = seed;
  const next = (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  const pick = <T>(list: readonly T[]) => list[next(list.length)] as T;
  return Array.from({ length: count }, (_, i): ClaimInputRecord => {
    const base = { channelId: pick(CHANNELS), sku: pick(SKUS), eventId: `e${seed}-${i}` };
    const at = { seconds: 1_700_000_000 + next(1000), fraction: next(2) === 0 ? '' : '5' };
    switch (next(3)) {
      case 0:
        return { kind: 'sale', ...base, orderId: pick(ORDERS), occurredAt: at, quantity: next(9) };
      case 1:
        return { kind: 'return', ...base, orderId: pick(ORDERS), quantity: next(9) };
      default:
        return { kind: 'count', ...base, onHand: next(50), asOf: at };
    }
  });
}

/** Every answer of `store`, over all keys. */
function answers(store: ClaimInputStore): unknown[] {
  const out: unknown[] = [];
  for (const c of CHANNELS) {
    for (const sku of SKUS) {
      out.push(store.inputsOf(c, sku));
      for (const o of ORDERS) out.push(store.originalSaleAt(c, sku, o));
    }
  }
  return out;
}

function openReadModel(name: string): Database.Database {
  const db = new Database(join(dir, name));
  migrateReadModel(db, 'log-1');
  return db;
}

/**
 * Adds `records` and flushes them in one transaction of `db`, as a projection batch does (a
 * price change after the middle one when `change`), comparing with `reference` after each add.
 */
function batch(
  db: Database.Database,
  store: SqliteClaimInputs,
  reference: ClaimInputStore,
  records: readonly ClaimInputRecord[],
  change = false,
): void {
  db.transaction(() => {
    records.forEach((r, i) => {
      store.add(r);
      reference.add(r);
      if (change && i === Math.floor(records.length / 2)) store.lookupsAhead();
      // Every add of a small batch; around the change and each 500th of a long one.
      if (records.length <= 200 || i % 500 === 0 || Math.abs(i - records.length / 2) < 3) {
        expect(answers(store)).toEqual(answers(reference));
      }
    });
    store.flush();
  }).immediate();
  expect(answers(store)).toEqual(answers(reference));
}

describe('sqliteClaimInputs', () => {
  it('answers as the in-memory store before, across and after the first price change, and after a reload', () => {
    const db = openReadModel('moves');
    const store = sqliteClaimInputs(db);
    const reference = memoryClaimInputs();
    const feed = (records: readonly ClaimInputRecord[], change = false) =>
      batch(db, store, reference, records, change);
    feed(inputs(60, 1));
    feed(inputs(60, 2));
    expect(db.prepare(`SELECT COUNT(*) FROM rm_claim_batches`).pluck().get()).toBe(2);
    expect(db.prepare(`SELECT COUNT(*) FROM rm_claim_inputs`).pluck().get()).toBe(0);
    feed(inputs(150, 3), true); // the change comes mid-batch: 76 inputs before it, 74 after
    expect(db.prepare(`SELECT COUNT(*) FROM rm_claim_batches`).pluck().get()).toBe(0);
    expect(db.prepare(`SELECT COUNT(*) FROM rm_claim_inputs`).pluck().get()).toBe(270);
    feed(inputs(60, 4));
    db.close();
    const reopened = openReadModel('moves');
    expect(answers(sqliteClaimInputs(reopened))).toEqual(answers(reference));
    reopened.close();
  });

  it('writes a long batch as it goes, in its transaction, before and after the change', () => {
    const db = openReadModel('long');
    const store = sqliteClaimInputs(db);
    const reference = memoryClaimInputs();
    const rows = (table: string) => db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get();
    batch(db, store, reference, inputs(5000, 8)); // 2 048 + 2 048 + 904
    expect(rows('rm_claim_batches')).toBe(3);
    batch(db, store, reference, inputs(5000, 9), true);
    expect([rows('rm_claim_batches'), rows('rm_claim_inputs')]).toEqual([0, 10_000]);
    db.close();
    const reopened = openReadModel('long');
    expect(answers(sqliteClaimInputs(reopened))).toEqual(answers(reference));
    reopened.close();
  });

  it('reads batch rows written as text by an earlier version beside its own, and moves both', () => {
    const db = openReadModel('text-rows');
    const reference = memoryClaimInputs();
    const older = inputs(60, 10);
    for (const r of older) reference.add(r);
    db.prepare(`INSERT INTO rm_claim_batches (body) VALUES (?)`).run(older.map(claimInputText).join(''));
    const store = sqliteClaimInputs(db);
    expect(answers(store)).toEqual(answers(reference));
    batch(db, store, reference, inputs(60, 11));
    expect(db.prepare(`SELECT typeof(body) FROM rm_claim_batches ORDER BY seq`).pluck().all()).toEqual([
      'text',
      'blob',
    ]);
    batch(db, store, reference, inputs(60, 12), true);
    expect(db.prepare(`SELECT COUNT(*) FROM rm_claim_inputs`).pluck().get()).toBe(180);
    db.close();
  });

  it('forgets a rolled-back batch and its move', () => {
    const db = openReadModel('rollback');
    const store = sqliteClaimInputs(db);
    const reference = memoryClaimInputs();
    batch(db, store, reference, inputs(80, 5));
    const failing = db.transaction(() => {
      for (const r of inputs(40, 6)) store.add(r);
      store.lookupsAhead();
      store.flush();
      throw new Error('the batch fails after its writes');
    });
    expect(() => failing.immediate()).toThrow('the batch fails');
    store.discard();
    expect(db.prepare(`SELECT COUNT(*) FROM rm_claim_inputs`).pluck().get()).toBe(0);
    expect(answers(store)).toEqual(answers(reference));
    // Still before any change: the next batch is one more batch row.
    batch(db, store, reference, inputs(40, 7));
    expect(db.prepare(`SELECT COUNT(*) FROM rm_claim_batches`).pluck().get()).toBe(2);
    expect(db.prepare(`SELECT COUNT(*) FROM rm_claim_inputs`).pluck().get()).toBe(0);
    db.close();
  });
});
