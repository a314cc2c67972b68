/**
 * The projection's evolve: folds one accepted event (log order) into the state, raising
 * alerts and tier movements through the sink. Late sales and returns restate closed months
 * and raise flip alerts (spec §4 "Late events").
 *
 * What the rules decide is the state, the index's entries and what goes to the sink; what the
 * store persists is told apart: the rules mark what they changed in `ctx.changes`
 * (`dirtyTracking.ts`), and the store saves those rows. The fold is in place, not copy on
 * write: a replay folds every event of the log into one state.
 */
import { formatMonth, parseMonth, parseTimestamp, type Month, type MonthClock } from '../calendar.js';
import type { ChannelRegistered, ChanperfEvent, SaleRecorded, SaleReturned } from '../events.js';
import { assertNever } from '../never.js';
import { parseAmount } from '../money.js';
import { toProgram } from '../programRules.js';
import { nextAlertId, type ProjectionSink } from './alerts.js';
import { channelGrowth, closedStatus, isClosed, targetBpsFor, type ClosedStatus } from './monthlyGrowth.js';
import { closeThrough, type CloseContext } from './periodClose.js';
import { saleBonusBps } from './promotions.js';
import { ProjectionChanges } from './dirtyTracking.js';
import { judgeLate, lateBefore } from './v2Judgements.js';
import {
  applyInventoryReported,
  applyPriceChanged,
  applyReparented,
  applyTargetSet,
  markV2Log,
  recordClaimReturn,
  recordClaimSale,
} from './v2Evolve.js';
import {
  emptyMonthFacts,
  NO_CLAIMS,
  NO_TARGETS,
  type ChannelState,
  type MonthFacts,
  type ProjectionIndex,
  type ProjectionState,
} from './state.js';

export interface EvolveContext {
  readonly state: ProjectionState;
  readonly index: ProjectionIndex;
  readonly clock: MonthClock;
  readonly minorDigits: number;
  readonly sink: ProjectionSink;
  /** Where the rules mark what they changed, for the store to save; none: nothing is kept. */
  readonly changes?: ProjectionChanges;
  /** See `CloseContext.firstCloseFrom` (a part of a rebuild in parts). */
  readonly firstCloseFrom?: CloseContext['firstCloseFrom'];
}

/** An `EvolveContext` with somewhere to mark changes. */
type RulesContext = EvolveContext & { readonly changes: ProjectionChanges };

function insertSorted(list: string[], id: string): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] ?? '') < id) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, id);
}

const NONE: readonly never[] = [];

function touchMonth(ctx: RulesContext, channel: ChannelState, month: Month): MonthFacts {
  const { state, changes } = ctx;
  if (month < channel.firstMonth) {
    channel.firstMonth = month;
    changes.markChannel(channel.channelId);
  }
  if (state.maxMonth === null || month > state.maxMonth) {
    state.maxMonth = month;
    changes.markGlobal();
  }
  const facts = channel.months.get(month) ?? emptyMonthFacts();
  // Set even when present: a store's map may have handed out a copy of a month kept on disk.
  channel.months.set(month, facts);
  changes.markMonth(channel.channelId, month);
  return facts;
}

function channelOf(ctx: RulesContext, channelId: string): ChannelState {
  const c = ctx.state.channels.get(channelId);
  if (c === undefined) throw new Error(`log holds an event of unregistered channel ${channelId}`);
  return c;
}

/** Applies a sale or return, restating a closed month and raising flip alerts. */
function applyMoneyEvent(ctx: RulesContext, e: SaleRecorded | SaleReturned): void {
  const { state, changes } = ctx;
  const at = parseTimestamp(e.occurredAt);
  const amount = parseAmount(e.data.netAmount, ctx.minorDigits);
  if (at === undefined || amount === undefined) throw new Error(`unparseable event ${e.eventId}`);
  const month = ctx.clock.monthOf(at);
  const channel = channelOf(ctx, e.channelId);
  const late = isClosed(state, month);
  // The usual event is not late: no arrays for it.
  const watched: readonly Month[] = late ? (isClosed(state, month + 1) ? [month, month + 1] : [month]) : NONE;
  const before: readonly ClosedStatus[] = late ? watched.map((m) => closedStatus(state, channel, m)) : NONE;
  // (v2) Taken before the event moves anything, the channel's first month included.
  const v2Before = late ? lateBefore(state, channel, month) : null;

  const facts = touchMonth(ctx, channel, month);
  if (e.type === 'SaleRecorded') {
    const bps = saleBonusBps(state.promotions, e.channelId, e.data.sku, at);
    facts.addSale(amount, e.data.quantity, bps > 0 ? bps : 0);
    facts.saleCount += 1;
    ctx.index.addOrder(e.channelId, month, e.data.orderId);
    if (bps > 0) {
      if (!state.anyPromotedSale) {
        state.anyPromotedSale = true;
        changes.markGlobal();
      }
    }
    if (state.anyPromotedSale) ctx.index.recordSale(e.channelId, e.data.orderId, e.data.sku, bps);
    recordClaimSale(ctx, channel, e.eventId, at, e.data);
  } else {
    const bps = state.anyPromotedSale
      ? (ctx.index.saleBonusBps(e.channelId, e.data.orderId, e.data.sku) ?? 0)
      : 0;
    facts.addReturn(amount, e.data.quantity, bps > 0 ? bps : 0);
    recordClaimReturn(ctx, channel, e.eventId, e.data);
  }
  if (!late) return;
  facts.restated = true;
  raiseGrowthFlips(ctx, channel, watched, before);
  if (v2Before !== null) judgeLate(ctx, channel, v2Before, e.type === 'SaleRecorded');
}

