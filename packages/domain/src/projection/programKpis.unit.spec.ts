/**
 * Spec §6: program totals per month (the plan's KPIs) across all channels.
 */
import { describe, expect, it } from 'vitest';
import { satisfactionCentis } from './programKpis.js';
import {
  close,
  program,
  register,
  run,
  sale,
  saleReturn,
  survey,
  training,
  type Input,
} from '../testing/specBuilders.js';
import type { ProgramMonthReport, Report } from '../report.js';

const kpi = (report: Report, month: string): ProgramMonthReport => {
  const m = report.program.months.find((x) => x.month === month);
  if (m === undefined) throw new Error(`no program month ${month}`);
  return m;
};
const on = (channel: string, day: string, amount: string, orderId?: string): Input =>
  sale({ channel, at: day, amount, ...(orderId === undefined ? {} : { orderId }) });

describe('net, onlineNet and onlineShareBps', () => {
  it('given an offline distributor and an ecommerce channel (online by default), when both sell, then onlineShareBps = floor(200000 × 10000 / 750000) = 2666', () => {
    const { report } = run([
      register('DIST', { kind: 'distributor' }),
      register('SHOP', { kind: 'ecommerce' }),
      on('DIST', '2026-01-10', '550000.00'),
      on('SHOP', '2026-01-11', '200000.00'),
    ]);
    expect(kpi(report, '2026-01')).toMatchObject({
      net: '750000.00',
      onlineNet: '200000.00',
      onlineShareBps: 2666,
    });
  });

  it('given a reseller registered online: true and an ecommerce channel registered online: false, when both sell, then the explicit flags win', () => {
    const { report } = run([
      register('RES', { kind: 'reseller', online: true }),
      register('SHOP', { kind: 'ecommerce', online: false }),
      on('RES', '2026-01-10', '100.00'),
      on('SHOP', '2026-01-11', '300.00'),
    ]);
    expect(kpi(report, '2026-01')).toMatchObject({
      net: '400.00',
      onlineNet: '100.00',
      onlineShareBps: 2500,
    });
    expect(report.channels.map((c) => [c.channelId, c.online])).toEqual([
      ['RES', true],
      ['SHOP', false],
    ]);
  });

  it('given a negative onlineNet and a positive total net, when computed, then onlineShareBps is floored (-2285.7 → -2286)', () => {
    // online -1000.00, offline 5375.00: total 4375.00; -1000 × 10000 / 4375 = -2285.71…
    const { report } = run([
      register('SHOP', { kind: 'ecommerce' }),
      register('DIST'),
      saleReturn({ channel: 'SHOP', at: '2026-01-10', amount: '1000.00', orderId: 'x' }),
      on('DIST', '2026-01-10', '5375.00'),
    ]);
    expect(kpi(report, '2026-01')).toMatchObject({
      net: '4375.00',
      onlineNet: '-1000.00',
      onlineShareBps: -2286,
    });
  });

  it.each([
    ['zero', '100.00', '100.00'],
    ['negative', '100.00', '150.00'],
  ])('given a total net that is %s, when computed, then onlineShareBps is null', (_name, sold, returned) => {
    const { report } = run([
      register('SHOP', { kind: 'ecommerce' }),
      on('SHOP', '2026-01-10', sold, 'o'),
      saleReturn({ channel: 'SHOP', at: '2026-01-11', amount: returned, orderId: 'o' }),
    ]);
    expect(kpi(report, '2026-01').onlineShareBps).toBeNull();
  });

  it('given only offline sales, when computed, then onlineShareBps is 0', () => {
    const { report } = run([register('DIST'), on('DIST', '2026-01-10', '1.00')]);
    expect(kpi(report, '2026-01')).toMatchObject({ onlineNet: '0.00', onlineShareBps: 0 });
  });
});

describe('activeChannels: channels with at least one SaleRecorded in the month', () => {
  it('given a "0" sale, a returns-only channel, a training-only channel and a normal seller, when counted, then the "0" sale and the seller are active', () => {
    const { report } = run([
      register('ZERO'),
      register('RET'),
      register('TRAIN'),
      register('SELL'),
      on('ZERO', '2026-01-10', '0'),
      saleReturn({ channel: 'RET', at: '2026-01-10', amount: '5.00', orderId: 'x' }),
      training({ channel: 'TRAIN', at: '2026-01-10', traineeId: 't' }),
      on('SELL', '2026-01-10', '10.00'),
      on('SELL', '2026-01-11', '10.00'),
    ]);
    expect(kpi(report, '2026-01').activeChannels).toBe(2);
  });

  it('given a sale rejected for an unknown channel, when counted, then it is not in any KPI', () => {
    const { report } = run([
      register('A'),
      on('A', '2026-01-10', '10.00'),
      on('GHOST', '2026-01-10', '99.00'),
    ]);
    expect(kpi(report, '2026-01')).toMatchObject({ activeChannels: 1, net: '10.00' });
  });
});

