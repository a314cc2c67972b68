/**
 * Closing months (spec §4 "Closing"): PeriodClosed(M) closes M and every earlier open month,
 * oldest first; for each channel (ascending id) growth is finalized, then the tier reviewed,
 * then (v2) the quarter's commitment and inactivity are checked (`v2Judgements.ts`).
 */
import { formatMonth, type Month } from '../calendar.js';
import { isReviewMonth, programInEffect, type Program } from '../programRules.js';
import { nextAlertId } from './alerts.js';
import { channelGrowth, closedStatus, targetBpsFor } from './monthlyGrowth.js';
import { reviewTier } from './tierReview.js';
import type { ChannelState, ProjectionIndex } from './state.js';
import { closeV2Steps, type JudgeContext } from './v2Judgements.js';

/** What closing months needs. */
export interface CloseContext extends JudgeContext {
  readonly index: ProjectionIndex;
  /**
   * For a state that holds only some of the channels (a part of a rebuild in parts): given
   * where the first close would start over this state's channels, answers where it starts over
   * every channel (the earliest first month of every channel registered so far), as one state
   * holding them all would. Absent: the state holds every channel.
   */
  readonly firstCloseFrom?: ((own: Month) => Month) | undefined;
}

/**
 * Closes every open month through `month`, oldest first, raising growth alerts and reviewing
 * tiers through `sink`; marks the program-wide facts and the channels it changed in `changes`.
 */
export function closeThrough(ctx: CloseContext, month: Month): void {
  const { state, changes } = ctx;
  if (state.lastClosed !== null && month <= state.lastClosed) return; // closing a closed month does nothing
  changes.markGlobal();
  let start: Month;
  if (state.lastClosed !== null) {
    start = state.lastClosed + 1;
  } else {
    start = month + 1;
    for (const c of state.channels.values()) start = Math.min(start, c.firstMonth);
    if (ctx.firstCloseFrom !== undefined) start = ctx.firstCloseFrom(start);
  }
  for (let m = start; m <= month; m++) {
    state.lastClosed = m;
    const program = programInEffect(state.programs, m);
    const review = program !== undefined && isReviewMonth(program, m);
    for (const id of state.channelOrder) {
      const channel = state.channels.get(id);
      if (channel === undefined) continue;
      if (channel.firstMonth <= m) closeV1Steps(ctx, channel, m, review ? program : undefined);
      closeV2Steps(ctx, channel, m);
    }
  }
  state.lastClosed = month;
  if (state.maxMonth === null || month > state.maxMonth) state.maxMonth = month;
}

/** Steps 1 and 2 for a channel whose first month is ≤ m: growth, then the review (if one). */
function closeV1Steps(ctx: CloseContext, channel: ChannelState, m: Month, review: Program | undefined): void {
  const { state, index, sink, changes } = ctx;
  const id = channel.channelId;
  if (closedStatus(state, channel, m) === 'MISSED') {
    changes.markChannel(id);
    sink.alert({
      id: nextAlertId(channel, 'GROWTH_TARGET_MISSED', m),
      kind: 'GROWTH_TARGET_MISSED',
      channelId: id,
      month: formatMonth(m),
      growthBps: channelGrowth(state, channel, m).growthBps,
      targetBps: targetBpsFor(state, m),
      restated: false,
    });
  }
  if (review !== undefined) {
    reviewTier(channel, m, review, index, sink);
    changes.markChannel(id);
  }
}
