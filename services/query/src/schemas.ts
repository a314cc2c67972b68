/**
 * Zod schemas of the query API's answers. They validate every response on its way out and
 * generate the OpenAPI document (/docs/json), so the shapes here are the contract. Key order
 * matters where the spec fixes it (alerts carry `id` and `kind` first).
 */
import { CHANNEL_KINDS, REJECTION_CODES } from '@chanperf/domain';
import { z } from 'zod';
import { programQuarterSchema, v2AlertSchemas, v2SectionsShape } from './v2Schemas.js';

export const moneySchema = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .describe('decimal string with exactly the currency minor digits, e.g. "-12.30"');

/** An exact (unrounded) amount: the currency's minor digits plus the 4 digits of a bps division. */
export const exactSchema = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .describe('exact decimal, not rounded: the currency minor digits plus 4 (amount × bps / 10000)');

export const monthTextSchema = z.string().describe('YYYY-MM');
export const bpsSchema = z.number().int().describe('basis points (1/10000)');
export const growthStatusSchema = z.enum(['NO_BASELINE', 'MET', 'MISSED', 'OPEN']);

export const channelIdParam = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a channelId is 1-64 of A-Z a-z 0-9 . _ -')
  .describe('channelId');
export const monthParam = z
  .string()
  .regex(/^\d{4}-\d{2}$/, 'a month is YYYY-MM')
  .describe('YYYY-MM');

const kindSchema = z.string().describe(CHANNEL_KINDS.join(' | '));

export const rebateSchema = z.object({
  base: moneySchema,
  growthBonus: moneySchema,
  promotion: moneySchema,
  volume: moneySchema,
  total: moneySchema,
});

export const monthReportSchema = z.object({
  month: monthTextSchema,
  sales: moneySchema,
  returns: moneySchema,
  net: moneySchema,
  orders: z.number().int().describe('distinct orderIds of SaleRecorded'),
  units: z.number().int().describe('sale quantity − returned quantity'),
  closed: z.boolean(),
  restated: z.boolean(),
  tier: z.string().nullable().describe('tier in effect for the month'),
  growthBps: z.number().int().nullable(),
  growthStatus: growthStatusSchema,
  targetBps: bpsSchema,
  rebate: rebateSchema,
});

export const channelReportSchema = z.object({
  channelId: z.string(),
  name: z.string(),
  kind: kindSchema,
  online: z.boolean(),
  tier: z.string().nullable().describe('held now, in the program in effect for the last month'),
  months: z.array(monthReportSchema),
});

export const channelDetailSchema = channelReportSchema.extend({
  region: z.string().nullable(),
});

export const channelMonthSchema = z.object({ channelId: z.string() }).extend(monthReportSchema.shape);

export const channelListItemSchema = z.object({
  channelId: z.string(),
  name: z.string(),
  kind: kindSchema,
  online: z.boolean(),
  region: z.string().nullable(),
  tier: z.string().nullable().describe('held now'),
  firstMonth: monthTextSchema,
  lastClosedMonth: monthTextSchema
    .nullable()
    .describe('the last closed month, when it is one of the channel months'),
  lastClosedNet: moneySchema.nullable(),
  lastClosedGrowthBps: z.number().int().nullable(),
  lastClosedGrowthStatus: growthStatusSchema.nullable(),
  quarter: z.string().nullable().describe('quarter of the latest month, e.g. 2026-Q2'),
  quarterRebateAccrued: moneySchema
    .nullable()
    .describe('Σ rebate total of the channel months in that quarter so far'),
});

export const programMonthSchema = z.object({
  month: monthTextSchema,
  net: moneySchema,
  onlineNet: moneySchema,
  onlineShareBps: z.number().int().nullable(),
  activeChannels: z.number().int(),
  newChannels: z.number().int(),
  trainingsCompleted: z.number().int(),
  satisfactionAvg: z.string().nullable(),
});

export const tierMovementSchema = z.object({
  channelId: z.string(),
  from: z.string(),
  to: z.string(),
  reviewMonth: monthTextSchema,
  effectiveMonth: monthTextSchema,
  kind: z.enum(['UPGRADE', 'DOWNGRADE']),
});

