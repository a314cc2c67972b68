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
} from './fields.js';
import { programSchema } from './program.js';

export const CHANNEL_KINDS = ['distributor', 'reseller', 'retailer', 'ecommerce', 'agent'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/**
 * Builds every event schema for a deployment whose currency has `digits` minor digits.
 * One declarative table of the spec's eight events: splitting it would scatter one list.
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

  const byType = {
    ChannelRegistered,
    SaleRecorded,
    SaleReturned,
    TrainingCompleted,
    SatisfactionSurveyed,
    ProgramPublished,
    PromotionScheduled,
    PeriodClosed,
  };
  return byType;
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
] as const satisfies readonly EventType[];

export type ChannelRegistered = z.infer<EventSchemas['ChannelRegistered']>;
export type SaleRecorded = z.infer<EventSchemas['SaleRecorded']>;
export type SaleReturned = z.infer<EventSchemas['SaleReturned']>;
export type TrainingCompleted = z.infer<EventSchemas['TrainingCompleted']>;
export type SatisfactionSurveyed = z.infer<EventSchemas['SatisfactionSurveyed']>;
export type ProgramPublished = z.infer<EventSchemas['ProgramPublished']>;
export type PromotionScheduled = z.infer<EventSchemas['PromotionScheduled']>;
export type PeriodClosed = z.infer<EventSchemas['PeriodClosed']>;

/** Every accepted event: a discriminated union on `type`. */
export type ChanperfEvent =
  | ChannelRegistered
  | SaleRecorded
  | SaleReturned
  | TrainingCompleted
  | SatisfactionSurveyed
  | ProgramPublished
  | PromotionScheduled
  | PeriodClosed;

/** Closes a `switch` on a union: a case left out is a type error here. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}
