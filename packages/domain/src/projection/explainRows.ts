/**
 * The log's events as `explain` and a channel's trainings read them: plain rows with the
 * fields those answers need, strings as written in the log (the engine's `ChannelLog` port
 * returns them and re-exports these types), and their parsing into instants, months and
 * minor units. A row that does not parse means the log itself is damaged: that is an
 * infrastructure failure, thrown with code `LOG_UNREADABLE`, never a business outcome.
 */
import type { Instant, Month, MonthClock } from '../calendar.js';
import { parseTimestamp } from '../calendar.js';
import { parseAmount } from '../money.js';
import type { Promotion } from './state.js';

/** A SaleRecorded or SaleReturned as written in the log. */
export interface MoneyRow {
  readonly position: number;
  readonly eventId: string;
  readonly type: 'SaleRecorded' | 'SaleReturned';
  readonly occurredAt: string;
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  /** The decimal string as written ("400000.00"). */
  readonly netAmount: string;
}

/** A PromotionScheduled as written in the log. */
export interface PromotionRow {
  readonly position: number;
  readonly eventId: string;
  readonly promotionId: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly bonusBps: number;
  readonly skus: readonly string[] | null;
  readonly channelIds: readonly string[] | null;
}

/** A TrainingCompleted as written in the log. */
export interface TrainingRow {
  readonly position: number;
  readonly eventId: string;
  readonly occurredAt: string;
  readonly courseId: string;
  readonly traineeId: string;
  /** null when the course did not certify the trainee. */
  readonly certification: string | null;
}

/** The error for a row of the log that does not parse (`what`: "event at position 12"). */
export function logUnreadable(what: string): Error {
  return Object.assign(new Error(`the log holds an unreadable ${what}`), { code: 'LOG_UNREADABLE' });
}

/** A sale or return with its instant, its month and its amount in minor units. */
export interface ParsedMoney {
  readonly row: MoneyRow;
  readonly at: Instant;
  readonly month: Month;
  /** Signed minor units: a return counts negative. */
  readonly signed: bigint;
}

/** Σ signed amounts (minor units) of sales and returns: their net. */
export function signedSum(list: readonly ParsedMoney[]): bigint {
  return list.reduce((s, r) => s + r.signed, 0n);
}

/** A promotion as the projection keeps it (`Promotion`), with where the log holds it. */
export interface ParsedPromotion extends Promotion {
  readonly position: number;
  readonly eventId: string;
}

/** Parses a sale or return; throws `LOG_UNREADABLE` when its instant or amount does not parse. */
export function parseMoneyRow(row: MoneyRow, digits: number, clock: MonthClock): ParsedMoney {
  const at = parseTimestamp(row.occurredAt);
  const amount = parseAmount(row.netAmount, digits);
  if (at === undefined || amount === undefined) throw logUnreadable(`event at position ${row.position}`);
  const minor = BigInt(amount);
  return { row, at, month: clock.monthOf(at), signed: row.type === 'SaleRecorded' ? minor : -minor };
}

/** Parses a promotion; throws `LOG_UNREADABLE` when its window does not parse. */
export function parsePromotionRow(row: PromotionRow): ParsedPromotion {
  const startsAt = parseTimestamp(row.startsAt);
  const endsAt = parseTimestamp(row.endsAt);
  if (startsAt === undefined || endsAt === undefined)
    throw logUnreadable(`promotion at position ${row.position}`);
  return {
    position: row.position,
    eventId: row.eventId,
    promotionId: row.promotionId,
    startsAt,
    endsAt,
    bonusBps: row.bonusBps,
    skus: row.skus,
    channelIds: row.channelIds,
  };
}
