/**
 * Zod schemas of `POST /v1/whatif`: the request (a proposed program and the month it governs
 * from) and the comparison it answers (`compareWhatIf` in @chanperf/engine). They validate the
 * body and the answer and make the OpenAPI document, like every other route's (schemas.ts).
 */
import { z } from 'zod';
import {
  alertSchema,
  growthStatusSchema,
  moneySchema,
  monthParam,
  monthTextSchema,
  rebateSchema,
} from './schemas.js';

export const whatIfBodySchema = z.object({
  program: z
    .record(z.string(), z.unknown())
    .describe(
      'the proposed program: a ProgramPublished payload (spec §3), validated as ingestion validates one (422 with its message when it breaks a rule)',
    ),
  from: monthParam
    .optional()
    .describe(
      "the first month the proposal governs (default: the program's effectiveFrom, which it replaces)",
    ),
});

const comparison = {
  actual: rebateSchema,
  proposed: rebateSchema,
  delta: rebateSchema.describe('proposed − actual'),
};

const periodSchema = z.object({ period: z.string().describe('YYYY-MM or YYYY-Qn'), ...comparison });

const bothTiers = z.object({ actual: z.string().nullable(), proposed: z.string().nullable() });

const kpisSchema = z.object({
  rebates: moneySchema.describe('every partner’s rebate total for the month'),
  rebateBps: z.number().int().nullable().describe('floor(rebates × 10000 / net); null when net ≤ 0'),
  met: z.number().int().describe('partners whose month closed MET'),
  missed: z.number().int().describe('partners whose month closed MISSED'),
  tiers: z
    .array(z.object({ tier: z.string(), channels: z.number().int() }))
    .describe('partners per tier in effect'),
});

export const whatIfResultSchema = z.object({
  position: z.number().int().describe('the log position both scenarios were replayed to'),
  from: monthTextSchema.describe('the first month the proposal governs'),
  programId: z.string(),
  channels: z.array(
    z.object({
      channelId: z.string(),
      name: z.string(),
      ...comparison,
      months: z.array(
        z.object({
          month: monthTextSchema,
          closed: z.boolean(),
          net: moneySchema,
          tier: bothTiers.describe('in effect for the month'),
          growthStatus: z.object({ actual: growthStatusSchema, proposed: growthStatusSchema }),
          ...comparison,
        }),
      ),
      quarters: z.array(periodSchema),
      reviews: z
        .array(
          z.object({
            month: monthTextSchema,
            actual: z.string().nullable(),
            proposed: z.string().nullable(),
          }),
        )
        .describe('the tier held after the review at the close of each review month (null: no review then)'),
      growthChanges: z
        .array(z.object({ month: monthTextSchema, actual: growthStatusSchema, proposed: growthStatusSchema }))
        .describe('the months whose growth status differs'),
    }),
  ),
  total: z.object({ ...comparison, months: z.array(periodSchema), quarters: z.array(periodSchema) }),
  alerts: z.object({
    raised: z.array(alertSchema).describe('raised only under the proposal'),
    notRaised: z.array(alertSchema).describe('raised as logged, not under the proposal'),
  }),
  kpis: z.array(
    z.object({ month: monthTextSchema, net: moneySchema, actual: kpisSchema, proposed: kpisSchema }),
  ),
});
