/**
 * The business checks that follow validation and the duplicate check (spec §2, in order):
 * UNKNOWN_CHANNEL, CHANNEL_EXISTS, PROMOTION_EXISTS, CURRENCY_MISMATCH, PERIOD_CLOSED,
 * PERIOD_NOT_ENDED. A decider: `decide` is pure; `evolveAcceptance` folds an accepted event.
 */
import * as O from 'fp-ts/lib/Option.js';
import { assertNever, type ChanperfEvent } from './events.js';
import { formatMonth, parseMonth, parseTimestamp, type Month, type MonthClock } from './calendar.js';
import type { RejectionCode } from './rejection.js';

export interface AcceptanceState {
  readonly channels: Set<string>;
  readonly promotions: Set<string>;
  lastClosed: Month | null;
}

export function initialAcceptanceState(): AcceptanceState {
  return { channels: new Set(), promotions: new Set(), lastClosed: null };
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
        : O.none;
    case 'SaleRecorded':
    case 'SaleReturned':
      if (!state.channels.has(event.channelId)) return unknownChannel(event.channelId);
      return event.data.currency !== currency
        ? O.some({
            code: 'CURRENCY_MISMATCH',
            message: `currency ${event.data.currency} is not the deployment currency ${currency}`,
          })
        : O.none;
    case 'TrainingCompleted':
    case 'SatisfactionSurveyed':
    case 'TargetSet':
    case 'InventoryReported':
    case 'ChannelReparented':
      return state.channels.has(event.channelId) ? O.none : unknownChannel(event.channelId);
    case 'PriceChanged':
      return O.none;
    case 'PromotionScheduled':
      return state.promotions.has(event.data.promotionId)
        ? O.some({
            code: 'PROMOTION_EXISTS',
            message: `promotion ${event.data.promotionId} is already scheduled`,
          })
        : O.none;
    case 'ProgramPublished': {
      const from = parseMonth(event.data.effectiveFrom) ?? 0;
      return state.lastClosed !== null && from <= state.lastClosed
        ? O.some({
            code: 'PERIOD_CLOSED',
            message: `effectiveFrom ${event.data.effectiveFrom} is not after the last closed month ${formatMonth(state.lastClosed)}`,
          })
        : O.none;
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

/** The event types `evolveAcceptance` folds; every other type leaves the state as it is. */
export const ACCEPTANCE_FACT_TYPES: ReadonlySet<string> = new Set([
  'ChannelRegistered',
  'PromotionScheduled',
  'PeriodClosed',
]);

/** Folds an accepted event into the acceptance state. */
export function evolveAcceptance(state: AcceptanceState, event: ChanperfEvent): void {
  switch (event.type) {
    case 'ChannelRegistered':
      state.channels.add(event.channelId);
      return;
    case 'PromotionScheduled':
      state.promotions.add(event.data.promotionId);
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
    case 'ChannelReparented':
    case 'PriceChanged':
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
