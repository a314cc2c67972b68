/** Promotion matching (spec §4 "Rebates", promotion component). */
import { compareInstants, type Instant } from '../calendar.js';
import type { Promotion } from './state.js';

/**
 * Whether promotion `p` covers a sale of `sku` by `channelId` at `at`: its window
 * [startsAt, endsAt) holds the instant and its skus/channelIds (null: all) match.
 */
export function promotionCovers(p: Promotion, channelId: string, sku: string, at: Instant): boolean {
  return (
    compareInstants(p.startsAt, at) <= 0 &&
    compareInstants(at, p.endsAt) < 0 &&
    (p.skus === null || p.skus.includes(sku)) &&
    (p.channelIds === null || p.channelIds.includes(channelId))
  );
}

/**
 * bonusBps of a sale: the sum of `bonusBps` of the promotions scheduled so far that cover it
 * (`promotionCovers`).
 */
export function saleBonusBps(
  promotions: readonly Promotion[],
  channelId: string,
  sku: string,
  at: Instant,
): number {
  let bps = 0;
  for (const p of promotions) {
    if (p.bonusBps !== 0 && promotionCovers(p, channelId, sku, at)) bps += p.bonusBps;
  }
  return bps;
}
