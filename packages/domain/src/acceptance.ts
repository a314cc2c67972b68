/**
 * The business checks that follow validation and the duplicate check (spec §2, in order):
 * UNKNOWN_CHANNEL, CHANNEL_EXISTS, PROMOTION_EXISTS, PRICE_CHANGE_EXISTS, CURRENCY_MISMATCH,
 * PERIOD_CLOSED, UNKNOWN_PARENT, INVALID_PARENT, PERIOD_NOT_ENDED. A decider: `decide` is
 * pure; `evolveAcceptance` folds an accepted event.
 */
import * as O from 'fp-ts/lib/Option.js';
import type { ChannelRegistered, ChannelReparented, ChanperfEvent } from './events.js';
import { assertNever } from './never.js';
import { formatMonth, parseMonth, parseTimestamp, type Month, type MonthClock } from './calendar.js';
import { LayeredMap, LayeredSet } from './layered.js';
import type { RejectionCode } from './rejection.js';
import { invalidParent, type Assignment, type InvalidParentReason } from './v2/distribution.js';
import { januaryOf } from './v2/quarters.js';

/**
 * (v2) One accepted parent assignment of a channel (spec §4 "Two-level distribution"): a
 * registration's `parentId` from the month of its `occurredAt` (kept as written: its month is
 * the deployment zone's, worked out when deciding, so the facts need no clock), or a
 * re-parenting's from `effectiveFrom` (null `parentId`: top-level). A registration without
 * `parentId` is no fact: the parent function is null there either way.
 */
export type ParentFact =
  | { readonly channelId: string; readonly parentId: string; readonly registeredAt: string }
  | { readonly channelId: string; readonly parentId: string | null; readonly effectiveFrom: Month };

export interface AcceptanceState {
  readonly channels: Set<string>;
  readonly promotions: Set<string>;
  lastClosed: Month | null;
  /** (v2) The changeIds of the accepted `PriceChanged`. */
  readonly priceChanges: Set<string>;
  /**
   * (v2) Per channel, its parent facts in log order. The lists are replaced, never mutated, so
   * a copy of the map is a copy of the state.
   */
  readonly parents: Map<string, readonly ParentFact[]>;
  /** (v2) Per channel, the channels that ever named it as parent (replaced, never mutated). */
  readonly namedBy: Map<string, readonly string[]>;
}

export function initialAcceptanceState(): AcceptanceState {
  return {
    channels: new Set(),
    promotions: new Set(),
    lastClosed: null,
    priceChanges: new Set(),
    parents: new Map(),
    namedBy: new Map(),
  };
}

/** The facts of an acceptance state, as a store keeps them (plain lists). */
export interface AcceptanceSnapshot {
  readonly channels: Iterable<string>;
  readonly promotions: Iterable<string>;
  readonly lastClosed: Month | null;
  readonly priceChanges: Iterable<string>;
  /** In log order per channel (the order between channels does not matter). */
  readonly parentAssignments: Iterable<ParentFact>;
}

/** A fresh state holding `facts`: folding into it leaves `facts` as they are. */
export function acceptanceStateOf(facts: AcceptanceSnapshot): AcceptanceState {
  const state: AcceptanceState = {
    ...initialAcceptanceState(),
    channels: new Set(facts.channels),
    promotions: new Set(facts.promotions),
    lastClosed: facts.lastClosed,
    priceChanges: new Set(facts.priceChanges),
  };
  for (const f of facts.parentAssignments) addParentFact(state, f);
  return state;
}

type Collection = 'channels' | 'promotions' | 'priceChanges' | 'parents' | 'namedBy';
const COLLECTIONS: readonly Collection[] = ['channels', 'promotions', 'priceChanges', 'parents', 'namedBy'];

/** The collections a copy still shares with the state it was copied from (see `own`). */
const borrowed = new WeakMap<AcceptanceState, Set<Collection>>();

/**
 * A copy of `state` that can be folded into without touching `state`: made for one decision
 * (`EventLog.append`'s view), read while it is made and dropped before `state` is folded into
 * again. Its sets and maps are `state`'s until it first folds into one, then a layer over it
 * (`own`): copying them all for every append cost a time that grew with the partners (9 804
 * channels: 0.6 s of a 1M HTTP ingest's main thread), while a decision folds a few entries.
 */
export function copyAcceptanceState(state: AcceptanceState): AcceptanceState {
  const copy: AcceptanceState = { ...state };
  borrowed.set(copy, new Set(COLLECTIONS));
  return copy;
}

/**
 * `state[key]`, made the copy's own first if it is still the original's: a layer over it that
 * holds what the copy adds (`layered.ts`), so a registration does not copy every channel.
 */
function own<K extends Collection>(state: AcceptanceState, key: K): AcceptanceState[K] {
  if (borrowed.get(state)?.delete(key) === true) {
    const shared: Set<string> | Map<string, unknown> = state[key];
    const layer: Set<string> | Map<string, unknown> =
      shared instanceof Set ? new LayeredSet(shared) : new LayeredMap(shared);
    (state as { -readonly [P in Collection]: AcceptanceState[P] })[key] = layer as AcceptanceState[K];
  }
  return state[key];
}

