/**
 * Dirty tracking: what the rules changed in the projection state since the store last saved
 * it (channels, channel-months, the program-wide facts), so a batch writes only those rows.
 * It is the store's concern, kept out of `ProjectionState`: the rules mark what they change in
 * the `ProjectionChanges` they are given (`EvolveContext.changes`); the store reads the marks
 * after a batch and clears them.
 */
import type { Month } from '../calendar.js';

/** What changed since the last save. */
export class ProjectionChanges {
  /** Channels whose own fields changed (tier, misses, alert counts, first month…). */
  readonly channels = new Set<string>();
  /** Channel-months whose facts changed, by channel. */
  readonly months = new Map<string, Set<Month>>();
  /** Whether the program-wide facts changed (programs, promotions, last closed, latest month…). */
  global = false;

  markChannel(channelId: string): void {
    this.channels.add(channelId);
  }

  markMonth(channelId: string, month: Month): void {
    let set = this.months.get(channelId);
    if (set === undefined) {
      set = new Set();
      this.months.set(channelId, set);
    }
    set.add(month);
  }

  markGlobal(): void {
    this.global = true;
  }

  /** The channel-months marked, in the order they were first marked. */
  changedMonths(): { channelId: string; month: Month }[] {
    const out: { channelId: string; month: Month }[] = [];
    for (const [channelId, months] of this.months) for (const month of months) out.push({ channelId, month });
    return out;
  }

  /** Forgets the marks (after the store saved what they name). */
  clear(): void {
    this.channels.clear();
    this.months.clear();
    this.global = false;
  }
}
