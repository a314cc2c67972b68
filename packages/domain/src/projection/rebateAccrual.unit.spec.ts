/**
 * Spec §4 "Rebates" and "Rounding": base by the tier in effect, growth bonus for closed MET
 * months, promotion bonus with clawback at the original sale's bps, the retroactive volume
 * rebate at a closed quarter end; each component rounded once, half away from zero, and the
 * total their sum.
 */
import { describe, expect, it } from 'vitest';
import { applyBps, roundBps } from '../money.js';
import { saleBonusBps } from './promotions.js';
import { parseTimestamp, type Instant } from '../calendar.js';
import type { Promotion } from './state.js';
import {
  close,
  monthOf,
  program,
  promotion,
  register,
  run,
  sale,
  saleReturn,
  tier,
  type Input,
} from '../testing/specBuilders.js';
import type { RebateReport } from '../report.js';

const REG = register('CH-A', { at: '2026-01-02' });
const on = (
  day: string,
  amount: string,
  extra: { orderId?: string; sku?: string; channel?: string } = {},
): Input =>
  sale({
    channel: extra.channel ?? 'CH-A',
    at: day,
    amount,
    orderId: extra.orderId ?? `o-${day}-${amount}`,
    sku: extra.sku ?? 'P1',
  });
const back = (day: string, amount: string, orderId: string, sku = 'P1'): Input =>
  saleReturn({ channel: 'CH-A', at: day, amount, orderId, sku });
/** A program whose only tier pays `bps` and with no growth bonus nor volume bands, to isolate one component. */
const flat = (bps: number, overrides: Input = {}) =>
  program({ tiers: [tier('only', bps, '0', 0)], growthBonusBps: 0, volumeRebate: [], ...overrides });
const rebate = (inputs: readonly Input[], month: string, channel = 'CH-A'): RebateReport =>
  monthOf(run(inputs).report, channel, month).rebate;

function instant(text: string): Instant {
  const i = parseTimestamp(text);
  if (i === undefined) throw new Error(text);
  return i;
}

describe('rounding: (Σ amount × bps) / 10000, once, half away from zero', () => {
  it.each([
    ['1234.55 × 33 bps = 4.0740 → 4.07', 123455, 33, 407],
    ['1234.55 × 100 bps = 12.3455 → 12.35', 123455, 100, 1235],
    ['-1134.55 × 200 bps = -22.691 → -22.69', -113455, 200, -2269],
    ['0.50 × 100 bps = 0.005 → 0.01', 50, 100, 1],
    ['-0.50 × 100 bps = -0.005 → -0.01', -50, 100, -1],
    ['-0.25 × 100 bps = -0.0025 → 0.00 (not -0.00)', -25, 100, 0],
    ['6101.50 × 333 bps = 203.17995 → 203.18', 610150, 333, 20318],
  ])('given %s', (_name, amount, bps, expected) => {
    expect(applyBps(amount, bps)).toBe(BigInt(expected));
  });

  it('given a sum of products, when rounded, then only once (0.005 + 0.005 = 0.01, not 0.02)', () => {
    expect(roundBps(50n * 100n + 50n * 100n)).toBe(1n);
  });
});

describe('base: net × rebateBps of the tier in effect', () => {
  it('given the first tier at 100 bps, when January nets 1234.55, then base 12.35', () => {
    expect(rebate([program(), REG, on('2026-01-10', '1234.55')], '2026-01').base).toBe('12.35');
  });

  it('given a 200 bps tier, when a month nets -1134.55, then base -22.69 (a clawback)', () => {
    const r = rebate(
      [flat(200), REG, on('2026-01-10', '100.00'), back('2026-01-11', '1234.55', 'none')],
      '2026-01',
    );
    expect(r).toEqual({
      base: '-22.69',
      growthBonus: '0.00',
      promotion: '0.00',
      volume: '0.00',
      total: '-22.69',
    });
  });

  it('given a 200 bps tier, when a month nets -0.25, then base -0.01 (half away from zero on the negative side)', () => {
    expect(rebate([flat(200), REG, back('2026-01-11', '0.25', 'none')], '2026-01').base).toBe('-0.01');
  });

  it('given a month without activity, when reported, then every component is 0.00', () => {
    expect(rebate([program(), REG, on('2026-03-10', '1.00')], '2026-02')).toEqual({
      base: '0.00',
      growthBonus: '0.00',
      promotion: '0.00',
      volume: '0.00',
      total: '0.00',
    });
  });
});

