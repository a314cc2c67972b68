/**
 * Spec §4 "Closing": PeriodClosed(M) closes M and every earlier open month, oldest first,
 * from the earliest first month of any registered channel; per month, channels in ascending
 * channelId order: growth (alert when MISSED), then the tier review.
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
  statuses,
  tier,
} from '../testing/specBuilders.js';

const alertIds = (alerts: readonly { id: string }[]) => alerts.map((a) => a.id);

describe('closing several months at once', () => {
  it('given nothing closed, when PeriodClosed(2026-03) arrives, then January to March are closed oldest first and their alerts come in month order', () => {
    const { report } = run([
      register('CH-A', { at: '2026-01-02' }),
      sale({ channel: 'CH-A', at: '2026-01-10', amount: '1000.00' }),
      sale({ channel: 'CH-A', at: '2026-02-10', amount: '500.00' }),
      sale({ channel: 'CH-A', at: '2026-03-10', amount: '400.00' }),
      close('2026-03'),
    ]);
    expect(report.lastClosedMonth).toBe('2026-03');
    expect(channelOf(report, 'CH-A').months.map((m) => [m.month, m.closed, m.growthStatus])).toEqual([
      ['2026-01', true, 'NO_BASELINE'],
      ['2026-02', true, 'MISSED'],
      ['2026-03', true, 'MISSED'],
    ]);
    expect(report.alerts).toEqual([
      expect.objectContaining({
        id: 'GROWTH_TARGET_MISSED/CH-A/2026-02/1',
        growthBps: -5000,
        restated: false,
      }),
      expect.objectContaining({
        id: 'GROWTH_TARGET_MISSED/CH-A/2026-03/1',
        growthBps: -2000,
        restated: false,
      }),
    ]);
  });

  it('given January is closed, when PeriodClosed(2026-03) arrives, then February and March are closed and January is not finalized again', () => {
    const { report } = run([
      register('CH-A', { at: '2025-12-02' }),
      sale({ channel: 'CH-A', at: '2025-12-10', amount: '1000.00' }),
      close('2026-01'),
      close('2026-03'),
    ]);
    expect(alertIds(report.alerts)).toEqual(['GROWTH_TARGET_MISSED/CH-A/2026-01/1']);
    expect(channelOf(report, 'CH-A').months.map((m) => m.closed)).toEqual([true, true, true, true]);
  });

  it("given a channel whose sale is dated before its registration, when the first close arrives, then closing starts from that channel's first month", () => {
    const { report } = run([
      register('CH-B', { at: '2026-02-02' }),
      register('CH-A', { at: '2026-03-02' }),
      sale({ channel: 'CH-A', at: '2025-11-20', amount: '1000.00' }),
      close('2026-01'),
    ]);
    expect(channelOf(report, 'CH-A').months.map((m) => [m.month, m.closed])).toEqual([
      ['2025-11', true],
      ['2025-12', true],
      ['2026-01', true],
      ['2026-02', false],
      ['2026-03', false],
    ]);
    // December fell to 0 from 1000.00 (MISSED); January then has no baseline.
    expect(alertIds(report.alerts)).toEqual(['GROWTH_TARGET_MISSED/CH-A/2025-12/1']);
    expect(monthOf(report, 'CH-A', '2026-01').growthStatus).toBe('NO_BASELINE');
  });
});

describe('closing a closed month', () => {
  it('given February is closed, when PeriodClosed(2026-02) or PeriodClosed(2026-01) arrives again (new eventIds), then it is accepted and nothing happens', () => {
    const base = [
      register('CH-A', { at: '2026-01-02' }),
      sale({ channel: 'CH-A', at: '2026-01-10', amount: '1000.00' }),
      close('2026-02'),
    ];
    const once = run(base);
    const again = run([...base, close('2026-02'), close('2026-01')]);
    expect(statuses(again.outcomes).slice(-2)).toEqual(['accepted', 'accepted']);
    expect(again.report.alerts).toEqual(once.report.alerts);
    expect(again.report.alerts).toHaveLength(1);
    expect(again.report.lastClosedMonth).toBe('2026-02');
    expect(again.report.channels).toEqual(once.report.channels);
    expect(again.report.counts).toEqual({ lines: 5, accepted: 5, duplicates: 0, rejected: 0 });
  });
});

describe('the order of the work at a close', () => {
  it('given channels "b", "C" and "A", when a close finalizes two months, then alerts are ordered by month, then by channelId in code-unit order', () => {
    const ids = ['b', 'C', 'A'];
    const inputs = [
      ...ids.map((id) => register(id, { at: '2026-01-02' })),
      ...ids.map((id) => sale({ channel: id, at: '2026-01-10', amount: '1000.00' })),
      ...ids.map((id) => sale({ channel: id, at: '2026-02-10', amount: '900.00' })),
      close('2026-03'),
    ];
    expect(alertIds(run(inputs).report.alerts)).toEqual([
      'GROWTH_TARGET_MISSED/A/2026-02/1',
      'GROWTH_TARGET_MISSED/C/2026-02/1',
      'GROWTH_TARGET_MISSED/b/2026-02/1',
      'GROWTH_TARGET_MISSED/A/2026-03/1',
      'GROWTH_TARGET_MISSED/C/2026-03/1',
      'GROWTH_TARGET_MISSED/b/2026-03/1',
    ]);
  });

  it("given a review month, when closed, then each channel's growth alert is followed by its own tier review before the next channel", () => {
    const monthly = program({
      tierReview: 'monthly',
      downgradeGraceReviews: 1,
      tiers: [tier('registered', 100, '0', 0), tier('silver', 200, '5000', 0)],
    });
    const { report } = run([
      monthly,
      register('CH-A', { at: '2026-01-02' }),
      register('CH-B', { at: '2026-01-02' }),
      sale({ channel: 'CH-A', at: '2026-01-10', amount: '6000.00', orderId: 'A-1' }),
      sale({ channel: 'CH-B', at: '2026-01-10', amount: '100.00' }),
      close('2026-01'),
      saleReturn({ channel: 'CH-A', at: '2026-02-10', amount: '5500.00', orderId: 'A-1' }),
      sale({ channel: 'CH-B', at: '2026-02-10', amount: '50.00' }),
      close('2026-02'),
    ]);
    expect(report.alerts.map((a) => `${a.kind}/${a.channelId}/${a.month}`)).toEqual([
      'GROWTH_TARGET_MISSED/CH-A/2026-02',
      'TIER_DOWNGRADE_WARNING/CH-A/2026-02',
      'GROWTH_TARGET_MISSED/CH-B/2026-02',
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
    ]);
  });

  it('given a channel registered after the closed month, when the month is closed, then the channel is neither finalized nor reviewed for it', () => {
    const { report } = run([
      program({
        tierReview: 'monthly',
        tiers: [tier('registered', 100, '0', 0), tier('silver', 200, '0', 0)],
      }),
      register('CH-A', { at: '2026-03-02' }),
      close('2026-02'),
    ]);
    expect(report.tierMovements).toEqual([]);
    expect(channelOf(report, 'CH-A').months.map((m) => m.month)).toEqual(['2026-03']);
  });
});

describe('closing without channels, and the acceptance rules of closes', () => {
  it('given no registered channel, when a month is closed, then it is recorded as the last closed month and there are no report months', () => {
    const { report, outcomes } = run([close('2026-01')]);
    expect(statuses(outcomes)).toEqual(['accepted']);
    expect(report.lastClosedMonth).toBe('2026-01');
    expect(report.channels).toEqual([]);
    expect(report.program.months).toEqual([]);
  });

  it('given a close sent before its month ended, when checked, then PERIOD_NOT_ENDED and the month stays open', () => {
    const { report, outcomes } = run([
      register('CH-A', { at: '2026-01-02' }),
      close('2026-01', '2026-01-31T20:00:00+08:00'),
    ]);
    expect(statuses(outcomes)).toEqual(['accepted', 'PERIOD_NOT_ENDED']);
    expect(monthOf(report, 'CH-A', '2026-01').closed).toBe(false);
    expect(report.lastClosedMonth).toBeNull();
  });

  it('given 2026-01 is closed, when a program effective from 2026-01 is published, then PERIOD_CLOSED; from 2026-02 it is accepted', () => {
    const { outcomes } = run([
      register('CH-A', { at: '2026-01-02' }),
      close('2026-01'),
      program({ effectiveFrom: '2026-01' }),
      program({ effectiveFrom: '2026-02' }),
    ]);
    expect(statuses(outcomes)).toEqual(['accepted', 'accepted', 'PERIOD_CLOSED', 'accepted']);
  });
});
