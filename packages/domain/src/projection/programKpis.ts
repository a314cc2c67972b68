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
  const out: ProgramMonth[] = [];
  for (let m = first; m <= state.maxMonth; m++) {
    let net = 0n;
    let onlineNet = 0n;
    let active = 0;
    let fresh = 0;
    let trainings = 0;
    let points = 0n;
    let respondents = 0n;
    for (const c of state.channels.values()) {
      if (c.registeredMonth === m) fresh++;
      const f = c.months.get(m);
      if (f === undefined) continue;
      const n = f.sales - f.returns;
      net += n;
      if (c.online) onlineNet += n;
      if (f.saleCount > 0) active++;
      trainings += f.trainings;
      points += f.satisfactionPoints;
      respondents += f.satisfactionRespondents;
    }
    out.push({
      month: m,
      net,
      onlineNet,
      onlineShareBps: net > 0n ? Number(floorDiv(onlineNet * 10000n, net)) : null,
      activeChannels: active,
      newChannels: fresh,
      trainingsCompleted: trainings,
      satisfactionCentis: satisfactionCentis(points, respondents),
    });
  }
  return out;
}
