/**
 * Spec §2 "Acceptance and rejection": duplicates, conflicting duplicates, the business
 * rejection codes, and the order in which the checks run (the first that fails decides).
 */
import { describe, expect, it } from 'vitest';
import { REJECTION_CODES } from './rejection.js';
import {
  close,
  monthOf,
  program,
  promotion,
  register,
  run,
  sale,
  saleReturn,
  statuses,
  survey,
  training,
  type Input,
} from './testing/specBuilders.js';

const REG_A = register('CH-A', { id: 'reg-A', at: '2026-01-02' });
const SALE_1 = sale({
  channel: 'CH-A',
  at: '2026-01-10',
  amount: '100.00',
  id: 's1',
  orderId: 'A-1',
  source: 'erp-sap-01',
});

function withData(e: Input, patch: Input): Input {
  return { ...e, data: { ...(e.data as Input), ...patch } };
}

describe('duplicates: same eventId, same content', () => {
  it('given an accepted sale, when it is sent again, then it is a duplicate with no effect on the figures', () => {
    const { report, outcomes } = run([REG_A, SALE_1, SALE_1]);
    expect(statuses(outcomes)).toEqual(['accepted', 'accepted', 'duplicate']);
    expect(report.counts).toEqual({ lines: 3, accepted: 2, duplicates: 1, rejected: 0 });
    expect(monthOf(report, 'CH-A', '2026-01')).toMatchObject({ sales: '100.00', orders: 1, units: 1 });
    expect(report.rejected).toEqual([]);
  });

  it('given an accepted sale, when it is resent with its keys in another order, then it is a duplicate', () => {
    const original =
      '{"eventId":"s1","type":"SaleRecorded","occurredAt":"2026-01-10T10:00:00+08:00","channelId":"CH-A","source":"erp-sap-01",' +
      '"data":{"orderId":"A-1","sku":"P1","quantity":1,"netAmount":"100.00","currency":"CNY"}}';
    const reordered =
      '{"data":{"currency":"CNY","netAmount":"100.00","quantity":1,"sku":"P1","orderId":"A-1"},"source":"erp-sap-01",' +
      '"channelId":"CH-A","occurredAt":"2026-01-10T10:00:00+08:00","type":"SaleRecorded","eventId":"s1"}';
    expect(statuses(run([REG_A, original, reordered]).outcomes)).toEqual([
      'accepted',
      'accepted',
      'duplicate',
    ]);
  });

  it('given an accepted sale, when it is resent with extra unknown fields (envelope and data), then it is a duplicate: unknown fields are not content', () => {
    const resent = withData({ ...SALE_1, receivedBy: 'kafka', retry: 3 }, { warehouse: 'SH-01' });
    expect(statuses(run([REG_A, SALE_1, resent]).outcomes)).toEqual(['accepted', 'accepted', 'duplicate']);
  });

  it('given an accepted sale with quantity 1, when resent with quantity written 1.0, then it is a duplicate (1.0 is the integer 1)', () => {
    const text = JSON.stringify(SALE_1).replace('"quantity":1', '"quantity":1.0');
    expect(text).toContain('"quantity":1.0');
    expect(statuses(run([REG_A, SALE_1, text]).outcomes)).toEqual(['accepted', 'accepted', 'duplicate']);
  });

  it('given an accepted registration, when it is sent again, then it is a duplicate, not CHANNEL_EXISTS', () => {
    const { report, outcomes } = run([REG_A, REG_A]);
    expect(statuses(outcomes)).toEqual(['accepted', 'duplicate']);
    expect(report.counts).toEqual({ lines: 2, accepted: 1, duplicates: 1, rejected: 0 });
  });

  it('given an accepted promotion and an accepted close, when both are sent again, then duplicates, not PROMOTION_EXISTS nor a second close', () => {
    const promo = promotion({
      promotionId: 'p',
      startsAt: '2026-02-01',
      endsAt: '2026-03-01',
      bonusBps: 10,
      id: 'promo-1',
    });
    const c = close('2026-01', undefined, { id: 'c-1' });
    expect(statuses(run([REG_A, promo, c, promo, c]).outcomes)).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'duplicate',
      'duplicate',
    ]);
  });

  it('given an accepted program, when it is resent after its month closed, then it is a duplicate, not PERIOD_CLOSED', () => {
    const prog = program({}, { id: 'prog-1' });
    expect(statuses(run([prog, REG_A, close('2026-01'), prog]).outcomes)).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'duplicate',
    ]);
  });
});