describe('newChannels: registrations whose occurredAt is in the month', () => {
  it('given registrations on 31 January in Shanghai and at 2026-01-31T16:30:00Z, when counted, then one is new in January and one in February', () => {
    const { report } = run([
      register('JAN', { at: '2026-01-31T23:30:00+08:00' }),
      register('FEB', { at: '2026-01-31T16:30:00Z' }),
    ]);
    expect(report.program.months.map((m) => [m.month, m.newChannels])).toEqual([
      ['2026-01', 1],
      ['2026-02', 1],
    ]);
  });

  it('given a channel whose sale predates its registration, when counted, then it is new in its registration month, not its first month', () => {
    const { report } = run([register('A', { at: '2026-03-02' }), on('A', '2026-01-10', '1.00')]);
    expect(report.program.months.map((m) => [m.month, m.newChannels, m.activeChannels])).toEqual([
      ['2026-01', 0, 1],
      ['2026-02', 0, 0],
      ['2026-03', 1, 0],
    ]);
  });
});

describe('trainingsCompleted', () => {
  it('given trainings with and without certification, when counted, then every accepted TrainingCompleted counts', () => {
    const { report } = run([
      register('A'),
      register('B'),
      training({ channel: 'A', at: '2026-01-15', traineeId: 'a1', certification: 'CERT' }),
      training({ channel: 'A', at: '2026-01-15', traineeId: 'a1', courseId: 'OTHER' }),
      training({ channel: 'B', at: '2026-01-16', traineeId: 'b1' }),
      training({ channel: 'B', at: '2026-02-16', traineeId: 'b1' }),
    ]);
    expect(report.program.months.map((m) => m.trainingsCompleted)).toEqual([3, 1]);
  });
});

describe('satisfactionAvg: Σ(score × respondents) / Σ respondents, two decimals, half away from zero', () => {
  it('given 80 × 3 and 91 × 4 respondents, when averaged, then "86.29" (604 / 7 = 86.2857…)', () => {
    const { report } = run([
      register('A'),
      register('B'),
      survey({ channel: 'A', at: '2026-02-20', score: 80, respondents: 3 }),
      survey({ channel: 'B', at: '2026-02-21', score: 91, respondents: 4 }),
    ]);
    expect(kpi(report, '2026-02').satisfactionAvg).toBe('86.29');
  });

  it('given 1 × 1 and 0 × 7 respondents, when averaged, then 0.125 rounds half away from zero to "0.13"', () => {
    const { report } = run([
      register('A'),
      survey({ channel: 'A', at: '2026-01-20', score: 1, respondents: 1 }),
      survey({ channel: 'A', at: '2026-01-21', score: 0, respondents: 7 }),
    ]);
    expect(kpi(report, '2026-01').satisfactionAvg).toBe('0.13');
  });

  it('given a single survey of 100, when averaged, then "100.00"; a month without surveys is null', () => {
    const { report } = run([
      register('A'),
      survey({ channel: 'A', at: '2026-02-20', score: 100, respondents: 2 }),
    ]);
    expect(report.program.months.map((m) => [m.month, m.satisfactionAvg])).toEqual([
      ['2026-01', null],
      ['2026-02', '100.00'],
    ]);
  });

  it.each([
    [604, 7, 8629],
    [1, 8, 13],
    [2, 3, 67],
    [1, 3, 33],
    [0, 5, 0],
    [0, 0, null],
  ])(
    'given %i points over %i respondents, when computed in hundredths, then %s',
    (points, respondents, expected) => {
      expect(satisfactionCentis(BigInt(points), BigInt(respondents))).toBe(
        expected === null ? null : BigInt(expected),
      );
    },
  );
});

describe('exact money in the totals', () => {
  it('given three channels each selling the largest accepted amount (90071992547409.91), when the program net is summed, then it is exact: "270215977642229.73"', () => {
    const big = '90071992547409.91'; // 2^53 − 1 minor units, the largest amount validation accepts
    const { report, outcomes } = run([
      ...['A', 'B', 'C'].map((c) => register(c)),
      ...['A', 'B', 'C'].map((c) => on(c, '2026-01-10', big)),
    ]);
    expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
    expect(kpi(report, '2026-01').net).toBe('270215977642229.73');
  });
});

describe('the range of program months', () => {
  it('given no channels, when reported, then there are no program months even with programs and closes', () => {
    const { report } = run([program(), close('2026-01')]);
    expect(report.program.months).toEqual([]);
  });

  it('given channels from January and a close of April, when reported, then program months run from the earliest channel month to the latest month of any channel event or close', () => {
    const { report } = run([
      register('A', { at: '2026-02-02' }),
      register('B', { at: '2026-01-05' }),
      on('A', '2026-03-10', '10.00'),
      close('2026-04'),
    ]);
    expect(report.program.months.map((m) => m.month)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04']);
    expect(kpi(report, '2026-04')).toEqual({
      month: '2026-04',
      net: '0.00',
      onlineNet: '0.00',
      onlineShareBps: null,
      activeChannels: 0,
      newChannels: 0,
      trainingsCompleted: 0,
      satisfactionAvg: null,
    });
  });

  it('given a program effective before any channel, when reported, then program months still start at the first channel month', () => {
    const { report } = run([
      program({ effectiveFrom: '2025-06' }, { at: '2025-05-01' }),
      register('A', { at: '2026-01-05' }),
    ]);
    expect(report.program.months.map((m) => m.month)).toEqual(['2026-01']);
  });
});
