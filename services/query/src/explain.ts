/**
 * `explain`: every figure of one channel-month re-derived from the events in the log, with
 * each event's exact contribution, so an analyst can reconcile a rebate to the cent.
 *
 * The recomputation is independent of the projection's running sums: it reads the events,
 * applies the rules of spec §4 to them, and rounds once with the domain's rounding function.
 * Tier in effect, closed months and the program in effect come from the projection state
 * (they depend on the whole history, not on the month's events). The reported figures are
 * shown next to the recomputed ones; `consistent` says whether they all agree.
 */
import {
  compareInstants,
  formatAmount,
  formatMonth,
  isClosed,
  isQuarterEnd,
  monthlyGrowth,
  parseAmount,
  parseTimestamp,
  programInEffect,
  roundBps,
  targetBpsFor,
  tierIndexInEffect,
  type ChannelState,
  type GrowthStatus,
  type Instant,
  type Month,
  type MonthClock,
  type MonthReport,
  type ProjectionState,
} from '@chanperf/domain';
import type { ChannelLog, MoneyRow, PromotionRow } from '@chanperf/engine';
import type { Contribution, Explanation, MoneyEvent } from './schemas.js';

export const RULES = {
  sales: 'Σ SaleRecorded.netAmount of the month',
  returns: 'Σ SaleReturned.netAmount of the month',
  growth:
    'prev = net of the previous month; prev ≤ 0: no baseline; else growthBps = floor((net − prev) × 10000 / prev), ' +
    'and the target is met when net × 10000 ≥ prev × (10000 + targetBps); an open month is OPEN',
  base: 'round(Σ signed amount × rebateBps of the tier in effect / 10000) = round(net × rebateBps / 10000), half away from zero',
  growthBonus:
    'round(net × growthBonusBps / 10000), only when the month is closed with status MET, half away from zero',
  promotion:
    'round((Σ sale × bonusBps(sale) − Σ return × bonusBps(original sale)) / 10000), half away from zero; ' +
    'bonusBps(sale) = Σ bonusBps of promotions scheduled earlier in the log whose [startsAt, endsAt) holds the sale ' +
    'and whose skus/channelIds match; a return’s original sale is the latest earlier SaleRecorded of the same ' +
    'channel, orderId and sku (none: 0 bps)',
  volume:
    'on the last month of a quarter, once closed: Q = net of the quarter’s three months; rate = rateBps of the ' +
    'highest band with minQuarterNet ≤ Q; round(Q × rate / 10000) when Q > 0, else 0',
  total: 'base + growthBonus + promotion + volume, each already rounded',
} as const;

interface ParsedMoney {
  readonly row: MoneyRow;
  readonly at: Instant;
  readonly month: Month;
  /** Signed minor units: a return counts negative. */
  readonly signed: bigint;
}

interface ParsedPromotion {
  readonly row: PromotionRow;
  readonly startsAt: Instant;
  readonly endsAt: Instant;
}

export interface ExplainInput {
  readonly state: ProjectionState;
  /** The log position `state` reflects: no event after it is read. */
  readonly position: number;
  readonly channel: ChannelState;
  readonly month: Month;
  /** The month as reported (the figures to reconcile). */
  readonly report: MonthReport;
  readonly digits: number;
  readonly clock: MonthClock;
  readonly log: ChannelLog;
}

function corrupt(what: string): Error {
  return Object.assign(new Error(`the log holds an unreadable ${what}`), { code: 'LOG_UNREADABLE' });
}

