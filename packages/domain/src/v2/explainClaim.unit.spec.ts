/**
 * (v2) `explainClaim`: the events behind a price-protection claim, line by line. Whatever the
 * sales, returns and counts, the lines' units add up to the claim's eligible units and their
 * credits to its credit, exactly, and every eventId of its basis is on a line; an
 * INVENTORY_CAP ('cap') line appears exactly when on-hand units cut the window units.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MonthClock, parseTimestamp, type Instant } from '../calendar.js';
import {
  explainClaim,
  priceChangeTerms,
  priceProtectionClaim,
  type ClaimExplanation,
  type ClaimInputs,
  type PriceProtectionClaim,
} from './priceProtection.js';

const ts = (text: string): Instant => parseTimestamp(`${text}:00+08:00`)!;
const clock = new MonthClock('Asia/Shanghai');
const EFFECTIVE = ts('2026-02-15T00:00');
const pc1 = priceChangeTerms(
  { changeId: 'pc-1', sku: 'P1', oldUnitPrice: 400_000, newUnitPrice: 360_000, effectiveAt: EFFECTIVE },
  (i) => clock.monthOf(i),
  () => 30,
);
const sale = (eventId: string, at: string, quantity: number) => ({ eventId, occurredAt: ts(at), quantity });
const ret = (eventId: string, quantity: number, originalAt: string) => ({
  eventId,
  quantity,
  originalSaleAt: ts(originalAt),
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

/** The invariants of an explanation of `claim`. */
function expectReconciles(x: ClaimExplanation, claim: PriceProtectionClaim): void {
  expect(x.claim).toEqual(claim);
  expect(x.lines.reduce((s, l) => s + l.units, 0n)).toBe(claim.eligibleUnits);
  expect(x.lines.reduce((s, l) => s + l.credit, 0n)).toBe(claim.credit);
  for (const l of x.lines) expect(l.credit).toBe(l.units * claim.unitCredit);
  const ids = x.lines.map((l) => l.eventId);
  const { sales, returns, inventory } = claim.basis;
  expect(ids).toEqual([
    ...sales,
    ...returns,
    ...(inventory === null && claim.eligibleUnits === claim.windowUnits ? [] : [inventory]),
  ]);
  expect(x.lines.filter((l) => l.kind === 'cap').length).toBe(
    claim.eligibleUnits < claim.windowUnits ? 1 : 0,
  );
}

