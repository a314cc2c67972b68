/**
 * The comparison of a what-if run (`whatIf.ts`): per partner and in total, rebates per month
 * and quarter (actual, proposed, delta = proposed − actual), the tier after each review, the
 * closed months whose growth status changes, the alerts raised only in one scenario, and the
 * program's KPIs side by side. Money is exact (minor units) and shown as decimal strings.
 */
import {
  formatAmount,
  formatMonth,
  formatQuarter,
  growthStatus,
  heldIndexFor,
  isClosed,
  isReviewMonth,
  netOf,
  programInEffect,
  quarterOf,
  rebateFor,
  tierId,
  tierIndexInEffect,
  type Alert,
  type ChannelState,
  type GrowthStatus,
  type Month,
  type ProjectionState,
  type Rebate,
} from '@chanperf/domain';
import type { WhatIfRun } from './whatIf.js';

const PARTS = ['base', 'growthBonus', 'promotion', 'volume', 'total'] as const;

/** A rebate's components and total (spec §4 Rebates), as money strings. */
export type RebateFigures = Record<(typeof PARTS)[number], string>;

/** One figure set in both scenarios and their difference. */
export interface RebateComparison {
  readonly actual: RebateFigures;
  readonly proposed: RebateFigures;
  readonly delta: RebateFigures;
}

export interface WhatIfMonth extends RebateComparison {
  readonly month: string;
  readonly closed: boolean;
  readonly net: string;
  readonly tier: { readonly actual: string | null; readonly proposed: string | null };
  readonly growthStatus: { readonly actual: GrowthStatus; readonly proposed: GrowthStatus };
}

export interface WhatIfPeriod extends RebateComparison {
  /** `YYYY-MM` or `YYYY-Qn`. */
  readonly period: string;
}

/** The tier a partner holds after the review at the close of `month` (null: no review then). */
export interface WhatIfReview {
  readonly month: string;
  readonly actual: string | null;
  readonly proposed: string | null;
}

export interface WhatIfGrowthChange {
  readonly month: string;
  readonly actual: GrowthStatus;
  readonly proposed: GrowthStatus;
}

export interface WhatIfChannel extends RebateComparison {
  readonly channelId: string;
  readonly name: string;
  readonly months: WhatIfMonth[];
  readonly quarters: WhatIfPeriod[];
  readonly reviews: WhatIfReview[];
  readonly growthChanges: WhatIfGrowthChange[];
}

/** A scenario's program KPIs for a month: the cost and reach of the program. */
export interface WhatIfKpis {
  readonly rebates: string;
  /** floor(rebates × 10000 / net), null when net ≤ 0. */
  readonly rebateBps: number | null;
  readonly met: number;
  readonly missed: number;
  /** Partners per tier in effect for the month, in the order of the tiers. */
  readonly tiers: { readonly tier: string; readonly channels: number }[];
}

export interface WhatIfKpiMonth {
  readonly month: string;
  readonly net: string;
  readonly actual: WhatIfKpis;
  readonly proposed: WhatIfKpis;
}

export interface WhatIfResult {
  /** The log position both scenarios were replayed to. */
  readonly position: number;
  /** The month the proposal governs from, and its programId. */
  readonly from: string;
  readonly programId: string;
  readonly channels: WhatIfChannel[];
  readonly total: RebateComparison & { readonly months: WhatIfPeriod[]; readonly quarters: WhatIfPeriod[] };
  /** Alerts (by id) only the proposal raises, and those raised as logged that it does not raise. */
  readonly alerts: { readonly raised: Alert[]; readonly notRaised: Alert[] };
  readonly kpis: WhatIfKpiMonth[];
}

type Amounts = Record<(typeof PARTS)[number], bigint>;
const zero = (): Amounts => ({ base: 0n, growthBonus: 0n, promotion: 0n, volume: 0n, total: 0n });