describe('growthBonus: net × growthBonusBps, only for a closed month with status MET', () => {
  const inputs = [program(), REG, on('2026-01-10', '1000.00'), on('2026-02-10', '1100.00')];

  it('given February MET and closed, when reported, then growthBonus = 1100.00 × 50 bps = 5.50', () => {
    expect(rebate([...inputs, close('2026-02')], '2026-02')).toEqual({
      base: '11.00',
      growthBonus: '5.50',
      promotion: '0.00',
      volume: '0.00',
      total: '16.50',
    });
  });

  it('given February meets the target but is still open, when reported, then no growthBonus yet', () => {
    expect(rebate([...inputs, close('2026-01')], '2026-02').growthBonus).toBe('0.00');
  });

  it('given February MISSED, when closed, then no growthBonus', () => {
    expect(
      rebate(
        [program(), REG, on('2026-01-10', '1000.00'), on('2026-02-10', '1099.99'), close('2026-02')],
        '2026-02',
      ).growthBonus,
    ).toBe('0.00');
  });

  it('given a closed month with NO_BASELINE, when reported, then no growthBonus', () => {
    expect(
      rebate([program(), REG, on('2026-01-10', '1000.00'), close('2026-01')], '2026-01').growthBonus,
    ).toBe('0.00');
  });
});

