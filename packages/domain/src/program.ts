/**
 * The channel program (spec §3): tiers, rebate rates, growth target, review cadence, volume
 * bands. `programInEffect` picks the program that governs a month.
 */
import { z } from 'zod';
import { amountSchema, text } from './fields.js';
import { parseAmount } from './money.js';
import { monthOfYear, parseMonth, type Month } from './calendar.js';

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

/** A program with amounts in minor units, as the projection uses it. */
export interface Program {
  readonly programId: string;
  readonly effectiveFrom: Month;
  readonly growthTargetBps: number;
  readonly growthBonusBps: number;
  readonly tierReview: 'quarterly' | 'monthly';
  readonly downgradeGraceReviews: number;
  readonly tiers: readonly {
    readonly id: string;
    readonly rebateBps: number;
    readonly minTrailingNet: number;
    readonly minCertifiedTrainees: number;
  }[];
  readonly volumeRebate: readonly { readonly minQuarterNet: number; readonly rateBps: number }[];
  /** (v2) K of §4 Inactivity; absent: no inactivity alerts for the months it governs. */
  readonly inactivityMonths?: number;
  /** (v2) N of §4 Price protection; absent: cuts effective in its months earn nothing. */
  readonly priceProtectionDays?: number;
}

/** Converts a validated program to minor units. */
export function toProgram(p: ProgramInput, digits: number): Program {
  const amt = (s: string) => parseAmount(s, digits) ?? 0;
  return {
    programId: p.programId,
    effectiveFrom: parseMonth(p.effectiveFrom) ?? 0,
    growthTargetBps: p.growthTargetBps,
    growthBonusBps: p.growthBonusBps,
    tierReview: p.tierReview,
    downgradeGraceReviews: p.downgradeGraceReviews,
    tiers: p.tiers.map((t) => ({
      id: t.id,
      rebateBps: t.rebateBps,
      minTrailingNet: amt(t.minTrailingNet),
      minCertifiedTrainees: t.minCertifiedTrainees,
    })),
    volumeRebate: p.volumeRebate.map((b) => ({
      minQuarterNet: amt(b.minQuarterNet),
      rateBps: b.rateBps,
    })),
    ...(p.inactivityMonths === undefined ? {} : { inactivityMonths: p.inactivityMonths }),
    ...(p.priceProtectionDays === undefined ? {} : { priceProtectionDays: p.priceProtectionDays }),
  };
}

/** Growth target when no program is in effect (spec §3). */
export const DEFAULT_GROWTH_TARGET_BPS = 1000;

/**
 * The program in effect for `month`: the one published latest (log order) among those with
 * `effectiveFrom` ≤ month. `published` is in log order.
 */
export function programInEffect(published: readonly Program[], month: Month): Program | undefined {
  for (let i = published.length - 1; i >= 0; i--) {
    const p = published[i];
    if (p !== undefined && p.effectiveFrom <= month) return p;
  }
  return undefined;
}

/** Whether `month` is a tier-review month under `program`. */
export function isReviewMonth(program: Program, month: Month): boolean {
  return program.tierReview === 'monthly' || monthOfYear(month) % 3 === 2;
}
