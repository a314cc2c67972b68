/**
 * The channel program's validation (spec §3): tiers, rebate rates, growth target, review
 * cadence, volume bands. What the projection does with a program is `programRules.ts`.
 */
import { z } from 'zod';
import { amountSchema, text } from './fields.js';
import { parseAmount } from './money.js';
import { parseMonth } from './calendar.js';

const bps = z.int().min(0).max(10000);

export function programSchema(digits: number) {
  const amount = amountSchema(digits);
  return z
    .object({
      programId: text(1, 128),
      effectiveFrom: z.string().refine((s) => parseMonth(s) !== undefined, 'must be YYYY-MM'),
      growthTargetBps: bps,
      growthBonusBps: bps,
      tierReview: z.enum(['quarterly', 'monthly']),
      downgradeGraceReviews: z.int().min(0),
      tiers: z
        .array(
          z.object({
            id: text(1, 64),
            rebateBps: bps,
            minTrailingNet: amount,
            minCertifiedTrainees: z.int().min(0),
          }),
        )
        .min(1),
      volumeRebate: z.array(z.object({ minQuarterNet: amount, rateBps: bps })),
      inactivityMonths: z.int().min(1).max(120).optional(),
      priceProtectionDays: z.int().min(1).max(366).optional(),
    })
    .check((ctx) => {
      const p = ctx.value;
      const issue = (message: string, path: (string | number)[]) =>
        ctx.issues.push({ code: 'custom', message, path, input: p });
      const ids = new Set<string>();
      let prevNet = -1;
      let prevCert = -1;
      p.tiers.forEach((t, i) => {
        if (ids.has(t.id)) issue(`duplicate tier id "${t.id}"`, ['tiers', i, 'id']);
        ids.add(t.id);
        const net = parseAmount(t.minTrailingNet, digits) ?? 0;
        if (i === 0 && (net !== 0 || t.minCertifiedTrainees !== 0)) {
          issue('the first tier must have both minimums 0', ['tiers', 0]);
        }
        if (net < prevNet || t.minCertifiedTrainees < prevCert) {
          issue('tier minimums must never decrease down the list', ['tiers', i]);
        }
        prevNet = net;
        prevCert = t.minCertifiedTrainees;
      });
      let prevBand = -1;
      p.volumeRebate.forEach((b, i) => {
        const min = parseAmount(b.minQuarterNet, digits) ?? 0;
        if (min <= prevBand) {
          issue('volumeRebate minQuarterNet must strictly increase', ['volumeRebate', i]);
        }
        prevBand = min;
      });
    });
}

export type ProgramInput = z.infer<ReturnType<typeof programSchema>>;
