/**
 * The channel program as the projection uses it (spec §3): amounts in minor units, the program
 * in effect for a month, the review months. Apart from its validation (`program.ts`), so that
 * what only applies the rules loads no schema library.
 */
import { parseAmount } from './money.js';
import { monthOfYear, parseMonth, type Month } from './calendar.js';
import type { ProgramInput } from './program.js';

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