function add(into: Amounts, r: Rebate): void {
  for (const p of PARTS) into[p] += r[p];
}

function compared(actual: Amounts, proposed: Amounts, digits: number): RebateComparison {
  const show = (f: (p: (typeof PARTS)[number]) => bigint) =>
    Object.fromEntries(PARTS.map((p) => [p, formatAmount(f(p), digits)])) as RebateFigures;
  return {
    actual: show((p) => actual[p]),
    proposed: show((p) => proposed[p]),
    delta: show((p) => proposed[p] - actual[p]),
  };
}

/** Sums by period key, in first-seen order. */
class Sums {
  readonly byKey = new Map<string, { actual: Amounts; proposed: Amounts }>();
  add(key: string, actual: Rebate, proposed: Rebate): void {
    let s = this.byKey.get(key);
    if (s === undefined) this.byKey.set(key, (s = { actual: zero(), proposed: zero() }));
    add(s.actual, actual);
    add(s.proposed, proposed);
  }
  periods(digits: number): WhatIfPeriod[] {
    return [...this.byKey].map(([period, s]) => ({ period, ...compared(s.actual, s.proposed, digits) }));
  }
}

/** The tier in effect for a month (null without a program), as the report shows it. */
function tierFor(state: ProjectionState, channel: ChannelState, month: Month): string | null {
  const program = programInEffect(state.programs, month);
  return program === undefined
    ? null
    : (program.tiers[tierIndexInEffect(program, channel, month)]?.id ?? null);
}

/** The tier held after the review at the close of `month`, or undefined when none was done. */
function tierAfterReview(
  state: ProjectionState,
  channel: ChannelState,
  month: Month,
): string | null | undefined {
  const program = programInEffect(state.programs, month);
  if (program === undefined || !isClosed(state, month) || !isReviewMonth(program, month)) return undefined;
  return tierId(program, heldIndexFor(channel, month + 1));
}

function compareChannel(
  run: WhatIfRun,
  channel: ChannelState,
  other: ChannelState,
  totals: { months: Sums; quarters: Sums; all: Sums },
  digits: number,
): WhatIfChannel {
  const a = run.actual.state;
  const p = run.proposed.state;
  const months: WhatIfMonth[] = [];
  const quarters = new Sums();
  const all = new Sums();
  const reviews: WhatIfReview[] = [];
  const growthChanges: WhatIfGrowthChange[] = [];
  for (let m = channel.firstMonth; a.maxMonth !== null && m <= a.maxMonth; m++) {
    const ra = rebateFor(a, channel, m);
    const rp = rebateFor(p, other, m);
    const label = formatMonth(m);
    const status = { actual: growthStatus(a, channel, m), proposed: growthStatus(p, other, m) };
    months.push({
      month: label,
      closed: isClosed(a, m),
      net: formatAmount(netOf(channel, m), digits),
      tier: { actual: tierFor(a, channel, m), proposed: tierFor(p, other, m) },
      growthStatus: status,
      ...compared(asAmounts(ra), asAmounts(rp), digits),
    });
    if (status.actual !== status.proposed) growthChanges.push({ month: label, ...status });
    const reviewed = { actual: tierAfterReview(a, channel, m), proposed: tierAfterReview(p, other, m) };
    if (reviewed.actual !== undefined || reviewed.proposed !== undefined)
      reviews.push({ month: label, actual: reviewed.actual ?? null, proposed: reviewed.proposed ?? null });
    const quarter = formatQuarter(quarterOf(m));
    quarters.add(quarter, ra, rp);
    all.add('', ra, rp);
    totals.months.add(label, ra, rp);
    totals.quarters.add(quarter, ra, rp);
    totals.all.add('', ra, rp);
  }
  const sum = all.byKey.get('') ?? { actual: zero(), proposed: zero() };
  return {
    channelId: channel.channelId,
    name: channel.name,
    ...compared(sum.actual, sum.proposed, digits),
    months,
    quarters: quarters.periods(digits),
    reviews,
    growthChanges,
  };
}

