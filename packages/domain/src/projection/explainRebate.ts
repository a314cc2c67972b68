/**
 * `explain`'s rebate components of one channel-month (spec §4 "Rebates"): base, growth bonus,
 * promotion and volume, each re-derived event by event from the log's sales and returns with
 * the projection's own rules (`tierInEffect`, `growthBonusBps`, `saleBonusBps`,
 * `volumeBand`, `volumeRebateDue`) and rounded once with `roundBps`. Per event: the signed
 * amount, the bps applied and its exact contribution (amount × bps / 10000), so
 * Σ contribution = unrounded and round(unrounded) = computed.
 */
import { formatMonth, type Month, type MonthClock } from '../calendar.js';
import { formatAmount, roundBps } from '../money.js';
import type { Program } from '../programRules.js';
import type { RebateReport } from '../report.js';
import { EXPLAIN_RULES } from './explainRules.js';
import {
  parseMoneyRow,
  signedSum,
  type MoneyRow,
  type ParsedMoney,
  type ParsedPromotion,
} from './explainRows.js';
import type { GrowthStatus } from './monthlyGrowth.js';
import { promotionCovers, saleBonusBps } from './promotions.js';
import {
  growthBonusBps,
  isQuarterEnd,
  tierInEffect,
  volumeBand,
  volumeRebateDue,
  type VolumeBand,
} from './rebateAccrual.js';
import type { ChannelState } from './state.js';

/** What one event adds to a rebate component: signed amount × bps / 10000, not rounded. */
export interface Contribution {
  readonly eventId: string;
  readonly position: number;
  readonly type: MoneyRow['type'];
  readonly month: string;
  /** Signed: a return counts negative. */
  readonly amount: string;
  readonly bps: number;
  /** amount × bps / 10000, exact (the minor digits plus four). */
  readonly contribution: string;
}

/** The fields every rebate component has, in this order. */
export interface ComponentFigures {
  /** As reported for the month. */
  readonly figure: string;
  /** round(unrounded), half away from zero, recomputed from the events. */
  readonly computed: string;
  /** Σ contribution of the events, exact. */
  readonly unrounded: string;
  readonly applies: boolean;
  /** Why the component is zero, when it does not apply. */
  readonly reason: string | null;
  readonly rule: string;
}

export interface BaseComponent extends ComponentFigures {
  /** The tier in effect for the month. */
  readonly tier: string | null;
  /** rebateBps of that tier. */
  readonly bps: number;
  readonly events: Contribution[];
}

export interface GrowthBonusComponent extends ComponentFigures {
  /** growthBonusBps applied (0 when it does not apply). */
  readonly bps: number;
  readonly events: Contribution[];
}

export interface PromotionContribution extends Contribution {
  /** For a sale: the promotions scheduled earlier in the log that cover it. */
  readonly promotions: { promotionId: string; eventId: string; position: number; bonusBps: number }[];
  /** For a return: the latest earlier SaleRecorded of the same channel, orderId and sku, and its bps. */
  readonly originalSale: { eventId: string; position: number; bps: number } | null;
}

export interface PromotionComponent extends ComponentFigures {
  readonly events: PromotionContribution[];
}

export interface VolumeQuarter {
  readonly months: { month: string; net: string }[];
  readonly quarterNet: string;
  readonly band: { minQuarterNet: string; rateBps: number } | null;
}

export interface VolumeComponent extends ComponentFigures {
  /** The rate applied (0 when it does not apply). */
  readonly bps: number;
  /** The quarter ending with this month, when it is a quarter end. */
  readonly quarter: VolumeQuarter | null;
  readonly events: Contribution[];
}

export interface RebateExplanation {
  readonly base: BaseComponent;
  readonly growthBonus: GrowthBonusComponent;
  readonly promotion: PromotionComponent;
  readonly volume: VolumeComponent;
  readonly total: { figure: string; computed: string; rule: string };
}

