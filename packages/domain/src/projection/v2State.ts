/**
 * (v2) What the projection keeps for the v2 rules (docs/v2-rules.md "What the integrator must
 * keep"), beside the v1 state: per channel its parent assignments, the TargetSet in effect per
 * year, the inputs of price-protection claims per SKU and the sticky `restated` flags of its
 * claims; program-wide the price changes in log order. Survey counts live in `MonthFacts`.
 *
 * What grows with what: assignments with re-parentings, targets with years, price changes with
 * `PriceChanged` events, and claim inputs with every sale, return and inventory report (each a
 * small record: a claim window can reach back up to 366 days before a change accepted later,
 * so no sale can be forgotten before its month is 13 months behind the last closed one).
 */
import type { Instant, Month } from '../calendar.js';
import { programInEffect } from '../program.js';
import {
  priceChangeTerms,
  type ClaimCount,
  type ClaimReturn,
  type ClaimSale,
  type PriceChange,
  type PriceChangeTerms,
} from '../v2/priceProtection.js';
import type { ProjectionState } from './state.js';

/** The TargetSet in effect for a channel-year, amounts in minor units. */
export interface TargetInEffect {
  readonly year: number;
  readonly annualTarget: bigint;
  readonly quarterlyNet: readonly bigint[] | null;
  readonly eventId: string;
}

/** The claim inputs of one channel and SKU, in log order. */
export interface SkuClaimInputs {
  readonly sales: ClaimSale[];
  readonly returns: ClaimReturn[];
  readonly counts: ClaimCount[];
  /** The `occurredAt` of the latest sale (log order) of each orderId: a return's original sale. */
  readonly lastSaleAt: Map<string, Instant>;
}

/** An accepted PriceChanged as kept: its terms' inputs and its `effectiveAt` as written. */
export interface StoredPriceChange extends PriceChange {
  readonly effectiveAtText: string;
  /** The month of `effectiveAt` in the reporting zone, fixed at acceptance. */
  readonly accrualMonth: Month;
}

/** One claim input as it is recorded (and replayed when a store loads the state). */
export type ClaimInputRecord =
  | {
      readonly kind: 'sale';
      readonly channelId: string;
      readonly sku: string;
      readonly orderId: string;
      readonly eventId: string;
      readonly occurredAt: Instant;
      readonly quantity: number;
    }
  | {
      readonly kind: 'return';
      readonly channelId: string;
      readonly sku: string;
      readonly eventId: string;
      readonly quantity: number;
      readonly originalSaleAt: Instant | null;
    }
  | {
      readonly kind: 'count';
      readonly channelId: string;
      readonly sku: string;
      readonly eventId: string;
      readonly onHand: number;
      readonly asOf: Instant;
    };

/** The claim inputs of a channel's SKU, made empty on first use. */
function skuInputs(bySku: Map<string, SkuClaimInputs>, sku: string): SkuClaimInputs {
  let inputs = bySku.get(sku);
  if (inputs === undefined) {
    inputs = { sales: [], returns: [], counts: [], lastSaleAt: new Map() };
    bySku.set(sku, inputs);
  }
  return inputs;
}

/** Adds one recorded input to the channel's claim inputs (`claimInputs` by SKU). */
export function addClaimInput(bySku: Map<string, SkuClaimInputs>, r: ClaimInputRecord): void {
  const inputs = skuInputs(bySku, r.sku);
  switch (r.kind) {
    case 'sale':
      inputs.sales.push({ eventId: r.eventId, occurredAt: r.occurredAt, quantity: r.quantity });
      inputs.lastSaleAt.set(r.orderId, r.occurredAt);
      return;
    case 'return':
      inputs.returns.push({ eventId: r.eventId, quantity: r.quantity, originalSaleAt: r.originalSaleAt });
      return;
    case 'count':
      inputs.counts.push({ eventId: r.eventId, onHand: r.onHand, asOf: r.asOf });
      return;
  }
}

/** The terms of a change with N of the program in effect for its accrual month now. */
export function termsOf(state: ProjectionState, change: StoredPriceChange): PriceChangeTerms {
  return priceChangeTerms(
    change,
    () => change.accrualMonth,
    (m) => programInEffect(state.programs, m)?.priceProtectionDays,
  );
}
