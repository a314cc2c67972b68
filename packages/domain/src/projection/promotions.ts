/** Promotion matching (spec §4 "Rebates", promotion component). */
import { compareInstants, type Instant } from '../calendar.js';
import type { Promotion } from './state.js';

/**
 * bonusBps of a sale: the sum of `bonusBps` of the promotions scheduled so far whose window
 * [startsAt, endsAt) holds the sale's instant and whose skus/channelIds match.
 */
export function saleBonusBps(
  promotions: readonly Promotion[],
  channelId: string,
  sku: string,
  at: Instant,
): number {
  let bps = 0;
  for (const p of promotions) {
    if (p.bonusBps === 0) continue;
    if (compareInstants(p.startsAt, at) > 0 || compareInstants(at, p.endsAt) >= 0) continue;
    if (p.skus !== null && !p.skus.includes(sku)) continue;
    if (p.channelIds !== null && !p.channelIds.includes(channelId)) continue;
    bps += p.bonusBps;
  }
  return bps;
}
