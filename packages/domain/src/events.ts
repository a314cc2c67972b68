/**
 * The events of spec §2 as zod schemas, one per type; the types are inferred from them.
 * Unknown fields are stripped at every level (zod's default), `null` is never absence, and
 * decimal amounts are checked against the deployment currency's minor digits, so the
 * schemas are built per deployment by `eventSchemas(minorDigits)`.
 */
import { z } from 'zod';
import { parseTimestamp } from './calendar.js';
import {
  amountSchema,
  channelIdSchema,
  currencySchema,
  eventIdSchema,
  monthSchema,
  text,
  timestampSchema,
  yearSchema,
} from './fields.js';
import { parseAmount } from './money.js';
import { programSchema } from './program.js';

export const CHANNEL_KINDS = ['distributor', 'reseller', 'retailer', 'ecommerce', 'agent'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/**
 * Builds every event schema for a deployment whose currency has `digits` minor digits.
 * One declarative table of the spec's twelve events (eight of v1, four of v2): splitting it would scatter one list.
 */
// eslint-disable-next-line max-lines-per-function -- declarative table: the zod schemas of spec §2
export function eventSchemas(digits: number) {
  const amount = amountSchema(digits);
  const channelEnvelope = {
    eventId: eventIdSchema,
    occurredAt: timestampSchema,
    channelId: channelIdSchema,
    source: text(0, 64).optional(),
  };
  const programEnvelope = {
    eventId: eventIdSchema,
    occurredAt: timestampSchema,
    channelId: z.never('must be absent for program events').optional(),
    source: text(0, 64).optional(),
  };

  /** Sent by the vendor's partner-management system when a partner joins the program. */
  const ChannelRegistered = z.object({
    ...channelEnvelope,
    type: z.literal('ChannelRegistered'),
    data: z.object({
      name: text(1, 200),
      kind: z.enum(CHANNEL_KINDS),
      online: z.boolean().optional(),
      region: text(0, Number.MAX_SAFE_INTEGER).optional(),
      parentId: channelIdSchema.optional(),
    }),
  });

  const saleLine = {
    orderId: text(1, 128),
    sku: text(1, 64),
    quantity: z.int().min(1),
    netAmount: amount,
    currency: currencySchema,
  };

  /** Sent by ERP for each invoiced order line sold through the partner. */
  const SaleRecorded = z.object({
    ...channelEnvelope,
    type: z.literal('SaleRecorded'),
    data: z.object(saleLine),
  });

  /** Sent by ERP for a credit note: goods returned, `netAmount` refunded. */
  const SaleReturned = z.object({
    ...channelEnvelope,
    type: z.literal('SaleReturned'),
    data: z.object(saleLine),
  });

  /** Sent by the training platform when a partner's staff member completes a course. */
  const TrainingCompleted = z.object({
    ...channelEnvelope,
    type: z.literal('TrainingCompleted'),
    data: z.object({
      courseId: text(1, 128),
      traineeId: text(1, 128),
      certification: text(1, 64).optional(),
    }),
  });

  /** Sent by the survey tool with a partner's quarterly satisfaction score. */
  const SatisfactionSurveyed = z.object({
    ...channelEnvelope,
    type: z.literal('SatisfactionSurveyed'),
    data: z.object({ score: z.int().min(0).max(100), respondents: z.int().min(1) }),
  });

  /** Sent by channel management when a (new version of the) channel program is published. */
  const ProgramPublished = z.object({
    ...programEnvelope,
    type: z.literal('ProgramPublished'),
    data: programSchema(digits),
  });

  /** Sent by channel marketing when a monthly promotion is scheduled. */
  const PromotionScheduled = z.object({
    ...programEnvelope,
    type: z.literal('PromotionScheduled'),
    data: z
      .object({
        promotionId: text(1, 128),
        startsAt: timestampSchema,
        endsAt: timestampSchema,
        bonusBps: z.int().min(0).max(10000),
        skus: z.array(text(1, 64)).min(1).optional(),
        channelIds: z.array(channelIdSchema).min(1).optional(),
      })
      .refine((d) => {
        const s = parseTimestamp(d.startsAt);
        const e = parseTimestamp(d.endsAt);
        return s === undefined || e === undefined || compareStartEnd(s, e);
      }, 'startsAt must be before endsAt'),
  });

  /** Sent by finance (an operator, the API or a scheduler) to close a month. */
  const PeriodClosed = z.object({
    ...programEnvelope,
    type: z.literal('PeriodClosed'),
    data: z.object({ month: monthSchema }),
  });

  /** (v2) Sent by the vendor: the partner's net target for a calendar year. */
  const TargetSet = z.object({
    ...channelEnvelope,
    type: z.literal('TargetSet'),
    data: targetData(digits),
  });

  /** (v2) Sent by the partner: units of a SKU it holds at an instant. */
  const InventoryReported = z.object({
    ...channelEnvelope,
    type: z.literal('InventoryReported'),
    data: z.object({ sku: text(1, 64), onHand: z.int().min(0), asOf: timestampSchema }),
  });

  /** (v2) Sent by partner management: the channel's parent from a month on (absent: top-level). */
  const ChannelReparented = z.object({
    ...channelEnvelope,
    type: z.literal('ChannelReparented'),
    data: z.object({ effectiveFrom: monthSchema, parentId: channelIdSchema.optional() }),
  });

  /** (v2) Sent by the vendor when a SKU's unit price changes. */
  const PriceChanged = z.object({
    ...programEnvelope,
    type: z.literal('PriceChanged'),
    data: z.object({
      changeId: text(1, 128),
      sku: text(1, 64),
      oldUnitPrice: amount,
      newUnitPrice: amount,
      currency: currencySchema,
      effectiveAt: timestampSchema,
    }),
  });

  const byType = {
    ChannelRegistered,
    SaleRecorded,
    SaleReturned,
    TrainingCompleted,
    SatisfactionSurveyed,
    ProgramPublished,
    PromotionScheduled,
    PeriodClosed,
    TargetSet,
    InventoryReported,
    ChannelReparented,
    PriceChanged,
  };
  return byType;
}

/**
 * (v2) `TargetSet` data: `year` four digits, `annualNet` > 0, and `quarterlyNet`, when given,
 * exactly four amounts adding up exactly to `annualNet` (summed as BigInt: four safe integers
 * may add up past the safe range).
 */
function targetData(digits: number) {
  const amount = amountSchema(digits);
  return z
    .object({
      year: yearSchema,
      annualNet: amount.refine((s) => (parseAmount(s, digits) ?? 0) > 0, 'must be greater than 0'),
      quarterlyNet: z.array(amount).length(4).optional(),
    })
    .refine((d) => {
      if (d.quarterlyNet === undefined) return true;
      const sum = d.quarterlyNet.reduce((acc, q) => acc + BigInt(parseAmount(q, digits) ?? 0), 0n);
      return sum === BigInt(parseAmount(d.annualNet, digits) ?? 0);
    }, 'quarterlyNet must add up exactly to annualNet');
}

function compareStartEnd(
  s: { seconds: number; fraction: string },
  e: { seconds: number; fraction: string },
): boolean {
  return s.seconds < e.seconds || (s.seconds === e.seconds && s.fraction < e.fraction);
}

export type EventSchemas = ReturnType<typeof eventSchemas>;
export type EventType = keyof EventSchemas;
export const EVENT_TYPES = [
  'ChannelRegistered',
  'SaleRecorded',
  'SaleReturned',
  'TrainingCompleted',
  'SatisfactionSurveyed',
  'ProgramPublished',
  'PromotionScheduled',
  'PeriodClosed',
  'TargetSet',
  'InventoryReported',
  'ChannelReparented',
  'PriceChanged',
] as const satisfies readonly EventType[];

export type ChannelRegistered = z.infer<EventSchemas['ChannelRegistered']>;
export type SaleRecorded = z.infer<EventSchemas['SaleRecorded']>;
export type SaleReturned = z.infer<EventSchemas['SaleReturned']>;
export type TrainingCompleted = z.infer<EventSchemas['TrainingCompleted']>;
export type SatisfactionSurveyed = z.infer<EventSchemas['SatisfactionSurveyed']>;
export type ProgramPublished = z.infer<EventSchemas['ProgramPublished']>;
export type PromotionScheduled = z.infer<EventSchemas['PromotionScheduled']>;
export type PeriodClosed = z.infer<EventSchemas['PeriodClosed']>;
export type TargetSet = z.infer<EventSchemas['TargetSet']>;
export type InventoryReported = z.infer<EventSchemas['InventoryReported']>;
export type ChannelReparented = z.infer<EventSchemas['ChannelReparented']>;
export type PriceChanged = z.infer<EventSchemas['PriceChanged']>;

/** Every accepted event: a discriminated union on `type`. */
export type ChanperfEvent =
  | ChannelRegistered
  | SaleRecorded
  | SaleReturned
  | TrainingCompleted
  | SatisfactionSurveyed
  | ProgramPublished
  | PromotionScheduled
  | PeriodClosed
  | TargetSet
  | InventoryReported
  | ChannelReparented
  | PriceChanged;
