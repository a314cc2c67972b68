/**
 * `explain`: every figure of one channel-month re-derived from the events in the log, with
 * each event's exact contribution, so an analyst can reconcile a rebate to the cent.
 *
 * The recomputation is independent of the projection's running sums: it takes the month's
 * events as plain rows (what the engine's `ChannelLog` port reads), applies to them the rules
 * the projection applies (`monthlyGrowth`, the rebate rates of `rebateAccrual`,
 * `saleBonusBps`; see `explainRebate`), and rounds once with `roundBps`. Tier in effect,
 * closed months and the program in effect come from the projection state (they depend on the
 * whole history, not on the month's events). The reported figures are shown next to the
 * recomputed ones; `consistent` says whether they all agree.
 */
import { formatMonth, type Month, type MonthClock } from '../calendar.js';
import { formatAmount } from '../money.js';
import { programInEffect } from '../programRules.js';
import type { MonthReport } from '../report.js';
import { explainRebate, type RebateExplanation } from './explainRebate.js';
import { EXPLAIN_RULES } from './explainRules.js';
import {
  parseMoneyRow,
  parsePromotionRow,
  signedSum,
  type MoneyRow,
  type ParsedMoney,
  type PromotionRow,
} from './explainRows.js';
import { isClosed, monthlyGrowth, targetBpsFor, type Growth, type GrowthStatus } from './monthlyGrowth.js';
import type { ChannelState, ProjectionState } from './state.js';

/** A sale or return of the month, as written in the log (amount unsigned, minor digits). */
export interface ExplainedMoneyEvent {
  readonly eventId: string;
  readonly position: number;
  readonly type: MoneyRow['type'];
  readonly occurredAt: string;
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly amount: string;
}

interface GrowthFigures {
  readonly growthBps: number | null;
  readonly growthStatus: GrowthStatus;
}

/** Every figure of a channel-month: as reported (`figure`) and re-derived (`computed`). */
export interface Explanation {
  readonly channelId: string;
  readonly month: string;
  /** The log position the figures reflect. */
  readonly position: number;
  /** Every recomputed figure equals the reported one. */
  readonly consistent: boolean;
  readonly sales: { figure: string; computed: string; rule: string; events: ExplainedMoneyEvent[] };
  readonly returns: { figure: string; computed: string; rule: string; events: ExplainedMoneyEvent[] };
  readonly net: { figure: string; computed: string };
  readonly growth: {
    figure: GrowthFigures;
    computed: GrowthFigures;
    net: string;
    previous: { month: string; net: string; events: ExplainedMoneyEvent[] };
    targetBps: number;
    closed: boolean;
    rule: string;
  };
  readonly rebate: RebateExplanation;
}

/**
 * The log's events behind a channel-month, up to the explained position, as plain rows. The
 * money rows are read once, after the promotions (a stream is fine).
 */
export interface ChannelMonthEvents {
  /** Every PromotionScheduled, in log order. */
  readonly promotions: readonly PromotionRow[];
  /** The channel's sales and returns, in log order (any months: explain keeps M−2 … M). */
  readonly money: Iterable<MoneyRow>;
  /** The latest SaleRecorded of the channel's (orderId, sku) before log position `before`. */
  readonly latestSaleBefore: (orderId: string, sku: string, before: number) => MoneyRow | undefined;
}

export interface ExplainMonthInput {
  readonly state: ProjectionState;
  /** The log position `state` reflects; `events` end there. */
  readonly position: number;
  readonly channel: ChannelState;
  readonly month: Month;
  /** The month as reported (the figures to reconcile). */
  readonly report: MonthReport;
  /** Minor digits of the currency. */
  readonly digits: number;
  readonly clock: MonthClock;
  readonly events: ChannelMonthEvents;
}

/** The growth status of a month with the figures recomputed: OPEN until it is closed. */
function statusOf(growth: Growth, closed: boolean): GrowthStatus {
  if (!closed) return 'OPEN';
  return growth.met === null ? 'NO_BASELINE' : growth.met ? 'MET' : 'MISSED';
}

