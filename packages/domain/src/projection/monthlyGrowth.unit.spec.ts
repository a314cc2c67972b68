/**
 * Spec §4 "Growth": month-over-month growth of net against the target of the program in
 * effect (1000 bps without one); NO_BASELINE when the prior month's net is ≤ 0; OPEN for
 * every open month.
 */
import { describe, expect, it } from 'vitest';
import { monthlyGrowth, floorDiv } from './monthlyGrowth.js';
import {
  channelOf,
  close,
  monthOf,
  program,
  register,
  run,
  sale,
  saleReturn,
  type Input,
} from '../testing/specBuilders.js';

const REG = register('CH-A', { at: '2026-01-02' });
const janSale = (amount: string): Input =>
  sale({ channel: 'CH-A', at: '2026-01-10', amount, orderId: 'J-1', quantity: 5 });
const febSale = (amount: string): Input => sale({ channel: 'CH-A', at: '2026-02-10', amount });

describe('the growth formula', () => {
  it.each([
    ['exactly 10.00% growth', 110000, 100000, 1000, { growthBps: 1000, met: true }],
    ['9.99% growth', 109990, 100000, 1000, { growthBps: 999, met: false }],
    ['10% less one minor unit', 109999, 100000, 1000, { growthBps: 999, met: false }],
    [
      'exactly 10% of an odd amount (12345.60 → 13580.16)',
      1358016,
      1234560,
      1000,
      { growthBps: 1000, met: true },
    ],
    ['no change against a 0 bps target', 5000, 5000, 0, { growthBps: 0, met: true }],
    ['a positive fraction of a bps (13.3333%)', 170000, 150000, 1000, { growthBps: 1333, met: true }],
    ['-9166.875 bps (floored, not truncated)', 50000, 600150, 1000, { growthBps: -9167, met: false }],
    ['-28.571% (floored)', 150000, 210000, 1000, { growthBps: -2858, met: false }],
    ['a fall to zero', 0, 100000, 1000, { growthBps: -10000, met: false }],
    ['a fall to a negative net', -113455, 123455, 1000, { growthBps: -19190, met: false }],
    ['a prior month of zero', 100000, 0, 1000, { growthBps: null, met: null }],
    ['a negative prior month', 100000, -1, 1000, { growthBps: null, met: null }],
  ])('given %s, when computed, then %j', (_name, net, prev, target, expected) => {
    expect(monthlyGrowth(BigInt(net), BigInt(prev), target)).toEqual(expected);
  });

  it('given BigInt division, when the quotient is negative and inexact, then floorDiv rounds down', () => {
    expect(floorDiv(-7n, 2n)).toBe(-4n);
    expect(floorDiv(7n, -2n)).toBe(-4n);
    expect(floorDiv(-8n, 2n)).toBe(-4n);
    expect(floorDiv(7n, 2n)).toBe(3n);
  });
});

