/**
 * (v2) Zod schemas of the report's v2 sections and alerts (spec §5, §7), present only for a v2
 * log: the report schema declares them optional, in the spec's key order.
 */
import { z } from 'zod';

const money = z.string().regex(/^-?\d+(\.\d+)?$/);
const month = z.string().describe('YYYY-MM');
const quarter = z.string().describe('YYYY-Qn');
const judged = z.enum(['OPEN', 'ON_TRACK', 'BEHIND']);

export const v2AlertSchemas = [
  z.object({
    id: z.string(),
    kind: z.literal('TARGET_BEHIND'),
    channelId: z.string(),
    month,
    quarter,
    cumulativeNet: money,
    cumulativeTarget: money,
    restated: z.boolean(),
  }),
  z.object({
    id: z.string(),
    kind: z.literal('TARGET_BEHIND_RETRACTED'),
    channelId: z.string(),
    month,
    quarter,
  }),
  z.object({
    id: z.string(),
    kind: z.literal('CHANNEL_INACTIVE'),
    channelId: z.string(),
    month,
    idleMonths: z.number().int(),
    inactivityMonths: z.number().int(),
    lastSaleMonth: month.nullable(),
    restated: z.boolean(),
  }),
  z.object({ id: z.string(), kind: z.literal('CHANNEL_INACTIVE_RETRACTED'), channelId: z.string(), month }),
] as const;

export const programQuarterSchema = z.object({
  quarter,
  channels: z.number().int(),
  surveyedChannels: z.number().int(),
  surveyCoverageBps: z.number().int().nullable(),
  satisfactionAvg: z.string().nullable(),
});

export const targetSchema = z.object({
  channelId: z.string(),
  year: z.string(),
  annualTarget: money,
  targetEventId: z.string(),
  ytdNet: money,
  attainmentBps: z.number().int(),
  closedMonths: z.number().int(),
  sellingMonths: z.number().int(),
  closedNet: money,
  projectedNet: money.nullable(),
  status: judged,
  quarters: z.array(
    z.object({
      quarter,
      target: money,
      net: money,
      cumulativeTarget: money,
      cumulativeNet: money,
      status: judged,
    }),
  ),
});

export const priceChangeSchema = z.object({
  changeId: z.string(),
  sku: z.string(),
  oldUnitPrice: money,
  newUnitPrice: money,
  effectiveAt: z.string(),
  month,
  windowDays: z.number().int().nullable(),
  protected: z.boolean(),
});

export const claimSchema = z.object({
  channelId: z.string(),
  sku: z.string(),
  changeId: z.string(),
  month,
  purchasedUnits: z.number().int(),
  returnedUnits: z.number().int(),
  windowUnits: z.number().int(),
  onHand: z.number().int().nullable(),
  eligibleUnits: z.number().int(),
  unitCredit: money,
  credit: money,
  restated: z.boolean(),
  basis: z.object({
    sales: z.array(z.string()),
    returns: z.array(z.string()),
    inventory: z.string().nullable(),
  }),
});

export const rollupSchema = z.object({
  channelId: z.string(),
  months: z.array(
    z.object({
      month,
      members: z.array(z.string()),
      net: money,
      previousNet: money,
      growthBps: z.number().int().nullable(),
      growthStatus: z.enum(['NO_BASELINE', 'MET', 'MISSED', 'OPEN']),
      targetBps: z.number().int(),
    }),
  ),
});

export const satisfactionSchema = z.object({
  channelId: z.string(),
  quarters: z.array(
    z.object({
      quarter,
      surveys: z.number().int(),
      respondents: z.number().int(),
      satisfactionAvg: z.string().nullable(),
    }),
  ),
});

/** `GET /v1/channels/:id/claims/:changeId/explain`: the events behind a claim, to the cent. */
export const claimExplainSchema = z.object({
  channelId: z.string(),
  changeId: z.string(),
  sku: z.string(),
  month,
  unitCredit: money,
  credit: money,
  eligibleUnits: z.number().int(),
  lines: z.array(
    z.object({
      eventId: z
        .string()
        .nullable()
        .describe('null only on an INVENTORY_CAP line when no count was reported'),
      type: z.enum(['SaleRecorded', 'ReturnRecorded', 'InventoryReported', 'INVENTORY_CAP']),
      occurredAt: z.string().nullable(),
      units: z.number().int().describe('signed: sale +, return −, cap −'),
      credit: money.describe('units × unitCredit, signed'),
      note: z.string(),
    }),
  ),
  steps: z.array(z.object({ label: z.string(), value: z.string() })),
});

/** The sections between `tierMovements` and `alerts`, each optional (v1 log: absent). */
export const v2SectionsShape = {
  targets: z.array(targetSchema).optional(),
  priceProtection: z.object({ changes: z.array(priceChangeSchema), claims: z.array(claimSchema) }).optional(),
  rollups: z.array(rollupSchema).optional(),
  satisfaction: z.array(satisfactionSchema).optional(),
};