describe('promotion: Σ sales × bonusBps(sale) − Σ returns × bonusBps(original sale)', () => {
  const FEB = { startsAt: '2026-02-01T00:00:00+08:00', endsAt: '2026-03-01T00:00:00+08:00' };

  it('given a 100 bps promotion scheduled before, when a sale of 600000.00 falls in its window, then promotion 6000.00', () => {
    const r = rebate(
      [program(), REG, promotion({ ...FEB, bonusBps: 100 }), on('2026-02-05', '600000.00')],
      '2026-02',
    );
    expect(r).toMatchObject({ promotion: '6000.00', base: '6000.00', total: '12000.00' });
  });

  it('given a promotion scheduled after the sale (log order), when its window holds the sale, then it does not apply', () => {
    expect(
      rebate([program(), REG, on('2026-02-05', '1000.00'), promotion({ ...FEB, bonusBps: 100 })], '2026-02')
        .promotion,
    ).toBe('0.00');
  });

  it.each([
    ['exactly at startsAt', '2026-02-01T00:00:00+08:00', '10.00'],
    ['at startsAt written in UTC', '2026-01-31T16:00:00Z', '10.00'],
    ['one millisecond before startsAt', '2026-01-31T23:59:59.999+08:00', '0.00'],
    ['one millisecond before endsAt', '2026-02-28T23:59:59.999+08:00', '10.00'],
    ['exactly at endsAt', '2026-03-01T00:00:00+08:00', '0.00'],
    ['at endsAt with a zero fraction', '2026-03-01T00:00:00.000+08:00', '0.00'],
  ])(
    'given a sale of 1000.00 %s of a [startsAt, endsAt) window at 100 bps, when reported, then the promotion is %s',
    (_name, at, expected) => {
      const { report } = run([
        program(),
        REG,
        promotion({ ...FEB, bonusBps: 100 }),
        sale({ channel: 'CH-A', at, amount: '1000.00' }),
      ]);
      const total = report.channels[0]?.months.reduce((s, m) => s + Number(m.rebate.promotion), 0);
      expect(total?.toFixed(2)).toBe(expected);
    },
  );

  it('given a promotion for skus [P1], when sales of P1 and P2 are recorded, then only P1 earns the bonus', () => {
    const r = rebate(
      [
        program(),
        REG,
        promotion({ ...FEB, bonusBps: 100, skus: ['P1'] }),
        on('2026-02-05', '1000.00', { sku: 'P1' }),
        on('2026-02-06', '3000.00', { sku: 'P2' }),
      ],
      '2026-02',
    );
    expect(r.promotion).toBe('10.00');
  });

  it('given a promotion for channelIds [CH-B], when CH-A and CH-B sell, then only CH-B earns the bonus', () => {
    const inputs = [
      program(),
      REG,
      register('CH-B', { at: '2026-01-02' }),
      promotion({ ...FEB, bonusBps: 33, channelIds: ['CH-B'] }),
      on('2026-02-05', '1234.55'),
      on('2026-02-05', '1234.55', { channel: 'CH-B' }),
    ];
    const { report } = run(inputs);
    expect(monthOf(report, 'CH-A', '2026-02').rebate.promotion).toBe('0.00');
    expect(monthOf(report, 'CH-B', '2026-02').rebate.promotion).toBe('4.07');
  });

  it('given two overlapping promotions (100 and 50 bps), when a sale falls in both, then the bps add up (150 bps)', () => {
    const r = rebate(
      [
        program(),
        REG,
        promotion({ ...FEB, bonusBps: 100 }),
        promotion({
          startsAt: '2026-02-15T00:00:00+08:00',
          endsAt: '2026-04-01T00:00:00+08:00',
          bonusBps: 50,
          skus: ['P1'],
          channelIds: ['CH-A'],
        }),
        on('2026-02-10', '1000.00'), // only the first: 10.00
        on('2026-02-20', '1000.00'), // both: 15.00
      ],
      '2026-02',
    );
    expect(r.promotion).toBe('25.00');
  });

  it('given a return of a promoted sale in a later month (after the promotion ended), when reported, then it claws back at the original sale bps', () => {
    const inputs = [
      program(),
      REG,
      promotion({ ...FEB, bonusBps: 100 }),
      on('2026-02-05', '600000.00', { orderId: 'A-1003' }),
      back('2026-03-09', '40000.00', 'A-1003'),
    ];
    expect(rebate(inputs, '2026-03').promotion).toBe('-400.00');
    expect(rebate(inputs, '2026-02').promotion).toBe('6000.00');
  });

  it('given a return with no original sale (unknown order), when reported, then no promotion clawback (0 bps)', () => {
    const r = rebate(
      [
        program(),
        REG,
        promotion({ ...FEB, bonusBps: 100 }),
        on('2026-02-05', '1000.00', { orderId: 'A' }),
        back('2026-02-06', '500.00', 'Z'),
      ],
      '2026-02',
    );
    expect(r.promotion).toBe('10.00');
  });

  it('given a return whose order matches but the sku differs, when reported, then it has no original sale (0 bps)', () => {
    const r = rebate(
      [
        program(),
        REG,
        promotion({ ...FEB, bonusBps: 100 }),
        on('2026-02-05', '1000.00', { orderId: 'A', sku: 'P1' }),
        back('2026-02-06', '500.00', 'A', 'P2'),
      ],
      '2026-02',
    );
    expect(r.promotion).toBe('10.00');
  });

  it('given the same order and sku sold in another channel under a promotion, when CH-A returns it, then CH-A has no original sale', () => {
    const { report } = run([
      program(),
      REG,
      register('CH-B', { at: '2026-01-02' }),
      promotion({ ...FEB, bonusBps: 100 }),
      on('2026-01-20', '500.00', { orderId: 'SAME' }),
      on('2026-02-05', '1000.00', { orderId: 'SAME', channel: 'CH-B' }),
      back('2026-02-06', '500.00', 'SAME'),
    ]);
    expect(monthOf(report, 'CH-A', '2026-02').rebate.promotion).toBe('0.00');
  });

  it('given a promoted sale then an unpromoted sale of the same order and sku, when returned, then the latest earlier sale (0 bps) decides', () => {
    const r = rebate(
      [
        program(),
        REG,
        promotion({ ...FEB, bonusBps: 100 }),
        on('2026-02-05', '1000.00', { orderId: 'A' }),
        on('2026-03-05', '1000.00', { orderId: 'A' }),
        back('2026-03-06', '1000.00', 'A'),
      ],
      '2026-03',
    );
    expect(r.promotion).toBe('0.00');
  });

  it('given an unpromoted sale then a promoted sale of the same order and sku, when returned, then the latest earlier sale (100 bps) decides', () => {
    const r = rebate(
      [
        program(),
        REG,
        on('2026-01-25', '1000.00', { orderId: 'A' }),
        promotion({ ...FEB, bonusBps: 100 }),
        on('2026-02-05', '1000.00', { orderId: 'A' }),
        back('2026-02-06', '1000.00', 'A'),
      ],
      '2026-02',
    );
    expect(r.promotion).toBe('0.00'); // 1000 × 100 − 1000 × 100
    expect(
      rebate(
        [
          program(),
          REG,
          on('2026-01-25', '1000.00', { orderId: 'A' }),
          promotion({ ...FEB, bonusBps: 100 }),
          on('2026-02-05', '1000.00', { orderId: 'A' }),
          back('2026-03-06', '400.00', 'A'),
        ],
        '2026-03',
      ).promotion,
    ).toBe('-4.00');
  });

  it('given a return logged before the sale it refers to, when reported, then it has no earlier original sale (0 bps)', () => {
    const r = rebate(
      [
        program(),
        REG,
        promotion({ ...FEB, bonusBps: 100 }),
        back('2026-02-06', '500.00', 'A'),
        on('2026-02-05', '1000.00', { orderId: 'A' }),
      ],
      '2026-02',
    );
    expect(r.promotion).toBe('10.00');
  });

  it('given two promoted sales of 0.50 at 100 bps, when the month is reported, then the promotion is rounded once: 0.01', () => {
    const r = rebate(
      [
        flat(0),
        REG,
        promotion({ ...FEB, bonusBps: 100 }),
        on('2026-02-05', '0.50'),
        on('2026-02-06', '0.50'),
      ],
      '2026-02',
    );
    expect(r.promotion).toBe('0.01');
  });

  it('given the promotion matcher, when a promotion has bonusBps 0 or does not match, then it adds nothing', () => {
    const p = (o: Partial<Promotion>): Promotion => ({
      promotionId: 'p',
      startsAt: instant('2026-02-01T00:00:00+08:00'),
      endsAt: instant('2026-03-01T00:00:00+08:00'),
      bonusBps: 100,
      skus: null,
      channelIds: null,
      ...o,
    });
    const at = instant('2026-02-10T10:00:00+08:00');
    expect(
      saleBonusBps(
        [
          p({}),
          p({ bonusBps: 0 }),
          p({ skus: ['P2'] }),
          p({ channelIds: ['CH-B'] }),
          p({ bonusBps: 7, skus: ['P1'], channelIds: ['CH-A'] }),
        ],
        'CH-A',
        'P1',
        at,
      ),
    ).toBe(107);
  });

  it('given no program in effect for the month, when a promoted sale happens, then the promotion rebate is 0 like every rebate', () => {
    const r = rebate(
      [
        program({ effectiveFrom: '2026-03' }),
        REG,
        promotion({ ...FEB, bonusBps: 100 }),
        on('2026-02-05', '1000.00'),
      ],
      '2026-02',
    );
    expect(r).toEqual({
      base: '0.00',
      growthBonus: '0.00',
      promotion: '0.00',
      volume: '0.00',
      total: '0.00',
    });
  });
});