export const alertSchema = z.discriminatedUnion('kind', [
  z.object({
    id: z.string(),
    kind: z.literal('GROWTH_TARGET_MISSED'),
    channelId: z.string(),
    month: monthTextSchema,
    growthBps: z.number().int().nullable(),
    targetBps: bpsSchema,
    restated: z.boolean(),
  }),
  z.object({
    id: z.string(),
    kind: z.literal('GROWTH_TARGET_MISS_RETRACTED'),
    channelId: z.string(),
    month: monthTextSchema,
  }),
  z.object({
    id: z.string(),
    kind: z.literal('TIER_DOWNGRADE_WARNING'),
    channelId: z.string(),
    month: monthTextSchema,
    tier: z.string(),
    qualifyingTier: z.string(),
  }),
  z.object({
    id: z.string(),
    kind: z.literal('TIER_DOWNGRADED'),
    channelId: z.string(),
    month: monthTextSchema,
    from: z.string(),
    to: z.string(),
  }),
  ...v2AlertSchemas,
]);

export const reportSchema = z.object({
  counts: z.object({
    lines: z.number().int(),
    accepted: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
  }),
  lastClosedMonth: monthTextSchema.nullable(),
  channels: z.array(channelReportSchema),
  program: z.object({
    months: z.array(programMonthSchema),
    quarters: z.array(programQuarterSchema).optional(),
  }),
  tierMovements: z.array(tierMovementSchema),
  ...v2SectionsShape,
  alerts: z.array(alertSchema),
  rejected: z.array(
    z.object({ line: z.number().int(), eventId: z.string().nullable(), code: z.enum(REJECTION_CODES) }),
  ),
});

export const alertLogSchema = z.object({
  alerts: z.array(
    z.object({ seq: z.number().int().describe('1-based, in the order raised'), alert: alertSchema }),
  ),
  next: z.number().int().describe('pass as `since` to get the alerts raised after these'),
});

// --- explain ---------------------------------------------------------------------------------

const moneyEventType = z.enum(['SaleRecorded', 'SaleReturned']);

/** A sale or return of the month, as written in the log. */
export const moneyEventSchema = z.object({
  eventId: z.string(),
  position: z.number().int().describe('log position'),
  type: moneyEventType,
  occurredAt: z.string(),
  orderId: z.string(),
  sku: z.string(),
  quantity: z.number().int(),
  amount: moneySchema.describe('netAmount in the currency minor digits'),
});

/** What one event adds to a rebate component: signed amount × bps / 10000, not rounded. */
export const contributionSchema = z.object({
  eventId: z.string(),
  position: z.number().int(),
  type: moneyEventType,
  month: monthTextSchema,
  amount: moneySchema.describe('signed: a return counts negative'),
  bps: bpsSchema.describe('bps applied to this event'),
  contribution: exactSchema.describe('amount × bps / 10000, exact'),
});

const componentFields = {
  figure: moneySchema.describe('as reported for the month'),
  computed: moneySchema.describe('round(unrounded), half away from zero, recomputed from the events'),
  unrounded: exactSchema.describe('Σ contribution of the events'),
  applies: z.boolean(),
  reason: z.string().nullable().describe('why the component is zero, when it does not apply'),
  rule: z.string(),
};

export const baseComponentSchema = z.object({
  ...componentFields,
  tier: z.string().nullable().describe('tier in effect for the month'),
  bps: bpsSchema.describe('rebateBps of that tier'),
  events: z.array(contributionSchema),
});

export const growthBonusComponentSchema = z.object({
  ...componentFields,
  bps: bpsSchema.describe('growthBonusBps applied (0 when it does not apply)'),
  events: z.array(contributionSchema),
});

export const promotionComponentSchema = z.object({
  ...componentFields,
  events: z.array(
    contributionSchema.extend({
      promotions: z
        .array(
          z.object({
            promotionId: z.string(),
            eventId: z.string(),
            position: z.number().int(),
            bonusBps: bpsSchema,
          }),
        )
        .describe('for a sale: the promotions scheduled earlier in the log that match it'),
      originalSale: z
        .object({ eventId: z.string(), position: z.number().int(), bps: bpsSchema })
        .nullable()
        .describe('for a return: the latest earlier SaleRecorded of the same channel, orderId and sku'),
    }),
  ),
});

