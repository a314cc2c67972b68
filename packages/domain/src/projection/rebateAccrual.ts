/**
 * Rebate components of a channel-month (spec §4 "Rebates"): base by tier, growth bonus,
 * promotion bonus (with clawback on returns), quarterly volume rebate. The rates are
 * functions of their own (`tierInEffect`, `growthBonusBps`, `volumeBand`…) so that `explain`
 * applies the very same rules to the events it reads from the log.
 */
import { monthOfYear, type Month } from '../calendar.js';
import { applyBps, roundBps } from '../money.js';
import { programInEffect, type Program } from '../programRules.js';
import { growthStatus, isClosed, type GrowthStatus } from './monthlyGrowth.js';
import { clampIndex, heldIndexFor } from './tierReview.js';
import { netOf, type ChannelState, type ProjectionState } from './state.js';

export interface Rebate {
  readonly base: bigint;
  readonly growthBonus: bigint;
  readonly promotion: bigint;
  readonly volume: bigint;
  readonly total: bigint;
}

export const NO_REBATE: Rebate = { base: 0n, growthBonus: 0n, promotion: 0n, volume: 0n, total: 0n };

/** A volume band of a program: its minimum quarter net (minor units) and its rate. */
export type VolumeBand = Program['volumeRebate'][number];

/** Σ of the quarter's three months' net, for the quarter that ends at `month`. */
export function quarterNet(channel: ChannelState, month: Month): bigint {
  return netOf(channel, month - 2) + netOf(channel, month - 1) + netOf(channel, month);
}

/** The highest volume band with minQuarterNet ≤ q; undefined when q reaches none. */
export function volumeBand(program: Program, q: bigint): VolumeBand | undefined {
  let found: VolumeBand | undefined;
  for (const band of program.volumeRebate) if (BigInt(band.minQuarterNet) <= q) found = band;
  return found;
}

/** The rate of the highest volume band with minQuarterNet ≤ q (0 when none). */
export function volumeRateBps(program: Program, q: bigint): number {
  return volumeBand(program, q)?.rateBps ?? 0;
}

export function isQuarterEnd(month: Month): boolean {
  return monthOfYear(month) % 3 === 2;
}

/** The first month of the quarter that holds `month`. */
export function quarterStart(month: Month): Month {
  return month - (monthOfYear(month) % 3);
}

/**
 * Whether the volume rebate is due for `month`: it is the last month of its quarter, it is
 * closed, and the quarter's net `q` is positive.
 */
export function volumeRebateDue(month: Month, closed: boolean, q: bigint): boolean {
  return closed && isQuarterEnd(month) && q > 0n;
}

/** The tier index in effect for a month under the program of that month. */
export function tierIndexInEffect(program: Program, channel: ChannelState, month: Month): number {
  return clampIndex(program, heldIndexFor(channel, month));
}

/** The tier in effect for a month under the program of that month (its rebateBps is the base rate). */
export function tierInEffect(
  program: Program,
  channel: ChannelState,
  month: Month,
): Program['tiers'][number] | undefined {
  return program.tiers[tierIndexInEffect(program, channel, month)];
}

/** The growth bonus rate: the program's growthBonusBps for a month closed with status MET, else 0. */
export function growthBonusBps(program: Program, status: GrowthStatus): number {
  return status === 'MET' ? program.growthBonusBps : 0;
}

export function rebateFor(state: ProjectionState, channel: ChannelState, month: Month): Rebate {
  const program = programInEffect(state.programs, month);
  if (program === undefined) return NO_REBATE;
  const net = netOf(channel, month);
  const base = applyBps(net, tierInEffect(program, channel, month)?.rebateBps ?? 0);
  const growthBonus = applyBps(net, growthBonusBps(program, growthStatus(state, channel, month)));
  const promotion = roundBps(channel.months.get(month)?.promoNumerator ?? 0n);
  const closed = isClosed(state, month);
  const q = closed && isQuarterEnd(month) ? quarterNet(channel, month) : 0n;
  const volume = volumeRebateDue(month, closed, q) ? applyBps(q, volumeRateBps(program, q)) : 0n;
  return { base, growthBonus, promotion, volume, total: base + growthBonus + promotion + volume };
}

/**
 * The rebate accrued so far in the quarter that holds `month`: Σ rebate total of the
 * channel's months from the quarter's first month (or the channel's, when later) to `month`.
 */
export function quarterRebateAccrued(state: ProjectionState, channel: ChannelState, month: Month): bigint {
  let sum = 0n;
  for (let m = Math.max(quarterStart(month), channel.firstMonth); m <= month; m++) {
    sum += rebateFor(state, channel, m).total;
  }
  return sum;
}
