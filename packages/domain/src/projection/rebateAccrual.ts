/**
 * Rebate components of a channel-month (spec §4 "Rebates"): base by tier, growth bonus,
 * promotion bonus (with clawback on returns), quarterly volume rebate.
 */
import { monthOfYear, type Month } from '../calendar.js';
import { applyBps, roundBps } from '../money.js';
import { programInEffect, type Program } from '../program.js';
import { closedStatus, isClosed } from './monthlyGrowth.js';
import { clampIndex, heldIndexFor } from './tierReview.js';
import { netOf, type ChannelState, type ProjectionState } from './state.js';

export interface Rebate {
  readonly base: number;
  readonly growthBonus: number;
  readonly promotion: number;
  readonly volume: number;
  readonly total: number;
}

export const NO_REBATE: Rebate = { base: 0, growthBonus: 0, promotion: 0, volume: 0, total: 0 };

/** Σ of the quarter's three months' net, for the quarter that ends at `month`. */
export function quarterNet(channel: ChannelState, month: Month): number {
  return netOf(channel, month - 2) + netOf(channel, month - 1) + netOf(channel, month);
}

/** The rate of the highest volume band with minQuarterNet ≤ q (0 when none). */
export function volumeRateBps(program: Program, q: number): number {
  let rate = 0;
  for (const band of program.volumeRebate) if (band.minQuarterNet <= q) rate = band.rateBps;
  return rate;
}

export function isQuarterEnd(month: Month): boolean {
  return monthOfYear(month) % 3 === 2;
}

/** The tier index in effect for a month under the program of that month. */
export function tierIndexInEffect(program: Program, channel: ChannelState, month: Month): number {
  return clampIndex(program, heldIndexFor(channel, month));
}

export function rebateFor(state: ProjectionState, channel: ChannelState, month: Month): Rebate {
  const program = programInEffect(state.programs, month);
  if (program === undefined) return NO_REBATE;
  const net = netOf(channel, month);
  const tier = program.tiers[tierIndexInEffect(program, channel, month)];
  const base = applyBps(net, tier?.rebateBps ?? 0);
  const closed = isClosed(state, month);
  const growthBonus =
    closed && closedStatus(state, channel, month) === 'MET' ? applyBps(net, program.growthBonusBps) : 0;
  const promotion = roundBps(channel.months.get(month)?.promoNumerator ?? 0n);
  let volume = 0;
  if (closed && isQuarterEnd(month)) {
    const q = quarterNet(channel, month);
    volume = q > 0 ? applyBps(q, volumeRateBps(program, q)) : 0;
  }
  return { base, growthBonus, promotion, volume, total: base + growthBonus + promotion + volume };
}
