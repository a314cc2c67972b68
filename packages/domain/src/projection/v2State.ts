/**
 * (v2) What the projection keeps for the v2 rules (docs/v2-rules.md "What the integrator must
 * keep"), beside the v1 state: per channel its parent assignments, the TargetSet in effect per
 * year, the inputs of price-protection claims per SKU and the sticky `restated` flags of its
 * claims; program-wide the price changes in log order. Survey counts live in `MonthFacts`.
 *
 * What grows with what: assignments with re-parentings, targets with years, price changes with
 * `PriceChanged` events. Claim inputs grow with every sale, return and inventory report (a
 * window can reach back 366 days before a change accepted later, so any sale may be asked for):
 * they live behind `ClaimInputStore`, which the embedded store keeps in SQLite, not in memory.
 */
import type { Instant, Month } from '../calendar.js';
import { programInEffect } from '../programRules.js';
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
      /** The original sale is the latest sale of this order recorded before (log order). */
      readonly orderId: string;
      readonly eventId: string;
      readonly quantity: number;
    }
  | {
      readonly kind: 'count';
      readonly channelId: string;
      readonly sku: string;
      readonly eventId: string;
      readonly onHand: number;
      readonly asOf: Instant;
    };

/** No input recorded yet. */
export function emptySkuClaimInputs(): SkuClaimInputs {
  return { sales: [], returns: [], counts: [], lastSaleAt: new Map() };
}

/**
 * Adds one input, recorded in log order, to a channel-SKU's inputs: a return takes the
 * instant of its order's latest sale added before it (none: it counts for no claim).
 */
export function addClaimInput(inputs: SkuClaimInputs, r: ClaimInputRecord): void {
  switch (r.kind) {
    case 'sale':
      inputs.sales.push({ eventId: r.eventId, occurredAt: r.occurredAt, quantity: r.quantity });
      inputs.lastSaleAt.set(r.orderId, r.occurredAt);
      return;
    case 'return':
      inputs.returns.push({
        eventId: r.eventId,
        quantity: r.quantity,
        originalSaleAt: inputs.lastSaleAt.get(r.orderId) ?? null,
      });
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

/**
 * Where the claim inputs are kept. Synchronous by contract, like `ProjectionIndex`: the
 * embedded adapter is SQLite inside the projection's transaction, the default a map.
 */
export interface ClaimInputStore {
  /** Records one input (log order). */
  add(r: ClaimInputRecord): void;
  /** A channel-SKU's inputs in log order, returns resolved to their original sale; none: undefined. */
  inputsOf(channelId: string, sku: string): SkuClaimInputs | undefined;
  /** The `occurredAt` of the latest sale recorded so far of a channel's order and SKU; none: null. */
  originalSaleAt(channelId: string, sku: string, orderId: string): Instant | null;
  /**
   * A price change was accepted: `inputsOf` and `originalSaleAt` will be asked from now on (an
   * adapter may make them fast then; before any change, only `add` is called).
   */
  lookupsAhead(): void;
}

/** The in-memory ClaimInputStore, for tests and the in-memory engine. */
export function memoryClaimInputs(): ClaimInputStore {
  const byKey = new Map<string, SkuClaimInputs>();
  const key = (channelId: string, sku: string) => `${channelId}\u0000${sku}`;
  return {
    add(r) {
      let inputs = byKey.get(key(r.channelId, r.sku));
      if (inputs === undefined) {
        inputs = emptySkuClaimInputs();
        byKey.set(key(r.channelId, r.sku), inputs);
      }
      addClaimInput(inputs, r);
    },
    inputsOf: (channelId, sku) => byKey.get(key(channelId, sku)),
    originalSaleAt: (channelId, sku, orderId) =>
      byKey.get(key(channelId, sku))?.lastSaleAt.get(orderId) ?? null,
    lookupsAhead: () => undefined,
  };
}