describe('volume: at a closed quarter end, Q × the rate of the highest band with minQuarterNet ≤ Q', () => {
  const quarter = (jan: string, feb: string, mar: string): Input[] => [
    program(),
    REG,
    on('2026-01-10', jan),
    on('2026-02-10', feb),
    on('2026-03-10', mar),
  ];

  it('given Q = 1,760,000.00 and March closed, when reported, then volume = 1,760,000.00 × 50 bps = 8800.00 on March only', () => {
    const inputs = [...quarter('500000.00', '600000.00', '660000.00'), close('2026-03')];
    expect(rebate(inputs, '2026-03').volume).toBe('8800.00');
    expect(rebate(inputs, '2026-02').volume).toBe('0.00');
    expect(rebate(inputs, '2026-01').volume).toBe('0.00');
  });

  it('given the same quarter with March still open, when reported, then no volume yet', () => {
    expect(
      rebate([...quarter('500000.00', '600000.00', '660000.00'), close('2026-02')], '2026-03').volume,
    ).toBe('0.00');
  });

  it.each([
    ['999,999.99 (below every band)', '999999.99', '0.00'],
    ['1,000,000.00 (exactly the first band)', '1000000.00', '5000.00'],
    ['4,999,999.99 (first band: 24,999.99995 → 25,000.00)', '4999999.99', '25000.00'],
    ['5,000,000.00 (second band, applied to the whole quarter)', '5000000.00', '50000.00'],
  ])('given Q = %s, when March closes, then volume %s', (_name, q, expected) => {
    expect(rebate([program(), REG, on('2026-03-10', q), close('2026-03')], '2026-03').volume).toBe(expected);
  });

  it('given Q ≤ 0 and a band starting at 0, when March closes, then volume 0', () => {
    const zeroBand = program({ volumeRebate: [{ minQuarterNet: '0', rateBps: 100 }] });
    expect(
      rebate(
        [
          zeroBand,
          REG,
          on('2026-01-10', '100.00', { orderId: 'A' }),
          back('2026-03-10', '100.00', 'A'),
          close('2026-03'),
        ],
        '2026-03',
      ).volume,
    ).toBe('0.00');
    expect(
      rebate([zeroBand, REG, back('2026-03-10', '100.00', 'A'), close('2026-03')], '2026-03').volume,
    ).toBe('0.00');
  });

  it('given the band of a program changed in March, when the quarter closes, then the band of the program in effect for March applies to the whole quarter', () => {
    const { report } = run([
      program({ programId: 'q1' }),
      program({
        programId: 'mar',
        effectiveFrom: '2026-03',
        volumeRebate: [{ minQuarterNet: '100', rateBps: 10 }],
      }),
      REG,
      on('2026-01-10', '1000000.00'),
      on('2026-03-10', '10000.00'),
      close('2026-03'),
    ]);
    expect(monthOf(report, 'CH-A', '2026-03').rebate.volume).toBe('1010.00');
  });

  it('given a quarter ending at June, when June closes, then volume uses April–June only', () => {
    const r = rebate(
      [program(), REG, on('2026-03-10', '5000000.00'), on('2026-04-10', '1000000.00'), close('2026-06')],
      '2026-06',
    );
    expect(r.volume).toBe('5000.00');
  });
});

