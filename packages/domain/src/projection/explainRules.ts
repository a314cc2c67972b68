/**
 * The rules of spec §4 in words, as `explain` states them next to each figure it re-derives.
 * They describe the functions that compute the figures (`monthlyGrowth`, `rebateFor` and its
 * rates, `saleBonusBps`, `roundBps`): a change to one of those rules changes its text here.
 */
export const EXPLAIN_RULES = {
  sales: 'Σ SaleRecorded.netAmount of the month',
  returns: 'Σ SaleReturned.netAmount of the month',
  growth:
    'prev = net of the previous month; prev ≤ 0: no baseline; else growthBps = floor((net − prev) × 10000 / prev), ' +
    'and the target is met when net × 10000 ≥ prev × (10000 + targetBps); an open month is OPEN',
  base: 'round(Σ signed amount × rebateBps of the tier in effect / 10000) = round(net × rebateBps / 10000), half away from zero',
  growthBonus:
    'round(net × growthBonusBps / 10000), only when the month is closed with status MET, half away from zero',
  promotion:
    'round((Σ sale × bonusBps(sale) − Σ return × bonusBps(original sale)) / 10000), half away from zero; ' +
    'bonusBps(sale) = Σ bonusBps of promotions scheduled earlier in the log whose [startsAt, endsAt) holds the sale ' +
    'and whose skus/channelIds match; a return’s original sale is the latest earlier SaleRecorded of the same ' +
    'channel, orderId and sku (none: 0 bps)',
  volume:
    'on the last month of a quarter, once closed: Q = net of the quarter’s three months; rate = rateBps of the ' +
    'highest band with minQuarterNet ≤ Q; round(Q × rate / 10000) when Q > 0, else 0',
  total: 'base + growthBonus + promotion + volume, each already rounded',
} as const;
