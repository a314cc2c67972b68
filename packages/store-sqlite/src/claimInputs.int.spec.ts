/**
 * The embedded claim inputs (claimInputs.ts) answer as the in-memory reference does: before the
 * first price change (only counted, read back from a real log's events), across the read-back
 * into typed rows inside a batch, after it, before each flush, across a rolled-back batch, after
 * a reload on a new connection, and for one range of channels (a rebuild's part).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  claimInputOf,
  memoryClaimInputs,
  type ChanperfEvent,
  type ClaimInputRecord,
  type ClaimInputStore,
} from '@chanperf/domain';
import { COUNTED, logClaimInputs, sqliteClaimInputs, type SqliteClaimInputs } from './claimInputs.js';
import type { ChannelRange } from './partFeed.js';
import { migrate, migrateReadModel } from './schema.js';

const dir = mkdtempSync(join(tmpdir(), 'chanperf-claims-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHANNELS = ['c1', 'c2'];
const SKUS = ['A', 'B\t"x"'];
const ORDERS = ['o1', 'o2', 'o3'];

/**
 * A deterministic stream of events over few keys, so orders repeat: sales, returns and inventory
 * counts (the claim inputs) among trainings (not inputs), for `channels`.
 */
function events(count: number, seed: number, channels = CHANNELS): ChanperfEvent[] {
  let x = seed;
  const next = (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  const pick = <T>(list: readonly T[]) => list[next(list.length)] as T;
  return Array.from({ length: count }, (_, i): ChanperfEvent => {
    const base = { eventId: `e${seed}-${i}`, channelId: pick(channels) };
    const at = `2026-03-0${1 + next(9)}T10:00:0${next(10)}${next(2) === 0 ? '' : '.5'}+08:00`;
    const line = {
      orderId: pick(ORDERS),
      sku: pick(SKUS),
      quantity: next(9) + 1,
      netAmount: '10.00',
      currency: 'CNY',
    };
    switch (next(4)) {
      case 0:
        return { ...base, occurredAt: at, type: 'SaleRecorded', data: line };
      case 1:
        return { ...base, occurredAt: at, type: 'SaleReturned', data: line };
      case 2:
        return {
          ...base,
          occurredAt: at,
          type: 'InventoryReported',
          data: { sku: pick(SKUS), onHand: next(50), asOf: at },
        };
      default:
        return {
          ...base,
          occurredAt: at,
          type: 'TrainingCompleted',
          data: { courseId: 'C-1', traineeId: `t${next(5)}` },
        };
    }
  });
}

/** The claim inputs of `list`, in order. */
function inputsOf(list: readonly ChanperfEvent[]): ClaimInputRecord[] {
  return list.map(claimInputOf).filter((r): r is ClaimInputRecord => r !== undefined);
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

/** A log file of its own (its `events` table) and a read model beside it. */
class Files {
  readonly log: Database.Database;
  readonly rm: Database.Database;
  private position = 0;

  constructor(readonly name: string) {
    this.log = new Database(join(dir, `${name}.db`));
    const logId = migrate(this.log);
    this.rm = new Database(join(dir, `${name}.db-readmodel`));
    migrateReadModel(this.rm, logId);
  }

  /** Appends `list` to the log, as the ingestion does before the projection applies them. */
  append(list: readonly ChanperfEvent[]): void {
    const put = this.log.prepare(`INSERT INTO events VALUES (?, ?, ?, ?, ?)`);
    this.log.transaction(() => {
      for (const e of list) put.run(++this.position, e.eventId, e.type, e.channelId, JSON.stringify(e));
    })();
  }

  store(range?: ChannelRange): SqliteClaimInputs {
    return sqliteClaimInputs(this.rm, logClaimInputs(this.log, range));
  }

  rows(table: string): unknown {
    return this.rm.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get();
  }

  counted(): unknown {
    return this.rm.prepare(`SELECT value FROM rm_settings WHERE key = '${COUNTED}'`).pluck().get();
  }

  close(): void {
    this.rm.close();
    this.log.close();
  }
}

/**
 * Applies `list` (appended to the log first) in one transaction of the read model, as a projection
 * batch does (a price change after the middle one when `change`), comparing with `reference`
 * after each add.
 */
function batch(
  files: Files,
  store: SqliteClaimInputs,
  reference: ClaimInputStore,
  list: readonly ChanperfEvent[],
  change = false,
): void {
  files.append(list);
  const records = inputsOf(list);
  files.rm
    .transaction(() => {
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
    })
    .immediate();
  expect(answers(store)).toEqual(answers(reference));
}

/** Opens `files`' read model again on new connections: it answers as `reference`. Closes both. */
function expectSameAfterReload(files: Files, reference: ClaimInputStore): void {
  files.rm.close();
  const reopened = new Files(files.name);
  expect(answers(reopened.store())).toEqual(answers(reference));
  reopened.close();
  files.log.close();
}

describe('sqliteClaimInputs', () => {
  it('answers as the in-memory store before, across and after the first price change, and after a reload', () => {
    const files = new Files('moves');
    const store = files.store();
    const reference = memoryClaimInputs();
    const feed = (list: readonly ChanperfEvent[], change = false) =>
      batch(files, store, reference, list, change);
    feed(events(80, 1));
    feed(events(80, 2));
    const before = inputsOf([...events(80, 1), ...events(80, 2)]).length;
    // Before any change only the count is written: the inputs are the log's.
    expect(files.counted()).toBe(String(before));
    expect(files.rows('rm_claim_inputs')).toBe(0);
    const third = events(200, 3);
    feed(third, true); // the change comes mid-batch
    expect(files.counted()).toBeUndefined();
    expect(files.rows('rm_claim_inputs')).toBe(before + inputsOf(third).length);
    feed(events(80, 4));
    expectSameAfterReload(files, reference);
  });

  it('is answered from the log before the first change, after a reload too', () => {
    const files = new Files('counted');
    const reference = memoryClaimInputs();
    batch(files, files.store(), reference, events(120, 20));
    expectSameAfterReload(files, reference);
  });

  it('writes a long batch as it goes after the change, in its transaction', () => {
    const files = new Files('long');
    const store = files.store();
    const reference = memoryClaimInputs();
    batch(files, store, reference, events(6000, 8));
    expect(files.rows('rm_claim_inputs')).toBe(0);
    const second = events(6000, 9);
    batch(files, store, reference, second, true);
    expect(files.rows('rm_claim_inputs')).toBe(inputsOf([...events(6000, 8), ...second]).length);
    expectSameAfterReload(files, reference);
  });

  it('reads only the log inputs of its range of channels', () => {
    const files = new Files('range');
    const range: ChannelRange = { from: 'c2', below: null };
    const store = files.store(range);
    const reference = memoryClaimInputs();
    const list = events(300, 30);
    files.append(list);
    // The part applies its own channels' events only (a rebuild's half).
    const mine = inputsOf(list).filter((r) => r.channelId === 'c2');
    files.rm
      .transaction(() => {
        for (const r of mine) {
          store.add(r);
          reference.add(r);
        }
        store.flush();
      })
      .immediate();
    expect(answers(store)).toEqual(answers(reference));
    files.rm.transaction(() => store.lookupsAhead()).immediate();
    expect(files.rows('rm_claim_inputs')).toBe(mine.length);
    expect(answers(store)).toEqual(answers(reference));
    files.close();
  });

  it('fails when the log holds fewer inputs than were counted', () => {
    const files = new Files('short');
    const store = files.store();
    files.rm.prepare(`INSERT INTO rm_settings VALUES ('${COUNTED}', '3')`).run();
    files.append(events(40, 40).filter((e) => e.type === 'TrainingCompleted'));
    expect(() => files.rm.transaction(() => store.lookupsAhead()).immediate()).toThrow(
      "the log holds 0 claim inputs of the read model's channels; it counted 3",
    );
    files.close();
  });

  it('forgets a rolled-back batch and its read-back', () => {
    const files = new Files('rollback');
    const store = files.store();
    const reference = memoryClaimInputs();
    batch(files, store, reference, events(80, 5));
    const counted = files.counted();
    const failed = events(40, 6);
    files.append(failed);
    const failing = files.rm.transaction(() => {
      for (const r of inputsOf(failed)) store.add(r);
      store.lookupsAhead();
      store.flush();
      throw new Error('the batch fails after its writes');
    });
    expect(() => failing.immediate()).toThrow('the batch fails');
    store.discard();
    expect(files.rows('rm_claim_inputs')).toBe(0);
    expect(files.counted()).toBe(counted);
    expect(answers(store)).toEqual(answers(reference));
    // The failed batch's events are in the log: they are applied again, still before any change.
    files.rm
      .transaction(() => {
        for (const r of inputsOf(failed)) {
          store.add(r);
          reference.add(r);
        }
        store.flush();
      })
      .immediate();
    expect(files.rows('rm_claim_inputs')).toBe(0);
    expect(answers(store)).toEqual(answers(reference));
    batch(files, store, reference, events(40, 7), true);
    expect(answers(store)).toEqual(answers(reference));
    files.close();
  });
});
