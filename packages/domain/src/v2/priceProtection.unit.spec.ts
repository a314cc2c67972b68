/**
 * Spec §4 (v2) "Price protection" (价保): protected cuts, the half-open sale window, the
 * inventory count used, the claim's figures and basis, and the `restated` rule for late
 * inputs. Cross-checked with spec/examples-v2 ("Price protection": pc-1, pc-2, claims of D1,
 * E1, S1, S2).
 */
import { describe, expect, it } from 'vitest';
import { MonthClock, parseMonth, parseTimestamp, type Instant, type Month } from '../calendar.js';
import { formatAmount } from '../money.js';
import {
  priceChangeTerms,
  priceProtectionClaim,
  restatesClaim,
  type ClaimInputs,
  type PriceChange,
} from './priceProtection.js';

const month = (text: string): Month => parseMonth(text)!;
const ts = (text: string): Instant => parseTimestamp(text.length === 16 ? `${text}:00+08:00` : text)!;
const clock = new MonthClock('Asia/Shanghai');
const thirtyDays = () => 30;
const change = (over: Partial<PriceChange> = {}): PriceChange => ({
  changeId: 'pc-1',
  sku: 'P1',
  oldUnitPrice: 400_000,
  newUnitPrice: 360_000,
  effectiveAt: ts('2026-02-15T00:00'),
  ...over,
});
const pc1 = priceChangeTerms(change(), (i) => clock.monthOf(i), thirtyDays);
const sale = (eventId: string, at: string, quantity: number) => ({ eventId, occurredAt: ts(at), quantity });
const ret = (eventId: string, quantity: number, originalAt: string | null) => ({
  eventId,
  quantity,
  originalSaleAt: originalAt === null ? null : ts(originalAt),
});
const count = (eventId: string, asOf: string, onHand: number) => ({ eventId, asOf: ts(asOf), onHand });
const inputs = (over: Partial<ClaimInputs>): ClaimInputs => ({
  channelId: 'C',
  sales: [],
  returns: [],
  counts: [],
  restated: false,
  ...over,
});

describe('the terms of a price change', () => {
  it('given pc-1 (P1 4000.00 → 3600.00 effective 2026-02-15T00:00+08:00) under a program with N = 30, then a protected cut accruing in 2026-02, window from 2026-01-16T00:00+08:00, unit credit 400.00', () => {
    expect(pc1).toMatchObject({
      accrualMonth: month('2026-02'),
      windowDays: 30,
      protected: true,
      unitCredit: 40_000n,
    });
    expect(pc1.windowStart).toEqual(ts('2026-01-16T00:00'));
  });

  it('given pc-2 (a rise 5000.00 → 5200.00) under N = 30, then listed with windowDays 30 but not protected', () => {
    const rise = priceChangeTerms(
      change({ changeId: 'pc-2', sku: 'P2', oldUnitPrice: 500_000, newUnitPrice: 520_000 }),
      (i) => clock.monthOf(i),
      thirtyDays,
    );
    expect(rise).toMatchObject({ windowDays: 30, protected: false, windowStart: null });
  });

  it.each([
    ['no program or no priceProtectionDays', 360_000, () => undefined, null],
    ['an unchanged price', 400_000, thirtyDays, 30],
  ])('given %s, then not protected', (_name, newUnitPrice, days, windowDays) => {
    const t = priceChangeTerms(change({ newUnitPrice }), (i) => clock.monthOf(i), days);
    expect(t).toMatchObject({ protected: false, windowDays });
  });

  it('given a cut effective 2026-03-01T00:30+08:00 (still February in UTC), then it accrues in March of the reporting zone, with March’s N', () => {
    const t = priceChangeTerms(
      change({ effectiveAt: ts('2026-03-01T00:30') }),
      (i) => clock.monthOf(i),
      (m) => (m === month('2026-03') ? 7 : undefined),
    );
    expect(t).toMatchObject({ accrualMonth: month('2026-03'), windowDays: 7, protected: true });
  });

  it('given an effectiveAt with a fraction of a second, then the window starts N × 24 h earlier to the same fraction', () => {
    const t = priceChangeTerms(
      change({ effectiveAt: ts('2026-02-15T00:00:00.250Z') }),
      (i) => clock.monthOf(i),
      () => 1,
    );
    expect(t.windowStart).toEqual(ts('2026-02-14T00:00:00.25Z'));
  });
});