/** What the rebate of one channel-month is explained from. */
export interface RebateEvidence {
  readonly channel: ChannelState;
  readonly month: Month;
  /** The program in effect for the month (none: every component is zero). */
  readonly program: Program | undefined;
  readonly closed: boolean;
  /** The growth status recomputed from the events. */
  readonly status: GrowthStatus;
  /** The month's sales and returns, in log order. */
  readonly current: readonly ParsedMoney[];
  /** The sales and returns of the quarter's months M−2 … M, in log order. */
  readonly quarter: readonly ParsedMoney[];
  /** The promotions in the log up to the explained position, in log order. */
  readonly promotions: readonly ParsedPromotion[];
  /** The latest SaleRecorded of the channel's (orderId, sku) before log position `before`. */
  readonly latestSaleBefore: (orderId: string, sku: string, before: number) => MoneyRow | undefined;
  /** The month's rebate as reported (the figures to reconcile). */
  readonly figures: RebateReport;
  readonly digits: number;
  readonly clock: MonthClock;
}

const NO_PROGRAM = 'no program in effect for the month';
const NOT_CLOSED = 'the month is not closed yet';

function money(e: RebateEvidence, minor: bigint): string {
  return formatAmount(minor, e.digits);
}

/** An exact amount × bps / 10000: the minor digits plus four. */
function exact(e: RebateEvidence, numerator: bigint): string {
  return formatAmount(numerator, e.digits + 4);
}

function contributionOf(e: RebateEvidence, r: ParsedMoney, bps: number): Contribution {
  return {
    eventId: r.row.eventId,
    position: r.row.position,
    type: r.row.type,
    month: formatMonth(r.month),
    amount: money(e, r.signed),
    bps,
    contribution: exact(e, r.signed * BigInt(bps)),
  };
}

/** What a component's head is made of: its figure, its exact numerator, whether and why it applies. */
interface Head {
  readonly figure: string;
  /** Σ amount × bps, before the one rounding. */
  readonly numerator: bigint;
  readonly applies: boolean;
  readonly reason: string | null;
  readonly rule: string;
}

/** figure, computed, unrounded, applies, reason, rule: the head of every component, in that order. */
function figuresOf(e: RebateEvidence, head: Head): ComponentFigures {
  return {
    figure: head.figure,
    computed: money(e, roundBps(head.numerator)),
    unrounded: exact(e, head.numerator),
    applies: head.applies,
    reason: head.reason,
    rule: head.rule,
  };
}

interface Explained<C> {
  readonly component: C;
  readonly numerator: bigint;
}

function explainBase(e: RebateEvidence): Explained<BaseComponent> {
  const { program } = e;
  const tier = program === undefined ? undefined : tierInEffect(program, e.channel, e.month);
  const bps = tier?.rebateBps ?? 0;
  const numerator = signedSum(e.current) * BigInt(bps);
  const applies = program !== undefined;
  const component = {
    ...figuresOf(e, {
      figure: e.figures.base,
      numerator,
      applies,
      reason: applies ? null : NO_PROGRAM,
      rule: EXPLAIN_RULES.base,
    }),
    tier: tier?.id ?? null,
    bps,
    events: e.current.map((r) => contributionOf(e, r, bps)),
  };
  return { component, numerator };
}

function explainGrowthBonus(e: RebateEvidence): Explained<GrowthBonusComponent> {
  const { program, status } = e;
  const applies = program !== undefined && e.closed && status === 'MET';
  const bps = program === undefined ? 0 : growthBonusBps(program, status);
  const numerator = signedSum(e.current) * BigInt(bps);
  const reason =
    program === undefined
      ? NO_PROGRAM
      : !e.closed
        ? NOT_CLOSED
        : status !== 'MET'
          ? `growth status is ${status}, not MET`
          : null;
  const component = {
    ...figuresOf(e, {
      figure: e.figures.growthBonus,
      numerator,
      applies,
      reason,
      rule: EXPLAIN_RULES.growthBonus,
    }),
    bps,
    events: e.current.map((r) => contributionOf(e, r, bps)),
  };
  return { component, numerator };
}

/** The promotions scheduled before a sale (log order) that cover it, and its bonus bps. */
function promotionsOfSale(e: RebateEvidence, sale: ParsedMoney) {
  const earlier = e.promotions.filter((p) => p.position < sale.row.position);
  return {
    covering: earlier.filter((p) => promotionCovers(p, e.channel.channelId, sale.row.sku, sale.at)),
    bps: saleBonusBps(earlier, e.channel.channelId, sale.row.sku, sale.at),
  };
}

