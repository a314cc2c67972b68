/**
 * (v2) Price protection (spec §4 "Price protection", 价保): whether a PriceChanged is a
 * protected cut, its window, and the claim of one channel for the cut's SKU. Plain inputs:
 * the change, the channel's sales, returns (each with its original sale's instant, found by
 * the v1 rule) and inventory reports of the SKU, in log order. Exact instants and exact
 * integers throughout: the credit is never rounded.
 */
import { compareInstants, type Instant, type Month } from '../calendar.js';
import { assertNever } from '../never.js';

const DAY_SECONDS = 86_400;

/** A PriceChanged, prices in minor units. */
export interface PriceChange {
  readonly changeId: string;
  readonly sku: string;
  readonly oldUnitPrice: number;
  readonly newUnitPrice: number;
  readonly effectiveAt: Instant;
}

export interface PriceChangeTerms {
  readonly change: PriceChange;
  /** The month of `effectiveAt` in the reporting zone. */
  readonly accrualMonth: Month;
  /** N (`priceProtectionDays`) of the program in effect for the accrual month; null without one. */
  readonly windowDays: number | null;
  /** A cut (new < old) with N present. */
  readonly protected: boolean;
  /** E − N × 24 h, the first instant of the window; null unless protected. */
  readonly windowStart: Instant | null;
  /** oldUnitPrice − newUnitPrice (minor units). */
  readonly unitCredit: bigint;
}

/**
 * The terms of a change: `monthOf` maps an instant to its month in the reporting zone
 * (`MonthClock.monthOf`), `priceProtectionDaysFor` gives N of the program in effect for a month.
 */
export function priceChangeTerms(
  change: PriceChange,
  monthOf: (instant: Instant) => Month,
  priceProtectionDaysFor: (month: Month) => number | undefined,
): PriceChangeTerms {
  const accrualMonth = monthOf(change.effectiveAt);
  const n = priceProtectionDaysFor(accrualMonth);
  const isProtected = n !== undefined && change.newUnitPrice < change.oldUnitPrice;
  return {
    change,
    accrualMonth,
    windowDays: n ?? null,
    protected: isProtected,
    windowStart: isProtected
      ? { seconds: change.effectiveAt.seconds - n * DAY_SECONDS, fraction: change.effectiveAt.fraction }
      : null,
    unitCredit: BigInt(change.oldUnitPrice) - BigInt(change.newUnitPrice),
  };
}

/** A sale in W = [E − N × 24 h, E): half-open, a sale at E itself is at the new price. */
function inSaleWindow(terms: PriceChangeTerms, at: Instant): boolean {
  const start = terms.windowStart;
  return (
    start !== null && compareInstants(start, at) <= 0 && compareInstants(at, terms.change.effectiveAt) < 0
  );
}

/** A count for [E − N × 24 h, E], both ends included. */
function inCountWindow(terms: PriceChangeTerms, asOf: Instant): boolean {
  const start = terms.windowStart;
  return (
    start !== null &&
    compareInstants(start, asOf) <= 0 &&
    compareInstants(asOf, terms.change.effectiveAt) <= 0
  );
}

/** A SaleRecorded of the channel and SKU. */
export interface ClaimSale {
  readonly eventId: string;
  readonly occurredAt: Instant;
  readonly quantity: number;
}

/** A SaleReturned of the channel and SKU, with its original sale's `occurredAt` (null: none). */
export interface ClaimReturn {
  readonly eventId: string;
  readonly quantity: number;
  readonly originalSaleAt: Instant | null;
}

/** An InventoryReported of the channel and SKU. */
export interface ClaimCount {
  readonly eventId: string;
  readonly onHand: number;
  readonly asOf: Instant;
}

