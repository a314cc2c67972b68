/**
 * Spec §4 "Tiers": reviews at the close of review months (quarterly: 03/06/09/12; monthly),
 * trailing net of M−2…M and certified trainees of M−11…M, upgrades of any size, downgrades
 * one step after the grace reviews, clamping to a program with fewer tiers, and the tier in
 * effect from the month after the review.
 */
import { describe, expect, it } from 'vitest';
import type { Program } from '../programRules.js';
import { clampIndex, qualifyingTier } from './tierReview.js';
import {
  channelOf,
  close,
  monthOf,
  program,
  register,
  run,
  sale,
  saleReturn,
  tier,
  training,
  type Input,
} from '../testing/specBuilders.js';
import type { Report } from '../report.js';

/** Monthly reviews, grace 1: silver at 1000.00, gold at 5000.00 + 1 certified, diamond at 20000.00 + 2. */
const MONTHLY_TIERS = [
  tier('registered', 100, '0', 0),
  tier('silver', 200, '1000', 0),
  tier('gold', 300, '5000', 1),
  tier('diamond', 500, '20000', 2),
];
const monthly = (overrides: Input = {}) =>
  program({
    programId: 'monthly',
    tierReview: 'monthly',
    downgradeGraceReviews: 1,
    tiers: MONTHLY_TIERS,
    volumeRebate: [],
    ...overrides,
  });

const REG = register('CH-A', { at: '2026-01-02' });
const on = (day: string, amount: string, orderId?: string): Input =>
  sale({ channel: 'CH-A', at: day, amount, ...(orderId === undefined ? {} : { orderId }) });
const back = (day: string, amount: string, orderId: string): Input =>
  saleReturn({ channel: 'CH-A', at: day, amount, orderId });
const cert = (day: string, traineeId: string, channel = 'CH-A'): Input =>
  training({ channel, at: day, traineeId, certification: 'CERT-SALES' });

const tierAlerts = (report: Report) =>
  report.alerts.filter((a) => a.kind === 'TIER_DOWNGRADE_WARNING' || a.kind === 'TIER_DOWNGRADED');
const tiersByMonth = (report: Report, channelId = 'CH-A') =>
  channelOf(report, channelId).months.map((m) => [m.month, m.tier]);

describe('the qualifying tier', () => {
  const p: Program = {
    programId: 'p',
    effectiveFrom: 0,
    growthTargetBps: 1000,
    growthBonusBps: 0,
    tierReview: 'monthly',
    downgradeGraceReviews: 1,
    tiers: [
      { id: 'registered', rebateBps: 100, minTrailingNet: 0, minCertifiedTrainees: 0 },
      { id: 'silver', rebateBps: 200, minTrailingNet: 100000, minCertifiedTrainees: 1 },
      { id: 'gold', rebateBps: 300, minTrailingNet: 500000, minCertifiedTrainees: 3 },
    ],
    volumeRebate: [],
  };

  it.each([
    ['exactly the silver minimums', 100000, 1, 1],
    ['gold net but only silver certifications', 900000, 2, 1],
    ['gold certifications but only silver net', 499999, 5, 1],
    ['both gold minimums', 500000, 3, 2],
    ['no certification', 900000, 0, 0],
    ['a negative trailing net', -5000, 9, 0],
  ])('given %s, when qualifying, then index %i', (_name, net, certified, expected) => {
    expect(qualifyingTier(p, BigInt(net), certified)).toBe(expected);
  });

  it('given an index beyond the last tier, when clamped, then it is the last tier', () => {
    expect([0, 2, 3, 9].map((i) => clampIndex(p, i))).toEqual([0, 2, 2, 2]);
  });
});