/** Every parent fact of `state`, in log order per channel. */
export function parentAssignmentsOf(state: AcceptanceState): ParentFact[] {
  return [...state.parents.values()].flat();
}

export interface Refusal {
  readonly code: RejectionCode;
  readonly message: string;
}

/** Returns the refusal of a schema-valid, non-duplicate event, or none when it is accepted. */
export function decide(
  state: AcceptanceState,
  event: ChanperfEvent,
  currency: string,
  clock: MonthClock,
): O.Option<Refusal> {
  switch (event.type) {
    case 'ChannelRegistered':
      return state.channels.has(event.channelId)
        ? O.some({ code: 'CHANNEL_EXISTS', message: `channel ${event.channelId} is already registered` })
        : parentRefusal(state, event, clock);
    case 'SaleRecorded':
    case 'SaleReturned':
      if (!state.channels.has(event.channelId)) return unknownChannel(event.channelId);
      return currencyRefusal(event.data.currency, currency);
    case 'TrainingCompleted':
    case 'SatisfactionSurveyed':
    case 'InventoryReported':
      return state.channels.has(event.channelId) ? O.none : unknownChannel(event.channelId);
    case 'TargetSet': {
      if (!state.channels.has(event.channelId)) return unknownChannel(event.channelId);
      const december = januaryOf(Number(event.data.year)) + 11;
      return closedRefusal(state, december, `December of year ${event.data.year}`);
    }
    case 'ChannelReparented': {
      if (!state.channels.has(event.channelId)) return unknownChannel(event.channelId);
      const from = parseMonth(event.data.effectiveFrom) ?? 0;
      const closed = closedRefusal(state, from, `effectiveFrom ${event.data.effectiveFrom}`);
      return O.isSome(closed) ? closed : parentRefusal(state, event, clock);
    }
    case 'PriceChanged':
      return priceChangeRefusal(state, event.data, currency, clock);
    case 'PromotionScheduled':
      return state.promotions.has(event.data.promotionId)
        ? O.some({
            code: 'PROMOTION_EXISTS',
            message: `promotion ${event.data.promotionId} is already scheduled`,
          })
        : O.none;
    case 'ProgramPublished': {
      const from = parseMonth(event.data.effectiveFrom) ?? 0;
      return closedRefusal(state, from, `effectiveFrom ${event.data.effectiveFrom}`);
    }
    case 'PeriodClosed': {
      const month = parseMonth(event.data.month) ?? 0;
      const at = parseTimestamp(event.occurredAt);
      const own = at === undefined ? month : clock.monthOf(at);
      return month < own
        ? O.none
        : O.some({
            code: 'PERIOD_NOT_ENDED',
            message: `month ${event.data.month} has not ended at ${event.occurredAt}`,
          });
    }
    default:
      return assertNever(event);
  }
}

function unknownChannel(channelId: string): O.Option<Refusal> {
  return O.some({ code: 'UNKNOWN_CHANNEL', message: `channel ${channelId} is not registered` });
}

function currencyRefusal(given: string, currency: string): O.Option<Refusal> {
  return given === currency
    ? O.none
    : O.some({
        code: 'CURRENCY_MISMATCH',
        message: `currency ${given} is not the deployment currency ${currency}`,
      });
}

/** PERIOD_CLOSED when `month` is not after the last closed month; `what` names the month. */
function closedRefusal(state: AcceptanceState, month: Month, what: string): O.Option<Refusal> {
  return state.lastClosed !== null && month <= state.lastClosed
    ? O.some({
        code: 'PERIOD_CLOSED',
        message: `${what} is not after the last closed month ${formatMonth(state.lastClosed)}`,
      })
    : O.none;
}

/** (v2) PRICE_CHANGE_EXISTS, CURRENCY_MISMATCH, then PERIOD_CLOSED for the accrual month. */
function priceChangeRefusal(
  state: AcceptanceState,
  data: { readonly changeId: string; readonly currency: string; readonly effectiveAt: string },
  currency: string,
  clock: MonthClock,
): O.Option<Refusal> {
  if (state.priceChanges.has(data.changeId)) {
    return O.some({
      code: 'PRICE_CHANGE_EXISTS',
      message: `price change ${data.changeId} is already recorded`,
    });
  }
  const mismatch = currencyRefusal(data.currency, currency);
  if (O.isSome(mismatch)) return mismatch;
  const at = parseTimestamp(data.effectiveAt);
  if (at === undefined) return O.none;
  const month = clock.monthOf(at);
  return closedRefusal(state, month, `effectiveAt ${data.effectiveAt} (month ${formatMonth(month)})`);
}

const INVALID_PARENT_MESSAGES: Record<InvalidParentReason, (c: string, p: string, from: string) => string> = {
  OWN_PARENT: (c) => `channel ${c} cannot be its own parent`,
  PARENT_HAS_PARENT: (_c, p, from) => `parent ${p} has a parent itself in some month from ${from}`,
  CHANNEL_HAS_SUB_PARTNERS: (c, _p, from) =>
    `channel ${c} is the parent of a channel in some month from ${from}`,
};