describe('explainClaim', () => {
  it('given D1 of examples-v2 (100 + 50 in W, 10 returned, 120 on hand), then +100 +50 −10 and a cap of −20 on inv-d1: 120 units, 48 000.00', () => {
    const i = inputs({
      sales: [
        sale('s-d1-1', '2026-01-10T10:00', 50),
        sale('s-d1-2', '2026-01-20T10:00', 100),
        sale('s-d1-3', '2026-02-05T10:00', 50),
      ],
      returns: [ret('r-d1-1', 10, '2026-02-05T10:00')],
      counts: [count('inv-d1', '2026-02-15T00:00', 120)],
    });
    const x = explainClaim(pc1, i)!;
    expect(x.lines.map((l) => [l.kind, l.eventId, l.units, l.credit])).toEqual([
      ['sale', 's-d1-2', 100n, 4_000_000n],
      ['sale', 's-d1-3', 50n, 2_000_000n],
      ['return', 'r-d1-1', -10n, -400_000n],
      ['cap', 'inv-d1', -20n, -800_000n],
    ]);
    expect(x.windowStart).toEqual(ts('2026-01-16T00:00'));
    expectReconciles(x, priceProtectionClaim(pc1, i)!);
  });

  it('given on hand above the window units, then the count is a line of 0 units, not a cap', () => {
    const x = explainClaim(
      pc1,
      inputs({ sales: [sale('s', '2026-01-25T10:00', 20)], counts: [count('inv', '2026-02-14T12:00', 50)] }),
    )!;
    expect(x.lines.at(-1)).toMatchObject({
      kind: 'count',
      eventId: 'inv',
      onHand: 50,
      units: 0n,
      credit: 0n,
    });
  });

  it('given no inventory report in the count window, then a cap without an event takes every window unit', () => {
    const x = explainClaim(
      pc1,
      inputs({ sales: [sale('s', '2026-01-25T10:00', 30)], returns: [ret('r', 10, '2026-01-25T10:00')] }),
    )!;
    expect(x.lines.at(-1)).toEqual({
      kind: 'cap',
      eventId: null,
      asOf: null,
      onHand: null,
      units: -20n,
      credit: -800_000n,
    });
  });

  it('given returns beyond the window purchases, then the returns count only down to 0 units, in log order', () => {
    const x = explainClaim(
      pc1,
      inputs({
        sales: [sale('s', '2026-01-25T10:00', 5)],
        returns: [
          ret('r1', 3, '2026-01-25T10:00'),
          ret('r2', 4, '2026-01-25T10:00'),
          ret('r3', 1, '2026-01-25T10:00'),
        ],
        counts: [count('inv', '2026-02-01T00:00', 9)],
      }),
    )!;
    expect(x.lines.map((l) => [l.eventId, l.units])).toEqual([
      ['s', 5n],
      ['r1', -3n],
      ['r2', -2n],
      ['r3', -0n],
      ['inv', 0n],
    ]);
  });

  it('given no sale in the window, then there is no claim to explain', () => {
    expect(explainClaim(pc1, inputs({ sales: [sale('s', '2026-02-15T00:00', 5)] }))).toBeNull();
  });

  it('given random sales, returns and counts around the window, then the lines always reconcile to the claim', () => {
    // Instants within 40 days before E and 5 after, to the minute: in and out of W and of the count window.
    const minutes = fc.integer({ min: -40 * 1440, max: 5 * 1440 });
    const at = (m: number): Instant => ({ seconds: EFFECTIVE.seconds + m * 60, fraction: '' });
    const arb = fc.record({
      sales: fc.array(fc.record({ m: minutes, q: fc.integer({ min: 1, max: 500 }) }), { maxLength: 8 }),
      returns: fc.array(fc.record({ sale: fc.nat(7), q: fc.integer({ min: 1, max: 500 }) }), {
        maxLength: 8,
      }),
      counts: fc.array(fc.record({ m: minutes, onHand: fc.integer({ min: 0, max: 2000 }) }), {
        maxLength: 4,
      }),
      cut: fc.integer({ min: 1, max: 1_000_000 }),
    });
    const seen = { claims: 0, caps: 0, counts: 0 };
    fc.assert(
      fc.property(arb, (g) => {
        const terms = priceChangeTerms(
          {
            changeId: 'pc',
            sku: 'P',
            oldUnitPrice: 2_000_000,
            newUnitPrice: 2_000_000 - g.cut,
            effectiveAt: EFFECTIVE,
          },
          (i) => clock.monthOf(i),
          () => 30,
        );
        const sales = g.sales.map((s, k) => ({ eventId: `s${k}`, occurredAt: at(s.m), quantity: s.q }));
        const i = inputs({
          sales,
          returns: g.returns.map((r, k) => ({
            eventId: `r${k}`,
            quantity: r.q,
            originalSaleAt: sales[r.sale]?.occurredAt ?? null,
          })),
          counts: g.counts.map((c, k) => ({ eventId: `c${k}`, asOf: at(c.m), onHand: c.onHand })),
        });
        const claim = priceProtectionClaim(terms, i);
        const x = explainClaim(terms, i);
        expect(x === null).toBe(claim === null);
        if (x === null || claim === null) return;
        expectReconciles(x, claim);
        seen.claims++;
        if (x.lines.some((l) => l.kind === 'cap')) seen.caps++;
        if (x.lines.some((l) => l.kind === 'count')) seen.counts++;
      }),
      { numRuns: 500 },
    );
    // The generator reaches every kind of explanation, not only the trivial ones.
    expect(seen.claims).toBeGreaterThan(100);
    expect(seen.caps).toBeGreaterThan(10);
    expect(seen.counts).toBeGreaterThan(10);
  });
});
