/**
 * (v2) Calendar quarters and years of months (spec §1 v2: Q1 = months 01–03 … Q4 = 10–12),
 * and the one rounded division of the v2 figures that are not amount × bps (spec §4 v2:
 * "computed exactly as a fraction of integers and rounded once, half away from zero").
 */
import type { Month } from '../calendar.js';

/** A calendar quarter as `year * 4 + (n - 1)`; adjacent quarters differ by 1. */
export type Quarter = number;

export function quarterOf(month: Month): Quarter {
  return Math.floor(month / 3);
}

export function firstMonthOfQuarter(quarter: Quarter): Month {
  return quarter * 3;
}

export function lastMonthOfQuarter(quarter: Quarter): Month {
  return quarter * 3 + 2;
}

/** `YYYY-Qn`. */
export function formatQuarter(quarter: Quarter): string {
  const year = Math.floor(quarter / 4);
  return `${String(year).padStart(4, '0')}-Q${quarter - year * 4 + 1}`;
}

/** January of calendar year `year` (a number, e.g. 2026). */
export function januaryOf(year: number): Month {
  return year * 12;
}

/** The quarters overlapping months `first` … `last`, ascending (none when last < first). */
export function quartersOverlapping(first: Month, last: Month): Quarter[] {
  const out: Quarter[] = [];
  for (let q = quarterOf(first); first <= last && q <= quarterOf(last); q++) out.push(q);
  return out;
}

/** numerator / denominator (denominator > 0), rounded once, half away from zero. */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const neg = numerator < 0n;
  const abs = neg ? -numerator : numerator;
  let q = abs / denominator;
  if ((abs % denominator) * 2n >= denominator) q += 1n;
  return neg ? -q : q;
}
