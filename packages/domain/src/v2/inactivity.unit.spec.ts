/**
 * Spec §4 (v2) "Inactivity" (业绩评估): inactive at M with K of M's program, one
 * CHANNEL_INACTIVE per silent spell at the close, idleMonths/lastSaleMonth, and the
 * re-judgment after a late SaleRecorded. Cross-checked with spec/examples-v2 (E1, N1).
 */
import { describe, expect, it } from 'vitest';
import { parseMonth, type Month } from '../calendar.js';
import {
  becameInactiveAt,
  idleSpell,
  inactiveAt,
  inactivityAtClose,
  rejudgeInactivity,
  type InactivityInput,
} from './inactivity.js';

const month = (text: string): Month => parseMonth(text)!;
const channel = (
  first: string,
  sold: string[],
  k: (m: Month) => number | undefined = () => 2,
): InactivityInput => ({
  firstMonth: month(first),
  soldMonths: new Set(sold.map(month)),
  inactivityMonthsFor: k,
});
/** K = 2 from `from` on (a program with inactivityMonths 2 effective from then), none before. */
const kFrom =
  (from: string, k = 2) =>
  (m: Month) =>
    m >= month(from) ? k : undefined;

describe('inactive at M (examples-v2, K = 2)', () => {
  const e1 = channel('2026-01', ['2026-01']);

  it('given E1 sold in January only, when judged, then inactive at March (February and March silent) but not at February', () => {
    expect(inactiveAt(e1, month('2026-02'))).toBe(false);
    expect(inactiveAt(e1, month('2026-03'))).toBe(true);
  });

  it('given N1 whose first month is March, when March is judged, then not inactive (February is before its first month)', () => {
    expect(inactiveAt(channel('2026-03', []), month('2026-03'))).toBe(false);
    expect(inactiveAt(channel('2026-03', []), month('2026-04'))).toBe(true);
  });

  it('given no program (or one without inactivityMonths) for M, when judged, then not inactive', () => {
    expect(
      inactiveAt(
        channel('2026-01', [], () => undefined),
        month('2026-06'),
      ),
    ).toBe(false);
  });

  it('given K = 1, when a month has no sale, then inactive at that month alone', () => {
    const c = channel('2026-01', ['2026-01'], () => 1);
    expect(inactiveAt(c, month('2026-02'))).toBe(true);
  });
});

describe('CHANNEL_INACTIVE at the close', () => {
  it('given E1 silent in February and March, when March closes, then CHANNEL_INACTIVE with idleMonths 2, K 2, lastSaleMonth January, not restated', () => {
    expect(inactivityAtClose(channel('2026-01', ['2026-01']), month('2026-03'))).toEqual([
      {
        kind: 'CHANNEL_INACTIVE',
        month: month('2026-03'),
        idleMonths: 2,
        inactivityMonths: 2,
        lastSaleMonth: month('2026-01'),
        restated: false,
      },
    ]);
  });

  it('given a partner that stays silent, when April and May close, then no second alert in the same spell', () => {
    const c = channel('2026-01', ['2026-01']);
    expect(inactivityAtClose(c, month('2026-04'))).toEqual([]);
    expect(inactivityAtClose(c, month('2026-05'))).toEqual([]);
  });

  it('given a partner that sold in April and fell silent again, when June closes, then a second spell starts', () => {
    const c = channel('2026-01', ['2026-01', '2026-04']);
    expect(inactivityAtClose(c, month('2026-06'))).toMatchObject([
      { kind: 'CHANNEL_INACTIVE', idleMonths: 2, lastSaleMonth: month('2026-04') },
    ]);
  });

  it('given a partner that never sold since its first month, when alerted, then lastSaleMonth is null', () => {
    expect(inactivityAtClose(channel('2026-03', []), month('2026-04'))).toMatchObject([
      { idleMonths: 2, lastSaleMonth: null },
    ]);
  });

  it('given K = 3 for May and K = 2 from June (a new program), when June closes after April and May were silent, then May (judged with K = 3) was not inactive and June is: alert with K 2', () => {
    const c = channel('2026-01', ['2026-03'], (m) => (m >= month('2026-06') ? 2 : 3));
    expect(becameInactiveAt(c, month('2026-05'))).toBe(false);
    expect(inactivityAtClose(c, month('2026-06'))).toMatchObject([
      { idleMonths: 3, inactivityMonths: 2, lastSaleMonth: month('2026-03') },
    ]);
  });

  it('given a program with K only from April, when April closes for a partner silent since January, then the spell is alerted at April (March, with no K, was not inactive)', () => {
    const c = channel('2026-01', ['2026-01'], kFrom('2026-04'));
    expect(inactivityAtClose(c, month('2026-03'))).toEqual([]);
    expect(inactivityAtClose(c, month('2026-04'))).toMatchObject([{ idleMonths: 3, inactivityMonths: 2 }]);
  });
});

