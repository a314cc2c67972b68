/**
 * (v2) Folding the v2 events into the projection: TargetSet (with its re-judgment of the
 * year's closed quarters), ChannelReparented, InventoryReported and PriceChanged, and the
 * claim inputs and sticky `restated` flags of price protection that sales and returns feed.
 * None of them touches a channel's months or the report's month range (spec §2, §4).
 */
import { parseMonth, parseTimestamp, type Instant, type MonthClock } from '../calendar.js';
import type {
  ChanperfEvent,
  ChannelReparented,
  InventoryReported,
  PriceChanged,
  TargetSet,
} from '../events.js';
import { parseAmount } from '../money.js';
import { restatesClaim, type ClaimInputEvent } from '../v2/priceProtection.js';
import { rejudgeCommitments } from '../v2/targets.js';
import type { ProjectionChanges } from './dirtyTracking.js';
import type { ChannelState, ProjectionState } from './state.js';
import { raiseCommitmentAlerts, targetFigures, type JudgeContext } from './v2Judgements.js';
import { termsOf, type ClaimInputRecord } from './v2State.js';

/** What folding a v2 event needs. */
export interface V2Context extends JudgeContext {
  readonly clock: MonthClock;
}

function parsed<T>(value: T | undefined, eventId: string): T {
  if (value === undefined) throw new Error(`unparseable event ${eventId}`);
  return value;
}

/** The log is a v2 log from now on (spec §8). */
export function markV2Log(state: ProjectionState, changes: ProjectionChanges): void {
  if (state.v2Log) return;
  state.v2Log = true;
  changes.markGlobal();
}

/** A TargetSet: replaces the channel-year's target, then re-judges the year's closed quarters. */
export function applyTargetSet(
  ctx: V2Context,
  channel: ChannelState,
  eventId: string,
  data: TargetSet['data'],
): void {
  const amount = (s: string) => BigInt(parsed(parseAmount(s, ctx.minorDigits), eventId));
  const year = Number(data.year);
  const before = targetFigures(ctx.state, channel, year);
  // A map of the channel's own (it starts with the shared NO_TARGETS); TargetSets are rare.
  channel.targets = new Map(channel.targets).set(year, {
    year,
    annualTarget: amount(data.annualNet),
    quarterlyNet: data.quarterlyNet === undefined ? null : data.quarterlyNet.map(amount),
    eventId,
  });
  ctx.changes.markChannel(channel.channelId);
  const after = targetFigures(ctx.state, channel, year);
  if (after !== null) raiseCommitmentAlerts(ctx, channel, rejudgeCommitments(before, after, year * 4));
}

/** A ChannelReparented: one more assignment, effective from `effectiveFrom`. */
export function applyReparented(
  ctx: V2Context,
  channel: ChannelState,
  eventId: string,
  data: ChannelReparented['data'],
): void {
  channel.assignments.push({
    parentId: data.parentId ?? null,
    effective: parsed(parseMonth(data.effectiveFrom), eventId),
  });
  ctx.changes.markChannel(channel.channelId);
}

/** A PriceChanged: kept in log order with its accrual month. */
export function applyPriceChanged(ctx: V2Context, eventId: string, data: PriceChanged['data']): void {
  const effectiveAt = parsed(parseTimestamp(data.effectiveAt), eventId);
  ctx.state.priceChanges.push({
    changeId: data.changeId,
    sku: data.sku,
    oldUnitPrice: parsed(parseAmount(data.oldUnitPrice, ctx.minorDigits), eventId),
    newUnitPrice: parsed(parseAmount(data.newUnitPrice, ctx.minorDigits), eventId),
    effectiveAt,
    effectiveAtText: data.effectiveAt,
    accrualMonth: ctx.clock.monthOf(effectiveAt),
  });
  ctx.state.claimInputs.lookupsAhead();
  ctx.changes.markGlobal();
}

