/**
 * (v2) The commitment and inactivity judgments of the projection: Closing steps 3 and 4, the
 * re-judgments after a late sale or return (targets, then inactivity for a sale) and after a
 * TargetSet. The rules are the pure functions of `v2/targets.ts` and `v2/inactivity.ts`; this
 * module feeds them from the state and raises their alerts with deterministic ids.
 */
import { formatMonth, monthOfYear, type Month } from '../calendar.js';
import { formatAmount } from '../money.js';
import { programInEffect } from '../programRules.js';
import {
  inactivityAtClose,
  rejudgeInactivity,
  type InactivityAlert,
  type InactivityInput,
} from '../v2/inactivity.js';
import { formatQuarter, januaryOf, quarterOf } from '../v2/quarters.js';
import {
  commitmentAtClose,
  rejudgeCommitments,
  targetYearFigures,
  type CommitmentAlert,
  type TargetYearFigures,
} from '../v2/targets.js';
import { nextAlertId, type ProjectionSink } from './alerts.js';
import type { ProjectionChanges } from './dirtyTracking.js';
import { netOf, type ChannelState, type ProjectionState } from './state.js';

/** What raising a v2 alert needs. */
export interface JudgeContext {
  readonly state: ProjectionState;
  readonly sink: ProjectionSink;
  readonly changes: ProjectionChanges;
  readonly minorDigits: number;
}

/** The calendar year of a month. */
export function yearOf(month: Month): number {
  return Math.floor(month / 12);
}

/** A channel-year's target figures with the facts as they are now; null without a target. */
export function targetFigures(
  state: ProjectionState,
  channel: ChannelState,
  year: number,
): TargetYearFigures | null {
  const target = channel.targets.get(year);
  if (target === undefined) return null;
  const january = januaryOf(year);
  return targetYearFigures({
    target,
    monthNets: Array.from({ length: 12 }, (_, i) => netOf(channel, january + i)),
    firstMonth: channel.firstMonth,
    lastClosed: state.lastClosed,
  });
}

/** The inactivity rule's view of a channel now: sold months are months with a SaleRecorded. */
function inactivityInput(state: ProjectionState, channel: ChannelState): InactivityInput {
  return {
    soldMonths: { has: (m) => (channel.months.get(m)?.saleCount ?? 0) > 0 },
    firstMonth: channel.firstMonth,
    inactivityMonthsFor: (m) => programInEffect(state.programs, m)?.inactivityMonths,
  };
}

/** Raises commitment alerts (ids numbered per kind, channel and quarter's last month). */
export function raiseCommitmentAlerts(
  ctx: JudgeContext,
  channel: ChannelState,
  alerts: readonly CommitmentAlert[],
): void {
  const money = (v: bigint) => formatAmount(v, ctx.minorDigits);
  for (const a of alerts) {
    ctx.changes.markChannel(channel.channelId);
    const common = { channelId: channel.channelId, month: formatMonth(a.month) };
    if (a.kind === 'TARGET_BEHIND') {
      ctx.sink.alert({
        id: nextAlertId(channel, a.kind, a.month),
        kind: a.kind,
        ...common,
        quarter: formatQuarter(a.quarter),
        cumulativeNet: money(a.cumulativeNet),
        cumulativeTarget: money(a.cumulativeTarget),
        restated: a.restated,
      });
    } else {
      ctx.sink.alert({
        id: nextAlertId(channel, a.kind, a.month),
        kind: a.kind,
        ...common,
        quarter: formatQuarter(a.quarter),
      });
    }
  }
}

function raiseInactivityAlerts(
  ctx: JudgeContext,
  channel: ChannelState,
  alerts: readonly InactivityAlert[],
): void {
  for (const a of alerts) {
    ctx.changes.markChannel(channel.channelId);
    const common = { channelId: channel.channelId, month: formatMonth(a.month) };
    if (a.kind === 'CHANNEL_INACTIVE') {
      ctx.sink.alert({
        id: nextAlertId(channel, a.kind, a.month),
        kind: a.kind,
        ...common,
        idleMonths: a.idleMonths,
        inactivityMonths: a.inactivityMonths,
        lastSaleMonth: a.lastSaleMonth === null ? null : formatMonth(a.lastSaleMonth),
        restated: a.restated,
      });
    } else {
      ctx.sink.alert({ id: nextAlertId(channel, a.kind, a.month), kind: a.kind, ...common });
    }
  }
}

/**
 * Closing steps 3 and 4 for one channel at the close of `month` (after its growth and tier):
 * the commitment at a quarter's last month when the channel has a target for the year (even
 * before its first month), then inactivity when its first month is ≤ `month`.
 */
export function closeV2Steps(ctx: JudgeContext, channel: ChannelState, month: Month): void {
  if (monthOfYear(month) % 3 === 2 && channel.targets.size > 0) {
    const figures = targetFigures(ctx.state, channel, yearOf(month));
    if (figures !== null) raiseCommitmentAlerts(ctx, channel, commitmentAtClose(figures, quarterOf(month)));
  }
  if (channel.firstMonth <= month) {
    raiseInactivityAlerts(ctx, channel, inactivityAtClose(inactivityInput(ctx.state, channel), month));
  }
}

/** What a late sale or return's re-judgments compare against, taken before it is applied. */
export interface LateBefore {
  readonly month: Month;
  readonly figures: TargetYearFigures | null;
  readonly firstMonth: Month;
  readonly wasSold: boolean;
}

/** The "before" of a late sale or return into closed `month` (before the event moves anything). */
export function lateBefore(state: ProjectionState, channel: ChannelState, month: Month): LateBefore {
  return {
    month,
    figures: channel.targets.size > 0 ? targetFigures(state, channel, yearOf(month)) : null,
    firstMonth: channel.firstMonth,
    wasSold: (channel.months.get(month)?.saleCount ?? 0) > 0,
  };
}

/**
 * After a late sale or return (and after v1's growth flips): the closed quarters of its
 * month's year ending at or after it, ascending; then, for a SaleRecorded, inactivity of every
 * closed month from it on, ascending.
 */
export function judgeLate(ctx: JudgeContext, channel: ChannelState, before: LateBefore, sale: boolean): void {
  const { state } = ctx;
  const month = before.month;
  if (before.figures !== null) {
    const after = targetFigures(state, channel, yearOf(month));
    if (after !== null) {
      raiseCommitmentAlerts(ctx, channel, rejudgeCommitments(before.figures, after, quarterOf(month)));
    }
  }
  if (!sale || state.lastClosed === null) return;
  const after = inactivityInput(state, channel);
  const was: InactivityInput = {
    ...after,
    firstMonth: before.firstMonth,
    soldMonths: { has: (m) => (m === month ? before.wasSold : after.soldMonths.has(m)) },
  };
  raiseInactivityAlerts(ctx, channel, rejudgeInactivity(was, after, month, state.lastClosed));
}
