/**
 * Projection state: what the projection keeps per channel and month (bounded by channels ×
 * months), plus the program-wide facts. State that grows with every sale — distinct orders,
 * the sale a return refers to, certified trainees — lives behind `ProjectionIndex`, which the
 * embedded store keeps in memory tables whose keys are on disk in the read model's file. What changed since the store last saved the state is not
 * part of it: the rules mark that in a `ProjectionChanges` (`dirtyTracking.ts`).
 *
 * Money and quantity sums read as BigInt: a sum of exact amounts stays exact however large it
 * grows (each amount alone is a safe integer); `MonthFacts` holds them as numbers while they are
 * safe integers (`monthFacts.ts`).
 */
import type { Instant, Month } from '../calendar.js';
import type { ChannelKind } from '../events.js';
import type { Program } from '../programRules.js';
import type { Assignment } from '../v2/distribution.js';
import type { ProjectionChanges } from './dirtyTracking.js';
import type { MonthFacts } from './monthFacts.js';
import {
  memoryClaimInputs,
  type ClaimInputStore,
  type StoredPriceChange,
  type TargetInEffect,
} from './v2State.js';

export { MonthFacts, emptyMonthFacts, type MonthFactValues } from './monthFacts.js';

/** From month `effective` on, the channel holds tier index `index`. */
export interface TierChange {
  readonly effective: Month;
  readonly index: number;
}

export interface ChannelState {
  readonly channelId: string;
  readonly name: string;
  readonly kind: ChannelKind;
  readonly online: boolean;
  readonly region: string | null;
  readonly registeredMonth: Month;
  /** Earliest of the registration month and the months of its accepted events. */
  firstMonth: Month;
  /**
   * The channel's month facts. A store may swap in a map that keeps months no rule is about
   * to read outside memory: `get` may then return a fresh copy, so whoever changes facts
   * `set`s them back, which keeps them in memory until saved.
   */
  readonly months: Map<Month, MonthFacts>;
  tierIndex: number;
  misses: number;
  /** Every change of the held index, in order (moves and clamps). */
  readonly tierChanges: TierChange[];
  /**
   * Alerts raised so far per kind and month, for deterministic alert ids: pairs of a key (the
   * kind's code × 2^17 + the month) and a count, flat (`alerts.ts`). A `Map` keyed by
   * `kind/month` text held ~450 bytes a channel with its keys (~42 MB of the 10M replay's heap);
   * this ~80.
   */
  readonly alertCounts: number[];
  /** (v2) Parent assignments in log order: the registration's, then each re-parenting. */
  readonly assignments: Assignment[];
  /**
   * (v2) The TargetSet in effect per calendar year; `NO_TARGETS` until the channel's first
   * TargetSet, which puts a map of its own (a v1 log allocates none).
   */
  targets: ReadonlyMap<number, TargetInEffect>;
  /** (v2) The changeIds of this channel's claims marked `restated` (sticky); `NO_CLAIMS` until one is. */
  restatedClaims: ReadonlySet<string>;
}

export interface Promotion {
  readonly promotionId: string;
  readonly startsAt: Instant;
  readonly endsAt: Instant;
  readonly bonusBps: number;
  readonly skus: readonly string[] | null;
  readonly channelIds: readonly string[] | null;
}

export interface ProjectionState {
  readonly channels: Map<string, ChannelState>;
  /** Channel ids in plain code-unit order. */
  readonly channelOrder: string[];
  /** Programs in log order. */
  readonly programs: Program[];
  /** Promotions in log order. */
  readonly promotions: Promotion[];
  lastClosed: Month | null;
  /** Latest month of any accepted channel event or closed month. */
  maxMonth: Month | null;
  /** Whether any sale so far carried promotion bps; until then returns need no lookup. */
  anyPromotedSale: boolean;
  /** (v2) Accepted price changes in log order. */
  readonly priceChanges: StoredPriceChange[];
  /** (v2) Price-protection claim inputs; a store swaps in one that keeps them on disk. */
  claimInputs: ClaimInputStore;
  /** (v2) The log holds a v2 event or field (spec §8): the report shows the v2 sections. */
  v2Log: boolean;
}

/** (v2) The targets of a channel without any TargetSet (shared: never written). */
export const NO_TARGETS: ReadonlyMap<number, TargetInEffect> = new Map();
/** (v2) The restated claims of a channel without any (shared: never written). */
export const NO_CLAIMS: ReadonlySet<string> = new Set();

