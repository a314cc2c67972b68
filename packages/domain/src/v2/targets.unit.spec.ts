/**
 * Spec §4 (v2) "Targets and commitments": the quarter split, one channel-year's figures
 * (ytd, attainment, run-rate projection, pace) and the quarterly commitment alerts. Figures
 * cross-checked with spec/examples-v2/README.md ("Targets") and v2-basic.report.json.
 */
import { describe, expect, it } from 'vitest';
import { parseMonth } from '../calendar.js';
import { formatQuarter } from './quarters.js';
import {
  commitmentAtClose,
  quarterTargets,
  rejudgeCommitments,
  targetYearFigures,
  type TargetYearInput,
  type YearTarget,
} from './targets.js';

const month = (text: string): number => parseMonth(text)!;
/** CNY: thousands of yuan → minor units. */
const k = (thousands: number): bigint => BigInt(thousands) * 100_000n;
const target = (annual: bigint, quarterlyNet: bigint[] | null = null): YearTarget => ({
  year: 2026,
  annualTarget: annual,
  quarterlyNet,
});
const nets = (...thousands: number[]): bigint[] => Array.from({ length: 12 }, (_, i) => k(thousands[i] ?? 0));
const input = (over: Partial<TargetYearInput>): TargetYearInput => ({
  target: target(k(1200)),
  monthNets: nets(),
  firstMonth: month('2026-01'),
  lastClosed: month('2026-04'),
  ...over,
});

describe('the quarter split', () => {
  it('given an annual target of 1 200 000.00 and no quarterlyNet, when split, then 300 000.00 a quarter', () => {
    expect(quarterTargets(target(k(1200)))).toEqual([k(300), k(300), k(300), k(300)]);
  });

  it('given 1 000.03 (100 003 minor units), when split, then ⌊/4⌋ for Q1–Q3 and the rest (two units more) for Q4', () => {
    expect(quarterTargets(target(100_003n))).toEqual([25_000n, 25_000n, 25_000n, 25_003n]);
  });

  it('given quarterlyNet (even a 0 quarter), when split, then the given quarters as they are', () => {
    expect(quarterTargets(target(k(500), [0n, k(100), k(200), k(200)]))).toEqual([
      0n,
      k(100),
      k(200),
      k(200),
    ]);
  });
});

describe('the figures of a channel-year (examples-v2)', () => {
  it('given D1 (10 000 000 split 2.0/2.4/2.6/3.0 M, nets 600/700/800/900 k, January–April closed), then attainment 3000, projection 9 000 000 and BEHIND pace, Q1 ON_TRACK', () => {
    const d1 = targetYearFigures(
      input({
        target: target(k(10_000), [k(2000), k(2400), k(2600), k(3000)]),
        monthNets: nets(600, 700, 800, 900),
      }),
    );
    expect(d1).toMatchObject({
      ytdNet: k(3000),
      attainmentBps: 3000,
      closedMonths: 4,
      sellingMonths: 4,
      closedNet: k(3000),
      projectedNet: k(9000),
      status: 'BEHIND',
    });
    expect(
      d1.quarters.map((q) => [
        formatQuarter(q.quarter),
        q.target,
        q.net,
        q.cumulativeTarget,
        q.cumulativeNet,
        q.status,
      ]),
    ).toEqual([
      ['2026-Q1', k(2000), k(2100), k(2000), k(2100), 'ON_TRACK'],
      ['2026-Q2', k(2400), k(900), k(4400), k(3000), 'OPEN'],
      ['2026-Q3', k(2600), 0n, k(7000), k(3000), 'OPEN'],
      ['2026-Q4', k(3000), 0n, k(10_000), k(3000), 'OPEN'],
    ]);
  });

  it('given S1 (1 200 000 revised to 250/300/300/350 k, nets 100/120/10/150 k), then attainment floor(3166.67) = 3166, projection 1 140 000, BEHIND, Q1 BEHIND 230 k vs 250 k', () => {
    const s1 = targetYearFigures(
      input({
        target: target(k(1200), [k(250), k(300), k(300), k(350)]),
        monthNets: nets(100, 120, 10, 150),
      }),
    );
    expect(s1).toMatchObject({
      ytdNet: k(380),
      attainmentBps: 3166,
      projectedNet: k(1140),
      status: 'BEHIND',
    });
    expect(s1.quarters[0]).toMatchObject({
      cumulativeNet: k(230),
      cumulativeTarget: k(250),
      status: 'BEHIND',
    });
  });

  it('given N1 (first month March, 500 000 split 0/100/200/200 k, nets 30/40 k in March/April), then c = 4, a = 2, projection 70 000 × 10 / 2 = 350 000, BEHIND, Q1 ON_TRACK against 0', () => {
    const n1 = targetYearFigures(
      input({
        target: target(k(500), [0n, k(100), k(200), k(200)]),
        monthNets: nets(0, 0, 30, 40),
        firstMonth: month('2026-03'),
      }),
    );
    expect(n1).toMatchObject({
      ytdNet: k(70),
      attainmentBps: 1400,
      closedMonths: 4,
      sellingMonths: 2,
      closedNet: k(70),
      projectedNet: k(350),
      status: 'BEHIND',
    });
    expect(n1.quarters[0]).toMatchObject({ cumulativeTarget: 0n, cumulativeNet: k(30), status: 'ON_TRACK' });
  });
});

