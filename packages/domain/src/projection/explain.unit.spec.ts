/**
 * `explain` (spec §4 rules, re-derived from the log's events): each figure of a channel-month
 * recomputed from the month's sales and returns with the projection's own rules, per-event
 * contributions that add up to the unrounded sum, the promotions behind a sale and the
 * original sale behind a return, the quarter behind a volume rebate, and `consistent` when
 * every recomputed figure equals the reported one.
 */
import { describe, expect, it } from 'vitest';
import { MonthClock, parseMonth } from '../calendar.js';
import { monthReport, type MonthReport } from '../report.js';
import { defaultSettings } from '../settings.js';
import {
  close,
  program,
  promotion,
  register,
  run,
  sale,
  saleReturn,
  type Input,
} from '../testing/specBuilders.js';
import { explainChannelMonth, type Explanation } from './explain.js';
import type { MoneyRow, PromotionRow } from './explainRows.js';

const DIGITS = defaultSettings.minorDigits;
const clock = new MonthClock(defaultSettings.timeZone);
const REG = register('CH-A', { at: '2026-01-02' });
const FEB = { startsAt: '2026-02-01T00:00:00+08:00', endsAt: '2026-03-01T00:00:00+08:00' };

interface Data {
  type: string;
  eventId: string;
  occurredAt: string;
  channelId?: string;
  data: Record<string, unknown>;
}

/** The log's rows of `inputs` (all accepted, position = index + 1), as the ChannelLog port reads them. */
function logOf(inputs: readonly Input[], channelId: string) {
  const events = inputs.map((input, i) => ({ position: i + 1, e: input as unknown as Data }));
  const money: MoneyRow[] = events.flatMap(({ position, e }) =>
    (e.type === 'SaleRecorded' || e.type === 'SaleReturned') && e.channelId === channelId
      ? [
          {
            position,
            eventId: e.eventId,
            type: e.type,
            occurredAt: e.occurredAt,
            orderId: e.data.orderId as string,
            sku: e.data.sku as string,
            quantity: e.data.quantity as number,
            netAmount: e.data.netAmount as string,
          },
        ]
      : [],
  );
  const promotions: PromotionRow[] = events.flatMap(({ position, e }) =>
    e.type === 'PromotionScheduled'
      ? [
          {
            position,
            eventId: e.eventId,
            promotionId: e.data.promotionId as string,
            startsAt: e.data.startsAt as string,
            endsAt: e.data.endsAt as string,
            bonusBps: e.data.bonusBps as number,
            skus: (e.data.skus as string[] | undefined) ?? null,
            channelIds: (e.data.channelIds as string[] | undefined) ?? null,
          },
        ]
      : [],
  );
  const latestSaleBefore = (orderId: string, sku: string, before: number) =>
    money
      .filter(
        (r) => r.type === 'SaleRecorded' && r.orderId === orderId && r.sku === sku && r.position < before,
      )
      .at(-1);
  return { money, promotions, latestSaleBefore };
}

/** Given `inputs` in log order, when `month` of `channelId` is explained (against `figures`, default the report's). */
function explain(
  inputs: readonly Input[],
  monthText: string,
  options: { channelId?: string; figures?: (r: MonthReport) => MonthReport; money?: MoneyRow[] } = {},
): Explanation {
  const channelId = options.channelId ?? 'CH-A';
  const { state } = run(inputs);
  const channel = state.channels.get(channelId);
  const month = parseMonth(monthText);
  if (channel === undefined || month === undefined) throw new Error('spec setup');
  const report = monthReport(state, channel, month, DIGITS);
  const log = logOf(inputs, channelId);
  return explainChannelMonth({
    state,
    position: inputs.length,
    channel,
    month,
    report: options.figures?.(report) ?? report,
    digits: DIGITS,
    clock,
    events: { ...log, money: options.money ?? log.money },
  });
}