describe('total = base + growthBonus + promotion + volume, each already rounded', () => {
  it('given components with half-minor-unit fractions, when added, then the total is the sum of the rounded components', () => {
    // base 0.50 × 100 bps = 0.005 → 0.01; promotion 0.50 × 100 bps = 0.005 → 0.01; total 0.02, not round(0.01)
    const r = rebate(
      [
        flat(100),
        REG,
        promotion({
          startsAt: '2026-01-01T00:00:00+08:00',
          endsAt: '2026-02-01T00:00:00+08:00',
          bonusBps: 100,
        }),
        on('2026-01-10', '0.50'),
      ],
      '2026-01',
    );
    expect(r).toEqual({
      base: '0.01',
      growthBonus: '0.00',
      promotion: '0.01',
      volume: '0.00',
      total: '0.02',
    });
  });

  it('given a quarter end with every component, some negative, when reported, then the components add up to the total', () => {
    const r = rebate(
      [
        program(),
        REG,
        promotion({
          startsAt: '2026-02-01T00:00:00+08:00',
          endsAt: '2026-03-01T00:00:00+08:00',
          bonusBps: 100,
          skus: ['P1'],
        }),
        on('2026-01-10', '500000.00'),
        on('2026-02-05', '600000.00', { orderId: 'A-1003' }),
        on('2026-03-03', '700000.00'),
        back('2026-03-09', '40000.00', 'A-1003'),
        close('2026-03'),
      ],
      '2026-03',
    );
    expect(r).toEqual({
      base: '6600.00',
      growthBonus: '3300.00',
      promotion: '-400.00',
      volume: '8800.00',
      total: '18300.00',
    });
  });
});
