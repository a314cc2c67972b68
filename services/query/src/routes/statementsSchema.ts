/** The OpenAPI schema of a sealed partner statement (`Statement` of the domain, plus its seal). */
import { z } from 'zod';
import {
  baseComponentSchema,
  growthBonusComponentSchema,
  monthReportSchema,
  moneySchema,
  promotionComponentSchema,
  rebateSchema,
  volumeComponentSchema,
} from '../schemas.js';
import { claimSchema, targetSchema } from '../v2Schemas.js';

const shown = { computed: true, rule: true } as const;

const rebateMonthSchema = z.object({
  month: z.string().describe('YYYY-MM'),
  consistent: z.boolean().describe('every figure recomputed from the events equals the reported one'),
  base: baseComponentSchema.omit(shown),
  growthBonus: growthBonusComponentSchema.omit(shown),
  promotion: promotionComponentSchema.omit(shown).extend({ bps: z.null() }),
  volume: volumeComponentSchema.omit(shown),
  total: moneySchema,
});

export const statementSchema = z.object({
  kind: z.literal('chanperf.partner-statement'),
  version: z.literal(1),
  channel: z.object({
    channelId: z.string(),
    name: z.string(),
    kind: z.string(),
    online: z.boolean(),
    region: z.string().nullable(),
  }),
  quarter: z.string().describe('YYYY-Qn'),
  position: z.number().int().describe('the log position the statement is pinned to'),
  currency: z.string(),
  timeZone: z.string(),
  lastClosedMonth: z.string().nullable(),
  months: z.array(monthReportSchema.extend({ previousNet: moneySchema })),
  totals: z.object({
    sales: moneySchema,
    returns: moneySchema,
    net: moneySchema,
    orders: z.number().int(),
    units: z.number().int(),
    rebate: rebateSchema,
  }),
  tierReview: z
    .object({ reviewMonth: z.string(), tier: z.string().nullable() })
    .nullable()
    .describe("the quarter-end review's tier; null until the quarter's last month is closed"),
  rebates: z
    .array(rebateMonthSchema)
    .describe('each rebate component of each month with the events behind it'),
  target: targetSchema
    .pick({
      year: true,
      annualTarget: true,
      targetEventId: true,
      ytdNet: true,
      attainmentBps: true,
      status: true,
    })
    .extend({ quarter: targetSchema.shape.quarters.element.nullable() })
    .nullable()
    .describe('(v2) the annual target and the quarter’s commitment; null without a TargetSet'),
  claims: z.array(claimSchema).describe("(v2) price-protection claims accrued in the quarter's months"),
  seal: z.object({
    algorithm: z.literal('SHA-256'),
    canonical: z.string().describe('how the hashed text is formed'),
    sha256: z.string().describe('hex SHA-256 of the canonical JSON of the document without `seal`'),
  }),
});