describe('when reviews happen', () => {
  it('given a quarterly program effective from February, when every month is closed, then reviews happen only at the close of 03 and 06', () => {
    const { report } = run([
      program({ effectiveFrom: '2026-02' }),
      REG,
      on('2026-02-10', '400000.00'),
      cert('2026-02-12', 'a-li'),
      ...['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07'].map((m) => close(m)),
    ]);
    expect(report.tierMovements).toEqual([
      {
        channelId: 'CH-A',
        from: 'registered',
        to: 'silver',
        reviewMonth: '2026-03',
        effectiveMonth: '2026-04',
        kind: 'UPGRADE',
      },
    ]);
    // June: trailing Apr–Jun is 0, below silver → the first (warning) of the grace reviews.
    expect(tierAlerts(report).map((a) => a.id)).toEqual(['TIER_DOWNGRADE_WARNING/CH-A/2026-06/1']);
  });

  it('given a quarterly program effective from April, when April and May close, then no review until June', () => {
    const { report } = run([
      program({ effectiveFrom: '2026-04' }),
      REG,
      on('2026-04-10', '400000.00'),
      cert('2026-04-12', 'a-li'),
      close('2026-04'),
      close('2026-05'),
    ]);
    expect(report.tierMovements).toEqual([]);
    const later = run([
      program({ effectiveFrom: '2026-04' }),
      REG,
      on('2026-04-10', '400000.00'),
      cert('2026-04-12', 'a-li'),
      close('2026-06'),
    ]);
    expect(later.report.tierMovements).toEqual([
      expect.objectContaining({
        reviewMonth: '2026-06',
        effectiveMonth: '2026-07',
        from: 'registered',
        to: 'silver',
      }),
    ]);
  });

  it('given a monthly program, when each month closes, then each month is reviewed and a move takes effect the next month', () => {
    const { report } = run([
      monthly(),
      REG,
      on('2026-01-10', '1500.00'),
      close('2026-01'),
      on('2026-02-10', '4000.00'),
      cert('2026-02-11', 'a-li'),
      close('2026-02'),
      on('2026-03-10', '100.00'),
    ]);
    expect(report.tierMovements).toEqual([
      {
        channelId: 'CH-A',
        from: 'registered',
        to: 'silver',
        reviewMonth: '2026-01',
        effectiveMonth: '2026-02',
        kind: 'UPGRADE',
      },
      {
        channelId: 'CH-A',
        from: 'silver',
        to: 'gold',
        reviewMonth: '2026-02',
        effectiveMonth: '2026-03',
        kind: 'UPGRADE',
      },
    ]);
    expect(tiersByMonth(report)).toEqual([
      ['2026-01', 'registered'],
      ['2026-02', 'silver'],
      ['2026-03', 'gold'],
    ]);
  });
});

describe('upgrades', () => {
  it('given 6,000,000.00 over the quarter and 5 certified trainees, when March is reviewed, then registered → diamond in one move, in effect from April', () => {
    const { report } = run([
      program(),
      REG,
      on('2026-01-10', '2000000.00'),
      on('2026-02-10', '2000000.00'),
      on('2026-03-10', '2000000.00'),
      ...['t1', 't2', 't3', 't4', 't5'].map((t) => cert('2026-01-15', t)),
      close('2026-03'),
      on('2026-04-10', '100000.00'),
    ]);
    expect(report.tierMovements).toEqual([
      {
        channelId: 'CH-A',
        from: 'registered',
        to: 'diamond',
        reviewMonth: '2026-03',
        effectiveMonth: '2026-04',
        kind: 'UPGRADE',
      },
    ]);
    expect(monthOf(report, 'CH-A', '2026-03')).toMatchObject({
      tier: 'registered',
      rebate: expect.objectContaining({ base: '20000.00' }),
    });
    expect(monthOf(report, 'CH-A', '2026-04')).toMatchObject({
      tier: 'diamond',
      rebate: expect.objectContaining({ base: '5000.00' }),
    });
    expect(channelOf(report, 'CH-A').tier).toBe('diamond');
  });

  it('given a trailing net one minor unit under gold, when reviewed, then only silver', () => {
    const { report } = run([
      program(),
      REG,
      on('2026-03-10', '1499999.99'),
      ...['t1', 't2', 't3'].map((t) => cert('2026-03-15', t)),
      close('2026-03'),
    ]);
    expect(report.tierMovements.map((m) => m.to)).toEqual(['silver']);
  });
});

