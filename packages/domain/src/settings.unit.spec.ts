/**
 * Spec §1: deployment settings. The currency's ISO 4217 minor digits fix the precision of
 * every amount in and out (CNY 2, JPY 0, KWD 3); the time zone must be an IANA name.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CURRENCY, DEFAULT_TIMEZONE, defaultSettings, resolveSettings } from './settings.js';
import {
  close,
  monthOf,
  program,
  promotion,
  register,
  run,
  sale,
  saleReturn,
  settings,
  statuses,
  tier,
} from './testing/specBuilders.js';

describe('resolving settings', () => {
  it('given no choice, when defaults are used, then Asia/Shanghai and CNY with 2 minor digits', () => {
    expect(defaultSettings).toEqual({ timeZone: 'Asia/Shanghai', currency: 'CNY', minorDigits: 2 });
    expect([DEFAULT_TIMEZONE, DEFAULT_CURRENCY]).toEqual(['Asia/Shanghai', 'CNY']);
  });

  it.each([
    ['CNY', 2],
    ['JPY', 0],
    ['KWD', 3],
    ['USD', 2],
  ])('given currency %s, when resolved, then it has %i minor digits', (currency, digits) => {
    expect(resolveSettings('UTC', currency)).toEqual(
      E.right({ timeZone: 'UTC', currency, minorDigits: digits }),
    );
  });

  it.each([
    ['an unknown time zone', 'Mars/Olympus', 'CNY'],
    ['a lower-case currency', 'UTC', 'cny'],
    ['an unknown currency code', 'UTC', 'QQQ'],
    ['a two-letter currency', 'UTC', 'CN'],
  ])('given %s, when resolved, then Left with a reason', (_name, tz, currency) => {
    const r = resolveSettings(tz, currency);
    expect(E.isLeft(r)).toBe(true);
    if (E.isLeft(r)) expect(r.left.length).toBeGreaterThan(0);
  });
});

describe('a JPY deployment (Asia/Tokyo, 0 minor digits)', () => {
  const jpy = settings('Asia/Tokyo', 'JPY');
  const reg = register('JP-1', { at: '2026-01-05T10:00:00+09:00' });
  const jpSale = (amount: string, extra: { at?: string; currency?: string } = {}) =>
    sale({
      channel: 'JP-1',
      at: extra.at ?? '2026-01-10T10:00:00+09:00',
      amount,
      currency: extra.currency ?? 'JPY',
    });

  it.each([
    ['"1200"', '1200', 'accepted'],
    ['"0"', '0', 'accepted'],
    ['"10.5"', '10.5', 'SCHEMA_VIOLATION'],
    ['"10.0" (zero decimals still count)', '10.0', 'SCHEMA_VIOLATION'],
  ])('given an amount %s, when validated, then %s', (_name, amount, expected) => {
    expect(statuses(run([reg, jpSale(amount)], jpy).outcomes)).toEqual(['accepted', expected]);
  });

  it('given a CNY sale in a JPY deployment, when checked, then CURRENCY_MISMATCH', () => {
    expect(statuses(run([reg, jpSale('1200', { currency: 'CNY' })], jpy).outcomes)).toEqual([
      'accepted',
      'CURRENCY_MISMATCH',
    ]);
  });

  it('given a program with yen minimums and sales, when reported, then money is printed without decimals and rounded to whole yen', () => {
    const jpProgram = program({
      tiers: [tier('registered', 150, '0', 0)],
      volumeRebate: [{ minQuarterNet: '1000', rateBps: 50 }],
    });
    const { report, outcomes } = run(
      [
        jpProgram,
        reg,
        jpSale('1234'),
        saleReturn({
          channel: 'JP-1',
          at: '2026-01-20T10:00:00+09:00',
          amount: '34',
          orderId: 'x',
          currency: 'JPY',
        }),
      ],
      jpy,
    );
    expect(statuses(outcomes)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    // base = 1200 × 150 / 10000 = 18 exactly; a sale of 1234 alone would be 18.51
    expect(monthOf(report, 'JP-1', '2026-01')).toMatchObject({
      sales: '1234',
      returns: '34',
      net: '1200',
      rebate: { base: '18', growthBonus: '0', promotion: '0', volume: '0', total: '18' },
    });
    expect(report.program.months[0]).toMatchObject({ net: '1200', onlineNet: '0' });
  });

  it('given yen, when half a yen arises, then it rounds half away from zero to a whole yen', () => {
    // 1250 × 100 bps = 12.5 → 13; a return of the same sale claws back -12.5 → -13
    const promo = promotion({
      promotionId: 'jp',
      startsAt: '2026-01-01T00:00:00+09:00',
      endsAt: '2026-03-01T00:00:00+09:00',
      bonusBps: 100,
    });
    const { report } = run(
      [
        program(),
        reg,
        promo,
        sale({
          channel: 'JP-1',
          at: '2026-01-10T10:00:00+09:00',
          amount: '1250',
          currency: 'JPY',
          orderId: 'o1',
        }),
        saleReturn({
          channel: 'JP-1',
          at: '2026-02-10T10:00:00+09:00',
          amount: '1250',
          currency: 'JPY',
          orderId: 'o1',
        }),
      ],
      jpy,
    );
    expect(monthOf(report, 'JP-1', '2026-01').rebate.promotion).toBe('13');
    expect(monthOf(report, 'JP-1', '2026-02').rebate.promotion).toBe('-13');
    expect(monthOf(report, 'JP-1', '2026-02').net).toBe('-1250');
  });

  it('given Asia/Tokyo, when a sale is at 2026-01-31T15:30:00Z (= 1 Feb 00:30 in Tokyo), then it is February', () => {
    const { report } = run([reg, jpSale('500', { at: '2026-01-31T15:30:00Z' })], jpy);
    expect(monthOf(report, 'JP-1', '2026-02').sales).toBe('500');
    expect(monthOf(report, 'JP-1', '2026-01').sales).toBe('0');
  });
});

describe('a KWD deployment (3 minor digits)', () => {
  const kwd = settings('Asia/Kuwait', 'KWD');
  const reg = register('KW-1', { at: '2026-01-05T10:00:00+03:00' });

  it.each([
    ['"1.234"', '1.234', 'accepted'],
    ['"1.2"', '1.2', 'accepted'],
    ['"1.2345"', '1.2345', 'SCHEMA_VIOLATION'],
  ])('given an amount %s, when validated, then %s', (_name, amount, expected) => {
    const s = sale({ channel: 'KW-1', at: '2026-01-10T10:00:00+03:00', amount, currency: 'KWD' });
    expect(statuses(run([reg, s], kwd).outcomes)).toEqual(['accepted', expected]);
  });

  it('given KWD sales, when reported, then money has three decimals and rebates round to the fils', () => {
    // 1.2 + 10.005 = 11.205; base 100 bps = 0.11205 → 0.112
    const { report } = run(
      [
        program(),
        reg,
        sale({ channel: 'KW-1', at: '2026-01-10T10:00:00+03:00', amount: '1.2', currency: 'KWD' }),
        sale({ channel: 'KW-1', at: '2026-01-11T10:00:00+03:00', amount: '10.005', currency: 'KWD' }),
        close('2026-01', '2026-02-01T09:00:00+03:00'),
      ],
      kwd,
    );
    expect(monthOf(report, 'KW-1', '2026-01')).toMatchObject({
      sales: '11.205',
      returns: '0.000',
      net: '11.205',
      rebate: { base: '0.112', growthBonus: '0.000', promotion: '0.000', volume: '0.000', total: '0.112' },
    });
  });
});