export interface ClaimInputs {
  readonly channelId: string;
  /** In log order (any superset of the window's: the rule picks). */
  readonly sales: readonly ClaimSale[];
  readonly returns: readonly ClaimReturn[];
  readonly counts: readonly ClaimCount[];
  /** Sticky: an input of the claim was accepted while its accrual month was closed (`restatesClaim`). */
  readonly restated: boolean;
}

export interface PriceProtectionClaim {
  readonly channelId: string;
  readonly sku: string;
  readonly changeId: string;
  readonly month: Month;
  readonly purchasedUnits: bigint;
  readonly returnedUnits: bigint;
  /** max(0, purchased − returned). */
  readonly windowUnits: bigint;
  readonly onHand: number | null;
  /** min(onHand, windowUnits); 0 when onHand is null. */
  readonly eligibleUnits: bigint;
  readonly unitCredit: bigint;
  /** eligibleUnits × unitCredit, exact. */
  readonly credit: bigint;
  readonly restated: boolean;
  /** The eventIds an analyst reconciles the claim from, in log order. */
  readonly basis: { readonly sales: string[]; readonly returns: string[]; readonly inventory: string | null };
}

/** The latest `asOf` in [E − N × 24 h, E]; equal `asOf`: the later in the log wins. */
function countUsed(terms: PriceChangeTerms, counts: readonly ClaimCount[]): ClaimCount | null {
  let used: ClaimCount | null = null;
  for (const c of counts) {
    if (inCountWindow(terms, c.asOf) && (used === null || compareInstants(used.asOf, c.asOf) <= 0)) used = c;
  }
  return used;
}

/** The claim of one channel on a protected cut; null without a sale of the SKU in the window. */
export function priceProtectionClaim(
  terms: PriceChangeTerms,
  inputs: ClaimInputs,
): PriceProtectionClaim | null {
  const sales = inputs.sales.filter((s) => inSaleWindow(terms, s.occurredAt));
  if (!terms.protected || sales.length === 0) return null;
  const returns = inputs.returns.filter(
    (r) => r.originalSaleAt !== null && inSaleWindow(terms, r.originalSaleAt),
  );
  const purchasedUnits = sales.reduce((sum, s) => sum + BigInt(s.quantity), 0n);
  const returnedUnits = returns.reduce((sum, r) => sum + BigInt(r.quantity), 0n);
  const windowUnits = purchasedUnits > returnedUnits ? purchasedUnits - returnedUnits : 0n;
  const count = countUsed(terms, inputs.counts);
  const onHand = count === null ? null : BigInt(count.onHand);
  const eligibleUnits = onHand === null ? 0n : onHand < windowUnits ? onHand : windowUnits;
  return {
    channelId: inputs.channelId,
    sku: terms.change.sku,
    changeId: terms.change.changeId,
    month: terms.accrualMonth,
    purchasedUnits,
    returnedUnits,
    windowUnits,
    onHand: count === null ? null : count.onHand,
    eligibleUnits,
    unitCredit: terms.unitCredit,
    credit: eligibleUnits * terms.unitCredit,
    restated: inputs.restated,
    basis: {
      sales: sales.map((s) => s.eventId),
      returns: returns.map((r) => r.eventId),
      inventory: count === null ? null : count.eventId,
    },
  };
}

/** A just-accepted event of the change's SKU, as the claim rule sees it. */
export type ClaimInputEvent =
  | { readonly type: 'SaleRecorded'; readonly occurredAt: Instant }
  | { readonly type: 'SaleReturned'; readonly originalSaleAt: Instant | null }
  | { readonly type: 'InventoryReported'; readonly asOf: Instant };

/**
 * Whether an accepted event of a channel and the change's SKU marks that channel's claim
 * `restated`: it falls in the claim's inputs (a sale in W, a return whose original sale is
 * in W, a count with `asOf` in [E − N × 24 h, E]) and the accrual month is closed — whether or
 * not it changes a figure. The flag is sticky: the projection keeps it once set.
 */
