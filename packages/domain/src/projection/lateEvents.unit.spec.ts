/**
 * Spec §4 "Late events" and §5 alert ids: a sale or return into a closed month is accepted,
 * marks that month `restated`, recomputes it and every later month, and raises an alert when
 * the status of closed month M or M+1 flips (M first).
 */
import { describe, expect, it } from 'vitest';
import {
  channelOf,
  close,
  monthOf,
  program,
  register,
  run,
  sale,
  saleReturn,
  training,
  type Input,
} from '../testing/specBuilders.js';
import type { Report } from '../report.js';

const on = (day: string, amount: string, orderId?: string): Input =>
  sale({ channel: 'CH-A', at: day, amount, ...(orderId === undefined ? {} : { orderId }) });
const back = (day: string, amount: string, orderId: string): Input =>
  saleReturn({ channel: 'CH-A', at: day, amount, orderId });
const ids = (report: Report) => report.alerts.map((a) => a.id);
const REG = register('CH-A', { at: '2026-01-02' });

describe('a late sale that lifts a closed month to MET', () => {
  const before = [
    program(),
    REG,
    on('2026-01-10', '50000.00'),
    on('2026-02-07', '54000.00'),
    close('2026-02'),
  ];
  const { report, outcomes } = run([...before, on('2026-02-27', '6000.00')]);

  it('given February MISSED (+8%) and closed, when a late February sale of 6000.00 arrives, then it is accepted and GROWTH_TARGET_MISS_RETRACTED is raised', () => {
    expect(outcomes[outcomes.length - 1]).toEqual({ line: 6, status: 'accepted' });
    expect(report.alerts).toEqual([
      {
        id: 'GROWTH_TARGET_MISSED/CH-A/2026-02/1',
        kind: 'GROWTH_TARGET_MISSED',
        channelId: 'CH-A',
        month: '2026-02',
        growthBps: 800,
        targetBps: 1000,
        restated: false,
      },
      {
        id: 'GROWTH_TARGET_MISS_RETRACTED/CH-A/2026-02/1',
        kind: 'GROWTH_TARGET_MISS_RETRACTED',
        channelId: 'CH-A',
        month: '2026-02',
      },
    ]);
  });

  it('given the same, when reported, then February is restated, MET at 2000 bps and earns its growth bonus', () => {
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({
      sales: '60000.00',
      closed: true,
      restated: true,
      growthBps: 2000,
      growthStatus: 'MET',
      rebate: { base: '600.00', growthBonus: '300.00', promotion: '0.00', volume: '0.00', total: '900.00' },
    });
    expect(monthOf(report, 'CH-A', '2026-01').restated).toBe(false);
  });
});

describe('a late return that drops a closed month to MISSED', () => {
  it('given February MET and closed, when a late February return arrives, then GROWTH_TARGET_MISSED with restated: true and the new growthBps', () => {
    const { report } = run([
      REG,
      on('2026-01-10', '1000.00'),
      on('2026-02-10', '1100.00', 'F-1'),
      close('2026-02'),
      back('2026-02-20', '10.00', 'F-1'),
    ]);
    expect(report.alerts).toEqual([
      {
        id: 'GROWTH_TARGET_MISSED/CH-A/2026-02/1',
        kind: 'GROWTH_TARGET_MISSED',
        channelId: 'CH-A',
        month: '2026-02',
        growthBps: 900,
        targetBps: 1000,
        restated: true,
      },
    ]);
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({
      restated: true,
      growthStatus: 'MISSED',
      returns: '10.00',
    });
  });
});

