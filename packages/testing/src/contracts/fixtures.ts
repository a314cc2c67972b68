/**
 * Valid events for the contract suites, as ERP lines and as log entries whose payload is the
 * canonical content the Ingestor would store (built by the domain's own validator, so the
 * suites never drift from what the engine really appends).
 */
import { defaultSettings, EventValidator } from '@chanperf/domain';
import type { IngestBatch, NewLogEntry } from '@chanperf/engine';

const validator = new EventValidator(defaultSettings.minorDigits);

export type RawEvent = Record<string, unknown>;

/** The canonical log entry of a raw event; throws when the fixture is not a valid event. */
export function entryOf(raw: RawEvent): NewLogEntry {
  const v = validator.validateValue(raw);
  if (v._tag === 'Left') throw new Error(`fixture is not a valid event: ${v.left.message}`);
  const { event, canonical } = v.right;
  const channelId = 'channelId' in event && typeof event.channelId === 'string' ? event.channelId : null;
  return { eventId: event.eventId, type: event.type, channelId, payload: canonical };
}

/** An ERP line of a raw event. */
export function lineOf(raw: RawEvent): string {
  return JSON.stringify(raw);
}

export function channelRegistered(channelId: string, eventId = `reg-${channelId}`): RawEvent {
  return {
    eventId,
    type: 'ChannelRegistered',
    occurredAt: '2026-01-02T09:00:00+08:00',
    channelId,
    data: { name: `Partner ${channelId}`, kind: 'reseller', region: 'North' },
  };
}

/** A January 2026 sale of `amount` CNY (a decimal string), order `order-<n>`. */
export function saleRecorded(
  channelId: string,
  n: number,
  amount = '1.00',
  eventId = `sale-${channelId}-${n}`,
): RawEvent {
  return {
    eventId,
    type: 'SaleRecorded',
    occurredAt: `2026-01-${String(10 + (n % 15)).padStart(2, '0')}T10:00:00+08:00`,
    channelId,
    data: { orderId: `order-${n}`, sku: 'P1', quantity: 1, netAmount: amount, currency: 'CNY' },
  };
}

export function promotionScheduled(promotionId: string): RawEvent {
  return {
    eventId: `promo-${promotionId}`,
    type: 'PromotionScheduled',
    occurredAt: '2026-01-25T09:00:00+08:00',
    data: {
      promotionId,
      startsAt: '2026-02-01T00:00:00+08:00',
      endsAt: '2026-03-01T00:00:00+08:00',
      bonusBps: 100,
    },
  };
}

/** Closes `month` (`YYYY-MM`) on the first day of the next month. */
export function periodClosed(month: string): RawEvent {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return {
    eventId: `close-${month}`,
    type: 'PeriodClosed',
    occurredAt: `${next}-01T09:00:00+08:00`,
    data: { month },
  };
}

/** (v2) A registration (2 Jan 2026) of `channelId` under `parentId`. */
export function channelRegisteredUnder(channelId: string, parentId: string): RawEvent {
  const reg = channelRegistered(channelId);
  return { ...reg, data: { ...(reg.data as RawEvent), parentId } };
}

/** (v2) `channelId` under `parentId` (absent: top-level) from `effectiveFrom` (`YYYY-MM`). */
export function channelReparented(channelId: string, effectiveFrom: string, parentId?: string): RawEvent {
  return {
    eventId: `move-${channelId}-${effectiveFrom}-${parentId ?? 'top'}`,
    type: 'ChannelReparented',
    occurredAt: '2026-01-20T09:00:00+08:00',
    channelId,
    data: parentId === undefined ? { effectiveFrom } : { effectiveFrom, parentId },
  };
}

/** (v2) A cut of P1's unit price, effective 1 Mar 2026; the eventId differs per call site. */
export function priceChanged(changeId: string, eventId = `price-${changeId}`): RawEvent {
  return {
    eventId,
    type: 'PriceChanged',
    occurredAt: '2026-02-20T09:00:00+08:00',
    data: {
      changeId,
      sku: 'P1',
      oldUnitPrice: '100.00',
      newUnitPrice: '90.00',
      currency: 'CNY',
      effectiveAt: '2026-03-01T00:00:00+08:00',
    },
  };
}

const NO_COUNTS = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };

/** A batch of accepted entries only, counted as accepted lines. */
export function acceptedBatch(entries: readonly NewLogEntry[]): IngestBatch {
  return {
    accepted: entries,
    rejected: [],
    counts: { ...NO_COUNTS, lines: entries.length, accepted: entries.length },
  };
}

/** `count` sales of one channel, numbered from `from`. */
export function sales(channelId: string, from: number, count: number): NewLogEntry[] {
  return Array.from({ length: count }, (_, i) => entryOf(saleRecorded(channelId, from + i)));
}