export const volumeComponentSchema = z.object({
  ...componentFields,
  bps: bpsSchema.describe('rate applied (0 when it does not apply)'),
  quarter: z
    .object({
      months: z.array(z.object({ month: monthTextSchema, net: moneySchema })),
      quarterNet: moneySchema,
      band: z.object({ minQuarterNet: moneySchema, rateBps: bpsSchema }).nullable(),
    })
    .nullable()
    .describe('the quarter ending with this month, when it is a quarter end'),
  events: z.array(contributionSchema),
});

export const explainSchema = z.object({
  channelId: z.string(),
  month: monthTextSchema,
  position: z.number().int().describe('log position the figures reflect'),
  consistent: z.boolean().describe('every recomputed figure equals the reported one'),
  sales: z.object({
    figure: moneySchema,
    computed: moneySchema,
    rule: z.string(),
    events: z.array(moneyEventSchema),
  }),
  returns: z.object({
    figure: moneySchema,
    computed: moneySchema,
    rule: z.string(),
    events: z.array(moneyEventSchema),
  }),
  net: z.object({ figure: moneySchema, computed: moneySchema }),
  growth: z.object({
    figure: z.object({ growthBps: z.number().int().nullable(), growthStatus: growthStatusSchema }),
    computed: z.object({ growthBps: z.number().int().nullable(), growthStatus: growthStatusSchema }),
    net: moneySchema,
    previous: z.object({
      month: monthTextSchema,
      net: moneySchema,
      events: z.array(moneyEventSchema),
    }),
    targetBps: bpsSchema,
    closed: z.boolean(),
    rule: z.string(),
  }),
  rebate: z.object({
    base: baseComponentSchema,
    growthBonus: growthBonusComponentSchema,
    promotion: promotionComponentSchema,
    volume: volumeComponentSchema,
    total: z.object({ figure: moneySchema, computed: moneySchema, rule: z.string() }),
  }),
});

export type Explanation = z.infer<typeof explainSchema>;
export type MoneyEvent = z.infer<typeof moneyEventSchema>;
export type Contribution = z.infer<typeof contributionSchema>;

// --- trainings -------------------------------------------------------------------------------

export const trainingMonthSchema = z.object({
  month: monthTextSchema,
  trainings: z.number().int().describe('TrainingCompleted events of the month'),
  certifications: z.number().int().describe('of them, those carrying a certification'),
});

export const traineeCertificationSchema = z.object({
  certification: z.string(),
  courseId: z.string(),
  month: monthTextSchema.describe('month of the TrainingCompleted (its occurredAt, reporting time zone)'),
  eventId: z.string(),
});

export const trainingsSchema = z.object({
  channelId: z.string(),
  months: z
    .array(trainingMonthSchema)
    .describe('every month of the channel, ascending (months without training count 0)'),
  trainees: z
    .array(
      z.object({
        traineeId: z.string().describe('the ERP id of the staff member (not personal data)'),
        certifications: z
          .array(traineeCertificationSchema)
          .describe('by month, then log order; empty when no course completed so far certified them'),
      }),
    )
    .describe('everyone of the channel who completed a course, by traineeId'),
  certifiedLast12Months: z
    .number()
    .int()
    .describe(
      'distinct traineeIds with a certification in the 12 months ending with the latest month (M−11 … M), ' +
        'the count a tier review of that month uses (spec §4)',
    ),
  certificationWindow: z
    .object({ from: z.string(), to: z.string() })
    .describe('the months certifiedLast12Months counts: M−11 … M, M the latest month (YYYY-MM)'),
});

export type Trainings = z.infer<typeof trainingsSchema>;

/** (issue 18) One version of a channel-month's figures and the event that made it. */
export const monthVersionSchema = z
  .object({
    position: z.number().int().describe('log position of the event after which the month had these figures'),
    eventId: z.string().describe('the event that changed the figures'),
    type: z.string().describe('its type (SaleRecorded, SaleReturned, PeriodClosed, …)'),
  })
  .extend(monthReportSchema.shape);

export const monthHistorySchema = z.object({
  channelId: z.string(),
  month: monthTextSchema,
  position: z.number().int().describe('the position the history goes up to (x-chanperf-position)'),
  versions: z.array(monthVersionSchema).describe('oldest first'),
});