describe('a late event in M that flips M+1', () => {
  it('given January 1000.00 and February 1100.00 (MET) closed, when a late January sale of 100.00 arrives, then February becomes MISSED (restated: true) while only January is marked restated', () => {
    const { report } = run([
      REG,
      on('2026-01-10', '1000.00'),
      on('2026-02-10', '1100.00'),
      close('2026-02'),
      on('2026-01-25', '100.00'),
    ]);
    expect(report.alerts).toEqual([
      {
        id: 'GROWTH_TARGET_MISSED/CH-A/2026-02/1',
        kind: 'GROWTH_TARGET_MISSED',
        channelId: 'CH-A',
        month: '2026-02',
        growthBps: 0,
        targetBps: 1000,
        restated: true,
      },
    ]);
    expect(monthOf(report, 'CH-A', '2026-01')).toMatchObject({
      restated: true,
      growthStatus: 'NO_BASELINE',
      net: '1100.00',
    });
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({
      restated: false,
      growthStatus: 'MISSED',
      growthBps: 0,
    });
  });

  it('given both M and M+1 flip, when the late sale arrives, then the alert of M comes first', () => {
    const { report } = run([
      register('CH-A', { at: '2025-12-02' }),
      on('2025-12-10', '1000.00'),
      on('2026-01-10', '1050.00'), // +5%: MISSED
      on('2026-02-10', '1200.00'), // +14.28%: MET
      close('2026-02'),
      on('2026-01-20', '100.00'), // Jan 1150.00: MET; Feb +4.34%: MISSED
    ]);
    expect(report.alerts).toEqual([
      {
        id: 'GROWTH_TARGET_MISSED/CH-A/2026-01/1',
        kind: 'GROWTH_TARGET_MISSED',
        channelId: 'CH-A',
        month: '2026-01',
        growthBps: 500,
        targetBps: 1000,
        restated: false,
      },
      {
        id: 'GROWTH_TARGET_MISS_RETRACTED/CH-A/2026-01/1',
        kind: 'GROWTH_TARGET_MISS_RETRACTED',
        channelId: 'CH-A',
        month: '2026-01',
      },
      {
        id: 'GROWTH_TARGET_MISSED/CH-A/2026-02/1',
        kind: 'GROWTH_TARGET_MISSED',
        channelId: 'CH-A',
        month: '2026-02',
        growthBps: 434,
        targetBps: 1000,
        restated: true,
      },
    ]);
  });

  it('given M+1 is still open, when a late sale in M changes its provisional growth, then no alert for M+1', () => {
    const { report } = run([
      REG,
      on('2026-01-10', '1000.00'),
      on('2026-02-10', '1100.00'),
      close('2026-01'),
      on('2026-01-25', '100.00'),
    ]);
    expect(report.alerts).toEqual([]);
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({ growthStatus: 'OPEN', growthBps: 0 });
    expect(monthOf(report, 'CH-A', '2026-01').restated).toBe(true);
  });

  it('given a closed month without baseline, when a late sale gives its previous month a positive net, then NO_BASELINE → MISSED raises GROWTH_TARGET_MISSED', () => {
    const { report } = run([REG, on('2026-02-10', '500.00'), close('2026-02'), on('2026-01-20', '1000.00')]);
    expect(report.alerts).toEqual([
      {
        id: 'GROWTH_TARGET_MISSED/CH-A/2026-02/1',
        kind: 'GROWTH_TARGET_MISSED',
        channelId: 'CH-A',
        month: '2026-02',
        growthBps: -5000,
        targetBps: 1000,
        restated: true,
      },
    ]);
  });

  it('given February MISSED, when a late January return takes January net to zero, then February loses its baseline and the miss is retracted', () => {
    const { report } = run([
      REG,
      on('2026-01-10', '1000.00', 'J-1'),
      on('2026-02-10', '500.00'),
      close('2026-02'),
      back('2026-01-30', '1000.00', 'J-1'),
    ]);
    expect(ids(report)).toEqual([
      'GROWTH_TARGET_MISSED/CH-A/2026-02/1',
      'GROWTH_TARGET_MISS_RETRACTED/CH-A/2026-02/1',
    ]);
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({
      growthStatus: 'NO_BASELINE',
      growthBps: null,
    });
  });
});