export function explainMonth(input: ExplainInput): Explanation {
  const { state, channel, month, report, digits, clock, log } = input;
  const channelId = channel.channelId;
  const money = (v: bigint) => formatAmount(v, digits);
  /** An exact amount × bps / 10000: the minor digits plus four. */
  const exact = (numerator: bigint) => formatAmount(numerator, digits + 4);

  const parseMoney = (row: MoneyRow): ParsedMoney => {
    const at = parseTimestamp(row.occurredAt);
    const amount = parseAmount(row.netAmount, digits);
    if (at === undefined || amount === undefined) throw corrupt(`event at position ${row.position}`);
    const minor = BigInt(amount);
    return { row, at, month: clock.monthOf(at), signed: row.type === 'SaleRecorded' ? minor : -minor };
  };

  const promotions: ParsedPromotion[] = log.promotions(input.position).map((row) => {
    const startsAt = parseTimestamp(row.startsAt);
    const endsAt = parseTimestamp(row.endsAt);
    if (startsAt === undefined || endsAt === undefined)
      throw corrupt(`promotion at position ${row.position}`);
    return { row, startsAt, endsAt };
  });
  /** The promotions scheduled before a sale (log order) that match it. */
  const promotionsOf = (sale: ParsedMoney) =>
    promotions.filter(
      (p) =>
        p.row.position < sale.row.position &&
        compareInstants(p.startsAt, sale.at) <= 0 &&
        compareInstants(sale.at, p.endsAt) < 0 &&
        (p.row.skus === null || p.row.skus.includes(sale.row.sku)) &&
        (p.row.channelIds === null || p.row.channelIds.includes(channelId)),
    );
  const bpsOf = (matched: readonly ParsedPromotion[]) => matched.reduce((s, p) => s + p.row.bonusBps, 0);

  // The months explain looks at: this one, the previous (growth), the quarter (volume).
  const rows: ParsedMoney[] = [];
  for (const row of log.moneyEvents(channelId, input.position)) {
    const parsed = parseMoney(row);
    if (parsed.month >= month - 2 && parsed.month <= month) rows.push(parsed);
  }
  const ofMonth = (m: Month) => rows.filter((r) => r.month === m);
  const sum = (list: readonly ParsedMoney[]) => list.reduce((s, r) => s + r.signed, 0n);
  const eventOf = (r: ParsedMoney): MoneyEvent => ({
    eventId: r.row.eventId,
    position: r.row.position,
    type: r.row.type,
    occurredAt: r.row.occurredAt,
    orderId: r.row.orderId,
    sku: r.row.sku,
    quantity: r.row.quantity,
    amount: money(r.signed < 0n ? -r.signed : r.signed),
  });
  const contribution = (r: ParsedMoney, bps: number): Contribution => ({
    eventId: r.row.eventId,
    position: r.row.position,
    type: r.row.type,
    month: formatMonth(r.month),
    amount: money(r.signed),
    bps,
    contribution: exact(r.signed * BigInt(bps)),
  });
  const numeratorOf = (list: readonly ParsedMoney[], bps: number) => sum(list) * BigInt(bps);

  const current = ofMonth(month);
  const sales = current.filter((r) => r.row.type === 'SaleRecorded');
  const returns = current.filter((r) => r.row.type === 'SaleReturned');
  const salesSum = sum(sales);
  const returnsSum = -sum(returns);
  const net = salesSum - returnsSum;
  const previous = ofMonth(month - 1);
  const prevNet = sum(previous);

  // Growth.
  const program = programInEffect(state.programs, month);
  const targetBps = targetBpsFor(state, month);
  const closed = isClosed(state, month);
  const g = monthlyGrowth(net, prevNet, targetBps);
  const status: GrowthStatus = !closed ? 'OPEN' : g.met === null ? 'NO_BASELINE' : g.met ? 'MET' : 'MISSED';
  const noProgram = 'no program in effect for the month';

  // Base.
  const tier = program === undefined ? undefined : program.tiers[tierIndexInEffect(program, channel, month)];
  const baseBps = tier?.rebateBps ?? 0;
  const baseNumerator = numeratorOf(current, baseBps);
  const base = {
    figure: report.rebate.base,
    computed: money(roundBps(baseNumerator)),
    unrounded: exact(baseNumerator),
    applies: program !== undefined,
    reason: program === undefined ? noProgram : null,
    rule: RULES.base,
    tier: tier?.id ?? null,
    bps: baseBps,
    events: current.map((r) => contribution(r, baseBps)),
  };

  // Growth bonus.
  const bonusApplies = program !== undefined && closed && status === 'MET';
  const bonusBps = bonusApplies ? program.growthBonusBps : 0;
  const bonusNumerator = numeratorOf(current, bonusBps);
  const growthBonus = {
    figure: report.rebate.growthBonus,
    computed: money(roundBps(bonusNumerator)),
    unrounded: exact(bonusNumerator),
    applies: bonusApplies,
    reason:
      program === undefined
        ? noProgram
        : !closed
          ? 'the month is not closed yet'
          : status !== 'MET'
            ? `growth status is ${status}, not MET`
            : null,
    rule: RULES.growthBonus,
    bps: bonusBps,
    events: current.map((r) => contribution(r, bonusBps)),
  };

  // Promotion.
  let promoNumerator = 0n;
  const promoEvents = current.map((r) => {
    if (r.row.type === 'SaleRecorded') {
      const matched = promotionsOf(r);
      const bps = program === undefined ? 0 : bpsOf(matched);
      promoNumerator += r.signed * BigInt(bps);
      return {
        ...contribution(r, bps),
        promotions: matched.map((p) => ({
          promotionId: p.row.promotionId,
          eventId: p.row.eventId,
          position: p.row.position,
          bonusBps: p.row.bonusBps,
        })),
        originalSale: null,
      };
    }
    const original = log.latestSaleBefore(channelId, r.row.orderId, r.row.sku, r.row.position);
    const originalBps = original === undefined ? 0 : bpsOf(promotionsOf(parseMoney(original)));
    const bps = program === undefined ? 0 : originalBps;
    promoNumerator += r.signed * BigInt(bps);
    return {
      ...contribution(r, bps),
      promotions: [],
      originalSale:
        original === undefined
          ? null
          : { eventId: original.eventId, position: original.position, bps: originalBps },
    };
  });
  const promotion = {
    figure: report.rebate.promotion,
    computed: money(roundBps(promoNumerator)),
    unrounded: exact(promoNumerator),
    applies: program !== undefined,
    reason: program === undefined ? noProgram : null,
    rule: RULES.promotion,
    events: promoEvents,
  };

  // Volume.
  const quarterEnd = isQuarterEnd(month);
  const quarterMonths = [month - 2, month - 1, month];
  const quarterNet = sum(rows);
  let band: { minQuarterNet: number; rateBps: number } | undefined;
  if (program !== undefined) {
    for (const b of program.volumeRebate) if (BigInt(b.minQuarterNet) <= quarterNet) band = b;
  }
  const volumeApplies =
    program !== undefined && quarterEnd && closed && quarterNet > 0n && band !== undefined;
  const volumeBps = volumeApplies ? (band?.rateBps ?? 0) : 0;
  const volumeNumerator = quarterEnd ? numeratorOf(rows, volumeBps) : 0n;
  const volume = {
    figure: report.rebate.volume,
    computed: money(roundBps(volumeNumerator)),
    unrounded: exact(volumeNumerator),
    applies: volumeApplies,
    reason:
      program === undefined
        ? noProgram
        : !quarterEnd
          ? 'not the last month of a quarter'
          : !closed
            ? 'the month is not closed yet'
            : quarterNet <= 0n
              ? 'the quarter net is not positive'
              : band === undefined
                ? 'the quarter net reaches no volume band'
                : null,
    rule: RULES.volume,
    bps: volumeBps,
    quarter: quarterEnd
      ? {
          months: quarterMonths.map((m) => ({ month: formatMonth(m), net: money(sum(ofMonth(m))) })),
          quarterNet: money(quarterNet),
          band:
            band === undefined
              ? null
              : { minQuarterNet: money(BigInt(band.minQuarterNet)), rateBps: band.rateBps },
        }
      : null,
    events: quarterEnd ? rows.map((r) => contribution(r, volumeBps)) : [],
  };

  const total =
    roundBps(baseNumerator) + roundBps(bonusNumerator) + roundBps(promoNumerator) + roundBps(volumeNumerator);
  const explanation: Explanation = {
    channelId,
    month: formatMonth(month),
    position: input.position,
    consistent: false,
    sales: { figure: report.sales, computed: money(salesSum), rule: RULES.sales, events: sales.map(eventOf) },
    returns: {
      figure: report.returns,
      computed: money(returnsSum),
      rule: RULES.returns,
      events: returns.map(eventOf),
    },
    net: { figure: report.net, computed: money(net) },
    growth: {
      figure: { growthBps: report.growthBps, growthStatus: report.growthStatus },
      computed: { growthBps: g.growthBps, growthStatus: status },
      net: money(net),
      previous: { month: formatMonth(month - 1), net: money(prevNet), events: previous.map(eventOf) },
      targetBps,
      closed,
      rule: RULES.growth,
    },
    rebate: {
      base,
      growthBonus,
      promotion,
      volume,
      total: { figure: report.rebate.total, computed: money(total), rule: RULES.total },
    },
  };
  explanation.consistent = isConsistent(explanation);
  return explanation;
}

function isConsistent(e: Explanation): boolean {
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