describe('idleMonths and lastSaleMonth', () => {
  it('given a sale in January and silence to May, when counted at May, then 4 idle months and January', () => {
    expect(idleSpell(channel('2026-01', ['2026-01']), month('2026-05'))).toEqual({
      idleMonths: 4,
      lastSaleMonth: month('2026-01'),
    });
  });

  it('given no sale since the first month (March), when counted at June, then 4 idle months (back to March, no further) and null', () => {
    expect(idleSpell(channel('2026-03', []), month('2026-06'))).toEqual({
      idleMonths: 4,
      lastSaleMonth: null,
    });
  });
});

describe('re-judgment after a late SaleRecorded', () => {
  it('given E1 alerted at March, when the late sale s-e1-2 (2026-03-28) is accepted, then CHANNEL_INACTIVE_RETRACTED for March', () => {
    const before = channel('2026-01', ['2026-01']);
    const after = channel('2026-01', ['2026-01', '2026-03']);
    expect(rejudgeInactivity(before, after, month('2026-03'), month('2026-03'))).toEqual([
      { kind: 'CHANNEL_INACTIVE_RETRACTED', month: month('2026-03') },
    ]);
  });

  it('given a spell alerted at March and silence through June, when a late sale into April is accepted, then March stands and a new spell starts at June (restated)', () => {
    const before = channel('2026-01', ['2026-01']);
    const after = channel('2026-01', ['2026-01', '2026-04']);
    expect(rejudgeInactivity(before, after, month('2026-04'), month('2026-06'))).toEqual([
      {
        kind: 'CHANNEL_INACTIVE',
        month: month('2026-06'),
        idleMonths: 2,
        inactivityMonths: 2,
        lastSaleMonth: month('2026-04'),
        restated: true,
      },
    ]);
  });

  it('given a channel first seen in March and alerted at April, when a late sale into January moves its first month, then March raises (restated) and April retracts, ascending', () => {
    const before = channel('2026-03', []);
    const after = channel('2026-01', ['2026-01']);
    expect(rejudgeInactivity(before, after, month('2026-01'), month('2026-05'))).toEqual([
      {
        kind: 'CHANNEL_INACTIVE',
        month: month('2026-03'),
        idleMonths: 2,
        inactivityMonths: 2,
        lastSaleMonth: month('2026-01'),
        restated: true,
      },
      { kind: 'CHANNEL_INACTIVE_RETRACTED', month: month('2026-04') },
    ]);
  });

  it('given a late sale into a month that already had a sale, when re-judged, then nothing changes', () => {
    const c = channel('2026-01', ['2026-01', '2026-03']);
    expect(rejudgeInactivity(c, c, month('2026-03'), month('2026-06'))).toEqual([]);
  });
});

describe('sold months as a view over month facts', () => {
  it('given soldMonths as an object answering has() from sale counts, when judged, then the same as with a Set', () => {
    const saleCount = new Map([[month('2026-01'), 1]]);
    const view: InactivityInput = {
      firstMonth: month('2026-01'),
      soldMonths: { has: (m) => (saleCount.get(m) ?? 0) > 0 },
      inactivityMonthsFor: () => 2,
    };
    expect(inactivityAtClose(view, month('2026-03'))).toEqual(
      inactivityAtClose(channel('2026-01', ['2026-01']), month('2026-03')),
    );
  });
});