/** The state before the first event. */
export function initialProjectionState(): ProjectionState {
  return {
    channels: new Map(),
    channelOrder: [],
    programs: [],
    promotions: [],
    lastClosed: null,
    maxMonth: null,
    anyPromotedSale: false,
    priceChanges: [],
    claimInputs: memoryClaimInputs(),
    v2Log: false,
  };
}

/** Net of a channel-month: sales − returns (0 for a month without facts). */
export function netOf(channel: ChannelState, month: Month): bigint {
  const f = channel.months.get(month);
  return f === undefined ? 0n : f.sales - f.returns;
}

/** New distinct orders of a channel-month, counted by the index. */
export interface NewOrders {
  readonly channelId: string;
  readonly month: Month;
  readonly count: number;
}

/**
 * Lookups over state that grows with the log. Synchronous by contract: the embedded adapter
 * is SQLite inside the projection's transaction, the test adapter is a set of maps. Order ids
 * are only counted, never looked up by a rule, so an adapter may defer and sort their writes
 * until `takeNewOrders`.
 */
export interface ProjectionIndex {
  /** Records an orderId sold in a channel-month (counted once per channel-month). */
  addOrder(channelId: string, month: Month, orderId: string): void;
  /** The distinct orders recorded since the last call that were new to their channel-month. */
  takeNewOrders(): NewOrders[];
  /** Remembers the promotion bps of the latest sale of (channel, order, sku). */
  recordSale(channelId: string, orderId: string, sku: string, bonusBps: number): void;
  /**
   * The bps of the latest earlier sale of (channel, order, sku), or undefined when there is
   * none. For a sale without a bonus an adapter may answer 0 or undefined: both mean nothing
   * to claw back.
   */
  saleBonusBps(channelId: string, orderId: string, sku: string): number | undefined;
  /** Records a certified trainee of a channel in a month. */
  addCertification(channelId: string, traineeId: string, month: Month): void;
  /** Distinct certified trainees of a channel with a certification month in [from, to]. */
  countCertified(channelId: string, from: Month, to: Month): number;
}

/**
 * Adds the index's count of new distinct orders to the month facts (spec §7 `orders`), marking
 * the months in `changes` when given.
 */
export function applyNewOrders(
  state: ProjectionState,
  news: readonly NewOrders[],
  changes?: ProjectionChanges,
): void {
  for (const n of news) {
    const months = state.channels.get(n.channelId)?.months;
    const facts = months?.get(n.month);
    if (months === undefined || facts === undefined) continue;
    facts.orders += n.count;
    months.set(n.month, facts);
    changes?.markMonth(n.channelId, n.month);
  }
}

/** The in-memory ProjectionIndex, for tests and the in-memory engine. */
export function memoryProjectionIndex(): ProjectionIndex {
  const orders = new Set<string>();
  const pending = new Map<string, NewOrders>();
  const sales = new Map<string, number>();
  const certs = new Map<string, Map<string, Set<Month>>>();
  const sep = '\u0000';
  return {
    addOrder(channelId, month, orderId) {
      const key = channelId + sep + String(month) + sep + orderId;
      if (orders.has(key)) return;
      orders.add(key);
      const cm = channelId + sep + String(month);
      const p = pending.get(cm);
      pending.set(cm, { channelId, month, count: (p?.count ?? 0) + 1 });
    },
    takeNewOrders() {
      const out = [...pending.values()];
      pending.clear();
      return out;
    },
    recordSale(channelId, orderId, sku, bonusBps) {
      sales.set(channelId + sep + orderId + sep + sku, bonusBps);
    },
    saleBonusBps(channelId, orderId, sku) {
      return sales.get(channelId + sep + orderId + sep + sku);
    },
    addCertification(channelId, traineeId, month) {
      let byTrainee = certs.get(channelId);
      if (byTrainee === undefined) {
        byTrainee = new Map();
        certs.set(channelId, byTrainee);
      }
      let months = byTrainee.get(traineeId);
      if (months === undefined) {
        months = new Set();
        byTrainee.set(traineeId, months);
      }
      months.add(month);
    },
    countCertified(channelId, from, to) {
      let n = 0;
      for (const months of certs.get(channelId)?.values() ?? []) {
        for (const m of months) {
          if (m >= from && m <= to) {
            n++;
            break;
          }
        }
      }
      return n;
    },
  };
}
