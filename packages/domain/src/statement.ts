/**
 * A partner's quarterly statement (issue 18): the months of one calendar quarter with every
 * figure of the report (net, growth against the target, tier, rebate), the quarter's totals,
 * the tier the quarter's review gave, each rebate component with the events behind it (the
 * explain machinery, `explainChannelMonth`), and (v2) the target attainment and the
 * price-protection claims of the quarter. Built from one projection state and the log up to
 * the same position, so a statement is pinned to that position and can be recomputed there.
 *
 * Nothing here depends on when or where it is built: no clock, no host, no rule text (the
 * rules are the explain's, shown by the HTML page, not part of the figures).
 */
import { formatMonth, type Month, type MonthClock } from './calendar.js';
import { formatAmount } from './money.js';
import { programInEffect } from './programRules.js';
import { explainChannelMonth, type ChannelMonthEvents } from './projection/explain.js';
import type { Contribution, RebateExplanation, VolumeQuarter } from './projection/explainRebate.js';
import { isClosed } from './projection/monthlyGrowth.js';
import { rebateFor, tierIndexInEffect } from './projection/rebateAccrual.js';
import type { ChannelState, ProjectionState } from './projection/state.js';
import { monthReport, type MonthReport, type RebateReport } from './report.js';
import { firstMonthOfQuarter, formatQuarter, lastMonthOfQuarter, type Quarter } from './v2/quarters.js';
import {
  channelClaimsReport,
  channelTargetsReport,
  type ClaimReport,
  type TargetQuarterReport,
  type TargetReport,
} from './v2Report.js';

/** The statement's kind and the version of its layout (a new layout is a new version). */
export const STATEMENT_KIND = 'chanperf.partner-statement';
export const STATEMENT_VERSION = 1;

/** One rebate component of a month: its figure, the exact sum, the rate, and the events behind it. */
export interface StatementComponent {
  readonly figure: string;
  readonly unrounded: string;
  readonly applies: boolean;
  readonly reason: string | null;
  readonly bps: number | null;
  readonly events: readonly Contribution[];
}

export interface StatementRebate {
  readonly month: string;
  /** Every figure recomputed from the events equals the reported one. */
  readonly consistent: boolean;
  readonly base: StatementComponent & { readonly tier: string | null };
  readonly growthBonus: StatementComponent;
  readonly promotion: StatementComponent;
  readonly volume: StatementComponent & { readonly quarter: VolumeQuarter | null };
  readonly total: string;
}

/** A month of the statement: the report's figures, and the previous month's net growth is measured on. */
export type StatementMonth = MonthReport & { readonly previousNet: string };

/** (v2) The partner's annual target, as of the statement's position, with the quarter's commitment. */
export interface StatementTarget {
  readonly year: string;
  readonly annualTarget: string;
  readonly targetEventId: string;
  readonly ytdNet: string;
  readonly attainmentBps: number;
  readonly status: TargetReport['status'];
  readonly quarter: TargetQuarterReport | null;
}

export interface Statement {
  readonly kind: typeof STATEMENT_KIND;
  readonly version: typeof STATEMENT_VERSION;
  readonly channel: {
    readonly channelId: string;
    readonly name: string;
    readonly kind: string;
    readonly online: boolean;
    readonly region: string | null;
  };
  readonly quarter: string;
  /** The log position the statement is pinned to: every figure is the log's first `position` events'. */
  readonly position: number;
  readonly currency: string;
  readonly timeZone: string;
  /** The last closed month at the position (null: none). */
  readonly lastClosedMonth: string | null;
  /** The quarter's months the channel has figures for (from its first month to the log's last). */
  readonly months: readonly StatementMonth[];
  readonly totals: {
    readonly sales: string;
    readonly returns: string;
    readonly net: string;
    readonly orders: number;
    readonly units: number;
    readonly rebate: RebateReport;
  };
  /** The tier review at the quarter's end: null until the quarter's last month is closed. */
  readonly tierReview: { readonly reviewMonth: string; readonly tier: string | null } | null;
  readonly rebates: readonly StatementRebate[];
  /** (v2) null when the log sets no target for the quarter's year. */
  readonly target: StatementTarget | null;
  /** (v2) The partner's price-protection claims accrued in the quarter's months. */
  readonly claims: readonly ClaimReport[];
}

export interface StatementInput {
  readonly state: ProjectionState;
  /** The log position `state` reflects; the events end there. */
  readonly position: number;
  readonly channel: ChannelState;
  readonly quarter: Quarter;
  readonly settings: { readonly currency: string; readonly timeZone: string; readonly minorDigits: number };
  readonly clock: MonthClock;
  /** The log's events behind one month of the channel, up to `position`. */
  readonly events: (month: Month) => ChannelMonthEvents;
}

/** `YYYY-Qn` as a quarter, or undefined. */
export function parseQuarter(text: string): Quarter | undefined {
  const m = /^(\d{4})-Q([1-4])$/.exec(text);
  if (m === null) return undefined;
  return Number(m[1]) * 4 + Number(m[2]) - 1;
}

