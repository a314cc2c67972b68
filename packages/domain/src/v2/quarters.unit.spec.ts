/**
 * Spec §1 (v2): calendar quarters of the reporting months (Q1 = 01–03 … Q4 = 10–12), and the
 * one rounded division of §4 (v2) for figures that are not amount × bps.
 */
import { describe, expect, it } from 'vitest';
import { formatMonth, parseMonth, type Month } from '../calendar.js';
import {
  divideRounded,
  firstMonthOfQuarter,
  formatQuarter,
  januaryOf,
  lastMonthOfQuarter,
  quarterOf,
  quartersOverlapping,
} from './quarters.js';

const month = (text: string): Month => parseMonth(text)!;

describe('quarters of months', () => {
  it.each([
    ['2026-01', '2026-Q1', '2026-01', '2026-03'],
    ['2026-03', '2026-Q1', '2026-01', '2026-03'],
    ['2026-04', '2026-Q2', '2026-04', '2026-06'],
    ['2026-12', '2026-Q4', '2026-10', '2026-12'],
    ['0001-07', '0001-Q3', '0001-07', '0001-09'],
  ])('given %s, when its quarter is taken, then %s running %s … %s', (m, quarter, first, last) => {
    const q = quarterOf(month(m));
    expect(formatQuarter(q)).toBe(quarter);
    expect(formatMonth(firstMonthOfQuarter(q))).toBe(first);
    expect(formatMonth(lastMonthOfQuarter(q))).toBe(last);
  });

  it('given a year, when its January is asked for, then YYYY-01', () => {
    expect(formatMonth(januaryOf(2026))).toBe('2026-01');
  });

  it('given months 2025-11 … 2026-04, when the overlapping quarters are listed, then 2025-Q4, 2026-Q1, 2026-Q2', () => {
    expect(quartersOverlapping(month('2025-11'), month('2026-04')).map(formatQuarter)).toEqual([
      '2025-Q4',
      '2026-Q1',
      '2026-Q2',
    ]);
  });

  it('given an empty range (last before first), then no quarters', () => {
    expect(quartersOverlapping(month('2026-04'), month('2026-03'))).toEqual([]);
  });
});

describe('the rounded division', () => {
  it.each([
    [11n, 2n, 6n],
    [-11n, 2n, -6n],
    [10n, 4n, 3n],
    [-10n, 4n, -3n],
    [7n, 3n, 2n],
    [-7n, 3n, -2n],
    [8n, 3n, 3n],
    [0n, 5n, 0n],
  ])('given %d / %d, when rounded once half away from zero, then %d', (n, d, expected) => {
    expect(divideRounded(n, d)).toBe(expected);
  });
});