describe('sales, returns, net and growth: recomputed from the month’s events', () => {
  const inputs = [
    program(),
    REG,
    sale({ channel: 'CH-A', at: '2026-01-10', amount: '1000.00' }),
    sale({ channel: 'CH-A', at: '2026-02-10', amount: '1200.00', orderId: 'O-1' }),
    saleReturn({ channel: 'CH-A', at: '2026-02-12', amount: '50.00', orderId: 'O-1' }),
    close('2026-02'),
  ];

  it('given a sale and a return in February, when explained, then each is listed and the figures agree', () => {
    const e = explain(inputs, '2026-02');
    expect(e.consistent).toBe(true);
    expect(e.sales).toMatchObject({ figure: '1200.00', computed: '1200.00' });
    expect(e.sales.events.map((s) => s.amount)).toEqual(['1200.00']);
    expect(e.returns).toMatchObject({ figure: '50.00', computed: '50.00' });
    expect(e.returns.events.map((r) => [r.type, r.amount])).toEqual([['SaleReturned', '50.00']]);
    expect(e.net).toEqual({ figure: '1150.00', computed: '1150.00' });
  });

  it('given January nets 1000.00 and February 1150.00, when February is closed, then growth 1500 bps MET', () => {
    const e = explain(inputs, '2026-02');
    expect(e.growth.computed).toEqual({ growthBps: 1500, growthStatus: 'MET' });
    expect(e.growth.previous).toMatchObject({ month: '2026-01', net: '1000.00' });
    expect(e.growth).toMatchObject({ targetBps: 1000, closed: true });
  });

  it('given figures that differ from the events, when explained, then consistent is false', () => {
    const e = explain(inputs, '2026-02', { figures: (r) => ({ ...r, net: '1149.99' }) });
    expect(e.net).toEqual({ figure: '1149.99', computed: '1150.00' });
    expect(e.consistent).toBe(false);
  });
});

describe('base and growth bonus: per event, amount × bps / 10000, rounded once', () => {
  it('given the registered tier at 100 bps, when a month nets 1234.55, then contributions add up to the unrounded sum', () => {
    const e = explain(
      [
        program(),
        REG,
        sale({ channel: 'CH-A', at: '2026-01-10', amount: '1000.00' }),
        sale({ channel: 'CH-A', at: '2026-01-11', amount: '234.55' }),
      ],
      '2026-01',
    );
    expect(e.rebate.base).toMatchObject({
      tier: 'registered',
      bps: 100,
      unrounded: '12.345500',
      computed: '12.35',
    });
    expect(e.rebate.base.events.map((c) => c.contribution)).toEqual(['10.000000', '2.345500']);
  });

  it('given an open month that meets the target, when explained, then the growth bonus waits for the close', () => {
    const e = explain(
      [
        program(),
        REG,
        sale({ channel: 'CH-A', at: '2026-01-10', amount: '1000.00' }),
        sale({ channel: 'CH-A', at: '2026-02-10', amount: '1100.00' }),
      ],
      '2026-02',
    );
    expect(e.growth.computed.growthStatus).toBe('OPEN');
    expect(e.rebate.growthBonus).toMatchObject({
      applies: false,
      reason: 'the month is not closed yet',
      bps: 0,
    });
  });

  it('given no program, when explained, then every component is zero and says why', () => {
    const e = explain([REG, sale({ channel: 'CH-A', at: '2026-01-10', amount: '1000.00' })], '2026-01');
    for (const c of [e.rebate.base, e.rebate.growthBonus, e.rebate.promotion, e.rebate.volume]) {
      expect(c).toMatchObject({
        applies: false,
        reason: 'no program in effect for the month',
        computed: '0.00',
      });
    }
    expect(e.consistent).toBe(true);
  });
});

