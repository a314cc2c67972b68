/**
 * (v2) Annual targets and quarterly commitments (spec §4 "Targets and commitments"): the
 * quarter split, the figures of one channel-year, and the commitment judgment behind
 * TARGET_BEHIND / TARGET_BEHIND_RETRACTED. Plain inputs: the projection feeds the twelve
 * month nets of the year from the channel's month facts, the channel's first month and the
 * last closed month. Alert ids are the projection's (`nextAlertId`).
 */
import type { Month } from '../calendar.js';
import { floorDiv } from '../projection/monthlyGrowth.js';
import { divideRounded, januaryOf, lastMonthOfQuarter, type Quarter } from './quarters.js';

/** A `TargetSet` in effect, amounts in minor units. */
export interface YearTarget {
  /** Calendar year, e.g. 2026. */
  readonly year: number;
  readonly annualTarget: bigint;
  /** `quarterlyNet` (Q1 … Q4) when given; null: split by `quarterTargets`. */
  readonly quarterlyNet: readonly bigint[] | null;
}

/** Quarter targets: `quarterlyNet` when given, else ⌊annual / 4⌋ for Q1–Q3 and the rest for Q4. */
export function quarterTargets(target: Pick<YearTarget, 'annualTarget' | 'quarterlyNet'>): bigint[] {
  if (target.quarterlyNet !== null) return [...target.quarterlyNet];
  const share = target.annualTarget / 4n; // annualTarget > 0: truncation is the floor
  return [share, share, share, target.annualTarget - 3n * share];
}

export type PaceStatus = 'OPEN' | 'ON_TRACK' | 'BEHIND';
export type CommitmentStatus = 'OPEN' | 'ON_TRACK' | 'BEHIND';

export interface QuarterCommitment {
  readonly quarter: Quarter;
  readonly target: bigint;
  readonly net: bigint;
  readonly cumulativeTarget: bigint;
  readonly cumulativeNet: bigint;
  /** OPEN until the quarter's last month is closed; then ON_TRACK when cumulativeNet ≥ cumulativeTarget. */
  readonly status: CommitmentStatus;
}

export interface TargetYearFigures {
  readonly ytdNet: bigint;
  /** floor(ytdNet × 10000 / annualTarget), negative when ytdNet is. */
  readonly attainmentBps: number;
  /** c: closed months of the year. */
  readonly closedMonths: number;
  /** a: closed months of the year that are ≥ the channel's first month. */
  readonly sellingMonths: number;
  readonly closedNet: bigint;
  /** closedNet × (a + 12 − c) / a rounded once half away from zero; null when a = 0. */
  readonly projectedNet: bigint | null;
  readonly status: PaceStatus;
  /** Q1 … Q4. */
  readonly quarters: readonly QuarterCommitment[];
}

export interface TargetYearInput {
  readonly target: YearTarget;
  /** Net of January … December of the year (0 for a month outside the channel's months). */
  readonly monthNets: readonly bigint[];
  readonly firstMonth: Month;
  /** The last closed month, or null when none is. */
  readonly lastClosed: Month | null;
}

function closedCount(from: Month, to: Month, lastClosed: Month | null): number {
  if (lastClosed === null || to < from) return 0;
  return Math.max(0, Math.min(to, lastClosed) - from + 1);
}

/** The figures of one channel-year (spec §4 Targets, report `targets[]`). */
export function targetYearFigures(input: TargetYearInput): TargetYearFigures {
  const { target, monthNets, firstMonth, lastClosed } = input;
  const january = januaryOf(target.year);
  const c = closedCount(january, january + 11, lastClosed);
  const a = closedCount(Math.max(january, firstMonth), january + 11, lastClosed);
  let ytdNet = 0n;
  let closedNet = 0n;
  for (let i = 0; i < 12; i++) {
    const net = monthNets[i] ?? 0n;
    ytdNet += net;
    if (i < c) closedNet += net;
  }
  // closedNet × (a + 12 − c) / a, compared with annualTarget exactly: × a on both sides.
  const reach = closedNet * BigInt(a + 12 - c);
  const annual = target.annualTarget;
  let status: PaceStatus = 'OPEN';
  if (a > 0) status = reach >= annual * BigInt(a) ? 'ON_TRACK' : 'BEHIND';
  return {
    ytdNet,
    attainmentBps: Number(floorDiv(ytdNet * 10000n, annual)),
    closedMonths: c,
    sellingMonths: a,
    closedNet,
    projectedNet: a === 0 ? null : divideRounded(reach, BigInt(a)),
    status,
    quarters: quarterCommitments(target, monthNets, lastClosed),
  };
}

