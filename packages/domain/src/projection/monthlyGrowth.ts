/**
 * Month-over-month growth against the target (spec §4 "Growth").
 */
import { DEFAULT_GROWTH_TARGET_BPS, programInEffect } from '../programRules.js';
import type { Month } from '../calendar.js';
import { netOf, type ChannelState, type ProjectionState } from './state.js';

export type ClosedStatus = 'NO_BASELINE' | 'MET' | 'MISSED';
export type GrowthStatus = ClosedStatus | 'OPEN';

export interface Growth {
  /** floor((net − prev) × 10000 / prev); null without a baseline (prev ≤ 0). */
  readonly growthBps: number | null;
  /** net × 10000 ≥ prev × (10000 + target); null without a baseline. */
  readonly met: boolean | null;
}

/** Floor division of BigInts (BigInt `/` truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Growth of `net` over `prev` against `targetBps`. Exactly 10.00% meets a 10% target. */
export function monthlyGrowth(net: bigint, prev: bigint, targetBps: number): Growth {
  if (prev <= 0n) return { growthBps: null, met: null };
  return {
    growthBps: Number(floorDiv((net - prev) * 10000n, prev)),
    met: net * 10000n >= prev * BigInt(10000 + targetBps),
  };
}

export function targetBpsFor(state: ProjectionState, month: Month): number {
  return programInEffect(state.programs, month)?.growthTargetBps ?? DEFAULT_GROWTH_TARGET_BPS;
}

export function isClosed(state: ProjectionState, month: Month): boolean {
  return state.lastClosed !== null && month <= state.lastClosed;
}

/** Growth of a channel-month with the figures known now. */
export function channelGrowth(state: ProjectionState, channel: ChannelState, month: Month): Growth {
  return monthlyGrowth(netOf(channel, month), netOf(channel, month - 1), targetBpsFor(state, month));
}

/**
 * Status of a month as if closed: a month outside the channel's months counts as
 * NO_BASELINE (spec §4 "Late events").
 */
export function closedStatus(state: ProjectionState, channel: ChannelState, month: Month): ClosedStatus {
  if (month < channel.firstMonth) return 'NO_BASELINE';
  const g = channelGrowth(state, channel, month);
  return g.met === null ? 'NO_BASELINE' : g.met ? 'MET' : 'MISSED';
}

/** Status shown in the report: OPEN for every open month. */
export function growthStatus(state: ProjectionState, channel: ChannelState, month: Month): GrowthStatus {
  return isClosed(state, month) ? closedStatus(state, channel, month) : 'OPEN';
}