describe('claims on pc-1 (examples-v2)', () => {
  it('given D1 (s-d1-1 before W, s-d1-2 and s-d1-3 in W, s-d1-4 after E; r-d1-1 of s-d1-3; inv-d1 as of exactly E), then 150 − 10 = 140 units, 120 on hand, credit 48 000.00', () => {
    const claim = priceProtectionClaim(
      pc1,
      inputs({
        channelId: 'D1',
        sales: [
          sale('s-d1-1', '2026-01-10T10:00', 50),
          sale('s-d1-2', '2026-01-20T10:00', 100),
          sale('s-d1-3', '2026-02-05T10:00', 50),
          sale('s-d1-4', '2026-02-20T10:00', 150),
        ],
        returns: [ret('r-d1-1', 10, '2026-02-05T10:00')],
        counts: [count('inv-d1', '2026-02-15T00:00', 120)],
      }),
    );
    expect(claim).toEqual({
      channelId: 'D1',
      sku: 'P1',
      changeId: 'pc-1',
      month: month('2026-02'),
      purchasedUnits: 150n,
      returnedUnits: 10n,
      windowUnits: 140n,
      onHand: 120,
      eligibleUnits: 120n,
      unitCredit: 40_000n,
      credit: 4_800_000n,
      restated: false,
      basis: { sales: ['s-d1-2', 's-d1-3'], returns: ['r-d1-1'], inventory: 'inv-d1' },
    });
    expect(formatAmount(claim!.credit, 2)).toBe('48000.00');
  });

  it('given E1 (20 units in W; counts on Feb 10, Feb 14 12:00 and Feb 16), then the latest count in the window (inv-e1-b, 50) is used and 20 units earn 8 000.00', () => {
    const claim = priceProtectionClaim(
      pc1,
      inputs({
        channelId: 'E1',
        sales: [sale('s-e1-1', '2026-01-25T10:00', 20)],
        counts: [
          count('inv-e1-a', '2026-02-10T18:00', 70),
          count('inv-e1-b', '2026-02-14T12:00', 50),
          count('inv-e1-c', '2026-02-16T00:00', 40),
        ],
      }),
    );
    expect(claim).toMatchObject({ windowUnits: 20n, onHand: 50, eligibleUnits: 20n, credit: 800_000n });
    expect(claim?.basis).toEqual({ sales: ['s-e1-1'], returns: [], inventory: 'inv-e1-b' });
  });

  it('given S1 (30 units in W, the late return r-s1-1 of 10, no count), then listed with onHand null and credit 0, restated', () => {
    const claim = priceProtectionClaim(
      pc1,
      inputs({
        channelId: 'S1',
        sales: [sale('s-s1-2', '2026-02-01T10:00', 30)],
        returns: [ret('r-s1-1', 10, '2026-02-01T10:00')],
        restated: true,
      }),
    );
    expect(claim).toMatchObject({
      purchasedUnits: 30n,
      returnedUnits: 10n,
      windowUnits: 20n,
      onHand: null,
      eligibleUnits: 0n,
      credit: 0n,
      restated: true,
      basis: { sales: ['s-s1-2'], returns: ['r-s1-1'], inventory: null },
    });
  });

  it('given S2 (10 units in W, the late count inv-s2 of 8 as of E), then 8 units earn 3 200.00', () => {
    const claim = priceProtectionClaim(
      pc1,
      inputs({
        channelId: 'S2',
        sales: [sale('s-s2-2', '2026-02-10T10:00', 10)],
        counts: [count('inv-s2', '2026-02-15T00:00', 8)],
        restated: true,
      }),
    );
    expect(claim).toMatchObject({ eligibleUnits: 8n, credit: 320_000n, restated: true });
  });

  it('given N1 with no sale of P1 in the window, then no claim', () => {
    expect(
      priceProtectionClaim(pc1, inputs({ channelId: 'N1', sales: [sale('s', '2026-03-15T10:00', 6)] })),
    ).toBeNull();
  });
});