describe('CONFLICTING_DUPLICATE: same eventId, different content', () => {
  it.each([
    ['netAmount "100" instead of "100.00"', withData(SALE_1, { netAmount: '100' })],
    ['a different quantity', withData(SALE_1, { quantity: 2 })],
    ['a different source', { ...SALE_1, source: 'erp-oracle-02' }],
    ['no source', sale({ channel: 'CH-A', at: '2026-01-10', amount: '100.00', id: 's1', orderId: 'A-1' })],
    ['another occurredAt for the same instant', { ...SALE_1, occurredAt: '2026-01-10T02:00:00Z' }],
    [
      'another type',
      saleReturn({
        channel: 'CH-A',
        at: '2026-01-10',
        amount: '100.00',
        id: 's1',
        orderId: 'A-1',
        source: 'erp-sap-01',
      }),
    ],
  ])(
    'given an accepted sale, when the same eventId arrives with %s, then CONFLICTING_DUPLICATE and the figures keep the first content',
    (_name, conflicting) => {
      const { report, outcomes } = run([REG_A, SALE_1, conflicting]);
      expect(statuses(outcomes)).toEqual(['accepted', 'accepted', 'CONFLICTING_DUPLICATE']);
      expect(report.rejected).toEqual([{ line: 3, eventId: 's1', code: 'CONFLICTING_DUPLICATE' }]);
      expect(monthOf(report, 'CH-A', '2026-01')).toMatchObject({
        sales: '100.00',
        returns: '0.00',
        units: 1,
      });
    },
  );

  it('given a registration without `online`, when resent with the default written out (online: false), then CONFLICTING_DUPLICATE: defaults are not filled in', () => {
    const explicit = withData(REG_A, { online: false });
    expect(statuses(run([REG_A, explicit]).outcomes)).toEqual(['accepted', 'CONFLICTING_DUPLICATE']);
  });

  it('given an accepted sale, when the conflicting resend is also for an unknown channel, then CONFLICTING_DUPLICATE wins over UNKNOWN_CHANNEL', () => {
    expect(statuses(run([REG_A, SALE_1, { ...SALE_1, channelId: 'CH-Z' }]).outcomes)).toEqual([
      'accepted',
      'accepted',
      'CONFLICTING_DUPLICATE',
    ]);
  });

  it('given an accepted sale, when the same eventId arrives schema-invalid, then SCHEMA_VIOLATION (not a duplicate nor a conflict)', () => {
    const { report } = run([
      REG_A,
      SALE_1,
      withData(SALE_1, { quantity: 0 }),
      { ...SALE_1, occurredAt: '2026-01-10T10:00:00' },
    ]);
    expect(report.rejected).toEqual([
      { line: 3, eventId: 's1', code: 'SCHEMA_VIOLATION' },
      { line: 4, eventId: 's1', code: 'SCHEMA_VIOLATION' },
    ]);
  });
});

describe('a rejected eventId is not taken', () => {
  it('given a sale rejected for its schema, when a corrected event reuses its eventId, then it is accepted', () => {
    const bad = withData(SALE_1, { quantity: 0 });
    const { report, outcomes } = run([REG_A, bad, SALE_1]);
    expect(statuses(outcomes)).toEqual(['accepted', 'SCHEMA_VIOLATION', 'accepted']);
    expect(monthOf(report, 'CH-A', '2026-01').sales).toBe('100.00');
  });

  it('given a sale rejected as UNKNOWN_CHANNEL, when the same line is resent after the registration, then it is accepted (not a duplicate)', () => {
    const { outcomes, report } = run([SALE_1, REG_A, SALE_1]);
    expect(statuses(outcomes)).toEqual(['UNKNOWN_CHANNEL', 'accepted', 'accepted']);
    expect(report.counts).toEqual({ lines: 3, accepted: 2, duplicates: 0, rejected: 1 });
  });

  it('given a rejected sale, when exactly the same line is sent again without a fix, then it is rejected again with the same code', () => {
    const usd = withData(SALE_1, { currency: 'USD' });
    expect(statuses(run([REG_A, usd, usd]).outcomes)).toEqual([
      'accepted',
      'CURRENCY_MISMATCH',
      'CURRENCY_MISMATCH',
    ]);
  });

  it('given a conflicting duplicate was rejected, when the original content is resent, then it is still a duplicate of the first', () => {
    expect(statuses(run([REG_A, SALE_1, withData(SALE_1, { netAmount: '100' }), SALE_1]).outcomes)).toEqual([
      'accepted',
      'accepted',
      'CONFLICTING_DUPLICATE',
      'duplicate',
    ]);
  });
});