/** The quarter's months with figures for the channel at this state (none: no statement). */
export function statementMonths(state: ProjectionState, channel: ChannelState, quarter: Quarter): Month[] {
  const out: Month[] = [];
  const last = state.maxMonth;
  if (last === null) return out;
  for (let m = firstMonthOfQuarter(quarter); m <= lastMonthOfQuarter(quarter); m++) {
    if (m >= channel.firstMonth && m <= last) out.push(m);
  }
  return out;
}

function component(c: RebateExplanation['growthBonus'] | RebateExplanation['promotion']): StatementComponent {
  return {
    figure: c.figure,
    unrounded: c.unrounded,
    applies: c.applies,
    reason: c.reason,
    bps: 'bps' in c ? c.bps : null,
    events: c.events,
  };
}

function statementRebate(month: string, consistent: boolean, r: RebateExplanation): StatementRebate {
  return {
    month,
    consistent,
    base: { ...component(r.base), tier: r.base.tier },
    growthBonus: component(r.growthBonus),
    promotion: component(r.promotion),
    volume: { ...component(r.volume), quarter: r.volume.quarter },
    total: r.total.figure,
  };
}

function totalsOf(input: StatementInput, months: readonly Month[]): Statement['totals'] {
  const { state, channel } = input;
  const money = (v: bigint) => formatAmount(v, input.settings.minorDigits);
  const t = { sales: 0n, returns: 0n, orders: 0, units: 0n };
  const r = { base: 0n, growthBonus: 0n, promotion: 0n, volume: 0n, total: 0n };
  for (const m of months) {
    const f = channel.months.get(m);
    t.sales += f?.sales ?? 0n;
    t.returns += f?.returns ?? 0n;
    t.orders += f?.orders ?? 0;
    t.units += (f?.unitsSold ?? 0n) - (f?.unitsReturned ?? 0n);
    const rebate = rebateFor(state, channel, m);
    for (const k of ['base', 'growthBonus', 'promotion', 'volume', 'total'] as const) r[k] += rebate[k];
  }
  return {
    sales: money(t.sales),
    returns: money(t.returns),
    net: money(t.sales - t.returns),
    orders: t.orders,
    units: Number(t.units),
    rebate: {
      base: money(r.base),
      growthBonus: money(r.growthBonus),
      promotion: money(r.promotion),
      volume: money(r.volume),
      total: money(r.total),
    },
  };
}

/** The tier the quarter-end review gives (in effect from the next month), once the quarter's last month is closed. */
function tierReviewOf(
  state: ProjectionState,
  channel: ChannelState,
  quarter: Quarter,
): Statement['tierReview'] {
  const last = lastMonthOfQuarter(quarter);
  if (!isClosed(state, last)) return null;
  const program = programInEffect(state.programs, last + 1);
  const tier =
    program === undefined ? null : (program.tiers[tierIndexInEffect(program, channel, last + 1)]?.id ?? null);
  return { reviewMonth: formatMonth(last), tier };
}

function targetOf(input: StatementInput): StatementTarget | null {
  const q = formatQuarter(input.quarter);
  const year = q.slice(0, 4);
  const t = channelTargetsReport(input.state, input.channel, input.settings.minorDigits).find(
    (x) => x.year === year,
  );
  if (t === undefined) return null;
  const { annualTarget, targetEventId, ytdNet, attainmentBps, status } = t;
  const quarter = t.quarters.find((x) => x.quarter === q) ?? null;
  return { year, annualTarget, targetEventId, ytdNet, attainmentBps, status, quarter };
}

/** The statement of a channel's quarter at the state's position; undefined when it has no month in the quarter. */
export function buildStatement(input: StatementInput): Statement | undefined {
  const { state, channel, settings } = input;
  const months = statementMonths(state, channel, input.quarter);
  if (months.length === 0) return undefined;
  const monthTexts = new Set(months.map(formatMonth));
  const rows: StatementMonth[] = [];
  const rebates: StatementRebate[] = [];
  for (const m of months) {
    const report = monthReport(state, channel, m, settings.minorDigits);
    const e = explainChannelMonth({
      state,
      position: input.position,
      channel,
      month: m,
      report,
      digits: settings.minorDigits,
      clock: input.clock,
      events: input.events(m),
    });
    rows.push({ ...report, previousNet: e.growth.previous.net });
    rebates.push(statementRebate(report.month, e.consistent, e.rebate));
  }
  return {
    kind: STATEMENT_KIND,
    version: STATEMENT_VERSION,
    channel: {
      channelId: channel.channelId,
      name: channel.name,
      kind: channel.kind,
      online: channel.online,
      region: channel.region,
    },
    quarter: formatQuarter(input.quarter),
    position: input.position,
    currency: settings.currency,
    timeZone: settings.timeZone,
    lastClosedMonth: state.lastClosed === null ? null : formatMonth(state.lastClosed),
    months: rows,
    totals: totalsOf(input, months),
    tierReview: tierReviewOf(state, channel, input.quarter),
    rebates,
    target: targetOf(input),
    claims: channelClaimsReport(state, channel, settings.minorDigits).filter((c) => monthTexts.has(c.month)),
  };
}