describe('growth of a closed month', () => {
  it('given January 1000.00, when February 1100.00 (exactly +10.00%) is closed, then MET with 1000 bps and no alert', () => {
    const { report } = run([program(), REG, janSale('1000.00'), febSale('1100.00'), close('2026-02')]);
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({
      growthBps: 1000,
      growthStatus: 'MET',
      targetBps: 1000,
      closed: true,
    });
    expect(report.alerts).toEqual([]);
  });

  it('given January 1000.00, when February 1099.90 (+9.99%) is closed, then MISSED with 999 bps and a GROWTH_TARGET_MISSED alert', () => {
    const { report } = run([program(), REG, janSale('1000.00'), febSale('1099.90'), close('2026-02')]);
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({ growthBps: 999, growthStatus: 'MISSED' });
    expect(report.alerts).toEqual([
      {
        id: 'GROWTH_TARGET_MISSED/CH-A/2026-02/1',
        kind: 'GROWTH_TARGET_MISSED',
        channelId: 'CH-A',
        month: '2026-02',
        growthBps: 999,
        targetBps: 1000,
        restated: false,
      },
    ]);
  });

  it('given February 6001.50, when March 500.00 is closed, then growthBps is -9167 (floor of -9166.875)', () => {
    const { report } = run([
      program(),
      REG,
      febSale('6001.50'),
      sale({ channel: 'CH-A', at: '2026-03-10', amount: '500.00' }),
      close('2026-03'),
    ]);
    expect(monthOf(report, 'CH-A', '2026-03')).toMatchObject({ growthBps: -9167, growthStatus: 'MISSED' });
    expect(report.alerts.find((a) => a.month === '2026-03')).toMatchObject({ growthBps: -9167 });
  });

  it("given the channel's first month, when closed, then NO_BASELINE with null growthBps and no alert", () => {
    const { report } = run([program(), REG, janSale('1000.00'), close('2026-01')]);
    expect(monthOf(report, 'CH-A', '2026-01')).toMatchObject({
      growthBps: null,
      growthStatus: 'NO_BASELINE',
      closed: true,
    });
    expect(report.alerts).toEqual([]);
  });

  it('given a prior month whose net is zero (a sale fully returned), when the next month is closed, then NO_BASELINE and null growthBps', () => {
    const { report } = run([
      REG,
      janSale('1000.00'),
      saleReturn({ channel: 'CH-A', at: '2026-01-20', amount: '1000.00', orderId: 'J-1', quantity: 5 }),
      febSale('50.00'),
      close('2026-02'),
    ]);
    expect(monthOf(report, 'CH-A', '2026-01').net).toBe('0.00');
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({
      growthBps: null,
      growthStatus: 'NO_BASELINE',
    });
    expect(report.alerts).toEqual([]);
  });

  it('given a prior month with negative net, when the next month is closed, then NO_BASELINE and null growthBps', () => {
    const { report } = run([
      REG,
      saleReturn({ channel: 'CH-A', at: '2026-01-20', amount: '10.00', orderId: 'old' }),
      febSale('50.00'),
      close('2026-02'),
    ]);
    expect(monthOf(report, 'CH-A', '2026-01').net).toBe('-10.00');
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({
      growthBps: null,
      growthStatus: 'NO_BASELINE',
    });
  });

  it('given a month with only returns, when closed, then net and units are negative, growth is measured against the prior month, and the next month has no baseline', () => {
    const { report } = run([
      REG,
      janSale('1000.00'),
      saleReturn({ channel: 'CH-A', at: '2026-02-03', amount: '300.00', orderId: 'J-1', quantity: 3 }),
      sale({ channel: 'CH-A', at: '2026-03-03', amount: '10.00' }),
      close('2026-03'),
    ]);
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({
      sales: '0.00',
      returns: '300.00',
      net: '-300.00',
      orders: 0,
      units: -3,
      growthBps: -13000,
      growthStatus: 'MISSED',
    });
    expect(monthOf(report, 'CH-A', '2026-03')).toMatchObject({
      growthBps: null,
      growthStatus: 'NO_BASELINE',
    });
    expect(report.alerts.map((a) => a.id)).toEqual(['GROWTH_TARGET_MISSED/CH-A/2026-02/1']);
  });

  it('given a month without any activity after a positive month, when closed, then -10000 bps MISSED', () => {
    const { report } = run([REG, janSale('1000.00'), close('2026-02')]);
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({
      net: '0.00',
      growthBps: -10000,
      growthStatus: 'MISSED',
    });
  });
});

describe('growth of an open month', () => {
  it('given February is still open, when growth is shown, then status OPEN with a provisional growthBps and no alert', () => {
    const { report } = run([program(), REG, janSale('1000.00'), febSale('1200.00'), close('2026-01')]);
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({
      growthBps: 2000,
      growthStatus: 'OPEN',
      closed: false,
    });
    expect(report.alerts).toEqual([]);
  });

  it('given an open month that would miss, when shown, then OPEN (never MISSED) with its provisional growthBps', () => {
    const { report } = run([REG, janSale('1000.00'), febSale('1.00')]);
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({ growthBps: -9990, growthStatus: 'OPEN' });
    expect(monthOf(report, 'CH-A', '2026-01')).toMatchObject({ growthBps: null, growthStatus: 'OPEN' });
  });
});

describe('the growth target', () => {
  it('given no program in effect, when a month is closed, then the target is 1000 bps', () => {
    const { report } = run([REG, janSale('1000.00'), febSale('1050.00'), close('2026-02')]);
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({
      targetBps: 1000,
      growthBps: 500,
      growthStatus: 'MISSED',
    });
  });

  it('given a 500 bps program from February, when +5.00% is closed in February, then MET against 500 while January shows 1000', () => {
    const { report } = run([
      program({ effectiveFrom: '2026-02', growthTargetBps: 500 }),
      REG,
      janSale('1000.00'),
      febSale('1050.00'),
      close('2026-02'),
    ]);
    expect(monthOf(report, 'CH-A', '2026-01').targetBps).toBe(1000);
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({
      targetBps: 500,
      growthBps: 500,
      growthStatus: 'MET',
    });
  });

  it('given two programs for the same month, when the later-published one has a lower effectiveFrom, then the latest published among those in effect wins', () => {
    const { report } = run([
      program({ programId: 'p-feb', effectiveFrom: '2026-02', growthTargetBps: 300 }),
      program({ programId: 'p-jan', effectiveFrom: '2026-01', growthTargetBps: 700 }),
      REG,
      janSale('1000.00'),
      febSale('1050.00'),
      close('2026-02'),
    ]);
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({ targetBps: 700, growthStatus: 'MISSED' });
    expect(report.alerts).toEqual([
      expect.objectContaining({ month: '2026-02', targetBps: 700, growthBps: 500 }),
    ]);
  });

  it('given a program effective from a future month, when an earlier month is shown, then it is not in effect', () => {
    const { report } = run([
      program({ effectiveFrom: '2026-03', growthTargetBps: 0 }),
      REG,
      janSale('1000.00'),
      febSale('1000.00'),
    ]);
    expect(channelOf(report, 'CH-A').months.map((m) => m.targetBps)).toEqual([1000, 1000]);
  });
});
