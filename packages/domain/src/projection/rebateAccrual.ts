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
  readonly base: bigint;
  readonly growthBonus: bigint;
  readonly promotion: bigint;
  readonly volume: bigint;
  readonly total: bigint;
}

export const NO_REBATE: Rebate = { base: 0n, growthBonus: 0n, promotion: 0n, volume: 0n, total: 0n };

/** Σ of the quarter's three months' net, for the quarter that ends at `month`. */
export function quarterNet(channel: ChannelState, month: Month): bigint {
  return netOf(channel, month - 2) + netOf(channel, month - 1) + netOf(channel, month);
}

/** The rate of the highest volume band with minQuarterNet ≤ q (0 when none). */
export function volumeRateBps(program: Program, q: bigint): number {
  let rate = 0;
  for (const band of program.volumeRebate) if (BigInt(band.minQuarterNet) <= q) rate = band.rateBps;
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
    closed && closedStatus(state, channel, month) === 'MET' ? applyBps(net, program.growthBonusBps) : 0n;
  const promotion = roundBps(channel.months.get(month)?.promoNumerator ?? 0n);
  let volume = 0n;
  if (closed && isQuarterEnd(month)) {
    const q = quarterNet(channel, month);
    volume = q > 0n ? applyBps(q, volumeRateBps(program, q)) : 0n;
  }
  return { base, growthBonus, promotion, volume, total: base + growthBonus + promotion + volume };
}
