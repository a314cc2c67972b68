/**
 * Spec §7: the report document — counts, channels by plain code-unit order, the months of a
 * channel, per-month figures, tier movements, alerts (id and kind first), rejected inputs —
 * and the spec examples run through the in-memory scenario.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../../test/support/sharedSpec.js';
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
} from './testing/specBuilders.js';

const exampleNames = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.ndjson'))
  .map((f) => f.slice(0, -'.ndjson'.length));

describe('the spec examples through runScenario', () => {
  it('given the examples folder, when listed, then basic and edges are there', () => {
    expect(exampleNames).toEqual(expect.arrayContaining(['basic', 'edges']));
  });

  it.each(exampleNames)(
    'given %s.ndjson, when run in memory with the default settings, then the report equals %s.report.json',
    (name) => {
      const lines = readFileSync(`${EXAMPLES}${name}.ndjson`, 'utf8').split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const expected: unknown = JSON.parse(readFileSync(`${EXAMPLES}${name}.report.json`, 'utf8'));
      expect(JSON.parse(JSON.stringify(run(lines).report))).toEqual(expected);
    },
  );
});

describe('channels by channelId in plain code-unit order', () => {
  it('given channels registered in another order, when reported, then "-x" < ".x" < "0" < "B" < "CH-10" < "CH-9" < "_" < "a" < "b"', () => {
    const ids = ['b', 'CH-9', '_', 'a', 'CH-10', '0', 'B', '.x', '-x'];
    const { report } = run(ids.map((id) => register(id)));
    expect(report.channels.map((c) => c.channelId)).toEqual([
      '-x',
      '.x',
      '0',
      'B',
      'CH-10',
      'CH-9',
      '_',
      'a',
      'b',
    ]);
  });
});

describe('the months of a channel', () => {
  it('given A active in January and B in April, when reported, then A shows January–April with zero figures for quiet months and B only April', () => {
    const { report } = run([
      register('A', { at: '2026-01-02' }),
      sale({ channel: 'A', at: '2026-01-10', amount: '10.00' }),
      register('B', { at: '2026-04-02' }),
    ]);
    expect(channelOf(report, 'A').months.map((m) => m.month)).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
    ]);
    expect(channelOf(report, 'B').months.map((m) => m.month)).toEqual(['2026-04']);
    expect(monthOf(report, 'A', '2026-03')).toEqual({
      month: '2026-03',
      sales: '0.00',
      returns: '0.00',
      net: '0.00',
      orders: 0,
      units: 0,
      closed: false,
      restated: false,
      tier: null,
      growthBps: null,
      growthStatus: 'OPEN',
      targetBps: 1000,
      rebate: { base: '0.00', growthBonus: '0.00', promotion: '0.00', volume: '0.00', total: '0.00' },
    });
  });

  it('given a close later than any event, when reported, then every channel runs through the closed month', () => {
    const { report } = run([register('A', { at: '2026-01-02' }), close('2026-03')]);
    expect(channelOf(report, 'A').months.map((m) => [m.month, m.closed])).toEqual([
      ['2026-01', true],
      ['2026-02', true],
      ['2026-03', true],
    ]);
  });

  it('given a sale dated before the registration, when reported, then the channel months start at the sale month', () => {
    const { report } = run([
      register('A', { at: '2026-03-02' }),
      sale({ channel: 'A', at: '2025-12-20', amount: '5.00' }),
    ]);
    expect(channelOf(report, 'A').months.map((m) => m.month)).toEqual([
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
    expect(monthOf(report, 'A', '2025-12').sales).toBe('5.00');
  });

  it('given a rejected event for a later month, when reported, then it does not extend the months', () => {
    const { report } = run([
      register('A', { at: '2026-01-02' }),
      sale({ channel: 'A', at: '2026-05-20', amount: '5.00', currency: 'USD' }),
    ]);
    expect(channelOf(report, 'A').months.map((m) => m.month)).toEqual(['2026-01']);
  });
});

describe('the figures of a month', () => {
  it('given two lines of one order, a second order, a return and a sale of the same order next month, when reported, then orders count distinct orderIds of sales per month and units net the returns', () => {
    const { report } = run([
      register('A', { at: '2026-01-02' }),
      sale({ channel: 'A', at: '2026-01-10', amount: '100.00', orderId: 'O-1', sku: 'P1', quantity: 3 }),
      sale({ channel: 'A', at: '2026-01-10', amount: '50.00', orderId: 'O-1', sku: 'P2', quantity: 2 }),
      sale({ channel: 'A', at: '2026-01-11', amount: '20.00', orderId: 'O-2', quantity: 1 }),
      saleReturn({ channel: 'A', at: '2026-01-12', amount: '12.30', orderId: 'O-3', quantity: 4 }),
      sale({ channel: 'A', at: '2026-02-01', amount: '1.00', orderId: 'O-1', quantity: 1 }),
    ]);
    expect(monthOf(report, 'A', '2026-01')).toMatchObject({
      sales: '170.00',
      returns: '12.30',
      net: '157.70',
      orders: 2,
      units: 2,
    });
    expect(monthOf(report, 'A', '2026-02')).toMatchObject({ orders: 1, units: 1 });
  });

  it('given a net of -12.30, when printed, then "-12.30"; and "0.05" keeps its leading zero', () => {
    const { report } = run([
      register('A', { at: '2026-01-02' }),
      saleReturn({ channel: 'A', at: '2026-01-12', amount: '12.3', orderId: 'x' }),
      sale({ channel: 'A', at: '2026-02-12', amount: '0.05' }),
    ]);
    expect(monthOf(report, 'A', '2026-01')).toMatchObject({ returns: '12.30', net: '-12.30', units: -1 });
    expect(monthOf(report, 'A', '2026-02').net).toBe('0.05');
  });

  it('given a channel registration, when reported, then name, kind and online are as registered and the online default follows the kind', () => {
    const { report } = run([
      register('E', { kind: 'ecommerce', name: 'Tmall flagship' }),
      register('R', { kind: 'retailer' }),
    ]);
    expect(
      report.channels.map(({ channelId, name, kind, online }) => ({ channelId, name, kind, online })),
    ).toEqual([
      { channelId: 'E', name: 'Tmall flagship', kind: 'ecommerce', online: true },
      { channelId: 'R', name: 'Channel R', kind: 'retailer', online: false },
    ]);
  });
});

describe('the document', () => {
  it('given accepted, duplicate, rejected and blank lines, when reported, then counts add up to the non-blank lines and rejected lists physical line numbers', () => {
    const reg = register('A', { at: '2026-01-02', id: 'r1' });
    const { report } = run([reg, '', reg, 'oops', { ...reg, eventId: 'r2' }, '   ']);
    expect(report.counts).toEqual({ lines: 4, accepted: 1, duplicates: 1, rejected: 2 });
    expect(report.counts.accepted + report.counts.duplicates + report.counts.rejected).toBe(
      report.counts.lines,
    );
    expect(report.rejected).toEqual([
      { line: 4, eventId: null, code: 'MALFORMED_JSON' },
      { line: 5, eventId: 'r2', code: 'CHANNEL_EXISTS' },
    ]);
  });

  it('given nothing closed and no input, when reported, then an empty document', () => {
    expect(run([]).report).toEqual({
      counts: { lines: 0, accepted: 0, duplicates: 0, rejected: 0 },
      lastClosedMonth: null,
      channels: [],
      program: { months: [] },
      tierMovements: [],
      alerts: [],
      rejected: [],
    });
  });

  it('given every kind of alert, when reported, then each carries id and kind first, then its fields in the spec order', () => {
    const { report } = run([
      program({
        tierReview: 'monthly',
        downgradeGraceReviews: 1,
        tiers: [tier('registered', 100, '0', 0), tier('silver', 200, '1000', 0)],
      }),
      register('A', { at: '2026-01-02' }),
      sale({ channel: 'A', at: '2026-01-10', amount: '2000.00', orderId: 'o1' }),
      close('2026-01'),
      saleReturn({ channel: 'A', at: '2026-02-10', amount: '1500.00', orderId: 'o1' }),
      close('2026-03'),
      sale({ channel: 'A', at: '2026-02-20', amount: '5000.00' }), // Feb 3500.00: MET (retracted); Mar now MISSED
    ]);
    expect(report.alerts.map((a) => Object.keys(a))).toEqual([
      ['id', 'kind', 'channelId', 'month', 'growthBps', 'targetBps', 'restated'],
      ['id', 'kind', 'channelId', 'month', 'tier', 'qualifyingTier'],
      ['id', 'kind', 'channelId', 'month', 'from', 'to'],
      ['id', 'kind', 'channelId', 'month'],
      ['id', 'kind', 'channelId', 'month', 'growthBps', 'targetBps', 'restated'],
    ]);
    expect(report.alerts.map((a) => a.id)).toEqual([
      'GROWTH_TARGET_MISSED/A/2026-02/1',
      'TIER_DOWNGRADE_WARNING/A/2026-02/1',
      'TIER_DOWNGRADED/A/2026-03/1',
      'GROWTH_TARGET_MISS_RETRACTED/A/2026-02/1',
      'GROWTH_TARGET_MISSED/A/2026-03/1',
    ]);
    expect(report.tierMovements.map((m) => Object.keys(m))).toEqual([
      ['channelId', 'from', 'to', 'reviewMonth', 'effectiveMonth', 'kind'],
      ['channelId', 'from', 'to', 'reviewMonth', 'effectiveMonth', 'kind'],
    ]);
    expect(report.lastClosedMonth).toBe('2026-03');
  });

  it("given a channel's tier, when reported, then it is the tier held now, in the program in effect for the report's last month", () => {
    const { report } = run([
      program({
        tierReview: 'monthly',
        tiers: [tier('registered', 100, '0', 0), tier('silver', 200, '1000', 0)],
      }),
      register('A', { at: '2026-01-02' }),
      sale({ channel: 'A', at: '2026-01-10', amount: '2000.00' }),
      close('2026-01'),
    ]);
    // Upgraded at the January review, effective from February: January itself shows registered.
    expect(channelOf(report, 'A').tier).toBe('silver');
    expect(monthOf(report, 'A', '2026-01').tier).toBe('registered');
  });
});
