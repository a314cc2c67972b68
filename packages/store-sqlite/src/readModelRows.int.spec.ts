/**
 * A channel-month's row (`putMonthRow`, `factsOf`): the sums are exact integers of any size,
 * stored as decimal text — bound as SQLite integers while they fit 64 bits (the TEXT column
 * converts them), as text beyond.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CHANNEL_PERFORMANCE, MonthFacts } from '@chanperf/domain';
import { factsOf, putMonthRow, readModelStatements, type MonthRow } from './readModelRows.js';
import { migrateReadModel } from './schema.js';

const EDGES = [
  0n,
  -1n,
  7n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 63n,
  -(2n ** 63n),
  -(2n ** 63n) - 1n,
  10n ** 30n,
];

describe('a channel-month row', () => {
  it('keeps every sum exact, as its decimal text, on either side of 64 bits', () => {
    const db = new Database(':memory:');
    migrateReadModel(db, 'log-1', CHANNEL_PERFORMANCE);
    const s = readModelStatements(db);
    const written: MonthFacts[] = EDGES.map((v, i) =>
      MonthFacts.of({
        sales: v,
        returns: -v,
        orders: i,
        unitsSold: v * 3n,
        unitsReturned: v + 1n,
        saleCount: 0,
        promoNumerator: v * 10_000n,
        restated: false,
        trainings: 0,
        satisfactionPoints: v - 1n,
        satisfactionRespondents: v,
        surveys: 0,
      }),
    );
    written.forEach((f, i) => putMonthRow(s, 'C1', 24_300 + i, f));

    const rows = db.prepare(`SELECT * FROM rm_months ORDER BY month`).all() as MonthRow[];
    expect(rows.map(factsOf)).toStrictEqual(written);
    // Stored as text, the bytes `toString()` writes: what the column held before.
    const stored = db
      .prepare(`SELECT typeof(sales) AS type, sales, promo_numerator AS promo FROM rm_months ORDER BY month`)
      .all() as { type: string; sales: string; promo: string }[];
    expect(stored).toStrictEqual(
      written.map((f) => ({ type: 'text', sales: f.sales.toString(), promo: f.promoNumerator.toString() })),
    );
    db.close();
  });
});
