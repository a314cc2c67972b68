// @ts-check
/** Figures derived on the page from a channel's months. */
import { quarterOf, sumAmounts } from './format.js';

/** @typedef {import('./types.js').ChannelDetail} ChannelDetail */
/** @typedef {import('./types.js').ChannelListItem} ChannelListItem */

/**
 * The list row of a channel, computed from its months — what GET /v1/channels says for it,
 * for a partner key, which may not read the list.
 * @param {ChannelDetail} d
 * @returns {ChannelListItem}
 */
export function listItemOf(d) {
  const closed = d.months.filter((m) => m.closed);
  const lastClosed = closed[closed.length - 1];
  const last = d.months[d.months.length - 1];
  const quarter = last === undefined ? null : quarterOf(last.month);
  const inQuarter = d.months.filter((m) => quarterOf(m.month) === quarter).map((m) => m.rebate.total);
  return {
    channelId: d.channelId,
    name: d.name,
    kind: d.kind,
    online: d.online,
    region: d.region ?? null,
    tier: d.tier,
    firstMonth: d.months[0]?.month ?? '',
    lastClosedMonth: lastClosed?.month ?? null,
    lastClosedNet: lastClosed?.net ?? null,
    lastClosedGrowthBps: lastClosed?.growthBps ?? null,
    lastClosedGrowthStatus: lastClosed?.growthStatus ?? null,
    quarter,
    quarterRebateAccrued: sumAmounts(inQuarter),
  };
}
