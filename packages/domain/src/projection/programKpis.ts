/**
 * The plan's KPIs per month across all channels (spec §6).
 */
import type { Month } from '../calendar.js';
import { floorDiv } from './monthlyGrowth.js';
import type { ProjectionState } from './state.js';

export interface ProgramMonth {
  readonly month: Month;
  readonly net: bigint;
  readonly onlineNet: bigint;
  /** floor(onlineNet × 10000 / net), null when net ≤ 0. */
  readonly onlineShareBps: number | null;
  readonly activeChannels: number;
  readonly newChannels: number;
  readonly trainingsCompleted: number;
  /** Σ score × respondents / Σ respondents × 100, rounded half away from zero; null without surveys. */
  readonly satisfactionCentis: bigint | null;
}

/** Σ points / Σ respondents with two decimals, as an integer of hundredths. */
export function satisfactionCentis(points: bigint, respondents: bigint): bigint | null {
  if (respondents <= 0n) return null;
  const n = points * 100n;
  const d = respondents;
  let q = n / d;
  if ((n % d) * 2n >= d) q += 1n;
  return q;
}

/** The first month of any channel, or null with no channels. */
export function firstProgramMonth(state: ProjectionState): Month | null {
  let first: Month | null = null;
  for (const c of state.channels.values()) if (first === null || c.firstMonth < first) first = c.firstMonth;
  return first;
}

export function programMonths(state: ProjectionState): ProgramMonth[] {
  const first = firstProgramMonth(state);
  if (first === null || state.maxMonth === null) return [];
  const sums = Array.from({ length: state.maxMonth - first + 1 }, () => ({
    net: 0n,
    onlineNet: 0n,
    active: 0,
    fresh: 0,
    trainings: 0,
    points: 0n,
    respondents: 0n,
  }));
  // Channel by channel (the sums do not depend on the order): a store that keeps old months
  // on disk then reads each channel's months together.
  for (const c of state.channels.values()) {
    const registered = sums[c.registeredMonth - first];
    if (registered !== undefined) registered.fresh++;
    for (let m = Math.max(first, c.firstMonth); m <= state.maxMonth; m++) {
      const f = c.months.get(m);
      const s = sums[m - first];
      if (f === undefined || s === undefined) continue;
      const n = f.sales - f.returns;
      s.net += n;
      if (c.online) s.onlineNet += n;
      if (f.saleCount > 0) s.active++;
      s.trainings += f.trainings;
      s.points += f.satisfactionPoints;
      s.respondents += f.satisfactionRespondents;
    }
  }
  return sums.map((s, i) => ({
    month: first + i,
    net: s.net,
    onlineNet: s.onlineNet,
    onlineShareBps: s.net > 0n ? Number(floorDiv(s.onlineNet * 10000n, s.net)) : null,
    activeChannels: s.active,
    newChannels: s.fresh,
    trainingsCompleted: s.trainings,
    satisfactionCentis: satisfactionCentis(s.points, s.respondents),
  }));
}