describe('UNKNOWN_CHANNEL', () => {
  it.each([
    ['SaleRecorded', sale({ channel: 'CH-Z', at: '2026-01-10', amount: '1.00' })],
    ['SaleReturned', saleReturn({ channel: 'CH-Z', at: '2026-01-10', amount: '1.00', orderId: 'o' })],
    [
      'TrainingCompleted',
      training({ channel: 'CH-Z', at: '2026-01-10', traineeId: 't', certification: 'C' }),
    ],
    ['SatisfactionSurveyed', survey({ channel: 'CH-Z', at: '2026-01-10', score: 50, respondents: 2 })],
  ])('given no registration of CH-Z, when a %s for CH-Z arrives, then UNKNOWN_CHANNEL', (_type, e) => {
    const { report } = run([REG_A, e]);
    expect(report.rejected).toEqual([{ line: 2, eventId: e.eventId, code: 'UNKNOWN_CHANNEL' }]);
    expect(report.channels.map((c) => c.channelId)).toEqual(['CH-A']);
  });

  it('given a registration that comes later in the log, when a sale for that channel arrives first, then UNKNOWN_CHANNEL ("registered earlier" means log order)', () => {
    const early = register('CH-B', { at: '2026-01-01' });
    const s = sale({ channel: 'CH-B', at: '2026-01-05', amount: '1.00' });
    expect(statuses(run([s, early]).outcomes)).toEqual(['UNKNOWN_CHANNEL', 'accepted']);
  });

  it('given channel ids are case-sensitive, when a sale names ch-a for registered CH-A, then UNKNOWN_CHANNEL', () => {
    expect(
      statuses(run([REG_A, sale({ channel: 'ch-a', at: '2026-01-10', amount: '1.00' })]).outcomes),
    ).toEqual(['accepted', 'UNKNOWN_CHANNEL']);
  });

  it('given a USD sale for an unknown channel, when checked, then UNKNOWN_CHANNEL wins over CURRENCY_MISMATCH', () => {
    const usd = sale({ channel: 'CH-Z', at: '2026-01-10', amount: '10.00', currency: 'USD' });
    expect(statuses(run([REG_A, usd]).outcomes)).toEqual(['accepted', 'UNKNOWN_CHANNEL']);
  });
});

describe('CHANNEL_EXISTS and PROMOTION_EXISTS', () => {
  it('given CH-A is registered, when another event registers CH-A again, then CHANNEL_EXISTS and the first registration stands', () => {
    const again = register('CH-A', { name: 'Other name', kind: 'ecommerce', at: '2026-02-01' });
    const { report, outcomes } = run([REG_A, again]);
    expect(statuses(outcomes)).toEqual(['accepted', 'CHANNEL_EXISTS']);
    expect(report.channels).toHaveLength(1);
    expect(report.channels[0]).toMatchObject({ name: 'Channel CH-A', kind: 'distributor', online: false });
  });

  it('given a scheduled promotion, when another eventId schedules the same promotionId, then PROMOTION_EXISTS and the first promotion stands', () => {
    const first = promotion({
      promotionId: 'spring',
      startsAt: '2026-01-01T00:00:00+08:00',
      endsAt: '2026-02-01T00:00:00+08:00',
      bonusBps: 100,
    });
    const second = promotion({
      promotionId: 'spring',
      startsAt: '2026-01-01T00:00:00+08:00',
      endsAt: '2026-02-01T00:00:00+08:00',
      bonusBps: 900,
    });
    const { report, outcomes } = run([
      program(),
      REG_A,
      first,
      second,
      sale({ channel: 'CH-A', at: '2026-01-10', amount: '1000.00' }),
    ]);
    expect(statuses(outcomes)).toEqual(['accepted', 'accepted', 'accepted', 'PROMOTION_EXISTS', 'accepted']);
    expect(monthOf(report, 'CH-A', '2026-01').rebate.promotion).toBe('10.00');
  });
});