describe('certified trainees: distinct traineeIds certified in M−11 … M', () => {
  const onlyCerts = program({
    effectiveFrom: '2026-12',
    tiers: [tier('registered', 100, '0', 0), tier('silver', 200, '0', 1), tier('gold', 300, '0', 2)],
  });
  const channels = ['C11', 'C12', 'LATE', 'NOCERT', 'TWICE', 'TWO'];
  const { report } = run([
    onlyCerts,
    ...channels.map((c) => register(c, { at: '2025-12-01' })),
    cert('2025-12-31T23:59:59+08:00', 't1', 'C12'), // M−12: no longer counts
    cert('2026-01-01T00:00:00+08:00', 't1', 'C11'), // M−11: counts
    training({ channel: 'NOCERT', at: '2026-06-01', traineeId: 't1' }),
    training({ channel: 'NOCERT', at: '2026-06-02', traineeId: 't2' }),
    cert('2026-03-01', 't1', 'TWICE'),
    training({ channel: 'TWICE', at: '2026-06-01', traineeId: 't1', certification: 'CERT-ADV' }),
    cert('2026-05-01', 't1', 'TWO'),
    cert('2026-05-01', 't2', 'TWO'),
    close('2026-12', '2027-01-01T09:00:00+08:00'),
    cert('2026-11-20', 't1', 'LATE'), // accepted after the review: not counted
    cert('2026-11-20', 't2', 'LATE'),
  ]);

  it('given certifications at M−12, M−11, twice for one trainee, without certification and two trainees, when December is reviewed, then only the counted ones move', () => {
    expect(report.tierMovements).toEqual([
      {
        channelId: 'C11',
        from: 'registered',
        to: 'silver',
        reviewMonth: '2026-12',
        effectiveMonth: '2027-01',
        kind: 'UPGRADE',
      },
      {
        channelId: 'TWICE',
        from: 'registered',
        to: 'silver',
        reviewMonth: '2026-12',
        effectiveMonth: '2027-01',
        kind: 'UPGRADE',
      },
      {
        channelId: 'TWO',
        from: 'registered',
        to: 'gold',
        reviewMonth: '2026-12',
        effectiveMonth: '2027-01',
        kind: 'UPGRADE',
      },
    ]);
  });

  it('given certifications accepted after the review, when the report is built, then the tier is not revised', () => {
    expect(channelOf(report, 'LATE').tier).toBe('registered');
    expect(channelOf(report, 'C12').tier).toBe('registered');
    expect(channelOf(report, 'NOCERT').tier).toBe('registered');
  });
});