/** v1's flip alerts of a late event: each watched closed month whose status changed, M first. */
function raiseGrowthFlips(
  ctx: RulesContext,
  channel: ChannelState,
  watched: readonly Month[],
  before: readonly ClosedStatus[],
): void {
  const { state, changes } = ctx;
  watched.forEach((m, i) => {
    const was = before[i];
    const now = closedStatus(state, channel, m);
    if (was === now) return;
    if (now === 'MISSED') {
      changes.markChannel(channel.channelId);
      ctx.sink.alert({
        id: nextAlertId(channel, 'GROWTH_TARGET_MISSED', m),
        kind: 'GROWTH_TARGET_MISSED',
        channelId: channel.channelId,
        month: formatMonth(m),
        growthBps: channelGrowth(state, channel, m).growthBps,
        targetBps: targetBpsFor(state, m),
        restated: true,
      });
    } else if (was === 'MISSED') {
      changes.markChannel(channel.channelId);
      ctx.sink.alert({
        id: nextAlertId(channel, 'GROWTH_TARGET_MISS_RETRACTED', m),
        kind: 'GROWTH_TARGET_MISS_RETRACTED',
        channelId: channel.channelId,
        month: formatMonth(m),
      });
    }
  });
}

/**
 * Folds one accepted event into the projection. Events must come in log order. Without
 * `ctx.changes`, what the event changed is marked in a recorder nobody reads.
 */
export function evolve(ctx: EvolveContext, e: ChanperfEvent): void {
  evolveIn(
    ctx.changes === undefined ? { ...ctx, changes: new ProjectionChanges() } : (ctx as RulesContext),
    e,
  );
}

/** A ChannelRegistered: the channel, its first month and (v2) its first parent assignment. */
function registerChannel(ctx: RulesContext, e: ChannelRegistered): void {
  const { state, changes } = ctx;
  const at = parseTimestamp(e.occurredAt);
  if (at === undefined) throw new Error(`unparseable event ${e.eventId}`);
  const month = ctx.clock.monthOf(at);
  const channel: ChannelState = {
    channelId: e.channelId,
    name: e.data.name,
    kind: e.data.kind,
    online: e.data.online ?? e.data.kind === 'ecommerce',
    region: e.data.region ?? null,
    registeredMonth: month,
    firstMonth: month,
    months: new Map(),
    tierIndex: 0,
    misses: 0,
    tierChanges: [],
    alertCounts: [],
    assignments: [{ parentId: e.data.parentId ?? null, effective: month }],
    targets: NO_TARGETS,
    restatedClaims: NO_CLAIMS,
  };
  if (e.data.parentId !== undefined) markV2Log(state, changes);
  state.channels.set(e.channelId, channel);
  insertSorted(state.channelOrder, e.channelId);
  changes.markChannel(e.channelId);
  touchMonth(ctx, channel, month);
}

function evolveIn(ctx: RulesContext, e: ChanperfEvent): void {
  const { state, changes } = ctx;
  switch (e.type) {
    case 'ChannelRegistered':
      registerChannel(ctx, e);
      return;
    case 'SaleRecorded':
    case 'SaleReturned':
      applyMoneyEvent(ctx, e);
      return;
    case 'TrainingCompleted': {
      const at = parseTimestamp(e.occurredAt);
      if (at === undefined) throw new Error(`unparseable event ${e.eventId}`);
      const month = ctx.clock.monthOf(at);
      const facts = touchMonth(ctx, channelOf(ctx, e.channelId), month);
      facts.trainings += 1;
      if (e.data.certification !== undefined) {
        ctx.index.addCertification(e.channelId, e.data.traineeId, month);
      }
      return;
    }
    case 'SatisfactionSurveyed': {
      const at = parseTimestamp(e.occurredAt);
      if (at === undefined) throw new Error(`unparseable event ${e.eventId}`);
      const facts = touchMonth(ctx, channelOf(ctx, e.channelId), ctx.clock.monthOf(at));
      facts.satisfactionPoints += BigInt(e.data.score) * BigInt(e.data.respondents);
      facts.satisfactionRespondents += BigInt(e.data.respondents);
      facts.surveys += 1;
      return;
    }
    case 'ProgramPublished':
      state.programs.push(toProgram(e.data, ctx.minorDigits));
      changes.markGlobal();
      if (e.data.inactivityMonths !== undefined || e.data.priceProtectionDays !== undefined) {
        markV2Log(state, changes);
      }
      return;
    case 'PromotionScheduled': {
      const startsAt = parseTimestamp(e.data.startsAt);
      const endsAt = parseTimestamp(e.data.endsAt);
      if (startsAt === undefined || endsAt === undefined) throw new Error(`unparseable event ${e.eventId}`);
      state.promotions.push({
        promotionId: e.data.promotionId,
        startsAt,
        endsAt,
        bonusBps: e.data.bonusBps,
        skus: e.data.skus ?? null,
        channelIds: e.data.channelIds ?? null,
      });
      changes.markGlobal();
      return;
    }
    case 'PeriodClosed':
      closeThrough(ctx, parseMonth(e.data.month) ?? 0);
      return;
    case 'TargetSet':
      markV2Log(state, changes);
      applyTargetSet(ctx, channelOf(ctx, e.channelId), e.eventId, e.data);
      return;
    case 'InventoryReported':
      markV2Log(state, changes);
      applyInventoryReported(ctx, channelOf(ctx, e.channelId), e.eventId, e.data);
      return;
    case 'ChannelReparented':
      markV2Log(state, changes);
      applyReparented(ctx, channelOf(ctx, e.channelId), e.eventId, e.data);
      return;
    case 'PriceChanged':
      markV2Log(state, changes);
      applyPriceChanged(ctx, e.eventId, e.data);
      return;
    default:
      assertNever(e);
  }
}