describe('pace and projection edges', () => {
  it('given no closed month of the year, when computed, then a = 0: projection null, pace OPEN, every quarter OPEN, ytdNet still counts open months', () => {
    const f = targetYearFigures(input({ monthNets: nets(50), lastClosed: month('2025-12') }));
    expect(f).toMatchObject({
      ytdNet: k(50),
      closedMonths: 0,
      sellingMonths: 0,
      projectedNet: null,
      status: 'OPEN',
    });
    expect(f.quarters.every((q) => q.status === 'OPEN')).toBe(true);
  });

  it('given a channel whose first month is after every closed month of the year, then c > 0 but a = 0: projection null, pace OPEN', () => {
    const f = targetYearFigures(input({ firstMonth: month('2026-06'), lastClosed: month('2026-04') }));
    expect(f).toMatchObject({ closedMonths: 4, sellingMonths: 0, projectedNet: null, status: 'OPEN' });
  });

  it('given the whole year closed, when computed, then c = a = 12 and the projection is closedNet itself', () => {
    const f = targetYearFigures(input({ monthNets: nets(100, 100, 100), lastClosed: month('2027-03') }));
    expect(f).toMatchObject({ closedMonths: 12, sellingMonths: 12, projectedNet: k(300), status: 'BEHIND' });
  });

  it('given closedNet 0.01 over a = 2 of c = 3 closed months, when projected, then 0.01 × 11 / 2 = 0.055 rounds half away from zero to 0.06, yet a 0.06 target is BEHIND (the exact 0.055 does not reach it)', () => {
    const f = targetYearFigures({
      target: target(6n),
      monthNets: [0n, 0n, 1n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n],
      firstMonth: month('2026-02'),
      lastClosed: month('2026-03'),
    });
    expect(f).toMatchObject({ closedMonths: 3, sellingMonths: 2, projectedNet: 6n, status: 'BEHIND' });
  });

  it('given a negative closedNet -0.01 with the same months, when projected, then -0.055 rounds away from zero to -0.06 and attainment is negative (floored)', () => {
    const f = targetYearFigures({
      target: target(700n),
      monthNets: [0n, 0n, -1n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n],
      firstMonth: month('2026-02'),
      lastClosed: month('2026-03'),
    });
    expect(f).toMatchObject({ projectedNet: -6n, attainmentBps: -15, status: 'BEHIND' });
  });

  it('given a projection exactly reaching the target, when judged, then ON_TRACK', () => {
    const f = targetYearFigures(input({ target: target(k(1200)), monthNets: nets(100, 100, 100, 100) }));
    expect(f).toMatchObject({ projectedNet: k(1200), status: 'ON_TRACK' });
  });
});