function quarterCommitments(
  target: YearTarget,
  monthNets: readonly bigint[],
  lastClosed: Month | null,
): QuarterCommitment[] {
  const targets = quarterTargets(target);
  const out: QuarterCommitment[] = [];
  let cumulativeTarget = 0n;
  let cumulativeNet = 0n;
  for (let q = 0; q < 4; q++) {
    const quarterTarget = targets[q] ?? 0n;
    const net = (monthNets[3 * q] ?? 0n) + (monthNets[3 * q + 1] ?? 0n) + (monthNets[3 * q + 2] ?? 0n);
    cumulativeTarget += quarterTarget;
    cumulativeNet += net;
    const quarter = target.year * 4 + q;
    const closed = lastClosed !== null && lastMonthOfQuarter(quarter) <= lastClosed;
    let status: CommitmentStatus = 'OPEN';
    if (closed) status = cumulativeNet >= cumulativeTarget ? 'ON_TRACK' : 'BEHIND';
    out.push({ quarter, target: quarterTarget, net, cumulativeTarget, cumulativeNet, status });
  }
  return out;
}

/** An alert of a commitment, without its id (the projection numbers alerts). */
export type CommitmentAlert =
  | {
      readonly kind: 'TARGET_BEHIND';
      /** The quarter's last month. */
      readonly month: Month;
      readonly quarter: Quarter;
      readonly cumulativeNet: bigint;
      readonly cumulativeTarget: bigint;
      readonly restated: boolean;
    }
  | { readonly kind: 'TARGET_BEHIND_RETRACTED'; readonly month: Month; readonly quarter: Quarter };

function behind(q: QuarterCommitment, restated: boolean): CommitmentAlert {
  return {
    kind: 'TARGET_BEHIND',
    month: lastMonthOfQuarter(q.quarter),
    quarter: q.quarter,
    cumulativeNet: q.cumulativeNet,
    cumulativeTarget: q.cumulativeTarget,
    restated,
  };
}

/**
 * Closing step 3: at the close of `quarter`'s last month, with the channel's figures for
 * the year as they are after that close, TARGET_BEHIND (`restated: false`) when the
 * commitment is not kept. The projection calls it only for a channel with a target for the
 * quarter's year (whatever its first month).
 */
export function commitmentAtClose(after: TargetYearFigures, quarter: Quarter): CommitmentAlert[] {
  const q = after.quarters.find((x) => x.quarter === quarter);
  return q?.status === 'BEHIND' ? [behind(q, false)] : [];
}

/**
 * The re-judgment of closed quarters after a late sale or return into month M (`fromQuarter`
 * = M's quarter: the closed quarters of M's year ending at or after M) or after a TargetSet
 * (`fromQuarter` = Q1 of its year). `before` is the year's figures before the event (null when
 * the channel had no target for the year: every quarter counts as not BEHIND), `after` the
 * figures after it. Ascending quarter: becoming BEHIND gives TARGET_BEHIND (`restated: true`),
 * ceasing to be BEHIND gives TARGET_BEHIND_RETRACTED.
 */
export function rejudgeCommitments(
  before: TargetYearFigures | null,
  after: TargetYearFigures,
  fromQuarter: Quarter,
): CommitmentAlert[] {
  const out: CommitmentAlert[] = [];
  for (const q of after.quarters) {
    if (q.quarter < fromQuarter || q.status === 'OPEN') continue;
    const was = before?.quarters.find((x) => x.quarter === q.quarter)?.status === 'BEHIND';
    const is = q.status === 'BEHIND';
    if (is && !was) out.push(behind(q, true));
    if (was && !is)
      out.push({ kind: 'TARGET_BEHIND_RETRACTED', month: lastMonthOfQuarter(q.quarter), quarter: q.quarter });
  }
  return out;
}