describe('CURRENCY_MISMATCH', () => {
  it.each([
    ['SaleRecorded', sale({ channel: 'CH-A', at: '2026-01-10', amount: '10.00', currency: 'USD' })],
    [
      'SaleReturned',
      saleReturn({ channel: 'CH-A', at: '2026-01-10', amount: '10.00', orderId: 'A-1', currency: 'USD' }),
    ],
    [
      'a well-formed but non-ISO currency',
      sale({ channel: 'CH-A', at: '2026-01-10', amount: '10.00', currency: 'XYZ' }),
    ],
  ])(
    'given a CNY deployment, when a %s in another currency arrives, then CURRENCY_MISMATCH and nothing is counted',
    (_name, e) => {
      const { report, outcomes } = run([REG_A, e]);
      expect(statuses(outcomes)).toEqual(['accepted', 'CURRENCY_MISMATCH']);
      expect(monthOf(report, 'CH-A', '2026-01')).toMatchObject({ sales: '0.00', returns: '0.00' });
    },
  );
});

describe('PERIOD_CLOSED', () => {
  it.each([
    ['the last closed month', '2026-02', 'PERIOD_CLOSED'],
    ['an earlier month', '2026-01', 'PERIOD_CLOSED'],
    ['the month after the last closed month', '2026-03', 'accepted'],
  ])(
    'given 2026-02 is the last closed month, when a program effective from %s is published, then %s',
    (_name, effectiveFrom, expected) => {
      const { outcomes } = run([REG_A, close('2026-02'), program({ effectiveFrom })]);
      expect(statuses(outcomes)).toEqual(['accepted', 'accepted', expected]);
    },
  );

  it('given no closed month, when a program effective from a past month is published, then it is accepted', () => {
    expect(
      statuses(run([REG_A, program({ effectiveFrom: '2020-01' }, { at: '2026-05-01' })]).outcomes),
    ).toEqual(['accepted', 'accepted']);
  });

  it('given a close rejected as PERIOD_NOT_ENDED, when a program for that month is published, then it is accepted (only accepted closes count)', () => {
    const early = close('2026-02', '2026-02-20T10:00:00+08:00');
    expect(statuses(run([REG_A, early, program({ effectiveFrom: '2026-02' })]).outcomes)).toEqual([
      'accepted',
      'PERIOD_NOT_ENDED',
      'accepted',
    ]);
  });

  it('given 2026-02 closed, when a later close of an earlier month (2026-01) is accepted, then the last closed month stays 2026-02', () => {
    const { outcomes, report } = run([
      REG_A,
      close('2026-02'),
      close('2026-01'),
      program({ effectiveFrom: '2026-02' }),
    ]);
    expect(statuses(outcomes)).toEqual(['accepted', 'accepted', 'accepted', 'PERIOD_CLOSED']);
    expect(report.lastClosedMonth).toBe('2026-02');
  });
});

describe('PERIOD_NOT_ENDED: a month can be closed only once it has ended (in the deployment zone)', () => {
  it.each([
    ['during the month itself', '2026-01', '2026-01-31T23:59:59+08:00', 'PERIOD_NOT_ENDED'],
    ['before the month', '2026-03', '2026-02-15T10:00:00+08:00', 'PERIOD_NOT_ENDED'],
    ['at the first instant of the next month', '2026-01', '2026-02-01T00:00:00+08:00', 'accepted'],
    ['at 2026-01-31T16:00:00Z (= 1 Feb 00:00 in Shanghai)', '2026-01', '2026-01-31T16:00:00Z', 'accepted'],
    [
      'at 2026-01-31T15:59:59.999Z (= still 31 Jan in Shanghai)',
      '2026-01',
      '2026-01-31T15:59:59.999Z',
      'PERIOD_NOT_ENDED',
    ],
    ['a year later', '2025-12', '2026-12-01T10:00:00+08:00', 'accepted'],
  ])('given a close sent %s, when checked, then %s', (_name, month, occurredAt, expected) => {
    const { report, outcomes } = run([REG_A, close(month, occurredAt)]);
    expect(statuses(outcomes)).toEqual(['accepted', expected]);
    expect(report.lastClosedMonth).toBe(expected === 'accepted' ? month : null);
  });
});