describe('alert ids count per kind, channel and month', () => {
  it('given a miss, a retraction and a miss again, when the alerts are raised, then the second miss is /2 and a second retraction /2', () => {
    const { report } = run([
      REG,
      on('2026-01-10', '1000.00'),
      on('2026-02-10', '900.00'),
      close('2026-02'), // MISSED/1
      on('2026-02-20', '200.00', 'LATE-1'), // 1100.00: MET → RETRACTED/1
      back('2026-02-21', '200.00', 'LATE-1'), // 900.00: MISSED/2
      on('2026-02-22', '300.00'), // 1200.00: RETRACTED/2
    ]);
    expect(ids(report)).toEqual([
      'GROWTH_TARGET_MISSED/CH-A/2026-02/1',
      'GROWTH_TARGET_MISS_RETRACTED/CH-A/2026-02/1',
      'GROWTH_TARGET_MISSED/CH-A/2026-02/2',
      'GROWTH_TARGET_MISS_RETRACTED/CH-A/2026-02/2',
    ]);
    expect(report.alerts[2]).toMatchObject({ restated: true, growthBps: -1000 });
  });
});

describe('late events without a flip', () => {
  it('given February MISSED and closed, when a late sale keeps it MISSED, then no alert but February is restated with new figures', () => {
    const { report } = run([
      REG,
      on('2026-01-10', '6000.00'),
      on('2026-02-10', '6001.50'),
      close('2026-02'),
      on('2026-02-20', '100.00'),
    ]);
    expect(ids(report)).toEqual(['GROWTH_TARGET_MISSED/CH-A/2026-02/1']);
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({
      restated: true,
      growthBps: 169,
      growthStatus: 'MISSED',
      sales: '6101.50',
    });
  });

  it('given an open month, when a sale arrives in it, then it is not restated', () => {
    const { report } = run([REG, close('2026-01'), on('2026-02-10', '1.00')]);
    expect(monthOf(report, 'CH-A', '2026-02').restated).toBe(false);
  });

  it('given a closed month, when a late training or survey arrives, then it is counted but the month is not restated (only sales and returns restate)', () => {
    const { report } = run([
      REG,
      on('2026-01-10', '1.00'),
      close('2026-01'),
      training({ channel: 'CH-A', at: '2026-01-20', traineeId: 't1', certification: 'C' }),
    ]);
    expect(monthOf(report, 'CH-A', '2026-01').restated).toBe(false);
    expect(report.program.months[0]).toMatchObject({ month: '2026-01', trainingsCompleted: 1 });
  });
});

describe('recomputing later months', () => {
  it('given Q1 closed, when a late January sale arrives, then February growth and the March volume rebate are recomputed (no alert: nothing became or stopped being MISSED)', () => {
    const base = [
      program(),
      REG,
      on('2026-02-10', '500000.00'),
      on('2026-03-10', '500000.00'),
      close('2026-03'),
    ];
    const first = run(base).report;
    expect(monthOf(first, 'CH-A', '2026-03').rebate.volume).toBe('5000.00');
    expect(monthOf(first, 'CH-A', '2026-02').growthStatus).toBe('NO_BASELINE');
    const { report } = run([...base, on('2026-01-20', '100000.00')]);
    expect(monthOf(report, 'CH-A', '2026-03').rebate.volume).toBe('5500.00');
    expect(monthOf(report, 'CH-A', '2026-02')).toMatchObject({
      growthStatus: 'MET',
      growthBps: 40000,
      restated: false,
    });
    expect(monthOf(report, 'CH-A', '2026-02').rebate.growthBonus).toBe('2500.00');
    expect(ids(report)).toEqual(ids(first));
  });

  it("given a late sale dated before the channel's registration into a closed month, when it arrives, then the channel's months extend back and the next month's flip is alerted", () => {
    const { report } = run([
      register('CH-A', { at: '2026-02-02' }),
      on('2026-02-10', '500.00'),
      close('2026-02'),
      on('2026-01-20', '1000.00'),
    ]);
    expect(
      channelOf(report, 'CH-A').months.map((m) => [m.month, m.closed, m.restated, m.growthStatus]),
    ).toEqual([
      ['2026-01', true, true, 'NO_BASELINE'],
      ['2026-02', true, false, 'MISSED'],
    ]);
    expect(ids(report)).toEqual(['GROWTH_TARGET_MISSED/CH-A/2026-02/1']);
  });
});