describe('commitment alerts', () => {
  const s1First = target(k(1200));
  const s1Rev = target(k(1200), [k(250), k(300), k(300), k(350)]);
  const q1 = 2026 * 4;
  const atMarch = (t: YearTarget, monthNets: bigint[]) =>
    targetYearFigures(input({ target: t, monthNets, lastClosed: month('2026-03') }));

  it('given S1 at 270 k against 300 k, when March closes, then TARGET_BEHIND for 2026-Q1 at 2026-03, not restated', () => {
    expect(commitmentAtClose(atMarch(s1First, nets(100, 120, 50)), q1)).toEqual([
      {
        kind: 'TARGET_BEHIND',
        month: month('2026-03'),
        quarter: q1,
        cumulativeNet: k(270),
        cumulativeTarget: k(300),
        restated: false,
      },
    ]);
  });

  it('given D1 ahead of its Q1 commitment, when March closes, then no alert', () => {
    const d1 = atMarch(target(k(10_000), [k(2000), k(2400), k(2600), k(3000)]), nets(600, 700, 800));
    expect(commitmentAtClose(d1, q1)).toEqual([]);
  });

  it('given the revision tgt-S1-rev (Q1 250 k), when re-judged, then TARGET_BEHIND_RETRACTED for Q1', () => {
    const before = atMarch(s1First, nets(100, 120, 50));
    const after = atMarch(s1Rev, nets(100, 120, 50));
    expect(rejudgeCommitments(before, after, q1)).toEqual([
      { kind: 'TARGET_BEHIND_RETRACTED', month: month('2026-03'), quarter: q1 },
    ]);
  });

  it('given the late return r-s1-1 (March 50 k → 10 k), when Q1 is re-judged, then TARGET_BEHIND restated, 230 k vs 250 k', () => {
    const before = atMarch(s1Rev, nets(100, 120, 50));
    const after = atMarch(s1Rev, nets(100, 120, 10));
    expect(rejudgeCommitments(before, after, q1)).toEqual([
      {
        kind: 'TARGET_BEHIND',
        month: month('2026-03'),
        quarter: q1,
        cumulativeNet: k(230),
        cumulativeTarget: k(250),
        restated: true,
      },
    ]);
  });

  it('given a first TargetSet for a year with closed quarters, when judged against no target before, then each BEHIND quarter raises TARGET_BEHIND restated, ascending', () => {
    const t = target(k(1200));
    const after = targetYearFigures(
      input({ target: t, monthNets: nets(10, 10, 10, 10, 10, 10), lastClosed: month('2026-06') }),
    );
    expect(rejudgeCommitments(null, after, q1).map((a) => [a.kind, formatQuarter(a.quarter)])).toEqual([
      ['TARGET_BEHIND', '2026-Q1'],
      ['TARGET_BEHIND', '2026-Q2'],
    ]);
  });

  it('given a late sale into May with Q1 and Q2 closed, when re-judged from Q2, then only Q2 (the closed quarter ending at or after May) can raise: Q1, BEHIND throughout, raises nothing', () => {
    const t = target(k(1200));
    const before = targetYearFigures(
      input({ target: t, monthNets: nets(0, 0, 0, 0, 0, 0), lastClosed: month('2026-06') }),
    );
    const after = targetYearFigures(
      input({ target: t, monthNets: nets(0, 0, 0, 0, 700, 0), lastClosed: month('2026-06') }),
    );
    expect(rejudgeCommitments(before, after, q1 + 1)).toEqual([
      { kind: 'TARGET_BEHIND_RETRACTED', month: month('2026-06'), quarter: q1 + 1 },
    ]);
  });

  it('given a status that stays BEHIND (figures change), when re-judged, then no alert', () => {
    const before = atMarch(s1First, nets(100, 120, 50));
    const after = atMarch(s1First, nets(100, 120, 40));
    expect(rejudgeCommitments(before, after, q1)).toEqual([]);
  });
});
