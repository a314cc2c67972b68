/**
 * (v2) Builders of the v2 events for the rule specs, in the style of `specBuilders.ts`
 * (`register` takes `parentId` there). Test code, left out of the package's build.
 */
import { at, nextId, type Input } from './specBuilders.js';

/** TargetSet: a channel's net target for a year (default sent 2026-01-05). */
export function targetSet(
  channelId: string,
  data: { readonly year: string; readonly annualNet: string; readonly quarterlyNet?: readonly string[] },
  o: { readonly at?: string; readonly id?: string } = {},
): Input {
  return {
    eventId: o.id ?? nextId(`target-${channelId}`),
    type: 'TargetSet',
    occurredAt: at(o.at ?? '2026-01-05'),
    channelId,
    data: { ...data },
  };
}

/** InventoryReported: units of a SKU the channel holds (default 10 of P1, as of the send). */
export function inventory(
  channelId: string,
  o: { readonly sku?: string; readonly onHand?: number; readonly asOf?: string; readonly at?: string } = {},
): Input {
  const sent = at(o.at ?? '2026-02-10');
  return {
    eventId: nextId(`inv-${channelId}`),
    type: 'InventoryReported',
    occurredAt: sent,
    channelId,
    data: { sku: o.sku ?? 'P1', onHand: o.onHand ?? 10, asOf: at(o.asOf ?? sent) },
  };
}

/** ChannelReparented: `parentId` (absent: top-level) from `effectiveFrom`. */
export function reparent(
  channelId: string,
  effectiveFrom: string,
  parentId?: string,
  o: { readonly at?: string; readonly id?: string } = {},
): Input {
  return {
    eventId: o.id ?? nextId(`move-${channelId}`),
    type: 'ChannelReparented',
    occurredAt: at(o.at ?? '2026-01-20'),
    channelId,
    data: parentId === undefined ? { effectiveFrom } : { effectiveFrom, parentId },
  };
}

export interface PriceChangeOptions {
  readonly changeId?: string;
  readonly sku?: string;
  readonly oldUnitPrice?: string;
  readonly newUnitPrice?: string;
  readonly currency?: string;
  /** `YYYY-MM-DD` (10:00 Shanghai) or a timestamp; default 2026-03-01. */
  readonly effectiveAt?: string;
  readonly at?: string;
  readonly id?: string;
}

/** PriceChanged: a cut of P1 from 100.00 to 90.00 effective 2026-03-01 by default. */
export function priceChange(o: PriceChangeOptions = {}): Input {
  return {
    eventId: o.id ?? nextId('price'),
    type: 'PriceChanged',
    occurredAt: at(o.at ?? '2026-02-20'),
    data: {
      changeId: o.changeId ?? nextId('change'),
      sku: o.sku ?? 'P1',
      oldUnitPrice: o.oldUnitPrice ?? '100.00',
      newUnitPrice: o.newUnitPrice ?? '90.00',
      currency: o.currency ?? 'CNY',
      effectiveAt: at(o.effectiveAt ?? '2026-03-01'),
    },
  };
}