/** One sale or return of the month with its promotion bps: a sale's own, a return's original sale's. */
function promotionContribution(e: RebateEvidence, r: ParsedMoney): PromotionContribution {
  const inProgram = e.program !== undefined;
  if (r.row.type === 'SaleRecorded') {
    const { covering, bps } = promotionsOfSale(e, r);
    return {
      ...contributionOf(e, r, inProgram ? bps : 0),
      promotions: covering.map((p) => ({
        promotionId: p.promotionId,
        eventId: p.eventId,
        position: p.position,
        bonusBps: p.bonusBps,
      })),
      originalSale: null,
    };
  }
  const original = e.latestSaleBefore(r.row.orderId, r.row.sku, r.row.position);
  const originalBps =
    original === undefined ? 0 : promotionsOfSale(e, parseMoneyRow(original, e.digits, e.clock)).bps;
  return {
    ...contributionOf(e, r, inProgram ? originalBps : 0),
    promotions: [],
    originalSale:
      original === undefined
        ? null
        : { eventId: original.eventId, position: original.position, bps: originalBps },
  };
}

function explainPromotion(e: RebateEvidence): Explained<PromotionComponent> {
  const events = e.current.map((r) => promotionContribution(e, r));
  const numerator = e.current.reduce((sum, r, i) => sum + r.signed * BigInt(events[i]?.bps ?? 0), 0n);
  const applies = e.program !== undefined;
  const component = {
    ...figuresOf(e, {
      figure: e.figures.promotion,
      numerator,
      applies,
      reason: applies ? null : NO_PROGRAM,
      rule: EXPLAIN_RULES.promotion,
    }),
    events,
  };
  return { component, numerator };
}

function volumeReason(e: RebateEvidence, quarterNet: bigint, hasBand: boolean): string | null {
  if (e.program === undefined) return NO_PROGRAM;
  if (!isQuarterEnd(e.month)) return 'not the last month of a quarter';
  if (!e.closed) return NOT_CLOSED;
  if (quarterNet <= 0n) return 'the quarter net is not positive';
  if (!hasBand) return 'the quarter net reaches no volume band';
  return null;
}

/** The quarter ending with the month: its three months' net, its net and the band it reaches. */
function quarterOf(e: RebateEvidence, quarterNet: bigint, band: VolumeBand | undefined): VolumeQuarter {
  const { month } = e;
  return {
    months: [month - 2, month - 1, month].map((m) => ({
      month: formatMonth(m),
      net: money(e, signedSum(e.quarter.filter((r) => r.month === m))),
    })),
    quarterNet: money(e, quarterNet),
    band:
      band === undefined
        ? null
        : { minQuarterNet: money(e, BigInt(band.minQuarterNet)), rateBps: band.rateBps },
  };
}

function explainVolume(e: RebateEvidence): Explained<VolumeComponent> {
  const { program, month } = e;
  const quarterEnd = isQuarterEnd(month);
  const quarterNet = signedSum(e.quarter);
  const band = program === undefined ? undefined : volumeBand(program, quarterNet);
  const applies = program !== undefined && volumeRebateDue(month, e.closed, quarterNet) && band !== undefined;
  const bps = applies ? (band?.rateBps ?? 0) : 0;
  const numerator = quarterEnd ? quarterNet * BigInt(bps) : 0n;
  const quarter = quarterEnd ? quarterOf(e, quarterNet, band) : null;
  const component = {
    ...figuresOf(e, {
      figure: e.figures.volume,
      numerator,
      applies,
      reason: volumeReason(e, quarterNet, band !== undefined),
      rule: EXPLAIN_RULES.volume,
    }),
    bps,
    quarter,
    events: quarterEnd ? e.quarter.map((r) => contributionOf(e, r, bps)) : [],
  };
  return { component, numerator };
}

/**
 * The four rebate components of a channel-month and their total, each re-derived from the
 * events with the projection's rules and set beside the reported figure.
 */
export function explainRebate(e: RebateEvidence): RebateExplanation {
  const base = explainBase(e);
  const growthBonus = explainGrowthBonus(e);
  const promotion = explainPromotion(e);
  const volume = explainVolume(e);
  const total =
    roundBps(base.numerator) +
    roundBps(growthBonus.numerator) +
    roundBps(promotion.numerator) +
    roundBps(volume.numerator);
  return {
    base: base.component,
    growthBonus: growthBonus.component,
    promotion: promotion.component,
    volume: volume.component,
    total: { figure: e.figures.total, computed: money(e, total), rule: EXPLAIN_RULES.total },
  };
}
