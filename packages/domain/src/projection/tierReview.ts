/**
 * Tier review at the close of a review month (spec §4 "Tiers").
 */
import { formatMonth, type Month } from '../calendar.js';
import type { Program } from '../programRules.js';
import { nextAlertId, type ProjectionSink } from './alerts.js';
import { netOf, type ChannelState, type ProjectionIndex } from './state.js';

/** Months of the certified-trainee count of a tier review: M−11 … M (spec §4). */
export const CERTIFICATION_WINDOW_MONTHS = 12;

/** The highest tier index whose two minimums both hold; index 0 always qualifies. */
export function qualifyingTier(program: Program, trailingNet: bigint, certified: number): number {
  for (let i = program.tiers.length - 1; i > 0; i--) {
    const t = program.tiers[i];
    if (t !== undefined && trailingNet >= BigInt(t.minTrailingNet) && certified >= t.minCertifiedTrainees) {
      return i;
    }
  }
  return 0;
}

/** The index held after every review done so far of a month before `month`. */
export function heldIndexFor(channel: ChannelState, month: Month): number {
  for (let i = channel.tierChanges.length - 1; i >= 0; i--) {
    const c = channel.tierChanges[i];
    if (c !== undefined && c.effective <= month) return c.index;
  }
  return 0;
}

/** A tier index clamped to the last tier of `program`. */
export function clampIndex(program: Program, index: number): number {
  return Math.min(index, program.tiers.length - 1);
}

export function tierId(program: Program, index: number): string {
  return program.tiers[clampIndex(program, index)]?.id ?? '';
}

/**
 * Reviews one channel at the close of review month `month` under `program`: moves it up,
 * keeps it, warns, or moves it down one step after the grace reviews.
 */
export function reviewTier(
  channel: ChannelState,
  month: Month,
  program: Program,
  index: ProjectionIndex,
  sink: ProjectionSink,
): void {
  const trailingNet = netOf(channel, month - 2) + netOf(channel, month - 1) + netOf(channel, month);
  const certified = index.countCertified(channel.channelId, month - (CERTIFICATION_WINDOW_MONTHS - 1), month);
  const current = clampIndex(program, channel.tierIndex);
  const qualifying = qualifyingTier(program, trailingNet, certified);
  let next = current;
  if (qualifying > current) {
    next = qualifying;
    channel.misses = 0;
  } else if (qualifying === current) {
    channel.misses = 0;
  } else {
    channel.misses += 1;
    if (channel.misses > program.downgradeGraceReviews) {
      next = Math.max(qualifying, current - 1);
      channel.misses = 0;
      sink.alert({
        id: nextAlertId(channel, 'TIER_DOWNGRADED', month),
        kind: 'TIER_DOWNGRADED',
        channelId: channel.channelId,
        month: formatMonth(month),
        from: tierId(program, current),
        to: tierId(program, next),
      });
    } else {
      sink.alert({
        id: nextAlertId(channel, 'TIER_DOWNGRADE_WARNING', month),
        kind: 'TIER_DOWNGRADE_WARNING',
        channelId: channel.channelId,
        month: formatMonth(month),
        tier: tierId(program, current),
        qualifyingTier: tierId(program, qualifying),
      });
    }
  }
  if (next !== current) {
    sink.tierMovement({
      channelId: channel.channelId,
      from: tierId(program, current),
      to: tierId(program, next),
      reviewMonth: formatMonth(month),
      effectiveMonth: formatMonth(month + 1),
      kind: next > current ? 'UPGRADE' : 'DOWNGRADE',
    });
  }
  if (next !== channel.tierIndex) {
    // A move, or a clamp to a program with fewer tiers: held from the next month on.
    channel.tierIndex = next;
    channel.tierChanges.push({ effective: month + 1, index: next });
  }
}
