/**
 * (v2) The projection's v2 wiring, given/when/then over `runScenario`: when the v2 sections
 * appear, closing step 3 for a channel that has not started, the late-sale order of
 * re-judgments, sticky `restated` claims, and that v2 events extend no month.
 */
import { describe, expect, it } from 'vitest';
import { close, program, register, run, sale, saleReturn } from '../testing/specBuilders.js';
import { inventory, priceChange, reparent, targetSet } from '../testing/v2SpecBuilders.js';

const v2Program = (fields: Record<string, unknown>) => program({ effectiveFrom: '2026-01', ...fields });

describe('v2 sections', () => {
  it('given a v1 stream, then the report has no v2 key', () => {
    const { report } = run([program(), register('A', { at: '2026-01-02' }), close('2026-01')]);
    expect(Object.keys(report)).not.toContain('targets');
    expect(Object.keys(report.program)).toEqual(['months']);
  });

  it('given only a program with inactivityMonths, then every v2 section is present and empty', () => {
    const { report } = run([v2Program({ inactivityMonths: 2 })]);
    expect(report.program.quarters).toEqual([]);
    expect(report.targets).toEqual([]);
    expect(report.priceProtection).toEqual({ changes: [], claims: [] });
    expect(report.rollups).toEqual([]);
    expect(report.satisfaction).toEqual([]);
    expect(Object.keys(report)).toEqual([
      'counts',
      'lastClosedMonth',
      'channels',
      'program',
      'tierMovements',
      'targets',
      'priceProtection',
      'rollups',
      'satisfaction',
      'alerts',
      'rejected',
    ]);
  });

  it('given v2 channel events in later months, then no channel month and no report month is added', () => {
    const { report } = run([
      register('A', { at: '2026-01-02' }),
      register('B', { at: '2026-01-02' }),
      targetSet('A', { year: '2027', annualNet: '100.00' }, { at: '2026-01-20' }),
      inventory('A', { at: '2026-03-05', asOf: '2026-03-05' }),
      reparent('A', '2026-06', 'B', { at: '2026-01-25' }),
    ]);
    expect(report.channels.map((c) => c.months.map((m) => m.month))).toEqual([['2026-01'], ['2026-01']]);
    expect(report.program.months.map((m) => m.month)).toEqual(['2026-01']);
  });
});

describe('closing step 3', () => {
  it('given a target for a channel whose first month is after the quarter, when Q1 closes, then TARGET_BEHIND', () => {
    const { report } = run([
      register('Early', { at: '2026-01-02' }),
      register('Late', { at: '2026-01-03' }),
      sale({ channel: 'Late', at: '2026-01-10', amount: '0' }),
      targetSet('Late', { year: '2026', annualNet: '400.00' }),
      close('2026-03'),
    ]);
    expect(report.alerts.map((a) => a.id)).toEqual(['TARGET_BEHIND/Late/2026-03/1']);
    expect(report.alerts[0]).toMatchObject({
      quarter: '2026-Q1',
      cumulativeNet: '0.00',
      cumulativeTarget: '100.00',
    });
  });
});

describe('a late sale', () => {
  it('when it lands in a closed quarter, then growth, targets and inactivity are re-judged in that order', () => {
    const { report } = run([
      v2Program({ inactivityMonths: 1 }),
      register('A', { at: '2026-01-02' }),
      sale({ channel: 'A', at: '2026-01-10', amount: '100.00' }),
      sale({ channel: 'A', at: '2026-02-10', amount: '100.00' }),
      targetSet('A', { year: '2026', annualNet: '1600.00' }),
      close('2026-03'),
      sale({ channel: 'A', at: '2026-03-10', amount: '300.00' }),
    ]);
    expect(report.alerts.map((a) => a.id)).toEqual([
      'GROWTH_TARGET_MISSED/A/2026-02/1',
      // the March close, A's steps in order: growth, (tier), target, inactivity
      'GROWTH_TARGET_MISSED/A/2026-03/1',
      'TARGET_BEHIND/A/2026-03/1',
      'CHANNEL_INACTIVE/A/2026-03/1',
      // the late March sale: growth flips, then targets, then inactivity
      'GROWTH_TARGET_MISS_RETRACTED/A/2026-03/1',
      'TARGET_BEHIND_RETRACTED/A/2026-03/1',
      'CHANNEL_INACTIVE_RETRACTED/A/2026-03/1',
    ]);
  });
});

describe('price-protection claims', () => {
  const setup = [
    v2Program({ priceProtectionDays: 30 }),
    register('A', { at: '2026-01-02' }),
    sale({ channel: 'A', at: '2026-02-20', amount: '900.00', orderId: 'o1', sku: 'P1', quantity: 10 }),
    priceChange({ effectiveAt: '2026-03-01T00:00:00+08:00' }),
  ];

  it('given a count sent after the accrual month closed, then the claim is restated, and stays so', () => {
    const { report } = run([
      ...setup,
      close('2026-03'),
      inventory('A', { asOf: '2026-02-28', at: '2026-04-02', onHand: 4 }),
      inventory('A', { asOf: '2026-05-01', at: '2026-05-02', onHand: 9 }),
    ]);
    expect(report.priceProtection?.claims).toMatchObject([
      { channelId: 'A', onHand: 4, eligibleUnits: 4, credit: '40.00', restated: true },
    ]);
  });

  it('given a return of a window sale before the close, then it counts and the claim is not restated', () => {
    const { report } = run([
      ...setup,
      inventory('A', { asOf: '2026-02-28', at: '2026-02-28', onHand: 10 }),
      saleReturn({ channel: 'A', at: '2026-03-05', amount: '90.00', orderId: 'o1', sku: 'P1', quantity: 3 }),
      close('2026-03'),
    ]);
    expect(report.priceProtection?.claims).toMatchObject([
      { purchasedUnits: 10, returnedUnits: 3, windowUnits: 7, eligibleUnits: 7, restated: false },
    ]);
  });
});