describe('window and count edges', () => {
  it('given sales exactly at E − 30 days and exactly at E, then the first is in W and the second is not (half-open)', () => {
    const claim = priceProtectionClaim(
      pc1,
      inputs({ sales: [sale('start', '2026-01-16T00:00', 3), sale('at-e', '2026-02-15T00:00', 5)] }),
    );
    expect(claim).toMatchObject({ purchasedUnits: 3n, basis: { sales: ['start'] } });
  });

  it('given a count exactly at the window start and one older, then the one at the start is used (both ends included)', () => {
    const claim = priceProtectionClaim(
      pc1,
      inputs({
        sales: [sale('s', '2026-02-01T10:00', 10)],
        counts: [count('older', '2026-01-15T23:59', 99), count('start', '2026-01-16T00:00', 4)],
      }),
    );
    expect(claim).toMatchObject({ onHand: 4, eligibleUnits: 4n, basis: { inventory: 'start' } });
  });

  it('given two counts with equal asOf, then the later in the log wins, even with an earlier count between them in log order', () => {
    const claim = priceProtectionClaim(
      pc1,
      inputs({
        sales: [sale('s', '2026-02-01T10:00', 10)],
        counts: [
          count('first', '2026-02-14T00:00', 7),
          count('older', '2026-02-13T00:00', 1),
          count('second', '2026-02-14T00:00', 6),
        ],
      }),
    );
    expect(claim).toMatchObject({ onHand: 6, basis: { inventory: 'second' } });
  });

  it('given returns whose original sale is before W, and one with no original sale, then neither is counted', () => {
    const claim = priceProtectionClaim(
      pc1,
      inputs({
        sales: [sale('s', '2026-02-01T10:00', 10)],
        returns: [ret('before-w', 4, '2026-01-10T10:00'), ret('orphan', 2, null)],
        counts: [count('c', '2026-02-14T00:00', 100)],
      }),
    );
    expect(claim).toMatchObject({
      returnedUnits: 0n,
      windowUnits: 10n,
      eligibleUnits: 10n,
      basis: { returns: [] },
    });
  });

  it('given more units returned than bought in W, then windowUnits is 0 and the claim is still listed with credit 0', () => {
    const claim = priceProtectionClaim(
      pc1,
      inputs({
        sales: [sale('s', '2026-02-01T10:00', 5)],
        returns: [ret('r1', 4, '2026-02-01T10:00'), ret('r2', 3, '2026-02-01T10:00')],
        counts: [count('c', '2026-02-14T00:00', 100)],
      }),
    );
    expect(claim).toMatchObject({ returnedUnits: 7n, windowUnits: 0n, eligibleUnits: 0n, credit: 0n });
  });

  it('given a claim on a change that is not protected, then no claim', () => {
    const rise = priceChangeTerms(change({ newUnitPrice: 410_000 }), (i) => clock.monthOf(i), thirtyDays);
    expect(priceProtectionClaim(rise, inputs({ sales: [sale('s', '2026-02-01T10:00', 5)] }))).toBeNull();
  });
});

describe('restated: inputs accepted while the accrual month is closed', () => {
  const feb = month('2026-02');

  it('given February closed, when a sale in W, a return of a W sale or a count as of E arrives, then the claim is restated', () => {
    expect(restatesClaim(pc1, { type: 'SaleRecorded', occurredAt: ts('2026-01-20T10:00') }, feb)).toBe(true);
    expect(restatesClaim(pc1, { type: 'SaleReturned', originalSaleAt: ts('2026-02-01T10:00') }, feb)).toBe(
      true,
    );
    expect(restatesClaim(pc1, { type: 'InventoryReported', asOf: ts('2026-02-15T00:00') }, feb)).toBe(true);
  });

  it('given February closed, when a sale after E, a return of a sale before W, an orphan return or a count after E arrives, then not restated', () => {
    expect(restatesClaim(pc1, { type: 'SaleRecorded', occurredAt: ts('2026-02-15T00:00') }, feb)).toBe(false);
    expect(restatesClaim(pc1, { type: 'SaleReturned', originalSaleAt: ts('2026-01-10T10:00') }, feb)).toBe(
      false,
    );
    expect(restatesClaim(pc1, { type: 'SaleReturned', originalSaleAt: null }, feb)).toBe(false);
    expect(restatesClaim(pc1, { type: 'InventoryReported', asOf: ts('2026-02-16T00:00') }, feb)).toBe(false);
  });

  it('given February still open, when an input in W arrives, then not restated', () => {
    expect(
      restatesClaim(pc1, { type: 'SaleRecorded', occurredAt: ts('2026-01-20T10:00') }, month('2026-01')),
    ).toBe(false);
    expect(restatesClaim(pc1, { type: 'SaleRecorded', occurredAt: ts('2026-01-20T10:00') }, null)).toBe(
      false,
    );
  });
});