/** (v2) UNKNOWN_PARENT, then INVALID_PARENT, for a new assignment with a `parentId`. */
function parentRefusal(
  state: AcceptanceState,
  event: ChannelRegistered | ChannelReparented,
  clock: MonthClock,
): O.Option<Refusal> {
  const parentId = event.data.parentId;
  if (parentId === undefined) return O.none;
  if (!state.channels.has(parentId)) {
    return O.some({ code: 'UNKNOWN_PARENT', message: `parent ${parentId} is not registered` });
  }
  const fact = parentFactOf(event);
  if (fact === undefined) return O.none;
  const effective = effectiveMonth(fact, clock);
  const assignmentsOf = (id: string): Assignment[] =>
    (state.parents.get(id) ?? []).map((f) => ({ parentId: f.parentId, effective: effectiveMonth(f, clock) }));
  const subPartners = (state.namedBy.get(event.channelId) ?? []).map(assignmentsOf);
  const reason = invalidParent(
    { channelId: event.channelId, parentId, effective },
    assignmentsOf,
    subPartners,
  );
  return reason === null
    ? O.none
    : O.some({
        code: 'INVALID_PARENT',
        message: INVALID_PARENT_MESSAGES[reason](event.channelId, parentId, formatMonth(effective)),
      });
}

function effectiveMonth(fact: ParentFact, clock: MonthClock): Month {
  if ('effectiveFrom' in fact) return fact.effectiveFrom;
  const at = parseTimestamp(fact.registeredAt);
  if (at === undefined) throw new Error(`unparseable registration of ${fact.channelId}`);
  return clock.monthOf(at);
}

/** The parent fact an accepted registration or re-parenting adds, if any. */
export function parentFactOf(event: ChannelRegistered | ChannelReparented): ParentFact | undefined {
  const { channelId } = event;
  if (event.type === 'ChannelReparented') {
    const effectiveFrom = parseMonth(event.data.effectiveFrom) ?? 0;
    return { channelId, parentId: event.data.parentId ?? null, effectiveFrom };
  }
  const parentId = event.data.parentId;
  return parentId === undefined ? undefined : { channelId, parentId, registeredAt: event.occurredAt };
}

function addParentFact(state: AcceptanceState, fact: ParentFact): void {
  own(state, 'parents').set(fact.channelId, [...(state.parents.get(fact.channelId) ?? []), fact]);
  if (fact.parentId === null) return;
  const named = state.namedBy.get(fact.parentId) ?? [];
  if (!named.includes(fact.channelId)) own(state, 'namedBy').set(fact.parentId, [...named, fact.channelId]);
}

/** The event types `evolveAcceptance` folds; every other type leaves the state as it is. */
export const ACCEPTANCE_FACT_TYPES: ReadonlySet<string> = new Set([
  'ChannelRegistered',
  'PromotionScheduled',
  'PeriodClosed',
  'ChannelReparented',
  'PriceChanged',
]);

/** Folds an accepted event into the acceptance state. */
export function evolveAcceptance(state: AcceptanceState, event: ChanperfEvent): void {
  switch (event.type) {
    case 'ChannelRegistered':
    case 'ChannelReparented': {
      if (event.type === 'ChannelRegistered') own(state, 'channels').add(event.channelId);
      const fact = parentFactOf(event);
      if (fact !== undefined) addParentFact(state, fact);
      return;
    }
    case 'PromotionScheduled':
      own(state, 'promotions').add(event.data.promotionId);
      return;
    case 'PriceChanged':
      own(state, 'priceChanges').add(event.data.changeId);
      return;
    case 'PeriodClosed': {
      const month = parseMonth(event.data.month) ?? 0;
      if (state.lastClosed === null || month > state.lastClosed) state.lastClosed = month;
      return;
    }
    case 'SaleRecorded':
    case 'SaleReturned':
    case 'TrainingCompleted':
    case 'SatisfactionSurveyed':
    case 'ProgramPublished':
    case 'TargetSet':
    case 'InventoryReported':
      return;
    default:
      assertNever(event);
  }
}

/** What became of one schema-valid input. */
export type Classification =
  | { readonly status: 'accepted' | 'duplicate' }
  | { readonly status: 'rejected'; readonly code: RejectionCode; readonly message: string };

/**
 * The duplicate check then the acceptance checks, in the spec's order, for one schema-valid
 * event; `earlier` is the canonical content of an earlier accepted event with the same
 * eventId. An accepted event is folded into `state`.
 */
export function classify(
  state: AcceptanceState,
  event: ChanperfEvent,
  canonical: string,
  earlier: string | undefined,
  currency: string,
  clock: MonthClock,
): Classification {
  if (earlier !== undefined) {
    return earlier === canonical
      ? { status: 'duplicate' }
      : {
          status: 'rejected',
          code: 'CONFLICTING_DUPLICATE',
          message: `eventId ${event.eventId} was accepted earlier with different content`,
        };
  }
  const refusal = decide(state, event, currency, clock);
  if (O.isSome(refusal)) return { status: 'rejected', ...refusal.value };
  evolveAcceptance(state, event);
  return { status: 'accepted' };
}