export function restatesClaim(
  terms: PriceChangeTerms,
  event: ClaimInputEvent,
  lastClosed: Month | null,
): boolean {
  if (!terms.protected || lastClosed === null || terms.accrualMonth > lastClosed) return false;
  switch (event.type) {
    case 'SaleRecorded':
      return inSaleWindow(terms, event.occurredAt);
    case 'SaleReturned':
      return event.originalSaleAt !== null && inSaleWindow(terms, event.originalSaleAt);
    case 'InventoryReported':
      return inCountWindow(terms, event.asOf);
    default:
      return assertNever(event);
  }
}

/**
 * One line of a claim's explanation: an event behind it and the signed units it adds to the
 * eligible units (credit: units × unit credit, exact).
 * - `sale`: a sale in W, + its quantity;
 * - `return`: a counted return, − the part of its quantity that still had window units to
 *   take (`counted` ≤ `quantity`: window units never go below 0, returns taken in log order);
 * - `count`: the inventory report used when it cuts nothing, 0;
 * - `cap`: what on-hand units cut from the window units, −(windowUnits − eligibleUnits): the
 *   report used (`eventId`), or none (null: no report in the count window, nothing eligible).
 */
export type ClaimLine =
  | {
      readonly kind: 'sale';
      readonly eventId: string;
      readonly occurredAt: Instant;
      readonly units: bigint;
      readonly credit: bigint;
    }
  | {
      readonly kind: 'return';
      readonly eventId: string;
      readonly originalSaleAt: Instant;
      readonly quantity: number;
      readonly units: bigint;
      readonly credit: bigint;
    }
  | {
      readonly kind: 'count' | 'cap';
      readonly eventId: string | null;
      readonly asOf: Instant | null;
      readonly onHand: number | null;
      readonly units: bigint;
      readonly credit: bigint;
    };

export interface ClaimExplanation {
  readonly claim: PriceProtectionClaim;
  /** The first instant of W (E − N × 24 h). */
  readonly windowStart: Instant;
  /** Sales, then returns (each in log order), then the count or cap line, if any. */
  readonly lines: readonly ClaimLine[];
}

/**
 * The events behind a claim, line by line (null when there is no claim): the lines' units add
 * up to `eligibleUnits` and their credits to `credit`, exactly; every eventId of the basis
 * is on a line.
 */
export function explainClaim(terms: PriceChangeTerms, inputs: ClaimInputs): ClaimExplanation | null {
  const claim = priceProtectionClaim(terms, inputs);
  if (claim === null || terms.windowStart === null) return null;
  const credit = (units: bigint) => units * terms.unitCredit;
  const lines: ClaimLine[] = inputs.sales
    .filter((s) => inSaleWindow(terms, s.occurredAt))
    .map((s) => ({
      kind: 'sale',
      eventId: s.eventId,
      occurredAt: s.occurredAt,
      units: BigInt(s.quantity),
      credit: credit(BigInt(s.quantity)),
    }));
  let left = claim.purchasedUnits;
  for (const r of inputs.returns) {
    if (r.originalSaleAt === null || !inSaleWindow(terms, r.originalSaleAt)) continue;
    const counted = BigInt(r.quantity) < left ? BigInt(r.quantity) : left;
    left -= counted;
    lines.push({
      kind: 'return',
      eventId: r.eventId,
      originalSaleAt: r.originalSaleAt,
      quantity: r.quantity,
      units: -counted,
      credit: credit(-counted),
    });
  }
  const count = countUsed(terms, inputs.counts);
  const cut = claim.eligibleUnits - claim.windowUnits;
  if (count !== null || cut !== 0n) {
    lines.push({
      kind: cut === 0n ? 'count' : 'cap',
      eventId: count?.eventId ?? null,
      asOf: count?.asOf ?? null,
      onHand: count?.onHand ?? null,
      units: cut,
      credit: credit(cut),
    });
  }
  return { claim, windowStart: terms.windowStart, lines };
}