describe('downgrades after the grace reviews', () => {
  it('given diamond and grace 1, when the channel stops qualifying, then a warning, then a downgrade by one step only, and again', () => {
    const { report } = run([
      monthly(),
      REG,
      on('2026-01-10', '30000.00', 'D-1'),
      cert('2026-01-12', 't1'),
      cert('2026-01-12', 't2'),
      back('2026-02-10', '30000.00', 'D-1'),
      close('2026-05'),
    ]);
    expect(tierAlerts(report)).toEqual([
      {
        id: 'TIER_DOWNGRADE_WARNING/CH-A/2026-02/1',
        kind: 'TIER_DOWNGRADE_WARNING',
        channelId: 'CH-A',
        month: '2026-02',
        tier: 'diamond',
        qualifyingTier: 'registered',
      },
      {
        id: 'TIER_DOWNGRADED/CH-A/2026-03/1',
        kind: 'TIER_DOWNGRADED',
        channelId: 'CH-A',
        month: '2026-03',
        from: 'diamond',
        to: 'gold',
      },
      {
        id: 'TIER_DOWNGRADE_WARNING/CH-A/2026-04/1',
        kind: 'TIER_DOWNGRADE_WARNING',
        channelId: 'CH-A',
        month: '2026-04',
        tier: 'gold',
        qualifyingTier: 'registered',
      },
      {
        id: 'TIER_DOWNGRADED/CH-A/2026-05/1',
        kind: 'TIER_DOWNGRADED',
        channelId: 'CH-A',
        month: '2026-05',
        from: 'gold',
        to: 'silver',
      },
    ]);
    expect(report.tierMovements).toEqual([
      {
        channelId: 'CH-A',
        from: 'registered',
        to: 'diamond',
        reviewMonth: '2026-01',
        effectiveMonth: '2026-02',
        kind: 'UPGRADE',
      },
      {
        channelId: 'CH-A',
        from: 'diamond',
        to: 'gold',
        reviewMonth: '2026-03',
        effectiveMonth: '2026-04',
        kind: 'DOWNGRADE',
      },
      {
        channelId: 'CH-A',
        from: 'gold',
        to: 'silver',
        reviewMonth: '2026-05',
        effectiveMonth: '2026-06',
        kind: 'DOWNGRADE',
      },
    ]);
    expect(tiersByMonth(report)).toEqual([
      ['2026-01', 'registered'],
      ['2026-02', 'diamond'],
      ['2026-03', 'diamond'],
      ['2026-04', 'gold'],
      ['2026-05', 'gold'],
    ]);
    expect(channelOf(report, 'CH-A').tier).toBe('silver');
  });

  it('given grace 0, when the channel stops qualifying, then it is downgraded at once without a warning', () => {
    const { report } = run([
      monthly({ downgradeGraceReviews: 0 }),
      REG,
      on('2026-01-10', '1500.00', 'R-1'),
      back('2026-02-10', '1000.00', 'R-1'),
      close('2026-02'),
    ]);
    expect(tierAlerts(report)).toEqual([
      {
        id: 'TIER_DOWNGRADED/CH-A/2026-02/1',
        kind: 'TIER_DOWNGRADED',
        channelId: 'CH-A',
        month: '2026-02',
        from: 'silver',
        to: 'registered',
      },
    ]);
    expect(report.tierMovements.map((m) => `${m.kind}:${m.from}>${m.to}@${m.reviewMonth}`)).toEqual([
      'UPGRADE:registered>silver@2026-01',
      'DOWNGRADE:silver>registered@2026-02',
    ]);
  });

  it('given a warning, when the next review qualifies for the current tier again, then misses reset and the next miss only warns', () => {
    const { report } = run([
      monthly(),
      REG,
      on('2026-01-10', '1500.00', 'R-1'), // Jan review: silver
      back('2026-02-10', '1000.00', 'R-1'), // Feb: trailing 500 → warning
      on('2026-03-10', '600.00'), // Mar: trailing 1100 → silver again, misses reset
      close('2026-05'), // Apr: trailing -400 → warning; May: trailing 600 → downgrade
    ]);
    expect(tierAlerts(report).map((a) => a.id)).toEqual([
      'TIER_DOWNGRADE_WARNING/CH-A/2026-02/1',
      'TIER_DOWNGRADE_WARNING/CH-A/2026-04/1',
      'TIER_DOWNGRADED/CH-A/2026-05/1',
    ]);
  });

  it('given a warning, when the next review upgrades, then misses reset: the following miss warns instead of downgrading', () => {
    const { report } = run([
      monthly(),
      REG,
      on('2026-01-10', '1500.00', 'R-1'), // Jan: silver
      back('2026-02-10', '1000.00', 'R-1'), // Feb: warning (misses 1)
      on('2026-03-10', '10000.00', 'R-2'),
      cert('2026-03-11', 't1'), // Mar: trailing 10500, 1 certified → gold
      back('2026-04-10', '10000.00', 'R-2'), // Apr: trailing -1000 → warning, not a downgrade
      close('2026-04'),
    ]);
    expect(
      tierAlerts(report).map((a) => [a.id, a.kind === 'TIER_DOWNGRADE_WARNING' ? a.tier : null]),
    ).toEqual([
      ['TIER_DOWNGRADE_WARNING/CH-A/2026-02/1', 'silver'],
      ['TIER_DOWNGRADE_WARNING/CH-A/2026-04/1', 'gold'],
    ]);
    expect(report.tierMovements.map((m) => m.to)).toEqual(['silver', 'gold']);
  });

  it('given the lowest tier and a negative trailing net, when reviewed, then index 0 still qualifies: no warning', () => {
    const { report } = run([monthly(), REG, back('2026-01-10', '500.00', 'old'), close('2026-03')]);
    expect(tierAlerts(report)).toEqual([]);
    expect(report.tierMovements).toEqual([]);
  });

  it('given a warning under one program, when the next review is under a new program, then the misses carry over', () => {
    const { report } = run([
      monthly({ programId: 'p1' }),
      monthly({ programId: 'p2', effectiveFrom: '2026-03' }),
      REG,
      on('2026-01-10', '1500.00', 'R-1'),
      back('2026-02-10', '1000.00', 'R-1'),
      close('2026-03'),
    ]);
    expect(tierAlerts(report).map((a) => a.id)).toEqual([
      'TIER_DOWNGRADE_WARNING/CH-A/2026-02/1',
      'TIER_DOWNGRADED/CH-A/2026-03/1',
    ]);
  });
});

