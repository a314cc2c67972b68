/**
 * Closing months (spec §4 "Closing"): PeriodClosed(M) closes M and every earlier open month,
 * oldest first; for each channel (ascending id) growth is finalized, then the tier reviewed.
 */
import { formatMonth, type Month } from '../calendar.js';
import { isReviewMonth, programInEffect } from '../program.js';
import { nextAlertId, type ProjectionSink } from './alerts.js';
import { channelGrowth, closedStatus, targetBpsFor } from './monthlyGrowth.js';
import { reviewTier } from './tierReview.js';
import type { ProjectionChanges } from './dirtyTracking.js';
import type { ProjectionIndex, ProjectionState } from './state.js';

/**
 * Closes every open month through `month`, oldest first, raising growth alerts and reviewing
 * tiers through `sink`; marks the program-wide facts and the channels it changed in `changes`.
 */
export function closeThrough(
  state: ProjectionState,
  month: Month,
  index: ProjectionIndex,
  sink: ProjectionSink,
  changes: ProjectionChanges,
): void {
  if (state.lastClosed !== null && month <= state.lastClosed) return; // closing a closed month does nothing
  changes.markGlobal();
  let start: Month;
  if (state.lastClosed !== null) {
    start = state.lastClosed + 1;
  } else {
    start = month + 1;
    for (const c of state.channels.values()) start = Math.min(start, c.firstMonth);
  }
  for (let m = start; m <= month; m++) {
    state.lastClosed = m;
    const program = programInEffect(state.programs, m);
    const review = program !== undefined && isReviewMonth(program, m);
    for (const id of state.channelOrder) {
      const channel = state.channels.get(id);
      if (channel === undefined || channel.firstMonth > m) continue;
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
      if (review) {
        reviewTier(channel, m, program, index, sink);
        changes.markChannel(id);
      }
    }
  }
  state.lastClosed = month;
  if (state.maxMonth === null || month > state.maxMonth) state.maxMonth = month;
}