describe('promotion: the promotions behind a sale, the original sale behind a return', () => {
  it('given a 100 bps promotion scheduled before a sale, when the sale is partly returned, then both name their bps', () => {
    const inputs = [
      program(),
      REG,
      promotion({ ...FEB, bonusBps: 100, promotionId: 'SPRING' }),
      sale({ channel: 'CH-A', at: '2026-02-05', amount: '1000.00', orderId: 'O-1' }),
      saleReturn({ channel: 'CH-A', at: '2026-02-07', amount: '400.00', orderId: 'O-1' }),
    ];
    const e = explain(inputs, '2026-02');
    const [saleLine, returnLine] = e.rebate.promotion.events;
    expect(saleLine).toMatchObject({ bps: 100, contribution: '10.000000', originalSale: null });
    expect(saleLine?.promotions).toEqual([
      { promotionId: 'SPRING', eventId: expect.any(String), position: 3, bonusBps: 100 },
    ]);
    expect(returnLine).toMatchObject({ bps: 100, contribution: '-4.000000', promotions: [] });
    expect(returnLine?.originalSale).toEqual({ eventId: expect.any(String), position: 4, bps: 100 });
    expect(e.rebate.promotion).toMatchObject({ figure: '6.00', computed: '6.00' });
  });

  it('given a promotion scheduled after the sale (log order), when explained, then it is not behind the sale', () => {
    const e = explain(
      [
        program(),
        REG,
        sale({ channel: 'CH-A', at: '2026-02-05', amount: '1000.00' }),
        promotion({ ...FEB, bonusBps: 100 }),
      ],
      '2026-02',
    );
    expect(e.rebate.promotion.events[0]).toMatchObject({ bps: 0, promotions: [] });
  });

  it('given a 0 bps promotion covering a sale, when explained, then it is listed and adds nothing', () => {
    const e = explain(
      [
        program(),
        REG,
        promotion({ ...FEB, bonusBps: 0 }),
        sale({ channel: 'CH-A', at: '2026-02-05', amount: '10.00' }),
      ],
      '2026-02',
    );
    expect(e.rebate.promotion.events[0]).toMatchObject({ bps: 0, promotions: [{ bonusBps: 0 }] });
  });
});

describe('volume: the quarter behind a closed quarter end', () => {
  const quarter = [
    program(),
    REG,
    sale({ channel: 'CH-A', at: '2026-01-10', amount: '400000.00' }),
    sale({ channel: 'CH-A', at: '2026-02-10', amount: '400000.00' }),
    sale({ channel: 'CH-A', at: '2026-03-10', amount: '400000.00' }),
  ];

  it('given a quarter netting 1200000.00, when March is closed, then the 50 bps band applies to its three months', () => {
    const e = explain([...quarter, close('2026-03')], '2026-03');
    expect(e.rebate.volume).toMatchObject({ applies: true, bps: 50, computed: '6000.00', figure: '6000.00' });
    expect(e.rebate.volume.quarter).toEqual({
      months: [
        { month: '2026-01', net: '400000.00' },
        { month: '2026-02', net: '400000.00' },
        { month: '2026-03', net: '400000.00' },
      ],
      quarterNet: '1200000.00',
      band: { minQuarterNet: '1000000.00', rateBps: 50 },
    });
    expect(e.rebate.volume.events).toHaveLength(3);
  });

  it('given the same quarter, when February is explained, then volume does not apply: not a quarter end', () => {
    const e = explain([...quarter, close('2026-03')], '2026-02');
    expect(e.rebate.volume).toMatchObject({
      applies: false,
      reason: 'not the last month of a quarter',
      quarter: null,
      events: [],
    });
  });

  it('given a quarter below the first band, when March is closed, then no band is reached', () => {
    const e = explain(
      [program(), REG, sale({ channel: 'CH-A', at: '2026-03-10', amount: '10.00' }), close('2026-03')],
      '2026-03',
    );
    expect(e.rebate.volume).toMatchObject({
      applies: false,
      reason: 'the quarter net reaches no volume band',
      bps: 0,
    });
  });
});

describe('a damaged log', () => {
  it('given a sale whose amount does not parse, when explained, then LOG_UNREADABLE names its position', () => {
    const inputs = [program(), REG, sale({ channel: 'CH-A', at: '2026-01-10', amount: '1.00' })];
    const money = logOf(inputs, 'CH-A').money.map((r) => ({ ...r, netAmount: 'x' }));
    expect(() => explain(inputs, '2026-01', { money })).toThrow(
      expect.objectContaining({
        code: 'LOG_UNREADABLE',
        message: 'the log holds an unreadable event at position 3',
      }),
    );
  });
});