/**
 * The rejection codes of spec §2 ("Acceptance and rejection"), in the order the checks run: a
 * copy of the spec's table, written out here so that the code's own list is checked against it.
 */
const SPEC_REJECTION_ORDER = [
  'MALFORMED_JSON',
  'SCHEMA_VIOLATION',
  'CONFLICTING_DUPLICATE',
  'UNKNOWN_CHANNEL',
  'CHANNEL_EXISTS',
  'PROMOTION_EXISTS',
  'PRICE_CHANGE_EXISTS',
  'CURRENCY_MISMATCH',
  'PERIOD_CLOSED',
  'UNKNOWN_PARENT',
  'INVALID_PARENT',
  'PERIOD_NOT_ENDED',
] as const;

/** The codes a v1 stream can get (the v2 ones are checked in acceptanceV2.unit.spec.ts). */
const V1_CODES = SPEC_REJECTION_ORDER.filter(
  (c) => c !== 'PRICE_CHANGE_EXISTS' && c !== 'UNKNOWN_PARENT' && c !== 'INVALID_PARENT',
);

describe('the order of the checks', () => {
  it('given one v1 input per step, when replayed, then each gets the first failing code in the spec order', () => {
    const prog = program({ effectiveFrom: '2026-01' });
    const inputs: (string | Input)[] = [
      REG_A,
      SALE_1,
      close('2026-01'),
      '[1, 2]', // MALFORMED_JSON
      withData(SALE_1, { netAmount: '1.001', currency: 'USD' }), // SCHEMA_VIOLATION beats a currency mismatch
      withData({ ...SALE_1, channelId: 'CH-Z' }, { currency: 'USD' }), // CONFLICTING_DUPLICATE beats unknown channel and currency
      sale({ channel: 'CH-Z', at: '2026-01-10', amount: '1.00', currency: 'USD' }), // UNKNOWN_CHANNEL beats currency
      register('CH-A'), // CHANNEL_EXISTS
      promotion({ promotionId: 'x', startsAt: '2026-02-01', endsAt: '2026-03-01', bonusBps: 1 }),
      promotion({ promotionId: 'x', startsAt: '2026-02-01', endsAt: '2026-03-01', bonusBps: 1 }), // PROMOTION_EXISTS
      sale({ channel: 'CH-A', at: '2026-02-10', amount: '1.00', currency: 'EUR' }), // CURRENCY_MISMATCH
      prog, // PERIOD_CLOSED
      close('2026-02', '2026-02-28T10:00:00+08:00'), // PERIOD_NOT_ENDED
    ];
    const { outcomes, report } = run(inputs);
    expect(statuses(outcomes)).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'MALFORMED_JSON',
      'SCHEMA_VIOLATION',
      'CONFLICTING_DUPLICATE',
      'UNKNOWN_CHANNEL',
      'CHANNEL_EXISTS',
      'accepted',
      'PROMOTION_EXISTS',
      'CURRENCY_MISMATCH',
      'PERIOD_CLOSED',
      'PERIOD_NOT_ENDED',
    ]);
    expect(new Set(report.rejected.map((r) => r.code))).toEqual(new Set(V1_CODES));
    expect(report.counts).toEqual({ lines: 13, accepted: 4, duplicates: 0, rejected: 9 });
  });

  it('given the rejection codes, when listed, then they are in the spec order', () => {
    expect(REJECTION_CODES).toEqual(SPEC_REJECTION_ORDER);
  });

  it('given an exact resend of an accepted sale whose channel is known, when the currency would no longer matter, then duplicate is decided before any business check', () => {
    const { report } = run([REG_A, SALE_1, close('2026-01'), SALE_1]);
    expect(report.counts.duplicates).toBe(1);
    expect(monthOf(report, 'CH-A', '2026-01').restated).toBe(false);
  });
});