/** Marks the channel's claims on cuts of `sku` that `event` restates (sticky). */
function markRestatedClaims(
  ctx: JudgeContext,
  channel: ChannelState,
  sku: string,
  event: ClaimInputEvent,
): void {
  const { state } = ctx;
  for (const change of state.priceChanges) {
    if (change.sku !== sku || channel.restatedClaims.has(change.changeId)) continue;
    if (restatesClaim(termsOf(state, change), event, state.lastClosed)) {
      // A set of the channel's own (it starts with the shared NO_CLAIMS); restatements are rare.
      channel.restatedClaims = new Set(channel.restatedClaims).add(change.changeId);
      ctx.changes.markChannel(channel.channelId);
    }
  }
}

/** A sale's or return's line, as a claim input takes it. */
type LineData = { readonly orderId: string; readonly sku: string; readonly quantity: number };

function record(ctx: JudgeContext, r: ClaimInputRecord): void {
  ctx.state.claimInputs.add(r);
}

/** An InventoryReported: a count of the claim inputs. */
export function applyInventoryReported(
  ctx: V2Context,
  channel: ChannelState,
  eventId: string,
  data: InventoryReported['data'],
): void {
  const r = countInput(channel.channelId, eventId, data);
  record(ctx, r);
  markRestatedClaims(ctx, channel, data.sku, { type: 'InventoryReported', asOf: r.asOf });
}

/** A SaleRecorded as a claim input (any SKU: a later cut's window may reach back to it). */
export function recordClaimSale(
  ctx: JudgeContext,
  channel: ChannelState,
  eventId: string,
  occurredAt: Instant,
  data: LineData,
): void {
  record(ctx, saleInput(channel.channelId, eventId, occurredAt, data));
  markRestatedClaims(ctx, channel, data.sku, { type: 'SaleRecorded', occurredAt });
}

/** A SaleReturned as a claim input, with its original sale's instant (the v1 rule). */
export function recordClaimReturn(
  ctx: JudgeContext,
  channel: ChannelState,
  eventId: string,
  data: LineData,
): void {
  const { channelId } = channel;
  const { orderId, sku } = data;
  // The original sale is looked up only when a change of the SKU could be restated by it.
  if (ctx.state.priceChanges.some((c) => c.sku === sku)) {
    const originalSaleAt = ctx.state.claimInputs.originalSaleAt(channelId, sku, orderId);
    markRestatedClaims(ctx, channel, sku, { type: 'SaleReturned', originalSaleAt });
  }
  record(ctx, returnInput(channelId, eventId, data));
}

function saleInput(
  channelId: string,
  eventId: string,
  occurredAt: Instant,
  data: LineData,
): ClaimInputRecord {
  const { orderId, sku, quantity } = data;
  return { kind: 'sale', channelId, sku, orderId, eventId, occurredAt, quantity };
}

function returnInput(channelId: string, eventId: string, data: LineData): ClaimInputRecord {
  const { orderId, sku, quantity } = data;
  return { kind: 'return', channelId, sku, orderId, eventId, quantity };
}

function countInput(
  channelId: string,
  eventId: string,
  data: InventoryReported['data'],
): ClaimInputRecord & { readonly kind: 'count' } {
  const asOf = parsed(parseTimestamp(data.asOf), eventId);
  return { kind: 'count', channelId, sku: data.sku, eventId, onHand: data.onHand, asOf };
}

/**
 * The claim input a logged event is, as the rules above record it when they apply it (every
 * sale, return and inventory count, whichever SKU), or undefined for any other event: a store
 * may read the inputs back from the log with it rather than keep each one as it is recorded
 * (store-sqlite's claimInputs.ts does until the first price change).
 */
export function claimInputOf(e: ChanperfEvent): ClaimInputRecord | undefined {
  if (e.type === 'SaleRecorded') {
    return saleInput(e.channelId, e.eventId, parsed(parseTimestamp(e.occurredAt), e.eventId), e.data);
  }
  if (e.type === 'SaleReturned') return returnInput(e.channelId, e.eventId, e.data);
  if (e.type === 'InventoryReported') return countInput(e.channelId, e.eventId, e.data);
  return undefined;
}