function asAmounts(r: Rebate): Amounts {
  return {
    base: r.base,
    growthBonus: r.growthBonus,
    promotion: r.promotion,
    volume: r.volume,
    total: r.total,
  };
}

/**
 * Alerts of `from` whose id `other` does not raise. Ids are deterministic (kind, channel,
 * month, n): an alert raised in both with other figures (the same miss against another
 * target) was raised either way and is listed in neither.
 */
function alertsOnlyIn(from: readonly Alert[], other: readonly Alert[]): Alert[] {
  const ids = new Set(other.map((a) => a.id));
  return from.filter((a) => !ids.has(a.id));
}

function kpisOf(state: ProjectionState, month: Month, net: bigint, digits: number): WhatIfKpis {
  const program = programInEffect(state.programs, month);
  const perTier = new Map<string, number>((program?.tiers ?? []).map((t) => [t.id, 0]));
  let rebates = 0n;
  let met = 0;
  let missed = 0;
  for (const id of state.channelOrder) {
    const c = state.channels.get(id);
    if (c === undefined || c.firstMonth > month) continue;
    rebates += rebateFor(state, c, month).total;
    const status = growthStatus(state, c, month);
    if (status === 'MET') met++;
    if (status === 'MISSED') missed++;
    const tier = tierFor(state, c, month);
    if (tier !== null) perTier.set(tier, (perTier.get(tier) ?? 0) + 1);
  }
  return {
    rebates: formatAmount(rebates, digits),
    rebateBps: net > 0n ? Number((rebates * 10000n) / net - ((rebates * 10000n) % net < 0n ? 1n : 0n)) : null,
    met,
    missed,
    tiers: [...perTier].map(([tier, channels]) => ({ tier, channels })),
  };
}

function kpiMonths(run: WhatIfRun, digits: number): WhatIfKpiMonth[] {
  const a = run.actual.state;
  const out: WhatIfKpiMonth[] = [];
  if (a.maxMonth === null) return out;
  let first = a.maxMonth;
  for (const c of a.channels.values()) first = Math.min(first, c.firstMonth);
  for (let m = first; m <= a.maxMonth; m++) {
    let net = 0n;
    for (const c of a.channels.values()) if (c.firstMonth <= m) net += netOf(c, m);
    out.push({
      month: formatMonth(m),
      net: formatAmount(net, digits),
      actual: kpisOf(a, m, net, digits),
      proposed: kpisOf(run.proposed.state, m, net, digits),
    });
  }
  return out;
}

/** Compares the two scenarios of `run` (same channels and months: the program moves no sale). */
export function compareWhatIf(run: WhatIfRun, digits: number): WhatIfResult {
  const totals = { months: new Sums(), quarters: new Sums(), all: new Sums() };
  const channels: WhatIfChannel[] = [];
  for (const id of run.actual.state.channelOrder) {
    const c = run.actual.state.channels.get(id);
    const other = run.proposed.state.channels.get(id);
    if (c !== undefined && other !== undefined) channels.push(compareChannel(run, c, other, totals, digits));
  }
  const sum = totals.all.byKey.get('') ?? { actual: zero(), proposed: zero() };
  const months = totals.months.periods(digits).sort((x, y) => (x.period < y.period ? -1 : 1));
  const quarters = totals.quarters.periods(digits).sort((x, y) => (x.period < y.period ? -1 : 1));
  return {
    position: run.position,
    from: formatMonth(run.plan.from),
    programId: run.plan.proposed.data.programId,
    channels,
    total: { ...compared(sum.actual, sum.proposed, digits), months, quarters },
    alerts: {
      raised: alertsOnlyIn(run.proposed.alerts, run.actual.alerts),
      notRaised: alertsOnlyIn(run.actual.alerts, run.proposed.alerts),
    },
    kpis: kpiMonths(run, digits),
  };
}
