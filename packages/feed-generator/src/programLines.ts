/**
 * The program's lines, sent by channel operations and finance: the program published before
 * the first month, its mid-year change, each month's promotions, and each month's close.
 */
import { HOUR } from './calendar.js';
import { SKUS } from './catalogue.js';
import type { FeedContext } from './feedContext.js';
import type { JsonObject } from './eventLines.js';
import type { Partner } from './partners.js';

/** (v2) K and N of both programs of a v2 feed (spec §3): silent for a quarter, a 30-day window. */
export const INACTIVITY_MONTHS = 3;
export const PRICE_PROTECTION_DAYS = 30;

/** The program's v2 fields in a v2 feed, else none (a v1 program, byte for byte). */
const v2Fields = (ctx: FeedContext) =>
  ctx.cfg.v2 ? { inactivityMonths: INACTIVITY_MONTHS, priceProtectionDays: PRICE_PROTECTION_DAYS } : {};

const tier = (id: string, rebateBps: number, minTrailingNet: string, minCertifiedTrainees: number) => ({
  id,
  rebateBps,
  minTrailingNet,
  minCertifiedTrainees,
});

/** The program in effect from the first month, published the month before. */
export function programLine(ctx: FeedContext, year: number): string {
  const { rnd } = ctx;
  return JSON.stringify({
    eventId: `program-cn-${year}`,
    type: 'ProgramPublished',
    occurredAt: ctx.ts(ctx.month(-1), rnd.int(15, 25), rnd.int(9 * HOUR, 17 * HOUR)),
    data: {
      programId: `cn-${year}`,
      effectiveFrom: ctx.month(0).label,
      growthTargetBps: 1000,
      growthBonusBps: 50,
      tierReview: 'quarterly',
      downgradeGraceReviews: 1,
      tiers: [
        tier('registered', 100, '0', 0),
        tier('silver', 200, '300000', 1),
        tier('gold', 300, '1500000', 3),
        tier('diamond', 500, '6000000', 5),
      ],
      volumeRebate: [
        { minQuarterNet: '1000000', rateBps: 50 },
        { minQuarterNet: '5000000', rateBps: 100 },
      ],
      ...v2Fields(ctx),
    },
    source: 'channel-ops',
  });
}

/**
 * A second program effective from the current month, which is still open (the previous one
 * was the last closed): three tiers (diamond dropped, so diamond holders are clamped to
 * gold), a higher growth bonus and a richer top volume band.
 */
export function programChangeLine(ctx: FeedContext, year: number): string {
  return JSON.stringify({
    eventId: `program-cn-${year}-r2`,
    type: 'ProgramPublished',
    occurredAt: ctx.ts(ctx.mo, 2, ctx.rnd.int(13 * HOUR, 17 * HOUR)),
    data: {
      programId: `cn-${year}-r2`,
      effectiveFrom: ctx.mo.label,
      growthTargetBps: 1000,
      growthBonusBps: 80,
      tierReview: 'quarterly',
      downgradeGraceReviews: 1,
      tiers: [
        tier('registered', 100, '0', 0),
        tier('silver', 200, '300000', 1),
        tier('gold', 350, '1500000', 3),
      ],
      volumeRebate: [
        { minQuarterNet: '1000000', rateBps: 50 },
        { minQuarterNet: '5000000', rateBps: 120 },
      ],
      ...v2Fields(ctx),
    },
    source: 'channel-ops',
  });
}

/** 1–3 promotions with windows inside the current month, scheduled during the previous month. */
export function promotionLines(ctx: FeedContext, partners: readonly Partner[]): string[] {
  const { rnd, mo, mi } = ctx;
  const prev = ctx.month(mi - 1);
  const next = ctx.month(mi + 1);
  const out: string[] = [];
  const count = rnd.int(1, 3);
  for (let k = 1; k <= count; k++) {
    const fullMonth = rnd.chance(k === 1 ? 0.5 : 0.2);
    const startDay = fullMonth ? 1 : rnd.int(1, mo.days - 7);
    const endDay = fullMonth ? mo.days : rnd.int(startDay + 3, Math.min(startDay + 14, mo.days));
    const data: JsonObject = {
      promotionId: `PR-${mo.label}-${k}`,
      startsAt: ctx.ts(mo, startDay, 0),
      endsAt: endDay === mo.days ? ctx.ts(next, 1, 0) : ctx.ts(mo, endDay + 1, 0),
      bonusBps: rnd.int(50, 200),
    };
    if (k > 1) {
      if (rnd.chance(0.6)) data['skus'] = rnd.sample(SKUS, rnd.int(1, 3)).map((s) => s.id);
      else {
        const eligible = partners.filter((p) => p.joinMonth <= mi);
        data['channelIds'] = rnd.sample(eligible, rnd.int(2, 8)).map((p) => p.id);
      }
    }
    out.push(
      JSON.stringify({
        eventId: `promo-${mo.label}-${k}`,
        type: 'PromotionScheduled',
        occurredAt: ctx.ts(prev, rnd.int(18, prev.days - 1), rnd.int(9 * HOUR, 18 * HOUR)),
        data,
        source: 'channel-ops',
      }),
    );
  }
  return out;
}

/** The close of the current month, dated day 1 or 2 of the next; none for the last month. */
export function closeLine(ctx: FeedContext): string | null {
  if (ctx.mi >= ctx.cfg.months - 1) return null;
  const next = ctx.month(ctx.mi + 1);
  return JSON.stringify({
    eventId: `close-${ctx.mo.label}`,
    type: 'PeriodClosed',
    occurredAt: ctx.ts(next, ctx.rnd.int(1, 2), ctx.rnd.int(9 * HOUR, 12 * HOUR - 1)),
    data: { month: ctx.mo.label },
    source: 'finance-01',
  });
}