/**
 * The parsed sales and returns of the months explain looks at: this one, the previous
 * (growth) and the quarter's (volume), i.e. M−2 … M. Every row is parsed, so a damaged one
 * anywhere in the channel's history is reported.
 */
function quarterEvents(events: ChannelMonthEvents, month: Month, digits: number, clock: MonthClock) {
  const quarter: ParsedMoney[] = [];
  for (const row of events.money) {
    const parsed = parseMoneyRow(row, digits, clock);
    if (parsed.month >= month - 2 && parsed.month <= month) quarter.push(parsed);
  }
  return quarter;
}

/**
 * Every figure of the channel-month re-derived from its events. Throws `LOG_UNREADABLE`
 * when a row of the log does not parse.
 */
export function explainChannelMonth(input: ExplainMonthInput): Explanation {
  const { state, channel, month, report, digits, clock, events } = input;
  const money = (v: bigint) => formatAmount(v, digits);
  const eventOf = (r: ParsedMoney): ExplainedMoneyEvent => ({
    eventId: r.row.eventId,
    position: r.row.position,
    type: r.row.type,
    occurredAt: r.row.occurredAt,
    orderId: r.row.orderId,
    sku: r.row.sku,
    quantity: r.row.quantity,
    amount: money(r.signed < 0n ? -r.signed : r.signed),
  });

  const promotions = events.promotions.map(parsePromotionRow);
  const quarter = quarterEvents(events, month, digits, clock);
  const current = quarter.filter((r) => r.month === month);
  const previous = quarter.filter((r) => r.month === month - 1);
  const sales = current.filter((r) => r.row.type === 'SaleRecorded');
  const returns = current.filter((r) => r.row.type === 'SaleReturned');
  const net = signedSum(current);
  const prevNet = signedSum(previous);

  const targetBps = targetBpsFor(state, month);
  const closed = isClosed(state, month);
  const growth = monthlyGrowth(net, prevNet, targetBps);
  const status = statusOf(growth, closed);

  const explanation: Explanation = {
    channelId: channel.channelId,
    month: formatMonth(month),
    position: input.position,
    consistent: false,
    sales: {
      figure: report.sales,
      computed: money(signedSum(sales)),
      rule: EXPLAIN_RULES.sales,
      events: sales.map(eventOf),
    },
    returns: {
      figure: report.returns,
      computed: money(-signedSum(returns)),
      rule: EXPLAIN_RULES.returns,
      events: returns.map(eventOf),
    },
    net: { figure: report.net, computed: money(net) },
    growth: {
      figure: { growthBps: report.growthBps, growthStatus: report.growthStatus },
      computed: { growthBps: growth.growthBps, growthStatus: status },
      net: money(net),
      previous: { month: formatMonth(month - 1), net: money(prevNet), events: previous.map(eventOf) },
      targetBps,
      closed,
      rule: EXPLAIN_RULES.growth,
    },
    rebate: explainRebate({
      channel,
      month,
      program: programInEffect(state.programs, month),
      closed,
      status,
      current,
      quarter,
      promotions,
      latestSaleBefore: events.latestSaleBefore,
      figures: report.rebate,
      digits,
      clock,
    }),
  };
  return { ...explanation, consistent: isConsistent(explanation) };
}

/** Whether every recomputed figure equals the reported one. */
export function isConsistent(e: Explanation): boolean {
  const r = e.rebate;
  return (
    e.sales.figure === e.sales.computed &&
    e.returns.figure === e.returns.computed &&
    e.net.figure === e.net.computed &&
    e.growth.figure.growthBps === e.growth.computed.growthBps &&
    e.growth.figure.growthStatus === e.growth.computed.growthStatus &&
    [r.base, r.growthBonus, r.promotion, r.volume, r.total].every((c) => c.figure === c.computed)
  );
}