describe('a program with fewer tiers (clamping)', () => {
  const three = [
    tier('registered', 100, '0', 0),
    tier('silver', 200, '1000', 0),
    tier('gold', 300, '5000', 1),
  ];
  const two = [tier('registered', 100, '0', 0), tier('silver', 200, '1000', 0)];
  const { report } = run([
    monthly({ programId: 'three', tiers: three }),
    monthly({ programId: 'two', tiers: two, effectiveFrom: '2026-03' }),
    monthly({ programId: 'three-again', tiers: three, effectiveFrom: '2026-05' }),
    REG,
    cert('2026-01-05', 't1'),
    ...['01', '02', '03', '04', '05'].map((m) => on(`2026-${m}-10`, '6000.00')),
    close('2026-05'),
  ]);

  it('given gold under a 3-tier program, when a 2-tier program takes effect, then the tier is shown clamped to silver and no movement is recorded', () => {
    expect(tiersByMonth(report)).toEqual([
      ['2026-01', 'registered'],
      ['2026-02', 'gold'],
      ['2026-03', 'silver'],
      ['2026-04', 'silver'],
      ['2026-05', 'silver'],
    ]);
    expect(monthOf(report, 'CH-A', '2026-03').rebate.base).toBe('120.00');
    expect(tierAlerts(report)).toEqual([]);
  });

  it('given the clamped value is held from then on, when a 3-tier program returns, then the channel starts from silver and must upgrade to gold again', () => {
    expect(report.tierMovements).toEqual([
      {
        channelId: 'CH-A',
        from: 'registered',
        to: 'gold',
        reviewMonth: '2026-01',
        effectiveMonth: '2026-02',
        kind: 'UPGRADE',
      },
      {
        channelId: 'CH-A',
        from: 'silver',
        to: 'gold',
        reviewMonth: '2026-05',
        effectiveMonth: '2026-06',
        kind: 'UPGRADE',
      },
    ]);
    expect(channelOf(report, 'CH-A').tier).toBe('gold');
  });

  it('given a 2-tier program published while the channel is gold, when no review has happened under it yet, then the report shows the held tier clamped', () => {
    const before = run([
      monthly({ programId: 'three', tiers: three }),
      REG,
      cert('2026-01-05', 't1'),
      on('2026-01-10', '6000.00'),
      close('2026-01'),
      monthly({ programId: 'two', tiers: two, effectiveFrom: '2026-02' }),
      on('2026-02-10', '6000.00'),
    ]).report;
    expect(tiersByMonth(before)).toEqual([
      ['2026-01', 'registered'],
      ['2026-02', 'silver'],
    ]);
    expect(channelOf(before, 'CH-A').tier).toBe('silver');
  });
});

describe('no program in effect', () => {
  const q1 = [
    program({ effectiveFrom: '2026-04' }),
    REG,
    on('2026-01-10', '2000000.00'),
    on('2026-02-10', '2000000.00'),
    on('2026-03-10', '2000000.00'),
    ...['t1', 't2', 't3', 't4', 't5'].map((t) => cert('2026-01-15', t)),
    close('2026-03'),
  ];

  it('given no program for January–March, when March closes, then no review, tier null, all rebates zero and the target 1000', () => {
    const { report } = run(q1);
    expect(report.tierMovements).toEqual([]);
    for (const m of channelOf(report, 'CH-A').months) {
      expect(m).toMatchObject({
        tier: null,
        targetBps: 1000,
        rebate: { base: '0.00', growthBonus: '0.00', promotion: '0.00', volume: '0.00', total: '0.00' },
      });
    }
    expect(channelOf(report, 'CH-A').tier).toBeNull();
  });

  it('given the program takes effect in April, when April has a sale, then April shows the first tier', () => {
    const { report } = run([...q1, on('2026-04-10', '100.00')]);
    expect(monthOf(report, 'CH-A', '2026-04')).toMatchObject({
      tier: 'registered',
      rebate: expect.objectContaining({ base: '1.00' }),
    });
    expect(channelOf(report, 'CH-A').tier).toBe('registered');
  });
});

describe('tiers are never revised by later events', () => {
  it('given a review that found no upgrade, when a late sale would have qualified the quarter, then the tier stays', () => {
    const { report } = run([
      program(),
      REG,
      cert('2026-01-15', 't1'),
      on('2026-03-10', '1000.00'),
      close('2026-03'),
      on('2026-03-20', '500000.00'),
      on('2026-04-10', '1.00'),
    ]);
    expect(report.tierMovements).toEqual([]);
    expect(monthOf(report, 'CH-A', '2026-03').restated).toBe(true);
    expect(monthOf(report, 'CH-A', '2026-04').tier).toBe('registered');
  });
});
